#include "storage/run_query.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "storage/database.h"
#include "storage/metric_codec.h"
#include "storage/query_support.h"
#include "storage/sha256.h"
#include "storage/store_open.h"
#include "storage/store_rows.h"

namespace layerlab::storage {

namespace {

std::string metricKey(const Statement& row, int splitColumn, int nameColumn) {
  return row.text(splitColumn) + "_" + row.text(nameColumn);
}

void readDocuments(Database& db, int64_t runId, RunDetail& detail) {
  CachedStatement select = db.cached(
      "SELECT m.json, r.config_json, r.dataset_json, r.dataset_fingerprint, r.app_version, "
      "r.seed, r.error_text, m.sha256, r.owner_pid, r.owner_host "
      "FROM runs r LEFT JOIN models m ON m.id = r.model_id WHERE r.id = ?1");
  select->bind(1, runId);
  if (!select->step()) return;
  detail.modelJson = select->text(0);
  detail.configJson = select->text(1);
  detail.datasetJson = select->text(2);
  detail.datasetFingerprint = select->text(3);
  detail.appVersion = select->text(4);
  detail.seed = select->integer(5);
  detail.errorText = select->text(6);
  detail.modelSha256 = select->text(7);
  detail.ownerPid = select->isNull(8) ? 0 : select->integer(8);
  detail.ownerHost = select->text(9);
}

void readFinalMetrics(Database& db, int64_t runId, RunDetail& detail) {
  CachedStatement select = db.cached(
      std::string("SELECT m.split, m.name, m.value, m.special FROM ") + kEpochRows +
      " WHERE m.run_id = ?1 AND m.kind <> 'batch' AND m.kind = 'final' AND m.superseded = 0 "
      "ORDER BY m.rowid");
  select->bind(1, runId);
  while (select->step())
    detail.finalMetrics[metricKey(*select, 0, 1)] = readMetricValue(*select, 2, 3);
}

std::string homeFolder() {
  if (const char* home = std::getenv("HOME"); home && *home) return home;
  // Without $HOME (some service managers), ask the password database.
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buffer(16384);
  if (getpwuid_r(getuid(), &entry, buffer.data(), buffer.size(), &found) == 0 && found) {
    return found->pw_dir;
  }
  return {};
}

}  // namespace

RunQuery::RunQuery(const std::string& path) : RunQuery(path, StoreOptions{}) {}

RunQuery::RunQuery(const std::string& path, const StoreOptions& options) : m_path(path) {
  m_db = openStore(path, options);
  // From here on this connection only reads; SQLite itself refuses any write through it.
  m_db->exec("PRAGMA query_only = ON", "cannot open store");
}

RunQuery::~RunQuery() = default;

std::vector<RunSummary> RunQuery::listRuns() const {
  return listRuns(RunListRequest{}).runs;
}

std::optional<RunDetail> RunQuery::run(int64_t runId) const {
  // One snapshot for all statements, so a commit in between cannot mix two states.
  ReadTransaction transaction(*m_db);
  RunDetail detail;
  {
    SqlBuilder query;
    const std::string status = effectiveStatusSql(query, orphanedRunIds(*m_db));
    query.sql = "SELECT " + summaryColumnsSql(status) + " FROM " + kSummaryRows + " WHERE r.id = ";
    query.sql += query.param(runId);
    Statement select(*m_db, query.sql);
    query.bindAll(select);
    if (!select.step()) return std::nullopt;
    detail.summary = readSummary(select);
  }
  readTags(*m_db, detail.summary);
  readDocuments(*m_db, runId, detail);
  readFinalMetrics(*m_db, runId, detail);
  detail.params = params(runId);
  detail.attempts = attempts(runId);
  detail.artifacts = artifacts(runId);
  return detail;
}

std::vector<EpochMetrics> RunQuery::epochs(int64_t runId) const {
  return epochs(runId, false);
}

std::vector<EpochMetrics> RunQuery::epochs(int64_t runId, bool includeSuperseded) const {
  CachedStatement select = m_db->cached(
      std::string("SELECT m.epoch, m.step, m.wall_time, m.split, m.name, m.value, m.special, "
                  "m.attempt, m.superseded FROM ") +
      kEpochRows +
      " WHERE m.run_id = ?1 AND m.kind <> 'batch' AND m.kind = 'epoch' AND m.superseded <= ?2 "
      "ORDER BY m.epoch, m.attempt, m.rowid");
  select->bind(1, runId).bind(2, includeSuperseded ? 1 : 0);
  std::vector<EpochMetrics> result;
  while (select->step()) {
    const int epoch = static_cast<int>(select->integer(0));
    const int attempt = static_cast<int>(select->integer(7));
    if (result.empty() || result.back().epoch != epoch || result.back().attempt != attempt) {
      EpochMetrics& added = result.emplace_back();
      added.epoch = epoch;
      added.attempt = attempt;
    }
    EpochMetrics& current = result.back();
    current.step = select->integer(1);
    current.wallTime = select->real(2);
    current.values[metricKey(*select, 3, 4)] = readMetricValue(*select, 5, 6);
    current.superseded = select->integer(8) != 0;
  }
  return result;
}

std::vector<BatchSample> RunQuery::batchSamples(int64_t runId, const std::string& name) const {
  CachedStatement select = m_db->cached(
      "SELECT step, epoch, wall_time, value, special FROM metrics "
      "WHERE run_id = ?1 AND name = ?2 AND kind = 'batch' AND split = 'train' "
      "AND superseded = 0 ORDER BY step, rowid");
  select->bind(1, runId).bind(2, name);
  std::vector<BatchSample> samples;
  while (select->step()) {
    BatchSample sample;
    sample.step = select->integer(0);
    sample.epoch = static_cast<int>(select->integer(1));
    sample.wallTime = select->real(2);
    sample.values.push_back(MetricValue{"train", name, readMetricValue(*select, 3, 4)});
    samples.push_back(std::move(sample));
  }
  return samples;
}

int64_t RunQuery::dataVersion() const {
  const int64_t version = m_db->integerPragma("data_version");
  // A killed trainer commits nothing, so data_version alone would never show it stopped.
  std::vector<int64_t> orphans = orphanedRunIds(*m_db);
  if (orphans != m_orphans) {
    m_orphans = std::move(orphans);
    ++m_orphanChanges;
  }
  return version + (m_orphanChanges << 40);
}

bool verifyArtifact(const ArtifactRecord& artifact) {
  if (artifact.path.empty()) return false;
  std::error_code error;
  const auto size = std::filesystem::file_size(artifact.path, error);
  if (error || static_cast<int64_t>(size) != artifact.bytes) return false;
  try {
    return sha256File(artifact.path).sha256 == artifact.sha256;
  } catch (const StoreError&) {
    return false;
  }
}

std::string verifiedArtifactPath(const ArtifactRecord& artifact) {
  const std::string what =
      "the " + artifact.kind + " file of run " + std::to_string(artifact.runId);
  if (artifact.path.empty()) {
    const std::string why = artifact.refusal.empty() ? "it was never resolved" : artifact.refusal;
    throw StoreError(what + " was not read: " + why +
                         " (a run's files must be plain files in its own folder of the store)",
                     StoreErrorKind::Corrupt);
  }
  std::error_code error;
  if (!std::filesystem::is_regular_file(artifact.path, error)) {
    throw StoreError(what + " is missing: " + artifact.path, StoreErrorKind::NotFound);
  }
  if (!verifyArtifact(artifact)) {
    throw StoreError(
        what + " has changed since it was saved (its SHA-256 differs): " + artifact.path,
        StoreErrorKind::Corrupt);
  }
  return artifact.path;
}

std::string defaultStorePath() {
  std::filesystem::path base;
  // The XDG spec says a relative $XDG_DATA_HOME is invalid and must be ignored.
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && xdg[0] == '/') {
    base = xdg;
  } else {
    base = std::filesystem::path(homeFolder()) / ".local" / "share";
  }
  return (base / "LayerLab" / "runs.db").string();
}

}  // namespace layerlab::storage
