// How the fuzz targets turn their bytes into reader inputs. Shared with the regression test that
// replays the saved inputs (tests/engine/data_corpus_test.cpp), so a saved input means the same
// thing in both places. Torch-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/data/dataset_spec.h"

namespace layerlab::fuzz {

// The first byte of a CSV input picks the options; the rest is the file. Every combination of
// header mode, delimiter, missing-value policy, task and label column is reachable.
inline engine::CsvOptions csvOptionsFor(uint8_t selector) {
  static constexpr const char* kHeaders[] = {"auto", "yes", "no"};
  static constexpr const char* kDelimiters[] = {"auto", ",", ";", "\t", " "};
  static constexpr const char* kMissing[] = {"error", "drop", "mean"};
  static constexpr const char* kTasks[] = {"auto", "classification", "regression"};
  engine::CsvOptions options;
  options.header = kHeaders[selector % 3];
  options.delimiter = kDelimiters[(selector / 3) % 5];
  options.missing = kMissing[(selector / 15) % 3];
  options.task = kTasks[(selector / 45) % 3];
  if (selector & 0x80) options.label = int64_t{0};
  return options;
}

struct CsvInput {
  engine::CsvOptions options;
  std::string_view text;
};

inline CsvInput csvInputFor(const uint8_t* data, size_t size) {
  if (size == 0) return {engine::CsvOptions{}, {}};
  return {csvOptionsFor(data[0]),
          std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1)};
}

}  // namespace layerlab::fuzz
