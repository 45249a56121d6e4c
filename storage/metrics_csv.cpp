#include "storage/metrics_csv.h"

#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "storage/store_rows.h"

namespace layerlab::storage {
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

void writeRows(std::FILE* out, const RunQuery& query, const RunSummary& run, MetricKind kind,
               bool allAttempts) {
  SeriesRequest request;
  request.runIds = {run.id};
  request.metrics = query.metricKeys(run.id, kind);
  request.kind = kind;
  request.includeSuperseded = allAttempts;
  for (const MetricSeries& series : query.series(request)) {
    const std::string prefix = std::to_string(run.id) + "," + run.uuid + ",";
    const std::string names = std::string(kindWord(kind)) + "," + csvField(series.metric.split) +
                              "," + csvField(series.metric.name) + ",";
    for (const SeriesPoint& point : series.points) {
      std::fprintf(out, "%s%d,%d,%s%lld,%d,%s,%s\n", prefix.c_str(), point.attempt,
                   point.superseded ? 1 : 0, names.c_str(), static_cast<long long>(point.step),
                   point.epoch, csvNumber(point.value).c_str(), csvNumber(point.wallTime).c_str());
    }
  }
}

}  // namespace

void writeMetricsCsv(std::FILE* out, const RunQuery& query, const std::vector<RunSummary>& runs,
                     const std::vector<MetricKind>& kinds, bool allAttempts) {
  std::fprintf(out,
               "run_id,run_uuid,attempt,superseded,kind,split,name,step,epoch,value,wall_time\n");
  for (const RunSummary& run : runs) {
    for (const MetricKind kind : kinds)
      writeRows(out, query, run, kind, allAttempts);
  }
}

void writeMetricsCsvFile(const std::string& path, const RunQuery& query,
                         const std::vector<RunSummary>& runs, const std::vector<MetricKind>& kinds,
                         bool allAttempts) {
  const std::string temp = path + ".tmp-" + std::to_string(getpid());
  std::FILE* out = std::fopen(temp.c_str(), "w");
  if (!out) throw std::runtime_error("cannot write " + temp + ": " + std::strerror(errno));
  try {
    writeMetricsCsv(out, query, runs, kinds, allAttempts);
  } catch (...) {
    std::fclose(out);
    std::remove(temp.c_str());
    throw;
  }
  const bool written = std::fflush(out) == 0 && fsync(fileno(out)) == 0;
  const int error = errno;
  std::fclose(out);
  if (!written) {
    std::remove(temp.c_str());
    throw std::runtime_error("cannot write " + path + ": " + std::strerror(error));
  }
  std::filesystem::rename(temp, path);
}

}  // namespace layerlab::storage
