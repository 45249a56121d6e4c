// libFuzzer target: a checkpoint file's header, index and trainer state (checkpoint_file.h).
// A CheckpointError is a correct answer. Anything else thrown, a sanitizer report, or an
// accepted index whose tensors reach past the file's end is a finding.
#include <cstdint>
#include <cstdlib>

#include "engine/train/checkpoint_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace layerlab::engine;
  try {
    const CheckpointIndex index = parseCheckpointIndex(data, size, size, "fuzz");
    for (const CheckpointTensor& t : index.tensors) {
      // The promise the loader relies on: every tensor lies inside the file, sized by its shape.
      if (index.dataStart > size || t.offset > size - index.dataStart ||
          t.bytes > size - index.dataStart - t.offset) {
        std::abort();
      }
      uint64_t numel = 1;
      for (const int64_t dim : t.shape)
        numel *= static_cast<uint64_t>(dim);
      if (numel * dtypeSize(t.dtype) != t.bytes) std::abort();
    }
    parseTrainerState(index.state, "fuzz");
  } catch (const CheckpointError&) {
  }
  return 0;
}
