// Pieces of the reader shared by its source files. Private to the storage module.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "storage/run_types.h"

namespace layerlab::storage {

class Database;
class Statement;

// The epoch and final rows of the metrics table, through the index that leaves batch rows out; a
// query naming it must also say "m.kind <> 'batch'" (SQLite refuses the query otherwise).
inline constexpr const char* kEpochRows = "metrics m INDEXED BY metrics_by_run_kind_epoch";

// SQL text assembled from fixed fragments, with every value kept aside and bound by number.
class SqlBuilder {
 public:
  // Remembers `value` and returns its placeholder, "?<n>".
  std::string param(int64_t value);
  std::string param(double value);
  std::string param(std::string value);

  void bindAll(Statement& statement) const;

  std::string sql;

 private:
  std::string placeholder() const { return "?" + std::to_string(m_values.size()); }
  std::vector<std::variant<int64_t, double, std::string>> m_values;
};

// `text` as a LIKE pattern matching it literally anywhere, for use with ESCAPE '\'.
std::string containsPattern(const std::string& text);

// The status as readers report it: 'interrupted' for the ids in `orphans` (bound through
// `builder`), the stored status otherwise.
std::string effectiveStatusSql(SqlBuilder& builder, const std::vector<int64_t>& orphans);

// The columns of a RunSummary, read by readSummary(); `statusSql` from effectiveStatusSql(). They
// are selected FROM kSummaryRows.
inline constexpr const char* kSummaryRows = "runs r LEFT JOIN run_results rr ON rr.run_id = r.id";
std::string summaryColumnsSql(const std::string& statusSql);
RunSummary readSummary(const Statement& row);

// Fills summary.tags.
void readTags(Database& db, RunSummary& summary);

// The runs currently `running` whose owner on this host is gone.
std::vector<int64_t> orphanedRunIds(Database& db);

// The columns readArtifact() expects, from table alias "a" joined with its run as "r" (the
// run's uuid names the only folder its files may be in).
inline constexpr const char* kArtifactColumns =
    "a.id, a.run_id, a.kind, a.file_name, a.rel_path, a.bytes, a.sha256, a.created_at, "
    "a.attempt, a.metadata_json, r.uuid";
inline constexpr const char* kArtifactTables = " FROM artifacts a JOIN runs r ON r.id = a.run_id";
ArtifactRecord readArtifact(const Statement& row, const std::string& storePath);

}  // namespace layerlab::storage
