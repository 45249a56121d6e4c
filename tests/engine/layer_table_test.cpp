// Every layer, several configurations each: the inferred output shape and parameter count equal
// those of the built torch module, and the multiply-adds equal a hand computation (the formulas
// in the comments follow the conventions in engine/model/layers/*.cpp).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>
#include <set>

#include "engine/model/graph_module.h"

namespace layerlab::engine {
namespace {

struct LayerCase {
  std::string layer;   // the registry type the case covers
  std::string config;  // what is special about it
  std::string input;   // the input shape as JSON
  std::string nodes;   // the measured node is "out", the model's output
  Shape shape;
  int64_t params;
  int64_t nonTrainable;
  int64_t macs;
  std::string dtype = "float32";
};

std::string modelText(const LayerCase& c) {
  return R"({"format": "layerlab.model", "version": 1, "name": "t", "input": {"shape": )" +
         c.input + R"(, "dtype": ")" + c.dtype + R"("}, "nodes": [)" + c.nodes +
         R"(], "outputs": ["out"]})";
}

// A node "out" of `type` reading the model input, with extra JSON parameters.
std::string one(const std::string& type, const std::string& params = "") {
  return R"({"id": "out", "type": ")" + type + "\"" + (params.empty() ? "" : ", " + params) +
         R"(, "inputs": ["input"]})";
}

const std::vector<LayerCase>& cases() {
  static const std::vector<LayerCase> kCases = {
      // Dense: params in·units + units; MACs out elements · in.
      {"Dense", "vector", "[20]", one("Dense", R"("units": 5)"), {5}, 105, 0, 5 * 20},
      {"Dense",
       "sequence, no bias",
       "[7, 16]",
       one("Dense", R"("units": 4, "use_bias": false)"),
       {7, 4},
       64,
       0,
       7 * 4 * 16},
      {"Dense",
       "rank 3",
       "[2, 3, 6]",
       one("Dense", R"("units": 8)"),
       {2, 3, 8},
       56,
       0,
       2 * 3 * 8 * 6},
      {"Flatten", "image", "[2, 3, 4]", one("Flatten"), {24}, 0, 0, 0},
      {"Flatten", "vector", "[5]", one("Flatten"), {5}, 0, 0, 0},
      {"Reshape",
       "rows",
       "[1, 28, 28]",
       one("Reshape", R"("target_shape": [28, 28])"),
       {28, 28},
       0,
       0,
       0},
      {"Reshape",
       "inferred first",
       "[12]",
       one("Reshape", R"("target_shape": [-1, 4])"),
       {3, 4},
       0,
       0,
       0},
      {"Reshape",
       "inferred middle",
       "[2, 3, 4]",
       one("Reshape", R"("target_shape": [4, -1, 2])"),
       {4, 3, 2},
       0,
       0,
       0},
      // Embedding: params input_dim · output_dim; a lookup, no MACs.
      {"Embedding",
       "tokens",
       "[6]",
       one("Embedding", R"("input_dim": 10, "output_dim": 4)"),
       {6, 4},
       40,
       0,
       0,
       "int64"},
      {"Embedding",
       "grid of tokens",
       "[2, 3]",
       one("Embedding", R"("input_dim": 7, "output_dim": 5)"),
       {2, 3, 5},
       35,
       0,
       0,
       "int64"},
      {"Dropout", "matrix", "[3, 4]", one("Dropout", R"("rate": 0.2)"), {3, 4}, 0, 0, 0},
      {"Dropout", "default rate", "[10]", one("Dropout"), {10}, 0, 0, 0},
      // Conv: params filters · C/groups · k^d + filters; MACs out elements · C/groups · k^d.
      {"Conv1d",
       "valid",
       "[3, 20]",
       one("Conv1d", R"("filters": 8, "kernel_size": 5)"),
       {8, 16},
       128,
       0,
       8 * 16 * 3 * 5},
      {"Conv1d",
       "stride, padding, dilation, groups",
       "[4, 17]",
       one("Conv1d", R"("filters": 6, "kernel_size": 3, "stride": 2, "padding": 1,
           "dilation": 2, "groups": 2, "use_bias": false)"),
       {6, 8},
       6 * 2 * 3,
       0,
       6 * 8 * 2 * 3},
      {"Conv1d",
       "same, even kernel",
       "[2, 10]",
       one("Conv1d", R"("filters": 3, "kernel_size": 4, "padding": "same")"),
       {3, 10},
       27,
       0,
       3 * 10 * 2 * 4},
      {"Conv1d",
       "valid by name",
       "[2, 9]",
       one("Conv1d", R"("filters": 2, "kernel_size": 3, "padding": "valid")"),
       {2, 7},
       14,
       0,
       2 * 7 * 2 * 3},
      {"Conv2d",
       "valid",
       "[3, 32, 32]",
       one("Conv2d", R"("filters": 8, "kernel_size": 5)"),
       {8, 28, 28},
       608,
       0,
       8 * 28 * 28 * 3 * 25},
      {"Conv2d",
       "stride, padding, dilation",
       "[2, 15, 15]",
       one("Conv2d", R"("filters": 4, "kernel_size": 3, "stride": 2, "padding": 2,
           "dilation": 2, "use_bias": false)"),
       {4, 8, 8},
       72,
       0,
       4 * 8 * 8 * 2 * 9},
      {"Conv2d",
       "same, depthwise",
       "[4, 9, 7]",
       one("Conv2d", R"("filters": 4, "padding": "same", "groups": 4)"),
       {4, 9, 7},
       40,
       0,
       4 * 9 * 7 * 1 * 9},
      {"Conv2d",
       "pointwise, groups",
       "[6, 8, 8]",
       one("Conv2d", R"("filters": 3, "kernel_size": 1, "groups": 3)"),
       {3, 8, 8},
       9,
       0,
       3 * 64 * 2},
      // Pooling: max counts no MACs, average out elements · pool^d, global input elements.
      {"MaxPool1d", "default", "[3, 10]", one("MaxPool1d"), {3, 5}, 0, 0, 0},
      {"MaxPool1d",
       "ceil mode",
       "[2, 8]",
       one("MaxPool1d", R"("pool_size": 3, "stride": 2, "ceil_mode": true)"),
       {2, 4},
       0,
       0,
       0},
      {"MaxPool2d", "default", "[6, 28, 28]", one("MaxPool2d"), {6, 14, 14}, 0, 0, 0},
      {"MaxPool2d",
       "ceil mode, padding",
       "[1, 8, 10]",
       one("MaxPool2d", R"("pool_size": 3, "stride": 2, "padding": 1, "ceil_mode": true)"),
       {1, 5, 6},
       0,
       0,
       0},
      {"MaxPool2d",
       "ceil mode drops a window in the padding",
       "[1, 5, 5]",
       one("MaxPool2d", R"("padding": 1, "ceil_mode": true)"),
       {1, 3, 3},
       0,
       0,
       0},
      {"AvgPool1d", "default", "[3, 10]", one("AvgPool1d"), {3, 5}, 0, 0, 3 * 5 * 2},
      {"AvgPool1d",
       "ceil mode",
       "[2, 8]",
       one("AvgPool1d", R"("pool_size": 3, "stride": 2, "ceil_mode": true)"),
       {2, 4},
       0,
       0,
       2 * 4 * 3},
      {"AvgPool2d", "default", "[2, 8, 8]", one("AvgPool2d"), {2, 4, 4}, 0, 0, 2 * 16 * 4},
      {"AvgPool2d",
       "ceil mode, padding",
       "[1, 8, 10]",
       one("AvgPool2d", R"("pool_size": 3, "stride": 2, "padding": 1, "ceil_mode": true)"),
       {1, 5, 6},
       0,
       0,
       30 * 9},
      {"GlobalAvgPool", "image", "[8, 5, 5]", one("GlobalAvgPool"), {8}, 0, 0, 200},
      {"GlobalAvgPool", "channels and length", "[4, 12]", one("GlobalAvgPool"), {4}, 0, 0, 48},
      {"GlobalAvgPool",
       "sequence",
       "[6, 10]",
       one("GlobalAvgPool", R"("layout": "sequence")"),
       {10},
       0,
       0,
       60},
      // BatchNorm: 2C trained, 2C running statistics; 1 MAC per element. LayerNorm: 2 per
      // normalised element trained; 2 MACs per element.
      {"BatchNorm", "features", "[8]", one("BatchNorm"), {8}, 16, 16, 8},
      {"BatchNorm", "channels and length", "[4, 10]", one("BatchNorm"), {4, 10}, 8, 8, 40},
      {"BatchNorm",
       "image",
       "[3, 6, 6]",
       one("BatchNorm", R"("momentum": 0.01, "epsilon": 0.001)"),
       {3, 6, 6},
       6,
       6,
       108},
      {"LayerNorm", "features", "[10]", one("LayerNorm"), {10}, 20, 0, 20},
      {"LayerNorm", "sequence", "[5, 8]", one("LayerNorm"), {5, 8}, 16, 0, 80},
      {"LayerNorm",
       "two trailing dims",
       "[2, 3, 4]",
       one("LayerNorm", R"("normalized_shape": [3, 4])"),
       {2, 3, 4},
       24,
       0,
       48},
      // Activations: nothing learned, no MACs.
      {"ReLU", "matrix", "[3, 4]", one("ReLU"), {3, 4}, 0, 0, 0},
      {"ReLU", "image", "[2, 5, 5]", one("ReLU"), {2, 5, 5}, 0, 0, 0},
      {"LeakyReLU", "default", "[3, 4]", one("LeakyReLU"), {3, 4}, 0, 0, 0},
      {"LeakyReLU",
       "slope",
       "[2, 5, 5]",
       one("LeakyReLU", R"("negative_slope": 0.2)"),
       {2, 5, 5},
       0,
       0,
       0},
      {"ELU", "default", "[3, 4]", one("ELU"), {3, 4}, 0, 0, 0},
      {"ELU", "alpha", "[7]", one("ELU", R"("alpha": 0.5)"), {7}, 0, 0, 0},
      {"GELU", "matrix", "[3, 4]", one("GELU"), {3, 4}, 0, 0, 0},
      {"GELU", "vector", "[9]", one("GELU"), {9}, 0, 0, 0},
      {"Sigmoid", "matrix", "[3, 4]", one("Sigmoid"), {3, 4}, 0, 0, 0},
      {"Sigmoid", "vector", "[9]", one("Sigmoid"), {9}, 0, 0, 0},
      {"Tanh", "matrix", "[3, 4]", one("Tanh"), {3, 4}, 0, 0, 0},
      {"Tanh", "vector", "[9]", one("Tanh"), {9}, 0, 0, 0},
      {"Softmax", "last axis", "[3, 4]", one("Softmax"), {3, 4}, 0, 0, 0},
      {"Softmax", "first axis", "[3, 4]", one("Softmax", R"("axis": 0)"), {3, 4}, 0, 0, 0},
      {"LogSoftmax", "last axis", "[10]", one("LogSoftmax"), {10}, 0, 0, 0},
      {"LogSoftmax",
       "middle axis",
       "[2, 5, 5]",
       one("LogSoftmax", R"("axis": 1)"),
       {2, 5, 5},
       0,
       0,
       0},
      // LSTM (4 gates) and GRU (3): params Σ dirs · (G·H·(in + H) + 2·G·H);
      // MACs T · Σ dirs · G·H·(in + H), in = F for layer 0 and H·dirs after.
      {"LSTM", "last step", "[5, 3]", one("LSTM", R"("units": 4)"), {4}, 144, 0, 5 * 16 * 7},
      {"LSTM",
       "sequences",
       "[6, 3]",
       one("LSTM", R"("units": 4, "return_sequences": true)"),
       {6, 4},
       144,
       0,
       6 * 16 * 7},
      {"LSTM",
       "two layers, bidirectional, sequences",
       "[5, 3]",
       one("LSTM", R"("units": 4, "num_layers": 2, "bidirectional": true, "dropout": 0.1,
           "return_sequences": true)"),
       {5, 8},
       2 * (16 * 7 + 32) + 2 * (16 * 12 + 32),
       0,
       5 * (2 * 16 * 7 + 2 * 16 * 12)},
      {"LSTM",
       "two layers, bidirectional, last step",
       "[5, 3]",
       one("LSTM", R"("units": 4, "num_layers": 2, "bidirectional": true)"),
       {8},
       736,
       0,
       5 * (2 * 16 * 7 + 2 * 16 * 12)},
      {"GRU", "last step", "[5, 3]", one("GRU", R"("units": 4)"), {4}, 12 * 7 + 24, 0, 5 * 12 * 7},
      {"GRU",
       "bidirectional sequences",
       "[4, 6]",
       one("GRU", R"("units": 5, "bidirectional": true, "return_sequences": true)"),
       {4, 10},
       2 * (15 * 11 + 30),
       0,
       4 * 2 * 15 * 11},
      {"GRU",
       "three layers",
       "[3, 2]",
       one("GRU", R"("units": 3, "num_layers": 3)"),
       {3},
       (9 * 5 + 18) + 2 * (9 * 6 + 18),
       0,
       3 * (9 * 5 + 2 * 9 * 6)},
      // Attention: params 4E² + 4E; MACs 4·T·E² + 2·T²·E. Encoder layer adds the feed-forward
      // pair (2EF + F + E params, 2·T·E·F MACs) and two LayerNorms (4E params, 4·T·E MACs).
      {"MultiheadAttention",
       "two heads",
       "[5, 8]",
       one("MultiheadAttention", R"("num_heads": 2)"),
       {5, 8},
       288,
       0,
       4 * 5 * 64 + 2 * 25 * 8},
      {"MultiheadAttention",
       "no bias",
       "[3, 12]",
       one("MultiheadAttention", R"("num_heads": 3, "use_bias": false)"),
       {3, 12},
       576,
       0,
       4 * 3 * 144 + 2 * 9 * 12},
      {"MultiheadAttention",
       "one head, dropout",
       "[7, 4]",
       one("MultiheadAttention", R"("num_heads": 1, "dropout": 0.1)"),
       {7, 4},
       80,
       0,
       4 * 7 * 16 + 2 * 49 * 4},
      {"TransformerEncoderLayer",
       "relu",
       "[5, 8]",
       one("TransformerEncoderLayer", R"("num_heads": 2, "ff_units": 16)"),
       {5, 8},
       288 + (8 * 16 + 16) + (16 * 8 + 8) + 32,
       0,
       1680 + 2 * 5 * 8 * 16 + 4 * 5 * 8},
      {"TransformerEncoderLayer",
       "gelu, default width",
       "[4, 12]",
       one("TransformerEncoderLayer", R"("num_heads": 3, "activation": "gelu")"),
       {4, 12},
       624 + (12 * 48 + 48) + (48 * 12 + 12) + 48,
       0,
       4 * 4 * 144 + 2 * 16 * 12 + 2 * 4 * 12 * 48 + 4 * 4 * 12},
      // Merge layers: nothing learned, no MACs.
      {"Add",
       "residual",
       "[3, 4]",
       R"({"id": "a", "type": "ReLU", "inputs": ["input"]},
          {"id": "out", "type": "Add", "inputs": ["input", "a"]})",
       {3, 4},
       0,
       0,
       0},
      {"Add",
       "three inputs",
       "[6]",
       R"({"id": "out", "type": "Add", "inputs": ["input", "input", "input"]})",
       {6},
       0,
       0,
       0},
      {"Concat",
       "features",
       "[4, 6]",
       R"({"id": "a", "type": "Dense", "units": 3, "inputs": ["input"]},
          {"id": "out", "type": "Concat", "inputs": ["a", "input"]})",
       {4, 9},
       0,
       0,
       0},
      {"Concat",
       "first axis",
       "[2, 3, 4]",
       R"({"id": "out", "type": "Concat", "axis": 0, "inputs": ["input", "input"]})",
       {4, 3, 4},
       0,
       0,
       0},
      {"Concat",
       "three vectors",
       "[5]",
       R"({"id": "out", "type": "Concat", "inputs": ["input", "input", "input"]})",
       {15},
       0,
       0,
       0},
  };
  return kCases;
}

int64_t countBuffers(torch::nn::Module& module) {
  int64_t count = 0;
  for (const auto& item : module.named_buffers()) {
    // A step counter, not a statistic: Keras has no such value and neither does the analysis.
    if (item.key().find("num_batches_tracked") == std::string::npos) count += item.value().numel();
  }
  return count;
}

Shape withBatch(int64_t batch, Shape shape) {
  shape.insert(shape.begin(), batch);
  return shape;
}

void checkCase(const LayerCase& c) {
  const ModelParseResult parsed = parseModelSpec(modelText(c));
  ASSERT_TRUE(parsed.spec) << parsed.problems.front().describe();
  const ModelAnalysis analysis = analyzeModel(*parsed.spec);
  ASSERT_TRUE(analysis.ok()) << analysis.problems.front().describe();
  const NodeAnalysis* out = analysis.find("out");
  ASSERT_TRUE(out != nullptr && out->outputShape);
  EXPECT_EQ(*out->outputShape, c.shape);
  EXPECT_EQ(out->paramCount, c.params);
  EXPECT_EQ(out->nonTrainableCount, c.nonTrainable);
  EXPECT_EQ(out->macs, c.macs);

  GraphModule module(*parsed.spec, analysis);
  EXPECT_EQ(countParameters(*module), analysis.totalParams);
  EXPECT_EQ(countBuffers(*module), analysis.totalNonTrainable);
  const Shape inputShape = withBatch(3, parsed.spec->inputShape);
  // Float inputs take part in the backward pass, so layers without parameters are checked too.
  const torch::Tensor x = c.dtype == "int64" ? torch::randint(0, 5, inputShape, torch::kInt64)
                                             : torch::randn(inputShape).requires_grad_();
  // Training mode, with a backward pass: the op must be differentiable as built.
  module->train();
  const torch::Tensor y = module->forward(x);
  EXPECT_EQ(Shape(y.sizes().begin(), y.sizes().end()), withBatch(3, c.shape));
  y.sum().backward();
  // Evaluation mode: each sample's output must not depend on the others (a transpose that
  // mixes the batch with time would show here).
  module->eval();
  torch::NoGradGuard noGrad;
  const torch::Tensor yEval = module->forward(x);
  for (int64_t i = 0; i < 3; ++i) {
    const torch::Tensor alone = module->forward(x.slice(0, i, i + 1));
    EXPECT_TRUE(torch::allclose(alone[0], yEval[i], 1e-4, 1e-5)) << "sample " << i;
  }
}

void checkLayers(const std::set<std::string>& layers) {
  int checked = 0;
  for (const LayerCase& c : cases()) {
    if (!layers.contains(c.layer)) continue;
    SCOPED_TRACE(c.layer + ": " + c.config + " on " + c.input);
    torch::manual_seed(7);
    checkCase(c);
    ++checked;
  }
  EXPECT_GE(checked, static_cast<int>(2 * layers.size()));
}

TEST(LayerTable, EveryRegisteredLayerHasSeveralCases) {
  std::map<std::string, int> counts;
  for (const LayerCase& c : cases())
    ++counts[c.layer];
  for (const LayerType& type : layerRegistry().types())
    EXPECT_GE(counts[type.name], 2) << type.name << " needs cases in the layer table";
  for (const auto& [layer, count] : counts)
    EXPECT_NE(layerRegistry().find(layer), nullptr) << layer << " is not registered";
}

TEST(LayerTable, CoreLayers) {
  checkLayers({"Dense", "Flatten", "Reshape", "Embedding", "Dropout"});
}

TEST(LayerTable, ConvolutionLayers) {
  checkLayers({"Conv1d", "Conv2d"});
}

TEST(LayerTable, PoolingLayers) {
  checkLayers({"MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "GlobalAvgPool"});
}

TEST(LayerTable, NormalisationLayers) {
  checkLayers({"BatchNorm", "LayerNorm"});
}

TEST(LayerTable, ActivationLayers) {
  checkLayers({"ReLU", "LeakyReLU", "ELU", "GELU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax"});
}

TEST(LayerTable, RecurrentLayers) {
  checkLayers({"LSTM", "GRU"});
}

TEST(LayerTable, AttentionLayers) {
  checkLayers({"MultiheadAttention", "TransformerEncoderLayer"});
}

TEST(LayerTable, MergeLayers) {
  checkLayers({"Add", "Concat"});
}

GraphModule buildOne(const std::string& input, const std::string& nodes) {
  const LayerCase c{"", "", input, nodes, {}, 0, 0, 0};
  const ModelParseResult parsed = parseModelSpec(modelText(c));
  const ModelAnalysis analysis = analyzeModel(*parsed.spec);
  EXPECT_TRUE(analysis.ok()) << analysis.problems.front().describe();
  GraphModule module(*parsed.spec, analysis);
  module->eval();
  return module;
}

// What the layers compute, where a wrong axis or step would keep the shape right.
TEST(LayerSemantics, AxesAndStepsAreTheDocumentedOnes) {
  torch::NoGradGuard noGrad;
  const torch::Tensor x = torch::randn({2, 3, 4});
  {
    SCOPED_TRACE("Softmax axis 0 normalises over the first dimension of the sample");
    GraphModule m = buildOne("[3, 4]", one("Softmax", R"("axis": 0)"));
    EXPECT_TRUE(torch::allclose(m->forward(x).sum(1), torch::ones({2, 4})));
  }
  {
    SCOPED_TRACE("GlobalAvgPool sequence averages over time, channels over positions");
    GraphModule seq = buildOne("[3, 4]", one("GlobalAvgPool", R"("layout": "sequence")"));
    EXPECT_TRUE(torch::allclose(seq->forward(x), x.mean(1)));
    GraphModule channels = buildOne("[3, 4]", one("GlobalAvgPool"));
    EXPECT_TRUE(torch::allclose(channels->forward(x), x.mean(2)));
  }
  {
    SCOPED_TRACE("Concat keeps the input order");
    GraphModule m = buildOne("[3, 4]", R"({"id": "a", "type": "Tanh", "inputs": ["input"]},
        {"id": "out", "type": "Concat", "axis": 0, "inputs": ["input", "a"]})");
    EXPECT_TRUE(torch::allclose(m->forward(x), torch::cat({x, x.tanh()}, 1)));
  }
  {
    SCOPED_TRACE("Add sums its inputs");
    GraphModule m = buildOne("[3, 4]", R"({"id": "a", "type": "ReLU", "inputs": ["input"]},
        {"id": "out", "type": "Add", "inputs": ["input", "a"]})");
    EXPECT_TRUE(torch::allclose(m->forward(x), x + x.relu()));
  }
}

TEST(LayerSemantics, RecurrentLastStepIsTheFinalStateOfEachDirection) {
  torch::NoGradGuard noGrad;
  const torch::Tensor x = torch::randn({2, 5, 3});
  for (const char* type : {"LSTM", "GRU"}) {
    SCOPED_TRACE(type);
    GraphModule m =
        buildOne("[5, 3]", one(type, R"("units": 4, "num_layers": 2, "bidirectional": true)"));
    const torch::Tensor last = m->forward(x);
    // The same weights, asked for every step: forward direction ends at the last step, the
    // backward direction at the first.
    torch::Tensor steps;
    for (const auto& child : m->named_children()) {
      if (auto lstm = std::dynamic_pointer_cast<torch::nn::LSTMImpl>(child.value()))
        steps = std::get<0>(lstm->forward(x));
      if (auto gru = std::dynamic_pointer_cast<torch::nn::GRUImpl>(child.value()))
        steps = std::get<0>(gru->forward(x));
    }
    ASSERT_TRUE(steps.defined());
    EXPECT_TRUE(torch::allclose(last.slice(1, 0, 4), steps.select(1, 4).slice(1, 0, 4)));
    EXPECT_TRUE(torch::allclose(last.slice(1, 4, 8), steps.select(1, 0).slice(1, 4, 8)));
  }
}

}  // namespace
}  // namespace layerlab::engine
