// A reader that holds a read transaction while a training writes 20,000 metric rows: the writer
// never sees SQLITE_BUSY, the reader keeps its snapshot, no row is lost, and once the reader lets
// go the WAL is folded back into the database file.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "storage/run_query.h"
#include "storage/run_store.h"
#include "tests/storage/store_test_support.h"

namespace layerlab::storage {
namespace {

using testing::metric;
using testing::RawConnection;
using testing::sampleRun;
using testing::ScratchFolder;

constexpr int kEpochs = 20;
constexpr int kSamplesPerEpoch = 500;  // two values each: 1,000 rows per epoch

// Rows in the database file alone, ignoring its WAL: a copy without the -wal file is exactly
// what a checkpoint has written so far.
int64_t rowsInMainFile(const std::string& path, const std::string& scratch) {
  std::filesystem::copy_file(path, scratch, std::filesystem::copy_options::overwrite_existing);
  RawConnection copy(scratch);
  // A store whose schema is still in the WAL has no tables in the file yet.
  if (copy.integer("SELECT count(*) FROM sqlite_master WHERE name = 'metrics'") == 0) return 0;
  return copy.integer("SELECT count(*) FROM metrics WHERE kind = 'batch'");
}

TEST(ReaderWriter, AHeldSnapshotNeverBlocksTheWriterAndTheWalIsFoldedAfterwards) {
  ScratchFolder folder;
  const std::string path = folder.file("runs.db");
  RunStore store(path);
  const int64_t id = store.createRun(sampleRun());
  RunQuery gui(path);  // polls between epochs, like the runs page

  RawConnection reader(path);
  reader.exec("BEGIN");
  ASSERT_EQ(reader.integer("SELECT count(*) FROM metrics"), 0);  // the snapshot starts here

  for (int epoch = 1; epoch <= kEpochs; ++epoch) {
    for (int b = 1; b <= kSamplesPerEpoch; ++b) {
      const int64_t step = int64_t{epoch - 1} * kSamplesPerEpoch + b;
      store.bufferBatchSample(
          id, BatchSample{step,
                          epoch,
                          0.001 * step,
                          {metric("train", "loss", 1.0 / step), metric("train", "accuracy", 0.5)}});
    }
    ASSERT_NO_THROW(store.appendEpoch(
        id,
        EpochRecord{
            epoch, int64_t{epoch} * kSamplesPerEpoch, 1.0 * epoch, {metric("val", "loss", 1.0)}}));
    ASSERT_EQ(gui.epochs(id).size(), static_cast<size_t>(epoch));
    EXPECT_EQ(reader.integer("SELECT count(*) FROM metrics"), 0);  // still its snapshot
  }
  const int64_t written = int64_t{kEpochs} * kSamplesPerEpoch * 2;
  EXPECT_EQ(gui.batchSamples(id, "loss").size(), static_cast<size_t>(written / 2));
  const auto walWhileHeld = std::filesystem::file_size(path + "-wal");
  // The snapshot pins the WAL: nothing of the new rows could be copied into the file yet.
  EXPECT_LT(rowsInMainFile(path, folder.file("during.db")), written);

  reader.exec("COMMIT");
  store.finishRun(id, RunStatus::Completed, {metric("test", "accuracy", 0.9)});
  EXPECT_EQ(rowsInMainFile(path, folder.file("after.db")), written);
  EXPECT_EQ(RawConnection(path).integer("SELECT count(*) FROM metrics WHERE kind = 'batch'"),
            written);
  EXPECT_EQ(RawConnection(path).text("PRAGMA integrity_check"), "ok");
  RecordProperty("wal_bytes_while_held", std::to_string(walWhileHeld));
  std::printf("WAL while the reader held its snapshot: %.1f MB\n", walWhileHeld / 1e6);
}

}  // namespace
}  // namespace layerlab::storage
