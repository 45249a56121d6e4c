// Reads MNIST-style IDX files, raw or gzipped. Torch-free: the result is bytes plus dimensions.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace layerlab::engine {

// Thrown for a file that cannot be read as IDX. The message names the file and the problem.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct IdxArray {
  std::vector<int64_t> dims;
  std::vector<uint8_t> data;  // unsigned bytes: the only element type MNIST-style sets use
};

// Reads `path` (gzip is detected by its magic, not the name). Checks the magic number, that the
// element type is unsigned byte, and that the payload holds exactly the declared elements.
// `maxItems` > 0 reads only the first items of the first dimension. Throws DataError.
IdxArray readIdx(const std::string& path, int64_t maxItems = 0);

}  // namespace layerlab::engine
