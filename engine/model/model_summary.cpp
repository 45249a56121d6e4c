#include "engine/model/model_summary.h"

#include <algorithm>
#include <vector>

namespace layerlab::engine {
namespace {

struct Row {
  std::string layer;
  std::string shape;
  std::string params;
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
  rows.push_back({"input (Input)", batchShape(spec.inputShape), "0", ""});
  for (const NodeAnalysis& node : analysis.nodes) {
    std::string inputs;
    for (size_t index : node.inputIndices) {
      const std::string name =
          index == ModelAnalysis::kInputIndex ? kInputName : analysis.nodes[index].id;
      inputs += (inputs.empty() ? "" : ", ") + name;
    }
    rows.push_back({node.id + " (" + node.type + ")",
                    node.outputShape ? batchShape(*node.outputShape) : "?",
                    formatThousands(node.paramCount), inputs});
  }
  return rows;
}

}  // namespace

std::string formatThousands(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string formatSummary(const ModelSpec& spec, const ModelAnalysis& analysis) {
  const std::vector<Row> rows = summaryRows(spec, analysis);
  size_t layerWidth = 18, shapeWidth = 20, paramWidth = 10;
  for (const Row& row : rows) {
    layerWidth = std::max(layerWidth, row.layer.size() + 2);
    shapeWidth = std::max(shapeWidth, row.shape.size() + 2);
    paramWidth = std::max(paramWidth, row.params.size() + 2);
  }
  const size_t width = layerWidth + shapeWidth + paramWidth + 24;
  const std::string thick(width, '='), thin(width, '_');
  std::string out = "Model: \"" + spec.name + "\"\n" + thin + "\n";
  out += pad("Layer (type)", layerWidth) + pad("Output Shape", shapeWidth) +
         pad("Param #", paramWidth) + "Connected to\n" + thick + "\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    out += pad(row.layer, layerWidth) + pad(row.shape, shapeWidth) + pad(row.params, paramWidth) +
           row.inputs + "\n";
    out += (i + 1 < rows.size() ? std::string() : thick + "\n");
  }
  out += "Total params: " + formatThousands(analysis.totalParams) + "\n";
  out += "Trainable params: " + formatThousands(analysis.totalParams) + "\n";
  out += "Non-trainable params: 0\n";
  out += "Multiply-adds per sample: " + formatThousands(analysis.totalMacs) + "\n";
  out += thin + "\n";
  return out;
}

}  // namespace layerlab::engine
