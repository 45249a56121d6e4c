#include "engine/train/checkpoint_file.h"

#include <array>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>

namespace layerlab::engine {
namespace {

static_assert(std::endian::native == std::endian::little,
              "checkpoints hold little-endian data; a big-endian host would need byte swaps");

constexpr std::array<char, 8> kMagic = {'L', 'L', 'C', 'K', 'P', 'T', '\r', '\n'};
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kHeaderBytes = 24;
constexpr uint64_t kAlignment = 64;
// A checkpoint written by LayerLab 0.1 (a LibTorch zip archive) starts like any zip file.
constexpr std::array<char, 4> kZipMagic = {'P', 'K', '\3', '\4'};

struct DtypeInfo {
  TensorDtype dtype;
  const char* name;
  size_t size;
};
constexpr std::array<DtypeInfo, 8> kDtypes = {{{TensorDtype::Float32, "float32", 4},
                                               {TensorDtype::Float64, "float64", 8},
                                               {TensorDtype::Float16, "float16", 2},
                                               {TensorDtype::BFloat16, "bfloat16", 2},
                                               {TensorDtype::Int64, "int64", 8},
                                               {TensorDtype::Int32, "int32", 4},
                                               {TensorDtype::UInt8, "uint8", 1},
                                               {TensorDtype::Bool, "bool", 1}}};

uint64_t readLe(const uint8_t* p, size_t bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < bytes; ++i)
    value |= uint64_t{p[i]} << (8 * i);
  return value;
}

void putLe(std::string& out, uint64_t value, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

[[noreturn]] void refuse(const std::string& name, const std::string& what) {
  throw CheckpointError(name + ": " + what);
}

// The deepest nesting of arrays and objects in JSON text, strings skipped. Checked before
// parsing so that a hostile index cannot make the parser or the value's destructor recurse deep.
int jsonDepth(const uint8_t* text, size_t size) {
  int depth = 0, deepest = 0;
  bool inString = false;
  for (size_t i = 0; i < size; ++i) {
    const uint8_t c = text[i];
    if (inString) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        inString = false;
      continue;
    }
    if (c == '"')
      inString = true;
    else if (c == '[' || c == '{')
      deepest = std::max(deepest, ++depth);
    else if (c == ']' || c == '}')
      --depth;
  }
  return deepest;
}

TensorDtype dtypeOf(const nlohmann::json& value, const std::string& where) {
  if (value.is_string()) {
    for (const DtypeInfo& info : kDtypes) {
      if (value.get_ref<const std::string&>() == info.name) return info.dtype;
    }
  }
  throw std::invalid_argument(where + " has an unknown dtype " + value.dump(-1, ' ', true));
}

// numel · itemsize, refusing negative dimensions, overflow and anything past the bound.
uint64_t tensorBytes(const std::vector<int64_t>& shape, TensorDtype dtype,
                     const std::string& where) {
  uint64_t bytes = dtypeSize(dtype);
  for (const int64_t dim : shape) {
    if (dim < 0) throw std::invalid_argument(where + " has a negative dimension");
    if (dim != 0 && bytes > kMaxCheckpointTensorBytes / static_cast<uint64_t>(dim)) {
      throw std::invalid_argument(where + " claims more than " +
                                  std::to_string(kMaxCheckpointTensorBytes >> 30) + " GiB");
    }
    bytes *= static_cast<uint64_t>(dim);
  }
  return bytes;
}

uint64_t unsignedField(const nlohmann::json& entry, const char* key, const std::string& where) {
  const auto it = entry.find(key);
  if (it == entry.end() || !it->is_number_unsigned()) {
    throw std::invalid_argument(where + " needs \"" + key + "\" as a whole number of 0 or more");
  }
  return it->get<uint64_t>();
}

CheckpointTensor tensorFromJson(const nlohmann::json& entry, size_t i, uint64_t dataBytes) {
  std::string where = "tensor #" + std::to_string(i);
  if (!entry.is_object()) throw std::invalid_argument(where + " is not an object");
  const auto name = entry.find("name");
  if (name == entry.end() || !name->is_string() || name->get_ref<const std::string&>().empty() ||
      name->get_ref<const std::string&>().size() > kMaxCheckpointNameBytes) {
    throw std::invalid_argument(where + " has no usable name");
  }
  CheckpointTensor t;
  t.name = name->get<std::string>();
  where = "tensor '" + t.name + "'";
  const auto dtype = entry.find("dtype");
  t.dtype = dtypeOf(dtype == entry.end() ? nlohmann::json() : *dtype, where);
  const auto shape = entry.find("shape");
  if (shape == entry.end() || !shape->is_array() || shape->size() > kMaxCheckpointDims) {
    throw std::invalid_argument(where + " needs a shape of at most " +
                                std::to_string(kMaxCheckpointDims) + " dimensions");
  }
  for (const nlohmann::json& dim : *shape) {
    if (!dim.is_number_integer())
      throw std::invalid_argument(where + " has a shape that is not whole numbers");
    t.shape.push_back(dim.get<int64_t>());
  }
  t.offset = unsignedField(entry, "offset", where);
  t.bytes = unsignedField(entry, "bytes", where);
  const uint64_t expected = tensorBytes(t.shape, t.dtype, where);
  if (t.bytes != expected) {
    throw std::invalid_argument(where + " claims " + std::to_string(t.bytes) +
                                " bytes but its shape and dtype need " + std::to_string(expected));
  }
  if (t.offset > dataBytes || t.bytes > dataBytes - t.offset) {
    throw std::invalid_argument(where + " needs " + std::to_string(t.bytes) + " bytes at offset " +
                                std::to_string(t.offset) + " but the file holds only " +
                                std::to_string(dataBytes) + " bytes of data");
  }
  return t;
}

void parseIndexJson(const uint8_t* text, size_t size, uint64_t dataBytes, CheckpointIndex& out) {
  if (jsonDepth(text, size) > kMaxCheckpointJsonDepth) {
    throw std::invalid_argument("the index nests deeper than " +
                                std::to_string(kMaxCheckpointJsonDepth) + " levels");
  }
  nlohmann::json index;
  try {
    index = nlohmann::json::parse(text, text + size);
  } catch (const nlohmann::json::exception&) {
    throw std::invalid_argument("the index is not valid JSON");
  }
  if (!index.is_object()) throw std::invalid_argument("the index is not a JSON object");
  const auto state = index.find("state");
  if (state == index.end() || !state->is_object())
    throw std::invalid_argument("the index has no \"state\" object");
  const auto tensors = index.find("tensors");
  if (tensors == index.end() || !tensors->is_array())
    throw std::invalid_argument("the index has no \"tensors\" list");
  if (tensors->size() > kMaxCheckpointTensors)
    throw std::invalid_argument("the index lists more than " +
                                std::to_string(kMaxCheckpointTensors) + " tensors");
  std::set<std::string> names;
  for (size_t i = 0; i < tensors->size(); ++i) {
    CheckpointTensor t = tensorFromJson((*tensors)[i], i, dataBytes);
    if (!names.insert(t.name).second)
      throw std::invalid_argument("tensor '" + t.name + "' is listed twice");
    out.tensors.push_back(std::move(t));
  }
  out.state = std::move(*state);
}

// A value of `state` checked for its type; `what` names the field in errors.
const nlohmann::json& field(const nlohmann::json& object, const char* key, const std::string& in) {
  const auto it = object.find(key);
  if (it == object.end()) throw std::invalid_argument(in + "\"" + key + "\" is missing");
  return *it;
}

int64_t wholeField(const nlohmann::json& object, const char* key, int64_t max,
                   const std::string& in = {}) {
  const nlohmann::json& v = field(object, key, in);
  if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > max) {
    throw std::invalid_argument(in + "\"" + key + "\" must be a whole number from 0 to " +
                                std::to_string(max) + ", not " +
                                v.dump(-1, ' ', true).substr(0, 40));
  }
  return v.get<int64_t>();
}

double numberField(const nlohmann::json& object, const char* key, const std::string& in = {}) {
  const nlohmann::json& v = field(object, key, in);
  if (!v.is_number() || !std::isfinite(v.get<double>())) {
    throw std::invalid_argument(in + "\"" + key + "\" must be a finite number, not " +
                                v.dump(-1, ' ', true).substr(0, 40));
  }
  return v.get<double>();
}

void checkBest(const nlohmann::json& best, int epoch) {
  if (!best.is_object()) throw std::invalid_argument("\"best\" must be an object");
  numberField(best, "best", "best.");
  wholeField(best, "best_epoch", epoch, "best.");
  wholeField(best, "bad_epochs", epoch, "best.");
}

void checkSchedule(const nlohmann::json& schedule) {
  if (schedule.is_null()) return;
  if (!schedule.is_object()) throw std::invalid_argument("\"schedule\" must be an object");
  if (numberField(schedule, "plateau_lr", "schedule.") < 0)
    throw std::invalid_argument("schedule.\"plateau_lr\" must not be negative");
  numberField(schedule, "plateau_best", "schedule.");
  wholeField(schedule, "plateau_bad_epochs", std::numeric_limits<int>::max(), "schedule.");
  if (!field(schedule, "plateau_has_best", "schedule.").is_boolean())
    throw std::invalid_argument("schedule.\"plateau_has_best\" must be true or false");
}

}  // namespace

const char* dtypeName(TensorDtype dtype) {
  for (const DtypeInfo& info : kDtypes) {
    if (info.dtype == dtype) return info.name;
  }
  return "?";
}

size_t dtypeSize(TensorDtype dtype) {
  for (const DtypeInfo& info : kDtypes) {
    if (info.dtype == dtype) return info.size;
  }
  return 1;
}

const CheckpointTensor* CheckpointIndex::find(const std::string& name) const {
  for (const CheckpointTensor& t : tensors) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

CheckpointIndex parseCheckpointIndex(const uint8_t* bytes, size_t size, uint64_t fileBytes,
                                     const std::string& name) {
  if (size >= kZipMagic.size() && std::memcmp(bytes, kZipMagic.data(), kZipMagic.size()) == 0) {
    refuse(name,
           "a checkpoint in the format of LayerLab 0.1 (a LibTorch archive), which is no longer "
           "loaded because its contents cannot be checked first; train the run again");
  }
  if (size < kHeaderBytes || std::memcmp(bytes, kMagic.data(), kMagic.size()) != 0)
    refuse(name, "not a LayerLab checkpoint (it does not start with the checkpoint header)");
  const uint64_t version = readLe(bytes + 8, 4);
  if (version != kFormatVersion)
    refuse(name, "checkpoint format " + std::to_string(version) +
                     " is from another version of LayerLab; this one reads format " +
                     std::to_string(kFormatVersion));
  const uint64_t indexBytes = readLe(bytes + 16, 8);
  if (indexBytes > kMaxCheckpointIndexBytes || indexBytes > fileBytes - kHeaderBytes)
    refuse(name, "the checkpoint's index claims " + std::to_string(indexBytes) +
                     " bytes, more than the file or the limit allows; the file is damaged");
  if (size < kHeaderBytes + indexBytes) refuse(name, "the checkpoint's index is cut short");
  CheckpointIndex index;
  index.dataStart = kHeaderBytes + indexBytes;
  try {
    parseIndexJson(bytes + kHeaderBytes, indexBytes, fileBytes - index.dataStart, index);
  } catch (const std::invalid_argument& error) {
    refuse(name, std::string("damaged checkpoint: ") + error.what());
  }
  return index;
}

TrainerCheckpointState parseTrainerState(const nlohmann::json& state, const std::string& name) {
  TrainerCheckpointState out;
  try {
    if (!state.is_object()) throw std::invalid_argument("the state is not an object");
    const int64_t version = wholeField(state, "version", 1'000'000);
    if (version != kTrainerStateVersion) {
      throw std::invalid_argument("state version " + std::to_string(version) +
                                  " is from another version of LayerLab");
    }
    out.epoch = static_cast<int>(wholeField(state, "epoch", 10'000'000));
    out.step = wholeField(state, "step", int64_t{1} << 53);
    out.wallSeconds = numberField(state, "wall_seconds");
    out.best = field(state, "best", {});
    checkBest(out.best, out.epoch);
    out.schedule = field(state, "schedule", {});
    checkSchedule(out.schedule);
  } catch (const std::invalid_argument& error) {
    refuse(name, std::string("damaged checkpoint state: ") + error.what());
  }
  return out;
}

CheckpointReader::CheckpointReader(const std::string& path) : m_path(path) {
  m_file = std::fopen(path.c_str(), "rb");
  if (m_file == nullptr)
    refuse(path, std::string("cannot open the checkpoint: ") + std::strerror(errno));
  try {
    readIndex();
  } catch (...) {
    std::fclose(m_file);  // the destructor does not run for a constructor that throws
    throw;
  }
}

void CheckpointReader::readIndex() {
  const std::string& path = m_path;
  if (std::fseek(m_file, 0, SEEK_END) != 0) refuse(path, "cannot read the checkpoint's size");
  const long end = std::ftell(m_file);
  if (end < 0) refuse(path, "cannot read the checkpoint's size");
  std::rewind(m_file);
  const uint64_t fileBytes = static_cast<uint64_t>(end);
  std::vector<uint8_t> head(std::min<uint64_t>(fileBytes, kHeaderBytes));
  if (std::fread(head.data(), 1, head.size(), m_file) != head.size())
    refuse(path, "cannot read the checkpoint's header");
  if (head.size() == kHeaderBytes && std::memcmp(head.data(), kMagic.data(), kMagic.size()) == 0) {
    // Read the index too, within its bound (checked again by the parser).
    const uint64_t indexBytes =
        std::min({readLe(head.data() + 16, 8), kMaxCheckpointIndexBytes, fileBytes - kHeaderBytes});
    head.resize(kHeaderBytes + indexBytes);
    if (std::fread(head.data() + kHeaderBytes, 1, indexBytes, m_file) != indexBytes)
      refuse(path, "cannot read the checkpoint's index");
  }
  m_index = parseCheckpointIndex(head.data(), head.size(), fileBytes, path);
}

CheckpointReader::~CheckpointReader() {
  if (m_file != nullptr) std::fclose(m_file);
}

void CheckpointReader::read(const CheckpointTensor& tensor, void* dest) const {
  const uint64_t at = m_index.dataStart + tensor.offset;
  if (at > static_cast<uint64_t>(std::numeric_limits<long>::max()) ||
      std::fseek(m_file, static_cast<long>(at), SEEK_SET) != 0 ||
      std::fread(dest, 1, tensor.bytes, m_file) != tensor.bytes) {
    refuse(m_path, "cannot read tensor '" + tensor.name + "' (the file changed or is damaged)");
  }
}

void CheckpointWriter::add(std::string name, TensorDtype dtype, std::vector<int64_t> shape,
                           const void* data) {
  Entry entry{{std::move(name), dtype, std::move(shape), 0, 0}, data};
  entry.tensor.bytes = tensorBytes(entry.tensor.shape, dtype, entry.tensor.name);
  m_entries.push_back(std::move(entry));
}

void CheckpointWriter::write(const std::string& path) const {
  nlohmann::json tensors = nlohmann::json::array();
  uint64_t offset = 0;
  for (const Entry& e : m_entries) {
    offset = (offset + kAlignment - 1) / kAlignment * kAlignment;
    tensors.push_back({{"name", e.tensor.name},
                       {"dtype", dtypeName(e.tensor.dtype)},
                       {"shape", e.tensor.shape},
                       {"offset", offset},
                       {"bytes", e.tensor.bytes}});
    offset += e.tensor.bytes;
  }
  const std::string index = nlohmann::json{{"state", m_state}, {"tensors", tensors}}.dump();
  std::string header(kMagic.begin(), kMagic.end());
  putLe(header, kFormatVersion, 4);
  putLe(header, 0, 4);
  putLe(header, index.size(), 8);

  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr)
    refuse(path, std::string("cannot write the checkpoint: ") + std::strerror(errno));
  bool ok = std::fwrite(header.data(), 1, header.size(), file) == header.size() &&
            std::fwrite(index.data(), 1, index.size(), file) == index.size();
  const std::array<char, kAlignment> zeros{};
  uint64_t written = 0;
  for (const Entry& e : m_entries) {
    if (!ok) break;
    const uint64_t pad = (written + kAlignment - 1) / kAlignment * kAlignment - written;
    ok = std::fwrite(zeros.data(), 1, pad, file) == pad &&
         std::fwrite(e.data, 1, e.tensor.bytes, file) == e.tensor.bytes;
    written += pad + e.tensor.bytes;
  }
  ok = std::fflush(file) == 0 && ok;
  const int error = errno;
  ok = std::fclose(file) == 0 && ok;
  if (!ok) {
    refuse(path, std::string("cannot write the checkpoint: ") +
                     std::strerror(error ? error : errno) +
                     "; free some disk space and continue the run with train --resume");
  }
}

}  // namespace layerlab::engine
