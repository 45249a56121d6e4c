#include <cmath>
#include <cstdio>
#include <ctime>
#include <optional>
#include <stdexcept>

#include "app/cli/commands.h"
#include "app/cli/job_errors.h"
#include "app/cli/runs_cli.h"
#include "engine/model/json_document.h"
#include "storage/store_error.h"

namespace layerlab::cli {

using nlohmann::json;

int guarded(int (*action)(const RunsOptions&), const RunsOptions& options) {
  return exitCodeOf([&] { return action(options); });
}

// The time_t of a stored time, or nullopt when it is unset or cannot be a date (NaN, 1e300):
// casting such a double to time_t is undefined.
namespace {

std::optional<std::time_t> representableTime(double unixSeconds) {
  constexpr double kYear10000 = 253402300800.0;
  if (!(unixSeconds > 0.0 && unixSeconds < kYear10000)) return std::nullopt;
  return static_cast<std::time_t>(unixSeconds);
}

}  // namespace

json isoTime(double unixSeconds) {
  const std::optional<std::time_t> time = representableTime(unixSeconds);
  if (!time) return nullptr;
  const std::time_t seconds = *time;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::string localTime(double unixSeconds) {
  const std::optional<std::time_t> time = representableTime(unixSeconds);
  if (!time) return "-";
  const std::time_t seconds = *time;
  std::tm local{};
  localtime_r(&seconds, &local);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M", &local);
  return buffer;
}

json number(double value) {
  return std::isfinite(value) ? json(value) : json(nullptr);
}

json optionalNumber(const std::optional<double>& value) {
  return value ? number(*value) : json(nullptr);
}

json paramJson(const storage::ParamValue& value) {
  using storage::ParamType;
  switch (value.type) {
    case ParamType::Null:
      return nullptr;
    case ParamType::Bool:
      return value.integer != 0;
    case ParamType::Integer:
      return value.integer;
    case ParamType::Real:
      return number(value.real);
    case ParamType::Text:
      return value.text;
    case ParamType::Json: {
      engine::JsonParseOutcome parsed = engine::parseJsonBounded(value.text);
      return parsed.ok() ? std::move(parsed.value) : json(value.text);
    }
  }
  return nullptr;
}

json summaryJson(const storage::RunSummary& run) {
  return {{"id", run.id},
          {"uuid", run.uuid},
          {"name", run.name},
          {"status", storage::toString(run.status)},
          {"attempt", run.attempt},
          {"parent_run_id", run.parentRunId ? json(*run.parentRunId) : json(nullptr)},
          {"tags", run.tags},
          {"notes", run.notes},
          {"created_at", isoTime(run.createdAt)},
          {"started_at", isoTime(run.startedAt)},
          {"finished_at", isoTime(run.finishedAt)},
          {"heartbeat_at", isoTime(run.heartbeatAt)},
          {"device", run.device},
          {"epochs_done", run.epochsDone},
          {"test_accuracy", optionalNumber(run.testAccuracy)},
          {"test_loss", optionalNumber(run.testLoss)},
          {"best_val_accuracy", optionalNumber(run.bestValAccuracy)},
          {"best_val_loss", optionalNumber(run.bestValLoss)}};
}

void printJson(const json& doc) {
  const std::string text = doc.dump(2, ' ', true, json::error_handler_t::replace);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

std::string percent(const std::optional<double>& value) {
  if (!value || !std::isfinite(*value)) return "-";
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%.2f%%", *value * 100);
  return buffer;
}

}  // namespace layerlab::cli
