// Editing and cleaning up runs, recovering orphans, parameters and their differences, and a
// store locked by another writer.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
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

std::optional<StoreError> storeErrorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const StoreError& error) {
    return error;
  }
  return std::nullopt;
}

class MaintenanceTest : public ::testing::Test {
 protected:
  ScratchFolder m_folder;
  std::string m_path = m_folder.file("runs.db");
  RunStore m_store{m_path};
  RunQuery m_query{m_path};
};

TEST_F(MaintenanceTest, NamesNotesAndTagsAreEditedLiterally) {
  const int64_t id = m_store.createRun(sampleRun());
  const std::string hostile =
      "it's 100% \"done\"; DROP TABLE runs; -- _\\" + std::string(5000, 'x');
  m_store.renameRun(id, hostile);
  m_store.setNotes(id, hostile + "\nsecond line");
  m_store.addTags(id, {"b", hostile, "a", "a"});
  m_store.removeTags(id, {"b", "not there"});
  const RunSummary summary = m_query.run(id)->summary;
  EXPECT_EQ(summary.name, hostile);
  EXPECT_EQ(summary.notes, hostile + "\nsecond line");
  EXPECT_EQ(summary.tags, (std::vector<std::string>{"a", hostile}));
  EXPECT_EQ(m_query.tags(), (std::vector<std::pair<std::string, int64_t>>{{"a", 1}, {hostile, 1}}));
  for (const auto& edit : std::vector<std::function<void()>>{
           [&] { m_store.renameRun(99, "x"); }, [&] { m_store.setNotes(99, "x"); },
           [&] { m_store.addTags(99, {"x"}); }, [&] { m_store.removeTags(99, {"x"}); },
           [&] { m_store.deleteRun(99); }}) {
    const std::optional<StoreError> error = storeErrorOf(edit);
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->kind(), StoreErrorKind::NotFound);
    EXPECT_NE(std::string(error->what()).find("there is no run 99"), std::string::npos);
  }
}

TEST_F(MaintenanceTest, DeletingARunTakesItsRowsAndUnsharedModelAndUnlinksChildren) {
  NewRun shared = sampleRun("shared model");
  const int64_t parent = m_store.createRun(shared);
  shared.parentRunId = parent;
  shared.tags = {"rerun"};
  const int64_t child = m_store.createRun(shared);
  NewRun other = sampleRun("other model");
  other.modelJson = R"({"format":"layerlab.model","version":1,"name":"cnn"})";
  const int64_t lone = m_store.createRun(other);
  for (const int64_t id : {parent, child, lone}) {
    m_store.bufferBatchSample(id, BatchSample{1, 1, 0.0, {metric("train", "loss", 1.0)}});
    m_store.appendEpoch(id, EpochRecord{1, 1, 1.0, {metric("val", "loss", 1.0)}});
    m_store.saveConfusionMatrix(id, "test", {"a"}, {1});
  }
  RawConnection raw(m_path);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM models"), 2);
  EXPECT_EQ(m_query.run(child)->summary.parentRunId, parent);

  // Still running in this (live) process: refused.
  const std::optional<StoreError> refused = storeErrorOf([&] { m_store.deleteRun(parent); });
  ASSERT_TRUE(refused.has_value());
  EXPECT_NE(std::string(refused->what()).find("stop it before deleting it"), std::string::npos);

  m_store.finishRun(parent, RunStatus::Completed, {});
  m_store.deleteRun(parent);
  EXPECT_EQ(m_query.run(parent), std::nullopt);
  EXPECT_EQ(m_query.run(child)->summary.parentRunId, std::nullopt);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM models"), 2);  // the child still uses it
  testing::orphanRun(raw, lone);  // a run whose process died can be deleted as it is
  m_store.deleteRun(lone);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM models"), 1);
  const std::string others = " WHERE run_id != " + std::to_string(child);
  for (const char* table : {"metrics", "params", "tags", "confusion_matrices", "run_attempts"}) {
    EXPECT_EQ(raw.integer(std::string("SELECT count(*) FROM ") + table + others), 0) << table;
  }
  EXPECT_EQ(raw.integer("SELECT count(*) FROM metrics"), 2);
  EXPECT_TRUE(m_store.checkIntegrity().empty());
  EXPECT_TRUE(m_store.checkIntegrity(false).empty());
}

TEST_F(MaintenanceTest, RecoverMarksOrphansAndOptionallyStaleRunsOfOtherHosts) {
  const int64_t orphan = m_store.createRun(sampleRun("orphan"));
  const int64_t remote = m_store.createRun(sampleRun("remote"));
  const int64_t fresh = m_store.createRun(sampleRun("remote but fresh"));
  const int64_t live = m_store.createRun(sampleRun("live"));
  RawConnection raw(m_path);
  testing::orphanRun(raw, orphan);
  raw.exec("UPDATE runs SET owner_host = 'elsewhere', heartbeat_at = 1000 WHERE id = " +
           std::to_string(remote));
  raw.exec(
      "UPDATE runs SET owner_host = 'elsewhere', heartbeat_at = strftime('%s', 'now') "
      "WHERE id = " +
      std::to_string(fresh));

  const std::vector<RecoveredRun> first = m_store.recoverRuns();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].runId, orphan);
  EXPECT_EQ(first[0].name, "orphan");
  EXPECT_NE(first[0].reason.find("is gone"), std::string::npos) << first[0].reason;
  const std::vector<RecoveredRun> second = m_store.recoverRuns(3600.0);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].runId, remote);
  EXPECT_NE(second[0].reason.find("no heartbeat for"), std::string::npos) << second[0].reason;
  EXPECT_EQ(m_query.run(orphan)->summary.status, RunStatus::Interrupted);
  EXPECT_EQ(m_query.run(remote)->summary.status, RunStatus::Interrupted);
  EXPECT_EQ(m_query.run(remote)->summary.finishedAt, 1000.0);
  EXPECT_EQ(m_query.run(fresh)->summary.status, RunStatus::Running);
  EXPECT_EQ(m_query.run(live)->summary.status, RunStatus::Running);
  EXPECT_TRUE(m_store.recoverRuns(3600.0).empty());
}

TEST_F(MaintenanceTest, ParametersAreFlattenedWithTheirTypes) {
  NewRun run = sampleRun();
  run.configJson =
      R"({"format":"layerlab.train","version":1,"learning_rate":0.001,"optimizer":"sgd",)"
      R"("nesterov":true,"batch_size":64,"seed":18446744073709551615,"schedule":{"type":"cosine",)"
      R"("min_lr":0},"milestones":[3,6],"extra":null,"empty":{}})";
  run.datasetJson = R"({"format":"layerlab.dataset","source":"fashion-mnist","limit":500,)"
                    R"("preprocessing":{"mean":[0.28],"std":[0.35]}})";
  const int64_t id = m_store.createRun(run);
  std::map<std::string, ParamValue> values;
  for (const Param& param : m_query.params(id))
    values[param.key] = param.value;
  auto expectParam = [&](const std::string& key, ParamType type, const std::string& text) {
    ASSERT_TRUE(values.contains(key)) << key;
    EXPECT_EQ(values[key].type, type) << key;
    EXPECT_EQ(values[key].toString(), text) << key;
  };
  expectParam("config.learning_rate", ParamType::Real, "0.001");
  expectParam("config.optimizer", ParamType::Text, "sgd");
  expectParam("config.nesterov", ParamType::Bool, "true");
  expectParam("config.batch_size", ParamType::Integer, "64");
  expectParam("config.seed", ParamType::Real, "18446744073709551616");
  expectParam("config.schedule.type", ParamType::Text, "cosine");
  expectParam("config.schedule.min_lr", ParamType::Integer, "0");
  expectParam("config.milestones", ParamType::Json, "[3,6]");
  expectParam("config.extra", ParamType::Null, "null");
  expectParam("config.empty", ParamType::Json, "{}");
  expectParam("dataset.limit", ParamType::Integer, "500");
  expectParam("dataset.preprocessing.mean", ParamType::Json, "[0.28]");
  expectParam("model.name", ParamType::Text, "mlp");
  expectParam("run.device", ParamType::Text, "cpu");
  expectParam("dataset.fingerprint", ParamType::Text, "sha256:0123abcd");
  EXPECT_EQ(values["model.sha256"].text.size(), 64u);
  EXPECT_FALSE(values.contains("config.format"));
  EXPECT_FALSE(values.contains("config.version"));
  EXPECT_EQ(m_query.run(id)->params.size(), values.size());
}

TEST_F(MaintenanceTest, ParamDiffShowsOnlyWhatDiffersInTheOrderAsked) {
  NewRun a = sampleRun("a");
  a.configJson = R"({"learning_rate":0.01,"optimizer":"adam","dropout":0.1})";
  NewRun b = sampleRun("b");
  b.configJson = R"({"learning_rate":0.001,"optimizer":"adam"})";
  b.device = "cuda:0";
  const int64_t idA = m_store.createRun(a);
  const int64_t idB = m_store.createRun(b);
  const std::vector<ParamDiffRow> diff = m_query.paramDiff({idB, idA});
  std::vector<std::string> keys;
  for (const ParamDiffRow& row : diff)
    keys.push_back(row.key);
  EXPECT_EQ(keys,
            (std::vector<std::string>{"config.dropout", "config.learning_rate", "run.device"}));
  EXPECT_EQ(diff[0].values[0], std::nullopt);
  EXPECT_EQ(diff[0].values[1]->toString(), "0.1");
  EXPECT_EQ(diff[1].values[0]->toString(), "0.001");
  EXPECT_EQ(diff[1].values[1]->toString(), "0.01");
  EXPECT_GT(m_query.paramDiff({idA, idB}, true).size(), diff.size());
  EXPECT_TRUE(m_query.paramDiff({idA, idA}).empty());
  const std::optional<StoreError> noParent = storeErrorOf([&] {
    NewRun orphanChild = sampleRun();
    orphanChild.parentRunId = 777;
    m_store.createRun(orphanChild);
  });
  ASSERT_TRUE(noParent.has_value());
  EXPECT_EQ(noParent->kind(), StoreErrorKind::NotFound);
}

// Another program holds the write lock: a writer waits for it, and past its timeout says so.
TEST_F(MaintenanceTest, ALockedStoreMakesWritersWaitThenFailClearly) {
  RawConnection other(m_path);
  other.exec("BEGIN IMMEDIATE");
  RunStore impatient(m_path, StoreOptions{.busyTimeoutMs = 200});
  const std::optional<StoreError> busy =
      storeErrorOf([&] { impatient.createRun(sampleRun("blocked")); });
  ASSERT_TRUE(busy.has_value());
  EXPECT_EQ(busy->kind(), StoreErrorKind::Busy);
  EXPECT_EQ(std::string(busy->what()),
            "cannot write to store " + m_path +
                ": waited 0.2 s for another process to release the store's write lock; try again "
                "when it has finished (database is locked)");
  EXPECT_TRUE(m_query.listRuns().empty());  // readers are never blocked by the lock

  std::optional<StoreError> waitedError;
  std::thread writer([&] {
    RunStore patient(m_path);  // kBusyTimeoutMs
    waitedError = storeErrorOf([&] { patient.createRun(sampleRun("waited")); });
  });
  // The pause only gives the writer time to run into the lock; it passes either way.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  other.exec("COMMIT");
  writer.join();
  EXPECT_FALSE(waitedError.has_value()) << waitedError->what();
  ASSERT_EQ(m_query.listRuns().size(), 1u);
  EXPECT_EQ(m_query.listRuns()[0].name, "waited");
}

}  // namespace
}  // namespace layerlab::storage
