// How long reads report progress and how a caller cancels them. Torch-free.
#pragma once

#include <cstdint>
#include <functional>

#include "engine/data/idx_reader.h"

namespace layerlab::engine {

// Called now and then on the loading thread with the work done so far and the total, in the
// reader's own unit (bytes of a table, images of a folder); never goes backwards. Returning false
// cancels: the reader stops and says so in its result. Keep it quick: it runs inside the loop.
using LoadProgress = std::function<bool(int64_t done, int64_t total)>;

// Thrown by loadDataset when its progress callback asked it to stop.
class LoadCancelled : public DataError {
 public:
  using DataError::DataError;
};

}  // namespace layerlab::engine
