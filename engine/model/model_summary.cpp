#include "engine/model/model_summary.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <vector>

namespace layerlab::engine {
namespace {

struct Row {
  std::string layer;
  std::string shape;
  std::string params;
  std::string macs;
  std::string inputs;
};

std::string pad(const std::string& text, size_t width) {
  return text.size() >= width ? text + " " : text + std::string(width - text.size(), ' ');
}

std::string batchShape(const Shape& shape) {
  std::string text = "(None";
  for (int64_t dim : shape)
    text += ", " + std::to_string(dim);
  return text + ")";
}

std::vector<Row> summaryRows(const ModelSpec& spec, const ModelAnalysis& analysis) {
  std::vector<Row> rows;
  rows.push_back({"input (Input)", batchShape(spec.inputShape), "0", "0", ""});
  for (const NodeAnalysis& node : analysis.nodes) {
    std::string inputs;
    for (size_t index : node.inputIndices) {
      const std::string name =
          index == ModelAnalysis::kInputIndex ? kInputName : analysis.nodes[index].id;
      inputs += (inputs.empty() ? "" : ", ") + name;
    }
    rows.push_back({node.id + " (" + node.type + ")",
                    node.outputShape ? batchShape(*node.outputShape) : "?",
                    formatThousands(saturatingAdd(node.paramCount, node.nonTrainableCount)),
                    formatThousands(node.macs), inputs});
  }
  return rows;
}

std::string table(const std::vector<Row>& rows) {
  size_t layerWidth = 18, shapeWidth = 20, paramWidth = 10, macWidth = 12;
  for (const Row& row : rows) {
    layerWidth = std::max(layerWidth, row.layer.size() + 2);
    shapeWidth = std::max(shapeWidth, row.shape.size() + 2);
    paramWidth = std::max(paramWidth, row.params.size() + 2);
    macWidth = std::max(macWidth, row.macs.size() + 2);
  }
  const size_t width = layerWidth + shapeWidth + paramWidth + macWidth + 24;
  const std::string thick(width, '='), thin(width, '_');
  std::string out = thin + "\n" + pad("Layer (type)", layerWidth) +
                    pad("Output Shape", shapeWidth) + pad("Param #", paramWidth) +
                    pad("MACs", macWidth) + "Connected to\n" + thick + "\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    out += pad(row.layer, layerWidth) + pad(row.shape, shapeWidth) + pad(row.params, paramWidth) +
           pad(row.macs, macWidth) + row.inputs + "\n";
  }
  return out + thick + "\n";
}

}  // namespace

std::string formatThousands(int64_t value) {
  std::string digits = std::to_string(value);
  const bool negative = !digits.empty() && digits[0] == '-';
  if (negative) digits.erase(0, 1);  // to_string, not -value: the minimum has no positive
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return negative ? "-" + out : out;
}

std::string formatBytes(int64_t bytes) {
  static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  if (unit == 0) return std::to_string(bytes) + " B";
  char text[32];
  std::snprintf(text, sizeof text,
                value < 10    ? "%.2f %s"
                : value < 100 ? "%.1f %s"
                              : "%.0f %s",
                value, kUnits[unit]);
  return text;
}

std::string formatSummary(const ModelSpec& spec, const ModelAnalysis& analysis) {
  const std::string text = table(summaryRows(spec, analysis));
  const size_t width = text.find('\n');
  std::string out = "Model: \"" + spec.name + "\"\n" + text;
  out += "Total params: " +
         formatThousands(saturatingAdd(analysis.totalParams, analysis.totalNonTrainable)) + "\n";
  out += "Trainable params: " + formatThousands(analysis.totalParams) + "\n";
  out += "Non-trainable params: " + formatThousands(analysis.totalNonTrainable) + "\n";
  out += "Multiply-adds per sample: " + formatThousands(analysis.totalMacs) + "\n";
  out += std::string(width, '_') + "\n";
  return out;
}

std::string formatMemoryEstimate(const MemoryEstimate& e) {
  auto line = [](const std::string& label, int64_t bytes) {
    return "  " + pad(label, 18) + formatBytes(bytes) + "\n";
  };
  std::string out = "Training memory estimate (batch size " + formatThousands(e.batchSize) + ", " +
                    e.optimizer + "):\n";
  out += line("Weights:", e.weightBytes);
  out += line("Gradients:", e.gradientBytes);
  out += line("Optimizer state:", e.optimizerBytes);
  out += line("Activations:", e.activationBytes);
  out += line("Total:", e.totalBytes);
  out += "An estimate: weights, gradients, " + std::to_string(e.optimizerStates) +
         " optimizer state value(s) per parameter and every layer's output\n"
         "kept for the backward pass; temporaries inside layers and the framework's own memory "
         "come on top.\n";
  return out;
}

}  // namespace layerlab::engine
