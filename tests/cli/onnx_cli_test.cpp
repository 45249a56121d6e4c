// layerlab-cli export and predict on a run trained by the CLI: summaries, JSON, the artifact in
// the store, and one-line refusals of bad input with exit code 2.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

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

int lineCount(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// One small trained run (mlp, 600 samples, 1 epoch) shared by the tests of this file.
class OnnxCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_dir = std::make_unique<test::TempDir>();
    const ProcessResult train =
        cli({"train", "--model", kTemplates + "mlp.layerlab.json", "--data", "fashion-mnist",
             "--limit", "600", "--epochs", "1", "--threads", "1", "--db", db()});
    ASSERT_EQ(train.exitCode, 0) << train.err;
  }
  static void TearDownTestSuite() { s_dir.reset(); }
  static std::string db() { return s_dir->file("runs.db"); }
  static std::string file(const std::string& name) { return s_dir->file(name); }

  static std::unique_ptr<test::TempDir> s_dir;
};

std::unique_ptr<test::TempDir> OnnxCli::s_dir;

TEST_F(OnnxCli, ExportPrintsASummaryAndKeepsTheFileWithTheRun) {
  const std::string path = file("mlp.onnx");
  const ProcessResult result =
      cli({"export", "1", "--onnx", path, "--checkpoint", "last", "--db", db()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("last checkpoint, epoch 1"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("input   input    float32  [N, 1, 28, 28]"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("output  output   float32  [N, 10]"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("opset 17"), std::string::npos) << result.out;
  ASSERT_TRUE(std::filesystem::exists(path));

  const ProcessResult asJson = cli({"export", "1", "--onnx", path, "--json", "--db", db()});
  ASSERT_EQ(asJson.exitCode, 0) << asJson.err;
  const json summary = json::parse(asJson.out);
  EXPECT_EQ(summary["opset"], 17);
  EXPECT_EQ(summary["ir_version"], 8);
  EXPECT_EQ(summary["inputs"][0]["shape"], json::parse(R"(["N", 1, 28, 28])"));
  EXPECT_EQ(summary["bytes"].get<int64_t>(),
            static_cast<int64_t>(std::filesystem::file_size(path)));

  const ProcessResult show = cli({"runs", "show", "1", "--json", "--db", db()});
  ASSERT_EQ(show.exitCode, 0) << show.err;
  int onnxFiles = 0;
  const json shown = json::parse(show.out);
  for (const json& artifact : shown["artifacts"]) {
    if (artifact["kind"] != "onnx") continue;
    ++onnxFiles;
    EXPECT_EQ(artifact["file_name"], "mlp.onnx");
    EXPECT_EQ(artifact["bytes"], summary["bytes"]);
    EXPECT_EQ(artifact["sha256"], summary["artifact"]["sha256"]);
  }
  EXPECT_EQ(onnxFiles, 1) << "exporting again replaces the record: " << show.out;
}

TEST_F(OnnxCli, PredictPrintsRawOutputsAndTheLargestAsThePrediction) {
  const ProcessResult result = cli({"predict", "--run", "1", "--data", "fashion-mnist", "--split",
                                    "test", "--limit", "6", "--json", "--db", db()});
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const json doc = json::parse(result.out);
  ASSERT_EQ(doc["outputs"].size(), 6U);
  ASSERT_EQ(doc["predicted"].size(), 6U);
  EXPECT_EQ(doc["classes"].size(), 10U);
  for (size_t i = 0; i < 6; ++i) {
    const std::vector<double> outputs = doc["outputs"][i];
    ASSERT_EQ(outputs.size(), 10U);
    const auto best = std::max_element(outputs.begin(), outputs.end()) - outputs.begin();
    EXPECT_EQ(doc["predicted"][i], best);
  }
  // The run's own data is the default, the best checkpoint too; text output counts the hits.
  const ProcessResult text = cli({"predict", "--run", "1", "--limit", "6", "--db", db()});
  ASSERT_EQ(text.exitCode, 0) << text.err;
  EXPECT_NE(text.out.find("best checkpoint (epoch 1)"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("of 6 right"), std::string::npos) << text.out;
}

TEST_F(OnnxCli, BadInputGetsOneLineAndExitCode2) {
  std::ofstream(file("table.csv")) << "a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n9,10,0\n11,12,1\n"
                                      "13,14,0\n15,16,1\n17,18,0\n19,20,1\n";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"export", "99", "--onnx", file("x.onnx")}, "no run 99"},
      {{"export", "1", "--onnx", file("missing/x.onnx")}, "does not exist"},
      {{"export", "1", "--onnx", s_dir->path().string()}, "is a folder"},
      {{"export", "1"}, "--onnx"},
      {{"predict", "--run", "99"}, "no run 99"},
      {{"predict", "--run", "1", "--split", "everything"}, "--split"},
      {{"predict", "--run", "1", "--checkpoint", "first"}, "--checkpoint"},
      {{"predict", "--run", "1", "--data", file("table.csv")}, "expects input [1, 28, 28]"},
      {{"predict", "--run", "1", "--data", file("nothing.csv")}, "nothing.csv"},
  };
  for (auto [args, expected] : cases) {
    args.insert(args.end(), {"--db", db()});
    const ProcessResult result = cli(args);
    SCOPED_TRACE(args[0] + " " + args[1] + " " + args[2]);
    EXPECT_EQ(result.exitCode, 2) << result.out << result.err;
    EXPECT_EQ(lineCount(result.err), 1) << result.err;
    EXPECT_NE(result.err.find(expected), std::string::npos) << result.err;
  }
  EXPECT_FALSE(std::filesystem::exists(file("x.onnx")));
}

}  // namespace
}  // namespace layerlab
