// A full disk (a size limit on the store, or writes refused underneath SQLite): a clear error,
// the run ends cleanly, nothing committed is lost and the file stays sound.
#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>

#include "storage/run_query.h"
#include "storage/run_store.h"
#include "tests/fault/failing_vfs.h"
#include "tests/storage/store_test_support.h"

namespace layerlab::storage {
namespace {

using layerlab::testing::WritesFail;
using testing::metric;
using testing::RawConnection;
using testing::sampleRun;
using testing::ScratchFolder;

constexpr int kSamplesPerEpoch = 400;

void bufferEpochSamples(RunStore& store, int64_t id, int epoch) {
  for (int b = 1; b <= kSamplesPerEpoch; ++b) {
    const int64_t step = int64_t{epoch - 1} * kSamplesPerEpoch + b;
    store.bufferBatchSample(
        id, BatchSample{step,
                        epoch,
                        0.01 * step,
                        {metric("train", "loss", 1.0 / step), metric("train", "accuracy", 0.5)}});
  }
}

EpochRecord epochRecord(int epoch) {
  return EpochRecord{epoch,
                     int64_t{epoch} * kSamplesPerEpoch,
                     1.0 * epoch,
                     {metric("train", "loss", 1.0 / epoch), metric("val", "loss", 2.0 / epoch)}};
}

std::optional<StoreError> storeErrorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const StoreError& error) {
    return error;
  }
  return std::nullopt;
}

// Every epoch 1..n whole: its two values and all its batch samples, once.
void expectWholeEpochs(const std::string& path, int64_t id, int epochs) {
  RunQuery query(path);
  ASSERT_EQ(query.epochs(id).size(), static_cast<size_t>(epochs));
  EXPECT_EQ(query.batchSamples(id, "loss").size(), static_cast<size_t>(epochs) * kSamplesPerEpoch);
  RawConnection raw(path);
  EXPECT_EQ(raw.text("PRAGMA integrity_check"), "ok");
}

TEST(DiskFull, SizeLimitGivesAClearErrorAndKeepsEveryCommittedEpoch) {
  ScratchFolder folder;
  const std::string path = folder.file("runs.db");
  int64_t id = 0;
  int committed = 0;
  {
    RunStore store(path, StoreOptions{.maxPageCount = 120});
    id = store.createRun(sampleRun());
    std::optional<StoreError> full;
    for (int epoch = 1; epoch <= 100 && !full; ++epoch) {
      bufferEpochSamples(store, id, epoch);
      full = storeErrorOf([&] { store.appendEpoch(id, epochRecord(epoch)); });
      if (!full) committed = epoch;
    }
    ASSERT_TRUE(full.has_value()) << "the size limit was never reached";
    EXPECT_GT(committed, 0);
    EXPECT_EQ(full->kind(), StoreErrorKind::Full);
    EXPECT_NE(
        std::string(full->what()).find("the disk is full or the store reached its size limit"),
        std::string::npos)
        << full->what();
    // The same epoch fails again, and nothing of it half-lands.
    EXPECT_TRUE(storeErrorOf([&] { store.appendEpoch(id, epochRecord(committed + 1)); }));
    // Ending the run still works: the status needs no new space.
    store.finishRun(id, RunStatus::Failed, {metric("test", "loss", 1.0)}, full->what());
  }
  expectWholeEpochs(path, id, committed);
  const RunDetail detail = RunQuery(path).run(id).value();
  EXPECT_EQ(detail.summary.status, RunStatus::Failed);
  EXPECT_NE(detail.errorText.find("size limit"), std::string::npos);

  // With room again, the run continues where it stopped.
  RunStore roomy(path);
  roomy.beginResume(id, int64_t{committed} * kSamplesPerEpoch, committed);
  bufferEpochSamples(roomy, id, committed + 1);
  roomy.appendEpoch(id, epochRecord(committed + 1));
  expectWholeEpochs(path, id, committed + 1);
}

struct WriteFailure {
  const char* name;
  int code;
  StoreErrorKind kind;
  const char* words;
};

class RefusedWrites : public ::testing::TestWithParam<WriteFailure> {};

TEST_P(RefusedWrites, FailedCommitLosesNothingAndTheBufferIsKeptForTheRetry) {
  layerlab::testing::FailingVfs::install();  // before the store opens its connection
  ScratchFolder folder;
  const std::string path = folder.file("runs.db");
  RunStore store(path);
  const int64_t id = store.createRun(sampleRun());
  for (int epoch = 1; epoch <= 3; ++epoch) {
    bufferEpochSamples(store, id, epoch);
    store.appendEpoch(id, epochRecord(epoch));
  }
  bufferEpochSamples(store, id, 4);
  const int refusedBefore = layerlab::testing::FailingVfs::install().refusedWrites();
  std::optional<StoreError> error;
  {
    WritesFail failing(GetParam().code);
    error = storeErrorOf([&] { store.appendEpoch(id, epochRecord(4)); });
    // Ending the run cannot be stored either while every write fails; it says so.
    EXPECT_TRUE(storeErrorOf([&] { store.finishRun(id, RunStatus::Failed, {}, "disk"); }));
  }
  EXPECT_GT(layerlab::testing::FailingVfs::install().refusedWrites(), refusedBefore);
  ASSERT_TRUE(error.has_value()) << "the write went through";
  EXPECT_EQ(error->kind(), GetParam().kind);
  EXPECT_NE(std::string(error->what()).find(GetParam().words), std::string::npos) << error->what();
  expectWholeEpochs(path, id, 3);
  EXPECT_EQ(RunQuery(path).run(id)->summary.status, RunStatus::Running);

  // The disk has room again: the kept samples and the epoch go in once.
  store.appendEpoch(id, epochRecord(4));
  expectWholeEpochs(path, id, 4);
  store.finishRun(id, RunStatus::Completed, {});
  EXPECT_EQ(RunQuery(path).run(id)->summary.status, RunStatus::Completed);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, RefusedWrites,
    ::testing::Values(WriteFailure{"disk_full", SQLITE_FULL, StoreErrorKind::Full, "disk is full"},
                      WriteFailure{"write_error", SQLITE_IOERR_WRITE, StoreErrorKind::Io,
                                   "the disk reported an error"}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace layerlab::storage
