// The Train place: choose a model and a training configuration, start, pause, resume and stop a
// run, and watch it: a progress bar with epoch, step, elapsed time, ETA and samples per second;
// live loss and accuracy charts (training per batch, raw and smoothed; validation per epoch;
// best-epoch marker; step, epoch or wall-time axis; log scale); a log; and at the end the final
// test metrics with the confusion matrix.
//
// The place trains through a TrainingBackend (the application's TrainingSession); without one
// the Start button says why it cannot start. The data comes from the Data place (setDataset);
// Fashion-MNIST until then.
//
// Threads: GUI thread only.
#pragma once

#include <QElapsedTimer>
#include <QString>
#include <QWidget>

#include <optional>

#include "engine/data/dataset_spec.h"
#include "engine/model/model_spec.h"
#include "engine/train/train_config.h"
#include "ui/training/training_backend.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;
class QTimer;

namespace layerlab::ui {

class ConfusionMatrixView;
class LrPreview;
class MetricChart;
class TestResultsView;

class TrainPage : public QWidget {
  Q_OBJECT

 public:
  // Templates are looked up here (a Qt resource compiled into the program).
  static constexpr const char* kTemplateFolder = ":/layerlab/templates";
  static constexpr const char* kEditorEntry = "editor:";

  explicit TrainPage(QWidget* parent = nullptr);
  ~TrainPage() override;

  // The backend that runs training; not owned, must outlive the page or be reset to nullptr.
  void setBackend(TrainingBackend* backend);
  void setDataset(const engine::DatasetSpec& spec);
  // The Data place's engine::suggestedBatchSize for its training rows and why ("8 — suits 106
  // training rows", shown by the batch field). The field takes it while it still holds the
  // previous suggestion; a size the user typed stays.
  void setSuggestedBatchSize(int64_t batch, const QString& hint);
  engine::DatasetSpec dataset() const { return m_dataset; }
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
  const engine::ModelSpec& model() const { return m_model; }

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
  MetricChart* lossChart() const { return m_lossChart; }
  MetricChart* accuracyChart() const { return m_accuracyChart; }
  QProgressBar* progressBar() const { return m_progress; }
  ConfusionMatrixView* confusionView() const;
  QString statusText() const;
  QString logText() const;
  qint64 currentRunId() const { return m_runId; }

 Q_SIGNALS:
  void trainingStarted(qint64 runId);
  void trainingFinished(qint64 runId, const QString& status);

 private:
  bool begin(qint64 resumeRunId);
  QWidget* buildSettings();
  QWidget* buildMonitor();
  void loadTemplates();
  void updateButtons();
  void fillDevices(const std::vector<DeviceChoice>& choices);
  void updateLrPreview();
  void showModelInfo();
  void onStarted(qint64 runId, const QString& device, const QString& data, qint64 samples,
                 qint64 params);
  void onUpdated(const TrainingUpdate& update);
  void onFinished(const TrainingResult& result);
  void showResults(const TrainingResult& result);
  void appendLog(const QString& line);
  void refreshElapsed();

  TrainingBackend* m_backend = nullptr;
  engine::DatasetSpec m_dataset;
  engine::TrainConfig m_baseConfig;  // what the form does not show (log interval, threads, …)
  engine::ModelSpec m_model;
  std::optional<engine::ModelSpec> m_editorModel;
  bool m_modelValid = false;
  QString m_storePath;
  qint64 m_runId = 0;
  int m_epochs = 0;
  int64_t m_stepsPerEpoch = 0;
  double m_samplesPerSecond = 0;
  int64_t m_lastStep = 0;
  QElapsedTimer m_elapsed;
  qint64 m_pausedMs = 0;
  QElapsedTimer m_pausedSince;

  QComboBox* m_modelCombo = nullptr;
  QLabel* m_modelInfo = nullptr;
  QLabel* m_dataInfo = nullptr;
  QComboBox* m_optimizer = nullptr;
  QDoubleSpinBox* m_lr = nullptr;
  QComboBox* m_schedule = nullptr;
  LrPreview* m_lrPreview = nullptr;
  QSpinBox* m_batchSize = nullptr;
  QLabel* m_batchHint = nullptr;
  int64_t m_suggestedBatch = engine::kDefaultBatchSize;
  QSpinBox* m_epochsSpin = nullptr;
  QComboBox* m_loss = nullptr;
  QDoubleSpinBox* m_weightDecay = nullptr;
  QSpinBox* m_patience = nullptr;
  QComboBox* m_monitor = nullptr;
  QSpinBox* m_seed = nullptr;
  QComboBox* m_device = nullptr;
  QLineEdit* m_runName = nullptr;
  QPushButton* m_start = nullptr;
  QPushButton* m_pause = nullptr;
  QPushButton* m_stop = nullptr;
  QProgressBar* m_progress = nullptr;
  QLabel* m_status = nullptr;
  QLabel* m_timing = nullptr;
  QComboBox* m_xAxis = nullptr;
  QCheckBox* m_logScale = nullptr;
  MetricChart* m_lossChart = nullptr;
  MetricChart* m_accuracyChart = nullptr;
  QTabWidget* m_tabs = nullptr;
  QPlainTextEdit* m_log = nullptr;
  TestResultsView* m_results = nullptr;
  QTimer* m_clock = nullptr;
};

}  // namespace layerlab::ui
