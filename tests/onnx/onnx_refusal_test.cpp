// What the writer must refuse: graphs the ONNX checker or strict shape inference rejects, and
// layer options that ONNX cannot express. Nothing is written when it refuses.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "engine/export/onnx_export.h"
#include "engine/model/graph_module.h"
#include "tests/support/temp_dir.h"

namespace layerlab::engine {
namespace {

namespace fs = std::filesystem;

OnnxValueInfo floatValue(const std::string& name, std::vector<OnnxDim> dims) {
  return {name, OnnxType::Float32, std::move(dims)};
}

// input [N, 3, 4] · weight [5, 4]: the shape of a Dense over a sequence.
void addSequenceInput(OnnxGraph& graph) {
  graph.addInput(floatValue(graph.uniqueName("input"), {std::string("N"), int64_t{3}, int64_t{4}}));
  const std::vector<float> weight(20, 0.5F);
  graph.addFloatInitializer(graph.uniqueName("weight"), {5, 4}, weight.data());
}

std::string refusal(const OnnxGraph& graph) {
  try {
    graph.validate();
  } catch (const OnnxExportError& error) {
    return error.what();
  }
  return {};
}

TEST(OnnxRefusals, AGemmFedARank3TensorIsRefusedByShapeInference) {
  // The checker alone passes this graph; onnxruntime would refuse to load it.
  OnnxGraph graph;
  addSequenceInput(graph);
  graph.addNode("Gemm", {"input", "weight"}, {"output"}, {{"transB", int64_t{1}}});
  graph.addOutput(floatValue("output", {std::string("N"), int64_t{3}, int64_t{5}}));
  const std::string message = refusal(graph);
  EXPECT_NE(message.find("shape inference"), std::string::npos) << message;
  EXPECT_NE(message.find("rank"), std::string::npos) << message;
}

TEST(OnnxRefusals, TheSameGraphWithMatMulPasses) {
  OnnxGraph graph;
  addSequenceInput(graph);
  const std::vector<float> transposed(20, 0.5F);
  graph.addFloatInitializer(graph.uniqueName("weight_T"), {4, 5}, transposed.data());
  graph.addNode("MatMul", {"input", "weight_T"}, {"output"});
  graph.addOutput(floatValue("output", {std::string("N"), int64_t{3}, int64_t{5}}));
  EXPECT_EQ(refusal(graph), "");
}

TEST(OnnxRefusals, TheCheckerRefusesUnknownOpsUnsortedNodesAndWrongDeclaredShapes) {
  {
    OnnxGraph graph;
    addSequenceInput(graph);
    graph.addNode("Gelu", {"input"}, {"output"});  // an opset-20 op
    graph.addOutput(floatValue("output", {std::string("N"), int64_t{3}, int64_t{4}}));
    EXPECT_NE(refusal(graph).find("checker"), std::string::npos) << refusal(graph);
  }
  {
    OnnxGraph graph;
    addSequenceInput(graph);
    graph.addNode("Relu", {"hidden"}, {"output"});  // reads a value made after it
    graph.addNode("Relu", {"input"}, {"hidden"});
    graph.addOutput(floatValue("output", {std::string("N"), int64_t{3}, int64_t{4}}));
    EXPECT_NE(refusal(graph).find("checker"), std::string::npos) << refusal(graph);
  }
  {
    OnnxGraph graph;
    addSequenceInput(graph);
    graph.addNode("Relu", {"input"}, {"output"});
    graph.addOutput(floatValue("output", {std::string("N"), int64_t{3}, int64_t{7}}));
    EXPECT_NE(refusal(graph).find("shape inference"), std::string::npos) << refusal(graph);
  }
}

ModelSpec ceilPoolModel() {
  ModelParseResult parsed = parseModelSpec(R"({"format": "layerlab.model", "version": 1,
      "name": "ceil", "input": {"shape": [1, 5, 5]},
      "nodes": [{"id": "pool", "type": "MaxPool2d", "pool_size": 2, "stride": 2, "padding": 1,
                 "ceil_mode": true, "inputs": ["input"]}],
      "outputs": ["pool"]})");
  return *parsed.spec;
}

TEST(OnnxRefusals, ALastPoolingWindowInThePaddingIsRefusedNamingTheLayer) {
  const ModelSpec spec = ceilPoolModel();
  const ModelAnalysis analysis = analyzeModel(spec);
  ASSERT_TRUE(analysis.ok());
  const std::vector<ModelProblem> problems = onnxExportProblems(spec, analysis);
  ASSERT_EQ(problems.size(), 1U);
  EXPECT_EQ(problems[0].nodeId, "pool");
  EXPECT_NE(problems[0].message.find("ceil_mode"), std::string::npos) << problems[0].message;

  test::TempDir dir;
  GraphModule module(spec, analysis);
  try {
    exportOnnx(spec, *module, {}, dir.file("ceil.onnx"));
    FAIL() << "the export was not refused";
  } catch (const OnnxExportError& error) {
    EXPECT_NE(std::string(error.what()).find("node 'pool'"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("MaxPool2d"), std::string::npos) << error.what();
  }
  EXPECT_TRUE(fs::is_empty(dir.path())) << "nothing may be written";
}

TEST(OnnxRefusals, AnExportReplacesTheFileWholeAndLeavesNoTemporaryFile) {
  ModelParseResult parsed = parseModelSpec(R"({"format": "layerlab.model", "version": 1,
      "name": "small", "input": {"shape": [4]},
      "nodes": [{"id": "fc", "type": "Dense", "units": 2, "inputs": ["input"]}],
      "outputs": ["fc"]})");
  const ModelAnalysis analysis = analyzeModel(*parsed.spec);
  GraphModule module(*parsed.spec, analysis);
  test::TempDir dir;
  const std::string path = dir.file("small.onnx");
  std::ofstream(path) << "old contents";
  const OnnxExportSummary summary = exportOnnx(*parsed.spec, *module, {}, path);
  EXPECT_EQ(static_cast<int64_t>(fs::file_size(path)), summary.fileBytes);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

}  // namespace
}  // namespace layerlab::engine
