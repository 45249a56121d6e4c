// RunQuery: series for charts, parameters and their differences, tags, attempts, artifacts and
// confusion matrices.
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "series/best_epoch.h"
#include "series/metric_direction.h"
#include "storage/database.h"
#include "storage/metric_codec.h"
#include "storage/param_codec.h"
#include "storage/query_support.h"
#include "storage/run_query.h"
#include "storage/store_rows.h"

namespace layerlab::storage {

namespace {

std::vector<SeriesPoint> readPoints(Database& db, int64_t runId, const MetricKey& metric,
                                    MetricKind kind, bool includeSuperseded) {
  // Batch rows are found by name; epoch and final rows through their own index, so a long run's
  // batch rows are never scanned for them.
  const std::string columns =
      "SELECT m.step, m.epoch, m.wall_time, m.value, m.special, m.attempt, m.superseded FROM ";
  // Within a step, a later attempt's rows were written later and so have larger rowids: the
  // index (run_id, name, split, step, rowid) gives this order without a sort.
  const std::string conditions =
      " AND m.name = ?2 AND m.split = ?3 AND m.kind = ?4 AND m.superseded <= ?5 "
      "ORDER BY m.step, m.rowid";
  CachedStatement select =
      kind == MetricKind::Batch
          ? db.cached(columns + "metrics m WHERE m.run_id = ?1" + conditions)
          : db.cached(columns + kEpochRows + " WHERE m.run_id = ?1 AND m.kind <> 'batch'" +
                      conditions);
  select->bind(1, runId).bind(2, metric.name).bind(3, metric.split).bind(4, kindWord(kind));
  select->bind(5, includeSuperseded ? 1 : 0);
  std::vector<SeriesPoint> points;
  while (select->step()) {
    SeriesPoint point;
    point.step = select->integer(0);
    point.epoch = static_cast<int>(select->integer(1));
    point.wallTime = select->real(2);
    point.value = readMetricValue(*select, 3, 4);
    point.attempt = static_cast<int>(select->integer(5));
    point.superseded = select->integer(6) != 0;
    points.push_back(point);
  }
  return points;
}

std::map<std::string, ParamValue> paramMap(const std::vector<Param>& params) {
  std::map<std::string, ParamValue> values;
  for (const Param& param : params)
    values.emplace(param.key, param.value);
  return values;
}

ConfusionMatrix readConfusion(const Statement& row, int64_t runId) {
  ConfusionMatrix matrix;
  matrix.runId = runId;
  matrix.split = row.text(0);
  matrix.attempt = static_cast<int>(row.integer(1));
  const auto labels = nlohmann::json::parse(row.text(2), nullptr, false);
  const auto counts = nlohmann::json::parse(row.text(3), nullptr, false);
  // A damaged row reads as an empty matrix rather than throwing from a display path.
  if (labels.is_array() && counts.is_array() && counts.size() == labels.size() * labels.size()) {
    for (const auto& label : labels)
      matrix.labels.push_back(label.is_string() ? label.get<std::string>() : label.dump());
    for (const auto& count : counts)
      matrix.counts.push_back(count.is_number_integer() ? count.get<int64_t>() : 0);
  }
  matrix.createdAt = storedTime(row, 4);
  return matrix;
}

}  // namespace

std::vector<MetricSeries> RunQuery::series(const SeriesRequest& request) const {
  ReadTransaction transaction(*m_db);
  std::vector<MetricSeries> result;
  for (const int64_t runId : request.runIds) {
    for (const MetricKey& metric : request.metrics) {
      std::vector<SeriesPoint> points =
          readPoints(*m_db, runId, metric, request.kind, request.includeSuperseded);
      if (points.empty()) continue;
      MetricSeries series{runId, metric, request.kind, {}, points.size()};
      series.points =
          request.maxPoints == 0 ? std::move(points) : reduceSeries(points, request.maxPoints);
      result.push_back(std::move(series));
    }
  }
  return result;
}

std::vector<MetricKey> RunQuery::metricKeys(int64_t runId, MetricKind kind) const {
  if (kind != MetricKind::Batch) {
    CachedStatement select = m_db->cached(
        std::string("SELECT DISTINCT m.split, m.name FROM ") + kEpochRows +
        " WHERE m.run_id = ?1 AND m.kind <> 'batch' AND m.kind = ?2 AND m.superseded = 0 "
        "ORDER BY m.split, m.name");
    select->bind(1, runId).bind(2, kindWord(kind));
    std::vector<MetricKey> keys;
    while (select->step())
      keys.push_back({select->text(0), select->text(1)});
    return keys;
  }
  // Batch rows are too many to scan: seek from each (name, split) of the run to the next and ask
  // whether it has a current batch row. (A row-value comparison "(name, split) > (?, ?)" would
  // seek by name only and then walk every row of that name.)
  CachedStatement nextSplit = m_db->cached(
      "SELECT m.split FROM metrics m INDEXED BY metrics_by_run_name_split_step "
      "WHERE m.run_id = ?1 AND m.name = ?2 AND m.split > ?3 ORDER BY m.split LIMIT 1");
  CachedStatement nextName = m_db->cached(
      "SELECT m.name, m.split FROM metrics m INDEXED BY metrics_by_run_name_split_step "
      "WHERE m.run_id = ?1 AND m.name > ?2 ORDER BY m.name, m.split LIMIT 1");
  CachedStatement hasBatch = m_db->cached(
      "SELECT 1 FROM metrics m INDEXED BY metrics_by_run_name_split_step WHERE m.run_id = ?1 "
      "AND m.name = ?2 AND m.split = ?3 AND m.kind = 'batch' AND m.superseded = 0 LIMIT 1");
  std::vector<MetricKey> keys;
  std::optional<MetricKey> at;
  for (;;) {
    nextSplit->reset();
    nextName->reset();
    if (at && nextSplit->bind(1, runId).bind(2, at->name).bind(3, at->split).step()) {
      at->split = nextSplit->text(0);
    } else if (nextName->bind(1, runId).bind(2, at ? at->name : std::string()).step()) {
      at = MetricKey{nextName->text(1), nextName->text(0)};
    } else {
      break;
    }
    hasBatch->reset();
    if (hasBatch->bind(1, runId).bind(2, at->name).bind(3, at->split).step()) keys.push_back(*at);
  }
  std::sort(keys.begin(), keys.end(), [](const MetricKey& a, const MetricKey& b) {
    return std::tie(a.split, a.name) < std::tie(b.split, b.name);
  });
  return keys;
}

std::vector<Param> RunQuery::params(int64_t runId) const {
  CachedStatement select =
      m_db->cached("SELECT key, value, type FROM params WHERE run_id = ?1 ORDER BY key");
  select->bind(1, runId);
  std::vector<Param> params;
  while (select->step())
    params.push_back({select->text(0), readParamValue(*select, 1, 2)});
  return params;
}

std::map<int64_t, std::map<std::string, ParamValue>> RunQuery::paramColumns(
    const std::vector<std::string>& keys) const {
  std::map<int64_t, std::map<std::string, ParamValue>> columns;
  if (keys.empty()) return columns;
  std::string list;
  for (size_t i = 0; i < keys.size(); ++i)
    list += (i == 0 ? "?" : ", ?") + std::to_string(i + 1);
  Statement select(*m_db,
                   "SELECT run_id, key, value, type FROM params INDEXED BY "
                   "params_by_key_value WHERE key IN (" +
                       list + ")");
  for (size_t i = 0; i < keys.size(); ++i)
    select.bind(static_cast<int>(i + 1), keys[i]);
  while (select.step())
    columns[select.integer(0)][select.text(1)] = readParamValue(select, 2, 3);
  return columns;
}

std::map<int64_t, BestEpoch> RunQuery::bestEpochs(const MetricKey& metric) const {
  CachedStatement select = m_db->cached(
      std::string("SELECT m.run_id, m.epoch, m.value FROM ") + kEpochRows +
      " WHERE m.kind <> 'batch' AND m.kind = 'epoch' AND m.superseded = 0 AND m.split = ?1 "
      "AND m.name = ?2 AND m.value IS NOT NULL ORDER BY m.run_id, m.epoch");
  select->bind(1, metric.split);
  select->bind(2, metric.name);
  const bool higher = series::higherIsBetter(metric.name);
  std::map<int64_t, series::BestEpoch> tracked;
  while (select->step()) {
    tracked.try_emplace(select->integer(0), higher)
        .first->second.offer(static_cast<int>(select->integer(1)), select->real(2));
  }
  std::map<int64_t, BestEpoch> best;
  for (const auto& [runId, one] : tracked) {
    if (one.epoch() > 0) best.emplace(runId, BestEpoch{one.value(), one.epoch()});
  }
  return best;
}

std::vector<ParamDiffRow> RunQuery::paramDiff(const std::vector<int64_t>& runIds,
                                              bool includeSame) const {
  ReadTransaction transaction(*m_db);
  std::vector<std::map<std::string, ParamValue>> perRun;
  std::set<std::string> keys;
  for (const int64_t runId : runIds) {
    perRun.push_back(paramMap(params(runId)));
    for (const auto& [key, value] : perRun.back())
      keys.insert(key);
  }
  std::vector<ParamDiffRow> rows;
  for (const std::string& key : keys) {
    ParamDiffRow row{key, {}};
    for (const auto& values : perRun) {
      const auto found = values.find(key);
      row.values.push_back(found == values.end() ? std::nullopt
                                                 : std::optional<ParamValue>(found->second));
    }
    const bool same = std::all_of(row.values.begin(), row.values.end(),
                                  [&row](const auto& value) { return value == row.values[0]; });
    if (includeSame || !same) rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<std::pair<std::string, int64_t>> RunQuery::tags() const {
  CachedStatement select = m_db->cached("SELECT tag, count(*) FROM tags GROUP BY tag ORDER BY tag");
  std::vector<std::pair<std::string, int64_t>> tags;
  while (select->step())
    tags.emplace_back(select->text(0), select->integer(1));
  return tags;
}

std::vector<AttemptRecord> RunQuery::attempts(int64_t runId) const {
  CachedStatement select = m_db->cached(
      "SELECT attempt, started_at, from_step, from_epoch, owner_pid, owner_host "
      "FROM run_attempts WHERE run_id = ?1 ORDER BY attempt");
  select->bind(1, runId);
  std::vector<AttemptRecord> attempts;
  while (select->step()) {
    attempts.push_back({static_cast<int>(select->integer(0)), storedTime(*select, 1),
                        select->integer(2), static_cast<int>(select->integer(3)),
                        select->integer(4), select->text(5)});
  }
  return attempts;
}

std::vector<ArtifactRecord> RunQuery::artifacts(int64_t runId) const {
  CachedStatement select =
      m_db->cached(std::string("SELECT ") + kArtifactColumns + kArtifactTables +
                   std::string(" WHERE a.run_id = ?1 "
                               "ORDER BY a.kind, a.file_name"));
  select->bind(1, runId);
  std::vector<ArtifactRecord> artifacts;
  while (select->step())
    artifacts.push_back(readArtifact(*select, m_path));
  return artifacts;
}

std::optional<ArtifactRecord> RunQuery::artifact(int64_t runId, const std::string& kind) const {
  CachedStatement select =
      m_db->cached(std::string("SELECT ") + kArtifactColumns + kArtifactTables +
                   std::string(" WHERE a.run_id = ?1 AND a.kind = ?2 "
                               "ORDER BY a.created_at DESC, a.id DESC LIMIT 1"));
  select->bind(1, runId).bind(2, kind);
  if (!select->step()) return std::nullopt;
  return readArtifact(*select, m_path);
}

std::optional<ConfusionMatrix> RunQuery::confusionMatrix(int64_t runId,
                                                         const std::string& split) const {
  CachedStatement select = m_db->cached(
      "SELECT split, attempt, labels_json, counts_json, created_at FROM confusion_matrices "
      "WHERE run_id = ?1 AND split = ?2");
  select->bind(1, runId).bind(2, split);
  if (!select->step()) return std::nullopt;
  return readConfusion(*select, runId);
}

std::vector<ConfusionMatrix> RunQuery::confusionMatrices(int64_t runId) const {
  CachedStatement select = m_db->cached(
      "SELECT split, attempt, labels_json, counts_json, created_at FROM confusion_matrices "
      "WHERE run_id = ?1 ORDER BY split");
  select->bind(1, runId);
  std::vector<ConfusionMatrix> matrices;
  while (select->step())
    matrices.push_back(readConfusion(*select, runId));
  return matrices;
}

}  // namespace layerlab::storage
