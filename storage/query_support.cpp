#include "storage/query_support.h"

#include "storage/database.h"
#include "storage/metric_codec.h"
#include "storage/run_folders.h"
#include "storage/store_rows.h"

namespace layerlab::storage {

std::string SqlBuilder::param(int64_t value) {
  m_values.emplace_back(value);
  return placeholder();
}

std::string SqlBuilder::param(double value) {
  m_values.emplace_back(value);
  return placeholder();
}

std::string SqlBuilder::param(std::string value) {
  m_values.emplace_back(std::move(value));
  return placeholder();
}

void SqlBuilder::bindAll(Statement& statement) const {
  int index = 0;
  for (const auto& value : m_values) {
    ++index;
    std::visit([&statement, index](const auto& v) { statement.bind(index, v); }, value);
  }
}

std::string containsPattern(const std::string& text) {
  std::string pattern = "%";
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

std::string effectiveStatusSql(SqlBuilder& builder, const std::vector<int64_t>& orphans) {
  if (orphans.empty()) return "r.status";
  std::string list;
  for (const int64_t id : orphans) {
    if (!list.empty()) list += ", ";
    list += builder.param(id);
  }
  return "(CASE WHEN r.id IN (" + list + ") THEN 'interrupted' ELSE r.status END)";
}

std::string summaryColumnsSql(const std::string& statusSql) {
  return "r.id, r.name, " + statusSql +
         " AS status_now, r.created_at, r.started_at, r.finished_at, r.device, "
         "COALESCE(rr.epochs_done, 0) AS epochs_done, rr.test_accuracy AS test_accuracy, "
         "rr.test_accuracy_special, rr.best_val_accuracy AS best_val_accuracy, r.uuid, r.attempt, "
         "r.parent_run_id, r.notes, r.heartbeat_at, rr.test_loss AS test_loss, "
         "rr.test_loss_special, rr.best_val_loss AS best_val_loss, rr.best_val_accuracy_epoch, "
         "rr.best_val_loss_epoch, r.paused_at, r.paused_seconds";
}

RunSummary readSummary(const Statement& row) {
  RunSummary summary;
  summary.id = row.integer(0);
  summary.name = row.text(1);
  summary.status = parseRunStatus(row.text(2)).value_or(RunStatus::Queued);
  summary.createdAt = storedTime(row, 3);
  summary.startedAt = storedTime(row, 4);
  summary.finishedAt = storedTime(row, 5);
  summary.device = row.text(6);
  summary.epochsDone = static_cast<int>(row.integer(7));
  // A final value that was NaN has a NULL value but a `special`, and is still a value.
  if (!row.isNull(8) || !row.isNull(9)) summary.testAccuracy = readMetricValue(row, 8, 9);
  if (!row.isNull(10)) summary.bestValAccuracy = row.real(10);
  summary.uuid = row.text(11);
  summary.attempt = static_cast<int>(row.integer(12));
  if (!row.isNull(13)) summary.parentRunId = row.integer(13);
  summary.notes = row.text(14);
  summary.heartbeatAt = storedTime(row, 15);
  if (!row.isNull(16) || !row.isNull(17)) summary.testLoss = readMetricValue(row, 16, 17);
  if (!row.isNull(18)) summary.bestValLoss = row.real(18);
  if (!row.isNull(19)) summary.bestValAccuracyEpoch = static_cast<int>(row.integer(19));
  if (!row.isNull(20)) summary.bestValLossEpoch = static_cast<int>(row.integer(20));
  if (!row.isNull(21)) summary.pausedAt = row.real(21);
  summary.pausedSeconds = row.real(22);
  return summary;
}

void readTags(Database& db, RunSummary& summary) {
  CachedStatement select = db.cached("SELECT tag FROM tags WHERE run_id = ?1 ORDER BY tag");
  select->bind(1, summary.id);
  while (select->step())
    summary.tags.push_back(select->text(0));
}

std::vector<int64_t> orphanedRunIds(Database& db) {
  std::vector<int64_t> ids;
  for (const auto& [runId, pid] : orphanedRuns(db))
    ids.push_back(runId);
  return ids;
}

ArtifactRecord readArtifact(const Statement& row, const std::string& storePath) {
  ArtifactRecord artifact;
  artifact.id = row.integer(0);
  artifact.runId = row.integer(1);
  artifact.kind = row.text(2);
  artifact.fileName = row.text(3);
  artifact.relativePath = row.text(4);
  ArtifactLocation location = locateArtifact(storePath, row.text(10), artifact.relativePath);
  artifact.path = std::move(location.path);
  artifact.refusal = std::move(location.refusal);
  artifact.bytes = row.integer(5);
  artifact.sha256 = row.text(6);
  artifact.createdAt = storedTime(row, 7);
  artifact.attempt = static_cast<int>(row.integer(8));
  artifact.metadataJson = row.text(9);
  return artifact;
}

}  // namespace layerlab::storage
