#include "engine/model/memory_budget.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "engine/model/model_summary.h"

namespace layerlab::engine {
namespace {

// MemAvailable from /proc/meminfo (what the kernel can give without swapping), or the free pages
// where there is no /proc.
int64_t availableMemory() {
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  int64_t kib = 0;
  std::string unit;
  while (meminfo >> key >> kib >> unit) {
    if (key == "MemAvailable:") return saturatingMul(kib, 1024);
  }
  const long pages = sysconf(_SC_AVPHYS_PAGES);
  const long pageSize = sysconf(_SC_PAGESIZE);
  return pages > 0 && pageSize > 0 ? saturatingMul(pages, pageSize) : kSaturated;
}

// What one node costs in training: its weights with their gradients and optimizer state, and
// its output kept for the backward pass.
int64_t nodeTrainingBytes(const NodeAnalysis& node, const MemoryEstimate& estimate) {
  const int64_t perParam = dtypeSize(kFloat32) * (2 + estimate.optimizerStates);
  int64_t bytes = saturatingMul(node.paramCount, perParam);
  bytes = saturatingAdd(bytes, saturatingMul(node.nonTrainableCount, dtypeSize(kFloat32)));
  if (node.outputShape) {
    const int64_t perSample =
        saturatingMul(elementCount(*node.outputShape), dtypeSize(node.outputDtype));
    bytes = saturatingAdd(bytes, saturatingMul(perSample, estimate.batchSize));
  }
  return bytes;
}

const NodeAnalysis* costliestNode(const ModelAnalysis& analysis, const MemoryEstimate& estimate,
                                  int64_t& bytes) {
  const NodeAnalysis* costliest = nullptr;
  bytes = 0;
  for (const NodeAnalysis& node : analysis.nodes) {
    const int64_t cost = nodeTrainingBytes(node, estimate);
    if (costliest == nullptr || cost > bytes) {
      costliest = &node;
      bytes = cost;
    }
  }
  return costliest;
}

// How to set another budget, unless the variable already set this one.
std::string budgetHint(const MemoryBudget& budget) {
  if (budget.source == kMemoryBudgetVariable) return {};
  return std::string(" (") + kMemoryBudgetVariable + " sets a budget)";
}

}  // namespace

std::optional<int64_t> parseByteSize(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  int shift = 0;
  if (!text.empty()) {
    switch (std::toupper(static_cast<unsigned char>(text.back()))) {
      case 'K':
        shift = 10;
        break;
      case 'M':
        shift = 20;
        break;
      case 'G':
        shift = 30;
        break;
      case 'T':
        shift = 40;
        break;
      default:
        break;
    }
    if (shift > 0) text.remove_suffix(1);
  }
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  const double bytes = std::ldexp(value, shift);
  if (!(bytes >= 1) || bytes >= 9.2e18) return std::nullopt;  // also refuses NaN
  return static_cast<int64_t>(bytes);
}

MemoryBudget hostMemoryBudget() {
  if (const char* text = std::getenv(kMemoryBudgetVariable); text != nullptr && *text != '\0') {
    const std::optional<int64_t> bytes = parseByteSize(text);
    if (!bytes) {
      throw std::invalid_argument(std::string(kMemoryBudgetVariable) + " is '" + text +
                                  "', not a size; give bytes or a size such as 512M or 8G");
    }
    return {*bytes, kMemoryBudgetVariable};
  }
  return {availableMemory(), "the memory available now"};
}

int64_t dataBudgetBytes(const MemoryBudget& budget) {
  return std::min(budget.bytes / 4, kMaxDataBytes);
}

int64_t dataBudgetBytes() {
  return dataBudgetBytes(hostMemoryBudget());
}

std::string describeDataBudget(const MemoryBudget& budget) {
  return "the " + formatBytes(dataBudgetBytes(budget)) +
         " a data set may take as float32 (a quarter of " + budget.source + ", " +
         formatBytes(budget.bytes) + budgetHint(budget) + ", and at most " +
         formatBytes(kMaxDataBytes) + ")";
}

std::string trainingMemoryProblem(const ModelAnalysis& analysis, const MemoryEstimate& estimate,
                                  const MemoryBudget& budget) {
  if (estimate.totalBytes <= budget.bytes) return {};
  std::string text = "training needs about " + formatBytes(estimate.totalBytes) + " (weights " +
                     formatBytes(estimate.weightBytes) + ", gradients " +
                     formatBytes(estimate.gradientBytes) + ", optimizer state " +
                     formatBytes(estimate.optimizerBytes) + ", activations " +
                     formatBytes(estimate.activationBytes) + " at batch size " +
                     formatThousands(estimate.batchSize) + "), more than the " +
                     formatBytes(budget.bytes) + " of " + budget.source + budgetHint(budget) + "; ";
  int64_t nodeBytes = 0;
  const NodeAnalysis* costliest = costliestNode(analysis, estimate, nodeBytes);
  const std::string layer = costliest == nullptr
                                ? std::string("the model")
                                : "layer '" + costliest->id + "' (" + costliest->type + ", " +
                                      formatBytes(nodeBytes) + ")";
  if (estimate.activationBytes * 2 > estimate.totalBytes && estimate.batchSize > 1) {
    return text + "lower the batch size, or make " + layer + " smaller";
  }
  return text + "make " + layer + " smaller (the batch size only changes the activations)";
}

}  // namespace layerlab::engine
