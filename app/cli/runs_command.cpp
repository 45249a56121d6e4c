// `layerlab-cli runs`: the subcommands and their flags. The work is in runs_inspect.cpp,
// runs_edit.cpp and runs_export.cpp.
#include <functional>
#include <memory>
#include <string>

#include "app/cli/commands.h"
#include "app/cli/runs_cli.h"
#include "storage/run_filter.h"

namespace layerlab::cli {
namespace {

std::string whereHelp() {
  std::string help =
      "A parameter condition such as lr<0.01 or optimizer=adam (repeatable; = != < <= > >= ~). "
      "Keys: config.*, dataset.*, model.name, run.device, or a short name:";
  for (const auto& [alias, key] : storage::paramAliases())
    help += " " + std::string(alias);
  return help;
}

std::string sortHelp() {
  std::string help = "Sort by one of:";
  for (const std::string& key : storage::runSortKeys())
    help += " " + key;
  return help + ", best:<split>_<metric>, final:<split>_<metric>, param:<key>";
}

// The callback of a command about one run: its id joins the list the actions read.
std::function<void()> onOneRun(const std::shared_ptr<RunsOptions>& o, int& exitCode,
                               int (*action)(const RunsOptions&)) {
  return [o, &exitCode, action] {
    o->runIds = {o->runId};
    exitCode = guarded(action, *o);
  };
}

// Adds a subcommand that shares `options`, with --db and (when asked) --json.
CLI::App* subcommand(CLI::App& runs, const char* name, const char* help, RunsOptions& options,
                     bool json) {
  CLI::App* command = runs.add_subcommand(name, help);
  addStoreOption(*command, options.dbPath);
  if (json) command->add_flag("--json", options.asJson, "Print JSON");
  return command;
}

void addInspectCommands(CLI::App& runs, const std::shared_ptr<RunsOptions>& o, int& exitCode) {
  CLI::App* list = subcommand(runs, "list", "List the runs, newest first", *o, true);
  list->add_option("--status", o->statuses, "Only runs in this status (repeatable)");
  list->add_option("--tag", o->tags, "Only runs with this tag (repeatable: all must match)");
  list->add_option("--search", o->search, "Text in the name, notes or tags (literal)");
  list->add_option("--where", o->conditions, whereHelp());
  list->add_option("--sort", o->sortBy, sortHelp())->capture_default_str();
  list->add_flag("--asc", o->ascending, "Sort ascending (default: descending)");
  list->add_option("--limit", o->limit, "Show at most N runs")->check(CLI::NonNegativeNumber);
  list->add_option("--offset", o->offset, "Skip the first N runs")->check(CLI::NonNegativeNumber);
  list->callback([o, &exitCode] { exitCode = guarded(listRuns, *o); });

  CLI::App* show = subcommand(runs, "show", "Show one run with its epochs", *o, true);
  show->add_option("id", o->runId, "The run's id")->required();
  show->add_flag("--all-attempts", o->allAttempts, "Also show epochs that a resume superseded");
  show->callback(onOneRun(o, exitCode, showRun));

  CLI::App* compare = subcommand(
      runs, "compare", "Differing parameters and final metrics of runs, side by side", *o, true);
  compare->add_option("ids", o->runIds, "Two or more run ids")->required();
  compare->add_flag("--all", o->allParams, "Show every parameter, not only those that differ");
  compare->callback([o, &exitCode] { exitCode = guarded(compareRuns, *o); });

  CLI::App* csv = subcommand(runs, "export-csv", "Write runs' metrics as CSV", *o, false);
  csv->add_option("ids", o->runIds, "The runs to export")->required();
  csv->add_option("--output,-o", o->output, "The CSV file (default: standard output)");
  csv->add_option("--kind", o->kind, "batch, epoch, final or all")->capture_default_str();
  csv->add_flag("--all-attempts", o->allAttempts, "Include values a resume superseded");
  csv->callback([o, &exitCode] { exitCode = guarded(exportCsv, *o); });
}

void addEditCommands(CLI::App& runs, const std::shared_ptr<RunsOptions>& o, int& exitCode) {
  CLI::App* tag = subcommand(runs, "tag", "Add tags to a run (or remove them)", *o, false);
  tag->add_option("id", o->runId, "The run's id")->required();
  tag->add_option("tags", o->words, "Tags")->required();
  tag->add_flag("--remove", o->remove, "Remove the tags instead");
  tag->callback(onOneRun(o, exitCode, tagRun));

  CLI::App* note = subcommand(runs, "note", "Set a run's notes (\"\" clears them)", *o, false);
  note->add_option("id", o->runId, "The run's id")->required();
  note->add_option("text", o->words, "The notes")->required()->expected(1);
  note->callback(onOneRun(o, exitCode, noteRun));

  CLI::App* rename = subcommand(runs, "rename", "Rename a run", *o, false);
  rename->add_option("id", o->runId, "The run's id")->required();
  rename->add_option("name", o->words, "The new name")->required()->expected(1);
  rename->callback(onOneRun(o, exitCode, renameRun));

  CLI::App* remove =
      subcommand(runs, "delete", "Delete runs with their metrics and files", *o, true);
  remove->add_option("ids", o->runIds, "The runs to delete")->required();
  remove->add_flag("--yes,-y", o->yes, "Do not ask");
  remove->callback([o, &exitCode] { exitCode = guarded(deleteRuns, *o); });
}

void addCareCommands(CLI::App& runs, const std::shared_ptr<RunsOptions>& o, int& exitCode) {
  CLI::App* recover = subcommand(
      runs, "recover", "Mark runs whose process is gone as interrupted; list the resumable ones",
      *o, true);
  recover
      ->add_option("--stale-minutes", o->staleMinutes,
                   "Also runs of other hosts without a heartbeat for this long")
      ->check(CLI::PositiveNumber);
  recover->callback([o, &exitCode] { exitCode = guarded(recoverRuns, *o); });

  CLI::App* vacuum = subcommand(
      runs, "vacuum", "Reclaim the space of deleted runs and remove files no run needs", *o, true);
  vacuum->callback([o, &exitCode] { exitCode = guarded(vacuumStore, *o); });

  CLI::App* check = subcommand(runs, "check", "Check the store file for damage", *o, true);
  check->add_flag("--quick", o->quick, "SQLite's quick_check instead of the full check");
  check->callback([o, &exitCode] { exitCode = guarded(checkStore, *o); });
}

}  // namespace

void addRunsCommand(CLI::App& app, int& exitCode) {
  auto options = std::make_shared<RunsOptions>();
  CLI::App* runs = app.add_subcommand("runs", "List, inspect, compare and manage stored runs");
  runs->require_subcommand(1);
  addInspectCommands(*runs, options, exitCode);
  addEditCommands(*runs, options, exitCode);
  addCareCommands(*runs, options, exitCode);
}

}  // namespace layerlab::cli
