// Every layer type alone and every shipped template: exported to ONNX, run by onnxruntime at
// batch sizes 1 and 7 (and at two lengths for models whose time axis is free), compared with
// LibTorch in eval mode value by value.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/export/onnx_layers.h"
#include "tests/onnx/parity_support.h"
#include "tests/support/temp_dir.h"

namespace layerlab::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct LayerCase {
  const char* name;
  const char* input;  // the model's "input" object
  const char* nodes;  // the last node is the output
  bool anyLength;     // the file leaves the time axis free ("T")
};

// Each registry type at least once, with the options whose ONNX form differs.
const LayerCase kLayerCases[] = {
    {"dense", R"({"shape": [12]})", R"([{"id": "x", "type": "Dense", "units": 5}])", false},
    {"dense_sequence_no_bias", R"({"shape": [6, 8]})",
     R"([{"id": "a", "type": "MultiheadAttention", "num_heads": 2},
         {"id": "x", "type": "Dense", "units": 5, "use_bias": false}])",
     true},
    {"flatten", R"({"shape": [2, 3, 4]})", R"([{"id": "x", "type": "Flatten"}])", false},
    {"reshape", R"({"shape": [24]})",
     R"([{"id": "x", "type": "Reshape", "target_shape": [2, -1, 4]}])", false},
    {"embedding", R"({"shape": [6], "dtype": "int64"})",
     R"([{"id": "x", "type": "Embedding", "input_dim": 10, "output_dim": 8}])", true},
    {"tokens_concat_flatten_embedding_lstm", R"({"shape": [5], "dtype": "int64"})",
     R"([{"id": "a", "type": "Concat", "axis": 0, "inputs": ["input", "input"]},
         {"id": "b", "type": "Flatten"},
         {"id": "c", "type": "Embedding", "input_dim": 10, "output_dim": 4},
         {"id": "x", "type": "LSTM", "units": 3}])",
     true},
    {"dropout", R"({"shape": [10]})", R"([{"id": "x", "type": "Dropout", "rate": 0.5}])", false},
    {"conv1d", R"({"shape": [3, 16]})",
     R"([{"id": "x", "type": "Conv1d", "filters": 4, "kernel_size": 3, "stride": 2,
          "padding": 1}])",
     false},
    {"conv1d_same_dilated", R"({"shape": [3, 16]})",
     R"([{"id": "x", "type": "Conv1d", "filters": 4, "kernel_size": 4, "dilation": 2,
          "padding": "same"}])",
     false},
    {"conv2d", R"({"shape": [3, 9, 9]})",
     R"([{"id": "x", "type": "Conv2d", "filters": 4, "kernel_size": 3, "stride": 2,
          "padding": 1}])",
     false},
    {"conv2d_groups_same_no_bias", R"({"shape": [4, 8, 8]})",
     R"([{"id": "x", "type": "Conv2d", "filters": 6, "kernel_size": 4, "groups": 2,
          "padding": "same", "use_bias": false}])",
     false},
    {"maxpool1d_ceil", R"({"shape": [2, 11]})",
     R"([{"id": "x", "type": "MaxPool1d", "pool_size": 3, "stride": 2, "padding": 1,
          "ceil_mode": true}])",
     false},
    {"maxpool2d", R"({"shape": [2, 8, 8]})", R"([{"id": "x", "type": "MaxPool2d"}])", false},
    {"avgpool1d_padded", R"({"shape": [2, 10]})",
     R"([{"id": "x", "type": "AvgPool1d", "pool_size": 3, "stride": 2, "padding": 1}])", false},
    {"avgpool2d_ceil_padded", R"({"shape": [2, 7, 7]})",
     R"([{"id": "x", "type": "AvgPool2d", "pool_size": 3, "stride": 2, "padding": 1,
          "ceil_mode": true}])",
     false},
    {"global_avg_pool_channels", R"({"shape": [3, 5, 5]})",
     R"([{"id": "x", "type": "GlobalAvgPool"}])", false},
    {"global_avg_pool_sequence", R"({"shape": [6, 4]})",
     R"([{"id": "a", "type": "LSTM", "units": 5, "return_sequences": true},
         {"id": "x", "type": "GlobalAvgPool", "layout": "sequence"}])",
     true},
    {"batchnorm_features", R"({"shape": [5]})",
     R"([{"id": "x", "type": "BatchNorm", "epsilon": 0.001}])", false},
    {"batchnorm_1d", R"({"shape": [4, 6]})", R"([{"id": "x", "type": "BatchNorm"}])", false},
    {"batchnorm_2d", R"({"shape": [3, 5, 5]})", R"([{"id": "x", "type": "BatchNorm"}])", false},
    {"layernorm", R"({"shape": [6, 8]})", R"([{"id": "x", "type": "LayerNorm"}])", false},
    {"layernorm_sequence", R"({"shape": [6, 8]})",
     R"([{"id": "a", "type": "GRU", "units": 4, "return_sequences": true},
         {"id": "x", "type": "LayerNorm"}])",
     true},
    {"layernorm_two_axes", R"({"shape": [6, 8]})",
     R"([{"id": "x", "type": "LayerNorm", "normalized_shape": [6, 8], "epsilon": 0.01}])", false},
    {"relu", R"({"shape": [6, 5]})", R"([{"id": "x", "type": "ReLU"}])", false},
    {"leaky_relu", R"({"shape": [6, 5]})",
     R"([{"id": "x", "type": "LeakyReLU", "negative_slope": 0.2}])", false},
    {"elu", R"({"shape": [6, 5]})", R"([{"id": "x", "type": "ELU", "alpha": 0.7}])", false},
    {"gelu", R"({"shape": [6, 5]})", R"([{"id": "x", "type": "GELU"}])", false},
    {"sigmoid", R"({"shape": [6, 5]})", R"([{"id": "x", "type": "Sigmoid"}])", false},
    {"tanh", R"({"shape": [6, 5]})", R"([{"id": "x", "type": "Tanh"}])", false},
    {"softmax", R"({"shape": [4, 5]})", R"([{"id": "x", "type": "Softmax"}])", false},
    {"softmax_time_axis", R"({"shape": [4, 5]})",
     R"([{"id": "a", "type": "LSTM", "units": 3, "return_sequences": true},
         {"id": "x", "type": "Softmax", "axis": 0}])",
     true},
    {"log_softmax", R"({"shape": [4, 5]})", R"([{"id": "x", "type": "LogSoftmax"}])", false},
    {"lstm_last_step", R"({"shape": [7, 5]})", R"([{"id": "x", "type": "LSTM", "units": 6}])",
     true},
    {"lstm_bidirectional_stacked_sequences", R"({"shape": [7, 5]})",
     R"([{"id": "x", "type": "LSTM", "units": 6, "num_layers": 2, "bidirectional": true,
          "return_sequences": true, "dropout": 0.3}])",
     true},
    {"gru_last_step_stacked", R"({"shape": [7, 5]})",
     R"([{"id": "x", "type": "GRU", "units": 6, "num_layers": 2}])", true},
    {"gru_bidirectional_sequences", R"({"shape": [7, 5]})",
     R"([{"id": "x", "type": "GRU", "units": 4, "bidirectional": true,
          "return_sequences": true}])",
     true},
    {"gru_bidirectional_last_step", R"({"shape": [7, 5]})",
     R"([{"id": "x", "type": "GRU", "units": 4, "bidirectional": true}])", true},
    {"multihead_attention", R"({"shape": [6, 8]})",
     R"([{"id": "x", "type": "MultiheadAttention", "num_heads": 2}])", true},
    {"multihead_attention_no_bias", R"({"shape": [6, 8]})",
     R"([{"id": "x", "type": "MultiheadAttention", "num_heads": 4, "use_bias": false}])", true},
    {"transformer_relu", R"({"shape": [6, 8]})",
     R"([{"id": "x", "type": "TransformerEncoderLayer", "num_heads": 2, "ff_units": 16}])", true},
    {"transformer_gelu", R"({"shape": [6, 8]})",
     R"([{"id": "x", "type": "TransformerEncoderLayer", "num_heads": 4, "ff_units": 12,
          "activation": "gelu"}])",
     true},
    {"add_three", R"({"shape": [6]})",
     R"([{"id": "a", "type": "Dense", "units": 6, "inputs": ["input"]},
         {"id": "b", "type": "Dense", "units": 6, "inputs": ["input"]},
         {"id": "x", "type": "Add", "inputs": ["a", "b", "input"]}])",
     false},
    {"concat_features", R"({"shape": [4, 3]})",
     R"([{"id": "a", "type": "GRU", "units": 5, "return_sequences": true},
         {"id": "x", "type": "Concat", "inputs": ["input", "a"]}])",
     true},
    {"concat_time", R"({"shape": [4, 3]})",
     R"([{"id": "a", "type": "LSTM", "units": 3, "return_sequences": true},
         {"id": "x", "type": "Concat", "axis": 0, "inputs": ["input", "a"]}])",
     true},
};

// A model document of the case: nodes without "inputs" read the node before (or the input).
ModelSpec caseSpec(const LayerCase& c) {
  json nodes = json::parse(c.nodes);
  std::string previous = kInputName;
  for (json& node : nodes) {
    if (!node.contains("inputs")) node["inputs"] = {previous};
    previous = node["id"];
  }
  const json doc = {{"format", kModelFormat}, {"version", kModelVersion},
                    {"name", c.name},         {"input", json::parse(c.input)},
                    {"nodes", nodes},         {"outputs", {previous}}};
  ModelParseResult parsed = parseModelSpec(doc.dump());
  if (!parsed.spec) throw std::invalid_argument(c.name + (": " + parsed.problems[0].describe()));
  return *parsed.spec;
}

bool hasTimeDim(const OnnxExportSummary& summary) {
  for (const OnnxDim& dim : summary.inputs.front().dims) {
    if (dim == OnnxDim(std::string(kOnnxTimeDim))) return true;
  }
  return false;
}

// Every row of the one registry has its ONNX emitter (set in that row, not in a table of its own)
// or says why it has none; every type that exports has a parity case.
TEST(OnnxLayers, EveryRegistryTypeHasAnEmitterOrIsMarkedNotExportableAndACase) {
  std::set<std::string> covered;
  for (const LayerCase& c : kLayerCases) {
    for (const NodeSpec& node : caseSpec(c).nodes)
      covered.insert(node.type);
  }
  const LayerRegistry& rows = onnxLayerRegistry();
  EXPECT_EQ(&rows, &layerRegistry());
  for (const LayerType& type : rows.types()) {
    const bool emits = type.onnx.emit != nullptr;
    const bool marked = !type.onnx.notExportable.empty();
    EXPECT_TRUE(emits || marked) << type.name << " has no ONNX emitter and is not marked";
    EXPECT_FALSE(emits && marked) << type.name << " has an emitter yet is marked not exportable";
    if (emits) EXPECT_TRUE(covered.contains(type.name)) << type.name << " has no parity case";
  }
}

TEST(OnnxLayers, EveryLayerAloneMatchesLibTorchInOnnxruntime) {
  test::TempDir dir;
  torch::manual_seed(11);
  std::vector<test::ParityModel> models;
  for (const LayerCase& c : kLayerCases) {
    SCOPED_TRACE(c.name);
    const ModelSpec spec = caseSpec(c);
    const ModelAnalysis analysis = analyzeModel(spec);
    ASSERT_TRUE(analysis.ok()) << analysis.problems.front().describe();
    GraphModule module(spec, analysis);
    test::randomizeWeights(*module, true);
    std::vector<torch::Tensor> inputs = {test::randomInput(spec, 1), test::randomInput(spec, 7)};
    if (c.anyLength) {
      const int64_t longer = spec.inputShape.front() + 4;
      inputs.push_back(test::randomInput(spec, 1, longer));
      inputs.push_back(test::randomInput(spec, 7, longer));
    }
    models.push_back(test::exportForParity(c.name, spec, module, inputs,
                                           dir.file(std::string(c.name) + ".onnx")));
    EXPECT_EQ(hasTimeDim(models.back().summary), c.anyLength)
        << "input " << formatOnnxDims(models.back().summary.inputs.front().dims);
  }
  const test::ParityWorst worst = test::checkParity(models, dir.path().string());
  std::printf("[ parity ] every layer alone: %s\n", test::describeWorst(worst).c_str());
  EXPECT_GT(worst.values, 0);
}

TEST(OnnxTemplates, EveryTemplateMatchesLibTorchInOnnxruntime) {
  test::TempDir dir;
  torch::manual_seed(12);
  std::vector<test::ParityModel> models;
  const fs::path folder = fs::path(LAYERLAB_SOURCE_DIR) / "resources" / "templates";
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    const ModelParseResult parsed = loadModelSpec(entry.path().string());
    ASSERT_TRUE(parsed.spec);
    const ModelAnalysis analysis = analyzeModel(*parsed.spec);
    ASSERT_TRUE(analysis.ok());
    GraphModule module(*parsed.spec, analysis);
    test::randomizeWeights(*module, false);  // torch's own initialisation, trained-like statistics
    const std::vector<torch::Tensor> inputs = {test::randomInput(*parsed.spec, 1),
                                               test::randomInput(*parsed.spec, 7)};
    models.push_back(test::exportForParity(name, *parsed.spec, module, inputs,
                                           dir.file(parsed.spec->name + ".onnx")));
  }
  EXPECT_GE(models.size(), 6U);
  const test::ParityWorst worst = test::checkParity(models, dir.path().string());
  std::printf("[ parity ] every template: %s\n", test::describeWorst(worst).c_str());
  EXPECT_GT(worst.values, 0);
}

}  // namespace
}  // namespace layerlab::engine
