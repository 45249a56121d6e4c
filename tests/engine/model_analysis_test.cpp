// Shape inference over whole documents: good specs give the expected shapes and counts, each kind
// of error is reported on the node that causes it.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "engine/model/model_analysis.h"
#include "engine/model/model_summary.h"

namespace layerlab::engine {
namespace {

std::string modelText(const std::string& inputShape, const std::string& nodes,
                      const std::string& outputs = R"(["out"])") {
  return R"({"format": "layerlab.model", "version": 1, "name": "t", "input": {"shape": )" +
         inputShape + R"(}, "nodes": [)" + nodes + R"(], "outputs": )" + outputs + "}";
}

ModelAnalysis analyzeText(const std::string& text) {
  ModelParseResult parsed = parseModelSpec(text);
  EXPECT_TRUE(parsed.spec.has_value())
      << (parsed.problems.empty() ? "" : parsed.problems[0].describe());
  return parsed.spec ? analyzeModel(*parsed.spec) : ModelAnalysis{};
}

struct GoodCase {
  const char* name;
  std::string input;
  std::string nodes;
  Shape outShape;
  int64_t params;
  int64_t macs;
};

// Test names already say which case failed; print the name, not the bytes.
void PrintTo(const GoodCase& c, std::ostream* os) {
  *os << c.name;
}

class GoodSpecs : public ::testing::TestWithParam<GoodCase> {};

TEST_P(GoodSpecs, InferShapeParamsAndMacs) {
  const GoodCase& c = GetParam();
  const ModelAnalysis analysis = analyzeText(modelText(c.input, c.nodes));
  ASSERT_TRUE(analysis.ok()) << analysis.problems.front().describe();
  const NodeAnalysis* out = analysis.find("out");
  ASSERT_NE(out, nullptr);
  ASSERT_TRUE(out->outputShape.has_value());
  EXPECT_EQ(*out->outputShape, c.outShape);
  EXPECT_EQ(analysis.totalParams, c.params);
  EXPECT_EQ(analysis.totalMacs, c.macs);
}

INSTANTIATE_TEST_SUITE_P(
    Table, GoodSpecs,
    ::testing::Values(
        GoodCase{"mlp",
                 "[1, 28, 28]",
                 R"({"id": "f", "type": "Flatten", "inputs": ["input"]},
                    {"id": "h", "type": "Dense", "units": 128, "inputs": ["f"]},
                    {"id": "a", "type": "ReLU", "inputs": ["h"]},
                    {"id": "out", "type": "Dense", "units": 10, "inputs": ["a"]})",
                 {10},
                 101770,
                 784 * 128 + 128 * 10},
        GoodCase{
            "dense_no_bias",
            "[20]",
            R"({"id": "out", "type": "Dense", "units": 5, "use_bias": false, "inputs": ["input"]})",
            {5},
            100,
            100},
        GoodCase{"dense_on_sequence",
                 "[7, 16]",
                 R"({"id": "out", "type": "Dense", "units": 4, "inputs": ["input"]})",
                 {7, 4},
                 16 * 4 + 4,
                 7 * 16 * 4},
        GoodCase{
            "conv_valid",
            "[3, 32, 32]",
            R"({"id": "out", "type": "Conv2d", "filters": 8, "kernel_size": 5, "inputs": ["input"]})",
            {8, 28, 28},
            8 * 3 * 25 + 8,
            8 * 28 * 28 * 3 * 25},
        GoodCase{"conv_stride_pad_dilation",
                 "[2, 15, 15]",
                 R"({"id": "out", "type": "Conv2d", "filters": 4, "kernel_size": 3, "stride": 2,
                     "padding": 2, "dilation": 2, "use_bias": false, "inputs": ["input"]})",
                 {4, 8, 8},
                 4 * 2 * 9,
                 4 * 8 * 8 * 2 * 9},
        GoodCase{"pool_default_stride",
                 "[6, 28, 28]",
                 R"({"id": "out", "type": "MaxPool2d", "inputs": ["input"]})",
                 {6, 14, 14},
                 0,
                 0},
        GoodCase{
            "pool_odd_with_stride",
            "[1, 7, 9]",
            R"({"id": "out", "type": "MaxPool2d", "pool_size": 3, "stride": 2, "inputs": ["input"]})",
            {1, 3, 4},
            0,
            0},
        GoodCase{"activations_keep_shape",
                 "[3, 4]",
                 R"({"id": "s", "type": "Sigmoid", "inputs": ["input"]},
                    {"id": "t", "type": "Tanh", "inputs": ["s"]},
                    {"id": "out", "type": "Dropout", "rate": 0.2, "inputs": ["t"]})",
                 {3, 4},
                 0,
                 0}),
    [](const auto& info) { return std::string(info.param.name); });

struct BadCase {
  const char* name;
  std::string text;
  std::string nodeId;   // the node the problem must be pinned to ("" = the whole model)
  std::string message;  // a part of the message
};

// Test names already say which case failed; print the name, not the bytes.
void PrintTo(const BadCase& c, std::ostream* os) {
  *os << c.name;
}

class BadSpecs : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadSpecs, ReportTheProblemOnItsNode) {
  const BadCase& c = GetParam();
  std::vector<ModelProblem> problems;
  ModelParseResult parsed = parseModelSpec(c.text);
  if (parsed.spec)
    problems = analyzeModel(*parsed.spec).problems;
  else
    problems = parsed.problems;
  ASSERT_FALSE(problems.empty());
  bool found = false;
  for (const ModelProblem& p : problems) {
    found = found || (p.nodeId == c.nodeId && p.message.find(c.message) != std::string::npos);
  }
  EXPECT_TRUE(found) << "first problem: " << problems.front().describe();
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadSpecs,
    ::testing::Values(
        BadCase{"not_json", "{\"format\": \"layerlab.model\",\n \"nodes\": [", "",
                "not valid JSON at line 2"},
        BadCase{
            "unknown_type",
            modelText("[4]", R"({"id": "out", "type": "Densse", "units": 3, "inputs": ["input"]})"),
            "out", "unknown layer type 'Densse'"},
        BadCase{
            "unknown_param",
            modelText(
                "[4]",
                R"({"id": "out", "type": "Dense", "units": 3, "unitz": 4, "inputs": ["input"]})"),
            "out", "unknown parameter 'unitz'"},
        BadCase{"missing_required",
                modelText("[4]", R"({"id": "out", "type": "Dense", "inputs": ["input"]})"), "out",
                "units is required"},
        BadCase{
            "bad_param_type",
            modelText("[4]",
                      R"({"id": "out", "type": "Dense", "units": "many", "inputs": ["input"]})"),
            "out", "units must be an integer"},
        BadCase{"param_out_of_range",
                modelText("[4]",
                          R"({"id": "out", "type": "Dropout", "rate": 1.5, "inputs": ["input"]})"),
                "out", "rate must be between 0 and 0.999"},
        BadCase{"huge_dense_refused",
                modelText(
                    "[4]",
                    R"({"id": "out", "type": "Dense", "units": 4000000000, "inputs": ["input"]})"),
                "out", "units must be between 1 and"},
        BadCase{"shape_mismatch",
                modelText("[784]",
                          R"({"id": "out", "type": "Conv2d", "filters": 3, "inputs": ["input"]})"),
                "out", "got [784]"},
        BadCase{
            "kernel_too_big",
            modelText(
                "[1, 3, 3]",
                R"({"id": "out", "type": "Conv2d", "filters": 3, "kernel_size": 5, "inputs": ["input"]})"),
            "out", "does not fit the 3x3 input"},
        BadCase{"missing_input_node",
                modelText("[4]", R"({"id": "out", "type": "ReLU", "inputs": ["nowhere"]})"), "out",
                "its input 'nowhere'"},
        BadCase{"cycle", modelText("[4]", R"({"id": "a", "type": "ReLU", "inputs": ["out"]},
                                   {"id": "out", "type": "ReLU", "inputs": ["a"]})"),
                "a", "cycle"},
        BadCase{"dangling", modelText("[4]", R"({"id": "lost", "type": "ReLU", "inputs": ["input"]},
                                   {"id": "out", "type": "ReLU", "inputs": ["input"]})"),
                "lost", "does not lead to any output"},
        BadCase{"missing_output",
                modelText("[4]", R"({"id": "a", "type": "ReLU", "inputs": ["input"]})"), "",
                "the output 'out' is not a node"},
        BadCase{"duplicate_id",
                modelText("[4]", R"({"id": "out", "type": "ReLU", "inputs": ["input"]},
                                   {"id": "out", "type": "Tanh", "inputs": ["input"]})"),
                "out", "used by more than one node"},
        BadCase{"two_inputs_to_dense",
                modelText(
                    "[4]",
                    R"({"id": "out", "type": "Dense", "units": 2, "inputs": ["input", "input"]})"),
                "out", "takes one input, not 2"},
        BadCase{
            "missing_model_input",
            R"({"format": "layerlab.model", "version": 1, "nodes": [{"id": "out", "type": "ReLU", "inputs": ["input"]}], "outputs": ["out"]})",
            "", "missing 'input'"},
        BadCase{
            "unknown_top_level_key",
            R"({"format": "layerlab.model", "version": 1, "input": {"shape": [4]}, "plugin": "x.so",
                    "nodes": [{"id": "out", "type": "ReLU", "inputs": ["input"]}], "outputs": ["out"]})",
            "", "unknown key 'plugin'"},
        BadCase{"wrong_version",
                R"({"format": "layerlab.model", "version": 7, "input": {"shape": [4]},
                    "nodes": [{"id": "out", "type": "ReLU", "inputs": ["input"]}], "outputs": ["out"]})",
                "", "'version' must be 1"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(ModelAnalysis, CollectsEveryProblemNotOnlyTheFirst) {
  const ModelAnalysis analysis =
      analyzeText(modelText("[4]", R"({"id": "a", "type": "Nope", "inputs": ["input"]},
                          {"id": "b", "type": "Dense", "units": 0, "inputs": ["input"]},
                          {"id": "out", "type": "ReLU", "inputs": ["a", "b"]})"));
  std::set<std::string> nodes;
  for (const ModelProblem& p : analysis.problems)
    nodes.insert(p.nodeId);
  EXPECT_EQ(nodes, (std::set<std::string>{"a", "b", "out"}));
}

TEST(ModelAnalysis, TemplatesAreValidAndSummaryShowsKerasTotals) {
  for (const char* name : {"mlp", "cnn"}) {
    const std::string path =
        std::string(LAYERLAB_SOURCE_DIR) + "/resources/templates/" + name + ".layerlab.json";
    const ModelParseResult parsed = loadModelSpec(path);
    ASSERT_TRUE(parsed.spec) << path;
    const ModelAnalysis analysis = analyzeModel(*parsed.spec);
    EXPECT_TRUE(analysis.ok()) << name;
    const std::string summary = formatSummary(*parsed.spec, analysis);
    EXPECT_NE(summary.find("Total params: " + formatThousands(analysis.totalParams)),
              std::string::npos);
  }
  const ModelAnalysis mlp = analyzeModel(
      *loadModelSpec(std::string(LAYERLAB_SOURCE_DIR) + "/resources/templates/mlp.layerlab.json")
           .spec);
  EXPECT_EQ(mlp.totalParams, 101770);
  EXPECT_EQ(formatThousands(101770), "101,770");
  EXPECT_EQ(formatThousands(999), "999");
  EXPECT_EQ(formatThousands(1000000), "1,000,000");
}

TEST(ModelSpec, JsonRoundTripKeepsEverything) {
  const std::string text =
      modelText("[1, 8, 8]", R"({"id": "c", "type": "Conv2d", "filters": 2, "inputs": ["input"]},
                     {"id": "out", "type": "Flatten", "inputs": ["c"]})");
  ModelParseResult first = parseModelSpec(text);
  ASSERT_TRUE(first.spec);
  first.spec->editor = {{"positions", {{"c", {10, 20}}}}};
  ModelParseResult second = parseModelSpec(toJson(*first.spec).dump());
  ASSERT_TRUE(second.spec);
  EXPECT_EQ(toJson(*second.spec), toJson(*first.spec));
  EXPECT_EQ(second.spec->nodes[0].params["filters"], 2);
}

}  // namespace
}  // namespace layerlab::engine
