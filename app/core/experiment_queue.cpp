#include "app/core/experiment_queue.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <map>
#include <stdexcept>
#include <thread>
#include <vector>

#include "app/core/experiment_trial.h"
#include "engine/model/json_document.h"
#include "storage/experiment_store.h"

extern char** environ;

namespace layerlab::app {

namespace {

using storage::ExperimentStatus;
using storage::TrialStatus;

// How often the queue looks at its children and the store.
constexpr auto kPollInterval = std::chrono::milliseconds(200);

// The children of this queue: pid → trial number.
using Children = std::map<pid_t, int>;

pid_t spawnTrial(const QueueOptions& options, int number, int threads) {
  const std::vector<std::string> args = {
      options.executable,     "experiment", "trial",           std::to_string(options.experimentId),
      std::to_string(number), "--db",       options.storePath, "--threads",
      std::to_string(threads)};
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (const std::string& arg : args)
    argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  // Its own process group: a Ctrl-C at the terminal reaches the queue, which stops its trials in
  // order, and never a trial half-way through writing.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  pid_t pid = 0;
  const int error =
      posix_spawn(&pid, options.executable.c_str(), &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) {
    throw std::runtime_error("cannot start " + options.executable + ": " + std::strerror(error));
  }
  return pid;
}

std::string describeParams(const std::string& paramsJson) {
  const engine::JsonParseOutcome parsed = engine::parseJsonBounded(paramsJson);
  if (!parsed.ok() || !parsed.value.is_object()) return {};
  std::string text;
  for (const auto& [key, value] : parsed.value.items())
    text += (text.empty() ? "" : ", ") + key + "=" + value.dump();
  return text;
}

std::string describeEnd(const storage::TrialRow& trial, const std::string& objectiveName) {
  std::string text =
      "trial " + std::to_string(trial.number) + " " + std::string(storage::toString(trial.status));
  if (trial.objective) {
    char value[32];
    std::snprintf(value, sizeof value, "%.4f", *trial.objective);
    text += " · " + objectiveName + " " + value;
  }
  if (trial.runId) text += " · run " + std::to_string(*trial.runId);
  if (!trial.errorText.empty()) text += " · " + trial.errorText;
  return text;
}

// Collects the children that ended. A child that ended without ending its trial (a crash, a
// kill) fails the trial with the reason, so the others go on and it is not retried for ever.
void reap(Children& children, storage::ExperimentStore& store, const QueueOptions& options,
          const std::string& objectiveName, bool stopping) {
  for (auto it = children.begin(); it != children.end();) {
    int status = 0;
    if (waitpid(it->first, &status, WNOHANG) != it->first) {
      ++it;
      continue;
    }
    const int number = it->second;
    it = children.erase(it);
    std::optional<storage::TrialRow> trial = store.trial(options.experimentId, number);
    if (!trial) continue;
    if (trial->status == TrialStatus::Running && !(stopping && WIFSIGNALED(status))) {
      const std::string why =
          WIFSIGNALED(status)
              ? "its process ended with signal " + std::to_string(WTERMSIG(status)) + " (" +
                    strsignal(WTERMSIG(status)) + ")"
              : "its process exited with code " + std::to_string(WEXITSTATUS(status)) +
                    " without ending the trial";
      store.finishTrial(options.experimentId, number, TrialStatus::Failed, std::nullopt, why);
      trial = store.trial(options.experimentId, number);
    }
    if (options.onEvent && trial) options.onEvent(describeEnd(*trial, objectiveName));
  }
}

bool heldByOurs(const Children& children, int number) {
  return std::ranges::any_of(children,
                             [number](const auto& child) { return child.second == number; });
}

std::vector<engine::TrialResult> finishedResults(const std::vector<storage::TrialRow>& trials) {
  std::vector<engine::TrialResult> results;
  for (const storage::TrialRow& trial : trials) {
    if (!storage::isFinished(trial.status)) continue;
    const engine::JsonParseOutcome params = engine::parseJsonBounded(trial.paramsJson);
    if (!params.ok()) continue;
    results.push_back({params.value, trial.objective});
  }
  return results;
}

struct Launcher {
  const QueueOptions& options;
  storage::ExperimentStore& store;
  Children& children;
  int parallel;
  int threads;

  void start(int number, const std::string& paramsJson) {
    children.emplace(spawnTrial(options, number, threads), number);
    if (options.onEvent) {
      options.onEvent("trial " + std::to_string(number) + " started · " +
                      describeParams(paramsJson));
    }
  }

  // Starts trials until `parallel` run: queued ones, those whose process died, then new ones.
  void fill(const engine::ExperimentSpec& spec, std::vector<storage::TrialRow> trials) {
    int busy = static_cast<int>(children.size());
    for (const storage::TrialRow& trial : trials) {
      if (trial.status != TrialStatus::Running || heldByOurs(children, trial.number)) continue;
      if (store.ownerOf(trial) != storage::TrialOwner::Gone) ++busy;  // another queue's child
    }
    for (const storage::TrialRow& trial : trials) {
      if (busy >= parallel) return;
      if (heldByOurs(children, trial.number)) continue;
      const bool orphan =
          trial.status == TrialStatus::Running && store.ownerOf(trial) == storage::TrialOwner::Gone;
      if (trial.status != TrialStatus::Queued && !orphan) continue;
      start(trial.number, trial.paramsJson);
      ++busy;
    }
    const int budget = engine::trialBudget(spec);
    while (busy < parallel && static_cast<int>(trials.size()) < budget) {
      const int next = trials.empty() ? 1 : trials.back().number + 1;
      const nlohmann::json params = engine::paramsForTrial(spec, next, finishedResults(trials));
      const std::optional<int> number = store.addTrial(options.experimentId, params.dump(), budget);
      if (!number) return;
      start(*number, params.dump());
      ++busy;
      trials = store.trials(options.experimentId);
    }
  }
};

bool everyTrialEnded(const std::vector<storage::TrialRow>& trials, int budget) {
  return static_cast<int>(trials.size()) >= budget &&
         std::ranges::all_of(trials, [](const auto& t) { return storage::isFinished(t.status); });
}

QueueSummary summarise(const std::vector<storage::TrialRow>& trials, int budget) {
  QueueSummary summary;
  for (const storage::TrialRow& trial : trials) {
    switch (trial.status) {
      case TrialStatus::Completed:
        ++summary.completed;
        break;
      case TrialStatus::StoppedEarly:
        ++summary.stoppedEarly;
        break;
      case TrialStatus::Failed:
        ++summary.failed;
        break;
      case TrialStatus::Cancelled:
        ++summary.cancelled;
        break;
      case TrialStatus::Queued:
      case TrialStatus::Running:
        ++summary.queued;
        break;
    }
  }
  summary.finished = everyTrialEnded(trials, budget);
  return summary;
}

}  // namespace

QueueSummary runExperimentQueue(const QueueOptions& options) {
  storage::ExperimentStore store(options.storePath, storage::existingStoreOptions());
  std::optional<storage::ExperimentRow> row = store.experiment(options.experimentId);
  if (!row) {
    throw std::invalid_argument("there is no experiment " + std::to_string(options.experimentId));
  }
  engine::ExperimentSpec spec = experimentSpecOf(*row);
  const int parallel =
      std::clamp(options.parallel > 0 ? options.parallel : spec.parallel, 1, engine::kMaxParallel);
  const int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  const int threads =
      options.threadsPerTrial > 0 ? options.threadsPerTrial : std::max(1, cores / parallel);
  if (row->status == ExperimentStatus::Queued || row->status == ExperimentStatus::Completed)
    store.setStatus(options.experimentId, ExperimentStatus::Running);
  Children children;
  Launcher launcher{options, store, children, parallel, threads};
  bool signalled = false;
  while (true) {
    const bool stopping = options.stop != nullptr && options.stop->load();
    reap(children, store, options, spec.objective.metric, stopping);
    row = store.experiment(options.experimentId);
    if (!row) break;                // deleted under us
    spec = experimentSpecOf(*row);  // `experiment add` may have raised the budget
    const std::vector<storage::TrialRow> trials = store.trials(options.experimentId);
    if (stopping || row->status == ExperimentStatus::Cancelled) {
      if (row->status == ExperimentStatus::Cancelled)
        store.cancelQueuedTrials(options.experimentId);
      if (stopping && !signalled) {
        for (const auto& [pid, number] : children)
          kill(pid, SIGTERM);
        signalled = true;
      }
      if (children.empty()) break;
    } else if (row->status != ExperimentStatus::Paused) {
      launcher.fill(spec, trials);
    }
    if (children.empty() &&
        everyTrialEnded(store.trials(options.experimentId), engine::trialBudget(spec))) {
      if (row->status != ExperimentStatus::Cancelled)
        store.setStatus(options.experimentId, ExperimentStatus::Completed);
      break;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  return summarise(store.trials(options.experimentId), engine::trialBudget(spec));
}

}  // namespace layerlab::app
