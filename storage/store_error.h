#pragma once

#include <stdexcept>
#include <string>

namespace layerlab::storage {

// What went wrong, for callers that react differently: a training run pauses on Full and tells
// the user to free space, retries later on Busy, and fails on the rest.
enum class StoreErrorKind {
  General,   // anything else: a refused request, a constraint
  NotFound,  // no run (or artifact) with that id
  Busy,      // another process held the write lock for longer than the busy timeout
  Full,      // the disk is full or the store reached its size limit
  Io,        // the operating system reported a read or write error
  Corrupt,   // the file is damaged or is not a store
};

// Thrown when the store cannot be opened, read or written. The message names the file and what
// SQLite said, so it can be shown to the user as it is.
class StoreError : public std::runtime_error {
 public:
  explicit StoreError(const std::string& message, StoreErrorKind kind = StoreErrorKind::General)
      : std::runtime_error(message), m_kind(kind) {}
  explicit StoreError(const char* message, StoreErrorKind kind = StoreErrorKind::General)
      : std::runtime_error(message), m_kind(kind) {}

  StoreErrorKind kind() const { return m_kind; }

 private:
  StoreErrorKind m_kind;
};

}  // namespace layerlab::storage
