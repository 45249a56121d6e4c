// runs export-csv: the metrics of runs in long form (storage/metrics_csv.h), to standard output
// or to a file.
#include <cstdio>
#include <stdexcept>

#include "app/cli/commands.h"
#include "app/cli/runs_cli.h"
#include "storage/metrics_csv.h"
#include "storage/run_query.h"

namespace layerlab::cli {
namespace {

std::vector<storage::MetricKind> kindsOf(const std::string& word) {
  if (word == "batch") return {storage::MetricKind::Batch};
  if (word == "epoch") return {storage::MetricKind::Epoch};
  if (word == "final") return {storage::MetricKind::Final};
  if (word == "all") {
    return {storage::MetricKind::Batch, storage::MetricKind::Epoch, storage::MetricKind::Final};
  }
  throw std::invalid_argument("--kind must be batch, epoch, final or all, not '" + word + "'");
}

}  // namespace

int exportCsv(const RunsOptions& options) {
  const std::vector<storage::MetricKind> kinds = kindsOf(options.kind);
  const storage::RunQuery query(options.dbPath, storage::existingStoreOptions());
  std::vector<storage::RunSummary> runs;
  for (const int64_t runId : options.runIds) {
    const std::optional<storage::RunDetail> run = query.run(runId);
    if (!run) {
      printError("no run " + std::to_string(runId) + " in " + displayText(options.dbPath));
      return kExitBadInput;
    }
    runs.push_back(run->summary);
  }
  if (options.output.empty()) {
    storage::writeMetricsCsv(stdout, query, runs, kinds, options.allAttempts);
    return std::fflush(stdout) == 0 ? kExitOk : kExitFailed;
  }
  storage::writeMetricsCsvFile(options.output, query, runs, kinds, options.allAttempts);
  return kExitOk;
}

}  // namespace layerlab::cli
