// layerlab-cli on a store crafted by someone else: whatever a stored value throws ends as one line
// on stderr and an exit code (app/core/error_policy.h), never an abort; names and class names
// from the store reach the terminal with their control characters escaped.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "tests/support/child_process.h"
#include "tests/support/sqlite_edit.h"
#include "tests/support/temp_dir.h"

namespace layerlab {
namespace {

using nlohmann::json;
using test::execSql;
using test::ProcessResult;
using test::queryText;

const std::string kCli = LAYERLAB_CLI_PATH;
const std::string kTemplates = std::string(LAYERLAB_SOURCE_DIR) + "/resources/templates/";

ProcessResult cli(const std::vector<std::string>& args) {
  return test::runProcess(kCli, args);
}

// One line on stderr, in the CLI's words, with nothing of an abort or a LibTorch backtrace.
void expectOneErrorLine(const ProcessResult& result) {
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_EQ(result.err.rfind("layerlab-cli: error: ", 0), 0u) << result.err;
  for (const char* crash : {"terminate called", "Exception raised from", "frame #", "Aborted"})
    EXPECT_EQ(result.err.find(crash), std::string::npos) << result.err;
}

constexpr char kEscape = '\x1b';

// A run trained once for the file (mlp, 300 samples, 1 epoch); each test copies its store.
class CraftedStore : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_dir = std::make_unique<test::TempDir>();
    const ProcessResult train =
        cli({"train", "--model", kTemplates + "mlp.layerlab.json", "--data", "fashion-mnist",
             "--limit", "300", "--epochs", "1", "--threads", "1", "--db", s_dir->file("runs.db")});
    ASSERT_EQ(train.exitCode, 0) << train.err;
  }
  static void TearDownTestSuite() { s_dir.reset(); }

  std::string db() const { return s_dir->file("runs.db"); }
  std::string file(const std::string& name) const { return s_dir->file(name); }

  static std::unique_ptr<test::TempDir> s_dir;
};

std::unique_ptr<test::TempDir> CraftedStore::s_dir;

TEST_F(CraftedStore, AMetadataValueOfTheWrongTypeIsOneLineNotAnAbort) {
  const std::string before = queryText(db(), "SELECT metadata_json FROM artifacts LIMIT 1");
  execSql(db(), "UPDATE artifacts SET metadata_json = ?1", R"({"epoch":"seven"})");
  const ProcessResult predict = cli({"predict", "--run", "1", "--limit", "3", "--db", db()});
  const ProcessResult exported = cli({"export", "1", "--onnx", file("m.onnx"), "--db", db()});
  execSql(db(), "UPDATE artifacts SET metadata_json = ?1", before);

  for (const ProcessResult* result : {&predict, &exported}) {
    EXPECT_EQ(result->exitCode, 2) << result->err;
    expectOneErrorLine(*result);
    EXPECT_NE(result->err.find("run 1: the store's record of its checkpoint"), std::string::npos)
        << result->err;
    EXPECT_NE(result->err.find("gives the epoch as \"seven\", not a count"), std::string::npos)
        << result->err;
  }
}

TEST_F(CraftedStore, NamesAndClassNamesReachTheTerminalEscaped) {
  const std::string evil = std::string(1, kEscape) + "]0;owned\a" + "\xc2\x9b" + "2J";
  execSql(db(), "UPDATE runs SET name = ?1", "run " + evil);
  const json dataset = json::parse(queryText(db(), "SELECT dataset_json FROM runs"));
  json crafted = dataset;
  ASSERT_TRUE(crafted["classes"].is_array());
  crafted["classes"][0] = "shirt " + evil;
  crafted["classes"][1] = "trouser " + evil;
  execSql(db(), "UPDATE runs SET dataset_json = ?1", crafted.dump());

  const ProcessResult predict = cli({"predict", "--run", "1", "--limit", "40", "--db", db()});
  const ProcessResult exported = cli({"export", "1", "--onnx", file("m.onnx"), "--db", db()});
  const ProcessResult asJson =
      cli({"predict", "--run", "1", "--limit", "2", "--json", "--db", db()});
  execSql(db(), "UPDATE runs SET dataset_json = ?1", dataset.dump());
  execSql(db(), "UPDATE runs SET name = ?1", "plain");

  ASSERT_EQ(predict.exitCode, 0) << predict.err;
  ASSERT_EQ(exported.exitCode, 0) << exported.err;
  ASSERT_EQ(asJson.exitCode, 0) << asJson.err;
  for (const ProcessResult* result : {&predict, &exported, &asJson}) {
    EXPECT_EQ(result->out.find(kEscape), std::string::npos) << result->out;
    EXPECT_EQ(result->out.find('\a'), std::string::npos) << result->out;
    EXPECT_EQ(result->out.find("\xc2\x9b"), std::string::npos) << result->out;
  }
  // The escaped names are still there to read: 40 test samples hold both crafted classes.
  EXPECT_NE(predict.out.find("shirt \\x1b]0;owned\\x07\\u009b2J"), std::string::npos)
      << predict.out;
  EXPECT_NE(exported.out.find("run \\x1b]0;owned\\x07\\u009b2J"), std::string::npos)
      << exported.out;
  EXPECT_EQ(json::parse(asJson.out)["classes"][0], "shirt " + evil);
}

TEST_F(CraftedStore, AStoredDocumentThatIsNotJsonIsOneLineNotAnAbort) {
  const std::string config = queryText(db(), "SELECT config_json FROM runs");
  ASSERT_FALSE(config.empty());
  execSql(db(), "UPDATE runs SET config_json = ?1", R"({"format": "layerlab.train", "epochs": [)");
  const ProcessResult predict = cli({"predict", "--run", "1", "--db", db()});
  const ProcessResult show = cli({"runs", "show", "1", "--db", db()});
  execSql(db(), "UPDATE runs SET config_json = ?1", config);

  EXPECT_EQ(show.exitCode, 0) << show.err;
  EXPECT_EQ(predict.exitCode, 2) << predict.err;
  expectOneErrorLine(predict);
  EXPECT_NE(predict.err.find("run 1"), std::string::npos) << predict.err;
}

}  // namespace
}  // namespace layerlab
