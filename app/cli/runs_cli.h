// The `layerlab-cli runs …` subcommands, shared between their source files: the options each
// one takes, the functions that carry them out, and the output helpers they share.
//
// Exit codes as in commands.h: 0 done, 1 a store error (or a damaged store for `check`), 2 bad
// input (an unknown run, a bad filter, a refused deletion).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "storage/run_filter.h"
#include "storage/run_types.h"

namespace layerlab::cli {

struct RunsOptions {
  std::string dbPath;
  bool asJson = false;
  int64_t runId = 0;            // show, tag, note, rename (copied into runIds)
  std::vector<int64_t> runIds;  // compare, delete, export-csv
  // list
  std::vector<std::string> statuses;
  std::vector<std::string> tags;
  std::string search;
  std::vector<std::string> conditions;
  std::string sortBy = "created";
  bool ascending = false;
  int64_t limit = 0;
  int64_t offset = 0;
  // show, export-csv
  bool allAttempts = false;
  // compare
  bool allParams = false;
  // tag, note, rename
  std::vector<std::string> words;
  bool remove = false;
  // delete
  bool yes = false;
  // export-csv
  std::string output;
  std::string kind = "epoch";
  // recover
  std::optional<double> staleMinutes;
  // check
  bool quick = false;
};

int listRuns(const RunsOptions& options);
int showRun(const RunsOptions& options);
int compareRuns(const RunsOptions& options);
int tagRun(const RunsOptions& options);
int noteRun(const RunsOptions& options);
int renameRun(const RunsOptions& options);
int deleteRuns(const RunsOptions& options);
int exportCsv(const RunsOptions& options);
int recoverRuns(const RunsOptions& options);
int vacuumStore(const RunsOptions& options);
int checkStore(const RunsOptions& options);

// Runs a subcommand through exitCodeOf: unknown runs and bad filters are the user's input (2),
// other store errors 1.
int guarded(int (*action)(const RunsOptions&), const RunsOptions& options);

// Output helpers.
nlohmann::json isoTime(double unixSeconds);  // ISO 8601 UTC, or null when not set
std::string localTime(double unixSeconds);   // "2024-05-01 14:03", or "-"
nlohmann::json number(double value);         // JSON has no NaN: non-finite values become null
nlohmann::json optionalNumber(const std::optional<double>& value);
nlohmann::json paramJson(const storage::ParamValue& value);
nlohmann::json summaryJson(const storage::RunSummary& run);
// Prints `doc` indented, in ASCII like oneLineJson; text that is not UTF-8 is replaced rather
// than aborting the output.
void printJson(const nlohmann::json& doc);
std::string percent(const std::optional<double>& value);

}  // namespace layerlab::cli
