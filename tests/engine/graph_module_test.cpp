// The built torch module agrees with shape inference: same output shape, same parameter count.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "engine/model/graph_module.h"

namespace layerlab::engine {
namespace {

struct BuildCase {
  const char* name;
  std::string text;
};

// Test names already say which case failed; print the name, not the bytes.
void PrintTo(const BuildCase& c, std::ostream* os) {
  *os << c.name;
}

class BuiltModules : public ::testing::TestWithParam<BuildCase> {};

TEST_P(BuiltModules, MatchInferredShapeAndParameterCount) {
  const ModelParseResult parsed = parseModelSpec(GetParam().text);
  ASSERT_TRUE(parsed.spec);
  const ModelAnalysis analysis = analyzeModel(*parsed.spec);
  ASSERT_TRUE(analysis.ok()) << analysis.problems.front().describe();
  GraphModule module(*parsed.spec, analysis);
  EXPECT_EQ(countParameters(*module), analysis.totalParams);
  Shape batchShape = parsed.spec->inputShape;
  batchShape.insert(batchShape.begin(), 3);
  module->eval();
  const torch::Tensor out = module->forward(torch::randn(batchShape));
  Shape expected = *analysis.nodes[analysis.outputIndices.front()].outputShape;
  expected.insert(expected.begin(), 3);
  EXPECT_EQ(Shape(out.sizes().begin(), out.sizes().end()), expected);
}

std::string model(const std::string& input, const std::string& nodes) {
  return R"({"format": "layerlab.model", "version": 1, "input": {"shape": )" + input +
         R"(}, "nodes": [)" + nodes + R"(], "outputs": ["out"]})";
}

INSTANTIATE_TEST_SUITE_P(
    Table, BuiltModules,
    ::testing::Values(
        BuildCase{"mlp",
                  model("[1, 28, 28]", R"({"id": "f", "type": "Flatten", "inputs": ["input"]},
            {"id": "h", "type": "Dense", "units": 32, "inputs": ["f"]},
            {"id": "a", "type": "Tanh", "inputs": ["h"]},
            {"id": "out", "type": "Dense", "units": 10, "use_bias": false, "inputs": ["a"]})")},
        BuildCase{
            "conv_stride_pad_dilation",
            model("[2, 15, 15]",
                  R"({"id": "out", "type": "Conv2d", "filters": 4, "kernel_size": 3, "stride": 2,
                "padding": 2, "dilation": 2, "inputs": ["input"]})")},
        BuildCase{
            "conv_pool",
            model(
                "[3, 17, 13]",
                R"({"id": "c", "type": "Conv2d", "filters": 5, "kernel_size": 4, "inputs": ["input"]},
               {"id": "r", "type": "ReLU", "inputs": ["c"]},
               {"id": "out", "type": "MaxPool2d", "pool_size": 3, "stride": 2, "padding": 1, "inputs": ["r"]})")},
        BuildCase{"dense_on_sequence",
                  model("[6, 5]",
                        R"({"id": "d", "type": "Dropout", "rate": 0.1, "inputs": ["input"]},
               {"id": "s", "type": "Sigmoid", "inputs": ["d"]},
               {"id": "out", "type": "Dense", "units": 7, "inputs": ["s"]})")}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(GraphModule, RefusesAModelWithProblems) {
  const ModelParseResult parsed = parseModelSpec(
      model("[4]", R"({"id": "out", "type": "Conv2d", "filters": 2, "inputs": ["input"]})"));
  ASSERT_TRUE(parsed.spec);
  const ModelAnalysis analysis = analyzeModel(*parsed.spec);
  EXPECT_THROW(GraphModule(*parsed.spec, analysis), std::invalid_argument);
}

TEST(GraphModule, RegistersEveryLayerUnderItsNodeId) {
  const ModelParseResult parsed =
      parseModelSpec(model("[4]",
                           R"({"id": "hidden", "type": "Dense", "units": 3, "inputs": ["input"]},
         {"id": "out", "type": "Dense", "units": 2, "inputs": ["hidden"]})"));
  GraphModule module(*parsed.spec, analyzeModel(*parsed.spec));
  std::set<std::string> names;
  for (const auto& item : module->named_parameters())
    names.insert(item.key());
  EXPECT_EQ(names,
            (std::set<std::string>{"hidden.weight", "hidden.bias", "out.weight", "out.bias"}));
}

}  // namespace
}  // namespace layerlab::engine
