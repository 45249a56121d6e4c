// The Train place: choose a model and a training configuration (train_settings.h), start,
// pause, resume and stop a run, and watch it (train_monitor.h): a progress bar with epoch, step,
// elapsed time, ETA and samples per second; live loss and accuracy charts (training per batch,
// raw and smoothed; validation per epoch; best-epoch marker by the run's monitor; step, epoch or
// wall-time axis; log scale); a log; and at the end the final test metrics with the confusion
// matrix.
//
// The place trains through a TrainingBackend (the application's TrainingSession); without one
// the Start button says why it cannot start. The data comes from the Data place (setDataset);
// Fashion-MNIST until then. New data (or a new model) clears the last run's charts: they belong
// to another run.
//
// Threads: GUI thread only.
#pragma once

#include <QString>
#include <QWidget>

#include <optional>

#include "engine/data/dataset_spec.h"
#include "engine/model/model_spec.h"
#include "engine/train/train_config.h"
#include "storage/run_types.h"
#include "ui/training/train_settings.h"
#include "ui/training/training_backend.h"

class QProgressBar;
class QPushButton;

namespace layerlab::ui {

class ConfusionMatrixView;
class MetricChart;
class TrainMonitor;

class TrainPage : public QWidget {
  Q_OBJECT

 public:
  // Templates are looked up here (a Qt resource compiled into the program).
  static constexpr const char* kTemplateFolder = TrainSettings::kTemplateFolder;
  static constexpr const char* kEditorEntry = TrainSettings::kEditorEntry;

  explicit TrainPage(QWidget* parent = nullptr);
  ~TrainPage() override;

  // The backend that runs training; not owned, must outlive the page or be reset to nullptr.
  void setBackend(TrainingBackend* backend);
  void setDataset(const engine::DatasetSpec& spec);
  // The Data place's engine::suggestedBatchSize for its training rows and why ("8 — suits 106
  // training rows", shown by the batch field). The field takes it while it still holds the
  // previous suggestion; a size the user typed stays.
  void setSuggestedBatchSize(int64_t batch, const QString& hint);
  engine::DatasetSpec dataset() const;
  void setStorePath(const QString& path);
  QString storePath() const { return m_storePath; }

  // The model to train: a template by name ("mlp", "cnn", …) or a *.layerlab.json file. False
  // (with the reason shown in the page) when it cannot be read.
  bool selectTemplate(const QString& name);
  bool openModelFile(const QString& path);
  void setModel(const engine::ModelSpec& model, const QString& origin);
  // The model being drawn in the Model place, offered (and followed) as a choice of its own.
  void setEditorModel(const engine::ModelSpec& model);
  void useEditorModel();
  const engine::ModelSpec& model() const;

  // The form's configuration, and filling the form from one (fields the form does not show,
  // such as the log interval, are kept from the last config given).
  engine::TrainConfig trainConfig() const;
  void setTrainConfig(const engine::TrainConfig& config);
  void setRunName(const QString& name);

  bool trainingActive() const;
  bool trainingPaused() const;
  // Starts a run with the page's model, data and form; false (with the reason shown) when it
  // cannot start.
  bool startTraining();
  // Fills the page with a stored run's model, data and configuration and trains a new run with
  // them (Re-run), or continues that run from its last checkpoint (Resume). The documents are
  // the run's stored JSON; false, with the reason shown, when they cannot be read.
  bool rerun(qint64 runId, const QString& modelJson, const QString& datasetJson,
             const QString& configJson, bool resume);
  void togglePause();
  void requestStop();

  // What the page shows, for tests and the screenshot script.
  MetricChart* lossChart() const;
  MetricChart* accuracyChart() const;
  QProgressBar* progressBar() const;
  ConfusionMatrixView* confusionView() const;
  TrainMonitor* monitor() const { return m_monitor; }
  TrainSettings* settings() const { return m_settings; }
  QString statusText() const;
  QString logText() const;
  qint64 currentRunId() const;

 Q_SIGNALS:
  void trainingStarted(qint64 runId);
  void trainingFinished(qint64 runId, const QString& status);

 private:
  bool begin(qint64 resumeRunId);
  QWidget* buildSettingsColumn();
  void updateButtons();
  void onStarted(qint64 runId, const QString& device, const QString& data, qint64 samples,
                 qint64 params);
  void onFinished(const TrainingResult& result);

  TrainingBackend* m_backend = nullptr;
  QString m_storePath;
  int64_t m_batchSize = 0;  // of the run in progress
  // What the charts show: the data of the last run, so that other data clears them.
  std::optional<engine::DatasetSpec> m_shownDataset;

  TrainSettings* m_settings = nullptr;
  TrainMonitor* m_monitor = nullptr;
  QPushButton* m_start = nullptr;
  QPushButton* m_pause = nullptr;
  QPushButton* m_stop = nullptr;
};

}  // namespace layerlab::ui
