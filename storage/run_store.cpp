#include "storage/run_store.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <random>
#include <stdexcept>

#include "storage/database.h"
#include "storage/metric_codec.h"
#include "storage/param_codec.h"
#include "storage/process_identity.h"
#include "storage/run_rows.h"
#include "storage/sha256.h"
#include "storage/store_open.h"
#include "storage/store_rows.h"

namespace layerlab::storage {

namespace {

constexpr std::string_view kTrainSplit = "train";
constexpr std::string_view kTestSplit = "test";

// A random (version 4) UUID, so that runs keep a stable identity when stores are merged.
std::string newUuid() {
  std::random_device device;
  std::array<unsigned char, 16> bytes{};
  for (unsigned char& byte : bytes) {
    byte = static_cast<unsigned char>(device() & 0xFF);
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0F) | 0x40);
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3F) | 0x80);
  std::string text;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    std::array<char, 3> hex{};
    std::snprintf(hex.data(), hex.size(), "%02x", bytes[i]);
    text += hex.data();
  }
  return text;
}

// Turns runs whose owning process on this host has died into `interrupted`. The scan takes no
// write lock, so opening a store while another process trains does not wait in the common case.
void markOrphanedRuns(Database& db) {
  const std::vector<std::pair<int64_t, int64_t>> orphans = orphanedRuns(db);
  if (orphans.empty()) return;
  WriteTransaction transaction(db);
  // The status and pid conditions make this a no-op for a run another process already handled.
  CachedStatement update = db.cached(
      "UPDATE runs SET status = 'interrupted', "
      "finished_at = COALESCE(heartbeat_at, started_at, created_at) "
      "WHERE id = ?1 AND status = 'running' AND owner_pid = ?2");
  for (const auto& [runId, pid] : orphans) {
    update->bind(1, runId).bind(2, pid);
    update->run();
    update->reset();
  }
  transaction.commit();
}

// Links a new run to the trial it trains; the trial must be running under this process.
void linkTrial(Database& db, const NewRun::TrialLink& trial, int64_t runId,
               const ProcessIdentity& self) {
  Statement link(db,
                 "UPDATE trials SET run_id = ?1 WHERE experiment_id = ?2 AND number = ?3 AND "
                 "status = 'running' AND owner_pid = ?4 AND owner_host = ?5");
  link.bind(1, runId).bind(2, trial.experimentId).bind(3, trial.number);
  link.bind(4, self.pid).bind(5, self.host);
  link.run();
  if (db.changes() != 1) {
    db.fail(kWriteAction, "trial " + std::to_string(trial.number) + " of experiment " +
                              std::to_string(trial.experimentId) + " is not held by this process");
  }
}

using PendingSamples = std::vector<std::pair<int64_t, BatchSample>>;

void dropPendingSamples(PendingSamples& pending, int64_t runId) {
  std::erase_if(pending, [runId](const auto& entry) { return entry.first == runId; });
}

// The attempt of `runId` when this process may write its metrics; otherwise drops the run's
// buffered samples (they would wait in memory forever) and throws.
int requireOwnedRunning(Database& db, PendingSamples& pending, int64_t runId) {
  const std::optional<RunRow> row = readRunRow(db, runId);
  std::string reason;
  if (!row) {
    dropPendingSamples(pending, runId);
    failNoRun(db, kWriteAction, runId);
  }
  if (row->status != toString(RunStatus::Running)) {
    reason = "run " + std::to_string(runId) + " is " + row->status + ", not running";
  } else {
    const ProcessIdentity self = currentProcess();
    if (row->owner.pid == self.pid && row->owner.host == self.host) return row->attempt;
    reason = "run " + std::to_string(runId) + " is written by " + describeOwner(row->owner) +
             ", not by this process";
  }
  dropPendingSamples(pending, runId);
  db.fail(kWriteAction, reason);
}

void touchHeartbeat(Database& db, int64_t runId, double now) {
  CachedStatement update = db.cached("UPDATE runs SET heartbeat_at = ?1 WHERE id = ?2");
  update->bind(1, now).bind(2, runId);
  update->run();
}

// Inserts metric rows through one cached statement.
class MetricWriter {
 public:
  MetricWriter(Database& db, int64_t runId, int attempt)
      : m_insert(db.cached(
            "INSERT INTO metrics "
            "(run_id, step, epoch, split, name, value, special, wall_time, kind, attempt) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")) {
    m_insert->bind(1, runId).bind(10, attempt);
  }

  // The texts are bound without copies: they live in the caller's values until the row is in.
  void write(int64_t step, int epoch, const MetricValue& metric, std::string_view split,
             double wallTime, std::string_view kind) {
    m_insert->bind(2, step).bind(3, epoch);
    m_insert->bindStatic(4, split).bindStatic(5, metric.name);
    bindMetricValue(*m_insert, 6, 7, metric.value);
    m_insert->bind(8, wallTime).bindStatic(9, kind);
    m_insert->run();
    m_insert->rewind();
  }

 private:
  CachedStatement m_insert;
};

void writePendingSamples(MetricWriter& writer, const PendingSamples& pending, int64_t runId) {
  for (const auto& [sampleRunId, sample] : pending) {
    if (sampleRunId != runId) continue;
    for (const MetricValue& metric : sample.values) {
      const std::string_view split = metric.split.empty() ? kTrainSplit : metric.split;
      writer.write(sample.step, sample.epoch, metric, split, sample.wallTime, "batch");
    }
  }
}

// Where the final rows go: after the last step and epoch of the live history, `wallTime`
// seconds after the run started. Only epoch rows are read, so a long run's batch rows cost
// nothing here; buffered samples may lie beyond them.
struct FinalPosition {
  int64_t step = 0;
  int epoch = 0;
  double wallTime = 0.0;
};

FinalPosition finalPosition(Database& db, const PendingSamples& pending, int64_t runId,
                            double now) {
  CachedStatement select = db.cached(
      "SELECT COALESCE(MAX(m.step), 0), COALESCE(MAX(m.epoch), 0), "
      "(SELECT started_at FROM runs WHERE id = ?1) FROM metrics m INDEXED BY "
      "metrics_by_run_kind_epoch WHERE m.run_id = ?1 AND m.kind <> 'batch' AND m.kind = 'epoch' "
      "AND m.superseded = 0");
  select->bind(1, runId);
  FinalPosition position;
  if (!select->step()) return position;
  position.step = select->integer(0);
  position.epoch = static_cast<int>(select->integer(1));
  if (!select->isNull(2)) position.wallTime = std::max(0.0, now - select->real(2));
  for (const auto& [sampleRunId, sample] : pending) {
    if (sampleRunId != runId) continue;
    position.step = std::max(position.step, sample.step);
    position.epoch = std::max(position.epoch, sample.epoch);
  }
  return position;
}

bool isFinalStatus(RunStatus status) {
  return status == RunStatus::Completed || status == RunStatus::Failed ||
         status == RunStatus::Cancelled || status == RunStatus::Interrupted;
}

void recordAttempt(Database& db, int64_t runId, int attempt, double now, int64_t fromStep,
                   int fromEpoch, const ProcessIdentity& owner) {
  CachedStatement insert = db.cached(
      "INSERT INTO run_attempts (run_id, attempt, started_at, from_step, from_epoch, owner_pid, "
      "owner_host) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  insert->bind(1, runId).bind(2, attempt).bind(3, now).bind(4, fromStep).bind(5, fromEpoch);
  insert->bind(6, owner.pid).bind(7, owner.host);
  insert->run();
}

void requireParent(Database& db, const std::optional<int64_t>& parentRunId) {
  if (parentRunId && !readRunRow(db, *parentRunId)) {
    db.fail(kWriteAction, "the parent run " + std::to_string(*parentRunId) + " does not exist",
            StoreErrorKind::NotFound);
  }
}

}  // namespace

RunStore::RunStore(const std::string& path) : RunStore(path, StoreOptions{}) {}

RunStore::RunStore(const std::string& path, const StoreOptions& options) : m_path(path) {
  m_db = openStore(path, options);
  markOrphanedRuns(*m_db);
}

RunStore::~RunStore() = default;

int64_t RunStore::createRun(const NewRun& run) {
  const double now = nowSeconds();
  const ProcessIdentity self = currentProcess();
  WriteTransaction transaction(*m_db);
  requireParent(*m_db, run.parentRunId);
  const int64_t modelId = storeModel(*m_db, run.modelJson, now);
  CachedStatement insert = m_db->cached(
      "INSERT INTO runs (uuid, name, status, created_at, started_at, heartbeat_at, owner_pid, "
      "owner_host, owner_token, app_version, device, seed, config_json, dataset_json, "
      "dataset_fingerprint, model_id, parent_run_id, notes) "
      "VALUES (?1, ?2, 'running', ?3, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
      "?15)");
  insert->bind(1, newUuid()).bind(2, run.name).bind(3, now);
  insert->bind(4, self.pid).bind(5, self.host).bind(6, self.token);
  insert->bind(7, run.appVersion).bind(8, run.device).bind(9, run.seed);
  insert->bind(10, run.configJson).bind(11, run.datasetJson).bind(12, run.datasetFingerprint);
  insert->bind(13, modelId);
  if (run.parentRunId) insert->bind(14, *run.parentRunId);
  insert->bind(15, run.notes);
  insert->run();
  const int64_t runId = m_db->lastInsertId();
  writeParams(*m_db, runId, flattenRunParams(run, sha256Hex(run.modelJson)));
  writeTags(*m_db, runId, run.tags);
  recordAttempt(*m_db, runId, 1, now, 0, 0, self);
  if (run.trial) linkTrial(*m_db, *run.trial, runId, self);
  transaction.commit();
  return runId;
}

void RunStore::bufferBatchSample(int64_t runId, const BatchSample& sample) {
  m_pendingSamples.emplace_back(runId, sample);
}

void RunStore::appendEpoch(int64_t runId, const EpochRecord& epoch) {
  WriteTransaction transaction(*m_db);
  const int attempt = requireOwnedRunning(*m_db, m_pendingSamples, runId);
  MetricWriter writer(*m_db, runId, attempt);
  writePendingSamples(writer, m_pendingSamples, runId);
  for (const MetricValue& metric : epoch.values) {
    writer.write(epoch.step, epoch.epoch, metric, metric.split, epoch.wallTime, "epoch");
  }
  refreshRunResults(*m_db, runId);
  touchHeartbeat(*m_db, runId, nowSeconds());
  transaction.commit();
  dropPendingSamples(m_pendingSamples, runId);
}

void RunStore::heartbeat(int64_t runId) {
  WriteTransaction transaction(*m_db);
  requireOwnedRunning(*m_db, m_pendingSamples, runId);
  touchHeartbeat(*m_db, runId, nowSeconds());
  transaction.commit();
}

void RunStore::setPaused(int64_t runId, bool paused) {
  WriteTransaction transaction(*m_db);
  requireOwnedRunning(*m_db, m_pendingSamples, runId);
  const double now = nowSeconds();
  CachedStatement update = m_db->cached(
      paused ? "UPDATE runs SET paused_at = ?1, heartbeat_at = ?1 "
               "WHERE id = ?2 AND paused_at IS NULL"
             : "UPDATE runs SET paused_seconds = paused_seconds + max(0, ?1 - paused_at), "
               "paused_at = NULL, heartbeat_at = ?1 WHERE id = ?2 AND paused_at IS NOT NULL");
  update->bind(1, now).bind(2, runId);
  update->run();
  transaction.commit();
}

void RunStore::finishRun(int64_t runId, RunStatus status,
                         const std::vector<MetricValue>& finalMetrics,
                         const std::string& errorText) {
  if (!isFinalStatus(status)) {
    throw std::invalid_argument("finishRun needs a final status, not " +
                                std::string(toString(status)));
  }
  try {
    writeFinish(runId, status, finalMetrics, errorText, true);
  } catch (const StoreError& error) {
    // A run that ends badly must not stay `running` because its last samples do not fit: the
    // status row needs no new pages.
    if (error.kind() != StoreErrorKind::Full || status == RunStatus::Completed) throw;
    writeFinish(runId, status, {}, errorText, false);
  }
  dropPendingSamples(m_pendingSamples, runId);
  // The end of a run is a quiet moment to fold the WAL back into the file; readers that still
  // need old pages keep them. The run is stored either way, so a failure here is only retried
  // by SQLite's next automatic checkpoint.
  try {
    m_db->checkpoint(false);
  } catch (const StoreError&) {
  }
}

void RunStore::writeFinish(int64_t runId, RunStatus status,
                           const std::vector<MetricValue>& finalMetrics,
                           const std::string& errorText, bool withMetrics) {
  const double now = nowSeconds();
  WriteTransaction transaction(*m_db);
  const int attempt = requireOwnedRunning(*m_db, m_pendingSamples, runId);
  if (withMetrics) {
    MetricWriter writer(*m_db, runId, attempt);
    const FinalPosition position = finalPosition(*m_db, m_pendingSamples, runId, now);
    writePendingSamples(writer, m_pendingSamples, runId);
    for (const MetricValue& metric : finalMetrics) {
      const std::string_view split = metric.split.empty() ? kTestSplit : metric.split;
      writer.write(position.step, position.epoch, metric, split, position.wallTime, "final");
    }
    refreshRunResults(*m_db, runId);
  }
  CachedStatement update = m_db->cached(
      "UPDATE runs SET status = ?1, error_text = ?2, finished_at = ?3, heartbeat_at = ?3, "
      "paused_seconds = paused_seconds + COALESCE(max(0, ?3 - paused_at), 0), paused_at = NULL "
      "WHERE id = ?4");
  update->bind(1, toString(status)).bind(2, errorText).bind(3, now).bind(4, runId);
  update->run();
  transaction.commit();
}

int RunStore::beginResume(int64_t runId, int64_t fromStep, int fromEpoch) {
  if (fromStep < 0 || fromEpoch < 0) {
    throw std::invalid_argument("beginResume needs a step and an epoch of at least 0");
  }
  const double now = nowSeconds();
  const ProcessIdentity self = currentProcess();
  WriteTransaction transaction(*m_db);
  const RunRow row = requireRun(*m_db, kWriteAction, runId);
  const std::string id = std::to_string(runId);
  if (row.status == toString(RunStatus::Running) && ownerLiveness(row.owner) != Liveness::Gone) {
    m_db->fail(kWriteAction, "run " + id + " is still running in " + describeOwner(row.owner) +
                                 "; stop it first");
  }
  if (row.status == toString(RunStatus::Completed) || row.status == toString(RunStatus::Queued)) {
    m_db->fail(kWriteAction, "run " + id + " is " + row.status +
                                 "; only an interrupted, cancelled or failed run can be resumed");
  }
  const int attempt = row.attempt + 1;
  CachedStatement supersede = m_db->cached(
      "UPDATE metrics SET superseded = 1 WHERE run_id = ?1 AND attempt < ?2 AND superseded = 0 "
      "AND (kind = 'final' OR step > ?3 OR (kind = 'epoch' AND epoch > ?4))");
  supersede->bind(1, runId).bind(2, attempt).bind(3, fromStep).bind(4, fromEpoch);
  supersede->run();
  refreshRunResults(*m_db, runId);
  CachedStatement update = m_db->cached(
      "UPDATE runs SET status = 'running', attempt = ?1, owner_pid = ?2, owner_host = ?3, "
      "owner_token = ?4, heartbeat_at = ?5, finished_at = NULL, error_text = '', "
      "paused_at = NULL WHERE id = ?6");
  update->bind(1, attempt).bind(2, self.pid).bind(3, self.host).bind(4, self.token);
  update->bind(5, now).bind(6, runId);
  update->run();
  recordAttempt(*m_db, runId, attempt, now, fromStep, fromEpoch, self);
  transaction.commit();
  dropPendingSamples(m_pendingSamples, runId);
  return attempt;
}

std::vector<std::string> RunStore::checkIntegrity(bool full) {
  return integrityProblems(*m_db, full);
}

}  // namespace layerlab::storage
