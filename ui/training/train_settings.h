// The Train place's settings column: the model to train (a template, a file, or the model being
// drawn in the Model place, followed as it changes), the data chosen in the Data place, and the
// training configuration form with its learning-rate preview and the batch size suggested for the
// data's size. It holds what the next run will use; TrainPage starts runs with it.
//
// Threads: GUI thread only.
#pragma once

#include <QWidget>

#include <optional>

#include "engine/data/dataset_spec.h"
#include "engine/model/model_spec.h"
#include "engine/train/train_config.h"
#include "ui/training/training_backend.h"

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace layerlab::ui {

class LrPreview;

class TrainSettings : public QWidget {
  Q_OBJECT

 public:
  static constexpr const char* kTemplateFolder = ":/layerlab/templates";
  static constexpr const char* kEditorEntry = "editor:";

  explicit TrainSettings(QWidget* parent = nullptr);

  bool selectTemplate(const QString& name);
  bool openModelFile(const QString& path);
  void setModel(const engine::ModelSpec& model);
  // The Model place's model; followed when it is the chosen entry and `follow` is true.
  void setEditorModel(const engine::ModelSpec& model, bool follow);
  void useEditorModel();
  const engine::ModelSpec& model() const { return m_model; }
  bool modelValid() const { return m_modelValid; }

  void setDataset(const engine::DatasetSpec& spec);
  const engine::DatasetSpec& dataset() const { return m_dataset; }
  // The batch size suggested for the data and why; the field follows it while it still holds the
  // previous suggestion (a size the user typed is kept).
  void setSuggestedBatchSize(int64_t batch, const QString& hint);

  engine::TrainConfig trainConfig() const;
  void setTrainConfig(const engine::TrainConfig& config);
  void fillDevices(const std::vector<DeviceChoice>& choices);
  QString runName() const;
  void setRunName(const QString& name);
  // Every field enabled or not (not while a run trains).
  void setEditable(bool editable);

 Q_SIGNALS:
  // The model, or whether it can be trained, changed.
  void modelChanged();

 private:
  QWidget* buildModelBox();
  QWidget* buildTrainingBox();
  void addRows(QFormLayout* form);
  void loadTemplates();
  void showModelInfo();
  void updateLrPreview();
  void applySuggestedTraining();

  engine::DatasetSpec m_dataset;
  engine::TrainConfig m_baseConfig;  // what the form does not show (log interval, threads, …)
  engine::ModelSpec m_model;
  std::optional<engine::ModelSpec> m_editorModel;
  bool m_modelValid = false;
  int64_t m_suggestedBatch = engine::kDefaultBatchSize;
  // The model's suggested training settings last put into the form: applied once per model
  // document that brings them, so the user's later edits stay.
  nlohmann::json m_appliedSuggestions;

  QComboBox* m_modelCombo = nullptr;
  QLabel* m_modelInfo = nullptr;
  QLabel* m_dataInfo = nullptr;
  QComboBox* m_optimizer = nullptr;
  QDoubleSpinBox* m_lr = nullptr;
  QComboBox* m_schedule = nullptr;
  LrPreview* m_lrPreview = nullptr;
  QSpinBox* m_batchSize = nullptr;
  QLabel* m_batchHint = nullptr;
  QSpinBox* m_epochsSpin = nullptr;
  QComboBox* m_loss = nullptr;
  QDoubleSpinBox* m_weightDecay = nullptr;
  QSpinBox* m_patience = nullptr;
  QComboBox* m_monitor = nullptr;
  QSpinBox* m_seed = nullptr;
  QComboBox* m_device = nullptr;
  QLineEdit* m_runName = nullptr;
};

// "Fashion-MNIST (built in)", "csv: iris.csv": the data as the Train place names it.
QString describeData(const engine::DatasetSpec& spec);

}  // namespace layerlab::ui
