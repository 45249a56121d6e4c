#include "storage/sha256.h"

#include <openssl/evp.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "storage/store_error.h"

namespace layerlab::storage {

namespace {

struct ContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

class Sha256 {
 public:
  Sha256() : m_context(EVP_MD_CTX_new()) {
    if (!m_context || EVP_DigestInit_ex(m_context.get(), EVP_sha256(), nullptr) != 1) {
      throw StoreError("cannot compute SHA-256: OpenSSL refused to start a digest");
    }
  }

  void update(const void* data, size_t size) {
    if (EVP_DigestUpdate(m_context.get(), data, size) != 1) {
      throw StoreError("cannot compute SHA-256: OpenSSL refused the data");
    }
  }

  std::string hex() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(m_context.get(), digest.data(), &size) != 1) {
      throw StoreError("cannot compute SHA-256: OpenSSL could not finish the digest");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text;
    text.reserve(size * 2);
    for (unsigned int i = 0; i < size; ++i) {
      text += kHex[digest[i] >> 4];
      text += kHex[digest[i] & 0x0F];
    }
    return text;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, ContextDeleter> m_context;
};

}  // namespace

std::string sha256Hex(std::string_view data) {
  Sha256 digest;
  digest.update(data.data(), data.size());
  return digest.hex();
}

FileDigest sha256File(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw StoreError("cannot read " + path + ": " + std::strerror(errno));
  Sha256 digest;
  FileDigest result;
  std::array<char, 1 << 16> block{};
  while (in) {
    in.read(block.data(), block.size());
    const std::streamsize got = in.gcount();
    if (got <= 0) break;
    digest.update(block.data(), static_cast<size_t>(got));
    result.bytes += got;
  }
  if (in.bad()) throw StoreError("cannot read " + path + ": the read failed");
  result.sha256 = digest.hex();
  return result;
}

}  // namespace layerlab::storage
