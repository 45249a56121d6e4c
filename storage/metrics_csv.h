// The metrics of runs as CSV in long form, one row per value, for spreadsheets and scripts:
//   run_id,run_uuid,attempt,superseded,kind,split,name,step,epoch,value,wall_time
// Values keep full precision; NaN and infinities are written as nan, inf and -inf. Used by
// `layerlab-cli runs export-csv` and by the Runs place's "Export Metrics".
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "storage/run_query.h"
#include "storage/run_types.h"

namespace layerlab::storage {

// Writes the header and the rows of `runs` for each of `kinds` to `out`.
void writeMetricsCsv(std::FILE* out, const RunQuery& query, const std::vector<RunSummary>& runs,
                     const std::vector<MetricKind>& kinds, bool allAttempts);

// The same into the file at `path`, which appears complete or not at all (written beside it,
// synced, then renamed). Throws std::runtime_error naming the file when it cannot be written.
void writeMetricsCsvFile(const std::string& path, const RunQuery& query,
                         const std::vector<RunSummary>& runs, const std::vector<MetricKind>& kinds,
                         bool allAttempts);

}  // namespace layerlab::storage
