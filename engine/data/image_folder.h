// Reads a folder of images with one sub-folder per class (cats/…, dogs/…), the layout of
// torchvision's ImageFolder and Keras' image_dataset_from_directory. PNG, JPEG and BMP are decoded
// with stb_image, converted to grayscale or RGB and, when a size is stated, resized to it (the
// whole picture, stretched, no crop). With color "auto" the first image's header decides: a
// grayscale file (with or without alpha) makes one channel, anything else three. Torch-free: the
// result is bytes; dataset.cpp makes tensors.
//
// Classes are the sub-folder names in byte order; images within a class in file-name order.
// Hidden entries are skipped; other files are skipped with a warning. Pure functions: any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/data/dataset_spec.h"
#include "engine/data/load_progress.h"

namespace layerlab::engine {

// Images declaring more than this (a side, or pixels in all) are refused from their header,
// before they are decoded.
inline constexpr int64_t kMaxImageSide = 16384;
inline constexpr int64_t kMaxPixelsPerImage = int64_t{1} << 26;

struct ImageSize {
  int64_t height = 0;
  int64_t width = 0;
  int64_t channels = 0;  // as the file stores them: 1 grayscale, 2 with alpha, 3 RGB, 4 RGBA
};

struct ImageFolderConfig {
  ImageOptions options;
  int64_t limit = 0;  // > 0: decode only this many images, chosen at random with `seed`
  uint64_t seed = 42;
  LoadProgress progress;  // images decoded so far and the total; return false to stop
};

struct ImageFolderData {
  std::vector<std::string> classNames;
  int64_t count = 0;
  int64_t channels = 0;
  int64_t height = 0;
  int64_t width = 0;
  std::vector<uint8_t> pixels;  // count × channels × height × width: the layout of [N, C, H, W]
  std::vector<int64_t> labels;  // an index into classNames per image
  std::string contentHash;      // of every file's name and bytes
  std::vector<std::string> warnings;
  bool cancelled = false;  // the progress callback stopped the read: count is partial
};

// Throws DataError naming the folder or file, the problem and what to do. Before decoding, the
// whole set (the stated size, or the first image's header) is checked against the data budget
// as float32 (memory_budget.h), and every image's header against the caps above.
ImageFolderData readImageFolder(const std::string& folder, const ImageFolderConfig& config = {});

// What readImageFolder would load, from the listing and at most one image header, decoding
// nothing: class names, count, channels, height and width (pixels and labels empty). Checks the
// data budget as readImageFolder does. Throws DataError.
ImageFolderData readImageFolderHeader(const std::string& folder,
                                      const ImageFolderConfig& config = {});

struct DecodedImage {
  int64_t channels = 0;
  int64_t height = 0;
  int64_t width = 0;
  int64_t fileChannels = 0;     // as the file stores them (see ImageSize)
  std::vector<uint8_t> pixels;  // channels × height × width
};

// Decodes one PNG, JPEG or BMP held in memory to `channels` (1 or 3) channels, resized to
// height × width when both are > 0. `name` stands for the file in messages. Throws DataError.
DecodedImage decodeImage(const uint8_t* data, size_t size, const std::string& name,
                         int64_t channels, int64_t height = 0, int64_t width = 0);

}  // namespace layerlab::engine
