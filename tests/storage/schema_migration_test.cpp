// Upgrading stores written by earlier versions, and refusing damaged files.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "storage/run_query.h"
#include "storage/run_store.h"
#include "storage/schema.h"
#include "store_test_support.h"

namespace layerlab::storage {
namespace {

using testing::metric;
using testing::RawConnection;
using testing::sampleRun;
using testing::ScratchFolder;

// The schema exactly as version 1 of LayerLab wrote it.
constexpr const char* kVersionOneSchema = R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN
    ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
  created_at REAL NOT NULL,
  started_at REAL,
  finished_at REAL,
  heartbeat_at REAL,
  owner_pid INTEGER,
  owner_host TEXT,
  app_version TEXT NOT NULL DEFAULT '',
  device TEXT NOT NULL DEFAULT '',
  seed INTEGER NOT NULL DEFAULT 0,
  model_json TEXT NOT NULL DEFAULT '',
  config_json TEXT NOT NULL DEFAULT '',
  dataset_json TEXT NOT NULL DEFAULT '',
  dataset_fingerprint TEXT NOT NULL DEFAULT '',
  error_text TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_created ON runs (created_at);
CREATE TABLE metrics (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  split TEXT NOT NULL,
  name TEXT NOT NULL,
  value REAL,
  special TEXT CHECK (special IN ('nan', 'inf', '-inf')),
  wall_time REAL NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('batch', 'epoch', 'final')),
  CHECK ((value IS NULL) <> (special IS NULL))
);
CREATE INDEX metrics_by_run_name_step ON metrics (run_id, name, step);
CREATE INDEX metrics_by_run_kind_epoch ON metrics (run_id, kind, epoch);
PRAGMA user_version = 1;
PRAGMA application_id = 1280074082;
)sql";

constexpr const char* kModelA = R"({"format":"layerlab.model","version":1,"name":"mlp"})";
constexpr const char* kModelB = R"({"format":"layerlab.model","version":1,"name":"cnn"})";

// A version-1 store with three runs (two share a model) and their metrics, one of them NaN.
void writeVersionOneStore(const std::string& path) {
  RawConnection raw(path);
  raw.exec(kVersionOneSchema);
  const std::string config = R"({"format":"layerlab.train","version":1,"learning_rate":0.001,)"
                             R"("optimizer":"adam","batch_size":64,"schedule":{"type":"step"}})";
  const char* models[] = {kModelA, kModelA, kModelB};
  for (int i = 0; i < 3; ++i) {
    raw.exec(
        "INSERT INTO runs (uuid, name, status, created_at, started_at, model_json, "
        "config_json, dataset_json, device, app_version) VALUES ('u-" +
        std::to_string(i) + "', 'old " + std::to_string(i) + "', 'completed', " +
        std::to_string(1000 + i) + ", 1000, '" + models[i] + "', '" + config +
        R"(', '{"format":"layerlab.dataset","source":"fashion-mnist","limit":500}', 'cpu', )"
        "'0.1.0')");
  }
  raw.exec("INSERT INTO metrics VALUES (1, 10, 1, 'val', 'accuracy', 0.5, NULL, 1.0, 'epoch')");
  raw.exec("INSERT INTO metrics VALUES (1, 20, 2, 'val', 'accuracy', NULL, 'nan', 2.0, 'epoch')");
  raw.exec("INSERT INTO metrics VALUES (1, 20, 2, 'test', 'accuracy', 0.7, NULL, 2.0, 'final')");
  raw.exec("INSERT INTO metrics VALUES (1, 5, 1, 'train', 'loss', 2.5, NULL, 0.5, 'batch')");
}

std::string fileContents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(SchemaMigration, VersionOneStoreIsUpgradedWithEverythingKept) {
  ScratchFolder folder;
  const std::string path = folder.file("runs.db");
  writeVersionOneStore(path);

  RunQuery query(path);  // a reader upgrades too: the GUI may be the first to open the file
  RawConnection raw(path);
  EXPECT_EQ(raw.integer("PRAGMA user_version"), latestSchemaVersion());
  EXPECT_EQ(raw.integer("SELECT count(*) FROM models"), 2);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM pragma_table_info('runs') "
                        "WHERE name = 'model_json'"),
            0);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM run_attempts"), 3);
  EXPECT_EQ(raw.text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(raw.text("PRAGMA foreign_key_check"), "<none>");

  const RunDetail first = query.run(1).value();
  EXPECT_EQ(first.modelJson, kModelA);
  EXPECT_EQ(first.summary.name, "old 0");
  EXPECT_EQ(first.summary.attempt, 1);
  EXPECT_EQ(first.summary.testAccuracy, 0.7);
  EXPECT_EQ(first.summary.epochsDone, 2);
  EXPECT_EQ(query.run(2)->modelSha256, first.modelSha256);
  EXPECT_NE(query.run(3)->modelSha256, first.modelSha256);
  EXPECT_EQ(query.run(3)->modelJson, kModelB);
  const std::vector<EpochMetrics> epochs = query.epochs(1);
  ASSERT_EQ(epochs.size(), 2u);
  EXPECT_TRUE(std::isnan(epochs[1].values.at("val_accuracy")));
  EXPECT_EQ(query.batchSamples(1, "loss").size(), 1u);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM sqlite_master WHERE name = "
                        "'metrics_by_run_name_split_step'"),
            1);
  const std::vector<MetricKey> batchKeys = query.metricKeys(1, MetricKind::Batch);
  ASSERT_EQ(batchKeys.size(), 1u);
  EXPECT_EQ(batchKeys[0].split, "train");
  EXPECT_EQ(batchKeys[0].name, "loss");

  RunFilter cheap;
  cheap.params = {parseParamPredicate("lr<0.01"), parseParamPredicate("schedule=step")};
  EXPECT_EQ(query.listRuns({cheap}).total, 3);
  cheap.params.push_back(parseParamPredicate("model=cnn"));
  const RunPage cnn = query.listRuns({cheap});
  ASSERT_EQ(cnn.runs.size(), 1u);
  EXPECT_EQ(cnn.runs[0].id, 3);

  // The upgraded store takes new runs like any other.
  RunStore store(path);
  const int64_t id = store.createRun(sampleRun("after upgrade"));
  store.appendEpoch(id, EpochRecord{1, 1, 1.0, {metric("val", "loss", 1.0)}});
  EXPECT_EQ(query.listRuns().size(), 4u);
}

TEST(SchemaMigration, FailedUpgradeLeavesTheFileAsItWas) {
  ScratchFolder folder;
  const std::string path = folder.file("runs.db");
  writeVersionOneStore(path);
  // Something the upgrade cannot get past, halfway through its steps.
  RawConnection(path).exec("CREATE TABLE tags (anything TEXT)");
  try {
    RunStore store(path);
    FAIL() << "the upgrade went through";
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find("cannot upgrade store"), std::string::npos)
        << error.what();
  }
  RawConnection raw(path);
  EXPECT_EQ(raw.integer("PRAGMA user_version"), 1);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM pragma_table_info('runs') "
                        "WHERE name = 'model_json'"),
            1);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM sqlite_master WHERE name = 'models'"), 0);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM runs"), 3);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM metrics"), 4);
}

// Fills a store with enough rows to span many pages, and closes it (the WAL is folded in).
void writeBusyStore(const std::string& path) {
  RunStore store(path);
  const int64_t id = store.createRun(sampleRun());
  for (int64_t step = 1; step <= 3000; ++step)
    store.bufferBatchSample(id, BatchSample{step, 1, 0.0, {metric("train", "loss", 1.0)}});
  store.appendEpoch(id, EpochRecord{1, 3000, 1.0, {metric("val", "loss", 1.0)}});
}

void overwritePage(const std::string& path, int64_t page) {
  std::fstream file(path, std::ios::binary | std::ios::in | std::ios::out);
  file.seekp((page - 1) * 4096);
  const std::string garbage(4096, '\x5a');
  file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
}

TEST(SchemaMigration, DamagedCopyIsRefusedAndLeftAlone) {
  ScratchFolder folder;
  const std::string original = folder.file("runs.db");
  writeBusyStore(original);
  const int64_t page = RawConnection(original).integer(
      "SELECT rootpage FROM sqlite_master WHERE name = 'metrics_by_run_name_split_step'");
  // A copy is a new file to this machine, so it is checked before use.
  const std::string copy = folder.file("from-elsewhere.db");
  std::filesystem::copy_file(original, copy);
  overwritePage(copy, page);
  const std::string damaged = fileContents(copy);

  try {
    RunQuery query(copy);
    FAIL() << "a damaged store was opened";
  } catch (const StoreError& error) {
    EXPECT_EQ(error.kind(), StoreErrorKind::Corrupt);
    const std::string message = error.what();
    EXPECT_NE(message.find(copy), std::string::npos) << message;
    EXPECT_NE(message.find("damaged"), std::string::npos) << message;
  }
  EXPECT_THROW(RunStore store(copy), StoreError);
  EXPECT_EQ(fileContents(copy), damaged);
  EXPECT_EQ(RunQuery(original).listRuns().size(), 1u);  // the original is sound
}

}  // namespace
}  // namespace layerlab::storage
