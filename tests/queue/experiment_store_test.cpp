// The store's side of experiments: the budget holds when trials are added from several
// processes, a trial is claimed by one process only (and taken over once that process is gone),
// a run is linked to its trial as it is created, and curves come from the runs' stored epochs.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <set>

#include "storage/experiment_store.h"
#include "storage/run_store.h"
#include "tests/storage/store_test_support.h"

namespace layerlab::storage {
namespace {

using testing::RawConnection;
using testing::ScratchFolder;

constexpr const char* kSpec = R"({"format":"layerlab.experiment"})";

TEST(ExperimentStore, CreatesListsAndChangesStatus) {
  ScratchFolder folder;
  ExperimentStore store(folder.file("runs.db"));
  const int64_t first = store.createExperiment("first", kSpec);
  const int64_t second = store.createExperiment("second", kSpec, 5);
  const std::vector<ExperimentRow> all = store.experiments();
  ASSERT_EQ(all.size(), 2U);
  EXPECT_EQ(all[0].id, second);  // newest first
  EXPECT_EQ(all[0].priority, 5);
  EXPECT_EQ(all[1].status, ExperimentStatus::Queued);
  store.setStatus(first, ExperimentStatus::Completed);
  EXPECT_TRUE(store.experiment(first)->finishedAt.has_value());
  store.setStatus(first, ExperimentStatus::Running);
  EXPECT_FALSE(store.experiment(first)->finishedAt.has_value());
  EXPECT_THROW(store.setStatus(99, ExperimentStatus::Paused), StoreError);
  EXPECT_THROW(store.createExperiment("bad", "[1, 2]"), std::invalid_argument);
}

// Four processes add trials to a budget of 10 at once: exactly 10 exist, numbered 1 to 10.
TEST(ExperimentStore, BudgetHoldsAcrossProcesses) {
  ScratchFolder folder;
  const std::string path = folder.file("runs.db");
  const int64_t id = ExperimentStore(path).createExperiment("budget", kSpec);
  std::vector<pid_t> children;
  for (int child = 0; child < 4; ++child) {
    const pid_t pid = fork();
    if (pid == 0) {
      ExperimentStore store(path);
      for (int i = 0; i < 6; ++i)
        store.addTrial(id, R"({"i":)" + std::to_string(i) + "}", 10);
      _exit(0);
    }
    children.push_back(pid);
  }
  for (const pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  ExperimentStore store(path);
  const std::vector<TrialRow> trials = store.trials(id);
  ASSERT_EQ(trials.size(), 10U);
  for (size_t i = 0; i < trials.size(); ++i)
    EXPECT_EQ(trials[i].number, static_cast<int>(i) + 1);
  EXPECT_FALSE(store.addTrial(id, "{}", 10).has_value());
}

TEST(ExperimentStore, OneClaimPerTrialUntilItsProcessIsGone) {
  ScratchFolder folder;
  const std::string path = folder.file("runs.db");
  ExperimentStore store(path);
  const int64_t id = store.createExperiment("claims", kSpec);
  const int number = *store.addTrial(id, "{}", 3);
  ASSERT_TRUE(store.claimTrial(id, number));
  EXPECT_EQ(store.ownerOf(*store.trial(id, number)), TrialOwner::Alive);
  // Another process cannot take it while this one lives.
  const pid_t other = fork();
  if (other == 0) _exit(ExperimentStore(path).claimTrial(id, number) ? 1 : 0);
  int status = 0;
  waitpid(other, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0) << "a live claim was taken over";

  // A claim whose process is gone is taken over.
  const pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, &status, 0);
  RawConnection(path).exec("UPDATE trials SET owner_pid = " + std::to_string(dead) +
                           ", owner_token = 'gone' WHERE number = " + std::to_string(number));
  EXPECT_EQ(store.ownerOf(*store.trial(id, number)), TrialOwner::Gone);
  EXPECT_TRUE(store.claimTrial(id, number));

  store.finishTrial(id, number, TrialStatus::Completed, 0.75);
  EXPECT_FALSE(store.claimTrial(id, number)) << "an ended trial was claimed again";
  const TrialRow ended = *store.trial(id, number);
  EXPECT_EQ(ended.status, TrialStatus::Completed);
  EXPECT_DOUBLE_EQ(*ended.objective, 0.75);
  EXPECT_FALSE(ended.ownerPid.has_value());
}

TEST(ExperimentStore, RunIsLinkedAsItIsCreatedAndCurvesComeFromItsEpochs) {
  ScratchFolder folder;
  const std::string path = folder.file("runs.db");
  ExperimentStore experiments(path);
  const int64_t id = experiments.createExperiment("curves", kSpec);
  const int first = *experiments.addTrial(id, "{}", 3);
  const int second = *experiments.addTrial(id, "{}", 3);

  RunStore runs(path);
  NewRun unclaimed = testing::sampleRun("not claimed");
  unclaimed.trial = NewRun::TrialLink{id, first};
  EXPECT_THROW(runs.createRun(unclaimed), StoreError) << "a trial not held was linked";
  EXPECT_FALSE(experiments.trial(id, first)->runId.has_value());

  ASSERT_TRUE(experiments.claimTrial(id, first));
  NewRun linked = testing::sampleRun("trial 1");
  linked.trial = NewRun::TrialLink{id, first};
  const int64_t runId = runs.createRun(linked);
  EXPECT_EQ(experiments.trial(id, first)->runId, runId);
  for (int epoch = 1; epoch <= 3; ++epoch) {
    runs.appendEpoch(runId, {epoch,
                             epoch * 10,
                             1.0 * epoch,
                             {{"val", "accuracy", 0.5 + 0.1 * epoch}, {"val", "loss", 1.0}}});
  }
  const std::vector<TrialCurve> curves = experiments.curves(id, "val", "accuracy");
  ASSERT_EQ(curves.size(), 2U);
  EXPECT_EQ(curves[0].number, first);
  ASSERT_EQ(curves[0].values.size(), 3U);
  EXPECT_DOUBLE_EQ(curves[0].values[2], 0.8);
  EXPECT_EQ(curves[1].number, second);
  EXPECT_TRUE(curves[1].values.empty());
  EXPECT_EQ(experiments.cancelQueuedTrials(id), 1);
  EXPECT_EQ(experiments.trial(id, second)->status, TrialStatus::Cancelled);
}

TEST(ExperimentStore, ReleasedTrialGoesBackToTheQueueWithItsRun) {
  ScratchFolder folder;
  const std::string path = folder.file("runs.db");
  ExperimentStore experiments(path);
  const int64_t id = experiments.createExperiment("release", kSpec);
  const int number = *experiments.addTrial(id, "{}", 1);
  ASSERT_TRUE(experiments.claimTrial(id, number));
  RunStore runs(path);
  NewRun run = testing::sampleRun("trial");
  run.trial = NewRun::TrialLink{id, number};
  const int64_t runId = runs.createRun(run);
  experiments.releaseTrial(id, number);
  const TrialRow released = *experiments.trial(id, number);
  EXPECT_EQ(released.status, TrialStatus::Queued);
  EXPECT_EQ(released.runId, runId);
  EXPECT_FALSE(released.ownerPid.has_value());
}

}  // namespace
}  // namespace layerlab::storage
