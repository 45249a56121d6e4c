// Reads MNIST-style IDX files, raw or gzipped. Torch-free: the result is bytes plus dimensions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace layerlab::engine {

// Thrown for data that cannot be read: the message names the file (and, for tables, the line
// and column), the problem and what to do about it.
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
// `maxItems` > 0 reads only the first items of the first dimension. The header's dimensions are
// checked against the data budget (memory_budget.h) as float32 before anything is inflated or
// allocated: a small gzipped file can declare, and hold, gigabytes. Throws DataError.
IdxArray readIdx(const std::string& path, int64_t maxItems = 0);

// The same for bytes in memory (raw or gzipped); `name` stands for the file in messages.
IdxArray parseIdx(const uint8_t* data, size_t size, const std::string& name, int64_t maxItems = 0);

// Only the header of `path` (raw or gzipped): its dimensions, checked as readIdx checks them.
// Throws DataError.
std::vector<int64_t> readIdxDims(const std::string& path);

// The float32 bytes `items` items of `itemValues` values take; throws DataError naming `name`
// when that is more than the data budget.
int64_t checkFloatBudget(const std::string& name, int64_t items, int64_t itemValues);

// Whether `path` starts like an IDX file (raw or gzipped): two zero bytes, a known element type
// and 1 to 4 dimensions. False for anything that cannot be read.
bool isIdxFile(const std::string& path);

}  // namespace layerlab::engine
