// A checkpoint write that meets a full disk, for real: layerlab-cli runs with a file-size limit
// (RLIMIT_FSIZE, SIGXFSZ ignored) that the store's small files stay under and a checkpoint does
// not, so the checkpoint write fails with EFBIG. The run must fail cleanly with one line, the
// process must exit normally, and the previous epoch and its checkpoint must stay usable.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "tests/checkpoint/checkpoint_store.h"

namespace layerlab {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::cli;
using test::ProcessResult;

// 4 → 512 → 512 → 3: about 267,000 weights, so a checkpoint with Adam's two moments is some
// 3.2 MB, while the store of a short run stays far below 1 MB.
constexpr const char* kWideModel = R"({"format": "layerlab.model", "version": 1, "name": "wide",
  "input": {"shape": [4]}, "nodes": [
    {"id": "fc1", "type": "Dense", "units": 512, "inputs": ["input"]},
    {"id": "a1", "type": "ReLU", "inputs": ["fc1"]},
    {"id": "fc2", "type": "Dense", "units": 512, "inputs": ["a1"]},
    {"id": "a2", "type": "ReLU", "inputs": ["fc2"]},
    {"id": "out", "type": "Dense", "units": 3, "inputs": ["a2"]}], "outputs": ["out"]})";
constexpr rlim_t kFileSizeLimit = 1 << 20;

// Runs the CLI with files limited to `limit` bytes. The limit and the ignored SIGXFSZ are set
// in this process only while the child starts (a spawned child inherits both).
ProcessResult cliWithFileLimit(const std::vector<std::string>& args, rlim_t limit) {
  rlimit before{};
  getrlimit(RLIMIT_FSIZE, &before);
  const rlimit limited{limit, before.rlim_max};
  struct sigaction ignore {
  }, previous{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGXFSZ, &ignore, &previous);
  EXPECT_EQ(setrlimit(RLIMIT_FSIZE, &limited), 0);
  std::optional<test::ChildProcess> child;
  child.emplace(test::kCli, args);
  setrlimit(RLIMIT_FSIZE, &before);
  sigaction(SIGXFSZ, &previous, nullptr);
  return child->wait();
}

json showRun(const std::string& db) {
  const ProcessResult show = cli({"runs", "show", "1", "--db", db, "--json"});
  EXPECT_EQ(show.exitCode, 0) << show.err;
  return json::parse(show.out);
}

std::vector<std::string> leftoverTemporaries(const fs::path& folder) {
  std::vector<std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (entry.path().extension() == ".tmp") found.push_back(entry.path().string());
  }
  return found;
}

TEST(CheckpointDiskFull, AFailedCheckpointWriteFailsTheRunAndKeepsTheLastCheckpoint) {
  test::TempDir dir;
  const std::string db = dir.file("runs.db");
  test::writeText(dir.file("wide.layerlab.json"), kWideModel);
  const ProcessResult first = test::trainRun(dir.path(), dir.file("wide.layerlab.json"), 1);
  ASSERT_EQ(first.exitCode, 0) << first.out << first.err;
  storage::testing::RawConnection(db).exec("UPDATE runs SET status = 'cancelled' WHERE id = 1");
  const std::string epochOne = test::checkpointPath(dir.path());
  ASSERT_GT(fs::file_size(epochOne), 3 * kFileSizeLimit) << "the checkpoint would fit the limit";
  ASSERT_LT(fs::file_size(db), kFileSizeLimit / 2) << "the store itself would meet the limit";

  const ProcessResult full =
      cliWithFileLimit({"train", "--resume", "1", "--epochs", "3", "--db", db}, kFileSizeLimit);
  EXPECT_EQ(full.exitCode, 1) << full.out << full.err;  // a failed run, not a signal (128 + n)
  EXPECT_EQ(test::lineCount(full.err), 1) << full.err;
  EXPECT_NE(full.err.find("run 1 failed: "), std::string::npos) << full.err;
  EXPECT_NE(full.err.find("cannot write the checkpoint: File too large"), std::string::npos)
      << full.err;
  EXPECT_NE(full.err.find("train --resume"), std::string::npos) << full.err;

  const json failed = showRun(db);
  EXPECT_EQ(failed["status"], "failed");
  EXPECT_NE(failed["error"].get<std::string>().find("File too large"), std::string::npos)
      << failed.dump();
  // The epoch-1 checkpoint is still the recorded one, intact; no half-written file is left.
  EXPECT_EQ(test::checkpointPath(dir.path()), epochOne);
  EXPECT_TRUE(leftoverTemporaries(dir.path()).empty());
  const ProcessResult predict =
      cli({"predict", "--run", "1", "--checkpoint", "last", "--limit", "3", "--db", db});
  EXPECT_EQ(predict.exitCode, 0) << predict.err;

  // With room again the run continues from that checkpoint to its end.
  const ProcessResult resumed = cli({"train", "--resume", "1", "--epochs", "3", "--db", db});
  ASSERT_EQ(resumed.exitCode, 0) << resumed.out << resumed.err;
  EXPECT_NE(resumed.out.find("Continuing run 1 from epoch 1"), std::string::npos) << resumed.out;
  const json done = showRun(db);
  EXPECT_EQ(done["status"], "completed");
  EXPECT_EQ(done["epochs"].size(), 3U);
}

}  // namespace
}  // namespace layerlab
