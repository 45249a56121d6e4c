#pragma once

#include <stdexcept>
#include <string>

namespace layerlab::storage {

// Thrown when the store cannot be opened, read or written. The message names the file and what
// SQLite said, so it can be shown to the user as it is.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace layerlab::storage
