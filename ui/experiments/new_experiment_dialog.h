// "New Experiment": the base (the model open in the Model place, or a model file; the data
// chosen in the Data place with its sample limit; the epochs), the search space as a table (key,
// kind, values or low and high, log scale), strategy, trials, side by side, early stopping and
// objective. It shows how many trials will run and an estimate of the whole experiment's time.
// Create checks the definition with the engine's own check (a key the base does not have is
// refused, naming it) and only then emits createRequested.
//
// Threads: GUI thread only.
#pragma once

#include <QDialog>

#include <optional>

#include "engine/experiment/experiment_spec.h"
#include "ui/experiments/experiments_page.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;

namespace layerlab::ui {

class NewExperimentDialog : public QDialog {
  Q_OBJECT

 public:
  enum Column { KeyColumn, KindColumn, ValuesColumn, HighColumn, LogColumn };

  NewExperimentDialog(ExperimentBaseDocuments base, QWidget* parent = nullptr);

  // Adds a row to the search space; `kind` is "list", "int" or "real".
  void addParameter(const QString& key, const QString& kind, const QString& valuesOrLow,
                    const QString& high = {}, bool log = false);
  // The experiment the form describes, checked against the base; nullopt with the reason in
  // `error` when it is refused.
  std::optional<engine::ExperimentSpec> spec(QString* error) const;
  QString experimentName() const;
  QString errorText() const;
  QString estimateText() const;
  QTableWidget* spaceTable() const { return m_space; }

  // Checks the form; when it is sound, emits createRequested and closes.
  void create();

 Q_SIGNALS:
  void createRequested(const QString& name, const QString& specJson);

 private:
  QWidget* buildBaseBox();
  QWidget* buildSpaceBox();
  QWidget* buildSearchBox();
  void chooseModelFile();
  void updateEstimate();
  std::optional<engine::ExperimentSpec> draftSpec(QString* error) const;
  std::optional<engine::ParamDomain> rowDomain(int row, QString* error) const;

  ExperimentBaseDocuments m_base;
  QLineEdit* m_name = nullptr;
  QLabel* m_modelLabel = nullptr;
  QSpinBox* m_limit = nullptr;
  QSpinBox* m_epochs = nullptr;
  QTableWidget* m_space = nullptr;
  QComboBox* m_strategy = nullptr;
  QSpinBox* m_trials = nullptr;
  QSpinBox* m_parallel = nullptr;
  QComboBox* m_earlyStop = nullptr;
  QComboBox* m_objective = nullptr;
  QLabel* m_estimate = nullptr;
  QLabel* m_error = nullptr;
};

}  // namespace layerlab::ui
