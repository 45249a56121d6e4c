// The runs of a store as a table, one row per run.
//
// Threads: GUI thread only. The model holds copies of RunSummary rows; RunsPage feeds it from its
// RunCatalog and replaces the whole list when the store changes.
#pragma once

#include <QAbstractTableModel>
#include <QIcon>

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "storage/run_types.h"

namespace layerlab::ui {

class RunsTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column {
    IdColumn,
    NameColumn,
    StatusColumn,
    StartedColumn,
    DurationColumn,
    EpochsColumn,
    DataColumn,
    ModelColumn,
    OptimizerColumn,
    LearningRateColumn,
    BatchSizeColumn,
    BestValColumn,  // best validation accuracy and its epoch (best loss for regression)
    TestAccuracyColumn,
    TestLossColumn,
    TagsColumn,
    DeviceColumn,
    ColumnCount
  };

  // The raw value a column sorts by (a number where the text is formatted), for
  // QSortFilterProxyModel::setSortRole().
  static constexpr int kSortRole = Qt::UserRole + 1;
  // The run's id, in every column.
  static constexpr int kRunIdRole = Qt::UserRole + 2;

  explicit RunsTableModel(QObject* parent = nullptr);

  // What a row shows besides the run's summary: a few parameters, read for all runs at once.
  struct Extras {
    QString data;       // the dataset's file name, or its source ("fashion-mnist")
    QString model;      // the model's name
    QString optimizer;  // "adam", …
    std::optional<double> learningRate;
    std::optional<int64_t> batchSize;
  };

  // Replaces all rows (a model reset: views keep no selection, callers restore it by id).
  void setRuns(std::vector<storage::RunSummary> runs, std::map<int64_t, Extras> extras = {});
  const std::vector<storage::RunSummary>& runs() const { return m_runs; }

  // The row of the run with `runId`, or -1.
  int rowOfRun(int64_t runId) const;

  // The durations of running runs grow while the store stays the same; this tells views to
  // repaint them. Does nothing when no run is running.
  void refreshRunningDurations();

  // Where "now" comes from for running durations, in Unix seconds (default: the system clock).
  void setClock(std::function<double()> nowSeconds);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  QVariant displayValue(const storage::RunSummary& run, int column) const;
  QVariant sortValue(const storage::RunSummary& run, int column) const;
  QVariant decoration(const storage::RunSummary& run, int column) const;

  const Extras& extrasOf(int64_t runId) const;

  std::vector<storage::RunSummary> m_runs;
  std::map<int64_t, Extras> m_extras;
  std::function<double()> m_now;
  // One painted dot per status, made on first use: a view asks for it at every repaint.
  mutable std::array<QIcon, 6> m_statusIcons;
};

}  // namespace layerlab::ui
