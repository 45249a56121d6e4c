// The torch module that runs a model document: one registered submodule per layer node, run in
// topological order. Built only from a model that analyzeModel() found without problems.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/model/model_analysis.h"

namespace layerlab::engine {

class LayerOp;

class GraphModuleImpl : public torch::nn::Module {
 public:
  // Throws std::invalid_argument when the analysis has problems.
  GraphModuleImpl(const ModelSpec& spec, const ModelAnalysis& analysis);

  // `x` is [batch, …input shape]; returns the first output. A token model (input dtype int64)
  // takes its ids in any integer or floating type, a float32 model its values in any type: `x`
  // is converted to the model's input dtype first.
  torch::Tensor forward(const torch::Tensor& x);

 private:
  struct Step {
    std::shared_ptr<LayerOp> op;
    std::vector<size_t> inputs;  // indices into the values; 0 is the model input
  };
  std::vector<Step> m_steps;
  size_t m_outputValue = 0;
  torch::ScalarType m_inputType = torch::kFloat32;
};

TORCH_MODULE(GraphModule);

// The number of trainable values in a module, as torch counts them.
int64_t countParameters(torch::nn::Module& module);

}  // namespace layerlab::engine
