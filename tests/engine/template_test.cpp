// Every shipped template parses, analyses without problems, builds, and learns: a few epochs on
// a small labelled set of random inputs of its shape must lower the loss well below its start.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <set>

#include "engine/train/trainer.h"

namespace layerlab::engine {
namespace {

namespace fs = std::filesystem;

// One random pattern of the input's shape per class, plus noise: every template can learn it.
TensorDataset patternData(const ModelSpec& spec, int64_t classes, int64_t samples) {
  Shape shape = spec.inputShape;
  shape.insert(shape.begin(), samples);
  const torch::Tensor targets = torch::randint(0, classes, {samples}, torch::kInt64);
  if (spec.inputDtype == kInt64) {
    // Random ids, but the first one names the class.
    const torch::Tensor tokens = torch::randint(0, 10, shape, torch::kInt64);
    tokens.view({samples, -1}).select(1, 0).copy_(targets.remainder(10));
    return {tokens, targets};
  }
  Shape patternShape = spec.inputShape;
  patternShape.insert(patternShape.begin(), classes);
  const torch::Tensor patterns = torch::randn(patternShape);
  return {patterns.index_select(0, targets) + 0.5 * torch::randn(shape), targets};
}

TrainConfig shortRun() {
  TrainConfig config;
  config.learningRate = 1e-3;
  config.batchSize = 16;
  config.epochs = 8;
  config.monitor = "train_loss";
  config.threads = 1;
  return config;
}

TEST(Templates, EveryTemplateAnalysesBuildsAndLearnsOnRandomData) {
  const fs::path folder = fs::path(LAYERLAB_SOURCE_DIR) / "resources" / "templates";
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) {
    SCOPED_TRACE(entry.path().filename().string());
    const ModelParseResult parsed = loadModelSpec(entry.path().string());
    ASSERT_TRUE(parsed.spec) << parsed.problems.front().describe();
    names.insert(parsed.spec->name);
    const ModelAnalysis analysis = analyzeModel(*parsed.spec);
    ASSERT_TRUE(analysis.ok()) << analysis.problems.front().describe();
    const Shape& out = *analysis.nodes[analysis.outputIndices.front()].outputShape;
    ASSERT_EQ(out.size(), 1U) << "a template classifies: its output is [classes]";
    prepareDeterministicRun(3, 1);
    const TensorDataset data = patternData(*parsed.spec, out[0], 128);
    Trainer trainer(GraphModule(*parsed.spec, analysis), shortRun(), torch::kCPU, out[0]);
    const double before = trainer.evaluate(data).loss;
    const FitResult fit = trainer.fit(data, {});
    ASSERT_EQ(fit.history.size(), 8U);
    const double after = trainer.evaluate(data).loss;
    EXPECT_LT(after, 0.7 * before);
  }
  for (const char* name : {"mlp", "cnn", "residual_cnn", "lstm", "transformer", "tabular_mlp"})
    EXPECT_TRUE(names.contains(name)) << name;
}

// Every template says what it is for; those with suggested training settings give sound ones, and
// they survive a save (toJson) and reload.
TEST(Templates, DescriptionsAndSuggestedTrainingRoundTrip) {
  const std::string folder = std::string(LAYERLAB_SOURCE_DIR) + "/resources/templates";
  int suggesting = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    const ModelParseResult parsed = loadModelSpec(entry.path().string());
    ASSERT_TRUE(parsed.spec) << entry.path();
    EXPECT_GT(parsed.spec->description.size(), 40U) << entry.path();
    const ModelParseResult again = parseModelSpec(toJson(*parsed.spec).dump());
    ASSERT_TRUE(again.spec);
    EXPECT_EQ(again.spec->description, parsed.spec->description);
    EXPECT_EQ(again.spec->suggestedTraining, parsed.spec->suggestedTraining);
    if (parsed.spec->suggestedTraining.is_null()) continue;
    ++suggesting;
    const TrainConfig config = withSuggestions(TrainConfig{}, parsed.spec->suggestedTraining);
    EXPECT_NE(toJson(config), toJson(TrainConfig{})) << entry.path();
  }
  EXPECT_GE(suggesting, 1);
}

TEST(Templates, BadSuggestedTrainingIsRefusedNamingTheKey) {
  const std::string base =
      R"({"format":"layerlab.model","version":1,"input":{"shape":[4]},)"
      R"("nodes":[{"id":"out","type":"Dense","units":3,"inputs":["input"]}],"outputs":["out"],)";
  const ModelParseResult typo = parseModelSpec(base + R"("suggested_training":{"epoch":3}})");
  ASSERT_FALSE(typo.problems.empty());
  EXPECT_NE(typo.problems.front().describe().find("epoch"), std::string::npos);
  const ModelParseResult bad = parseModelSpec(base + R"("suggested_training":{"epochs":0}})");
  EXPECT_FALSE(bad.problems.empty());
  const ModelParseResult good =
      parseModelSpec(base + R"("suggested_training":{"schedule":{"type":"cosine"}}})");
  ASSERT_TRUE(good.spec) << good.problems.front().describe();
  EXPECT_EQ(withSuggestions(TrainConfig{}, good.spec->suggestedTraining).schedule.type, "cosine");
  EXPECT_EQ(withSuggestions(TrainConfig{}, good.spec->suggestedTraining).epochs, 5);
}

}  // namespace
}  // namespace layerlab::engine
