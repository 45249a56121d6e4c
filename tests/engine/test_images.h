// Tiny images for the data tests, written with stb_image_write (compiled static in every test
// file that includes this, so no file has to own it).
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#include <stb/stb_image_write.h>
#pragma GCC diagnostic pop

namespace layerlab::test {

// An RGB image whose pixel (x, y) is (base + 8x, base + 8y, 200): easy to check after decoding.
inline std::vector<uint8_t> patternImage(int width, int height, int base) {
  std::vector<uint8_t> rgb;
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      rgb.insert(rgb.end(),
                 {static_cast<uint8_t>(base + x * 8), static_cast<uint8_t>(base + y * 8), 200});
    }
  }
  return rgb;
}

// Writes patternImage as PNG, BMP or JPEG, chosen by the extension (.png, .bmp, .jpg, .JPEG).
inline void writeImage(const std::filesystem::path& path, int width = 8, int height = 8,
                       int base = 0) {
  std::filesystem::create_directories(path.parent_path());
  const std::vector<uint8_t> rgb = patternImage(width, height, base);
  const std::string ext = path.extension().string();
  const std::string name = path.string();
  int ok = 0;
  if (ext == ".png") ok = stbi_write_png(name.c_str(), width, height, 3, rgb.data(), width * 3);
  if (ext == ".bmp") ok = stbi_write_bmp(name.c_str(), width, height, 3, rgb.data());
  if (ext == ".jpg" || ext == ".JPEG") {
    ok = stbi_write_jpg(name.c_str(), width, height, 3, rgb.data(), 95);
  }
  ASSERT_NE(ok, 0) << path;
}

inline void writeBytes(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

}  // namespace layerlab::test
