#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "storage/run_query.h"

namespace layerlab::cli {
namespace {

using nlohmann::json;

struct RunsOptions {
  std::string dbPath;
  bool asJson = false;
  int64_t runId = 0;
};

// ISO 8601 in UTC, or null when the time is not set.
json isoTime(double unixSeconds) {
  if (unixSeconds <= 0) return nullptr;
  const auto seconds = static_cast<std::time_t>(unixSeconds);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buffer;
}

std::string localTime(double unixSeconds) {
  if (unixSeconds <= 0) return "-";
  const auto seconds = static_cast<std::time_t>(unixSeconds);
  std::tm local{};
  localtime_r(&seconds, &local);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M", &local);
  return buffer;
}

// JSON has no NaN: non-finite values become null.
json number(double value) {
  return std::isfinite(value) ? json(value) : json(nullptr);
}
json optionalNumber(const std::optional<double>& value) {
  return value ? number(*value) : json(nullptr);
}

json summaryJson(const storage::RunSummary& run) {
  return {{"id", run.id},
          {"name", run.name},
          {"status", storage::toString(run.status)},
          {"created_at", isoTime(run.createdAt)},
          {"started_at", isoTime(run.startedAt)},
          {"finished_at", isoTime(run.finishedAt)},
          {"device", run.device},
          {"epochs_done", run.epochsDone},
          {"test_accuracy", optionalNumber(run.testAccuracy)},
          {"best_val_accuracy", optionalNumber(run.bestValAccuracy)}};
}

std::string percent(const std::optional<double>& value) {
  if (!value || !std::isfinite(*value)) return "-";
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%.2f%%", *value * 100);
  return buffer;
}

int listRuns(const RunsOptions& options) {
  const storage::RunQuery query(options.dbPath);
  const std::vector<storage::RunSummary> runs = query.listRuns();
  if (options.asJson) {
    json list = json::array();
    for (const auto& run : runs)
      list.push_back(summaryJson(run));
    std::printf("%s\n", json{{"runs", list}}.dump(2).c_str());
    return kExitOk;
  }
  if (runs.empty()) {
    std::printf("No runs in %s yet.\n", options.dbPath.c_str());
    return kExitOk;
  }
  std::printf("%-5s %-24s %-12s %-17s %6s %9s\n", "ID", "NAME", "STATUS", "STARTED", "EPOCHS",
              "TEST ACC");
  for (const auto& run : runs) {
    std::printf("%-5lld %-24.24s %-12s %-17s %6d %9s\n", static_cast<long long>(run.id),
                run.name.c_str(), std::string(storage::toString(run.status)).c_str(),
                localTime(run.startedAt).c_str(), run.epochsDone,
                percent(run.testAccuracy).c_str());
  }
  return kExitOk;
}

json epochJson(const storage::EpochMetrics& epoch) {
  json out = {{"epoch", epoch.epoch}, {"step", epoch.step}, {"wall_time", epoch.wallTime}};
  for (const char* key : {"train_loss", "train_accuracy", "val_loss", "val_accuracy"}) {
    auto it = epoch.values.find(key);
    out[key] = it == epoch.values.end() ? json(nullptr) : number(it->second);
  }
  return out;
}

json detailJson(const storage::RunDetail& run, const std::vector<storage::EpochMetrics>& epochs) {
  json out = summaryJson(run.summary);
  out["error"] = run.errorText;
  out["seed"] = run.seed;
  out["app_version"] = run.appVersion;
  out["dataset_fingerprint"] = run.datasetFingerprint;
  for (const auto& [key, text] :
       {std::pair{"model", &run.modelJson}, std::pair{"config", &run.configJson},
        std::pair{"dataset", &run.datasetJson}}) {
    out[key] = json::parse(*text, nullptr, false);
  }
  out["epochs"] = json::array();
  for (const auto& epoch : epochs)
    out["epochs"].push_back(epochJson(epoch));
  out["final"] = json::object();
  for (const auto& [key, value] : run.finalMetrics)
    out["final"][key] = number(value);
  return out;
}

void printDetail(const storage::RunDetail& run, const std::vector<storage::EpochMetrics>& epochs) {
  const storage::RunSummary& s = run.summary;
  std::printf("Run %lld: %s\n", static_cast<long long>(s.id), s.name.c_str());
  std::printf("  status    %s\n", std::string(storage::toString(s.status)).c_str());
  std::printf("  started   %s\n  finished  %s\n", localTime(s.startedAt).c_str(),
              localTime(s.finishedAt).c_str());
  std::printf("  device    %s\n  seed      %lld\n", s.device.c_str(),
              static_cast<long long>(run.seed));
  if (!run.errorText.empty()) std::printf("  error     %s\n", run.errorText.c_str());
  std::printf("\n%6s %11s %11s %11s %11s\n", "EPOCH", "LOSS", "ACCURACY", "VAL_LOSS", "VAL_ACC");
  for (const auto& epoch : epochs) {
    const json e = epochJson(epoch);
    auto cell = [&e](const char* key) {
      return e[key].is_number() ? e[key].get<double>() : std::nan("");
    };
    std::printf("%6d %11.4f %11.4f %11.4f %11.4f\n", epoch.epoch, cell("train_loss"),
                cell("train_accuracy"), cell("val_loss"), cell("val_accuracy"));
  }
  for (const auto& [key, value] : run.finalMetrics)
    std::printf("%s: %.4f\n", key.c_str(), value);
}

int showRun(const RunsOptions& options) {
  const storage::RunQuery query(options.dbPath);
  const std::optional<storage::RunDetail> run = query.run(options.runId);
  if (!run) {
    printError("no run " + std::to_string(options.runId) + " in " + options.dbPath +
               " (see layerlab-cli runs list)");
    return kExitBadInput;
  }
  const std::vector<storage::EpochMetrics> epochs = query.epochs(options.runId);
  if (options.asJson)
    std::printf("%s\n", detailJson(*run, epochs).dump(2).c_str());
  else
    printDetail(*run, epochs);
  return kExitOk;
}

// Store errors are the user's to fix (a wrong --db, a damaged file): report them in one line.
template <typename Fn>
int guarded(Fn fn) {
  try {
    return fn();
  } catch (const std::exception& error) {
    printError(error.what());
    return kExitFailed;
  }
}

}  // namespace

void addRunsCommand(CLI::App& app, int& exitCode) {
  auto options = std::make_shared<RunsOptions>();
  CLI::App* runs = app.add_subcommand("runs", "List and inspect stored runs");
  runs->require_subcommand(1);
  CLI::App* list = runs->add_subcommand("list", "List the runs, newest first");
  addStoreOption(*list, options->dbPath);
  list->add_flag("--json", options->asJson, "Print JSON");
  list->callback([options, &exitCode] { exitCode = guarded([&] { return listRuns(*options); }); });
  CLI::App* show = runs->add_subcommand("show", "Show one run with its epochs");
  show->add_option("id", options->runId, "The run's id")->required();
  addStoreOption(*show, options->dbPath);
  show->add_flag("--json", options->asJson, "Print JSON");
  show->callback([options, &exitCode] { exitCode = guarded([&] { return showRun(*options); }); });
}

}  // namespace layerlab::cli
