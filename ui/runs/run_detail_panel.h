// A read-only look at one run: its per-epoch losses and accuracies, and its error when it failed.
//
// Threads: GUI thread only. The panel holds copies; RunsPage reads the store and calls showRun()
// again when the store changes.
#pragma once

#include <QWidget>

#include <cstdint>
#include <optional>
#include <vector>

#include "storage/run_types.h"

class QLabel;
class QStandardItemModel;
class QTableView;

namespace layerlab::ui {

class RunDetailPanel : public QWidget {
  Q_OBJECT

 public:
  explicit RunDetailPanel(QWidget* parent = nullptr);

  // Shows `run` with one table row per epoch, replacing what was shown.
  void showRun(const storage::RunDetail& run, const std::vector<storage::EpochMetrics>& epochs);

  // The run on show, if any.
  std::optional<int64_t> runId() const { return m_runId; }

  void clear();

 Q_SIGNALS:
  // The user asked to close the panel.
  void closeRequested();

 private:
  void fillEpochs(const std::vector<storage::EpochMetrics>& epochs);

  QLabel* m_title = nullptr;
  QLabel* m_summary = nullptr;
  QLabel* m_errorText = nullptr;
  QTableView* m_epochTable = nullptr;
  QStandardItemModel* m_epochModel = nullptr;
  std::optional<int64_t> m_runId;
};

}  // namespace layerlab::ui
