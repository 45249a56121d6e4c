// runs tag | note | rename | delete | recover | vacuum | check: changing and caring for the store.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "app/cli/commands.h"
#include "app/cli/runs_cli.h"
#include "storage/run_query.h"
#include "storage/run_store.h"

namespace layerlab::cli {
namespace {

using nlohmann::json;

std::string megabytes(int64_t bytes) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buffer;
}

// Asks on the terminal; anything but y/yes is a no. Without a terminal there is nobody to ask.
bool confirmed(const std::string& question) {
  if (isatty(fileno(stdin)) == 0) return false;
  std::printf("%s [y/N] ", question.c_str());
  std::fflush(stdout);
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "y" || answer == "Y" || answer == "yes";
}

std::string describeRun(const storage::RunSummary& run, size_t files) {
  return "run " + std::to_string(run.id) + " '" + displayText(run.name) + "' (" +
         std::string(storage::toString(run.status)) + ", " + std::to_string(run.epochsDone) +
         " epoch(s), " + std::to_string(files) + " file(s))";
}

// These commands change a store that must already be there: a mistyped --db is an error, not a
// new empty store.
storage::StoreOptions existingStore() {
  storage::StoreOptions options;
  options.createIfMissing = false;
  return options;
}

// What a delete or vacuum did not follow or remove, said on stderr (the report stays on stdout).
void warnRefused(const std::vector<std::string>& refused) {
  // A warning, not an error: the delete or vacuum itself went through.
  for (const std::string& what : refused)
    std::fprintf(stderr, "layerlab-cli: warning: left alone %s\n", displayText(what).c_str());
}

}  // namespace

int tagRun(const RunsOptions& options) {
  storage::RunStore store(options.dbPath, existingStore());
  const int64_t runId = options.runIds.at(0);
  if (options.remove) {
    store.removeTags(runId, options.words);
  } else {
    store.addTags(runId, options.words);
  }
  return kExitOk;
}

int noteRun(const RunsOptions& options) {
  storage::RunStore(options.dbPath, existingStore())
      .setNotes(options.runIds.at(0), options.words.at(0));
  return kExitOk;
}

int renameRun(const RunsOptions& options) {
  storage::RunStore(options.dbPath, existingStore())
      .renameRun(options.runIds.at(0), options.words.at(0));
  return kExitOk;
}

int deleteRuns(const RunsOptions& options) {
  std::vector<std::pair<int64_t, std::string>> plan;
  {
    const storage::RunQuery query(options.dbPath, storage::existingStoreOptions());
    for (const int64_t runId : options.runIds) {
      const std::optional<storage::RunDetail> run = query.run(runId);
      if (!run) {
        printError("no run " + std::to_string(runId) + " in " + displayText(options.dbPath));
        return kExitBadInput;
      }
      plan.emplace_back(runId, describeRun(run->summary, run->artifacts.size()));
    }
  }
  if (!options.yes) {
    std::string question = "Delete";
    for (const auto& [runId, description] : plan)
      question += "\n  " + description;
    question += "\nwith their metrics and files?";
    if (!confirmed(question)) {
      printError("nothing deleted; add --yes to delete without being asked");
      return kExitBadInput;
    }
  }
  storage::RunStore store(options.dbPath, existingStore());
  json deleted = json::array();
  for (const auto& [runId, description] : plan) {
    const storage::DeleteReport report = store.deleteRun(runId);
    warnRefused(report.refused);
    deleted.push_back({{"id", runId},
                       {"files_removed", report.filesRemoved},
                       {"bytes_removed", report.bytesRemoved},
                       {"refused", report.refused},
                       {"metric_rows_deleted", report.metricRowsDeleted},
                       {"transactions", report.transactions},
                       {"longest_lock_ms", report.longestLockMs}});
    if (!options.asJson) std::printf("Deleted %s.\n", description.c_str());
  }
  if (options.asJson) printJson({{"deleted", deleted}});
  return kExitOk;
}

int recoverRuns(const RunsOptions& options) {
  storage::RunStore store(options.dbPath, existingStore());
  std::optional<double> stale;
  if (options.staleMinutes) stale = *options.staleMinutes * 60.0;
  // Opening the store already marked this host's orphans; a second look finds what is left.
  const std::vector<storage::RecoveredRun> recovered = store.recoverRuns(stale);
  const storage::RunQuery query(options.dbPath, storage::existingStoreOptions());
  storage::RunFilter interrupted;
  interrupted.statuses = {storage::RunStatus::Interrupted};
  const storage::RunPage page = query.listRuns({interrupted});
  if (options.asJson) {
    json list = json::array();
    for (const auto& run : recovered)
      list.push_back({{"id", run.runId}, {"name", run.name}, {"reason", run.reason}});
    json resumable = json::array();
    for (const auto& run : page.runs)
      resumable.push_back(run.id);
    printJson({{"recovered", list}, {"interrupted", resumable}});
    return kExitOk;
  }
  for (const auto& run : recovered) {
    std::printf("Run %lld '%s' is now interrupted: %s.\n", static_cast<long long>(run.runId),
                displayText(run.name).c_str(), displayText(run.reason).c_str());
  }
  if (page.runs.empty()) {
    std::printf("No interrupted runs.\n");
    return kExitOk;
  }
  std::printf("Interrupted runs (continue one with layerlab-cli train --resume ID):\n");
  for (const auto& run : page.runs) {
    std::printf("  %lld  %s  %d epoch(s)\n", static_cast<long long>(run.id),
                displayText(run.name).c_str(), run.epochsDone);
  }
  return kExitOk;
}

int vacuumStore(const RunsOptions& options) {
  storage::RunStore store(options.dbPath, existingStore());
  const storage::VacuumReport report = store.vacuum();
  warnRefused(report.refused);
  if (options.asJson) {
    printJson({{"bytes_before", report.bytesBefore},
               {"bytes_after", report.bytesAfter},
               {"folders_removed", report.foldersRemoved},
               {"files_removed", report.filesRemoved},
               {"refused", report.refused}});
    return kExitOk;
  }
  std::printf("Vacuumed %s: %s -> %s; removed %lld folder(s) and %lld file(s) no run needed.\n",
              displayText(options.dbPath).c_str(), megabytes(report.bytesBefore).c_str(),
              megabytes(report.bytesAfter).c_str(), static_cast<long long>(report.foldersRemoved),
              static_cast<long long>(report.filesRemoved));
  return kExitOk;
}

int checkStore(const RunsOptions& options) {
  storage::RunStore store(options.dbPath, existingStore());
  const std::vector<std::string> problems = store.checkIntegrity(!options.quick);
  if (options.asJson) {
    printJson({{"ok", problems.empty()}, {"problems", problems}});
  } else if (problems.empty()) {
    std::printf("%s: ok\n", displayText(options.dbPath).c_str());
  } else {
    for (const std::string& problem : problems)
      std::printf("%s\n", displayText(problem).c_str());
  }
  return problems.empty() ? kExitOk : kExitFailed;
}

}  // namespace layerlab::cli
