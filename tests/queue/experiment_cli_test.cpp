// layerlab-cli experiment …, end to end on small Fashion-MNIST slices: the JSON shapes scripts
// rely on, a grid run two trials side by side, a queue killed with SIGKILL mid-experiment and
// started again, a trial process that crashes, pausing and adding trials.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "storage/experiment_store.h"
#include "storage/run_query.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

namespace layerlab {
namespace {

using nlohmann::json;
using test::ProcessResult;

const std::string kCli = LAYERLAB_CLI_PATH;
const std::string kMlp =
    std::string(LAYERLAB_SOURCE_DIR) + "/resources/templates/mlp.layerlab.json";

class ExperimentCli : public ::testing::Test {
 protected:
  ProcessResult cli(std::vector<std::string> args) {
    args.insert(args.end(), {"--db", m_db});
    return test::runProcess(kCli, args);
  }

  // An experiment over the MLP template on 600 images, `epochs` per trial.
  int64_t create(const std::vector<std::string>& extra, int epochs = 2) {
    std::vector<std::string> args = {"experiment", "create", "--model",  kMlp,
                                     "--limit",    "600",    "--epochs", std::to_string(epochs),
                                     "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const ProcessResult result = cli(args);
    EXPECT_EQ(result.exitCode, 0) << result.err;
    const json created = json::parse(result.out, nullptr, false);
    EXPECT_TRUE(created.contains("id")) << result.out;
    return created.value("id", int64_t{0});
  }

  json status(int64_t id) {
    const ProcessResult result = cli({"experiment", "status", std::to_string(id), "--json"});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    return json::parse(result.out, nullptr, false);
  }

  // Every trial's run, and each run linked to one trial only.
  void expectOneRunPerTrial(const json& state) {
    std::set<int64_t> runs;
    for (const json& trial : state["trials"]) {
      ASSERT_TRUE(trial["run_id"].is_number()) << trial.dump();
      EXPECT_TRUE(runs.insert(trial["run_id"].get<int64_t>()).second) << "a run serves two trials";
    }
    const storage::RunQuery query(m_db);
    EXPECT_EQ(query.listRuns().size(), runs.size()) << "a trial was run twice";
  }

  test::TempDir m_dir;
  std::string m_db = m_dir.file("runs.db");
};

TEST_F(ExperimentCli, GridRunsEveryPointTwoAtATimeAndAnswersInJson) {
  const int64_t id = create({"--param", "lr=0.01,0.001", "--param", "fc1.units=16,32", "--strategy",
                             "grid", "--parallel", "2"});
  ASSERT_GT(id, 0);
  const ProcessResult run = cli({"experiment", "run", std::to_string(id)});
  ASSERT_EQ(run.exitCode, 0) << run.out << run.err;

  const json state = status(id);
  EXPECT_EQ(state["id"], id);
  EXPECT_EQ(state["status"], "completed");
  ASSERT_EQ(state["trials"].size(), 4U) << state.dump();
  std::set<std::pair<double, int>> points;
  for (const json& trial : state["trials"]) {
    EXPECT_EQ(trial["status"], "completed") << trial.dump();
    ASSERT_TRUE(trial["objective"].is_number()) << trial.dump();
    EXPECT_GT(trial["objective"].get<double>(), 0.2);
    points.insert({trial["params"]["lr"].get<double>(), trial["params"]["fc1.units"].get<int>()});
  }
  EXPECT_EQ(points,
            (std::set<std::pair<double, int>>{{0.001, 16}, {0.001, 32}, {0.01, 16}, {0.01, 32}}));
  expectOneRunPerTrial(state);

  // Each trial's run trained with its own parameters.
  const storage::RunQuery query(m_db);
  for (const json& trial : state["trials"]) {
    const auto detail = query.run(trial["run_id"].get<int64_t>());
    ASSERT_TRUE(detail.has_value());
    const json config = json::parse(detail->configJson);
    EXPECT_DOUBLE_EQ(config["learning_rate"].get<double>(), trial["params"]["lr"].get<double>());
  }

  const ProcessResult best = cli({"experiment", "best", std::to_string(id), "--json"});
  ASSERT_EQ(best.exitCode, 0) << best.err;
  const json top = json::parse(best.out, nullptr, false);
  EXPECT_EQ(top["objective_name"], "val_accuracy");
  double highest = 0.0;
  for (const json& trial : state["trials"])
    highest = std::max(highest, trial["objective"].get<double>());
  EXPECT_DOUBLE_EQ(top["objective"].get<double>(), highest);
  EXPECT_TRUE(top["params"].contains("lr"));
  EXPECT_TRUE(top["run_id"].is_number());
}

TEST_F(ExperimentCli, TypoInAParameterIsRefusedBeforeAnythingIsStored) {
  const ProcessResult result =
      cli({"experiment", "create", "--model", kMlp, "--param", "fc9.units=16,32"});
  EXPECT_EQ(result.exitCode, 2);
  EXPECT_NE(result.err.find("fc9"), std::string::npos) << result.err;
  const ProcessResult list = cli({"experiment", "list", "--json"});
  EXPECT_EQ(list.exitCode, 2) << "a refused experiment created the store: " << list.out;
}

// The queue is killed with SIGKILL while trials run; its trial processes are killed too. Started
// again, it continues the interrupted trials' runs and finishes the rest: every trial ends with
// one run, and no trial runs twice.
TEST_F(ExperimentCli, KilledQueueCarriesOnWithNoTrialLostOrRunTwice) {
  const int64_t id = create(
      {"--param", "lr=log:1e-3..1e-2", "--strategy", "random", "--trials", "4", "--parallel", "2"},
      3);
  ASSERT_GT(id, 0);
  {
    test::ChildProcess queue(kCli, {"experiment", "run", std::to_string(id), "--db", m_db});
    ASSERT_TRUE(queue.readUntilLineContaining("trial 2 started"));
    // A running trial that has checkpointed an epoch is frozen, the queue is killed, then every
    // trial process still running: the frozen one must continue from its checkpoint.
    storage::ExperimentStore watch(m_db);
    auto checkpointedTrialProcess = [&]() -> std::optional<pid_t> {
      const storage::RunQuery query(m_db);
      for (const storage::TrialRow& trial : watch.trials(id)) {
        if (trial.status != storage::TrialStatus::Running || !trial.runId || !trial.ownerPid)
          continue;
        const auto run = query.run(*trial.runId);
        if (run && run->summary.epochsDone < 3 && !run->artifacts.empty())
          return static_cast<pid_t>(*trial.ownerPid);
      }
      return std::nullopt;
    };
    std::optional<pid_t> frozen;
    while (!(frozen = checkpointedTrialProcess())) {
      const auto trials = watch.trials(id);
      ASSERT_FALSE(
          trials.size() == 4 &&
          std::ranges::all_of(trials, [](const auto& t) { return storage::isFinished(t.status); }))
          << "every trial ended before one could be frozen";
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // polling the store
    }
    kill(*frozen, SIGSTOP);
    queue.sendSignal(SIGKILL);
    queue.wait();
  }
  storage::ExperimentStore store(m_db);
  for (const storage::TrialRow& trial : store.trials(id)) {
    if (trial.status == storage::TrialStatus::Running && trial.ownerPid) {
      kill(static_cast<pid_t>(*trial.ownerPid), SIGKILL);
    }
  }
  const ProcessResult again = cli({"experiment", "run", std::to_string(id)});
  ASSERT_EQ(again.exitCode, 0) << again.out << again.err;
  SCOPED_TRACE("the queue started again said:\n" + again.out);
  const json state = status(id);
  SCOPED_TRACE(state.dump());
  ASSERT_EQ(state["trials"].size(), 4U);
  for (const json& trial : state["trials"])
    EXPECT_EQ(trial["status"], "completed") << trial.dump();
  expectOneRunPerTrial(state);
  // At least one run was continued by a second attempt, and it ran its epochs once each.
  const storage::RunQuery query(m_db);
  int resumed = 0;
  for (const json& trial : state["trials"]) {
    const auto run = query.run(trial["run_id"].get<int64_t>());
    ASSERT_TRUE(run.has_value());
    if (run->summary.attempt > 1) ++resumed;
    EXPECT_EQ(run->summary.epochsDone, 3) << trial.dump();
  }
  EXPECT_GE(resumed, 1);
}

// One trial's process dies of a crash (SIGSEGV): that trial is failed with the reason, and the
// others finish.
TEST_F(ExperimentCli, CrashedTrialIsFailedAndTheOthersGoOn) {
  const int64_t id = create({"--param", "fc1.units=16,32,48", "--strategy", "grid"}, 3);
  ASSERT_GT(id, 0);
  test::ChildProcess queue(kCli, {"experiment", "run", std::to_string(id), "--db", m_db});
  ASSERT_TRUE(queue.readUntilLineContaining("trial 1 started"));
  storage::ExperimentStore store(m_db);
  std::optional<int64_t> pid;
  // The trial's process records itself as it claims the trial.
  while (!pid) {
    const auto trial = store.trial(id, 1);
    ASSERT_TRUE(trial.has_value());
    ASSERT_NE(trial->status, storage::TrialStatus::Completed) << "trial 1 ended before the crash";
    pid = trial->ownerPid;
    if (!pid) std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling the store
  }
  kill(static_cast<pid_t>(*pid), SIGSEGV);
  const ProcessResult result = queue.wait();
  EXPECT_EQ(result.exitCode, 0) << result.err;
  const json state = status(id);
  ASSERT_EQ(state["trials"].size(), 3U);
  EXPECT_EQ(state["trials"][0]["status"], "failed");
  EXPECT_NE(state["trials"][0]["error"].get<std::string>().find("signal 11"), std::string::npos)
      << state["trials"][0].dump();
  EXPECT_EQ(state["trials"][1]["status"], "completed");
  EXPECT_EQ(state["trials"][2]["status"], "completed");
}

TEST_F(ExperimentCli, AddedTrialsRunWhenTheQueueRunsAgain) {
  const int64_t id = create({"--param", "lr=log:1e-3..1e-2", "--trials", "1"}, 1);
  ASSERT_EQ(cli({"experiment", "run", std::to_string(id)}).exitCode, 0);
  EXPECT_EQ(status(id)["trials"].size(), 1U);
  ASSERT_EQ(cli({"experiment", "add", std::to_string(id), "--trials", "2"}).exitCode, 0);
  ASSERT_EQ(cli({"experiment", "run", std::to_string(id)}).exitCode, 0);
  const json state = status(id);
  ASSERT_EQ(state["trials"].size(), 3U);
  EXPECT_EQ(state["status"], "completed");
  // Random search draws the same first point whatever happens later; the added ones differ.
  EXPECT_NE(state["trials"][1]["params"]["lr"], state["trials"][0]["params"]["lr"]);
}

}  // namespace
}  // namespace layerlab
