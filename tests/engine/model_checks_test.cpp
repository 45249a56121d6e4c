// Graph checks over a corpus of model documents (tests/data/models): every bad document gives a
// clear problem on the expected node and nothing crashes; every good one analyses, builds and
// runs. Also the limits, the memory estimate and the summary's totals.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <set>

#include "engine/model/graph_module.h"
#include "engine/model/model_summary.h"

namespace layerlab::engine {
namespace {

namespace fs = std::filesystem;

const fs::path kModels = fs::path(LAYERLAB_SOURCE_DIR) / "tests" / "data" / "models";

struct Expected {
  std::string nodeId;    // "" for a problem of the whole document
  std::string fragment;  // a part of the message
};

// One document per error class; the key is the file name without ".json".
const std::map<std::string, std::vector<Expected>>& badCorpus() {
  static const std::map<std::string, std::vector<Expected>> kCorpus = {
      {"not_json", {{"", "not valid JSON at line 3"}}},
      {"not_an_object", {{"", "must be a JSON object"}}},
      {"wrong_format", {{"", "'format' must be \"layerlab.model\""}}},
      {"wrong_version", {{"", "'version' must be 1"}}},
      {"unknown_top_level_key", {{"", "unknown key 'plugin' at the top level"}}},
      {"missing_input", {{"", "missing 'input'"}}},
      {"bad_input_shape", {{"", "'input.shape' must be a non-empty list of positive integers"}}},
      {"bad_input_dtype", {{"", "'input.dtype' must be \"float32\" or \"int64\""}}},
      {"bad_node_id", {{"", "node #1 needs an 'id' of letters, digits"}}},
      {"duplicate_id", {{"out", "the id is used by more than one node"}}},
      {"missing_type", {{"out", "needs a 'type'"}}},
      {"missing_node_inputs", {{"out", "needs 'inputs'"}}},
      {"missing_outputs", {{"", "missing 'outputs'"}}},
      {"unknown_type", {{"out", "unknown layer type 'Densse'"}}},
      {"unknown_parameter", {{"out", "unknown parameter 'unitz' (Dense takes: units, use_bias)"}}},
      {"missing_required_parameter", {{"out", "units is required: the number of output"}}},
      {"wrong_parameter_type", {{"out", "units must be an integer"}}},
      {"parameter_out_of_range", {{"out", "rate must be between 0 and 0.999, not 1.5"}}},
      {"bad_choice", {{"out", "activation must be one of: relu, gelu"}}},
      {"bad_padding", {{"out", "padding must be an integer or one of: same, valid"}}},
      {"bad_int_list", {{"out", "target_shape must be a list of 1 to 8 integers"}}},
      {"same_padding_with_stride", {{"out", "padding \"same\" needs stride 1"}}},
      {"rank_mismatch",
       {{"out", "expects an input of shape [channels, height, width], got [784]"}}},
      {"add_shape_mismatch",
       {{"out", "input 'input' has shape [1, 28, 28] but input 'conv' has shape [8, 28, 28]"}}},
      {"concat_shape_mismatch",
       {{"out", "input 'input' has shape [1, 28, 28] but input 'pool' has shape [1, 14, 14]"}}},
      {"kernel_too_big", {{"out", "does not fit the 3x3 input"}}},
      {"groups_mismatch", {{"out", "groups (3) must divide both the input channels (1)"}}},
      {"heads_mismatch", {{"out", "num_heads (3) must divide the feature size (8)"}}},
      {"reshape_count_mismatch",
       {{"out", "cannot reshape [1, 28, 28] (784 values) into [27, 28]"}}},
      {"reshape_two_unknowns", {{"out", "at most one -1"}}},
      {"wrong_input_count", {{"out", "Dense takes one input, not 2"}}},
      {"too_few_merge_inputs", {{"out", "Add takes from 2 to 32 inputs, not 1"}}},
      {"recurrent_on_image", {{"out", "expects an input of shape [time, features]"}}},
      {"recurrent_dropout_single_layer", {{"out", "dropout acts between stacked layers"}}},
      {"axis_out_of_range", {{"out", "axis 2 is outside the input [3, 4]"}}},
      {"layer_norm_shape", {{"out", "normalized_shape [5] must be the last dimensions"}}},
      {"cycle", {{"a", "is part of a cycle"}, {"out", "is part of a cycle"}}},
      {"dangling_node", {{"lost", "does not lead to any output"}}},
      {"unknown_input_reference", {{"out", "its input 'nowhere' is neither"}}},
      {"missing_output", {{"", "the output 'result' is not a node of the model"}}},
      {"float_layer_reads_tokens",
       {{"out", "Dense reads float32 values, but its input 'input' gives int64"}}},
      {"embedding_reads_floats",
       {{"out", "Embedding reads int64 token ids, but its input 'input' gives float32"}}},
      {"token_output", {{"out", "a model's output must be float32"}}},
      {"mixed_dtypes", {{"out", "its inputs mix int64 and float32 values"}}},
      {"huge_units", {{"out", "units must be between 1 and 16777216, not 4000000000"}}},
      {"huge_unsigned_parameter", {{"out", "units must be between 1 and 16777216"}}},
      {"huge_dense",
       {{"out",
         "has 1,000,001,000,000 trainable parameters, more than the limit of 2,147,483,648"}}},
      {"huge_total_parameters",
       {{"", "the model has 4,232,092,000 trainable parameters, more than the limit"}}},
      {"huge_output",
       {{"out", "its output [65536, 256, 256] would hold 4,294,967,296 values per sample"}}},
      {"huge_input",
       {{"", "the input [100000, 100000] would hold 10,000,000,000 values per sample"}}},
      {"huge_attention",
       {{"out", "the attention weights (num_heads · time²) would hold 20,000,000,000 values"}}},
      {"several_problems",
       {{"a", "unknown layer type 'Nope'"},
        {"b", "units must be between 1 and"},
        {"c", "expects an input of shape [channels, height, width], got [4]"},
        {"lost", "does not lead to any output"}}},
  };
  return kCorpus;
}

std::vector<ModelProblem> problemsOf(const fs::path& path) {
  const ModelParseResult parsed = loadModelSpec(path.string());
  if (!parsed.spec) return parsed.problems;
  const ModelAnalysis analysis = analyzeModel(*parsed.spec);
  // The summary and the estimate must cope with whatever the analysis left unknown.
  EXPECT_FALSE(formatSummary(*parsed.spec, analysis).empty());
  EXPECT_GE(estimateTrainingMemory(analysis, 64, "adam").totalBytes, 0);
  return analysis.problems;
}

TEST(BadModels, EveryDocumentGivesItsProblemOnItsNode) {
  std::set<std::string> files;
  for (const auto& entry : fs::directory_iterator(kModels / "bad")) {
    const std::string name = entry.path().stem().string();
    files.insert(name);
    SCOPED_TRACE(entry.path().filename().string());
    const auto expected = badCorpus().find(name);
    ASSERT_NE(expected, badCorpus().end()) << "add the expected problem to the table";
    const std::vector<ModelProblem> problems = problemsOf(entry.path());
    ASSERT_FALSE(problems.empty());
    for (const ModelProblem& problem : problems)
      EXPECT_GT(problem.message.size(), 10U) << "too terse: " << problem.describe();
    for (const Expected& want : expected->second) {
      bool found = false;
      for (const ModelProblem& p : problems)
        found = found ||
                (p.nodeId == want.nodeId && p.message.find(want.fragment) != std::string::npos);
      EXPECT_TRUE(found) << "expected on '" << want.nodeId << "': " << want.fragment
                         << "\nfirst problem: " << problems.front().describe();
    }
  }
  for (const auto& [name, expected] : badCorpus())
    EXPECT_TRUE(files.contains(name)) << name << ".json is missing from the corpus";
}

TEST(GoodModels, AnalyseBuildAndRunForwardAndBackward) {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(kModels / "good")) {
    SCOPED_TRACE(entry.path().filename().string());
    const ModelParseResult parsed = loadModelSpec(entry.path().string());
    ASSERT_TRUE(parsed.spec) << parsed.problems.front().describe();
    const ModelAnalysis analysis = analyzeModel(*parsed.spec);
    ASSERT_TRUE(analysis.ok()) << analysis.problems.front().describe();
    GraphModule module(*parsed.spec, analysis);
    EXPECT_EQ(countParameters(*module), analysis.totalParams);
    Shape shape = parsed.spec->inputShape;
    shape.insert(shape.begin(), 4);
    // Token ids as the data would bring them; below every vocabulary in the good models.
    const torch::Tensor x = parsed.spec->inputDtype == kInt64
                                ? torch::randint(0, 20, shape, torch::kInt64)
                                : torch::randn(shape);
    const torch::Tensor y = module->forward(x);
    Shape expected = *analysis.nodes[analysis.outputIndices.front()].outputShape;
    expected.insert(expected.begin(), 4);
    EXPECT_EQ(Shape(y.sizes().begin(), y.sizes().end()), expected);
    y.sum().backward();
    // Whatever type the data arrives in, the module reads it as its input dtype.
    module->eval();
    torch::NoGradGuard noGrad;
    const torch::Tensor other = x.to(x.is_floating_point() ? torch::kFloat64 : torch::kFloat32);
    EXPECT_TRUE(torch::allclose(module->forward(other), module->forward(x), 1e-4, 1e-5));
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

double millisecondsToAnalyse(const std::string& nodes, const std::string& input) {
  const std::string text = R"({"format": "layerlab.model", "version": 1, "input": {"shape": )" +
                           input + R"(}, "nodes": [)" + nodes + R"(], "outputs": ["out"]})";
  const auto start = std::chrono::steady_clock::now();
  const ModelParseResult parsed = parseModelSpec(text);
  EXPECT_TRUE(parsed.spec);
  const ModelAnalysis analysis = analyzeModel(*parsed.spec);
  EXPECT_FALSE(analysis.ok());
  EXPECT_THROW(GraphModule(*parsed.spec, analysis), std::invalid_argument);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

TEST(ModelLimits, HugeModelsAreRefusedInMillisecondsBeforeAnyAllocation) {
  EXPECT_LT(
      millisecondsToAnalyse(
          R"({"id": "out", "type": "Dense", "units": 4000000000, "inputs": ["input"]})", "[4]"),
      50);
  EXPECT_LT(
      millisecondsToAnalyse(
          R"({"id": "out", "type": "Dense", "units": 1000000, "inputs": ["input"]})", "[1000000]"),
      50);
  // Counts saturate instead of wrapping: a chain of huge layers stays huge.
  const ModelParseResult parsed = parseModelSpec(
      R"({"format": "layerlab.model", "version": 1, "input": {"shape": [16777216]}, "nodes": [
        {"id": "a", "type": "Dense", "units": 16777216, "inputs": ["input"]},
        {"id": "b", "type": "Dense", "units": 16777216, "inputs": ["a"]},
        {"id": "out", "type": "Dense", "units": 16777216, "inputs": ["b"]}], "outputs": ["out"]})");
  const ModelAnalysis analysis = analyzeModel(*parsed.spec);
  EXPECT_GT(analysis.totalParams, kMaxModelParams);
  EXPECT_EQ(analysis.problems.size(), 3U);
  EXPECT_EQ(saturatingMul(kSaturated, 2), kSaturated);
  EXPECT_EQ(saturatingAdd(kSaturated, 1), kSaturated);
  EXPECT_EQ(elementCount({1 << 30, 1 << 30, 1 << 30}), kSaturated);
}

ModelAnalysis analyseTemplate(const std::string& name) {
  const ModelParseResult parsed = loadModelSpec(std::string(LAYERLAB_SOURCE_DIR) +
                                                "/resources/templates/" + name + ".layerlab.json");
  EXPECT_TRUE(parsed.spec);
  return parsed.spec ? analyzeModel(*parsed.spec) : ModelAnalysis{};
}

TEST(MemoryEstimate, MatchesAHandCount) {
  // mlp: 101,770 parameters; per sample the outputs are input 784, flat 784, fc1 128, act1 128
  // and out 10 values: 1,834 floats.
  const ModelAnalysis mlp = analyseTemplate("mlp");
  const MemoryEstimate adam = estimateTrainingMemory(mlp, 32, "adam");
  EXPECT_EQ(adam.optimizerStates, 2);
  EXPECT_EQ(adam.weightBytes, 101770 * 4);
  EXPECT_EQ(adam.gradientBytes, 101770 * 4);
  EXPECT_EQ(adam.optimizerBytes, 2 * 101770 * 4);
  EXPECT_EQ(adam.activationBytes, 1834 * 4 * 32);
  EXPECT_EQ(adam.totalBytes, 4 * 101770 * 4 + 1834 * 4 * 32);
  EXPECT_EQ(estimateTrainingMemory(mlp, 32, "sgd").optimizerBytes, 101770 * 4);
  EXPECT_EQ(estimateTrainingMemory(mlp, 32, "sgd", 0.0).optimizerBytes, 0);
  EXPECT_EQ(estimateTrainingMemory(mlp, 32, "rmsprop").optimizerStates, 2);
  EXPECT_THROW(estimateTrainingMemory(mlp, 32, "lbfgs"), std::invalid_argument);
  EXPECT_THROW(estimateTrainingMemory(mlp, 0, "adam"), std::invalid_argument);
  // Running statistics are weights but get no gradient; token ids take 8 bytes.
  const ModelParseResult parsed = parseModelSpec(
      R"({"format": "layerlab.model", "version": 1, "input": {"shape": [6], "dtype": "int64"},
          "nodes": [{"id": "e", "type": "Embedding", "input_dim": 10, "output_dim": 4,
                     "inputs": ["input"]},
                    {"id": "out", "type": "BatchNorm", "inputs": ["e"]}], "outputs": ["out"]})");
  const ModelAnalysis tokens = analyzeModel(*parsed.spec);
  ASSERT_TRUE(tokens.ok()) << tokens.problems.front().describe();
  const MemoryEstimate e = estimateTrainingMemory(tokens, 2, "sgd");
  EXPECT_EQ(e.weightBytes, (40 + 12 + 12) * 4);
  EXPECT_EQ(e.gradientBytes, (40 + 12) * 4);
  EXPECT_EQ(e.activationBytes, (6 * 8 + 24 * 4 + 24 * 4) * 2);
  // Beyond every limit the bytes saturate rather than wrap.
  EXPECT_EQ(estimateTrainingMemory(analyseTemplate("cnn"), int64_t{1} << 62, "adam").totalBytes,
            kSaturated);
}

TEST(ModelSummary, ShowsMacsNonTrainableCountsAndTheEstimate) {
  const ModelParseResult parsed = loadModelSpec(std::string(LAYERLAB_SOURCE_DIR) +
                                                "/resources/templates/residual_cnn.layerlab.json");
  ASSERT_TRUE(parsed.spec);
  const ModelAnalysis analysis = analyzeModel(*parsed.spec);
  ASSERT_TRUE(analysis.ok()) << analysis.problems.front().describe();
  EXPECT_GT(analysis.totalNonTrainable, 0);
  const std::string summary = formatSummary(*parsed.spec, analysis);
  for (const std::string& part :
       {std::string("MACs"), std::string("stem_bn (BatchNorm)"),
        "Total params: " + formatThousands(analysis.totalParams + analysis.totalNonTrainable),
        "Trainable params: " + formatThousands(analysis.totalParams),
        "Non-trainable params: " + formatThousands(analysis.totalNonTrainable),
        "Multiply-adds per sample: " + formatThousands(analysis.totalMacs)}) {
    EXPECT_NE(summary.find(part), std::string::npos) << part << "\n" << summary;
  }
  const std::string memory = formatMemoryEstimate(estimateTrainingMemory(analysis, 64, "adam"));
  for (const char* part : {"batch size 64, adam", "Weights:", "Gradients:", "Optimizer state:",
                           "Activations:", "Total:", "An estimate"}) {
    EXPECT_NE(memory.find(part), std::string::npos) << part << "\n" << memory;
  }
  EXPECT_EQ(formatBytes(512), "512 B");
  EXPECT_EQ(formatBytes(1536), "1.50 KiB");
  EXPECT_EQ(formatBytes(int64_t{10} << 20), "10.0 MiB");
  EXPECT_EQ(formatBytes(int64_t{300} << 30), "300 GiB");
}

TEST(LayerRegistry, EveryTypeAndParameterIsDescribedForThePalette) {
  const std::set<std::string> categories = {"Core",          "Convolution", "Pooling",
                                            "Normalisation", "Activation",  "Regularisation",
                                            "Recurrent",     "Attention",   "Merge"};
  for (const LayerType& type : layerRegistry().types()) {
    SCOPED_TRACE(type.name);
    EXPECT_TRUE(categories.contains(type.category)) << type.category;
    EXPECT_FALSE(type.description.empty());
    EXPECT_TRUE(type.inferShape && type.countParams && type.countMacs);
    for (const ParamSpec& param : type.params) {
      EXPECT_FALSE(param.description.empty()) << param.name;
      EXPECT_EQ(param.description.find('\n'), std::string::npos) << param.name;
      if (!param.defaultValue.is_null()) {
        std::vector<std::string> problems;
        layerRegistry().resolveParams(type, {{param.name, param.defaultValue}}, problems);
        for (const std::string& p : problems) {
          EXPECT_EQ(p.find(param.name + " must"), std::string::npos) << "default refused: " << p;
        }
      }
    }
  }
}

}  // namespace
}  // namespace layerlab::engine
