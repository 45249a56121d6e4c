#include "ui/experiments/trials_table_model.h"

#include <QBrush>
#include <QColor>
#include <QCoreApplication>

#include <cmath>

namespace layerlab::ui {
namespace {

QString formatObjective(const std::optional<double>& value) {
  if (!value || !std::isfinite(*value)) return QStringLiteral("\u2014");
  return QString::number(*value, 'f', 4);
}

}  // namespace

QString experimentStatusText(storage::ExperimentStatus status) {
  switch (status) {
    case storage::ExperimentStatus::Queued:
      return TrialsTableModel::tr("queued");
    case storage::ExperimentStatus::Running:
      return TrialsTableModel::tr("running");
    case storage::ExperimentStatus::Paused:
      return TrialsTableModel::tr("paused");
    case storage::ExperimentStatus::Completed:
      return TrialsTableModel::tr("completed");
    case storage::ExperimentStatus::Cancelled:
      return TrialsTableModel::tr("cancelled");
  }
  return {};
}

TrialsTableModel::TrialsTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void TrialsTableModel::setSnapshot(const ExperimentSnapshot& snapshot) {
  QStringList keys;
  if (snapshot.spec)
    for (const engine::ParamDomain& domain : snapshot.spec->space.params)
      keys << QString::fromStdString(domain.key);
  const bool reshaped = keys != m_paramKeys || snapshot.trials.size() != m_trials.size();
  if (reshaped) beginResetModel();
  m_paramKeys = keys;
  m_trials = snapshot.trials;
  m_best = snapshot.bestNumber;
  m_objectiveName =
      snapshot.spec ? QString::fromStdString(snapshot.spec->objective.metric) : tr("Objective");
  m_paused = snapshot.selected && snapshot.selected->status == storage::ExperimentStatus::Paused;
  if (reshaped) {
    endResetModel();
  } else if (!m_trials.empty()) {
    Q_EMIT dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
    Q_EMIT headerDataChanged(Qt::Horizontal, objectiveColumn(), objectiveColumn());
  }
}

int TrialsTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_trials.size());
}

int TrialsTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : objectiveColumn() + 1;
}

QString TrialsTableModel::statusText(const TrialEntry& trial) const {
  using storage::TrialStatus;
  const TrialStatus status = trial.row.status;
  if (m_paused && (status == TrialStatus::Running || status == TrialStatus::Queued))
    return tr("paused");
  switch (status) {
    case TrialStatus::Queued:
      return tr("queued");
    case TrialStatus::Running:
      return tr("running");
    case TrialStatus::Completed:
      return tr("completed");
    case TrialStatus::Failed:
      return tr("failed");
    case TrialStatus::StoppedEarly:
      return tr("stopped early");
    case TrialStatus::Cancelled:
      return tr("cancelled");
  }
  return {};
}

QVariant TrialsTableModel::display(const TrialEntry& trial, int column) const {
  if (column == NumberColumn) {
    const bool best = m_best && *m_best == trial.row.number;
    return best ? QStringLiteral("\u2605 %1").arg(trial.row.number)
                : QString::number(trial.row.number);
  }
  if (column == StatusColumn) return statusText(trial);
  if (column == ProgressColumn)
    return QStringLiteral("%1 / %2").arg(trial.epochsDone()).arg(trial.epochs);
  if (column == objectiveColumn()) return formatObjective(trial.row.objective);
  const std::string key = m_paramKeys.at(column - ProgressColumn - 1).toStdString();
  const auto found = trial.params.find(key);
  if (found == trial.params.end()) return QString();
  // A drawn real (a learning rate) has far more digits than anyone reads.
  if (found->is_number_float()) return QString::number(found->get<double>(), 'g', 4);
  return QString::fromStdString(engine::describeValue(*found));
}

QVariant TrialsTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const TrialEntry& trial = m_trials[static_cast<size_t>(index.row())];
  const storage::TrialStatus status = trial.row.status;
  switch (role) {
    case Qt::DisplayRole:
      return display(trial, index.column());
    case Qt::ToolTipRole:
      if (status == storage::TrialStatus::Failed && !trial.row.errorText.empty())
        return QString::fromStdString(trial.row.errorText);
      return {};
    case Qt::ForegroundRole:
      if (status == storage::TrialStatus::StoppedEarly || status == storage::TrialStatus::Cancelled)
        return QBrush(QColor(0x70, 0x70, 0x70));
      if (status == storage::TrialStatus::Failed) return QBrush(QColor(0xb0, 0x20, 0x20));
      return {};
    case Qt::TextAlignmentRole:
      return index.column() == StatusColumn ? QVariant()
                                            : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case kRoleTrialNumber:
      return trial.row.number;
  }
  return {};
}

QVariant TrialsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  if (section == NumberColumn) return tr("Trial");
  if (section == StatusColumn) return tr("Status");
  if (section == ProgressColumn) return tr("Epochs");
  if (section == objectiveColumn()) return m_objectiveName;
  if (section > ProgressColumn && section < objectiveColumn())
    return m_paramKeys.at(section - ProgressColumn - 1);
  return {};
}

}  // namespace layerlab::ui
