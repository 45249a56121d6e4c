// What the Train place asks of whatever runs training: start a run from its three documents,
// pause, resume and stop it, and hear what it reports. The application gives the place a
// TrainingSession (app/gui), which trains on a worker thread with LibTorch; this header stays
// free of LibTorch so that ui/ never compiles it.
//
// Threads: every function is called on the GUI thread and every signal is emitted there.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

#include <optional>
#include <utility>
#include <vector>

#include "engine/data/dataset_spec.h"
#include "engine/model/model_spec.h"
#include "engine/train/train_config.h"
#include "engine/train/training_events.h"
#include "storage/run_types.h"

namespace layerlab::ui {

struct TrainingRequest {
  engine::ModelSpec model;
  engine::DatasetSpec dataset;
  engine::TrainConfig config;
  QString runName;  // empty: the model's name
  QString storePath;
  // > 0: continue this stored run from its last checkpoint (model, data and configuration come
  // from the store; the epochs of `config` say how far to go).
  qint64 resumeRunId = 0;
};

// What the worker reported since the previous update, in order.
struct TrainingUpdate {
  std::vector<engine::BatchProgress> batches;
  std::vector<engine::EpochSummary> epochs;
  QStringList logLines;
};

// A device runs can be given: what the form shows and the TrainConfig::device value.
struct DeviceChoice {
  QString label;   // "CPU (8 threads)", "CUDA:0"
  QString device;  // "auto", "cpu", "cuda"
};

// How a run ended.
struct TrainingResult {
  qint64 runId = 0;  // 0 when the run was refused before it was stored
  QString status;    // "completed", "cancelled", "failed" or "refused"
  int epochsDone = 0;
  bool stoppedEarly = false;
  int bestEpoch = 0;
  std::vector<std::pair<QString, double>> finalMetrics;  // test_loss, test_accuracy, …
  std::optional<storage::ConfusionMatrix> testMatrix;    // classification runs that completed
  QString error;  // why it failed or was refused; empty otherwise
};

class TrainingBackend : public QObject {
  Q_OBJECT

 public:
  using QObject::QObject;

  // Starts a run; false when one is already active (nothing happens then).
  virtual bool start(const TrainingRequest& request) = 0;
  virtual void pause() = 0;
  virtual void resume() = 0;
  // Asks the run to stop after its current batch; finished() follows with "cancelled".
  virtual void stop() = 0;
  virtual bool active() const = 0;
  virtual bool paused() const = 0;
  // The devices runs can use on this machine, "auto" first.
  virtual std::vector<DeviceChoice> devices() const = 0;

 Q_SIGNALS:
  // The run exists in the store (or, for a refused run, never will: see finished()).
  void started(qint64 runId, const QString& device, const QString& dataDescription,
               qint64 trainSamples, qint64 parameterCount);
  // Reports gathered on the worker, handed over at most every ~40 ms.
  void updated(const layerlab::ui::TrainingUpdate& update);
  // The run is over and its final status is stored; the backend can start another.
  void finished(const layerlab::ui::TrainingResult& result);
};

}  // namespace layerlab::ui
