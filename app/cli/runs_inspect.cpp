// runs list | show | compare: reading the store, as text for people or JSON for scripts.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>

#include "app/cli/commands.h"
#include "app/cli/runs_cli.h"
#include "engine/model/json_document.h"
#include "storage/run_query.h"

namespace layerlab::cli {
namespace {

using nlohmann::json;

// `text` made terminal-safe, cut to `width` characters (UTF-8 aware) and padded to it.
std::string cell(const std::string& text, size_t width) {
  const std::string shown = displayText(text);
  std::string out;
  size_t characters = 0;
  for (size_t i = 0; i < shown.size(); ++i) {
    const bool starts = (static_cast<unsigned char>(shown[i]) & 0xC0) != 0x80;
    if (starts && ++characters > width) break;
    out += shown[i];
  }
  if (characters > width) {
    while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80)
      out.pop_back();
    if (!out.empty()) out.back() = '~';  // marks the cut
    characters = width;
  }
  return out + std::string(width - std::min(width, characters), ' ');
}

std::string fixed(double value, const char* format = "%.4f") {
  if (std::isnan(value)) return "nan";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string fixed(const std::optional<double>& value) {
  return value ? fixed(*value) : "-";
}

storage::RunListRequest listRequest(const RunsOptions& options) {
  storage::RunListRequest request;
  for (const std::string& word : options.statuses) {
    const auto status = storage::parseRunStatus(word);
    if (!status) {
      throw std::invalid_argument("unknown status '" + word +
                                  "' (queued, running, completed, failed, cancelled, interrupted)");
    }
    request.filter.statuses.push_back(*status);
  }
  request.filter.tags = options.tags;
  request.filter.text = options.search;
  for (const std::string& condition : options.conditions)
    request.filter.params.push_back(storage::parseParamPredicate(condition));
  request.sortBy = options.sortBy;
  request.descending = !options.ascending;
  request.limit = options.limit;
  request.offset = options.offset;
  return request;
}

void printRunTable(const std::vector<storage::RunSummary>& runs) {
  std::printf("%-5s %s %s %-17s %6s %9s %9s  %s\n", "ID", cell("NAME", 24).c_str(),
              cell("STATUS", 11).c_str(), "STARTED", "EPOCHS", "BEST VAL", "TEST ACC", "TAGS");
  for (const auto& run : runs) {
    std::string tags;
    for (const std::string& tag : run.tags)
      tags += (tags.empty() ? "" : ", ") + tag;
    std::printf(
        "%-5lld %s %s %-17s %6d %9s %9s  %s\n", static_cast<long long>(run.id),
        cell(run.name, 24).c_str(), cell(std::string(storage::toString(run.status)), 11).c_str(),
        localTime(run.startedAt).c_str(), run.epochsDone, percent(run.bestValAccuracy).c_str(),
        percent(run.testAccuracy).c_str(), displayText(tags).c_str());
  }
}

json epochJson(const storage::EpochMetrics& epoch, bool withAttempt) {
  json out = {{"epoch", epoch.epoch}, {"step", epoch.step}, {"wall_time", epoch.wallTime}};
  for (const char* key : {"train_loss", "train_accuracy", "val_loss", "val_accuracy"})
    out[key] = nullptr;
  for (const auto& [key, value] : epoch.values)
    out[key] = number(value);
  if (withAttempt) {
    out["attempt"] = epoch.attempt;
    out["superseded"] = epoch.superseded;
  }
  return out;
}

// A document kept in the store, or null when it is not JSON LayerLab reads (too large, too deep
// or broken): the store may come from someone else.
json storedJson(const std::string& text) {
  engine::JsonParseOutcome parsed = engine::parseJsonBounded(text);
  return parsed.ok() ? std::move(parsed.value) : json(nullptr);
}

json artifactJson(const storage::ArtifactRecord& artifact) {
  return {{"kind", artifact.kind},       {"file_name", artifact.fileName},
          {"path", artifact.path},       {"bytes", artifact.bytes},
          {"sha256", artifact.sha256},   {"created_at", isoTime(artifact.createdAt)},
          {"attempt", artifact.attempt}, {"metadata", storedJson(artifact.metadataJson)}};
}

json detailJson(const storage::RunDetail& run, const std::vector<storage::EpochMetrics>& epochs,
                const std::vector<storage::ConfusionMatrix>& matrices, bool allAttempts) {
  json out = summaryJson(run.summary);
  out["error"] = run.errorText;
  out["seed"] = run.seed;
  out["app_version"] = run.appVersion;
  out["dataset_fingerprint"] = run.datasetFingerprint;
  out["model_sha256"] = run.modelSha256;
  for (const auto& [key, text] :
       {std::pair{"model", &run.modelJson}, std::pair{"config", &run.configJson},
        std::pair{"dataset", &run.datasetJson}}) {
    out[key] = storedJson(*text);
  }
  out["params"] = json::object();
  for (const storage::Param& param : run.params)
    out["params"][param.key] = paramJson(param.value);
  out["epochs"] = json::array();
  for (const auto& epoch : epochs)
    out["epochs"].push_back(epochJson(epoch, allAttempts));
  out["final"] = json::object();
  for (const auto& [key, value] : run.finalMetrics)
    out["final"][key] = number(value);
  out["attempts"] = json::array();
  for (const storage::AttemptRecord& attempt : run.attempts) {
    out["attempts"].push_back({{"attempt", attempt.attempt},
                               {"started_at", isoTime(attempt.startedAt)},
                               {"from_step", attempt.fromStep},
                               {"from_epoch", attempt.fromEpoch}});
  }
  out["artifacts"] = json::array();
  for (const storage::ArtifactRecord& artifact : run.artifacts)
    out["artifacts"].push_back(artifactJson(artifact));
  out["confusion_matrices"] = json::array();
  for (const storage::ConfusionMatrix& matrix : matrices) {
    out["confusion_matrices"].push_back(
        {{"split", matrix.split}, {"labels", matrix.labels}, {"counts", matrix.counts}});
  }
  return out;
}

void printEpochs(const std::vector<storage::EpochMetrics>& epochs, bool withAttempt) {
  std::printf("\n%6s %11s %11s %11s %11s%s\n", "EPOCH", "LOSS", "ACCURACY", "VAL_LOSS", "VAL_ACC",
              withAttempt ? "  ATTEMPT" : "");
  for (const auto& epoch : epochs) {
    auto value = [&epoch](const char* key) {
      const auto found = epoch.values.find(key);
      return found == epoch.values.end() ? std::string("-") : fixed(found->second);
    };
    std::printf("%6d %11s %11s %11s %11s", epoch.epoch, value("train_loss").c_str(),
                value("train_accuracy").c_str(), value("val_loss").c_str(),
                value("val_accuracy").c_str());
    if (withAttempt) {
      std::printf("  %7d%s", epoch.attempt, epoch.superseded ? " (superseded)" : "");
    }
    std::printf("\n");
  }
}

void printDetail(const storage::RunDetail& run, const std::vector<storage::EpochMetrics>& epochs,
                 bool allAttempts) {
  const storage::RunSummary& s = run.summary;
  std::printf("Run %lld: %s\n", static_cast<long long>(s.id), displayText(s.name).c_str());
  std::printf("  status    %s", std::string(storage::toString(s.status)).c_str());
  if (s.attempt > 1) std::printf(" (attempt %d)", s.attempt);
  std::printf("\n  started   %s\n  finished  %s\n", localTime(s.startedAt).c_str(),
              localTime(s.finishedAt).c_str());
  std::printf("  device    %s\n  seed      %lld\n", displayText(s.device).c_str(),
              static_cast<long long>(run.seed));
  if (s.parentRunId) std::printf("  parent    run %lld\n", static_cast<long long>(*s.parentRunId));
  for (const std::string& tag : s.tags)
    std::printf("  tag       %s\n", displayText(tag).c_str());
  if (!s.notes.empty()) std::printf("  notes     %s\n", displayText(s.notes).c_str());
  if (!run.errorText.empty()) std::printf("  error     %s\n", displayText(run.errorText).c_str());
  printEpochs(epochs, allAttempts || s.attempt > 1);
  for (const auto& [key, value] : run.finalMetrics)
    std::printf("%s: %s\n", displayText(key).c_str(), fixed(value).c_str());
  if (!run.artifacts.empty()) std::printf("\nFiles\n");
  for (const storage::ArtifactRecord& artifact : run.artifacts) {
    std::printf("  %-16s %s (%lld bytes)\n", displayText(artifact.kind).c_str(),
                displayText(artifact.path).c_str(), static_cast<long long>(artifact.bytes));
  }
  std::printf("\nParameters\n");
  for (const storage::Param& param : run.params) {
    std::printf("  %s = %s\n", displayText(param.key).c_str(),
                displayText(param.value.toString()).c_str());
  }
}

// The rows of `runs compare` below the parameters: final metrics, best epochs, epoch counts.
std::vector<std::pair<std::string, std::vector<std::string>>> metricRows(
    const std::vector<storage::RunDetail>& runs) {
  std::set<std::string> finalKeys;
  for (const auto& run : runs) {
    for (const auto& [key, value] : run.finalMetrics)
      finalKeys.insert(key);
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  for (const std::string& key : finalKeys) {
    std::vector<std::string> values;
    for (const auto& run : runs) {
      const auto found = run.finalMetrics.find(key);
      values.push_back(found == run.finalMetrics.end() ? "-" : fixed(found->second));
    }
    rows.emplace_back(key, values);
  }
  std::vector<std::string> bestAccuracy, bestLoss, epochs;
  for (const auto& run : runs) {
    bestAccuracy.push_back(fixed(run.summary.bestValAccuracy));
    bestLoss.push_back(fixed(run.summary.bestValLoss));
    epochs.push_back(std::to_string(run.summary.epochsDone));
  }
  rows.emplace_back("best val_accuracy", bestAccuracy);
  rows.emplace_back("best val_loss", bestLoss);
  rows.emplace_back("epochs", epochs);
  return rows;
}

void printCompareRow(const std::string& label, const std::vector<std::string>& values,
                     size_t labelWidth) {
  std::string line = cell(label, labelWidth);
  for (const std::string& value : values)
    line += "  " + cell(value, 16);
  while (!line.empty() && line.back() == ' ')
    line.pop_back();
  std::printf("%s\n", line.c_str());
}

void printComparison(const std::vector<storage::RunDetail>& runs,
                     const std::vector<storage::ParamDiffRow>& diff, bool allParams) {
  size_t labelWidth = 20;
  for (const auto& row : diff)
    labelWidth = std::max(labelWidth, std::min<size_t>(row.key.size(), 40));
  std::vector<std::string> header, names, statuses;
  for (const auto& run : runs) {
    header.push_back("run " + std::to_string(run.summary.id));
    names.push_back(run.summary.name);
    statuses.push_back(std::string(storage::toString(run.summary.status)));
  }
  printCompareRow("", header, labelWidth);
  printCompareRow("name", names, labelWidth);
  printCompareRow("status", statuses, labelWidth);
  std::printf("\n%s\n", allParams ? "Parameters" : "Parameters that differ");
  if (diff.empty()) std::printf("  (none)\n");
  for (const auto& row : diff) {
    std::vector<std::string> values;
    for (const auto& value : row.values)
      values.push_back(value ? value->toString() : "(none)");
    printCompareRow(row.key, values, labelWidth);
  }
  std::printf("\nFinal metrics\n");
  for (const auto& [label, values] : metricRows(runs))
    printCompareRow(label, values, labelWidth);
}

json comparisonJson(const std::vector<storage::RunDetail>& runs,
                    const std::vector<storage::ParamDiffRow>& diff) {
  json out = {{"runs", json::array()}, {"params", json::array()}, {"final", json::object()}};
  for (const auto& run : runs)
    out["runs"].push_back(summaryJson(run.summary));
  for (const auto& row : diff) {
    json values = json::array();
    for (const auto& value : row.values)
      values.push_back(value ? paramJson(*value) : json(nullptr));
    out["params"].push_back({{"key", row.key}, {"values", values}});
  }
  for (const auto& run : runs) {
    for (const auto& [key, value] : run.finalMetrics)
      out["final"][key] = json::array();
  }
  for (auto& [key, values] : out["final"].items()) {
    for (const auto& run : runs) {
      const auto found = run.finalMetrics.find(key);
      values.push_back(found == run.finalMetrics.end() ? json(nullptr) : number(found->second));
    }
  }
  return out;
}

}  // namespace

int listRuns(const RunsOptions& options) {
  const storage::RunListRequest request = listRequest(options);
  const storage::RunQuery query(options.dbPath, storage::existingStoreOptions());
  const storage::RunPage page = query.listRuns(request);
  if (options.asJson) {
    json list = json::array();
    for (const auto& run : page.runs)
      list.push_back(summaryJson(run));
    printJson({{"runs", list}, {"total", page.total}, {"offset", request.offset}});
    return kExitOk;
  }
  if (page.total == 0) {
    const bool filtered = !request.filter.statuses.empty() || !request.filter.tags.empty() ||
                          !request.filter.text.empty() || !request.filter.params.empty();
    std::printf(filtered ? "No runs match in %s.\n" : "No runs in %s yet.\n",
                displayText(options.dbPath).c_str());
    return kExitOk;
  }
  printRunTable(page.runs);
  if (static_cast<int64_t>(page.runs.size()) < page.total) {
    std::printf("(%zu of %lld runs; see --limit and --offset)\n", page.runs.size(),
                static_cast<long long>(page.total));
  }
  return kExitOk;
}

int showRun(const RunsOptions& options) {
  const int64_t runId = options.runIds.at(0);
  const storage::RunQuery query(options.dbPath, storage::existingStoreOptions());
  const std::optional<storage::RunDetail> run = query.run(runId);
  if (!run) {
    printError("no run " + std::to_string(runId) + " in " + displayText(options.dbPath) +
               " (see layerlab-cli runs list)");
    return kExitBadInput;
  }
  const std::vector<storage::EpochMetrics> epochs = query.epochs(runId, options.allAttempts);
  if (options.asJson) {
    printJson(detailJson(*run, epochs, query.confusionMatrices(runId), options.allAttempts));
  } else {
    printDetail(*run, epochs, options.allAttempts);
  }
  return kExitOk;
}

int compareRuns(const RunsOptions& options) {
  if (options.runIds.size() < 2) throw std::invalid_argument("compare needs at least two run ids");
  const storage::RunQuery query(options.dbPath, storage::existingStoreOptions());
  std::vector<storage::RunDetail> runs;
  for (const int64_t runId : options.runIds) {
    std::optional<storage::RunDetail> run = query.run(runId);
    if (!run) {
      printError("no run " + std::to_string(runId) + " in " + displayText(options.dbPath) +
                 " (see layerlab-cli runs list)");
      return kExitBadInput;
    }
    runs.push_back(std::move(*run));
  }
  const std::vector<storage::ParamDiffRow> diff =
      query.paramDiff(options.runIds, options.allParams);
  if (options.asJson) {
    printJson(comparisonJson(runs, diff));
  } else {
    printComparison(runs, diff, options.allParams);
  }
  return kExitOk;
}

}  // namespace layerlab::cli
