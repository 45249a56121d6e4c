#include "engine/data/idx_reader.h"

#include <zlib.h>

#include <array>
#include <limits>
#include <memory>

namespace layerlab::engine {
namespace {

constexpr int kUnsignedByte = 0x08;
constexpr int64_t kMaxElements = int64_t{1} << 34;  // 16 GiB of bytes: refuse larger claims

struct GzCloser {
  void operator()(gzFile file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// Reads exactly `size` bytes or returns how many were there.
int64_t readFully(gzFile file, uint8_t* out, int64_t size) {
  int64_t done = 0;
  while (done < size) {
    const auto chunk =
        static_cast<unsigned>(std::min<int64_t>(size - done, std::numeric_limits<int>::max() / 2));
    const int n = gzread(file, out + done, chunk);
    if (n <= 0) break;
    done += n;
  }
  return done;
}

std::string typeName(int code) {
  switch (code) {
    case 0x09:
      return "signed byte";
    case 0x0B:
      return "int16";
    case 0x0C:
      return "int32";
    case 0x0D:
      return "float32";
    case 0x0E:
      return "float64";
    default:
      return "unknown type 0x" + std::to_string(code);
  }
}

std::vector<int64_t> readDims(gzFile file, const std::string& path) {
  std::array<uint8_t, 4> magic{};
  if (readFully(file, magic.data(), 4) != 4) {
    throw DataError(path + ": too short to be an IDX file (no 4-byte header)");
  }
  if (magic[0] != 0 || magic[1] != 0) {
    throw DataError(path + ": not an IDX file (wrong magic number; expected 00 00 08 0N)");
  }
  if (magic[2] != kUnsignedByte) {
    throw DataError(path + ": IDX element type " + typeName(magic[2]) +
                    " is not supported (only unsigned bytes, as in MNIST)");
  }
  const int rank = magic[3];
  if (rank < 1 || rank > 4) {
    throw DataError(path + ": IDX files with " + std::to_string(rank) +
                    " dimensions are not supported (1 to 4)");
  }
  std::vector<int64_t> dims;
  for (int i = 0; i < rank; ++i) {
    std::array<uint8_t, 4> b{};
    if (readFully(file, b.data(), 4) != 4) throw DataError(path + ": truncated IDX header");
    dims.push_back((int64_t{b[0]} << 24) | (b[1] << 16) | (b[2] << 8) | b[3]);
  }
  return dims;
}

}  // namespace

IdxArray readIdx(const std::string& path, int64_t maxItems) {
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) throw DataError(path + ": cannot open the file (does it exist?)");
  IdxArray array;
  array.dims = readDims(file.get(), path);
  int64_t itemSize = 1;
  for (size_t i = 1; i < array.dims.size(); ++i)
    itemSize *= array.dims[i];
  if (array.dims[0] * itemSize > kMaxElements) {
    throw DataError(path + ": the header claims more data than LayerLab will load");
  }
  const int64_t declared = array.dims[0] * itemSize;
  const int64_t items = maxItems > 0 ? std::min(maxItems, array.dims[0]) : array.dims[0];
  array.data.resize(static_cast<size_t>(items * itemSize));
  const int64_t got = readFully(file.get(), array.data.data(), items * itemSize);
  if (got < items * itemSize) {
    throw DataError(path + ": truncated: the header declares " + std::to_string(declared) +
                    " bytes of data but the file holds " + std::to_string(got));
  }
  if (items == array.dims[0]) {
    uint8_t extra = 0;
    if (gzread(file.get(), &extra, 1) > 0) {
      throw DataError(path + ": size mismatch: more data than the header's dimensions declare");
    }
  }
  int errnum = 0;
  gzerror(file.get(), &errnum);
  if (errnum != Z_OK && errnum != Z_STREAM_END) {
    throw DataError(path + ": the gzip stream is damaged");
  }
  array.dims[0] = items;
  return array;
}

}  // namespace layerlab::engine
