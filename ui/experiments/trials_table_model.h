// The Experiments place's trials table: number (★ on the best), status, progress, one column per
// searched parameter, objective. A failed trial's error is its row's tooltip.
//
// Threads: GUI thread only.
#pragma once

#include <QAbstractTableModel>
#include <QStringList>

#include "ui/experiments/experiment_snapshot.h"

namespace layerlab::ui {

// "running", "paused", … as the place writes an experiment's status.
QString experimentStatusText(storage::ExperimentStatus status);

class TrialsTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  // The fixed columns; the parameters sit between Progress and Objective.
  enum FixedColumn { NumberColumn = 0, StatusColumn = 1, ProgressColumn = 2 };
  static constexpr int kRoleTrialNumber = Qt::UserRole + 1;

  explicit TrialsTableModel(QObject* parent = nullptr);

  // Shows the snapshot's trials; rows and columns are rebuilt only when their shape changed, so a
  // refresh keeps the view's selection and scroll position.
  void setSnapshot(const ExperimentSnapshot& snapshot);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  int objectiveColumn() const { return ProgressColumn + 1 + static_cast<int>(m_paramKeys.size()); }
  // "stopped early", "paused", … as the Status column says it.
  QString statusText(const TrialEntry& trial) const;

 private:
  QVariant display(const TrialEntry& trial, int column) const;

  std::vector<TrialEntry> m_trials;
  QStringList m_paramKeys;
  QString m_objectiveName;
  std::optional<int> m_best;
  bool m_paused = false;
};

}  // namespace layerlab::ui
