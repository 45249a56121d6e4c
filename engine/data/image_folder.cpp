#include "engine/data/image_folder.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>

#include "engine/data/content_hash.h"

// The one place stb_image and stb_image_resize are compiled. Static linkage keeps them from
// clashing with another copy in some library; only the formats LayerLab reads are built, and
// huge dimensions are refused before any allocation.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_STATIC
#define STBI_ONLY_PNG
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#define STBI_NO_STDIO
#define STBI_MAX_DIMENSIONS (1 << 14)
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

constexpr int64_t kMaxPixelsPerImage = int64_t{1} << 26;
constexpr int64_t kMaxTotalBytes = int64_t{1} << 34;
constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t{1} << 28;

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

// The first image fixes the size of all; room for every image is made at once.
void reserveFor(ImageFolderData& out, const DecodedImage& first, int64_t total,
                const std::string& folder) {
  out.height = first.height;
  out.width = first.width;
  const int64_t bytesNeeded = total * out.channels * out.height * out.width;
  if (bytesNeeded > kMaxTotalBytes) {
    throw DataError(folder + ": " + std::to_string(total) + " images of " +
                    sizeText(out.height, out.width) +
                    " are more than LayerLab will hold in memory; state a smaller size");
  }
  out.pixels.reserve(static_cast<size_t>(bytesNeeded));
}

}  // namespace

DecodedImage decodeImage(const uint8_t* data, size_t size, const std::string& name,
                         int64_t channels, int64_t height, int64_t width) {
  const auto length = static_cast<int>(std::min<size_t>(size, kMaxFileBytes));
  int w = 0, h = 0, fileChannels = 0;
  if (stbi_info_from_memory(data, length, &w, &h, &fileChannels) == 0) {
    throw DataError(name + ": not a readable PNG, JPEG or BMP image (" + stbi_failure_reason() +
                    "); replace or remove the file");
  }
  if (int64_t{w} * h > kMaxPixelsPerImage) {
    throw DataError(name + ": " + sizeText(h, w) + " pixels is too large an image to load");
  }
  const int want = static_cast<int>(channels);
  std::unique_ptr<stbi_uc, StbFree> decoded(
      stbi_load_from_memory(data, length, &w, &h, &fileChannels, want));
  if (!decoded) {
    throw DataError(name + ": the image is damaged (" + stbi_failure_reason() +
                    "); replace or remove the file");
  }
  DecodedImage image{channels, h, w, {}};
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
  out.channels = config.options.color == "grayscale" ? 1 : 3;
  ContentHash hash;
  const auto total = static_cast<int64_t>(files.size());
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
    if (out.count == 0) {
      reserveFor(out, image, total, folder);
    } else if (image.height != out.height || image.width != out.width) {
      throw DataError(file.path.string() + ": " + sizeText(image.height, image.width) +
                      " pixels, but " + files.front().path.string() + " is " +
                      sizeText(out.height, out.width) +
                      "; images of different sizes need a stated size to resize them to "
                      "(image.size)");
    }
    out.pixels.insert(out.pixels.end(), image.pixels.begin(), image.pixels.end());
    out.labels.push_back(file.label);
    ++out.count;
  }
  if (!out.cancelled && config.progress) out.cancelled = !config.progress(out.count, total);
  out.contentHash = hash.hex();
  return out;
}

}  // namespace layerlab::engine
