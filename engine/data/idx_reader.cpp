#include "engine/data/idx_reader.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

#include "engine/model/memory_budget.h"
#include "engine/model/model_summary.h"

namespace layerlab::engine {
namespace {

constexpr int kUnsignedByte = 0x08;
constexpr int64_t kMaxElements = int64_t{1} << 34;  // 16 GiB of bytes: refuse larger claims

// Where the bytes come from: a (possibly gzipped) file or memory. `read` returns how many bytes
// it got, fewer only at the end; `damaged` says whether a gzip stream was broken.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual int64_t read(uint8_t* out, int64_t size) = 0;
  virtual bool damaged() = 0;
};

class GzFileSource : public ByteSource {
 public:
  explicit GzFileSource(gzFile file) : m_file(file) {}
  ~GzFileSource() override { gzclose(m_file); }
  int64_t read(uint8_t* out, int64_t size) override {
    int64_t done = 0;
    while (done < size) {
      const auto chunk = static_cast<unsigned>(
          std::min<int64_t>(size - done, std::numeric_limits<int>::max() / 2));
      const int n = gzread(m_file, out + done, chunk);
      if (n <= 0) break;
      done += n;
    }
    return done;
  }
  bool damaged() override {
    int errnum = 0;
    gzerror(m_file, &errnum);
    return errnum != Z_OK && errnum != Z_STREAM_END;
  }

 private:
  gzFile m_file;
};

class MemorySource : public ByteSource {
 public:
  MemorySource(const uint8_t* data, size_t size) : m_data(data), m_size(size) {}
  int64_t read(uint8_t* out, int64_t size) override {
    const auto n = static_cast<size_t>(std::min<int64_t>(size, int64_t(m_size - m_offset)));
    if (n > 0) std::memcpy(out, m_data + m_offset, n);
    m_offset += n;
    return static_cast<int64_t>(n);
  }
  bool damaged() override { return false; }

 private:
  const uint8_t* m_data;
  size_t m_size;
  size_t m_offset = 0;
};

// Inflates gzip data held in memory, as gzread does for files.
class GzMemorySource : public ByteSource {
 public:
  GzMemorySource(const uint8_t* data, size_t size) {
    m_stream.next_in = const_cast<uint8_t*>(data);
    m_stream.avail_in = static_cast<uInt>(std::min<size_t>(size, std::numeric_limits<uInt>::max()));
    m_ok = inflateInit2(&m_stream, 16 + MAX_WBITS) == Z_OK;
  }
  ~GzMemorySource() override { inflateEnd(&m_stream); }
  int64_t read(uint8_t* out, int64_t size) override {
    int64_t done = 0;
    while (m_ok && !m_ended && done < size) {
      m_stream.next_out = out + done;
      m_stream.avail_out = static_cast<uInt>(std::min<int64_t>(size - done, 1 << 30));
      const uInt before = m_stream.avail_out;
      const int status = inflate(&m_stream, Z_NO_FLUSH);
      done += before - m_stream.avail_out;
      if (status == Z_STREAM_END) m_ended = true;
      if (status != Z_OK && status != Z_STREAM_END) m_ok = false;
      if (status == Z_OK && m_stream.avail_in == 0 && before == m_stream.avail_out) m_ok = false;
    }
    return done;
  }
  bool damaged() override { return !m_ok; }

 private:
  z_stream m_stream{};
  bool m_ok = false;
  bool m_ended = false;
};

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
      char hex[8];
      std::snprintf(hex, sizeof hex, "%02X", code & 0xFF);
      return std::string("unknown type 0x") + hex;
  }
}

bool knownType(int code) {
  return code == kUnsignedByte || code == 0x09 || (code >= 0x0B && code <= 0x0E);
}

std::vector<int64_t> readDims(ByteSource& in, const std::string& name) {
  std::array<uint8_t, 4> magic{};
  if (in.read(magic.data(), 4) != 4) {
    throw DataError(name + ": too short to be an IDX file (no 4-byte header)");
  }
  if (magic[0] != 0 || magic[1] != 0) {
    throw DataError(name + ": not an IDX file (wrong magic number; expected 00 00 08 0N)");
  }
  if (magic[2] != kUnsignedByte) {
    throw DataError(name + ": IDX element type " + typeName(magic[2]) +
                    " is not supported (only unsigned bytes, as in MNIST)");
  }
  const int rank = magic[3];
  if (rank < 1 || rank > 4) {
    throw DataError(name + ": IDX files with " + std::to_string(rank) +
                    " dimensions are not supported (1 to 4)");
  }
  std::vector<int64_t> dims;
  for (int i = 0; i < rank; ++i) {
    std::array<uint8_t, 4> b{};
    if (in.read(b.data(), 4) != 4) throw DataError(name + ": truncated IDX header");
    dims.push_back((int64_t{b[0]} << 24) | (b[1] << 16) | (b[2] << 8) | b[3]);
  }
  return dims;
}

// The product of the dimensions, or -1 when it passes kMaxElements (each is below 2^32, so the
// check before every step keeps the arithmetic in range).
int64_t elementCount(const std::vector<int64_t>& dims, size_t from) {
  int64_t count = 1;
  for (size_t i = from; i < dims.size(); ++i) {
    if (dims[i] != 0 && count > kMaxElements / dims[i]) return -1;
    count *= dims[i];
  }
  return count;
}

IdxArray parse(ByteSource& in, const std::string& name, int64_t maxItems) {
  IdxArray array;
  array.dims = readDims(in, name);
  const int64_t itemSize = elementCount(array.dims, 1);
  const int64_t declared = elementCount(array.dims, 0);
  if (itemSize < 0 || declared < 0) {
    throw DataError(name + ": the header claims more data than LayerLab will load");
  }
  const int64_t items = maxItems > 0 ? std::min(maxItems, array.dims[0]) : array.dims[0];
  checkFloatBudget(name, items, itemSize);
  const int64_t wanted = items * itemSize;
  // Grow as the data arrives, doubling: a header may claim gigabytes that a short file does not
  // hold, and a real file should not be copied over and over.
  int64_t got = 0;
  while (got < wanted) {
    const int64_t step = std::min(std::max(got, int64_t{1} << 16), wanted - got);
    array.data.resize(static_cast<size_t>(got + step));
    const int64_t n = in.read(array.data.data() + got, step);
    got += n;
    if (n < step) break;
  }
  if (got < wanted) {
    throw DataError(name + ": truncated: the header declares " + std::to_string(declared) +
                    " bytes of data but the file holds " + std::to_string(got) +
                    (in.damaged() ? " (the gzip stream is damaged)" : ""));
  }
  if (items == array.dims[0]) {
    uint8_t extra = 0;
    if (in.read(&extra, 1) > 0) {
      throw DataError(name + ": size mismatch: more data than the header's dimensions declare");
    }
  }
  if (in.damaged()) throw DataError(name + ": the gzip stream is damaged");
  array.dims[0] = items;
  return array;
}

}  // namespace

int64_t checkFloatBudget(const std::string& name, int64_t items, int64_t itemValues) {
  const int64_t bytes = saturatingProduct({items, itemValues, dtypeSize(kFloat32)});
  const MemoryBudget budget = hostMemoryBudget();
  if (bytes <= dataBudgetBytes(budget)) return bytes;
  throw DataError(name + ": " + formatThousands(items) + " samples of " +
                  formatThousands(itemValues) + " values would take " + formatBytes(bytes) +
                  " as float32, more than " + describeDataBudget(budget) +
                  "; load fewer samples (limit) or a smaller file");
}

std::vector<int64_t> readIdxDims(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw DataError(path + ": cannot open the file (does it exist?)");
  GzFileSource in(file);
  std::vector<int64_t> dims = readDims(in, path);
  if (elementCount(dims, 0) < 0) {
    throw DataError(path + ": the header claims more data than LayerLab will load");
  }
  return dims;
}

IdxArray readIdx(const std::string& path, int64_t maxItems) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw DataError(path + ": cannot open the file (does it exist?)");
  GzFileSource in(file);
  return parse(in, path, maxItems);
}

IdxArray parseIdx(const uint8_t* data, size_t size, const std::string& name, int64_t maxItems) {
  const bool gzipped = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
  if (gzipped) {
    GzMemorySource in(data, size);
    return parse(in, name, maxItems);
  }
  MemorySource in(data, size);
  return parse(in, name, maxItems);
}

bool isIdxFile(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) return false;
  GzFileSource in(file);
  std::array<uint8_t, 4> magic{};
  return in.read(magic.data(), 4) == 4 && magic[0] == 0 && magic[1] == 0 && knownType(magic[2]) &&
         magic[3] >= 1 && magic[3] <= 4;
}

}  // namespace layerlab::engine
