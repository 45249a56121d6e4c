// One trial of an experiment, trained in this process: what `layerlab-cli experiment trial` runs
// in each child process of the queue (experiment_queue.h).
//
// The trial is claimed first (a queued trial, or a running one whose process is gone), so two
// processes never train it side by side. A new trial applies its parameters to the experiment's
// base and creates its run linked to the trial in one transaction; a trial taken over from a dead
// process continues its run from the last checkpoint. While it trains, the experiment's status is
// watched: paused pauses the training, cancelled stops it. After each epoch the experiment's
// early-stop rule (ASHA, median) is asked with every trial's stored values; a trial it stops ends
// `stopped_early`, its run completed and tested like any other.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/experiment/experiment_spec.h"
#include "engine/train/train_control.h"
#include "storage/experiment_store.h"

namespace layerlab::app {

// The spec kept with an experiment. Throws std::invalid_argument naming the experiment when the
// stored document is not a sound layerlab.experiment (a store from someone else).
engine::ExperimentSpec experimentSpecOf(const storage::ExperimentRow& experiment);

struct TrialOutcome {
  storage::TrialStatus status = storage::TrialStatus::Failed;
  std::optional<double> objective;
  std::optional<int64_t> runId;
  int epochsDone = 0;
  std::string error;
};

// Claims and trains trial `number` of experiment `experimentId`, `threads` CPU threads (0: the
// run's own setting). A stop through `control` that the experiment did not ask for (Ctrl-C,
// SIGTERM) ends the run cancelled and puts the trial back in the queue (status queued), to be
// continued from its last epoch. Throws JobInputError when the experiment or trial does not exist
// or the trial is held by another live process or has ended; StoreError when the store cannot be
// used. Every other failure ends the trial `failed` with its reason, and is returned.
TrialOutcome runExperimentTrial(const std::string& storePath, int64_t experimentId, int number,
                                int threads, engine::TrainControl& control);

}  // namespace layerlab::app
