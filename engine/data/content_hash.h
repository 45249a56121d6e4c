// A stable 64-bit hash of bytes for dataset fingerprints. Torch-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace layerlab::engine {

// Eight bytes a step (the data sets are large and hashed on every load), then a final mix. Not
// cryptographic: it tells data sets apart, it does not defend against forgery. The value is the
// same on every platform (bytes are combined little-endian, whatever the machine).
class ContentHash {
 public:
  void add(const void* data, size_t size);
  void add(const std::string& text);
  void add(int64_t value);
  uint64_t value() const;
  std::string hex() const;  // 16 lowercase hex digits

 private:
  uint64_t m_state = 0x243f6a8885a308d3ULL;
  uint64_t m_length = 0;
};

}  // namespace layerlab::engine
