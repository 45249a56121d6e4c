// The queue of an experiment: trials chosen by the strategy and trained side by side, each in its
// own child process (`layerlab-cli experiment trial`), so a crash in one trial never takes down
// the queue, the GUI or the other trials. No Qt, no LibTorch.
//
// Everything the queue knows is in the store, so a queue that is killed and started again
// carries on: trials still held by live processes are waited for, trials whose process died are
// taken over and continue their runs from the last checkpoint, queued trials are started, and
// new ones are drawn until the budget is spent. Adding a trial is one transaction that checks the
// budget, so no trial is drawn twice.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace layerlab::app {

struct QueueOptions {
  std::string storePath;
  int64_t experimentId = 0;
  int parallel = 0;         // trials side by side; 0: the experiment's own setting
  int threadsPerTrial = 0;  // 0: the machine's cores shared out between the trials
  // The layerlab-cli executable each trial runs in.
  std::string executable;
  // Lines for a person: a trial started, ended, and why.
  std::function<void(const std::string&)> onEvent;
  // Set (from a signal handler, another thread) to stop: no trial is started any more, running
  // ones are asked to stop (SIGTERM) and go back to the queue, continued by the next run.
  const std::atomic<bool>* stop = nullptr;
};

struct QueueSummary {
  int completed = 0;
  int stoppedEarly = 0;
  int failed = 0;
  int cancelled = 0;
  int queued = 0;         // left in the queue (stopped, or paused)
  bool finished = false;  // every trial of the budget has ended
};

// Works through the experiment until its budget is spent, it is cancelled, or `stop` is set.
// A paused experiment starts no trial until it is resumed (its running trials pause too).
// Throws StoreError when the store cannot be used; std::invalid_argument for an experiment that
// does not exist or whose stored definition is unsound.
QueueSummary runExperimentQueue(const QueueOptions& options);

}  // namespace layerlab::app
