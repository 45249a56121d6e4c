// A training process killed with SIGKILL leaves a sound store: whole epochs only, the run shown
// interrupted from the next open, and `train --resume` carries it to the end.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "tests/storage/store_test_support.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace layerlab {
namespace {

using nlohmann::json;
using storage::testing::RawConnection;
using Clock = std::chrono::steady_clock;

const std::string kCli = LAYERLAB_CLI_PATH;
const std::string kModel =
    std::string(LAYERLAB_SOURCE_DIR) + "/resources/templates/mlp.layerlab.json";
constexpr int kEpochs = 10;
const std::vector<std::string> kEpochKeys = {"train_loss", "train_accuracy", "val_loss",
                                             "val_accuracy"};

std::vector<std::string> trainArgs(const std::string& db, int limit) {
  return {"train",
          "--model",
          kModel,
          "--epochs",
          std::to_string(kEpochs),
          "--limit",
          std::to_string(limit),
          "--db",
          db};
}

// "Epoch 7/10" → 7; 0 for any other line.
int epochHeader(const std::string& line) {
  const std::string prefix = "Epoch ";
  if (line.rfind(prefix, 0) != 0) return 0;
  return std::atoi(line.c_str() + prefix.size());
}

json cliJson(const std::vector<std::string>& args) {
  const test::ProcessResult result = test::runProcess(kCli, args);
  EXPECT_EQ(result.exitCode, 0) << result.err;
  return json::parse(result.out, nullptr, false);
}

// What a killed run left behind, checked for soundness on the way.
struct Leftover {
  int64_t runId = 0;  // 0: the process died before it created the run
  std::string status;
  int epochs = 0;  // complete epochs in the live view
  bool hasCheckpoint = false;
};

// The store must be sound, and every epoch in it whole: four values, and as many batch samples
// as every other epoch.
Leftover inspectAfterKill(const std::string& db) {
  Leftover left;
  {
    RawConnection raw(db);  // before LayerLab opens the file again
    EXPECT_EQ(raw.text("PRAGMA integrity_check"), "ok");
    if (raw.text("SELECT count(*) FROM sqlite_master WHERE name = 'runs'") != "1") return left;
    EXPECT_LE(raw.integer("SELECT count(*) FROM runs"), 1);
    if (raw.integer("SELECT count(*) FROM runs") == 0) return left;
    left.runId = raw.integer("SELECT id FROM runs");
    EXPECT_EQ(
        raw.integer("SELECT count(DISTINCT n) FROM (SELECT count(*) AS n FROM metrics "
                    "WHERE kind = 'batch' AND superseded = 0 GROUP BY epoch)"),
        raw.integer("SELECT count(DISTINCT epoch) FROM metrics WHERE kind = 'epoch'") > 0 ? 1 : 0)
        << "epochs with different numbers of batch samples";
    EXPECT_EQ(raw.integer("SELECT count(*) FROM metrics WHERE kind = 'batch' AND epoch > "
                          "(SELECT COALESCE(MAX(epoch), 0) FROM metrics WHERE kind = 'epoch')"),
              0)
        << "batch samples of an epoch that was never completed";
  }
  const json run = cliJson({"runs", "show", std::to_string(left.runId), "--db", db, "--json"});
  left.status = run.value("status", "");
  left.epochs = static_cast<int>(run["epochs"].size());
  for (int i = 0; i < left.epochs; ++i) {
    const json& epoch = run["epochs"][i];
    EXPECT_EQ(epoch["epoch"], i + 1);
    for (const std::string& key : kEpochKeys)
      EXPECT_TRUE(epoch[key].is_number()) << "epoch " << i + 1 << " has no " << key;
  }
  for (const json& artifact : run["artifacts"])
    left.hasCheckpoint = left.hasCheckpoint || artifact["kind"] == "checkpoint-last";
  return left;
}

// Resumes `runId` and checks it ends completed with every epoch exactly once.
void resumeToTheEnd(const std::string& db, int64_t runId) {
  const test::ProcessResult resumed =
      test::runProcess(kCli, {"train", "--resume", std::to_string(runId), "--db", db});
  ASSERT_EQ(resumed.exitCode, 0) << resumed.out << resumed.err;
  const json run = cliJson({"runs", "show", std::to_string(runId), "--db", db, "--json"});
  EXPECT_EQ(run["status"], "completed");
  EXPECT_GE(run["attempt"].get<int>(), 2);
  ASSERT_EQ(run["epochs"].size(), static_cast<size_t>(kEpochs));
  for (int i = 0; i < kEpochs; ++i)
    EXPECT_EQ(run["epochs"][i]["epoch"], i + 1);
  EXPECT_EQ(RawConnection(db).text("PRAGMA integrity_check"), "ok");
}

TEST(Crash, KilledDuringEpochSevenKeepsSixEpochsAndResumesToTen) {
  test::TempDir dir;
  const std::string db = dir.file("runs.db");
  test::ChildProcess child(kCli, trainArgs(db, 32000));
  std::string line;
  int lastHeader = 0;
  std::vector<Clock::time_point> epochEnds;
  while (lastHeader < 6 && child.readLine(line)) {
    if (const int epoch = epochHeader(line); epoch > 0) {
      lastHeader = epoch;
      epochEnds.push_back(Clock::now());
    }
  }
  ASSERT_EQ(lastHeader, 6) << "the run ended before epoch 6";
  ASSERT_TRUE(child.readLine(line));  // epoch 6's summary line
  // Half an epoch in, measured from the last two epochs: well inside epoch 7.
  const auto epochLength = epochEnds[5] - epochEnds[4];
  std::this_thread::sleep_for(epochLength / 2);
  child.sendSignal(SIGKILL);
  const test::ProcessResult killed = child.wait();
  ASSERT_EQ(killed.exitCode, 128 + SIGKILL) << "the run finished before it was killed";
  EXPECT_EQ(killed.out.find("Epoch 7/"), std::string::npos) << "killed after epoch 7 ended";

  const Leftover left = inspectAfterKill(db);
  ASSERT_GT(left.runId, 0);
  EXPECT_EQ(left.status, "interrupted");
  EXPECT_EQ(left.epochs, 6);
  // A writer's open records it, so every later reader agrees.
  EXPECT_EQ(cliJson({"runs", "recover", "--db", db, "--json"})["interrupted"],
            json::array({left.runId}));
  EXPECT_EQ(RawConnection(db).text("SELECT status FROM runs"), "interrupted");
  resumeToTheEnd(db, left.runId);
}

// Kills at random moments — while starting, mid-epoch, while committing, while checkpointing —
// and checks the store each time. Set LAYERLAB_CRASH_SEED to replay a sequence.
TEST(Crash, RandomKillsNeverDamageTheStore) {
  const char* seedText = std::getenv("LAYERLAB_CRASH_SEED");
  const unsigned seed =
      seedText ? static_cast<unsigned>(std::atoll(seedText)) : std::random_device{}();
  RecordProperty("seed", static_cast<int>(seed));
  std::printf("crash loop seed %u (LAYERLAB_CRASH_SEED)\n", seed);
  std::mt19937 random(seed);
  int killedEarly = 0, killedMidRun = 0, finished = 0, resumed = 0;
  for (int iteration = 0; iteration < 20; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration) + ", seed " + std::to_string(seed));
    test::TempDir dir;
    const std::string db = dir.file("runs.db");
    test::ChildProcess child(kCli, trainArgs(db, 3000));
    const bool early = std::uniform_int_distribution<int>(0, 9)(random) == 0;
    if (early) {
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 1200)(random)));
    } else {
      const int afterEpoch = std::uniform_int_distribution<int>(1, kEpochs)(random);
      std::string line;
      int header = 0;
      while (header < afterEpoch && child.readLine(line))
        header = std::max(header, epochHeader(line));
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 40)(random)));
    }
    child.sendSignal(SIGKILL);
    const test::ProcessResult result = child.wait();
    const bool killed = result.exitCode == 128 + SIGKILL;
    ++(killed ? (early ? killedEarly : killedMidRun) : finished);

    const Leftover left = inspectAfterKill(db);
    if (left.runId == 0) continue;
    // Killed after its last commit, or not killed at all: it completed.
    if (left.status == "completed") continue;
    EXPECT_TRUE(killed) << "the run ended " << left.status << ": " << result.err;
    ASSERT_EQ(left.status, "interrupted");
    const test::ProcessResult attempt =
        test::runProcess(kCli, {"train", "--resume", std::to_string(left.runId), "--db", db});
    if (!left.hasCheckpoint && attempt.exitCode != 0) {
      // Killed before its first checkpoint: nothing to continue from, and it must say so.
      EXPECT_NE(attempt.err.find("checkpoint"), std::string::npos) << attempt.err;
      continue;
    }
    ASSERT_EQ(attempt.exitCode, 0) << attempt.err;
    ++resumed;
    const json run = cliJson({"runs", "show", std::to_string(left.runId), "--db", db, "--json"});
    EXPECT_EQ(run["status"], "completed");
    ASSERT_EQ(run["epochs"].size(), static_cast<size_t>(kEpochs));
    for (int i = 0; i < kEpochs; ++i)
      EXPECT_EQ(run["epochs"][i]["epoch"], i + 1);
    EXPECT_EQ(RawConnection(db).text("PRAGMA integrity_check"), "ok");
  }
  std::printf("killed while starting %d, killed mid-run %d, finished first %d, resumed %d\n",
              killedEarly, killedMidRun, finished, resumed);
}

}  // namespace
}  // namespace layerlab
