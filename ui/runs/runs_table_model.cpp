#include "ui/runs/runs_table_model.h"

#include <QDateTime>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "ui/runs/run_format.h"

namespace layerlab::ui {
namespace {

using storage::RunStatus;
using storage::RunSummary;

double systemNow() {
  return static_cast<double>(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
}

// Runs without a value sort below every run that has one.
double sortableNumber(std::optional<double> value) {
  return value && !std::isnan(*value) ? *value : -1.0;
}

// Text reads from the left, numbers line up on the right. An int, because that is what every
// Qt 6 view reads the role as.
QVariant columnAlignment(int column) {
  using Model = RunsTableModel;
  const bool text = column == Model::NameColumn || column == Model::StatusColumn ||
                    column == Model::DeviceColumn || column == Model::DataColumn ||
                    column == Model::ModelColumn || column == Model::OptimizerColumn ||
                    column == Model::TagsColumn;
  const Qt::Alignment alignment = (text ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter;
  return static_cast<int>(alignment);
}

QString orMissing(const QString& text) {
  return text.isEmpty() ? missingValueText() : text;
}

}  // namespace

RunsTableModel::RunsTableModel(QObject* parent) : QAbstractTableModel(parent), m_now(systemNow) {}

void RunsTableModel::setRuns(std::vector<RunSummary> runs, std::map<int64_t, Extras> extras) {
  beginResetModel();
  m_runs = std::move(runs);
  m_extras = std::move(extras);
  endResetModel();
}

const RunsTableModel::Extras& RunsTableModel::extrasOf(int64_t runId) const {
  static const Extras kNone;
  const auto found = m_extras.find(runId);
  return found == m_extras.end() ? kNone : found->second;
}

int RunsTableModel::rowOfRun(int64_t runId) const {
  for (std::size_t row = 0; row < m_runs.size(); ++row) {
    if (m_runs[row].id == runId) return static_cast<int>(row);
  }
  return -1;
}

void RunsTableModel::refreshRunningDurations() {
  for (std::size_t row = 0; row < m_runs.size(); ++row) {
    if (m_runs[row].status != RunStatus::Running || isPaused(m_runs[row])) continue;
    const QModelIndex cell = index(static_cast<int>(row), DurationColumn);
    Q_EMIT dataChanged(cell, cell, {Qt::DisplayRole, kSortRole});
  }
}

void RunsTableModel::setClock(std::function<double()> nowSeconds) {
  m_now = std::move(nowSeconds);
}

int RunsTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_runs.size());
}

int RunsTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunsTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const RunSummary& run = m_runs[static_cast<std::size_t>(index.row())];
  const int column = index.column();
  switch (role) {
    case Qt::DisplayRole:
      return displayValue(run, column);
    case kSortRole:
      return sortValue(run, column);
    case kRunIdRole:
      return QVariant::fromValue<qint64>(run.id);
    case Qt::DecorationRole:
      return decoration(run, column);
    case Qt::ForegroundRole:
      if (column == StatusColumn) return runStatusColor(run.status);
      return {};
    case Qt::TextAlignmentRole:
      return columnAlignment(column);
    default:
      return {};
  }
}

QVariant RunsTableModel::displayValue(const RunSummary& run, int column) const {
  switch (column) {
    case IdColumn:
      return QString::number(run.id);
    case NameColumn:
      return QString::fromStdString(run.name);
    case StatusColumn:
      return runStateText(run);
    case StartedColumn:
      return formatStartTime(run.startedAt);
    case DurationColumn:
      return formatDuration(runDuration(run, m_now()));
    case EpochsColumn:
      return QString::number(run.epochsDone);
    case DataColumn:
      return orMissing(extrasOf(run.id).data);
    case ModelColumn:
      return orMissing(extrasOf(run.id).model);
    case OptimizerColumn:
      return orMissing(extrasOf(run.id).optimizer);
    case LearningRateColumn: {
      const std::optional<double> lr = extrasOf(run.id).learningRate;
      return lr ? QString::number(*lr, 'g', 4) : missingValueText();
    }
    case BatchSizeColumn: {
      const std::optional<int64_t> batch = extrasOf(run.id).batchSize;
      return batch ? QString::number(*batch) : missingValueText();
    }
    case BestValColumn: {
      if (run.bestValAccuracy) {
        return tr("%1 (epoch %2)")
            .arg(formatPercent(run.bestValAccuracy))
            .arg(run.bestValAccuracyEpoch);
      }
      if (run.bestValLoss) {
        return tr("loss %1 (epoch %2)").arg(formatLoss(run.bestValLoss)).arg(run.bestValLossEpoch);
      }
      return missingValueText();
    }
    case TestAccuracyColumn:
      return formatPercent(run.testAccuracy);
    case TestLossColumn:
      return formatLoss(run.testLoss);
    case TagsColumn: {
      QStringList tags;
      for (const std::string& tag : run.tags)
        tags << QString::fromStdString(tag);
      return tags.join(QStringLiteral(", "));
    }
    case DeviceColumn:
      return run.device.empty() ? missingValueText() : QString::fromStdString(run.device);
    default:
      return {};
  }
}

QVariant RunsTableModel::sortValue(const RunSummary& run, int column) const {
  switch (column) {
    case IdColumn:
      return QVariant::fromValue<qint64>(run.id);
    case StatusColumn:
      return runStateText(run);
    case StartedColumn:
      return run.startedAt;
    case DurationColumn:
      return sortableNumber(runDuration(run, m_now()));
    case EpochsColumn:
      return run.epochsDone;
    case LearningRateColumn:
      return sortableNumber(extrasOf(run.id).learningRate);
    case BatchSizeColumn: {
      const std::optional<int64_t> batch = extrasOf(run.id).batchSize;
      return batch ? static_cast<double>(*batch) : -1.0;
    }
    case BestValColumn: {
      // Higher is better: accuracies as they are, losses below every accuracy, lower first.
      if (run.bestValAccuracy) return *run.bestValAccuracy;
      if (run.bestValLoss) return -1.0 - 1.0 / (1.0 + std::max(0.0, *run.bestValLoss));
      return -3.0;
    }
    case TestAccuracyColumn:
      return sortableNumber(run.testAccuracy);
    case TestLossColumn:
      return run.testLoss && !std::isnan(*run.testLoss) ? *run.testLoss
                                                        : std::numeric_limits<double>::max();
    default:
      return displayValue(run, column);
  }
}

QVariant RunsTableModel::decoration(const RunSummary& run, int column) const {
  if (column != StatusColumn) return {};
  QIcon& icon = m_statusIcons[static_cast<std::size_t>(run.status)];
  if (icon.isNull()) icon = runStatusIcon(run.status);
  return icon;
}

QVariant RunsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  if (role == Qt::TextAlignmentRole) return columnAlignment(section);
  if (role != Qt::DisplayRole) return {};
  switch (section) {
    case IdColumn:
      return tr("ID");
    case NameColumn:
      return tr("Name");
    case StatusColumn:
      return tr("Status");
    case StartedColumn:
      return tr("Started");
    case DurationColumn:
      return tr("Duration");
    case EpochsColumn:
      return tr("Epochs");
    case DataColumn:
      return tr("Data");
    case ModelColumn:
      return tr("Model");
    case OptimizerColumn:
      return tr("Optimizer");
    case LearningRateColumn:
      return tr("LR");
    case BatchSizeColumn:
      return tr("Batch");
    case BestValColumn:
      return tr("Best validation");
    case TestAccuracyColumn:
      return tr("Test accuracy");
    case TestLossColumn:
      return tr("Test loss");
    case TagsColumn:
      return tr("Tags");
    case DeviceColumn:
      return tr("Device");
    default:
      return {};
  }
}

}  // namespace layerlab::ui
