#include "engine/train/output_fit.h"

#include "engine/train/train_config.h"

namespace layerlab::engine {
namespace {

std::string lossMismatch(const OutputTarget& target, const std::string& loss) {
  if (target.classification == isRegressionLoss(loss)) {
    return target.classification
               ? "the data has classes (" + std::to_string(target.classes) + ") but the loss '" +
                     loss + "' is for regression; use cross_entropy (or bce_with_logits for two " +
                     "classes)"
               : "the data's target is a number (regression) but the loss '" + loss +
                     "' is for classes; use mse, l1 or huber";
  }
  if (loss == "bce_with_logits" && target.classes != 2) {
    return "bce_with_logits needs two classes but the data has " + std::to_string(target.classes) +
           "; use cross_entropy";
  }
  return {};
}

std::string wanted(const OutputTarget& target, bool binaryLogit) {
  if (binaryLogit) return "1 value per sample (the logit of the second class)";
  if (!target.classification) return "1 value per sample (a regression target)";
  return std::to_string(target.classes) +
         " values per sample (one per class: " + std::to_string(target.classes) + " classes)";
}

// How to get from `node`'s output to `expected`: what a user of the editor would do.
std::string mend(const ModelAnalysis& analysis, const NodeAnalysis& node, int64_t expected) {
  const Shape& shape = *node.outputShape;
  const std::string size = formatShape({expected});
  if (shape.size() > 1) {
    const bool dense = node.type == "Dense";
    const NodeAnalysis* before = dense && !node.inputIndices.empty() &&
                                         node.inputIndices.front() != ModelAnalysis::kInputIndex
                                     ? &analysis.nodes[node.inputIndices.front()]
                                     : nullptr;
    const bool image = before != nullptr && before->outputShape && before->outputShape->size() == 3;
    const std::string reduce = image ? "a GlobalAvgPool (or a Flatten)" : "a Flatten";
    if (dense) {
      return "add " + reduce + " before '" + node.id + "' so that it sees one value per feature" +
             (shape.back() == expected ? "" : ", and set its units to " + std::to_string(expected));
    }
    return "add a Flatten and a Dense with " + std::to_string(expected) + " units after '" +
           node.id + "'";
  }
  if (node.type == "Dense")
    return "set the units of '" + node.id + "' to " + std::to_string(expected);
  return "add a Dense with " + std::to_string(expected) + " units after '" + node.id +
         "' so it gives " + size;
}

}  // namespace

std::optional<ModelProblem> outputMismatch(const ModelAnalysis& analysis,
                                           const OutputTarget& target) {
  const std::string loss = !target.loss.empty()    ? target.loss
                           : target.classification ? "cross_entropy"
                                                   : "mse";
  if (std::string problem = lossMismatch(target, loss); !problem.empty())
    return ModelProblem{{}, problem};
  if (analysis.outputIndices.size() != 1) {
    return ModelProblem{{},
                        "the model has " + std::to_string(analysis.outputIndices.size()) +
                            " outputs; training needs exactly one"};
  }
  const NodeAnalysis& node = analysis.nodes[analysis.outputIndices.front()];
  if (!node.outputShape) return std::nullopt;
  const bool binaryLogit = loss == "bce_with_logits";
  const int64_t expected =
      binaryLogit || !target.classification ? 1 : static_cast<int64_t>(target.classes);
  if (*node.outputShape == Shape{expected}) return std::nullopt;
  return ModelProblem{node.id, "gives " + formatShape(*node.outputShape) +
                                   " per sample but the data needs " + wanted(target, binaryLogit) +
                                   ": " + mend(analysis, node, expected)};
}

}  // namespace layerlab::engine
