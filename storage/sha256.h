// SHA-256 through OpenSSL's EVP interface. Private to the storage module.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace layerlab::storage {

// Lower-case hex digest of `data`.
std::string sha256Hex(std::string_view data);

struct FileDigest {
  std::string sha256;  // lower-case hex
  int64_t bytes = 0;
};

// Digest and size of the file at `path`, read in blocks. Throws StoreError when it cannot be
// read.
FileDigest sha256File(const std::string& path);

}  // namespace layerlab::storage
