// Models from someone else: more nodes than the cap (100k in a chain, a million broken ones),
// thousands of problems (the report stops after the first 100), and a model inside every
// per-layer limit that would need 32 GiB to train (refused before anything is allocated, with no
// run left behind).
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "engine/model/memory_budget.h"
#include "engine/model/model_analysis.h"
#include "engine/model/model_spec.h"
#include "tests/limits/limits_support.h"
#include "tests/support/temp_dir.h"

namespace layerlab {
namespace {

using test::MeasuredRun;
using test::runCliMeasured;

// `count` nodes that are empty objects: each one problem ("needs an 'id'").
std::string brokenNodesModel(int64_t count) {
  std::string nodes;
  for (int64_t i = 0; i < count; ++i)
    nodes += i == 0 ? "{}" : ",{}";
  return R"({"format": "layerlab.model", "version": 1, "input": {"shape": [4]}, "nodes": [)" +
         nodes + R"(], "outputs": ["x"]})";
}

void expectRefusedInOneLine(const MeasuredRun& run, const std::string& expected) {
  EXPECT_EQ(run.exitCode, 2) << run.err;
  const std::vector<std::string> lines = test::nonEmptyLines(run.err);
  ASSERT_EQ(lines.size(), 1U) << run.err.substr(0, 4000);
  EXPECT_EQ(lines[0], expected);
  EXPECT_GT(run.peakRssKiB, 0) << "no report from /usr/bin/time";
  EXPECT_LT(run.peakRssKiB, 1024 * 1024) << "peak RSS in KiB";
  EXPECT_LT(run.cpuSeconds, 3.0);
}

TEST(ModelLimits, ReportsStopAfterTheFirstHundredProblems) {
  const engine::ModelParseResult parsed = engine::parseModelSpec(brokenNodesModel(10000));
  ASSERT_EQ(parsed.problems.size(), engine::kMaxReportedProblems + 1);
  EXPECT_EQ(parsed.problems[0].describe(), "node #1 needs an 'id' of letters, digits, '_' or '-'");
  EXPECT_EQ(parsed.problems[99].describe(),
            "node #100 needs an 'id' of letters, digits, '_' or '-'");
  EXPECT_EQ(parsed.problems.back().describe(), "… and 9,900 more problems");

  // The analysis caps its report the same way: 10,000 layers of a type that does not exist.
  nlohmann::json doc = nlohmann::json::parse(test::chainModel(10000));
  for (nlohmann::json& node : doc["nodes"])
    node["type"] = "Nope";
  const engine::ModelParseResult chain = engine::parseModelSpec(doc.dump());
  ASSERT_TRUE(chain.spec);
  const engine::ModelAnalysis analysis = engine::analyzeModel(*chain.spec);
  ASSERT_EQ(analysis.problems.size(), engine::kMaxReportedProblems + 1);
  EXPECT_EQ(analysis.problems[0].describe(), "node 'n0': unknown layer type 'Nope'");
  EXPECT_EQ(analysis.problems.back().describe(), "… and 9,900 more problems");
}

TEST(ModelLimits, NodeCapIsOneProblem) {
  const engine::ModelParseResult over = engine::parseModelSpec(test::chainModel(10001));
  ASSERT_EQ(over.problems.size(), 1U);
  EXPECT_EQ(over.problems[0].describe(),
            "the model has 10,001 nodes, more than the limit of 10,000; is it the right file?");
  EXPECT_TRUE(engine::parseModelSpec(test::chainModel(10000)).spec);
}

// A chain at the node cap is analysed in milliseconds: every lookup by id is a hash lookup (a
// search of the node list per lookup took 29 s for 100k nodes). The bound leaves room for a
// loaded machine; a quadratic analysis takes seconds here.
TEST(ModelLimits, AnalysisOfTenThousandNodesIsLinear) {
  const engine::ModelParseResult parsed = engine::parseModelSpec(test::chainModel(10000));
  ASSERT_TRUE(parsed.spec);
  const auto start = std::chrono::steady_clock::now();
  const engine::ModelAnalysis analysis = engine::analyzeModel(*parsed.spec);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(analysis.ok()) << analysis.problems.front().describe();
  EXPECT_EQ(analysis.nodes.size(), 10000U);
  EXPECT_EQ(analysis.find("n9999"), &analysis.nodes.back());
  EXPECT_LT(seconds, 0.5);
}

TEST(ModelLimitsCli, HugeModelsAreRefusedAtOnce) {
  test::TempDir dir;
  test::writeFile(dir.file("chain.json"), test::chainModel(100000));
  expectRefusedInOneLine(runCliMeasured({"summary", "--model", dir.file("chain.json")}),
                         "layerlab-cli: error: " + dir.file("chain.json") +
                             ": the model has 100,000 nodes, more than the limit of 10,000; is it "
                             "the right file?");
  test::writeFile(dir.file("broken.json"), brokenNodesModel(1000000));
  expectRefusedInOneLine(runCliMeasured({"summary", "--model", dir.file("broken.json")}),
                         "layerlab-cli: error: " + dir.file("broken.json") +
                             ": the model has 1,000,000 nodes, more than the limit of 10,000; is "
                             "it the right file?");
  // Under the cap, a report of 10,000 problems lists 100 and counts the rest.
  test::writeFile(dir.file("some.json"), brokenNodesModel(10000));
  const MeasuredRun some = runCliMeasured({"summary", "--model", dir.file("some.json")});
  EXPECT_EQ(some.exitCode, 2);
  const std::vector<std::string> lines = test::nonEmptyLines(some.err);
  ASSERT_EQ(lines.size(), 101U);
  EXPECT_EQ(lines.back(),
            "layerlab-cli: error: " + dir.file("some.json") + ": … and 9,900 more problems");
}

TEST(MemoryBudget, ParsesSizes) {
  const std::vector<std::pair<std::string, std::optional<int64_t>>> cases = {
      {"1073741824", int64_t{1} << 30},
      {"512M", int64_t{512} << 20},
      {"8G", int64_t{8} << 30},
      {"1.5g", int64_t{3} << 29},
      {"4096K", int64_t{4} << 20},
      {"0", std::nullopt},
      {"-1G", std::nullopt},
      {"lots", std::nullopt},
      {"", std::nullopt},
      {"G", std::nullopt},
      {"1e30", std::nullopt},
      {"nan", std::nullopt}};
  for (const auto& [text, bytes] : cases)
    EXPECT_EQ(engine::parseByteSize(text), bytes) << text;
}

// Input [46000] into Dense(46000): 2,116,046,000 parameters, under the 2^31 limit per model;
// with adam that is weights, gradients and two moments, 31.5 GiB.
std::string thirtyTwoGibModel() {
  return R"({"format": "layerlab.model", "version": 1, "name": "huge", "input": {"shape": [46000]},
             "nodes": [{"id": "big", "type": "Dense", "units": 46000, "inputs": ["input"]}],
             "outputs": ["big"]})";
}

TEST(MemoryBudget, NamesTheLayerToShrink) {
  const engine::ModelParseResult parsed = engine::parseModelSpec(thirtyTwoGibModel());
  ASSERT_TRUE(parsed.spec);
  const engine::ModelAnalysis analysis = engine::analyzeModel(*parsed.spec);
  ASSERT_TRUE(analysis.ok());
  const engine::MemoryEstimate estimate = engine::estimateTrainingMemory(analysis, 64, "adam");
  const engine::MemoryBudget budget{int64_t{8} << 30, engine::kMemoryBudgetVariable};
  EXPECT_EQ(engine::trainingMemoryProblem(analysis, estimate, budget),
            "training needs about 31.6 GiB (weights 7.88 GiB, gradients 7.88 GiB, optimizer state "
            "15.8 GiB, activations 22.5 MiB at batch size 64), more than the 8.00 GiB of "
            "LAYERLAB_MEMORY_BUDGET; make layer 'big' (Dense, 31.5 GiB) smaller (the batch size "
            "only changes the activations)");
  EXPECT_EQ(engine::trainingMemoryProblem(analysis, estimate, {int64_t{40} << 30, "x"}), "");
}

TEST(MemoryBudgetCli, ThirtyTwoGibModelIsRefusedBeforeAnythingIsStored) {
  test::TempDir dir;
  test::writeFile(dir.file("huge.json"), thirtyTwoGibModel());
  const MeasuredRun run = runCliMeasured({"train", "--model", dir.file("huge.json"), "--batch-size",
                                          "64", "--db", dir.file("runs.db")},
                                         {"LAYERLAB_MEMORY_BUDGET=8G"});
  EXPECT_EQ(run.exitCode, 2) << run.err;
  const std::vector<std::string> lines = test::nonEmptyLines(run.err);
  ASSERT_EQ(lines.size(), 1U) << run.err;
  EXPECT_NE(lines[0].find("training needs about 31.6 GiB"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("make layer 'big' (Dense, 31.5 GiB) smaller"), std::string::npos);
  EXPECT_LT(run.peakRssKiB, 1024 * 1024);
  EXPECT_LT(run.cpuSeconds, 3.0);
  // No run was created, so no error text (or backtrace) was stored anywhere.
  const MeasuredRun list = runCliMeasured({"runs", "list", "--json", "--db", dir.file("runs.db")});
  if (list.exitCode == 0) {
    EXPECT_TRUE(nlohmann::json::parse(list.out)["runs"].empty()) << list.out;
  }
  // A budget that is not a size is refused by name.
  const MeasuredRun bad =
      runCliMeasured({"train", "--model", dir.file("huge.json"), "--db", dir.file("runs.db")},
                     {"LAYERLAB_MEMORY_BUDGET=lots"});
  EXPECT_EQ(bad.exitCode, 2);
  EXPECT_NE(bad.err.find("LAYERLAB_MEMORY_BUDGET is 'lots', not a size"), std::string::npos)
      << bad.err;
}

}  // namespace
}  // namespace layerlab
