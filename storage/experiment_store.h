// Experiments and their trials in the store: the queue that `layerlab-cli experiment run` works
// through and the GUI's Experiments place watches.
//
// An experiment keeps its definition as one JSON document (spec_json: base documents, search
// space, strategy, budget, objective, early stopping; the engine reads and writes it). A trial is
// a point of the search space; once a process claims it, that process creates the trial's run —
// a normal run, linked to the trial in the same transaction — and ends the trial with its status
// and objective. Claims name their process like runs do, so a trial whose process died is found
// and taken over, never run twice side by side.
//
// Threads: like RunStore, one connection used from one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/run_types.h"

namespace layerlab::storage {

class Database;

enum class ExperimentStatus { Queued, Running, Paused, Completed, Cancelled };
enum class TrialStatus { Queued, Running, Completed, Failed, StoppedEarly, Cancelled };

std::string_view toString(ExperimentStatus status);
std::string_view toString(TrialStatus status);
std::optional<ExperimentStatus> parseExperimentStatus(std::string_view text);
std::optional<TrialStatus> parseTrialStatus(std::string_view text);

// True once a trial has ended (completed, failed, stopped early, cancelled).
bool isFinished(TrialStatus status);

struct ExperimentRow {
  int64_t id = 0;
  std::string name;
  ExperimentStatus status = ExperimentStatus::Queued;
  int64_t priority = 0;
  double createdAt = 0.0;
  std::optional<double> finishedAt;
  std::string specJson;
};

struct TrialRow {
  int64_t experimentId = 0;
  int number = 0;  // 1, 2, … within the experiment
  std::string paramsJson;
  TrialStatus status = TrialStatus::Queued;
  std::optional<int64_t> runId;
  std::optional<double> objective;
  double createdAt = 0.0;
  std::optional<double> startedAt;
  std::optional<double> finishedAt;
  std::optional<int64_t> ownerPid;  // while running
  std::string errorText;
};

// Who holds a running trial, as far as this machine can tell.
enum class TrialOwner { None, Alive, Gone, Unknown };

// One trial's per-epoch values of a metric, from its run's stored epochs (latest attempt).
struct TrialCurve {
  int number = 0;
  TrialStatus status = TrialStatus::Queued;
  std::vector<double> values;  // values[e - 1] after epoch e; NaN where none was stored
};

class ExperimentStore {
 public:
  // Opens (creating if options allow) the store, as RunStore does. Throws StoreError.
  explicit ExperimentStore(const std::string& path, const StoreOptions& options = {});
  ~ExperimentStore();
  ExperimentStore(const ExperimentStore&) = delete;
  ExperimentStore& operator=(const ExperimentStore&) = delete;

  // A new experiment in status queued. `specJson` must be a JSON object (std::invalid_argument).
  int64_t createExperiment(const std::string& name, const std::string& specJson,
                           int64_t priority = 0);
  std::optional<ExperimentRow> experiment(int64_t id);
  // Every experiment, newest first.
  std::vector<ExperimentRow> experiments();

  // Status changes. Throws StoreError (NotFound) for an unknown experiment. Completed and
  // cancelled record when the experiment finished.
  void setStatus(int64_t id, ExperimentStatus status);
  void setPriority(int64_t id, int64_t priority);
  void rename(int64_t id, const std::string& name);
  // Replaces the definition (adding trials raises its budget). A JSON object, as for create.
  void updateSpec(int64_t id, const std::string& specJson);

  // Adds a queued trial with the next number, unless the experiment already holds `maxTrials`
  // trials (then nothing is added and nullopt comes back), in one transaction, so two processes
  // adding at once never exceed the budget.
  std::optional<int> addTrial(int64_t experimentId, const std::string& paramsJson, int maxTrials);
  std::vector<TrialRow> trials(int64_t experimentId);
  std::optional<TrialRow> trial(int64_t experimentId, int number);

  // Claims the trial for this process: a queued trial, or a running one whose owner on this host
  // is gone. Returns false when another live process holds it or it has ended.
  bool claimTrial(int64_t experimentId, int number);
  // Whether the process that claimed a running trial still lives.
  TrialOwner ownerOf(const TrialRow& trial);

  // Ends a trial this process holds. `objective` is the experiment's objective from its run.
  void finishTrial(int64_t experimentId, int number, TrialStatus status,
                   std::optional<double> objective, const std::string& errorText = {});
  // Puts a trial this process holds back in the queue; whoever takes it next continues its run
  // (if it has one) from the last checkpoint.
  void releaseTrial(int64_t experimentId, int number);
  // Cancels every queued trial of the experiment; returns how many.
  int cancelQueuedTrials(int64_t experimentId);

  // Per trial, the epoch values of `name` on `split` ("val", "train") from its run.
  std::vector<TrialCurve> curves(int64_t experimentId, const std::string& split,
                                 const std::string& name);

  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
  std::unique_ptr<Database> m_db;
};

}  // namespace layerlab::storage
