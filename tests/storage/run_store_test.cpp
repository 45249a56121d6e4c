#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstring>
#include <ctime>
#include <functional>
#include <limits>
#include <regex>
#include <stdexcept>
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

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

BatchSample batch(int64_t step, int epoch, double loss, double accuracy) {
  return BatchSample{step,
                     epoch,
                     0.5 * static_cast<double>(step),
                     {metric("train", "loss", loss), metric("train", "accuracy", accuracy)}};
}

EpochRecord epochRecord(int epoch, int64_t step, double trainLoss, double valLoss,
                        double valAccuracy) {
  return EpochRecord{epoch,
                     step,
                     10.0 * epoch,
                     {metric("train", "loss", trainLoss), metric("val", "loss", valLoss),
                      metric("val", "accuracy", valAccuracy)}};
}

// Same value, NaN equal to NaN and the sign of infinities kept.
bool sameValue(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b;
}

std::string errorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const StoreError& error) {
    return error.what();
  }
  return "<no error>";
}

class RunStoreTest : public ::testing::Test {
 protected:
  ScratchFolder m_folder;
  std::string m_path = m_folder.file("runs.db");
};

TEST_F(RunStoreTest, RunRoundTripsWithEpochsBatchesAndFinalMetrics) {
  RunStore store(m_path);
  const NewRun newRun = sampleRun("round trip");
  const int64_t id = store.createRun(newRun);
  store.bufferBatchSample(id, batch(1, 1, 2.3, 0.1));
  store.bufferBatchSample(id, batch(2, 1, 1.9, 0.3));
  store.appendEpoch(id, epochRecord(1, 2, 2.0, 1.8, 0.4));
  store.bufferBatchSample(id, batch(3, 2, 1.2, 0.6));
  store.appendEpoch(id, epochRecord(2, 3, 1.1, 1.0, 0.7));
  store.finishRun(id, RunStatus::Completed,
                  {metric("test", "loss", 0.95), metric("test", "accuracy", 0.72)});

  RunQuery query(m_path);
  const std::optional<RunDetail> detail = query.run(id);
  ASSERT_TRUE(detail.has_value());
  EXPECT_EQ(detail->summary.id, id);
  EXPECT_EQ(detail->summary.name, "round trip");
  EXPECT_EQ(detail->summary.status, RunStatus::Completed);
  EXPECT_EQ(detail->summary.device, "cpu");
  EXPECT_EQ(detail->summary.epochsDone, 2);
  EXPECT_EQ(detail->summary.testAccuracy, 0.72);
  EXPECT_EQ(detail->summary.bestValAccuracy, 0.7);
  EXPECT_GT(detail->summary.createdAt, 1.6e9);
  EXPECT_EQ(detail->summary.startedAt, detail->summary.createdAt);
  EXPECT_GE(detail->summary.finishedAt, detail->summary.startedAt);
  EXPECT_EQ(detail->modelJson, newRun.modelJson);
  EXPECT_EQ(detail->configJson, newRun.configJson);
  EXPECT_EQ(detail->datasetJson, newRun.datasetJson);
  EXPECT_EQ(detail->datasetFingerprint, newRun.datasetFingerprint);
  EXPECT_EQ(detail->appVersion, newRun.appVersion);
  EXPECT_EQ(detail->seed, 42);
  EXPECT_EQ(detail->errorText, "");
  const std::map<std::string, double> finals{{"test_accuracy", 0.72}, {"test_loss", 0.95}};
  EXPECT_EQ(detail->finalMetrics, finals);

  const std::vector<EpochMetrics> epochs = query.epochs(id);
  ASSERT_EQ(epochs.size(), 2u);
  EXPECT_EQ(epochs[0].epoch, 1);
  EXPECT_EQ(epochs[0].step, 2);
  EXPECT_EQ(epochs[0].wallTime, 10.0);
  const std::map<std::string, double> first{
      {"train_loss", 2.0}, {"val_loss", 1.8}, {"val_accuracy", 0.4}};
  EXPECT_EQ(epochs[0].values, first);
  EXPECT_EQ(epochs[1].epoch, 2);
  EXPECT_EQ(epochs[1].step, 3);
  EXPECT_EQ(epochs[1].values.at("val_accuracy"), 0.7);

  const std::vector<BatchSample> losses = query.batchSamples(id, "loss");
  ASSERT_EQ(losses.size(), 3u);
  const std::array<double, 3> expectedLoss{2.3, 1.9, 1.2};
  for (size_t i = 0; i < losses.size(); ++i) {
    EXPECT_EQ(losses[i].step, static_cast<int64_t>(i + 1));
    EXPECT_EQ(losses[i].epoch, i < 2 ? 1 : 2);
    EXPECT_EQ(losses[i].wallTime, 0.5 * static_cast<double>(i + 1));
    ASSERT_EQ(losses[i].values.size(), 1u);
    EXPECT_EQ(losses[i].values[0].split, "train");
    EXPECT_EQ(losses[i].values[0].name, "loss");
    EXPECT_EQ(losses[i].values[0].value, expectedLoss[i]);
  }
  ASSERT_EQ(query.batchSamples(id, "accuracy").size(), 3u);
  EXPECT_EQ(query.batchSamples(id, "accuracy")[2].values[0].value, 0.6);
  EXPECT_TRUE(query.batchSamples(id, "no such metric").empty());
}

TEST_F(RunStoreTest, BatchSamplesWaitInMemoryUntilTheEpochIsWritten) {
  RunStore store(m_path);
  RunQuery query(m_path);
  const int64_t id = store.createRun(sampleRun());
  store.bufferBatchSample(id, batch(1, 1, 2.0, 0.1));
  store.bufferBatchSample(id, batch(2, 1, 1.5, 0.2));
  EXPECT_TRUE(query.batchSamples(id, "loss").empty());
  store.appendEpoch(id, epochRecord(1, 2, 1.7, 1.6, 0.3));
  EXPECT_EQ(query.batchSamples(id, "loss").size(), 2u);
  store.bufferBatchSample(id, batch(3, 2, 1.0, 0.4));
  store.finishRun(id, RunStatus::Completed, {});
  EXPECT_EQ(query.batchSamples(id, "loss").size(), 3u);
  // Written once: the buffer is emptied by the write.
  EXPECT_EQ(RawConnection(m_path).integer("SELECT count(*) FROM metrics WHERE kind = 'batch'"), 6);
}

TEST_F(RunStoreTest, EmptySplitsDefaultToTrainForBatchesAndTestForFinals) {
  RunStore store(m_path);
  const int64_t id = store.createRun(sampleRun());
  store.bufferBatchSample(id, BatchSample{1, 1, 0.0, {metric("", "loss", 2.5)}});
  store.finishRun(id, RunStatus::Completed, {metric("", "accuracy", 0.9)});
  RunQuery query(m_path);
  ASSERT_EQ(query.batchSamples(id, "loss").size(), 1u);
  EXPECT_EQ(query.batchSamples(id, "loss")[0].values.at(0).value, 2.5);
  const RunDetail detail = query.run(id).value();
  EXPECT_EQ(detail.finalMetrics, (std::map<std::string, double>{{"test_accuracy", 0.9}}));
  EXPECT_EQ(detail.summary.testAccuracy, 0.9);
}

TEST_F(RunStoreTest, NonFiniteAndExtremeValuesAreKeptExactly) {
  const double values[] = {kNaN,
                           kInf,
                           -kInf,
                           0.1,
                           1e-300,
                           -1.5,
                           std::numeric_limits<double>::max(),
                           std::numeric_limits<double>::lowest(),
                           std::numeric_limits<double>::denorm_min(),
                           12345678901234567.0};
  RunStore store(m_path);
  const int64_t id = store.createRun(sampleRun());
  int64_t step = 0;
  for (double value : values) {
    ++step;
    store.bufferBatchSample(id, BatchSample{step, 1, 0.0, {metric("train", "loss", value)}});
  }
  store.appendEpoch(id, EpochRecord{1,
                                    step,
                                    1.0,
                                    {metric("train", "loss", kNaN), metric("val", "loss", kInf),
                                     metric("val", "accuracy", -kInf)}});
  store.finishRun(id, RunStatus::Failed,
                  {metric("test", "loss", kNaN), metric("test", "accuracy", kNaN)}, "diverged");

  RunQuery query(m_path);
  const std::vector<BatchSample> samples = query.batchSamples(id, "loss");
  ASSERT_EQ(samples.size(), std::size(values));
  for (size_t i = 0; i < samples.size(); ++i) {
    const double got = samples[i].values.at(0).value;
    EXPECT_TRUE(sameValue(got, values[i])) << "sample " << i << ": got " << got;
    EXPECT_EQ(std::signbit(got), std::signbit(values[i])) << "sample " << i;
  }
  const std::vector<EpochMetrics> epochs = query.epochs(id);
  ASSERT_EQ(epochs.size(), 1u);
  EXPECT_TRUE(std::isnan(epochs[0].values.at("train_loss")));
  EXPECT_EQ(epochs[0].values.at("val_loss"), kInf);
  EXPECT_EQ(epochs[0].values.at("val_accuracy"), -kInf);
  const RunDetail detail = query.run(id).value();
  EXPECT_TRUE(std::isnan(detail.finalMetrics.at("test_loss")));
  ASSERT_TRUE(detail.summary.testAccuracy.has_value());
  EXPECT_TRUE(std::isnan(*detail.summary.testAccuracy));
  // Non-finite accuracies are not candidates for the best one.
  EXPECT_EQ(detail.summary.bestValAccuracy, std::nullopt);
  RawConnection raw(m_path);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM metrics WHERE special = 'nan'"), 4);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM metrics WHERE value IS NULL AND special IS NULL"), 0);
}

struct StatusCase {
  RunStatus status;
  const char* errorText;
  const char* storedAs;
};

class FinishStatusTest : public RunStoreTest, public ::testing::WithParamInterface<StatusCase> {};

TEST_P(FinishStatusTest, FinishSetsStatusErrorAndEndsWrites) {
  const StatusCase& c = GetParam();
  RunStore store(m_path);
  RunQuery query(m_path);
  const int64_t id = store.createRun(sampleRun());
  EXPECT_EQ(query.run(id)->summary.status, RunStatus::Running);
  EXPECT_EQ(query.run(id)->summary.finishedAt, 0.0);
  store.finishRun(id, c.status, {}, c.errorText);

  const RunDetail detail = query.run(id).value();
  EXPECT_EQ(detail.summary.status, c.status);
  EXPECT_EQ(detail.errorText, c.errorText);
  EXPECT_GT(detail.summary.finishedAt, 0.0);
  EXPECT_EQ(RawConnection(m_path).text("SELECT status FROM runs"), c.storedAs);
  const std::string notRunning =
      "run " + std::to_string(id) + " is " + c.storedAs + ", not running";
  EXPECT_EQ(errorOf([&] { store.appendEpoch(id, epochRecord(1, 1, 1, 1, 1)); }),
            "cannot write to store " + m_path + ": " + notRunning);
  EXPECT_NE(errorOf([&] { store.heartbeat(id); }).find(notRunning), std::string::npos);
  EXPECT_NE(errorOf([&] { store.finishRun(id, RunStatus::Completed, {}); }).find(notRunning),
            std::string::npos);
  EXPECT_EQ(query.run(id)->summary.status, c.status);
}

INSTANTIATE_TEST_SUITE_P(
    Statuses, FinishStatusTest,
    ::testing::Values(StatusCase{RunStatus::Completed, "", "completed"},
                      StatusCase{RunStatus::Failed, "CUDA out of memory", "failed"},
                      StatusCase{RunStatus::Cancelled, "", "cancelled"},
                      StatusCase{RunStatus::Interrupted, "", "interrupted"}),
    [](const ::testing::TestParamInfo<StatusCase>& caseInfo) { return caseInfo.param.storedAs; });

TEST_F(RunStoreTest, FinishRejectsAStatusThatIsNotFinal) {
  RunStore store(m_path);
  const int64_t id = store.createRun(sampleRun());
  EXPECT_THROW(store.finishRun(id, RunStatus::Running, {}), std::invalid_argument);
  EXPECT_THROW(store.finishRun(id, RunStatus::Queued, {}), std::invalid_argument);
  EXPECT_EQ(RunQuery(m_path).run(id)->summary.status, RunStatus::Running);
}

TEST_F(RunStoreTest, WritesToAnUnknownRunAreRefused) {
  RunStore store(m_path);
  store.bufferBatchSample(99, batch(1, 1, 1.0, 0.5));
  EXPECT_EQ(errorOf([&] { store.appendEpoch(99, epochRecord(1, 1, 1, 1, 1)); }),
            "cannot write to store " + m_path + ": there is no run 99");
  EXPECT_NE(errorOf([&] { store.heartbeat(99); }).find("there is no run 99"), std::string::npos);
  EXPECT_EQ(RawConnection(m_path).integer("SELECT count(*) FROM metrics"), 0);
}

TEST_F(RunStoreTest, AFailedEpochWriteLeavesNothingBehindAndKeepsTheBuffer) {
  RunStore store(m_path);
  const int64_t id = store.createRun(sampleRun());
  RawConnection raw(m_path);
  raw.exec("UPDATE runs SET heartbeat_at = 1.0");
  // A failure after some rows of the transaction were already inserted.
  raw.exec(
      "CREATE TRIGGER refuse_boom BEFORE INSERT ON metrics WHEN NEW.name = 'boom' "
      "BEGIN SELECT RAISE(ABORT, 'boom refused'); END");
  store.bufferBatchSample(id, batch(1, 1, 2.0, 0.1));
  store.bufferBatchSample(id, batch(2, 1, 1.8, 0.2));
  const EpochRecord bad{1, 2, 5.0, {metric("train", "loss", 1.9), metric("val", "boom", 1.0)}};
  EXPECT_EQ(errorOf([&] { store.appendEpoch(id, bad); }),
            "cannot write to store " + m_path + ": boom refused");
  EXPECT_EQ(raw.integer("SELECT count(*) FROM metrics"), 0);
  EXPECT_EQ(raw.real("SELECT heartbeat_at FROM runs"), 1.0);

  raw.exec("DROP TRIGGER refuse_boom");
  store.appendEpoch(id, epochRecord(1, 2, 1.9, 1.7, 0.3));
  EXPECT_EQ(raw.integer("SELECT count(*) FROM metrics WHERE kind = 'batch'"), 4);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM metrics WHERE kind = 'epoch'"), 3);
  EXPECT_GT(raw.real("SELECT heartbeat_at FROM runs"), 1.6e9);
}

TEST_F(RunStoreTest, HeartbeatMovesForward) {
  RunStore store(m_path);
  const int64_t id = store.createRun(sampleRun());
  RawConnection raw(m_path);
  raw.exec("UPDATE runs SET heartbeat_at = 1.0");
  const double before = static_cast<double>(std::time(nullptr)) - 1.0;
  store.heartbeat(id);
  const double after = static_cast<double>(std::time(nullptr)) + 1.0;
  const double heartbeat = raw.real("SELECT heartbeat_at FROM runs");
  EXPECT_GE(heartbeat, before);
  EXPECT_LE(heartbeat, after);
}

TEST_F(RunStoreTest, CreateRunRecordsOwnerAndAUniqueId) {
  RunStore store(m_path);
  const int64_t first = store.createRun(sampleRun());
  const int64_t second = store.createRun(sampleRun());
  EXPECT_NE(first, second);
  RawConnection raw(m_path);
  std::array<char, 256> host{};
  ASSERT_EQ(gethostname(host.data(), host.size() - 1), 0);
  const std::string where = " FROM runs WHERE id = " + std::to_string(first);
  EXPECT_EQ(raw.integer("SELECT owner_pid" + where), getpid());
  EXPECT_EQ(raw.text("SELECT owner_host" + where), host.data());
  EXPECT_EQ(raw.text("SELECT status" + where), "running");
  const std::string uuid = raw.text("SELECT uuid" + where);
  const std::regex version4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  EXPECT_TRUE(std::regex_match(uuid, version4)) << uuid;
  EXPECT_NE(uuid, raw.text("SELECT uuid FROM runs WHERE id = " + std::to_string(second)));
}

TEST_F(RunStoreTest, RunOfADeadProcessBecomesInterruptedOnNextOpen) {
  int64_t orphan = 0, alive = 0, elsewhere = 0;
  {
    RunStore store(m_path);
    orphan = store.createRun(sampleRun("orphan"));
    alive = store.createRun(sampleRun("alive"));
    elsewhere = store.createRun(sampleRun("elsewhere"));
  }
  const pid_t gone = testing::deadPid();
  ASSERT_GT(gone, 0);
  RawConnection raw(m_path);
  raw.exec("UPDATE runs SET owner_pid = " + std::to_string(gone) + ", heartbeat_at = 1234.5 " +
           "WHERE id IN (" + std::to_string(orphan) + ", " + std::to_string(elsewhere) + ")");
  raw.exec("UPDATE runs SET owner_host = 'another-host' WHERE id = " + std::to_string(elsewhere));
  { RunQuery reader(m_path); }  // Readers never change run states.
  EXPECT_EQ(raw.text("SELECT status FROM runs WHERE id = " + std::to_string(orphan)), "running");

  RunStore reopened(m_path);
  RunQuery query(m_path);
  const RunDetail detail = query.run(orphan).value();
  EXPECT_EQ(detail.summary.status, RunStatus::Interrupted);
  EXPECT_EQ(detail.summary.finishedAt, 1234.5);  // the last sign of life
  EXPECT_EQ(query.run(alive)->summary.status, RunStatus::Running);
  EXPECT_EQ(query.run(elsewhere)->summary.status, RunStatus::Running);
}

// Text that breaks SQL built by string splicing or LIKE patterns must come back byte for byte.
TEST_F(RunStoreTest, HostileTextRoundTripsLiterally) {
  const std::string hostile[] = {
      "it's",
      "\"double\" and 'single' quotes",
      "x'); DROP TABLE runs; --",
      "; DELETE FROM metrics; --",
      "100% _done_",
      "%",
      "_",
      "line\nbreak\ttab\\backslash",
      "Ünïcødé ✓ 学习",
      std::string("nul\0inside", 10),
      std::string(10000, 'q') + "'",
      "",
  };
  RunStore store(m_path);
  RunQuery query(m_path);
  for (const std::string& text : hostile) {
    NewRun run{text, text, text, text, text, text, text, 7};
    const int64_t id = store.createRun(run);
    store.bufferBatchSample(id, BatchSample{1, 1, 0.0, {metric("train", text, 0.25)}});
    store.appendEpoch(id, EpochRecord{1, 1, 1.0, {metric(text, text, 0.5)}});
    store.finishRun(id, RunStatus::Failed, {metric("test", text, 0.75)}, text);

    const RunDetail detail = query.run(id).value();
    EXPECT_EQ(detail.summary.name, text);
    EXPECT_EQ(detail.summary.device, text);
    EXPECT_EQ(detail.modelJson, text);
    EXPECT_EQ(detail.configJson, text);
    EXPECT_EQ(detail.datasetJson, text);
    EXPECT_EQ(detail.datasetFingerprint, text);
    EXPECT_EQ(detail.appVersion, text);
    EXPECT_EQ(detail.errorText, text);
    EXPECT_EQ(detail.finalMetrics, (std::map<std::string, double>{{"test_" + text, 0.75}}));
    EXPECT_EQ(query.epochs(id).at(0).values,
              (std::map<std::string, double>{{text + "_" + text, 0.5}}));
    const std::vector<BatchSample> samples = query.batchSamples(id, text);
    ASSERT_EQ(samples.size(), 1u);
    EXPECT_EQ(samples[0].values.at(0).name, text);
  }
  EXPECT_EQ(query.listRuns().size(), std::size(hostile));
  // Metric names are matched exactly, never as patterns.
  const int64_t plain = store.createRun(sampleRun());
  store.bufferBatchSample(plain, BatchSample{1, 1, 0.0, {metric("train", "loss", 1.0)}});
  store.appendEpoch(plain, EpochRecord{1, 1, 1.0, {}});
  EXPECT_EQ(query.batchSamples(plain, "loss").size(), 1u);
  EXPECT_TRUE(query.batchSamples(plain, "%").empty());
  EXPECT_TRUE(query.batchSamples(plain, "l_ss").empty());
}

}  // namespace
}  // namespace layerlab::storage
