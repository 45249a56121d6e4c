// layerlab-cli runs …: listing with filters, showing, comparing, editing, deleting, exporting
// and caring for a store arranged through the storage API.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "storage/run_store.h"
#include "tests/storage/store_test_support.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace layerlab {
namespace {

using nlohmann::json;
using storage::EpochRecord;
using storage::MetricValue;
using storage::RunStatus;
using test::ProcessResult;

const std::string kCli = LAYERLAB_CLI_PATH;

ProcessResult cli(std::vector<std::string> args, const std::string& db) {
  args.insert(args.end(), {"--db", db});
  return test::runProcess(kCli, args);
}

json cliJson(std::vector<std::string> args, const std::string& db) {
  args.push_back("--json");
  const ProcessResult result = cli(args, db);
  EXPECT_EQ(result.exitCode, 0) << result.err;
  return json::parse(result.out, nullptr, false);
}

std::vector<std::string> namesOf(const json& list) {
  std::vector<std::string> names;
  for (const json& run : list["runs"])
    names.push_back(run["name"]);
  return names;
}

storage::NewRun run(const std::string& name, double lr, const std::string& optimizer) {
  storage::NewRun r = storage::testing::sampleRun(name);
  r.configJson = R"({"format":"layerlab.train","version":1,"learning_rate":)" + std::to_string(lr) +
                 R"(,"optimizer":")" + optimizer + R"(","batch_size":64})";
  return r;
}

// Three finished runs: "small lr" (adam, best val 0.9), "big lr" (sgd, 0.6), "other" (adam, 0.8).
class RunsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::RunStore store(m_db);
    const std::tuple<const char*, double, const char*, double> specs[] = {
        {"small lr", 0.001, "adam", 0.9},
        {"big lr", 0.1, "sgd", 0.6},
        {"other", 0.005, "adam", 0.8}};
    for (const auto& [name, lr, optimizer, accuracy] : specs) {
      const int64_t id = store.createRun(run(name, lr, optimizer));
      store.bufferBatchSample(id, {1, 1, 0.1, {{"train", "loss", 2.0}}});
      store.appendEpoch(id, EpochRecord{1,
                                        10,
                                        1.0,
                                        {{"train", "loss", 1.0},
                                         {"train", "accuracy", 0.5},
                                         {"val", "loss", 1.0 - accuracy},
                                         {"val", "accuracy", accuracy}}});
      store.finishRun(id, RunStatus::Completed,
                      {{"test", "accuracy", accuracy - 0.05}, {"test", "loss", 0.5}});
      m_ids.push_back(id);
    }
  }

  std::string id(int index) const { return std::to_string(m_ids.at(index)); }

  test::TempDir m_dir;
  std::string m_db = m_dir.file("runs.db");
  std::vector<int64_t> m_ids;
};

TEST_F(RunsCli, ListFiltersSortsAndPages) {
  EXPECT_EQ(
      namesOf(cliJson({"runs", "list", "--where", "lr<0.01", "--sort", "name", "--asc"}, m_db)),
      (std::vector<std::string>{"other", "small lr"}));
  EXPECT_EQ(namesOf(cliJson({"runs", "list", "--where", "optimizer=adam", "--where",
                             "batch_size>=64", "--sort", "best_val_accuracy"},
                            m_db)),
            (std::vector<std::string>{"small lr", "other"}));
  EXPECT_EQ(namesOf(cliJson({"runs", "list", "--sort", "best:val_loss", "--asc"}, m_db)),
            (std::vector<std::string>{"small lr", "other", "big lr"}));
  EXPECT_EQ(namesOf(cliJson({"runs", "list", "--search", "LR"}, m_db)).size(), 2u);
  const json page =
      cliJson({"runs", "list", "--sort", "id", "--asc", "--limit", "2", "--offset", "1"}, m_db);
  EXPECT_EQ(page["total"], 3);
  EXPECT_EQ(namesOf(page), (std::vector<std::string>{"big lr", "other"}));
  EXPECT_EQ(cliJson({"runs", "list", "--status", "failed"}, m_db)["total"], 0);
  const ProcessResult text = cli({"runs", "list", "--status", "failed"}, m_db);
  EXPECT_NE(text.out.find("No runs match"), std::string::npos) << text.out;
  const ProcessResult table = cli({"runs", "list", "--limit", "1"}, m_db);
  EXPECT_NE(table.out.find("BEST VAL"), std::string::npos);
  EXPECT_NE(table.out.find("(1 of 3 runs"), std::string::npos) << table.out;
}

TEST_F(RunsCli, ShowGivesParametersTagsNotesAndAttempts) {
  ASSERT_EQ(cli({"runs", "tag", id(0), "baseline", "keep"}, m_db).exitCode, 0);
  ASSERT_EQ(cli({"runs", "note", id(0), "the good one"}, m_db).exitCode, 0);
  const json shown = cliJson({"runs", "show", id(0)}, m_db);
  EXPECT_EQ(shown["params"]["config.learning_rate"], 0.001);
  EXPECT_EQ(shown["params"]["config.optimizer"], "adam");
  EXPECT_EQ(shown["tags"], json::array({"baseline", "keep"}));
  EXPECT_EQ(shown["notes"], "the good one");
  EXPECT_EQ(shown["attempt"], 1);
  EXPECT_EQ(shown["attempts"].size(), 1u);
  EXPECT_EQ(shown["epochs"][0]["val_accuracy"], 0.9);
  EXPECT_EQ(shown["final"]["test_accuracy"].get<double>(), 0.9 - 0.05);
  EXPECT_EQ(shown["model_sha256"].get<std::string>().size(), 64u);
  const ProcessResult text = cli({"runs", "show", id(0)}, m_db);
  EXPECT_NE(text.out.find("config.learning_rate = 0.001"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("tag       baseline"), std::string::npos) << text.out;
  ASSERT_EQ(cli({"runs", "tag", id(0), "keep", "--remove"}, m_db).exitCode, 0);
  EXPECT_EQ(cliJson({"runs", "show", id(0)}, m_db)["tags"], json::array({"baseline"}));
  EXPECT_EQ(namesOf(cliJson({"runs", "list", "--tag", "baseline"}, m_db)),
            std::vector<std::string>{"small lr"});
}

TEST_F(RunsCli, CompareShowsWhatDiffersAndTheFinalMetricsSideBySide) {
  const ProcessResult text = cli({"runs", "compare", id(0), id(1)}, m_db);
  ASSERT_EQ(text.exitCode, 0) << text.err;
  std::istringstream lines(text.out);
  std::string line, lrLine, optimizerLine, accuracyLine, batchLine;
  while (std::getline(lines, line)) {
    if (line.rfind("config.learning_rate", 0) == 0) lrLine = line;
    if (line.rfind("config.optimizer", 0) == 0) optimizerLine = line;
    if (line.rfind("config.batch_size", 0) == 0) batchLine = line;
    if (line.rfind("test_accuracy", 0) == 0) accuracyLine = line;
  }
  EXPECT_NE(lrLine.find("0.001"), std::string::npos) << text.out;
  EXPECT_NE(lrLine.find("0.1"), std::string::npos) << text.out;
  EXPECT_LT(lrLine.find("0.001"), lrLine.find("0.1"));  // in the order the runs were named
  EXPECT_NE(optimizerLine.find("adam"), std::string::npos);
  EXPECT_NE(optimizerLine.find("sgd"), std::string::npos);
  EXPECT_EQ(batchLine, "") << "an equal parameter was listed";
  EXPECT_NE(accuracyLine.find("0.8500"), std::string::npos) << text.out;
  EXPECT_NE(accuracyLine.find("0.5500"), std::string::npos) << text.out;

  const json compared = cliJson({"runs", "compare", id(1), id(0), id(2)}, m_db);
  ASSERT_EQ(compared["runs"].size(), 3u);
  EXPECT_EQ(compared["runs"][0]["name"], "big lr");
  bool sawLr = false;
  for (const json& row : compared["params"]) {
    EXPECT_NE(row["key"], "config.batch_size");
    if (row["key"] == "config.learning_rate") {
      sawLr = true;
      EXPECT_EQ(row["values"], json::array({0.1, 0.001, 0.005}));
    }
  }
  EXPECT_TRUE(sawLr);
  EXPECT_EQ(compared["final"]["test_accuracy"].size(), 3u);
  const json all = cliJson({"runs", "compare", id(0), id(2), "--all"}, m_db);
  EXPECT_GT(all["params"].size(), compared["params"].size());
}

// Quotes, %, _, ;-- and escape sequences from the command line are stored and shown literally.
TEST_F(RunsCli, HostileTextIsStoredAndSearchedLiterally) {
  const std::string hostile = "it's 100%_done\"; DROP TABLE runs; --";
  ASSERT_EQ(cli({"runs", "rename", id(1), hostile}, m_db).exitCode, 0);
  ASSERT_EQ(cli({"runs", "tag", id(1), hostile}, m_db).exitCode, 0);
  ASSERT_EQ(cli({"runs", "note", id(2), std::string(20000, 'n') + "%"}, m_db).exitCode, 0);
  EXPECT_EQ(cliJson({"runs", "show", id(1)}, m_db)["name"], hostile);
  EXPECT_EQ(namesOf(cliJson({"runs", "list", "--search", "%_"}, m_db)),
            std::vector<std::string>{hostile});
  EXPECT_EQ(namesOf(cliJson({"runs", "list", "--tag", hostile}, m_db)),
            std::vector<std::string>{hostile});
  EXPECT_EQ(namesOf(cliJson({"runs", "list", "--search", "n%"}, m_db)),
            std::vector<std::string>{"other"});
  EXPECT_EQ(
      cliJson({"runs", "list", "--where", "optimizer=x'; DROP TABLE runs; --"}, m_db)["total"], 0);
  EXPECT_EQ(cliJson({"runs", "list"}, m_db)["total"], 3);

  ASSERT_EQ(cli({"runs", "rename", id(0), "clear\x1b[2Jscreen\nnext"}, m_db).exitCode, 0);
  const ProcessResult table = cli({"runs", "list"}, m_db);
  EXPECT_EQ(table.out.find('\x1b'), std::string::npos) << "a raw escape reached the terminal";
  EXPECT_NE(table.out.find("clear\\x1b[2Jscreen"), std::string::npos) << table.out;
  EXPECT_EQ(cliJson({"runs", "show", id(0)}, m_db)["name"], "clear\x1b[2Jscreen\nnext");
}

TEST_F(RunsCli, DeleteNeedsConfirmationAndTakesTheFiles) {
  const std::filesystem::path folder =
      m_dir.path() / "runs.files" /
      cliJson({"runs", "show", id(1)}, m_db)["uuid"].get<std::string>();
  {
    storage::RunStore store(m_db);
    store.saveArtifact(m_ids[1], "onnx", "model.onnx",
                       [](const std::string& path) { std::ofstream(path) << "onnx"; });
  }
  ASSERT_TRUE(std::filesystem::is_directory(folder));
  const ProcessResult refused = cli({"runs", "delete", id(1)}, m_db);  // stdin is not a terminal
  EXPECT_EQ(refused.exitCode, 2);
  EXPECT_NE(refused.err.find("add --yes"), std::string::npos) << refused.err;
  EXPECT_EQ(cliJson({"runs", "list"}, m_db)["total"], 3);

  const json deleted = cliJson({"runs", "delete", id(1), "--yes"}, m_db);
  EXPECT_EQ(deleted["deleted"][0]["id"], m_ids[1]);
  EXPECT_EQ(deleted["deleted"][0]["files_removed"], 1);
  EXPECT_FALSE(std::filesystem::exists(folder));
  EXPECT_EQ(cliJson({"runs", "list"}, m_db)["total"], 2);
  EXPECT_EQ(cli({"runs", "show", id(1)}, m_db).exitCode, 2);
  const json vacuumed = cliJson({"runs", "vacuum"}, m_db);
  EXPECT_GT(vacuumed["bytes_after"].get<int64_t>(), 0);
  const json checked = cliJson({"runs", "check"}, m_db);
  EXPECT_EQ(checked["ok"], true);
  EXPECT_EQ(cli({"runs", "check", "--quick"}, m_db).out, m_db + ": ok\n");
}

TEST_F(RunsCli, ExportCsvWritesLongFormWithFullPrecision) {
  {
    storage::RunStore store(m_db);
    storage::NewRun odd = storage::testing::sampleRun("odd");
    const int64_t oddId = store.createRun(odd);
    store.appendEpoch(oddId, EpochRecord{1,
                                         5,
                                         2.5,
                                         {{"val", "loss, \"quoted\"", std::nan("")},
                                          {"val", "accuracy", 1.0 / 3.0}}});
    m_ids.push_back(oddId);
  }
  const std::string out = m_dir.file("metrics.csv");
  const ProcessResult result =
      cli({"runs", "export-csv", id(0), id(3), "--kind", "all", "--output", out}, m_db);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  std::ifstream in(out);
  std::vector<std::string> rows;
  for (std::string line; std::getline(in, line);)
    rows.push_back(line);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0],
            "run_id,run_uuid,attempt,superseded,kind,split,name,step,epoch,value,wall_time");
  // Run 1: one batch value, four epoch values, two final values.
  const auto count = [&rows](const std::string& part) {
    return std::count_if(rows.begin() + 1, rows.end(), [&part](const std::string& row) {
      return row.find(part) != std::string::npos;
    });
  };
  EXPECT_EQ(count("," + std::string("batch,")), 1);
  EXPECT_EQ(count(",final,"), 2);
  EXPECT_EQ(count(",epoch,"), 4 + 2);
  EXPECT_EQ(count(R"(,"loss, ""quoted""",5,1,nan,2.5)"), 1);
  EXPECT_EQ(count(",accuracy,5,1,0.33333333333333331,"), 1);
  EXPECT_FALSE(std::filesystem::exists(out + ".tmp-0"));
  const ProcessResult toStdout = cli({"runs", "export-csv", id(0)}, m_db);
  EXPECT_EQ(std::count(toStdout.out.begin(), toStdout.out.end(), '\n'), 1 + 4);
}

TEST_F(RunsCli, RecoverMarksRunsOfDeadProcessesInterrupted) {
  int64_t orphan = 0;
  {
    storage::RunStore store(m_db);
    orphan = store.createRun(storage::testing::sampleRun("crashed"));
  }
  storage::testing::RawConnection raw(m_db);
  storage::testing::orphanRun(raw, orphan);
  EXPECT_EQ(raw.text("SELECT status FROM runs WHERE id = " + std::to_string(orphan)), "running");
  // A reader already reports it as stopped; recover writes it down.
  EXPECT_EQ(cliJson({"runs", "show", std::to_string(orphan)}, m_db)["status"], "interrupted");
  const json recovered = cliJson({"runs", "recover"}, m_db);
  EXPECT_EQ(recovered["interrupted"], json::array({orphan}));
  EXPECT_EQ(raw.text("SELECT status FROM runs WHERE id = " + std::to_string(orphan)),
            "interrupted");
  const ProcessResult text = cli({"runs", "recover"}, m_db);
  EXPECT_NE(text.out.find("--resume"), std::string::npos) << text.out;
}

struct BadRunsInput {
  const char* name;
  std::vector<std::string> args;
  std::string message;
};

class RunsCliBadInput : public RunsCli, public ::testing::WithParamInterface<BadRunsInput> {};

TEST_P(RunsCliBadInput, OneClearLineAndExitTwo) {
  const ProcessResult result = cli(GetParam().args, m_db);
  EXPECT_EQ(result.exitCode, 2) << result.out;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find(GetParam().message), std::string::npos) << result.err;
  EXPECT_EQ(cliJson({"runs", "list"}, m_db)["total"], 3);
}

INSTANTIATE_TEST_SUITE_P(
    Table, RunsCliBadInput,
    ::testing::Values(
        BadRunsInput{"show_unknown", {"runs", "show", "99"}, "no run 99"},
        BadRunsInput{"compare_unknown", {"runs", "compare", "1", "99"}, "no run 99"},
        BadRunsInput{"compare_one", {"runs", "compare", "1"}, "at least two"},
        BadRunsInput{"tag_unknown", {"runs", "tag", "99", "x"}, "there is no run 99"},
        BadRunsInput{"rename_unknown", {"runs", "rename", "99", "x"}, "there is no run 99"},
        BadRunsInput{"delete_unknown", {"runs", "delete", "99", "--yes"}, "no run 99"},
        BadRunsInput{"bad_where", {"runs", "list", "--where", "lr 0.1"}, "needs one of"},
        BadRunsInput{
            "bad_sort", {"runs", "list", "--sort", "name; DROP TABLE runs"}, "cannot sort by"},
        BadRunsInput{"bad_status", {"runs", "list", "--status", "done"}, "unknown status 'done'"},
        BadRunsInput{"bad_kind", {"runs", "export-csv", "1", "--kind", "weekly"}, "--kind"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace layerlab
