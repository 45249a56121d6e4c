// One training run from documents to a stored result, without Qt: the CLI runs it on its main
// thread and the GUI's TrainingSession on its worker thread.
//
// Order matters for the store: everything that can be refused (model, config, data, device) is
// checked before the run row is created, so a bad input never leaves a run behind. Once the run
// exists, every way out — completion, a stop request, an exception — ends it with a final status.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "engine/data/dataset_spec.h"
#include "engine/model/model_spec.h"
#include "engine/train/train_config.h"
#include "engine/train/train_control.h"
#include "engine/train/training_events.h"
#include "storage/run_types.h"

namespace layerlab::app {

// A problem with the job's inputs, found before anything was stored.
class JobInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TrainingJob {
  engine::ModelSpec model;
  engine::DatasetSpec dataset;
  engine::TrainConfig config;
  std::string runName;
  std::string storePath;
  // > 0: continue this stored run from its last checkpoint instead of starting a new one (see
  // jobToResume).
  int64_t resumeRunId = 0;
  // The experiment trial a new run trains (held by this process); linked as the run is created.
  std::optional<storage::NewRun::TrialLink> trial;
};

struct JobStarted {
  int64_t runId = 0;
  int resumedFromEpoch = 0;  // > 0 when continuing a run
  std::string device;
  std::string dataDescription;
  int64_t trainSamples = 0;
  int64_t parameterCount = 0;
};

struct JobOutcome {
  int64_t runId = 0;
  std::string status;  // "completed" | "cancelled" | "failed"
  int epochsDone = 0;
  bool stoppedEarly = false;
  int bestEpoch = 0;
  // On the test part, when the run completed: test_loss, test_accuracy, test_f1_macro, … for
  // classification; test_loss, test_mse, test_mae, test_r2 for regression.
  std::vector<std::pair<std::string, double>> finalMetrics;
  // Classification: the test part's confusion matrix as stored (row-major [true][predicted]),
  // so a front end shows it without reading the store again.
  std::vector<std::string> testClasses;
  std::vector<int64_t> testConfusion;
  std::string error;
};

struct JobCallbacks {
  std::function<void(const JobStarted&)> onStarted;
  engine::TrainCallbacks training;
};

// The job of a stored run, rebuilt from the documents kept with it, to continue it from its last
// checkpoint; change its config's epochs (or device, threads) before running it to go further.
// Throws JobInputError when the run does not
// exist, has no checkpoint to continue from, or cannot be continued (it completed, or it runs in
// a live process); StoreError when the store cannot be read.
TrainingJob jobToResume(const std::string& storePath, int64_t runId);

// The device a job with device "auto" and the default threads trains on: "CPU (2 threads)",
// "CUDA:0".
std::string defaultDeviceDescription();

// Runs the job. Throws JobInputError (nothing stored) for bad inputs and StoreError when the
// store cannot be opened; after the run exists, failures end up in the outcome and the store.
JobOutcome runTrainingJob(const TrainingJob& job, const JobCallbacks& callbacks,
                          const engine::TrainControl& control);

}  // namespace layerlab::app
