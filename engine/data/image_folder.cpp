#include "engine/data/image_folder.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>

#include "engine/data/content_hash.h"
#include "engine/data/idx_reader.h"

// The one place stb_image and stb_image_resize are compiled. Static linkage keeps them from
// clashing with another copy in some library; only the formats LayerLab reads are built, and
// huge dimensions are refused before any allocation.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_NO_STDIO
// stb's own bound; LayerLab's tighter ones (kMaxImageSide, kMaxPixelsPerImage) are checked on
// the header first, so that a refusal names the file and its declared size.
#define STBI_MAX_DIMENSIONS (1 << 24)
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#define STB_IMAGE_RESIZE_STATIC
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>
#pragma GCC diagnostic pop

namespace layerlab::engine {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t{1} << 28;
// The header pass reads this much of each file: PNG and BMP state their size in the first
// bytes, JPEG after its metadata segments.
constexpr size_t kHeaderBytes = size_t{1} << 20;

struct ImageFile {
  fs::path path;
  int64_t label = 0;
};

bool isHidden(const fs::path& path) {
  return path.filename().string().starts_with(".");
}

bool isImageFile(const fs::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == ".png" || extension == ".jpg" || extension == ".jpeg" || extension == ".bmp";
}

std::vector<fs::path> sortedEntries(const fs::path& folder) {
  std::vector<fs::path> entries;
  std::error_code error;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (!isHidden(it->path())) entries.push_back(it->path());
  }
  if (error)
    throw DataError(folder.string() + ": cannot list the folder (" + error.message() + ")");
  std::sort(entries.begin(), entries.end());
  return entries;
}

// The class folders and their images, in order; warns about everything it leaves out.
std::vector<ImageFile> listImages(const fs::path& root, ImageFolderData& out) {
  std::error_code error;
  if (!fs::is_directory(root, error)) {
    throw DataError(root.string() +
                    ": not a folder (an image folder holds one sub-folder per class)");
  }
  std::vector<ImageFile> files;
  int64_t skipped = 0;
  for (const fs::path& entry : sortedEntries(root)) {
    if (!fs::is_directory(entry, error)) {
      ++skipped;
      continue;
    }
    const auto label = static_cast<int64_t>(out.classNames.size());
    out.classNames.push_back(entry.filename().string());
    int64_t inClass = 0;
    for (const fs::path& file : sortedEntries(entry)) {
      if (fs::is_regular_file(file, error) && isImageFile(file)) {
        files.push_back({file, label});
        ++inClass;
      } else {
        ++skipped;
      }
    }
    if (inClass == 0) {
      out.warnings.push_back(entry.string() + ": no PNG, JPEG or BMP images in this class folder");
    }
  }
  if (skipped > 0) {
    out.warnings.push_back(root.string() + ": skipped " + std::to_string(skipped) +
                           " entries that are not PNG, JPEG or BMP files in a class folder");
  }
  if (out.classNames.size() < 2) {
    throw DataError(root.string() + ": found " + std::to_string(out.classNames.size()) +
                    " class folder(s); an image folder needs one sub-folder per class, at least "
                    "two (e.g. cats/ and dogs/)");
  }
  if (files.empty()) {
    throw DataError(root.string() + ": the class folders hold no PNG, JPEG or BMP images");
  }
  return files;
}

// A seeded choice of `limit` files, kept in their order. The draw is written out (not
// std::shuffle, whose algorithm differs between libraries) so that every platform picks alike.
std::vector<ImageFile> choose(std::vector<ImageFile> files, int64_t limit, uint64_t seed) {
  if (limit <= 0 || limit >= static_cast<int64_t>(files.size())) return files;
  std::mt19937_64 random(seed);
  std::vector<size_t> order(files.size());
  for (size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  for (size_t i = 0; i < static_cast<size_t>(limit); ++i)
    std::swap(order[i], order[i + random() % (order.size() - i)]);
  order.resize(static_cast<size_t>(limit));
  std::sort(order.begin(), order.end());
  std::vector<ImageFile> chosen;
  for (size_t index : order)
    chosen.push_back(std::move(files[index]));
  return chosen;
}

std::vector<uint8_t> readFileBytes(const fs::path& path) {
  std::error_code error;
  const std::uintmax_t size = fs::file_size(path, error);
  if (error) throw DataError(path.string() + ": cannot read the file (" + error.message() + ")");
  if (size > kMaxFileBytes) {
    throw DataError(path.string() + ": larger than 256 MiB; is this really one image?");
  }
  std::vector<uint8_t> bytes(static_cast<size_t>(size));
  std::ifstream in(path, std::ios::binary);
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size))) {
    throw DataError(path.string() + ": cannot read the file");
  }
  return bytes;
}

std::string sizeText(int64_t height, int64_t width) {
  return std::to_string(width) + "×" + std::to_string(height);
}

struct StbFree {
  void operator()(stbi_uc* pixels) const { stbi_image_free(pixels); }
};

// Interleaved HWC (stb) to planar CHW (tensors).
void toPlanar(const uint8_t* interleaved, int64_t channels, int64_t pixels, uint8_t* planar) {
  for (int64_t c = 0; c < channels; ++c) {
    for (int64_t p = 0; p < pixels; ++p)
      planar[c * pixels + p] = interleaved[p * channels + c];
  }
}

[[noreturn]] void failTooLarge(const std::string& name, int64_t height, int64_t width) {
  throw DataError(name + ": the image declares " + sizeText(height, width) +
                  " pixels, more than LayerLab decodes (at most " + std::to_string(kMaxImageSide) +
                  " a side and " + std::to_string(kMaxPixelsPerImage >> 20) +
                  " megapixels); replace or remove the file");
}

bool beyondCaps(int64_t height, int64_t width) {
  return width > kMaxImageSide || height > kMaxImageSide || width * height > kMaxPixelsPerImage;
}

// A PNG's IHDR (the first chunk, by the format's rule), read directly: stb refuses sizes past
// its own bound with a bare "unknown image type", and the message should say what the file
// declares.
std::optional<ImageSize> declaredPngSize(const uint8_t* data, size_t size) {
  static const uint8_t kStart[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n',
                                   0,    0,   0,   13,  'I',  'H',  'D',  'R'};
  if (size < sizeof kStart + 8 || std::memcmp(data, kStart, sizeof kStart) != 0) return {};
  const auto word = [data](size_t at) {
    return (int64_t{data[at]} << 24) | (data[at + 1] << 16) | (data[at + 2] << 8) | data[at + 3];
  };
  return ImageSize{word(20), word(16)};
}

// The size an image declares, refused when beyond the caps: decoding allocates what the header
// says, and a file of a few hundred bytes can declare 30000×30000.
ImageSize checkedImageSize(const uint8_t* data, size_t size, const std::string& name) {
  const auto length = static_cast<int>(std::min<size_t>(size, kMaxFileBytes));
  int w = 0, h = 0, fileChannels = 0;
  if (stbi_info_from_memory(data, length, &w, &h, &fileChannels) == 0) {
    const std::optional<ImageSize> png = declaredPngSize(data, size);
    if (png && beyondCaps(png->height, png->width)) failTooLarge(name, png->height, png->width);
    throw DataError(name + ": not a readable PNG, JPEG or BMP image (" + stbi_failure_reason() +
                    "); replace or remove the file");
  }
  if (beyondCaps(h, w)) failTooLarge(name, h, w);
  return {h, w, fileChannels};
}

ImageSize readImageHeader(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint8_t> bytes(kHeaderBytes);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<size_t>(in.gcount()));
  if (bytes.empty())
    throw DataError(path.string() + ": an empty file, not a readable PNG, JPEG or BMP image");
  return checkedImageSize(bytes.data(), bytes.size(), path.string());
}

// Sets the size every image will have (the stated one, or the first image's) and checks the
// whole set against the data budget as float32, before any image is decoded.
void planFolder(ImageFolderData& out, const std::vector<ImageFile>& files,
                const ImageFolderConfig& config, const std::string& folder) {
  const ImageOptions& options = config.options;
  const bool sized = options.height > 0 && options.width > 0;
  std::optional<ImageSize> first;
  if (!sized || options.color == "auto") first = readImageHeader(files.front().path);
  out.channels =
      options.color == "grayscale" || (options.color == "auto" && first->channels <= 2) ? 1 : 3;
  out.height = sized ? options.height : first->height;
  out.width = sized ? options.width : first->width;
  const auto total = static_cast<int64_t>(files.size());
  checkFloatBudget(folder, total, out.channels * out.height * out.width);
}

// Whether "auto" chose grayscale from the first image but `image` has colour; true once only,
// so a mixed folder gives one warning, not one per image.
bool colourLost(const ImageOptions& options, const DecodedImage& image,
                const ImageFolderData& out) {
  if (options.color != "auto" || out.channels != 1 || image.fileChannels <= 2) return false;
  for (const std::string& warning : out.warnings) {
    if (warning.find(" is in colour, but ") != std::string::npos) return false;
  }
  return true;
}

}  // namespace

DecodedImage decodeImage(const uint8_t* data, size_t size, const std::string& name,
                         int64_t channels, int64_t height, int64_t width) {
  const auto length = static_cast<int>(std::min<size_t>(size, kMaxFileBytes));
  const ImageSize declared = checkedImageSize(data, size, name);
  int w = static_cast<int>(declared.width), h = static_cast<int>(declared.height);
  int fileChannels = 0;
  const int want = static_cast<int>(channels);
  std::unique_ptr<stbi_uc, StbFree> decoded(
      stbi_load_from_memory(data, length, &w, &h, &fileChannels, want));
  if (!decoded) {
    throw DataError(name + ": the image is damaged (" + stbi_failure_reason() +
                    "); replace or remove the file");
  }
  DecodedImage image{channels, h, w, fileChannels, {}};
  const uint8_t* source = decoded.get();
  std::vector<uint8_t> resized;
  if (height > 0 && width > 0 && (height != h || width != w)) {
    resized.resize(static_cast<size_t>(height * width * channels));
    if (stbir_resize_uint8(decoded.get(), w, h, 0, resized.data(), static_cast<int>(width),
                           static_cast<int>(height), 0, want) == 0) {
      throw DataError(name + ": the image could not be resized to " + sizeText(height, width));
    }
    source = resized.data();
    image.height = height;
    image.width = width;
  }
  image.pixels.resize(static_cast<size_t>(image.height * image.width * channels));
  toPlanar(source, channels, image.height * image.width, image.pixels.data());
  return image;
}

ImageFolderData readImageFolder(const std::string& folder, const ImageFolderConfig& config) {
  ImageFolderData out;
  const fs::path root(folder);
  const std::vector<ImageFile> files = choose(listImages(root, out), config.limit, config.seed);
  planFolder(out, files, config, folder);
  const auto total = static_cast<int64_t>(files.size());
  out.pixels.reserve(static_cast<size_t>(total * out.channels * out.height * out.width));
  ContentHash hash;
  for (const ImageFile& file : files) {
    if (config.progress && !config.progress(out.count, total)) {
      out.cancelled = true;
      break;
    }
    const std::vector<uint8_t> bytes = readFileBytes(file.path);
    hash.add(fs::relative(file.path, root).generic_string());
    hash.add(bytes.data(), bytes.size());
    const DecodedImage image =
        decodeImage(bytes.data(), bytes.size(), file.path.string(), out.channels,
                    config.options.height, config.options.width);
    if (image.height != out.height || image.width != out.width) {
      throw DataError(file.path.string() + ": " + sizeText(image.height, image.width) +
                      " pixels, but " + files.front().path.string() + " is " +
                      sizeText(out.height, out.width) +
                      "; images of different sizes need a stated size to resize them to "
                      "(image.size)");
    }
    if (colourLost(config.options, image, out)) {
      out.warnings.push_back(file.path.string() + " is in colour, but " +
                             files.front().path.string() +
                             " is grayscale, so every image is read as grayscale; set "
                             "image.color to rgb (or convert the images) to keep colour");
    }
    out.pixels.insert(out.pixels.end(), image.pixels.begin(), image.pixels.end());
    out.labels.push_back(file.label);
    ++out.count;
  }
  if (!out.cancelled && config.progress) out.cancelled = !config.progress(out.count, total);
  out.contentHash = hash.hex();
  return out;
}

ImageFolderData readImageFolderHeader(const std::string& folder, const ImageFolderConfig& config) {
  ImageFolderData out;
  const std::vector<ImageFile> files =
      choose(listImages(fs::path(folder), out), config.limit, config.seed);
  planFolder(out, files, config, folder);
  out.count = static_cast<int64_t>(files.size());
  return out;
}

}  // namespace layerlab::engine
