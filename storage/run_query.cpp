#include "storage/run_query.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "storage/database.h"
#include "storage/metric_codec.h"
#include "storage/schema.h"

namespace layerlab::storage {

namespace {

// Parameters shared by the summary query: ?1 kind epoch, ?2 kind final, ?3 split test,
// ?4 name accuracy, ?5 split val.
constexpr const char* kSummarySelect =
    "SELECT r.id, r.name, r.status, r.created_at, r.started_at, r.finished_at, r.device, "
    "(SELECT COUNT(DISTINCT m.epoch) FROM metrics m WHERE m.run_id = r.id AND m.kind = ?1), "
    "(SELECT m.value FROM metrics m WHERE m.run_id = r.id AND m.kind = ?2 AND m.split = ?3 "
    "  AND m.name = ?4 ORDER BY m.rowid DESC LIMIT 1), "
    "(SELECT m.special FROM metrics m WHERE m.run_id = r.id AND m.kind = ?2 AND m.split = ?3 "
    "  AND m.name = ?4 ORDER BY m.rowid DESC LIMIT 1), "
    "(SELECT MAX(m.value) FROM metrics m WHERE m.run_id = r.id AND m.kind = ?1 AND m.split = ?5 "
    "  AND m.name = ?4) "
    "FROM runs r ";

void bindSummaryParameters(Statement& statement) {
  statement.bind(1, "epoch").bind(2, "final").bind(3, "test").bind(4, "accuracy").bind(5, "val");
}

double timeOrZero(const Statement& statement, int column) {
  return statement.isNull(column) ? 0.0 : statement.real(column);
}

RunSummary readSummary(const Statement& row) {
  RunSummary summary;
  summary.id = row.integer(0);
  summary.name = row.text(1);
  summary.status = parseRunStatus(row.text(2)).value_or(RunStatus::Queued);
  summary.createdAt = timeOrZero(row, 3);
  summary.startedAt = timeOrZero(row, 4);
  summary.finishedAt = timeOrZero(row, 5);
  summary.device = row.text(6);
  summary.epochsDone = static_cast<int>(row.integer(7));
  // A final accuracy that was NaN has a NULL value but a `special`, and is still a value.
  if (!row.isNull(8) || !row.isNull(9)) summary.testAccuracy = readMetricValue(row, 8, 9);
  if (!row.isNull(10)) summary.bestValAccuracy = row.real(10);
  return summary;
}

std::string metricKey(const Statement& row, int splitColumn, int nameColumn) {
  return row.text(splitColumn) + "_" + row.text(nameColumn);
}

void readDocuments(Database& db, int64_t runId, RunDetail& detail) {
  Statement select(db,
                   "SELECT model_json, config_json, dataset_json, dataset_fingerprint, "
                   "app_version, seed, error_text FROM runs WHERE id = ?1");
  select.bind(1, runId);
  if (!select.step()) return;
  detail.modelJson = select.text(0);
  detail.configJson = select.text(1);
  detail.datasetJson = select.text(2);
  detail.datasetFingerprint = select.text(3);
  detail.appVersion = select.text(4);
  detail.seed = select.integer(5);
  detail.errorText = select.text(6);
}

void readFinalMetrics(Database& db, int64_t runId, RunDetail& detail) {
  Statement select(db,
                   "SELECT split, name, value, special FROM metrics "
                   "WHERE run_id = ?1 AND kind = ?2 ORDER BY rowid");
  select.bind(1, runId).bind(2, "final");
  while (select.step())
    detail.finalMetrics[metricKey(select, 0, 1)] = readMetricValue(select, 2, 3);
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

RunQuery::RunQuery(const std::string& path) : m_path(path) {
  createParentFolders(path);
  m_db = std::make_unique<Database>(path);
  migrate(*m_db);
  // From here on this connection only reads; SQLite itself refuses any write through it.
  m_db->exec("PRAGMA query_only = ON", "cannot open store");
}

RunQuery::~RunQuery() = default;

std::vector<RunSummary> RunQuery::listRuns() const {
  Statement select(*m_db, std::string(kSummarySelect) + "ORDER BY r.created_at DESC, r.id DESC");
  bindSummaryParameters(select);
  std::vector<RunSummary> runs;
  while (select.step())
    runs.push_back(readSummary(select));
  return runs;
}

std::optional<RunDetail> RunQuery::run(int64_t runId) const {
  // One snapshot for the three statements, so a commit in between cannot mix two states.
  ReadTransaction transaction(*m_db);
  RunDetail detail;
  {
    Statement select(*m_db, std::string(kSummarySelect) + "WHERE r.id = ?6");
    bindSummaryParameters(select);
    select.bind(6, runId);
    if (!select.step()) return std::nullopt;
    detail.summary = readSummary(select);
  }
  readDocuments(*m_db, runId, detail);
  readFinalMetrics(*m_db, runId, detail);
  return detail;
}

std::vector<EpochMetrics> RunQuery::epochs(int64_t runId) const {
  Statement select(*m_db,
                   "SELECT epoch, step, wall_time, split, name, value, special FROM metrics "
                   "WHERE run_id = ?1 AND kind = ?2 ORDER BY epoch, rowid");
  select.bind(1, runId).bind(2, "epoch");
  std::vector<EpochMetrics> result;
  while (select.step()) {
    const int epoch = static_cast<int>(select.integer(0));
    if (result.empty() || result.back().epoch != epoch) result.emplace_back().epoch = epoch;
    EpochMetrics& current = result.back();
    current.step = select.integer(1);
    current.wallTime = select.real(2);
    current.values[metricKey(select, 3, 4)] = readMetricValue(select, 5, 6);
  }
  return result;
}

std::vector<BatchSample> RunQuery::batchSamples(int64_t runId, const std::string& name) const {
  Statement select(*m_db,
                   "SELECT step, epoch, wall_time, value, special FROM metrics "
                   "WHERE run_id = ?1 AND name = ?2 AND kind = ?3 AND split = ?4 "
                   "ORDER BY step, rowid");
  select.bind(1, runId).bind(2, name).bind(3, "batch").bind(4, "train");
  std::vector<BatchSample> samples;
  while (select.step()) {
    BatchSample sample;
    sample.step = select.integer(0);
    sample.epoch = static_cast<int>(select.integer(1));
    sample.wallTime = select.real(2);
    sample.values.push_back(MetricValue{"train", name, readMetricValue(select, 3, 4)});
    samples.push_back(std::move(sample));
  }
  return samples;
}

int64_t RunQuery::dataVersion() const {
  return m_db->integerPragma("data_version");
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
