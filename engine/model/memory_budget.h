// How much memory one training job may take, and the checks against it: a model whose training
// would not fit, and data that would not fit as float32, are refused before anything is
// allocated, with a message saying what to shrink.
//
// The budget is the memory the machine has available (MemAvailable in /proc/meminfo), or the
// size given by the environment variable LAYERLAB_MEMORY_BUDGET ("512M", "8G", "1.5G" or bytes),
// which sets it for machines shared with other work, and for tests.
//
// Plain data, no torch. Pure functions apart from reading the environment and /proc: any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/model/model_analysis.h"

namespace layerlab::engine {

inline constexpr const char* kMemoryBudgetVariable = "LAYERLAB_MEMORY_BUDGET";

struct MemoryBudget {
  int64_t bytes = 0;
  std::string source;  // for messages: "LAYERLAB_MEMORY_BUDGET" or "the memory available now"
};

// "512M", "8G", "1.5g", "4096K", "1073741824" (binary units) -> bytes; nullopt for anything else,
// zero and negative sizes included.
std::optional<int64_t> parseByteSize(std::string_view text);

// The budget of this process. Throws std::invalid_argument when LAYERLAB_MEMORY_BUDGET is set to
// something that is not a size.
MemoryBudget hostMemoryBudget();

// The most a data set may take as float32 tensors, whatever the budget: a few hundred kilobytes
// of compressed files can declare gigabytes, and no data set LayerLab is meant for comes close.
inline constexpr int64_t kMaxDataBytes = int64_t{4} << 30;

// The bytes a data set may take once it is float32 tensors: a quarter of the budget (loading
// holds it twice, the whole set and its split parts, next to the raw bytes, and training needs
// the rest), and at most kMaxDataBytes.
int64_t dataBudgetBytes(const MemoryBudget& budget);
int64_t dataBudgetBytes();  // of hostMemoryBudget()

// "the 2.00 GiB a data set may take as float32 (a quarter of LAYERLAB_MEMORY_BUDGET, 8.00 GiB,
// and at most 4.00 GiB)": the cap and where it comes from, for readers' messages.
std::string describeDataBudget(const MemoryBudget& budget);

// Empty when `estimate` fits in `budget`; otherwise one line: what training needs, the budget,
// and what to shrink (the batch size, or the layer that costs most, by name).
std::string trainingMemoryProblem(const ModelAnalysis& analysis, const MemoryEstimate& estimate,
                                  const MemoryBudget& budget);

}  // namespace layerlab::engine
