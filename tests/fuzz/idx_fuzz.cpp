// libFuzzer target: the IDX reader on arbitrary bytes (raw or gzipped), whole and with a limit.
#include <cstddef>
#include <cstdint>

#include "engine/data/idx_reader.h"

namespace {

void check(const layerlab::engine::IdxArray& array) {
  int64_t elements = 1;
  for (int64_t dim : array.dims)
    elements *= dim;
  if (static_cast<int64_t>(array.data.size()) != elements) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using layerlab::engine::DataError;
  for (int64_t limit : {int64_t{0}, int64_t{1}}) {
    try {
      check(layerlab::engine::parseIdx(data, size, "input", limit));
    } catch (const DataError&) {
    }
  }
  return 0;
}
