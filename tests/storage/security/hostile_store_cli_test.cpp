// The same hostile stores through layerlab-cli, as a user meets them: runs vacuum and runs delete
// on a store whose files folder links elsewhere, read-only commands on a mistyped --db or another
// program's database, a very long --where condition and impossible times.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../store_test_support.h"
#include "storage/run_query.h"
#include "storage/run_store.h"
#include "tests/support/child_process.h"

namespace layerlab::storage {
namespace {

namespace fs = std::filesystem;
using test::ProcessResult;
using test::runProcess;
using testing::RawConnection;
using testing::sampleRun;
using testing::ScratchFolder;

constexpr const char* kVictimText = "export SECRET=1\n";

std::string contentOf(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

ProcessResult cli(std::vector<std::string> args, const std::string& db) {
  args.push_back("--db");
  args.push_back(db);
  return runProcess(LAYERLAB_CLI_PATH, args);
}

class HostileStoreCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(m_storeFolder);
    std::ofstream(m_home / ".bashrc") << kVictimText;
    std::ofstream(m_storeFolder / "victim.txt") << kVictimText;
  }

  void expectVictimsIntact() {
    EXPECT_EQ(contentOf(m_home / ".bashrc"), kVictimText);
    EXPECT_EQ(contentOf(m_storeFolder / "victim.txt"), kVictimText);
    EXPECT_NO_THROW(RunQuery(m_path).listRuns());
  }

  int64_t finishedRun() {
    RunStore store(m_path);
    const int64_t id = store.createRun(sampleRun());
    store.saveArtifact(id, "checkpoint-last", "last.pt",
                       [](const std::string& temp) { std::ofstream(temp) << "weights"; });
    store.finishRun(id, RunStatus::Completed, {});
    return id;
  }

  ScratchFolder m_scratch;
  fs::path m_home = m_scratch.path() / "home";
  fs::path m_storeFolder = m_home / "data";
  std::string m_path = (m_storeFolder / "runs.db").string();
};

TEST_F(HostileStoreCliTest, VacuumLeavesWhatALinkedRunFolderPointsTo) {
  finishedRun();
  const fs::path link = m_storeFolder / "runs.files" / "0badc0de-0000-4000-8000-000000000001";
  fs::create_directory_symlink("../..", link);
  const ProcessResult result = cli({"runs", "vacuum"}, m_path);
  EXPECT_EQ(result.exitCode, 0) << result.err;
  expectVictimsIntact();
  EXPECT_NE(result.err.find("left alone " + link.string() + ": is a symbolic link"),
            std::string::npos)
      << result.err;
}

TEST_F(HostileStoreCliTest, DeleteLeavesFilesThatRecordsNameOutsideTheRunFolder) {
  const int64_t id = finishedRun();
  RawConnection(m_path).exec(
      "INSERT INTO artifacts (run_id, kind, file_name, rel_path, bytes, sha256, created_at) "
      "VALUES (" +
      std::to_string(id) + ", 'a', 'a.pt', 'victim.txt', 1, 'x', 1), (" + std::to_string(id) +
      ", 'b', 'b.pt', 'runs.db', 1, 'x', 1)");
  const ProcessResult result =
      cli({"runs", "delete", std::to_string(id), "--yes", "--json"}, m_path);
  EXPECT_EQ(result.exitCode, 0) << result.err;
  expectVictimsIntact();
  EXPECT_NE(result.err.find("'victim.txt' is not a file in the run's own folder"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.out.find("\"files_removed\": 1"), std::string::npos) << result.out;
}

TEST_F(HostileStoreCliTest, ReadOnlyCommandsOnAMissingStoreCreateNothing) {
  const std::string typo = (m_scratch.path() / "tpyo" / "runs.db").string();
  const std::vector<std::vector<std::string>> commands = {
      {"runs", "list"},
      {"runs", "show", "1"},
      {"runs", "compare", "1", "2"},
      {"runs", "export-csv", "1"},
      {"runs", "delete", "1", "--yes"},
      {"predict", "--run", "1", "--data", "idx:nothing"},
      {"export", "1", "--onnx", (m_scratch.path() / "out.onnx").string()},
  };
  for (const auto& command : commands) {
    SCOPED_TRACE(command[0] + " " + command[1]);
    const ProcessResult result = cli(command, typo);
    EXPECT_NE(result.exitCode, 0);
    EXPECT_NE(result.err.find(typo + ": there is no such file"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("terminate"), std::string::npos) << result.err;
    EXPECT_FALSE(fs::exists(m_scratch.path() / "tpyo"));
  }
}

TEST_F(HostileStoreCliTest, AnotherProgramsDatabaseIsRefusedUnchanged) {
  const std::string foreign = (m_scratch.path() / "notes.sqlite").string();
  RawConnection(foreign).exec("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('hi');");
  const std::string before = contentOf(foreign);
  for (const auto& command : std::vector<std::vector<std::string>>{
           {"runs", "list"}, {"runs", "vacuum"}, {"runs", "delete", "1", "--yes"}}) {
    SCOPED_TRACE(command[1]);
    const ProcessResult result = cli(command, foreign);
    EXPECT_NE(result.exitCode, 0);
    EXPECT_NE(result.err.find(foreign + ": it is a SQLite database but not a LayerLab store"),
              std::string::npos)
        << result.err;
  }
  EXPECT_EQ(contentOf(foreign), before);
  EXPECT_FALSE(fs::exists(foreign + "-wal"));
  EXPECT_FALSE(fs::exists(foreign + "-shm"));
}

TEST_F(HostileStoreCliTest, AWhereConditionPastTheLikeLimitWorks) {
  finishedRun();
  const ProcessResult result =
      cli({"runs", "list", "--json", "--where", "optimizer~" + std::string(60'000, 'x')}, m_path);
  EXPECT_EQ(result.exitCode, 0) << result.err.substr(0, 300);
  EXPECT_EQ(result.err.find("pattern too complex"), std::string::npos);
  EXPECT_NE(result.out.find("\"runs\": []"), std::string::npos) << result.out.substr(0, 300);
}

TEST_F(HostileStoreCliTest, ImpossibleTimesPrintAsUnknown) {
  const int64_t id = finishedRun();
  RawConnection(m_path).exec(
      "UPDATE runs SET created_at = 1e300, started_at = -1e300, finished_at = 1e999, "
      "heartbeat_at = -1e999");
  const ProcessResult show = cli({"runs", "show", std::to_string(id)}, m_path);
  EXPECT_EQ(show.exitCode, 0) << show.err;
  EXPECT_NE(show.out.find("started   -\n  finished  -\n"), std::string::npos) << show.out;
  const ProcessResult json = cli({"runs", "show", std::to_string(id), "--json"}, m_path);
  EXPECT_EQ(json.exitCode, 0) << json.err;
  EXPECT_NE(json.out.find("\"started_at\": null"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"created_at\": null"), std::string::npos) << json.out;
  const ProcessResult list = cli({"runs", "list"}, m_path);
  EXPECT_EQ(list.exitCode, 0) << list.err;
}

}  // namespace
}  // namespace layerlab::storage
