// RunQuery::listRuns with filters, sorting and paging. Every value the user typed is bound; the
// SQL around it comes from the fixed fragments below.
#include <charconv>
#include <stdexcept>

#include "series/metric_direction.h"
#include "storage/database.h"
#include "storage/query_support.h"
#include "storage/run_query.h"

namespace layerlab::storage {

namespace {

// LIKE patterns longer than SQLite's limit (50,000 bytes in Debian's build) are an error, so a
// search text that long is matched with instr() instead, which needs no pattern at all.
constexpr size_t kLongestLikeText = 20000;

struct SortColumn {
  std::string_view key;
  std::string_view sql;  // a column of the summary select
};

constexpr SortColumn kSortColumns[] = {
    {"id", "r.id"},
    {"name", "r.name"},
    {"status", "status_now"},
    {"created", "r.created_at"},
    {"started", "r.started_at"},
    {"finished", "r.finished_at"},
    {"duration", "(COALESCE(r.finished_at, r.heartbeat_at) - r.started_at)"},
    {"heartbeat", "r.heartbeat_at"},
    {"device", "r.device"},
    {"epochs", "epochs_done"},
    {"attempt", "r.attempt"},
    {"test_accuracy", "test_accuracy"},
    {"test_loss", "test_loss"},
    {"best_val_accuracy", "best_val_accuracy"},
    {"best_val_loss", "best_val_loss"},
};

// "val_f1_macro" → {"val", "f1_macro"}: the split is the part before the first '_'.
MetricKey splitMetric(std::string_view text, std::string_view sortBy) {
  const size_t underscore = text.find('_');
  if (underscore == std::string_view::npos || underscore == 0 || underscore + 1 == text.size()) {
    throw std::invalid_argument("cannot sort by '" + std::string(sortBy) +
                                "': name a metric as <split>_<name>, e.g. val_accuracy");
  }
  return {std::string(text.substr(0, underscore)), std::string(text.substr(underscore + 1))};
}

std::string sortExpression(SqlBuilder& query, std::string_view sortBy) {
  for (const SortColumn& column : kSortColumns) {
    if (column.key == sortBy) return std::string(column.sql);
  }
  if (sortBy.starts_with("best:")) {
    const MetricKey metric = splitMetric(sortBy.substr(5), sortBy);
    const char* aggregate = series::higherIsBetter(metric.name) ? "MAX" : "MIN";
    return std::string("(SELECT ") + aggregate + "(m.value) FROM " + kEpochRows +
           " WHERE m.run_id = r.id AND m.kind <> 'batch' AND m.kind = 'epoch' "
           "AND m.superseded = 0 AND m.split = " +
           query.param(metric.split) + " AND m.name = " + query.param(metric.name) + ")";
  }
  if (sortBy.starts_with("final:")) {
    const MetricKey metric = splitMetric(sortBy.substr(6), sortBy);
    return std::string("(SELECT m.value FROM ") + kEpochRows +
           " WHERE m.run_id = r.id AND m.kind <> 'batch' AND m.kind = 'final' "
           "AND m.superseded = 0 AND m.split = " +
           query.param(metric.split) + " AND m.name = " + query.param(metric.name) +
           " ORDER BY m.rowid DESC LIMIT 1)";
  }
  if (sortBy.starts_with("param:") && sortBy.size() > 6) {
    return "(SELECT p.value FROM params p WHERE p.run_id = r.id AND p.key = " +
           query.param(resolveParamKey(sortBy.substr(6))) + ")";
  }
  throw std::invalid_argument("cannot sort by '" + std::string(sortBy) +
                              "'; use one of the run columns, best:<metric>, final:<metric> "
                              "or param:<key>");
}

struct BoundValue {
  std::string placeholder;
  bool numeric = false;
};

// "0.01" → 0.01, "64" → 64, "true" → 1; anything else, or a value in double quotes, is text.
BoundValue bindPredicateValue(SqlBuilder& query, const std::string& value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
    return {query.param(value.substr(1, value.size() - 2)), false};
  }
  if (value == "true" || value == "false") {
    return {query.param(int64_t{value == "true" ? 1 : 0}), true};
  }
  const char* begin = value.data();
  const char* end = begin + value.size();
  int64_t integer = 0;
  if (auto [ptr, error] = std::from_chars(begin, end, integer);
      error == std::errc() && ptr == end) {
    return {query.param(integer), true};
  }
  double real = 0.0;
  if (auto [ptr, error] = std::from_chars(begin, end, real); error == std::errc() && ptr == end) {
    return {query.param(real), true};
  }
  return {query.param(value), false};
}

// key~text: case-insensitive for ASCII, as LIKE is. Past kLongestLikeText with instr(), as the
// search box does: LIKE would fail with "pattern too complex".
std::string containsSql(SqlBuilder& query, const ParamPredicate& predicate) {
  const std::string head = "EXISTS (SELECT 1 FROM params p WHERE p.run_id = r.id AND p.key = " +
                           query.param(predicate.key) + " AND ";
  if (predicate.value.size() > kLongestLikeText) {
    return head + "instr(lower(p.value), lower(" + query.param(predicate.value) + ")) > 0)";
  }
  return head + "p.value LIKE " + query.param(containsPattern(predicate.value)) + " ESCAPE '\\')";
}

std::string predicateSql(SqlBuilder& query, const ParamPredicate& predicate) {
  if (predicate.op == CompareOp::Contains) return containsSql(query, predicate);
  std::string condition = "EXISTS (SELECT 1 FROM params p WHERE p.run_id = r.id AND p.key = " +
                          query.param(predicate.key) + " AND p.value ";
  bool ordering = true;
  switch (predicate.op) {
    case CompareOp::Equal:
      condition += "= ";
      ordering = false;
      break;
    case CompareOp::NotEqual:
      condition += "!= ";
      ordering = false;
      break;
    case CompareOp::Less:
      condition += "< ";
      break;
    case CompareOp::LessEqual:
      condition += "<= ";
      break;
    case CompareOp::Greater:
      condition += "> ";
      break;
    case CompareOp::GreaterEqual:
      condition += ">= ";
      break;
    case CompareOp::Contains:
      break;  // handled above
  }
  const BoundValue value = bindPredicateValue(query, predicate.value);
  condition += value.placeholder;
  // SQLite orders every number before every text; "lr < 0.01" must not match a text value, nor
  // "optimizer > m" a number.
  if (ordering) {
    condition +=
        value.numeric ? " AND p.type IN ('integer', 'real', 'bool')" : " AND p.type = 'text'";
  }
  return condition + ")";
}

std::string textSql(SqlBuilder& query, const std::string& text) {
  if (text.size() > kLongestLikeText) {
    const std::string needle = query.param(text);
    return "(instr(lower(r.name), lower(" + needle + ")) > 0 OR instr(lower(r.notes), lower(" +
           needle + ")) > 0 OR EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND " +
           "instr(lower(t.tag), lower(" + needle + ")) > 0))";
  }
  const std::string pattern = query.param(containsPattern(text));
  return "(r.name LIKE " + pattern + " ESCAPE '\\' OR r.notes LIKE " + pattern +
         " ESCAPE '\\' OR EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND t.tag LIKE " +
         pattern + " ESCAPE '\\'))";
}

std::string whereSql(SqlBuilder& query, const RunFilter& filter,
                     const std::vector<int64_t>& orphans) {
  std::vector<std::string> conditions;
  if (!filter.statuses.empty()) {
    const std::string statusSql = effectiveStatusSql(query, orphans);
    std::string list;
    for (const RunStatus status : filter.statuses) {
      if (!list.empty()) list += ", ";
      list += query.param(std::string(toString(status)));
    }
    conditions.push_back(statusSql + " IN (" + list + ")");
  }
  for (const std::string& tag : filter.tags) {
    conditions.push_back(
        "EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND t.tag = " + query.param(tag) + ")");
  }
  if (!filter.text.empty()) conditions.push_back(textSql(query, filter.text));
  for (const ParamPredicate& predicate : filter.params)
    conditions.push_back(predicateSql(query, predicate));
  std::string sql;
  for (const std::string& condition : conditions)
    sql += (sql.empty() ? " WHERE " : " AND ") + condition;
  return sql;
}

}  // namespace

RunPage RunQuery::listRuns(const RunListRequest& request) const {
  ReadTransaction transaction(*m_db);
  const std::vector<int64_t> orphans = orphanedRunIds(*m_db);
  RunPage page;
  {
    SqlBuilder count;
    count.sql = "SELECT count(*) FROM runs r" + whereSql(count, request.filter, orphans);
    Statement select(*m_db, count.sql);
    count.bindAll(select);
    page.total = select.step() ? select.integer(0) : 0;
  }
  SqlBuilder query;
  const std::string status = effectiveStatusSql(query, orphans);
  query.sql = "SELECT " + summaryColumnsSql(status) + " FROM " + kSummaryRows +
              whereSql(query, request.filter, orphans);
  query.sql += " ORDER BY " + sortExpression(query, request.sortBy) +
               (request.descending ? " DESC" : " ASC") + " NULLS LAST, r.id DESC";
  query.sql += " LIMIT " + query.param(request.limit > 0 ? request.limit : int64_t{-1}) +
               " OFFSET " + query.param(std::max<int64_t>(0, request.offset));
  Statement select(*m_db, query.sql);
  query.bindAll(select);
  while (select.step())
    page.runs.push_back(readSummary(select));
  for (RunSummary& summary : page.runs)
    readTags(*m_db, summary);
  return page;
}

}  // namespace layerlab::storage
