// layerlab-cli end to end: real processes, a real store, a real slice of Fashion-MNIST.
#include <gtest/gtest.h>
#include <zlib.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace layerlab {
namespace {

using nlohmann::json;
using test::ProcessResult;

const std::string kCli = LAYERLAB_CLI_PATH;
const std::string kTemplates = std::string(LAYERLAB_SOURCE_DIR) + "/resources/templates/";

ProcessResult cli(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
  return test::runProcess(kCli, args, env);
}

json runsList(const std::string& db) {
  const ProcessResult list = cli({"runs", "list", "--db", db, "--json"});
  EXPECT_EQ(list.exitCode, 0) << list.err;
  return json::parse(list.out);
}

void writeText(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

// Counts the lines of a message: bad input must be explained in one line.
int lineCount(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

TEST(Cli, TrainsASliceAndStoresTheRun) {
  test::TempDir dir;
  const std::string db = dir.file("runs.db");
  const ProcessResult train = cli({"train", "--model", kTemplates + "mlp.layerlab.json", "--data",
                                   "fashion-mnist", "--epochs", "2", "--limit", "2000",
                                   "--batch-size", "32", "--db", db, "--name", "slice"});
  ASSERT_EQ(train.exitCode, 0) << train.err;
  EXPECT_NE(train.out.find("Epoch 2/2"), std::string::npos) << train.out;
  EXPECT_NE(train.out.find("val_accuracy"), std::string::npos);
  EXPECT_NE(train.out.find("samples/s"), std::string::npos);
  EXPECT_NE(train.out.find("test_accuracy"), std::string::npos);

  const json runs = runsList(db)["runs"];
  ASSERT_EQ(runs.size(), 1U);
  EXPECT_EQ(runs[0]["name"], "slice");
  EXPECT_EQ(runs[0]["status"], "completed");
  const int id = runs[0]["id"];

  const ProcessResult show = cli({"runs", "show", std::to_string(id), "--db", db, "--json"});
  ASSERT_EQ(show.exitCode, 0) << show.err;
  const json run = json::parse(show.out);
  EXPECT_EQ(run["status"], "completed");
  ASSERT_EQ(run["epochs"].size(), 2U);
  EXPECT_EQ(run["epochs"][1]["epoch"], 2);
  EXPECT_LT(run["epochs"][1]["train_loss"].get<double>(),
            run["epochs"][0]["train_loss"].get<double>());
  for (const char* key : {"train_accuracy", "val_loss", "val_accuracy"}) {
    EXPECT_TRUE(run["epochs"][1][key].is_number()) << key;
  }
  const double accuracy = run["final"]["test_accuracy"];
  EXPECT_GT(accuracy, 0.6);  // 2,000 samples, 2 epochs: well above chance (0.1)
  EXPECT_TRUE(run["final"]["test_loss"].is_number());
  EXPECT_EQ(run["model"]["name"], "mlp");
  EXPECT_EQ(run["config"]["epochs"], 2);
}

TEST(Cli, SameSeedGivesTheSameNumbers) {
  test::TempDir dir;
  const std::string db = dir.file("runs.db");
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(cli({"train", "--model", kTemplates + "mlp.layerlab.json", "--epochs", "1", "--limit",
                   "600", "--threads", "2", "--seed", "9", "--db", db})
                  .exitCode,
              0);
  }
  const json a = json::parse(cli({"runs", "show", "1", "--db", db, "--json"}).out);
  const json b = json::parse(cli({"runs", "show", "2", "--db", db, "--json"}).out);
  EXPECT_EQ(a["epochs"][0]["train_loss"], b["epochs"][0]["train_loss"]);
  EXPECT_EQ(a["final"], b["final"]);
}

TEST(Cli, ConfigFileGivesTheBaseAndFlagsOverrideIt) {
  test::TempDir dir;
  const std::string db = dir.file("runs.db");
  writeText(dir.file("config.json"), R"({"format": "layerlab.train", "version": 1,
      "optimizer": "sgd", "learning_rate": 0.05, "momentum": 0.8, "epochs": 7,
      "schedule": {"type": "cosine", "warmup_epochs": 1}, "early_stopping": {"patience": 3}})");
  const ProcessResult train = cli({"train", "--model", kTemplates + "mlp.layerlab.json", "--config",
                                   dir.file("config.json"), "--epochs", "2", "--limit", "600",
                                   "--normalize", "minmax", "--db", db});
  ASSERT_EQ(train.exitCode, 0) << train.err;
  const json run = json::parse(cli({"runs", "show", "1", "--db", db, "--json"}).out);
  EXPECT_EQ(run["config"]["optimizer"], "sgd");
  EXPECT_EQ(run["config"]["learning_rate"], 0.05);
  EXPECT_EQ(run["config"]["momentum"], 0.8);
  EXPECT_EQ(run["config"]["epochs"], 2);  // the flag wins over the file
  EXPECT_EQ(run["config"]["schedule"]["type"], "cosine");
  EXPECT_EQ(run["config"]["early_stopping"]["patience"], 3);
  EXPECT_EQ(run["dataset"]["normalize"], "minmax");
  EXPECT_EQ(run["epochs"].size(), 2U);
  for (const char* key : {"test_loss", "test_accuracy", "test_f1_macro", "test_precision_macro"}) {
    EXPECT_TRUE(run["final"][key].is_number()) << key;
  }
}

struct BadInput {
  const char* name;
  std::vector<std::string> args;  // "{dir}" is replaced by the test's folder
  std::string message;
  std::vector<std::string> env = {};

  // Test names already say which case failed; print the name, not the bytes.
  void PrintTo(const BadInput& c, std::ostream* os) { *os << c.name; }
};

class BadInputs : public ::testing::TestWithParam<BadInput> {};

TEST_P(BadInputs, OneClearLineNonZeroExitAndNoRunLeft) {
  test::TempDir dir;
  writeText(dir.file("unknown.json"),
            R"({"format": "layerlab.model", "version": 1, "input": {"shape": [1, 28, 28]},
                "nodes": [{"id": "f", "type": "Flatten", "inputs": ["input"]},
                          {"id": "out", "type": "Dens", "units": 10, "inputs": ["f"]}],
                "outputs": ["out"]})");
  writeText(dir.file("mismatch.json"),
            R"({"format": "layerlab.model", "version": 1, "input": {"shape": [1, 28, 28]},
                "nodes": [{"id": "f", "type": "Flatten", "inputs": ["input"]},
                          {"id": "conv", "type": "Conv2d", "filters": 4, "inputs": ["f"]},
                          {"id": "out", "type": "Flatten", "inputs": ["conv"]}],
                "outputs": ["out"]})");
  writeText(dir.file("noinput.json"),
            R"({"format": "layerlab.model", "version": 1,
                "nodes": [{"id": "out", "type": "Flatten", "inputs": ["input"]}], "outputs": ["out"]})");
  writeText(dir.file("notjson.json"), "{ \"format\": \"layerlab.model\",\n  oops }");
  writeText(dir.file("config.json"),
            R"({"format": "layerlab.train", "version": 1, "learning_rat": 0.1})");
  writeText(dir.file("wrongshape.json"),
            R"({"format": "layerlab.model", "version": 1, "input": {"shape": [3, 32, 32]},
                "nodes": [{"id": "f", "type": "Flatten", "inputs": ["input"]},
                          {"id": "out", "type": "Dense", "units": 10, "inputs": ["f"]}],
                "outputs": ["out"]})");
  std::filesystem::create_directory(dir.file("fm"));
  const std::string real = "/usr/share/datasets/fashion-mnist/";
  for (const char* name :
       {"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz"}) {
    std::filesystem::copy_file(real + name, dir.file("fm/") + name);
  }
  // A truncated training image file: a valid header that promises more than it holds.
  gzFile file = gzopen(dir.file("fm/train-images-idx3-ubyte.gz").c_str(), "wb");
  const unsigned char header[16] = {0, 0, 8, 3, 0, 0, 0xea, 0x60, 0, 0, 0, 28, 0, 0, 0, 28};
  gzwrite(file, header, 16);
  gzwrite(file, std::string(1000, 'x').data(), 1000);
  gzclose(file);

  std::vector<std::string> args;
  for (std::string arg : GetParam().args) {
    if (const size_t at = arg.find("{dir}"); at != std::string::npos)
      arg.replace(at, 5, dir.path().string());
    if (const size_t at = arg.find("{templates}"); at != std::string::npos)
      arg.replace(at, 11, kTemplates);
    args.push_back(arg);
  }
  args.insert(args.end(), {"--db", dir.file("runs.db")});
  std::vector<std::string> env;
  for (std::string entry : GetParam().env) {
    if (const size_t at = entry.find("{dir}"); at != std::string::npos)
      entry.replace(at, 5, dir.path().string());
    env.push_back(entry);
  }
  const ProcessResult result = cli(args, env);
  EXPECT_NE(result.exitCode, 0);
  EXPECT_EQ(lineCount(result.err), 1) << result.err;
  EXPECT_NE(result.err.find(GetParam().message), std::string::npos) << result.err;
  if (std::filesystem::exists(dir.file("runs.db"))) {
    EXPECT_TRUE(runsList(dir.file("runs.db"))["runs"].empty());
  }
}

INSTANTIATE_TEST_SUITE_P(
    Table, BadInputs,
    ::testing::Values(
        BadInput{"unknown_layer",
                 {"train", "--model", "{dir}/unknown.json"},
                 "node 'out': unknown layer type 'Dens'"},
        BadInput{"mismatched_shapes",
                 {"train", "--model", "{dir}/mismatch.json"},
                 "node 'conv': expects an input of shape [channels, height, width], got [784]"},
        BadInput{"missing_input", {"train", "--model", "{dir}/noinput.json"}, "missing 'input'"},
        BadInput{"not_json",
                 {"train", "--model", "{dir}/notjson.json"},
                 "notjson.json: not valid JSON at line 2"},
        BadInput{"missing_model_file",
                 {"train", "--model", "{dir}/nothere.json"},
                 "nothere.json: cannot open"},
        BadInput{"data_shape_differs",
                 {"train", "--model", "{dir}/wrongshape.json", "--limit", "100"},
                 "expects input [3, 32, 32] but the data has [1, 28, 28]"},
        BadInput{"truncated_idx",
                 {"train", "--model", "{templates}mlp.layerlab.json"},
                 "train-images-idx3-ubyte.gz: truncated",
                 {"LAYERLAB_FASHION_MNIST_DIR={dir}/fm"}},
        BadInput{"missing_idx",
                 {"train", "--model", "{templates}mlp.layerlab.json"},
                 "cannot open the file",
                 {"LAYERLAB_FASHION_MNIST_DIR={dir}/nowhere"}},
        BadInput{"unknown_data",
                 {"train", "--model", "{templates}mlp.layerlab.json", "--data", "cifar-99"},
                 "unknown data source 'cifar-99'"},
        BadInput{"bad_flag",
                 {"train", "--model", "{templates}mlp.layerlab.json", "--epochz", "3"},
                 "--epochz"},
        BadInput{"bad_value",
                 {"train", "--model", "{templates}mlp.layerlab.json", "--epochs", "zero"},
                 "--epochs"},
        BadInput{
            "bad_config_key",
            {"train", "--model", "{templates}mlp.layerlab.json", "--config", "{dir}/config.json"},
            "config.json: unknown key 'learning_rat'"},
        BadInput{
            "missing_config",
            {"train", "--model", "{templates}mlp.layerlab.json", "--config", "{dir}/nope.json"},
            "nope.json: cannot open"},
        BadInput{"nesterov_without_sgd",
                 {"train", "--model", "{templates}mlp.layerlab.json", "--nesterov"},
                 "nesterov needs the sgd optimizer"},
        BadInput{"no_model", {"train"}, "--model is required"},
        BadInput{"bad_optimizer",
                 {"train", "--model", "{templates}mlp.layerlab.json", "--optimizer", "lbfgs"},
                 "lbfgs"},
        BadInput{"show_in_a_missing_store", {"runs", "show", "42"}, "there is no such file"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Cli, CtrlCStopsAndStoresTheRunAsCancelled) {
  test::TempDir dir;
  const std::string db = dir.file("runs.db");
  test::ChildProcess child(kCli, {"train", "--model", kTemplates + "mlp.layerlab.json", "--epochs",
                                  "500", "--limit", "1000", "--db", db});
  ASSERT_TRUE(child.readUntilLineContaining("val_accuracy"))
      << "no epoch line before the output ended";
  child.sendSignal(SIGINT);
  const ProcessResult result = child.wait();
  EXPECT_EQ(result.exitCode, 130) << result.err;
  EXPECT_NE(result.out.find("cancelled"), std::string::npos);
  const json runs = runsList(db)["runs"];
  ASSERT_EQ(runs.size(), 1U);
  EXPECT_EQ(runs[0]["status"], "cancelled");
  EXPECT_GE(runs[0]["epochs_done"].get<int>(), 1);
  EXPECT_LT(runs[0]["epochs_done"].get<int>(), 500);
}

TEST(Cli, SummaryPrintsTheKerasTable) {
  const ProcessResult result = cli({"summary", "--model", kTemplates + "mlp.layerlab.json"});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  for (const char* part : {"Layer (type)", "Output Shape", "Param #", "fc1 (Dense)", "(None, 128)",
                           "100,480", "Total params: 101,770"}) {
    EXPECT_NE(result.out.find(part), std::string::npos) << part << "\n" << result.out;
  }
}

TEST(Cli, RunsListOnAMissingAndOnAnEmptyStore) {
  test::TempDir dir;
  const std::string db = dir.file("fresh.db");
  const ProcessResult missing = cli({"runs", "list", "--db", db});
  EXPECT_EQ(missing.exitCode, 2);
  EXPECT_NE(missing.err.find("no such file"), std::string::npos) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(db));  // reading never creates a store

  const ProcessResult train = cli({"train", "--model", kTemplates + "mlp.layerlab.json", "--limit",
                                   "100", "--epochs", "1", "--threads", "1", "--db", db});
  ASSERT_EQ(train.exitCode, 0) << train.err;
  ASSERT_EQ(cli({"runs", "delete", "1", "--yes", "--db", db}).exitCode, 0);
  EXPECT_TRUE(runsList(db)["runs"].empty());
  const ProcessResult text = cli({"runs", "list", "--db", db});
  EXPECT_EQ(text.exitCode, 0);
  EXPECT_NE(text.out.find("No runs"), std::string::npos);
}

}  // namespace
}  // namespace layerlab
