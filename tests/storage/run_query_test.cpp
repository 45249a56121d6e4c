#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "storage/run_query.h"
#include "storage/run_store.h"
#include "store_test_support.h"

namespace layerlab::storage {
namespace {

using testing::metric;
using testing::RawConnection;
using testing::sampleRun;
using testing::ScratchFolder;

class RunQueryTest : public ::testing::Test {
 protected:
  ScratchFolder m_folder;
  std::string m_path = m_folder.file("runs.db");
};

TEST_F(RunQueryTest, ListRunsIsNewestFirstWithItsSummaryFields) {
  RunStore store(m_path);
  const int64_t oldest = store.createRun(sampleRun("oldest"));
  const int64_t scored = store.createRun(sampleRun("scored"));
  NewRun gpuRun = sampleRun("newest");
  gpuRun.device = "cuda:0";
  const int64_t newest = store.createRun(gpuRun);
  const double valAccuracy[] = {0.5, 0.9, 0.7};
  for (int epoch = 1; epoch <= 3; ++epoch) {
    store.appendEpoch(scored, EpochRecord{epoch,
                                          epoch * 10,
                                          1.0 * epoch,
                                          {metric("train", "accuracy", 0.99),
                                           metric("val", "accuracy", valAccuracy[epoch - 1])}});
  }
  store.finishRun(scored, RunStatus::Completed,
                  {metric("test", "loss", 0.3), metric("test", "accuracy", 0.88)});
  store.finishRun(oldest, RunStatus::Failed, {}, "bad input");
  // Order by creation time, not by id: make the first-created row the newest.
  RawConnection raw(m_path);
  raw.exec("UPDATE runs SET created_at = 1000 WHERE id = " + std::to_string(oldest));
  raw.exec("UPDATE runs SET created_at = 2000 WHERE id = " + std::to_string(scored));
  raw.exec("UPDATE runs SET created_at = 3000 WHERE id = " + std::to_string(newest));
  raw.exec("UPDATE runs SET name = 'was oldest', created_at = 4000 WHERE id = " +
           std::to_string(oldest));

  const std::vector<RunSummary> runs = RunQuery(m_path).listRuns();
  ASSERT_EQ(runs.size(), 3u);
  EXPECT_EQ(runs[0].id, oldest);
  EXPECT_EQ(runs[0].name, "was oldest");
  EXPECT_EQ(runs[0].status, RunStatus::Failed);
  EXPECT_EQ(runs[0].createdAt, 4000.0);
  EXPECT_EQ(runs[1].id, newest);
  EXPECT_EQ(runs[1].device, "cuda:0");
  EXPECT_EQ(runs[1].status, RunStatus::Running);
  EXPECT_EQ(runs[1].finishedAt, 0.0);
  EXPECT_EQ(runs[1].epochsDone, 0);
  EXPECT_EQ(runs[1].testAccuracy, std::nullopt);
  EXPECT_EQ(runs[1].bestValAccuracy, std::nullopt);
  EXPECT_EQ(runs[2].id, scored);
  EXPECT_EQ(runs[2].status, RunStatus::Completed);
  EXPECT_EQ(runs[2].epochsDone, 3);
  EXPECT_EQ(runs[2].testAccuracy, 0.88);
  EXPECT_EQ(runs[2].bestValAccuracy, 0.9);
  EXPECT_GT(runs[2].finishedAt, 0.0);
}

TEST_F(RunQueryTest, SameCreationTimeFallsBackToNewestId) {
  RunStore store(m_path);
  const int64_t first = store.createRun(sampleRun("first"));
  const int64_t second = store.createRun(sampleRun("second"));
  RawConnection(m_path).exec("UPDATE runs SET created_at = 5000");
  const std::vector<RunSummary> runs = RunQuery(m_path).listRuns();
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].id, second);
  EXPECT_EQ(runs[1].id, first);
}

TEST_F(RunQueryTest, UnknownRunIsEmpty) {
  RunStore store(m_path);
  store.createRun(sampleRun());
  RunQuery query(m_path);
  EXPECT_EQ(query.run(12345), std::nullopt);
  EXPECT_TRUE(query.epochs(12345).empty());
  EXPECT_TRUE(query.batchSamples(12345, "loss").empty());
}

TEST_F(RunQueryTest, ReaderSeesCommitsAndDataVersionFollowsThem) {
  RunQuery query(m_path);  // opened first, on a store nobody has written yet
  EXPECT_TRUE(query.listRuns().empty());
  const int64_t initial = query.dataVersion();
  EXPECT_EQ(query.dataVersion(), initial);  // nothing committed in between

  RunStore store(m_path);
  const int64_t id = store.createRun(sampleRun());
  const int64_t afterCreate = query.dataVersion();
  EXPECT_NE(afterCreate, initial);
  ASSERT_EQ(query.listRuns().size(), 1u);
  EXPECT_EQ(query.listRuns()[0].status, RunStatus::Running);

  EXPECT_EQ(query.dataVersion(), afterCreate);
  store.bufferBatchSample(id, BatchSample{1, 1, 0.1, {metric("train", "loss", 2.0)}});
  EXPECT_EQ(query.dataVersion(), afterCreate);  // buffering writes nothing
  store.appendEpoch(id, EpochRecord{1, 1, 1.0, {metric("val", "loss", 1.5)}});
  const int64_t afterEpoch = query.dataVersion();
  EXPECT_NE(afterEpoch, afterCreate);
  EXPECT_EQ(query.epochs(id).size(), 1u);
  EXPECT_EQ(query.batchSamples(id, "loss").size(), 1u);
  EXPECT_EQ(query.listRuns()[0].epochsDone, 1);
}

TEST_F(RunQueryTest, ReaderIsNotBlockedByAnOpenWriteAndSeesOnlyCommittedRows) {
  RunStore store(m_path);
  store.createRun(sampleRun("committed"));
  RunQuery query(m_path);
  RawConnection writer(m_path);
  writer.exec("BEGIN IMMEDIATE");
  writer.exec(
      "INSERT INTO runs (uuid, name, status, created_at) "
      "VALUES ('u-1', 'uncommitted', 'running', 9e9)");

  const auto start = std::chrono::steady_clock::now();
  const std::vector<RunSummary> during = query.listRuns();
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_LT(waited, std::chrono::seconds(2));  // far below the busy timeout
  ASSERT_EQ(during.size(), 1u);
  EXPECT_EQ(during[0].name, "committed");

  writer.exec("COMMIT");
  const std::vector<RunSummary> after = query.listRuns();
  ASSERT_EQ(after.size(), 2u);
  EXPECT_EQ(after[0].name, "uncommitted");
}

// A writer thread trains while a reader thread polls, each with its own connection, as the GUI
// does. Every epoch the reader sees must be complete (one transaction per epoch) and progress
// must never go backwards.
TEST_F(RunQueryTest, ConcurrentReaderSeesWholeEpochsInOrder) {
  constexpr int kEpochs = 40;
  constexpr int kBatchesPerEpoch = 5;
  int64_t id = 0;
  { id = RunStore(m_path).createRun(sampleRun()); }
  std::atomic<bool> writerDone{false};
  std::string writerError;
  std::thread writer([&] {
    try {
      RunStore store(m_path);
      for (int epoch = 1; epoch <= kEpochs; ++epoch) {
        for (int b = 1; b <= kBatchesPerEpoch; ++b) {
          const int64_t step = (epoch - 1) * kBatchesPerEpoch + b;
          store.bufferBatchSample(id,
                                  BatchSample{step, epoch, 0.0, {metric("train", "loss", 1.0)}});
        }
        store.appendEpoch(id, EpochRecord{epoch,
                                          epoch * kBatchesPerEpoch,
                                          0.0,
                                          {metric("train", "loss", 1.0), metric("val", "loss", 2.0),
                                           metric("val", "accuracy", 0.01 * epoch)}});
      }
      store.finishRun(id, RunStatus::Completed, {metric("test", "accuracy", 0.5)});
    } catch (const std::exception& error) {
      writerError = error.what();
    }
    writerDone = true;
  });
  // An ASSERT below returns early; the writer must still be joined.
  struct JoinOnExit {
    std::thread& thread;
    ~JoinOnExit() {
      if (thread.joinable()) thread.join();
    }
  } joinOnExit{writer};

  RunQuery query(m_path);
  int lastEpochs = 0;
  int polls = 0;
  bool finished = false;
  while (!finished) {
    finished = writerDone.load();  // read before polling, so the last poll sees the final state
    const RunDetail detail = query.run(id).value();
    const std::vector<EpochMetrics> epochs = query.epochs(id);
    ASSERT_GE(static_cast<int>(epochs.size()), lastEpochs);
    lastEpochs = static_cast<int>(epochs.size());
    for (const EpochMetrics& e : epochs)
      ASSERT_EQ(e.values.size(), 3u) << "epoch " << e.epoch;
    const size_t samples = query.batchSamples(id, "loss").size();
    ASSERT_GE(samples, static_cast<size_t>(lastEpochs * kBatchesPerEpoch));
    ASSERT_EQ(samples % kBatchesPerEpoch, 0u);
    ++polls;
  }
  writer.join();
  EXPECT_EQ(writerError, "");
  EXPECT_EQ(lastEpochs, kEpochs);
  EXPECT_GT(polls, 1);
  const RunSummary summary = query.run(id)->summary;
  EXPECT_EQ(summary.status, RunStatus::Completed);
  EXPECT_EQ(summary.epochsDone, kEpochs);
  EXPECT_DOUBLE_EQ(summary.bestValAccuracy.value(), 0.01 * kEpochs);
}

}  // namespace
}  // namespace layerlab::storage
