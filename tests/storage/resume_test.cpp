// Resuming a run: a new attempt, superseded metrics kept but hidden, owners respected.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "storage/run_query.h"
#include "storage/run_store.h"
#include "store_test_support.h"

namespace layerlab::storage {
namespace {

using testing::metric;
using testing::RawConnection;
using testing::sampleRun;
using testing::ScratchFolder;

constexpr int kBatchesPerEpoch = 10;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string errorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const StoreError& error) {
    return error.what();
  }
  return "<no error>";
}

// Writes epochs [first, last] with their batch samples, as a training run would.
void writeEpochs(RunStore& store, int64_t id, int first, int last, double valLoss) {
  for (int epoch = first; epoch <= last; ++epoch) {
    for (int b = 1; b <= kBatchesPerEpoch; ++b) {
      const int64_t step = (epoch - 1) * kBatchesPerEpoch + b;
      store.bufferBatchSample(
          id, BatchSample{step, epoch, 0.1 * step, {metric("train", "loss", 1.0 / step)}});
    }
    store.appendEpoch(id, EpochRecord{epoch,
                                      epoch * int64_t{kBatchesPerEpoch},
                                      1.0 * epoch,
                                      {metric("val", "loss", valLoss + epoch)}});
  }
}

class ResumeTest : public ::testing::Test {
 protected:
  ScratchFolder m_folder;
  std::string m_path = m_folder.file("runs.db");
};

TEST_F(ResumeTest, ResumeStartsANewAttemptAndHidesWhatCameAfterTheCheckpoint) {
  int64_t id = 0;
  {
    RunStore store(m_path);
    id = store.createRun(sampleRun());
    writeEpochs(store, id, 1, 7, 100.0);  // epoch 7 was written, its checkpoint was not
  }
  RawConnection raw(m_path);
  testing::orphanRun(raw, id);
  RunStore store(m_path);  // the next open finds the owner gone
  RunQuery query(m_path);
  ASSERT_EQ(query.run(id)->summary.status, RunStatus::Interrupted);

  EXPECT_EQ(store.beginResume(id, 6 * kBatchesPerEpoch, 6), 2);
  RunSummary summary = query.run(id)->summary;
  EXPECT_EQ(summary.status, RunStatus::Running);
  EXPECT_EQ(summary.attempt, 2);
  EXPECT_EQ(summary.finishedAt, 0.0);
  EXPECT_EQ(summary.epochsDone, 6);
  EXPECT_EQ(query.epochs(id).size(), 6u);
  EXPECT_EQ(query.batchSamples(id, "loss").size(), 6u * kBatchesPerEpoch);
  const std::vector<EpochMetrics> withOld = query.epochs(id, true);
  ASSERT_EQ(withOld.size(), 7u);
  EXPECT_TRUE(withOld[6].superseded);
  EXPECT_EQ(withOld[6].attempt, 1);
  EXPECT_FALSE(withOld[5].superseded);

  writeEpochs(store, id, 7, 10, 200.0);
  store.finishRun(id, RunStatus::Completed, {metric("test", "accuracy", 0.9)});
  const std::vector<EpochMetrics> live = query.epochs(id);
  ASSERT_EQ(live.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(live[i].epoch, i + 1);
    EXPECT_EQ(live[i].attempt, i < 6 ? 1 : 2) << "epoch " << i + 1;
    EXPECT_FALSE(live[i].superseded);
  }
  EXPECT_EQ(live[6].values.at("val_loss"), 207.0);  // the new attempt's epoch 7, not the old
  const std::vector<EpochMetrics> all = query.epochs(id, true);
  ASSERT_EQ(all.size(), 11u);
  EXPECT_EQ(all[6].values.at("val_loss"), 107.0);
  EXPECT_EQ(all[7].values.at("val_loss"), 207.0);
  EXPECT_EQ(query.batchSamples(id, "loss").size(), 10u * kBatchesPerEpoch);
  summary = query.run(id)->summary;
  EXPECT_EQ(summary.status, RunStatus::Completed);
  EXPECT_EQ(summary.epochsDone, 10);
  EXPECT_EQ(summary.bestValLoss, 101.0);

  const std::vector<AttemptRecord> attempts = query.attempts(id);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].fromStep, 0);
  EXPECT_EQ(attempts[1].attempt, 2);
  EXPECT_EQ(attempts[1].fromStep, 60);
  EXPECT_EQ(attempts[1].fromEpoch, 6);
  EXPECT_EQ(attempts[1].ownerPid, getpid());
  // Nothing was deleted: the old attempt's epoch 7 is still in the file.
  EXPECT_EQ(raw.integer("SELECT count(*) FROM metrics WHERE superseded = 1"), 1 + kBatchesPerEpoch);
}

TEST_F(ResumeTest, FinalValuesOfAnEarlierAttemptAreHidden) {
  RunStore store(m_path);
  RunQuery query(m_path);
  const int64_t id = store.createRun(sampleRun());
  writeEpochs(store, id, 1, 2, 0.0);
  store.finishRun(id, RunStatus::Failed, {metric("test", "accuracy", 0.1)}, "out of memory");
  EXPECT_EQ(query.run(id)->finalMetrics.size(), 1u);
  store.beginResume(id, 2 * kBatchesPerEpoch, 2);
  const RunDetail resumed = query.run(id).value();
  EXPECT_TRUE(resumed.finalMetrics.empty());
  EXPECT_EQ(resumed.summary.testAccuracy, std::nullopt);
  EXPECT_EQ(resumed.errorText, "");
  EXPECT_EQ(resumed.summary.epochsDone, 2);
  store.finishRun(id, RunStatus::Completed, {metric("test", "accuracy", 0.8)});
  EXPECT_EQ(query.run(id)->finalMetrics, (std::map<std::string, double>{{"test_accuracy", 0.8}}));
}

// The runs list reads each run's results from one row the writer keeps; it must follow the live
// rows through epochs, a resume that hides the best epoch, new epochs, the end and a delete.
TEST_F(ResumeTest, TheListedResultsFollowTheLiveRows) {
  RunStore store(m_path);
  RunQuery query(m_path);
  const int64_t id = store.createRun(sampleRun());
  const int64_t other = store.createRun(sampleRun("other"));
  const double losses[] = {0.9, 0.5, 0.7, 0.3};
  for (int epoch = 1; epoch <= 4; ++epoch) {
    const double loss = losses[epoch - 1];
    store.appendEpoch(
        id, EpochRecord{epoch,
                        epoch * int64_t{kBatchesPerEpoch},
                        1.0 * epoch,
                        {metric("val", "loss", loss), metric("val", "accuracy", 1.0 - loss)}});
  }
  store.finishRun(id, RunStatus::Cancelled, {metric("test", "loss", 0.35)});
  auto listed = [&] {
    for (const RunSummary& run : query.listRuns())
      if (run.id == id) return run;
    ADD_FAILURE() << "run " << id << " is not listed";
    return RunSummary{};
  };
  RunSummary summary = listed();
  EXPECT_EQ(summary.epochsDone, 4);
  EXPECT_EQ(summary.bestValLoss, 0.3);
  EXPECT_EQ(summary.bestValLossEpoch, 4);
  EXPECT_EQ(summary.bestValAccuracy, 0.7);
  EXPECT_EQ(summary.bestValAccuracyEpoch, 4);
  EXPECT_EQ(summary.testLoss, 0.35);

  store.beginResume(id, 3 * kBatchesPerEpoch, 3);  // epoch 4, the best, is superseded
  summary = listed();
  EXPECT_EQ(summary.epochsDone, 3);
  EXPECT_EQ(summary.bestValLoss, 0.5);
  EXPECT_EQ(summary.bestValLossEpoch, 2);
  EXPECT_EQ(summary.bestValLossEpoch, query.bestEpochs({"val", "loss"}).at(id).epoch);
  EXPECT_EQ(summary.bestValAccuracyEpoch, 2);
  EXPECT_EQ(summary.testLoss, std::nullopt);

  store.appendEpoch(id, EpochRecord{4, 4 * kBatchesPerEpoch, 9.0, {metric("val", "loss", 0.5)}});
  summary = listed();
  EXPECT_EQ(summary.epochsDone, 4);
  EXPECT_EQ(summary.bestValLossEpoch, 2) << "a tie keeps the first epoch that reached the value";
  store.finishRun(id, RunStatus::Completed, {metric("test", "accuracy", kNaN)});
  summary = listed();
  ASSERT_TRUE(summary.testAccuracy.has_value());
  EXPECT_TRUE(std::isnan(*summary.testAccuracy));
  EXPECT_EQ(query.run(id)->summary.bestValLossEpoch, 2);
  EXPECT_EQ(query.run(other)->summary.epochsDone, 0);

  store.deleteRun(id);
  EXPECT_EQ(RawConnection(m_path).integer("SELECT count(*) FROM run_results WHERE run_id = " +
                                          std::to_string(id)),
            0);
}

TEST_F(ResumeTest, ACancelledRunCanBeResumedTwice) {
  RunStore store(m_path);
  RunQuery query(m_path);
  const int64_t id = store.createRun(sampleRun());
  writeEpochs(store, id, 1, 1, 0.0);
  store.finishRun(id, RunStatus::Cancelled, {});
  EXPECT_EQ(store.beginResume(id, 10, 1), 2);
  writeEpochs(store, id, 2, 2, 0.0);
  store.finishRun(id, RunStatus::Cancelled, {});
  EXPECT_EQ(store.beginResume(id, 20, 2), 3);
  writeEpochs(store, id, 3, 3, 0.0);
  const std::vector<EpochMetrics> epochs = query.epochs(id);
  ASSERT_EQ(epochs.size(), 3u);
  EXPECT_EQ(epochs[2].attempt, 3);
  EXPECT_EQ(query.attempts(id).size(), 3u);
}

TEST_F(ResumeTest, OnlyAnEndedOrOrphanedRunCanBeResumed) {
  RunStore store(m_path);
  const int64_t done = store.createRun(sampleRun());
  store.finishRun(done, RunStatus::Completed, {});
  EXPECT_NE(errorOf([&] {
              store.beginResume(done, 0, 0);
            }).find("run " + std::to_string(done) + " is completed; only an interrupted"),
            std::string::npos);
  const int64_t live = store.createRun(sampleRun());
  EXPECT_NE(errorOf([&] { store.beginResume(live, 0, 0); }).find("is still running in process"),
            std::string::npos);
  try {
    store.beginResume(4242, 0, 0);
    ADD_FAILURE() << "an unknown run was resumed";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.kind(), StoreErrorKind::NotFound);
  }
  EXPECT_THROW(store.beginResume(done, -1, 0), std::invalid_argument);

  // A run whose process died while this store was open: no reopen needed.
  RawConnection raw(m_path);
  testing::orphanRun(raw, live);
  EXPECT_EQ(store.beginResume(live, 0, 0), 2);
}

TEST_F(ResumeTest, WritesToARunOwnedByAnotherProcessAreRefused) {
  RunStore store(m_path);
  const int64_t id = store.createRun(sampleRun());
  store.bufferBatchSample(id, BatchSample{1, 1, 0.0, {metric("train", "loss", 1.0)}});
  // pid 1 always lives: another process has taken the run over.
  RawConnection raw(m_path);
  raw.exec("UPDATE runs SET owner_pid = 1 WHERE id = " + std::to_string(id));
  const std::string error = errorOf([&] {
    store.appendEpoch(id, EpochRecord{1, 1, 1.0, {metric("val", "loss", 1)}});
  });
  EXPECT_NE(error.find("is written by process 1 on host"), std::string::npos) << error;
  EXPECT_NE(errorOf([&] { store.finishRun(id, RunStatus::Completed, {}); }).find("process 1"),
            std::string::npos);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM metrics"), 0);
  EXPECT_EQ(raw.text("SELECT status FROM runs"), "running");
}

}  // namespace
}  // namespace layerlab::storage
