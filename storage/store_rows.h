// Row-level helpers shared by the writer, the schema upgrade and the reader. Private to the
// storage module.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "storage/run_types.h"

namespace layerlab::storage {

class Database;
class Statement;

// Unix time in seconds, with fractions.
double nowSeconds();

// A time read from a row, or 0 ("not known") when it is NULL, not finite, or outside 1970 to
// 9999: a crafted store's 1e300 or NaN would otherwise reach a cast to time_t or an integer count
// of seconds in every front end, which is undefined behaviour.
double storedTime(const Statement& row, int column);

// The id of the `models` row holding `modelJson`, adding it when no row has the same SHA-256.
int64_t storeModel(Database& db, const std::string& modelJson, double now);

// Replaces the `params` rows of `runId` with `params`.
void writeParams(Database& db, int64_t runId, const std::vector<Param>& params);

// Adds `tags` to `runId` (a tag it already has is kept once).
void writeTags(Database& db, int64_t runId, const std::vector<std::string>& tags);

// Recomputes the `run_results` row of `runId` (epochs done, test metrics, best validation
// accuracy and loss with their epochs) from its current epoch and final rows. The writer calls it
// after every change to those rows, so the runs list reads one row per run instead of
// aggregating metrics.
void refreshRunResults(Database& db, int64_t runId);
// The same for every run (the schema upgrade that adds the table).
void fillRunResults(Database& db);

// The runs `running` whose owner on this host is gone: (run id, the owner's pid).
std::vector<std::pair<int64_t, int64_t>> orphanedRuns(Database& db);

// Whether `uuid` has the shape newUuid() gives, so it is safe as a folder name.
bool isWellFormedUuid(const std::string& uuid);

// "MetricKind::Batch" → "batch", as in metrics.kind.
const char* kindWord(MetricKind kind);

}  // namespace layerlab::storage
