// `layerlab-cli experiment status|best|list|pause|resume|cancel|add|priority`, and the parser of
// every `experiment` subcommand.
#include <cstdio>
#include <memory>

#include "app/cli/commands.h"
#include "app/cli/experiment_cli.h"
#include "app/cli/job_errors.h"
#include "app/core/experiment_trial.h"
#include "app/core/training_job.h"
#include "engine/model/json_document.h"
#include "storage/experiment_store.h"

namespace layerlab::cli {
namespace {

using nlohmann::json;

json objectiveJson(const std::optional<double>& value) {
  return value ? json(*value) : json(nullptr);
}

json paramsOf(const storage::TrialRow& trial) {
  const engine::JsonParseOutcome parsed = engine::parseJsonBounded(trial.paramsJson);
  return parsed.ok() ? parsed.value : json::object();
}

struct Loaded {
  storage::ExperimentRow row;
  engine::ExperimentSpec spec;
  std::vector<storage::TrialRow> trials;
};

Loaded load(storage::ExperimentStore& store, int64_t id) {
  std::optional<storage::ExperimentRow> row = store.experiment(id);
  if (!row) throw app::JobInputError("there is no experiment " + std::to_string(id));
  engine::ExperimentSpec spec = app::experimentSpecOf(*row);
  return {std::move(*row), std::move(spec), store.trials(id)};
}

// The trial with the best objective (ties: the earliest), among those that have one.
const storage::TrialRow* best(const Loaded& loaded) {
  const storage::TrialRow* found = nullptr;
  const bool higher = loaded.spec.objective.direction == engine::Direction::Maximize;
  for (const storage::TrialRow& trial : loaded.trials) {
    if (!trial.objective) continue;
    if (found == nullptr ||
        (higher ? *trial.objective > *found->objective : *trial.objective < *found->objective))
      found = &trial;
  }
  return found;
}

json trialJson(const storage::TrialRow& trial) {
  return {{"number", trial.number},
          {"run_id", trial.runId ? json(*trial.runId) : json(nullptr)},
          {"status", storage::toString(trial.status)},
          {"params", paramsOf(trial)},
          {"objective", objectiveJson(trial.objective)},
          {"error", trial.errorText}};
}

json bestJson(const Loaded& loaded, const storage::TrialRow& trial) {
  return {{"number", trial.number},
          {"run_id", trial.runId ? json(*trial.runId) : json(nullptr)},
          {"params", paramsOf(trial)},
          {"objective", objectiveJson(trial.objective)},
          {"objective_name", loaded.spec.objective.metric}};
}

json importanceJson(const Loaded& loaded) {
  std::vector<engine::TrialResult> results;
  for (const storage::TrialRow& trial : loaded.trials)
    if (trial.objective) results.push_back({paramsOf(trial), trial.objective});
  json shares = json::array();
  for (const auto& [key, share] : engine::parameterImportance(loaded.spec.space, results))
    shares.push_back({{"param", key}, {"share", share}});
  return shares;
}

void printStatusText(const Loaded& loaded) {
  const storage::ExperimentRow& row = loaded.row;
  std::printf("Experiment %lld · %s · %s · %s search · %zu of %d trial(s) · objective %s\n",
              static_cast<long long>(row.id), displayText(row.name).c_str(),
              std::string(storage::toString(row.status)).c_str(), loaded.spec.strategy.c_str(),
              loaded.trials.size(), engine::trialBudget(loaded.spec),
              loaded.spec.objective.metric.c_str());
  std::printf("%6s  %-13s  %9s  %6s  %s\n", "trial", "status", "objective", "run", "parameters");
  for (const storage::TrialRow& trial : loaded.trials) {
    std::string params;
    for (const auto& [key, value] : paramsOf(trial).items())
      params += (params.empty() ? "" : "  ") + key + "=" + value.dump();
    std::printf("%6d  %-13s  %9s  %6s  %s\n", trial.number,
                std::string(storage::toString(trial.status)).c_str(),
                formatObjective(trial.objective).c_str(),
                trial.runId ? std::to_string(*trial.runId).c_str() : "-",
                displayText(params).c_str());
    if (!trial.errorText.empty())
      std::printf("%6s  %s\n", "", displayText(trial.errorText).c_str());
  }
  if (const storage::TrialRow* top = best(loaded)) {
    std::printf("Best: trial %d (%s %s)\n", top->number, loaded.spec.objective.metric.c_str(),
                formatObjective(top->objective).c_str());
  }
  const json importance = importanceJson(loaded);
  if (!importance.empty() && importance.front()["share"].get<double>() > 0.0) {
    std::printf("Which settings mattered (%s):\n", engine::kImportanceMethod);
    for (const json& entry : importance) {
      std::printf("  %-24s %5.1f%%\n", displayText(entry["param"].get<std::string>()).c_str(),
                  100.0 * entry["share"].get<double>());
    }
  }
}

void setStatus(const ExperimentFlags& flags, storage::ExperimentStatus status) {
  storage::ExperimentStore store(flags.train.dbPath, storage::existingStoreOptions());
  load(store, flags.id);
  store.setStatus(flags.id, status);
}

}  // namespace

std::string formatObjective(const std::optional<double>& value) {
  if (!value) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", *value);
  return text;
}

int experimentStatus(const ExperimentFlags& flags) {
  storage::ExperimentStore store(flags.train.dbPath, storage::existingStoreOptions());
  const Loaded loaded = load(store, flags.id);
  if (!flags.asJson) {
    printStatusText(loaded);
    return kExitOk;
  }
  json trials = json::array();
  for (const storage::TrialRow& trial : loaded.trials)
    trials.push_back(trialJson(trial));
  const storage::TrialRow* top = best(loaded);
  std::printf("%s\n", oneLineJson({{"id", loaded.row.id},
                                   {"name", loaded.row.name},
                                   {"status", storage::toString(loaded.row.status)},
                                   {"strategy", loaded.spec.strategy},
                                   {"budget", engine::trialBudget(loaded.spec)},
                                   {"objective_name", loaded.spec.objective.metric},
                                   {"trials", trials},
                                   {"best", top ? bestJson(loaded, *top) : json(nullptr)},
                                   {"importance", importanceJson(loaded)},
                                   {"importance_method", engine::kImportanceMethod}})
                          .c_str());
  return kExitOk;
}

int bestTrial(const ExperimentFlags& flags) {
  storage::ExperimentStore store(flags.train.dbPath, storage::existingStoreOptions());
  const Loaded loaded = load(store, flags.id);
  const storage::TrialRow* top = best(loaded);
  if (top == nullptr) {
    printError("experiment " + std::to_string(flags.id) + " has no trial with a " +
               loaded.spec.objective.metric + " yet");
    return kExitFailed;
  }
  if (flags.asJson) {
    std::printf("%s\n", oneLineJson(bestJson(loaded, *top)).c_str());
    return kExitOk;
  }
  std::printf("Trial %d · run %s · %s %s\n", top->number,
              top->runId ? std::to_string(*top->runId).c_str() : "-",
              loaded.spec.objective.metric.c_str(), formatObjective(top->objective).c_str());
  for (const auto& [key, value] : paramsOf(*top).items())
    std::printf("  %s = %s\n", displayText(key).c_str(), displayText(value.dump()).c_str());
  return kExitOk;
}

int listExperiments(const ExperimentFlags& flags) {
  storage::ExperimentStore store(flags.train.dbPath, storage::existingStoreOptions());
  json list = json::array();
  if (!flags.asJson) std::printf("%4s  %-10s  %6s  %-24s\n", "id", "status", "trials", "name");
  for (const storage::ExperimentRow& row : store.experiments()) {
    const size_t trials = store.trials(row.id).size();
    if (flags.asJson) {
      list.push_back({{"id", row.id},
                      {"name", row.name},
                      {"status", storage::toString(row.status)},
                      {"priority", row.priority},
                      {"trials", trials}});
    } else {
      std::printf("%4lld  %-10s  %6zu  %s\n", static_cast<long long>(row.id),
                  std::string(storage::toString(row.status)).c_str(), trials,
                  displayText(row.name).c_str());
    }
  }
  if (flags.asJson) std::printf("%s\n", oneLineJson(list).c_str());
  return kExitOk;
}

int pauseExperiment(const ExperimentFlags& flags) {
  setStatus(flags, storage::ExperimentStatus::Paused);
  return kExitOk;
}

int resumeExperiment(const ExperimentFlags& flags) {
  setStatus(flags, storage::ExperimentStatus::Running);
  return kExitOk;
}

int cancelExperiment(const ExperimentFlags& flags) {
  storage::ExperimentStore store(flags.train.dbPath, storage::existingStoreOptions());
  load(store, flags.id);
  store.setStatus(flags.id, storage::ExperimentStatus::Cancelled);
  const int cancelled = store.cancelQueuedTrials(flags.id);
  std::printf("Experiment %lld cancelled; %d queued trial(s) will not run.\n",
              static_cast<long long>(flags.id), cancelled);
  return kExitOk;
}

int addTrials(const ExperimentFlags& flags) {
  storage::ExperimentStore store(flags.train.dbPath, storage::existingStoreOptions());
  Loaded loaded = load(store, flags.id);
  const int more = flags.trials.value_or(1);
  loaded.spec.trials = std::min(engine::kMaxTrials, loaded.spec.trials + more);
  store.updateSpec(flags.id, engine::toJson(loaded.spec).dump());
  if (loaded.row.status == storage::ExperimentStatus::Completed)
    store.setStatus(flags.id, storage::ExperimentStatus::Queued);
  std::printf("Experiment %lld now runs %d trial(s).\n", static_cast<long long>(flags.id),
              engine::trialBudget(loaded.spec));
  return kExitOk;
}

int prioritiseExperiment(const ExperimentFlags& flags) {
  storage::ExperimentStore store(flags.train.dbPath, storage::existingStoreOptions());
  load(store, flags.id);
  store.setPriority(flags.id, flags.priority);
  return kExitOk;
}

namespace {

CLI::App* idCommand(CLI::App& parent, const char* name, const char* help,
                    const std::shared_ptr<ExperimentFlags>& flags, int& exitCode,
                    int (*action)(const ExperimentFlags&)) {
  CLI::App* command = parent.add_subcommand(name, help);
  addStoreOption(*command, flags->train.dbPath);
  command->add_option("id", flags->id, "The experiment's id")->required();
  command->callback(
      [flags, &exitCode, action] { exitCode = exitCodeOf([&] { return action(*flags); }); });
  return command;
}

void addCreateCommand(CLI::App& parent, const std::shared_ptr<ExperimentFlags>& f, int& exitCode) {
  CLI::App* create = parent.add_subcommand(
      "create", "Create an experiment: a base run (every train flag) and a search space");
  addTrainFlags(*create, f->train);
  create->add_option("--spec", f->specPath, "A layerlab.experiment JSON document");
  create->add_option("--param", f->params,
                     "A searched setting (repeatable): lr=log:1e-4..1e-1, fc1.units=32,64,128, "
                     "drop.rate=0.1..0.5, epochs=int:2..8");
  create->add_option("--strategy", f->strategy, "grid, random or tpe (default random)")
      ->check(CLI::IsMember({"grid", "random", "tpe"}));
  create->add_option("--trials", f->trials, "How many trials (default 10; a grid: all its points)")
      ->check(CLI::Range(1, engine::kMaxTrials));
  create->add_option("--parallel", f->parallel, "Trials side by side (default 1)")
      ->check(CLI::Range(1, engine::kMaxParallel));
  create->add_option("--early-stop", f->earlyStop, "none, asha or median (default none)")
      ->check(CLI::IsMember({"none", "asha", "median"}));
  create->add_option("--objective", f->objective,
                     "The epoch metric to optimise (default val_accuracy)");
  create->add_flag("--minimize", f->minimize, "Lower objective is better");
  create->add_flag("--maximize", f->maximize, "Higher objective is better");
  create->add_flag("--json", f->asJson, "Print JSON");
  create->callback([f, &exitCode] { exitCode = exitCodeOf([&] { return createExperiment(*f); }); });
}

}  // namespace

void addExperimentCommand(CLI::App& app, int& exitCode) {
  auto f = std::make_shared<ExperimentFlags>();
  CLI::App* experiment = app.add_subcommand(
      "experiment", "Hyperparameter experiments: create, run side by side, follow, find the best");
  experiment->require_subcommand(1);
  addCreateCommand(*experiment, f, exitCode);
  CLI::App* run = idCommand(*experiment, "run", "Run the experiment's trials until it is done", f,
                            exitCode, runQueue);
  run->add_option("--parallel", f->parallel, "Trials side by side (default: the experiment's)")
      ->check(CLI::Range(1, engine::kMaxParallel));
  CLI::App* trial = idCommand(*experiment, "trial", "Train one trial (the queue runs this)", f,
                              exitCode, runTrial);
  trial->add_option("number", f->number, "The trial's number")->required();
  trial->add_option("--threads", f->threads, "CPU threads")->check(CLI::NonNegativeNumber);
  trial->group("");  // for the queue, not listed in --help
  idCommand(*experiment, "status", "The experiment's trials and what mattered", f, exitCode,
            experimentStatus)
      ->add_flag("--json", f->asJson, "Print JSON");
  idCommand(*experiment, "best", "The best trial so far", f, exitCode, bestTrial)
      ->add_flag("--json", f->asJson, "Print JSON");
  CLI::App* list = experiment->add_subcommand("list", "List the experiments, newest first");
  addStoreOption(*list, f->train.dbPath);
  list->add_flag("--json", f->asJson, "Print JSON");
  list->callback([f, &exitCode] { exitCode = exitCodeOf([&] { return listExperiments(*f); }); });
  idCommand(*experiment, "pause", "Start no new trial and pause the running ones", f, exitCode,
            pauseExperiment);
  idCommand(*experiment, "resume", "Carry on a paused experiment", f, exitCode, resumeExperiment);
  idCommand(*experiment, "cancel", "Stop the experiment; queued trials will not run", f, exitCode,
            cancelExperiment);
  idCommand(*experiment, "add", "Add trials to the experiment's budget", f, exitCode, addTrials)
      ->add_option("--trials", f->trials, "How many more (default 1)")
      ->check(CLI::Range(1, engine::kMaxTrials));
  idCommand(*experiment, "priority", "Set the experiment's priority (higher runs first)", f,
            exitCode, prioritiseExperiment)
      ->add_option("priority", f->priority, "The priority")
      ->required();
}

}  // namespace layerlab::cli
