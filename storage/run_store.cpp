#include "storage/run_store.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <optional>
#include <random>
#include <stdexcept>

#include "storage/database.h"
#include "storage/metric_codec.h"
#include "storage/schema.h"

namespace layerlab::storage {

namespace {

constexpr std::string_view kWriteAction = "cannot write to store";
constexpr std::string_view kTrainSplit = "train";
constexpr std::string_view kTestSplit = "test";

double nowSeconds() {
  using Seconds = std::chrono::duration<double>;
  return std::chrono::duration_cast<Seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string hostName() {
  std::array<char, 256> buffer{};
  if (gethostname(buffer.data(), buffer.size() - 1) != 0) return {};
  return buffer.data();
}

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

// Only "no such process" proves the owner is gone; EPERM means it lives under another user.
bool processIsGone(int64_t pid) {
  if (pid <= 0 || pid > INT_MAX) return false;
  return kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH;
}

// Turns runs whose owning process on this host has died into `interrupted`. The scan takes no
// write lock, so opening a store while another process trains does not wait in the common case.
void markOrphanedRuns(Database& db) {
  const std::string host = hostName();
  if (host.empty()) return;
  std::vector<std::pair<int64_t, int64_t>> orphans;  // run id, owner pid
  {
    Statement select(db,
                     "SELECT id, owner_pid FROM runs "
                     "WHERE status = ?1 AND owner_host = ?2 AND owner_pid IS NOT NULL");
    select.bind(1, toString(RunStatus::Running)).bind(2, host);
    while (select.step()) {
      if (processIsGone(select.integer(1))) {
        orphans.emplace_back(select.integer(0), select.integer(1));
      }
    }
  }
  if (orphans.empty()) return;
  WriteTransaction transaction(db);
  // The status and pid conditions make this a no-op for a run another process already handled.
  Statement update(db,
                   "UPDATE runs SET status = ?1, "
                   "finished_at = COALESCE(heartbeat_at, started_at, created_at) "
                   "WHERE id = ?2 AND status = ?3 AND owner_pid = ?4");
  for (const auto& [runId, pid] : orphans) {
    update.bind(1, toString(RunStatus::Interrupted)).bind(2, runId);
    update.bind(3, toString(RunStatus::Running)).bind(4, pid);
    update.run();
    update.reset();
  }
  transaction.commit();
}

// Why metrics cannot be written to `runId`, or nullopt when it is a running run.
std::optional<std::string> whyNotWritable(Database& db, int64_t runId) {
  Statement select(db, "SELECT status FROM runs WHERE id = ?1");
  select.bind(1, runId);
  if (!select.step()) return "there is no run " + std::to_string(runId);
  const std::string status = select.text(0);
  if (status == toString(RunStatus::Running)) return std::nullopt;
  return "run " + std::to_string(runId) + " is " + status + ", not running";
}

void touchHeartbeat(Database& db, int64_t runId, double now) {
  Statement update(db, "UPDATE runs SET heartbeat_at = ?1 WHERE id = ?2");
  update.bind(1, now).bind(2, runId);
  update.run();
}

// Inserts metric rows with one prepared statement.
class MetricWriter {
 public:
  explicit MetricWriter(Database& db)
      : m_insert(db,
                 "INSERT INTO metrics "
                 "(run_id, step, epoch, split, name, value, special, wall_time, kind) "
                 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)") {}

  void write(int64_t runId, int64_t step, int epoch, const MetricValue& metric, double wallTime,
             std::string_view kind) {
    m_insert.bind(1, runId).bind(2, step).bind(3, epoch);
    m_insert.bind(4, metric.split).bind(5, metric.name);
    bindMetricValue(m_insert, 6, 7, metric.value);
    m_insert.bind(8, wallTime).bind(9, kind);
    m_insert.run();
    m_insert.reset();
  }

 private:
  Statement m_insert;
};

// Where the final rows go: after the last step and epoch written for the run, `wallTime` seconds
// after it started.
struct FinalPosition {
  int64_t step = 0;
  int epoch = 0;
  double wallTime = 0.0;
};

FinalPosition finalPosition(Database& db, int64_t runId, double now) {
  Statement select(db,
                   "SELECT (SELECT COALESCE(MAX(step), 0) FROM metrics WHERE run_id = ?1), "
                   "(SELECT COALESCE(MAX(epoch), 0) FROM metrics WHERE run_id = ?1), "
                   "(SELECT started_at FROM runs WHERE id = ?1)");
  select.bind(1, runId);
  FinalPosition position;
  if (!select.step()) return position;
  position.step = select.integer(0);
  position.epoch = static_cast<int>(select.integer(1));
  if (!select.isNull(2)) position.wallTime = std::max(0.0, now - select.real(2));
  return position;
}

using PendingSamples = std::vector<std::pair<int64_t, BatchSample>>;

void dropPendingSamples(PendingSamples& pending, int64_t runId) {
  std::erase_if(pending, [runId](const auto& entry) { return entry.first == runId; });
}

void requireRunning(Database& db, PendingSamples& pending, int64_t runId) {
  if (const std::optional<std::string> reason = whyNotWritable(db, runId)) {
    // Samples of a run that cannot take them would otherwise wait in memory forever.
    dropPendingSamples(pending, runId);
    db.fail(kWriteAction, *reason);
  }
}

void writePendingSamples(MetricWriter& writer, const PendingSamples& pending, int64_t runId) {
  for (const auto& [sampleRunId, sample] : pending) {
    if (sampleRunId != runId) continue;
    for (MetricValue metric : sample.values) {
      if (metric.split.empty()) metric.split = kTrainSplit;
      writer.write(runId, sample.step, sample.epoch, metric, sample.wallTime, "batch");
    }
  }
}

bool isFinalStatus(RunStatus status) {
  return status == RunStatus::Completed || status == RunStatus::Failed ||
         status == RunStatus::Cancelled || status == RunStatus::Interrupted;
}

}  // namespace

RunStore::RunStore(const std::string& path) : m_path(path) {
  createParentFolders(path);
  m_db = std::make_unique<Database>(path);
  migrate(*m_db);
  markOrphanedRuns(*m_db);
}

RunStore::~RunStore() = default;

int64_t RunStore::createRun(const NewRun& run) {
  const double now = nowSeconds();
  WriteTransaction transaction(*m_db);
  Statement insert(*m_db,
                   "INSERT INTO runs (uuid, name, status, created_at, started_at, heartbeat_at, "
                   "owner_pid, owner_host, app_version, device, seed, model_json, config_json, "
                   "dataset_json, dataset_fingerprint) "
                   "VALUES (?1, ?2, ?3, ?4, ?4, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  insert.bind(1, newUuid()).bind(2, run.name).bind(3, toString(RunStatus::Running));
  insert.bind(4, now).bind(5, static_cast<int64_t>(getpid())).bind(6, hostName());
  insert.bind(7, run.appVersion).bind(8, run.device).bind(9, run.seed);
  insert.bind(10, run.modelJson).bind(11, run.configJson).bind(12, run.datasetJson);
  insert.bind(13, run.datasetFingerprint);
  insert.run();
  const int64_t runId = m_db->lastInsertId();
  transaction.commit();
  return runId;
}

void RunStore::bufferBatchSample(int64_t runId, const BatchSample& sample) {
  m_pendingSamples.emplace_back(runId, sample);
}

void RunStore::appendEpoch(int64_t runId, const EpochRecord& epoch) {
  WriteTransaction transaction(*m_db);
  requireRunning(*m_db, m_pendingSamples, runId);
  MetricWriter writer(*m_db);
  writePendingSamples(writer, m_pendingSamples, runId);
  for (const MetricValue& metric : epoch.values) {
    writer.write(runId, epoch.step, epoch.epoch, metric, epoch.wallTime, "epoch");
  }
  touchHeartbeat(*m_db, runId, nowSeconds());
  transaction.commit();
  dropPendingSamples(m_pendingSamples, runId);
}

void RunStore::heartbeat(int64_t runId) {
  WriteTransaction transaction(*m_db);
  requireRunning(*m_db, m_pendingSamples, runId);
  touchHeartbeat(*m_db, runId, nowSeconds());
  transaction.commit();
}

void RunStore::finishRun(int64_t runId, RunStatus status,
                         const std::vector<MetricValue>& finalMetrics,
                         const std::string& errorText) {
  if (!isFinalStatus(status)) {
    throw std::invalid_argument("finishRun needs a final status, not " +
                                std::string(toString(status)));
  }
  const double now = nowSeconds();
  WriteTransaction transaction(*m_db);
  requireRunning(*m_db, m_pendingSamples, runId);
  MetricWriter writer(*m_db);
  writePendingSamples(writer, m_pendingSamples, runId);
  const FinalPosition position = finalPosition(*m_db, runId, now);
  for (MetricValue metric : finalMetrics) {
    if (metric.split.empty()) metric.split = kTestSplit;
    writer.write(runId, position.step, position.epoch, metric, position.wallTime, "final");
  }
  Statement update(*m_db,
                   "UPDATE runs SET status = ?1, error_text = ?2, finished_at = ?3, "
                   "heartbeat_at = ?3 WHERE id = ?4");
  update.bind(1, toString(status)).bind(2, errorText).bind(3, now).bind(4, runId);
  update.run();
  transaction.commit();
  dropPendingSamples(m_pendingSamples, runId);
}

}  // namespace layerlab::storage
