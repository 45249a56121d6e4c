// The checkpoint file: LayerLab's own container for named tensors plus the trainer's state, read
// as untrusted input. No torch in here, so that the fuzzer and the loader's checks share it.
//
// Layout (all integers little-endian):
//   8 bytes   magic "LLCKPT\r\n"
//   4 bytes   format version (1)
//   4 bytes   reserved, zero
//   8 bytes   index length n (at most kMaxCheckpointIndexBytes)
//   n bytes   the index: a JSON object {"state": {...}, "tensors": [{"name", "dtype", "shape",
//             "offset", "bytes"}, ...]}
//   the rest  the data region; a tensor's bytes are at `offset` from its start, row-major,
//             little-endian
//
// Every claim the index makes (sizes, offsets, dtypes, shapes, counts, nesting) is checked
// against the file's real size and fixed bounds before a byte of tensor data is touched; the
// loader then checks names, dtypes and shapes against the model it fills.
//
// Threads: no shared state; any thread may call.
#pragma once

#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace layerlab::engine {

// Thrown when a checkpoint cannot be written, read or does not fit the model. The message starts
// with the file's path and names the tensor or field at fault.
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr uint64_t kMaxCheckpointIndexBytes = 16ULL << 20;
inline constexpr size_t kMaxCheckpointTensors = 100'000;
inline constexpr size_t kMaxCheckpointDims = 8;
inline constexpr size_t kMaxCheckpointNameBytes = 512;
inline constexpr int kMaxCheckpointJsonDepth = 32;
// No single tensor of a LayerLab model comes near this; a claim beyond it is a damaged file.
inline constexpr uint64_t kMaxCheckpointTensorBytes = 1ULL << 40;

enum class TensorDtype { Float32, Float64, Float16, BFloat16, Int64, Int32, UInt8, Bool };

const char* dtypeName(TensorDtype dtype);
size_t dtypeSize(TensorDtype dtype);

struct CheckpointTensor {
  std::string name;
  TensorDtype dtype = TensorDtype::Float32;
  std::vector<int64_t> shape;
  uint64_t offset = 0;  // from the start of the data region
  uint64_t bytes = 0;   // numel · dtypeSize, checked
};

struct CheckpointIndex {
  nlohmann::json state;  // an object; see TrainerCheckpointState
  std::vector<CheckpointTensor> tensors;
  uint64_t dataStart = 0;  // file offset of the data region
  const CheckpointTensor* find(const std::string& name) const;
};

// Checks the header and index of a checkpoint whose first `size` bytes are `bytes` and whose
// whole file is `fileBytes` long (`size` may be the whole file). Throws CheckpointError naming
// `name`. Never reads tensor data.
CheckpointIndex parseCheckpointIndex(const uint8_t* bytes, size_t size, uint64_t fileBytes,
                                     const std::string& name);

// The trainer's own counters, checked for type and range.
struct TrainerCheckpointState {
  int epoch = 0;
  int64_t step = 0;
  double wallSeconds = 0;
  nlohmann::json best;      // BestTracker::state(): {"best", "best_epoch", "bad_epochs", …}
  nlohmann::json schedule;  // LrSchedule::state() or null
};
inline constexpr int kTrainerStateVersion = 2;

// Throws CheckpointError naming `name` and the field.
TrainerCheckpointState parseTrainerState(const nlohmann::json& state, const std::string& name);

// An open checkpoint whose index has been checked.
class CheckpointReader {
 public:
  // Throws CheckpointError (missing file, not a LayerLab checkpoint, a bad index).
  explicit CheckpointReader(const std::string& path);
  ~CheckpointReader();
  CheckpointReader(const CheckpointReader&) = delete;
  CheckpointReader& operator=(const CheckpointReader&) = delete;

  const CheckpointIndex& index() const { return m_index; }
  const std::string& path() const { return m_path; }
  // Reads the tensor's bytes into `dest` (exactly tensor.bytes long). Throws CheckpointError.
  void read(const CheckpointTensor& tensor, void* dest) const;

 private:
  void readIndex();

  std::string m_path;
  std::FILE* m_file = nullptr;
  CheckpointIndex m_index;
};

// Writes a checkpoint: every tensor's description first, then the data. Each write, the flush
// and the close are checked, so a full disk is a CheckpointError naming the file, never a
// half-written file reported as written.
class CheckpointWriter {
 public:
  void setState(nlohmann::json state) { m_state = std::move(state); }
  // `data` must stay valid until write() returns; `bytes` is numel · dtypeSize.
  void add(std::string name, TensorDtype dtype, std::vector<int64_t> shape, const void* data);
  void write(const std::string& path) const;

 private:
  struct Entry {
    CheckpointTensor tensor;
    const void* data;
  };
  nlohmann::json m_state = nlohmann::json::object();
  std::vector<Entry> m_entries;
};

}  // namespace layerlab::engine
