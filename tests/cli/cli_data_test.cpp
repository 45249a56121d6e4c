// layerlab-cli train on tables and with augmentation, output-size checks, and --resume: real
// processes, a real store, CSV files written by the tests.
#include <gtest/gtest.h>

#include <filesystem>

#include <cmath>
#include <csignal>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace layerlab {
namespace {

using nlohmann::json;
using test::ProcessResult;

const std::string kCli = LAYERLAB_CLI_PATH;
const std::string kTemplates = std::string(LAYERLAB_SOURCE_DIR) + "/resources/templates/";

ProcessResult cli(const std::vector<std::string>& args) {
  return test::runProcess(kCli, args);
}

json showRun(const std::string& db, int64_t id) {
  const ProcessResult show = cli({"runs", "show", std::to_string(id), "--db", db, "--json"});
  EXPECT_EQ(show.exitCode, 0) << show.err;
  return json::parse(show.out);
}

int64_t onlyRunId(const std::string& db) {
  const ProcessResult list = cli({"runs", "list", "--db", db, "--json"});
  EXPECT_EQ(list.exitCode, 0) << list.err;
  const json runs = json::parse(list.out)["runs"];
  EXPECT_EQ(runs.size(), 1U);
  return runs.empty() ? 0 : runs[0]["id"].get<int64_t>();
}

void writeText(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// Three classes of 4 features around different centres, the label first and named "kind".
// Classes appear in the order bravo, alpha, charlie.
std::string blobsCsv(int rowsPerClass, int classes = 3) {
  const std::vector<std::string> names = {"bravo", "alpha", "charlie"};
  std::mt19937 random(5);
  std::normal_distribution<double> noise(0.0, 0.6);
  std::ostringstream csv;
  csv << "kind,f1,f2,f3,f4\n";
  for (int row = 0; row < rowsPerClass; ++row) {
    for (int c = 0; c < classes; ++c) {
      csv << names[c];
      for (int f = 0; f < 4; ++f)
        csv << ',' << (f == c ? 3.0 : 0.0) + noise(random);
      csv << '\n';
    }
  }
  return csv.str();
}

// y = 2·x1 − x2 + 0.5·x3 + small noise, the target last.
std::string linearCsv(int rows) {
  std::mt19937 random(9);
  std::normal_distribution<double> x(0.0, 1.0), noise(0.0, 0.05);
  std::ostringstream csv;
  csv << "x1;x2;x3;x4;y\n";
  for (int row = 0; row < rows; ++row) {
    const double a = x(random), b = x(random), c = x(random), d = x(random);
    csv << a << ';' << b << ';' << c << ';' << d << ';' << 2 * a - b + 0.5 * c + noise(random)
        << '\n';
  }
  return csv.str();
}

const char* kRegressionModel = R"({
  "format": "layerlab.model", "version": 1, "name": "regressor",
  "input": {"shape": [4]},
  "nodes": [
    {"id": "fc1", "type": "Dense", "units": 16, "inputs": ["input"]},
    {"id": "act", "type": "ReLU", "inputs": ["fc1"]},
    {"id": "out", "type": "Dense", "units": 1, "inputs": ["act"]}
  ],
  "outputs": ["out"]
})";

TEST(CliData, TrainsOnACsvWithANamedTextLabel) {
  test::TempDir dir;
  const std::string db = dir.file("runs.db");
  writeText(dir.file("blobs.csv"), blobsCsv(100));
  const ProcessResult train =
      cli({"train", "--model", kTemplates + "tabular_mlp.layerlab.json", "--data",
           dir.file("blobs.csv"), "--label-column", "kind", "--epochs", "8", "--batch-size", "16",
           "--lr", "0.01", "--db", db});
  ASSERT_EQ(train.exitCode, 0) << train.out << train.err;
  const json run = showRun(db, onlyRunId(db));
  EXPECT_EQ(run["status"], "completed");
  EXPECT_GT(run["final"]["test_accuracy"].get<double>(), 0.9);  // separable blobs; chance 1/3
  EXPECT_EQ(run["dataset"]["source"], "csv");
  EXPECT_EQ(run["dataset"]["classes"], json::array({"bravo", "alpha", "charlie"}));
  ASSERT_EQ(run["confusion_matrices"].size(), 1U);
  const json& matrix = run["confusion_matrices"][0];
  EXPECT_EQ(matrix["split"], "test");
  EXPECT_EQ(matrix["labels"], json::array({"bravo", "alpha", "charlie"}));
  int64_t total = 0;
  for (const json& count : matrix["counts"])
    total += count.get<int64_t>();
  EXPECT_EQ(total, 45);  // the default test part: 0.15 of 300 rows
}

TEST(CliData, ADatasetDocumentDescribesTheDataAndFlagsOverrideIt) {
  test::TempDir dir;
  const std::string db = dir.file("runs.db");
  writeText(dir.file("blobs.csv"), blobsCsv(40));
  const json spec = {
      {"format", "layerlab.dataset"},  {"version", 1},         {"source", "csv"},
      {"path", dir.file("blobs.csv")}, {"val_fraction", 0.25}, {"csv", {{"label", "kind"}}}};
  writeText(dir.file("blobs.dataset.json"), spec.dump());
  const ProcessResult train =
      cli({"train", "--model", kTemplates + "tabular_mlp.layerlab.json", "--data-spec",
           dir.file("blobs.dataset.json"), "--normalize", "minmax", "--epochs", "1", "--db", db});
  ASSERT_EQ(train.exitCode, 0) << train.out << train.err;
  const json run = showRun(db, onlyRunId(db));
  EXPECT_EQ(run["dataset"]["val_fraction"], 0.25);
  EXPECT_EQ(run["dataset"]["normalize"], "minmax");
  EXPECT_EQ(run["dataset"]["csv"]["label"], "kind");

  json typoSpec = spec;
  typoSpec.erase("val_fraction");
  typoSpec["valfraction"] = 0.2;
  writeText(dir.file("typo.dataset.json"), typoSpec.dump());
  const ProcessResult typo = cli({"train", "--model", kTemplates + "tabular_mlp.layerlab.json",
                                  "--data-spec", dir.file("typo.dataset.json"), "--db", db});
  EXPECT_EQ(typo.exitCode, 2);
  EXPECT_NE(typo.err.find("typo.dataset.json"), std::string::npos) << typo.err;
  EXPECT_NE(typo.err.find("valfraction"), std::string::npos) << typo.err;
}

TEST(CliData, RegressionLossMakesANumericTargetARegression) {
  test::TempDir dir;
  const std::string db = dir.file("runs.db");
  writeText(dir.file("linear.csv"), linearCsv(400));
  writeText(dir.file("regressor.layerlab.json"), kRegressionModel);
  const ProcessResult train =
      cli({"train", "--model", dir.file("regressor.layerlab.json"), "--data",
           dir.file("linear.csv"), "--loss", "mse", "--monitor", "val_loss", "--epochs", "30",
           "--batch-size", "16", "--lr", "0.01", "--db", db});
  ASSERT_EQ(train.exitCode, 0) << train.out << train.err;
  EXPECT_NE(train.out.find("test_r2"), std::string::npos) << train.out;
  const json run = showRun(db, onlyRunId(db));
  EXPECT_GT(run["final"]["test_r2"].get<double>(), 0.9);
  EXPECT_LT(run["final"]["test_mse"].get<double>(), 0.6);  // the target's variance is 5.25
  EXPECT_TRUE(run["confusion_matrices"].empty());
}

struct Mismatch {
  const char* label;
  std::string data;  // file name in the temp folder
  std::vector<std::string> extra;
  std::string expected;
};

class OutputMismatch : public ::testing::TestWithParam<Mismatch> {};

TEST_P(OutputMismatch, IsRefusedInOneLineBeforeAnythingIsStored) {
  const Mismatch& c = GetParam();
  test::TempDir dir;
  const std::string db = dir.file("runs.db");
  writeText(dir.file("two.csv"), blobsCsv(20, 2));
  writeText(dir.file("linear.csv"), linearCsv(50));
  std::vector<std::string> args = {"train",
                                   "--model",
                                   kTemplates + "tabular_mlp.layerlab.json",
                                   "--data",
                                   dir.file(c.data),
                                   "--label-column",
                                   "0",
                                   "--epochs",
                                   "1",
                                   "--db",
                                   db};
  if (c.data == "linear.csv") args[6] = "-1";
  args.insert(args.end(), c.extra.begin(), c.extra.end());
  const ProcessResult train = cli(args);
  EXPECT_EQ(train.exitCode, 2) << train.out << train.err;
  EXPECT_NE(train.err.find(c.expected), std::string::npos) << train.err;
  EXPECT_EQ(std::count(train.err.begin(), train.err.end(), '\n'), 1) << train.err;
  // Refused before anything is stored: no store was made, or the one there holds no run.
  if (std::filesystem::exists(db))
    EXPECT_TRUE(json::parse(cli({"runs", "list", "--db", db, "--json"}).out)["runs"].empty());
}

INSTANTIATE_TEST_SUITE_P(
    Table, OutputMismatch,
    ::testing::Values(Mismatch{"too_many_outputs", "two.csv", {}, "output node 'out' gives [3]"},
                      Mismatch{
                          "regression_with_classes_loss", "linear.csv", {}, "use mse, l1 or huber"},
                      Mismatch{"bce_with_three_outputs",
                               "two.csv",
                               {"--loss", "bce_with_logits"},
                               "the data needs 1 value per sample"},
                      Mismatch{"regression_with_three_outputs",
                               "linear.csv",
                               {"--loss", "mse"},
                               "1 value per sample (a regression target)"}),
    [](const auto& info) { return std::string(info.param.label); });

TEST(CliData, BadDataArgumentsSayWhatIsAccepted) {
  test::TempDir dir;
  const std::string db = dir.file("runs.db");
  const ProcessResult missing = cli({"train", "--model", kTemplates + "mlp.layerlab.json", "--data",
                                     dir.file("nothing.csv"), "--db", db});
  EXPECT_EQ(missing.exitCode, 2);
  EXPECT_NE(missing.err.find("nothing.csv"), std::string::npos) << missing.err;
  const ProcessResult size = cli(
      {"train", "--model", kTemplates + "mlp.layerlab.json", "--image-size", "32by32", "--db", db});
  EXPECT_EQ(size.exitCode, 2);
  EXPECT_NE(size.err.find("--image-size must be HxW"), std::string::npos) << size.err;
}

TEST(CliData, AugmentationIsStoredWithTheRunAndChangesTraining) {
  test::TempDir dir;
  auto trainOnce = [&](const std::string& name, const std::vector<std::string>& extra) {
    const std::string db = dir.file(name + ".db");
    std::vector<std::string> args = {"train",    "--model", kTemplates + "mlp.layerlab.json",
                                     "--epochs", "1",       "--limit",
                                     "600",      "--db",    db};
    args.insert(args.end(), extra.begin(), extra.end());
    const ProcessResult train = cli(args);
    EXPECT_EQ(train.exitCode, 0) << train.err;
    return showRun(db, onlyRunId(db));
  };
  const json plain = trainOnce("plain", {});
  const json augmented =
      trainOnce("augmented", {"--flip", "--crop-padding", "2", "--rotate", "10"});
  EXPECT_EQ(augmented["dataset"]["augment"]["flip"], true);
  EXPECT_EQ(augmented["dataset"]["augment"]["crop_padding"], 2);
  EXPECT_FALSE(plain["dataset"].contains("augment"));
  // Same seed, same data, same order: only the augmented batches can make the losses differ.
  EXPECT_NE(plain["epochs"][0]["train_loss"], augmented["epochs"][0]["train_loss"]);
  // Validation is never augmented, so both are still sensible.
  EXPECT_GT(augmented["epochs"][0]["val_accuracy"].get<double>(), 0.4);
}

// Without --batch-size the batch suits the table: 120 rows leave 84 to train on, and batch 8
// gives 11 steps an epoch where 64 gave 2. The label column is stored by its header name
// whichever way it was given, as the Data place stores it.
TEST(CliData, ASmallTableGetsASmallBatchAndItsLabelByName) {
  test::TempDir dir;
  writeText(dir.file("blobs.csv"), blobsCsv(40));
  std::vector<json> runs;
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--label-column", "0"}, {"--label-column", "kind"}}) {
    const std::string db = dir.file("runs" + std::to_string(runs.size()) + ".db");
    std::vector<std::string> args = {"train",
                                     "--model",
                                     kTemplates + "tabular_mlp.layerlab.json",
                                     "--data",
                                     dir.file("blobs.csv"),
                                     "--epochs",
                                     "1",
                                     "--db",
                                     db};
    args.insert(args.end(), extra.begin(), extra.end());
    const ProcessResult train = cli(args);
    ASSERT_EQ(train.exitCode, 0) << train.out << train.err;
    runs.push_back(showRun(db, onlyRunId(db)));
  }
  EXPECT_EQ(runs[0]["config"]["batch_size"], 8);
  EXPECT_EQ(runs[0]["dataset"]["csv"]["label"], "kind");
  EXPECT_EQ(runs[0]["dataset"], runs[1]["dataset"]);
  EXPECT_EQ(runs[0]["dataset_fingerprint"], runs[1]["dataset_fingerprint"]);

  // A batch size that is given, on the command line or in a config, is kept.
  const std::string db = dir.file("given.db");
  writeText(dir.file("train.json"),
            R"({"format": "layerlab.train", "version": 1, "batch_size": 64})");
  const ProcessResult given =
      cli({"train", "--model", kTemplates + "tabular_mlp.layerlab.json", "--data",
           dir.file("blobs.csv"), "--label-column", "kind", "--config", dir.file("train.json"),
           "--epochs", "1", "--db", db});
  ASSERT_EQ(given.exitCode, 0) << given.out << given.err;
  EXPECT_EQ(showRun(db, onlyRunId(db))["config"]["batch_size"], 64);
  const ProcessResult help = cli({"train", "--help"});
  EXPECT_NE(help.out.find("at least 8 steps"), std::string::npos) << help.out;
}

TEST(CliResume, AStoppedRunContinuesToItsEndAndKeepsEveryEpochOnce) {
  test::TempDir dir;
  const std::string db = dir.file("runs.db");
  test::ChildProcess child(kCli, {"train", "--model", kTemplates + "mlp.layerlab.json", "--epochs",
                                  "4", "--limit", "3000", "--db", db});
  ASSERT_TRUE(child.readUntilLineContaining("val_accuracy"));  // epoch 1's summary
  child.sendSignal(SIGINT);
  const ProcessResult stopped = child.wait();
  ASSERT_EQ(stopped.exitCode, 130) << stopped.out << stopped.err;
  const int64_t id = onlyRunId(db);
  const json before = showRun(db, id);
  EXPECT_EQ(before["status"], "cancelled");
  const size_t epochsBefore = before["epochs"].size();
  ASSERT_GE(epochsBefore, 1U);
  ASSERT_LT(epochsBefore, 4U) << "the run ended before the stop";

  const ProcessResult resumed = cli({"train", "--resume", std::to_string(id), "--db", db});
  ASSERT_EQ(resumed.exitCode, 0) << resumed.out << resumed.err;
  EXPECT_NE(resumed.out.find("Continuing run " + std::to_string(id) + " from epoch " +
                             std::to_string(epochsBefore)),
            std::string::npos)
      << resumed.out;
  const json after = showRun(db, id);
  EXPECT_EQ(after["status"], "completed");
  EXPECT_EQ(after["attempt"], 2);
  ASSERT_EQ(after["epochs"].size(), 4U);
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(after["epochs"][i]["epoch"], i + 1);
  // The epochs of the first attempt are kept as they were.
  EXPECT_EQ(after["epochs"][0]["train_loss"], before["epochs"][0]["train_loss"]);
  EXPECT_TRUE(after["final"]["test_accuracy"].is_number());

  // A completed run cannot be resumed, and says what to do instead.
  const ProcessResult again = cli({"train", "--resume", std::to_string(id), "--db", db});
  EXPECT_EQ(again.exitCode, 2);
  EXPECT_NE(again.err.find("has completed"), std::string::npos) << again.err;
}

TEST(CliResume, MoreEpochsCanBeAskedForAndOtherChangesAreRefused) {
  test::TempDir dir;
  const std::string db = dir.file("runs.db");
  test::ChildProcess child(kCli, {"train", "--model", kTemplates + "mlp.layerlab.json", "--epochs",
                                  "3", "--limit", "2000", "--db", db});
  ASSERT_TRUE(child.readUntilLineContaining("val_accuracy"));
  child.sendSignal(SIGINT);
  ASSERT_EQ(child.wait().exitCode, 130);
  const std::string id = std::to_string(onlyRunId(db));

  const ProcessResult withModel =
      cli({"train", "--resume", id, "--model", kTemplates + "cnn.layerlab.json", "--db", db});
  EXPECT_EQ(withModel.exitCode, 2);
  EXPECT_NE(withModel.err.find("only --epochs"), std::string::npos) << withModel.err;
  const ProcessResult unknown = cli({"train", "--resume", "999", "--db", db});
  EXPECT_EQ(unknown.exitCode, 2);
  EXPECT_NE(unknown.err.find("there is no run 999"), std::string::npos) << unknown.err;

  const ProcessResult longer = cli({"train", "--resume", id, "--epochs", "5", "--db", db});
  ASSERT_EQ(longer.exitCode, 0) << longer.err;
  const json run = showRun(db, std::stoll(id));
  EXPECT_EQ(run["epochs"].size(), 5U);
  EXPECT_EQ(run["config"]["epochs"], 3) << "the stored config is the one the run started with";
}

}  // namespace
}  // namespace layerlab
