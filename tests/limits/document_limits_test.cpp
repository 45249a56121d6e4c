// JSON documents from someone else: nested 200k levels (a stack overflow in nlohmann's recursive
// copy, dump and destruction before the bounded parse), larger than the document cap, and the
// same documents planted in a store and read back by predict, train --resume and runs show.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "engine/model/json_document.h"
#include "engine/model/model_spec.h"
#include "tests/limits/limits_support.h"
#include "tests/support/child_process.h"
#include "tests/support/sqlite_edit.h"
#include "tests/support/temp_dir.h"

namespace layerlab {
namespace {

using test::MeasuredRun;
using test::runCliMeasured;

constexpr int64_t kDeep = 200000;
// The first bracket past the limit opens level 65: byte 64, column 65 of a one-line document.
const std::string kDeepMessage =
    "the JSON nests deeper than 64 levels (at line 1, column 65); LayerLab documents need a few "
    "levels: is it the right file?";

void expectRefusedInOneLine(const MeasuredRun& run, const std::string& expected) {
  EXPECT_EQ(run.exitCode, 2) << run.err;
  const std::vector<std::string> lines = test::nonEmptyLines(run.err);
  ASSERT_EQ(lines.size(), 1U) << run.err;
  EXPECT_NE(lines[0].find(expected), std::string::npos) << lines[0];
  EXPECT_EQ(run.err.find("Exception raised from"), std::string::npos) << run.err;
  EXPECT_GT(run.peakRssKiB, 0) << "no report from /usr/bin/time";
  EXPECT_LT(run.peakRssKiB, 1024 * 1024) << "peak RSS in KiB";
  EXPECT_LT(run.cpuSeconds, 3.0);
}

TEST(JsonLimits, RefusesDepthWithItsPosition) {
  const engine::JsonParseOutcome deep = engine::parseJsonBounded(test::deepArrays(kDeep));
  EXPECT_EQ(deep.error, kDeepMessage);
  EXPECT_TRUE(deep.value.is_null());
  // Brackets inside strings are text, and the limit itself is allowed.
  EXPECT_TRUE(engine::parseJsonBounded(R"({"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})").ok());
  EXPECT_TRUE(engine::parseJsonBounded(test::deepArrays(64)).ok());
  const engine::JsonParseOutcome over =
      engine::parseJsonBounded("{\"x\":\n  " + test::deepArrays(64) + "}");
  EXPECT_EQ(over.error.substr(0, 59),
            "the JSON nests deeper than 64 levels (at line 2, column 66)");
}

TEST(JsonLimits, RefusesSizeBeforeParsing) {
  const std::string big = "[" + std::string(engine::kMaxJsonDocumentBytes, ' ') + "]";
  EXPECT_EQ(engine::parseJsonBounded(big).error,
            "the document is 16.0 MiB, more than the 16.0 MiB a LayerLab document may have; is it "
            "the right file?");
  test::TempDir dir;
  test::writeFile(dir.file("big.json"), big);
  try {
    engine::readDocumentFile(dir.file("big.json"));
    FAIL() << "a file past the cap was read";
  } catch (const std::invalid_argument& error) {
    EXPECT_EQ(std::string(error.what()), dir.file("big.json") +
                                             ": larger than the 16.0 MiB a LayerLab document may "
                                             "have; is it the right file?");
  }
}

TEST(JsonLimits, DeepModelIsOneProblem) {
  const std::string model =
      R"({"format": "layerlab.model", "version": 1, "editor": )" + test::deepArrays(kDeep) + "}";
  const engine::ModelParseResult parsed = engine::parseModelSpec(model);
  EXPECT_FALSE(parsed.spec);
  ASSERT_EQ(parsed.problems.size(), 1U);
  EXPECT_NE(parsed.problems[0].message.find("nests deeper than 64 levels (at line 1, column"),
            std::string::npos)
      << parsed.problems[0].message;
}

TEST(JsonLimitsCli, DeepModelIsRefusedBySummaryAndTrain) {
  test::TempDir dir;
  const std::string path = dir.file("deep.layerlab.json");
  test::writeFile(path, test::deepArrays(kDeep));
  expectRefusedInOneLine(runCliMeasured({"summary", "--model", path}), path + ": " + kDeepMessage);
  const MeasuredRun train = runCliMeasured(
      {"train", "--model", path, "--data", "fashion-mnist", "--db", dir.file("s.db")});
  expectRefusedInOneLine(train, path + ": " + kDeepMessage);
  test::writeFile(dir.file("m.json"), test::chainModel(1));
  expectRefusedInOneLine(runCliMeasured({"train", "--model", dir.file("m.json"), "--config", path,
                                         "--db", dir.file("s.db")}),
                         path + ": " + kDeepMessage);
}

// A trained run whose stored documents are then replaced, as a store from someone else could
// hold them.
class StoredDocuments : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ostringstream csv;
    std::mt19937 random(3);
    std::normal_distribution<double> noise(0.0, 0.5);
    csv << "a,b,c,d,kind\n";
    for (int row = 0; row < 60; ++row) {
      for (int f = 0; f < 4; ++f)
        csv << (f == row % 3 ? 3.0 : 0.0) + noise(random) << ',';
      csv << "k" << row % 3 << '\n';
    }
    test::writeFile(m_dir.file("t.csv"), csv.str());
    std::string model = test::chainModel(1);
    model.replace(model.find("\"units\": 4"), 10, "\"units\": 3");
    test::writeFile(m_dir.file("m.json"), model);
    const test::ProcessResult trained =
        test::runProcess(LAYERLAB_CLI_PATH, {"train", "--model", m_dir.file("m.json"), "--data",
                                             m_dir.file("t.csv"), "--epochs", "1", "--db", db()});
    ASSERT_EQ(trained.exitCode, 0) << trained.err;
  }

  std::string db() const { return m_dir.file("runs.db"); }

  std::string select(const std::string& sql) { return test::queryText(db(), sql); }
  void execute(const std::string& sql, const std::string& value) {
    test::execSql(db(), sql, value);
  }

  test::TempDir m_dir;
};

TEST_F(StoredDocuments, DeepDocumentsAreRefusedByPredictAndResume) {
  const std::string deep = test::deepArrays(kDeep);
  execute("UPDATE runs SET status = ? WHERE id = 1", "interrupted");
  struct Document {
    std::string table, column, expected;
  };
  const std::vector<Document> documents = {
      {"models", "json", "its model: " + kDeepMessage},
      {"runs", "config_json", "its training config: " + kDeepMessage},
      {"runs", "dataset_json", "its dataset document: " + kDeepMessage}};
  for (const Document& document : documents) {
    SCOPED_TRACE(document.column);
    const std::string update = "UPDATE " + document.table + " SET " + document.column + " = ?";
    const std::string original = select("SELECT " + document.column + " FROM " + document.table);
    ASSERT_FALSE(original.empty());
    execute(update, deep);  // one broken document at a time
    expectRefusedInOneLine(runCliMeasured({"predict", "--run", "1", "--db", db()}),
                           document.expected);
    expectRefusedInOneLine(runCliMeasured({"train", "--resume", "1", "--db", db()}),
                           document.expected);
    execute(update, original);
  }
}

TEST_F(StoredDocuments, DeepMetadataIsShownAsNull) {
  execute("UPDATE artifacts SET metadata_json = ?", test::deepArrays(kDeep));
  execute("UPDATE runs SET config_json = ?", test::deepArrays(kDeep));
  const MeasuredRun show = runCliMeasured({"runs", "show", "1", "--json", "--db", db()});
  ASSERT_EQ(show.exitCode, 0) << show.err;
  EXPECT_NE(show.out.find("\"config\": null"), std::string::npos) << show.out.substr(0, 2000);
  EXPECT_NE(show.out.find("\"metadata\": null"), std::string::npos);
}

}  // namespace
}  // namespace layerlab
