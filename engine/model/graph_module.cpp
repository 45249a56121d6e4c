#include "engine/model/graph_module.h"

#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "engine/model/layer_op.h"

namespace layerlab::engine {

GraphModuleImpl::GraphModuleImpl(const ModelSpec& spec, const ModelAnalysis& analysis) {
  if (!analysis.ok()) {
    throw std::invalid_argument("the model has problems: " + analysis.problems.front().describe());
  }
  const LayerRegistry& registry = torchLayerRegistry();
  std::unordered_map<std::string_view, const NodeSpec*> specOf;  // not findNode: linear, not n²
  for (const NodeSpec& node : spec.nodes)
    specOf.emplace(node.id, &node);
  for (const NodeAnalysis& node : analysis.nodes) {
    std::vector<Shape> inputShapes;
    Step step;
    for (size_t index : node.inputIndices) {
      const bool isInput = index == ModelAnalysis::kInputIndex;
      inputShapes.push_back(isInput ? spec.inputShape : *analysis.nodes[index].outputShape);
      step.inputs.push_back(isInput ? 0 : index + 1);
    }
    const BuildContext ctx{*specOf.at(node.id), *node.params, inputShapes, *node.outputShape};
    step.op = registry.find(node.type)->build(ctx);
    if (auto module = step.op->module()) register_module(node.id, module);
    m_steps.push_back(std::move(step));
  }
  m_outputValue = analysis.outputIndices.front() + 1;
  m_inputType = spec.inputDtype == kInt64 ? torch::kInt64 : torch::kFloat32;
}

torch::Tensor GraphModuleImpl::forward(const torch::Tensor& x) {
  std::vector<torch::Tensor> values(m_steps.size() + 1);
  values[0] = x.scalar_type() == m_inputType ? x : x.to(m_inputType);
  std::vector<torch::Tensor> inputs;
  for (size_t i = 0; i < m_steps.size(); ++i) {
    inputs.clear();
    for (size_t index : m_steps[i].inputs)
      inputs.push_back(values[index]);
    values[i + 1] = m_steps[i].op->forward(inputs);
  }
  return values[m_outputValue];
}

int64_t countParameters(torch::nn::Module& module) {
  int64_t count = 0;
  for (const torch::Tensor& parameter : module.parameters())
    count += parameter.numel();
  return count;
}

}  // namespace layerlab::engine
