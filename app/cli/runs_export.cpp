// runs export-csv: the metrics of runs in long form, one row per value, for spreadsheets and
// scripts. Values keep full precision; NaN and infinities are written as nan, inf and -inf.
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "app/cli/commands.h"
#include "app/cli/runs_cli.h"
#include "storage/run_query.h"

namespace layerlab::cli {
namespace {

// RFC 4180: a field with a comma, a quote or a line break is quoted, quotes doubled.
std::string csvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string csvNumber(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

std::vector<storage::MetricKind> kindsOf(const std::string& word) {
  if (word == "batch") return {storage::MetricKind::Batch};
  if (word == "epoch") return {storage::MetricKind::Epoch};
  if (word == "final") return {storage::MetricKind::Final};
  if (word == "all") {
    return {storage::MetricKind::Batch, storage::MetricKind::Epoch, storage::MetricKind::Final};
  }
  throw std::invalid_argument("--kind must be batch, epoch, final or all, not '" + word + "'");
}

const char* kindName(storage::MetricKind kind) {
  switch (kind) {
    case storage::MetricKind::Batch:
      return "batch";
    case storage::MetricKind::Epoch:
      return "epoch";
    case storage::MetricKind::Final:
      return "final";
  }
  return "epoch";
}

void writeRows(std::FILE* out, const storage::RunQuery& query, const storage::RunSummary& run,
               storage::MetricKind kind, bool allAttempts) {
  storage::SeriesRequest request;
  request.runIds = {run.id};
  request.metrics = query.metricKeys(run.id, kind);
  request.kind = kind;
  request.includeSuperseded = allAttempts;
  for (const storage::MetricSeries& series : query.series(request)) {
    const std::string prefix = std::to_string(run.id) + "," + run.uuid + ",";
    const std::string names = std::string(kindName(kind)) + "," + csvField(series.metric.split) +
                              "," + csvField(series.metric.name) + ",";
    for (const storage::SeriesPoint& point : series.points) {
      std::fprintf(out, "%s%d,%d,%s%lld,%d,%s,%s\n", prefix.c_str(), point.attempt,
                   point.superseded ? 1 : 0, names.c_str(), static_cast<long long>(point.step),
                   point.epoch, csvNumber(point.value).c_str(), csvNumber(point.wallTime).c_str());
    }
  }
}

}  // namespace

int exportCsv(const RunsOptions& options) {
  const std::vector<storage::MetricKind> kinds = kindsOf(options.kind);
  const storage::RunQuery query(options.dbPath);
  std::vector<storage::RunSummary> runs;
  for (const int64_t runId : options.runIds) {
    const std::optional<storage::RunDetail> run = query.run(runId);
    if (!run) {
      printError("no run " + std::to_string(runId) + " in " + displayText(options.dbPath));
      return kExitBadInput;
    }
    runs.push_back(run->summary);
  }
  // A file appears complete or not at all: written beside its final name, then renamed.
  const std::string temp =
      options.output.empty() ? std::string() : options.output + ".tmp-" + std::to_string(getpid());
  std::FILE* out = temp.empty() ? stdout : std::fopen(temp.c_str(), "w");
  if (!out) throw std::runtime_error("cannot write " + temp + ": " + std::strerror(errno));
  try {
    std::fprintf(out,
                 "run_id,run_uuid,attempt,superseded,kind,split,name,step,epoch,value,"
                 "wall_time\n");
    for (const storage::RunSummary& run : runs) {
      for (const storage::MetricKind kind : kinds)
        writeRows(out, query, run, kind, options.allAttempts);
    }
  } catch (...) {
    if (!temp.empty()) {
      std::fclose(out);
      std::remove(temp.c_str());
    }
    throw;
  }
  if (temp.empty()) return std::fflush(stdout) == 0 ? kExitOk : kExitFailed;
  const bool written = std::fflush(out) == 0 && fsync(fileno(out)) == 0;
  const int error = errno;
  std::fclose(out);
  if (!written) {
    std::remove(temp.c_str());
    throw std::runtime_error("cannot write " + options.output + ": " + std::strerror(error));
  }
  std::filesystem::rename(temp, options.output);
  return kExitOk;
}

}  // namespace layerlab::cli
