// Exports LibTorch models and compares onnxruntime's outputs with LibTorch's, element by
// element: |ort − torch| <= 1e-5 + 1e-4·|torch|.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

#include "engine/export/onnx_export.h"
#include "engine/model/graph_module.h"
#include "tests/onnx/ort_runner.h"

namespace layerlab::test {

inline constexpr double kAbsoluteTolerance = 1e-5;
inline constexpr double kRelativeTolerance = 1e-4;

// One exported model and the inputs it runs with, with LibTorch's outputs for them.
struct ParityModel {
  std::string name;
  std::string onnxPath;
  engine::OnnxExportSummary summary;
  std::vector<torch::Tensor> inputs;
  std::vector<torch::Tensor> references;
};

// The worst difference seen over a group of models.
struct ParityWorst {
  double absDiff = 0;
  std::string absWhere;
  double ratio = 0;  // difference / tolerance (a pass is at most 1)
  std::string ratioWhere;
  int64_t values = 0;
};

// Exports `spec` with the weights of `module` (in eval mode) to `path`; runs LibTorch on every
// input for the references.
ParityModel exportForParity(const std::string& name, const engine::ModelSpec& spec,
                            engine::GraphModule& module, const std::vector<torch::Tensor>& inputs,
                            const std::string& path);

// Runs every model with onnxruntime and checks each output against its reference (a gtest
// failure names the model and run); returns the worst differences.
ParityWorst checkParity(const std::vector<ParityModel>& models, const std::string& workDir);

// "worst |ort − torch| = 2.4e-07 (lstm, batch 7) · worst difference / tolerance = 0.013 (…)"
std::string describeWorst(const ParityWorst& worst);

// A random input of the model's shape with `batch` samples (and `length` steps for sequence
// models, 0 = the model's own): normal values, or token ids below `vocabulary`.
torch::Tensor randomInput(const engine::ModelSpec& spec, int64_t batch, int64_t length = 0,
                          int64_t vocabulary = 10);

// Gives every floating parameter (when `parameters`) and buffer random values, so that trained
// statistics (BatchNorm's running mean and variance) are not the trivial ones.
void randomizeWeights(torch::nn::Module& module, bool parameters);

}  // namespace layerlab::test
