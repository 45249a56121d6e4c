// "Try it": one stored run's trained model on samples of its own data. The user picks a part of
// the data (test by default) and either a range of samples (from, count) or a random choice; the
// panel predicts them on a worker thread and lists each sample (a thumbnail for images, the
// values for tables) with the predicted class, its probability (softmax of the outputs; the
// sigmoid for a single logit) and the true label, wrong predictions marked. For regression it
// shows the predicted and the true value.
//
// showRun() only resets the panel; the first samples are predicted when the panel is (or
// becomes) visible, so a hidden panel that follows the runs table costs nothing.
//
// Threads: GUI thread only. `tools` must outlive the panel; destroying the panel during a
// prediction waits for it to finish.
#pragma once

#include <QString>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

#include "ui/export/run_tools.h"

class QComboBox;
class QHBoxLayout;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace layerlab::ui {

class Worker;

// The probability of each class from raw outputs: softmax over several logits; for one logit
// the sigmoid, as [1 − p, p]. Empty for empty outputs.
std::vector<double> classProbabilities(const std::vector<float>& outputs);

class TryItPanel : public QWidget {
  Q_OBJECT

 public:
  // Columns of the results table.
  enum Column { SampleColumn, PredictedColumn, ProbabilityColumn, TrueColumn, VerdictColumn };

  explicit TryItPanel(RunTools& tools, QWidget* parent = nullptr);
  ~TryItPanel() override;

  // The run whose model predicts (0: none). Clears the results.
  void showRun(qint64 runId);
  qint64 runId() const { return m_runId; }

  // Predicts `count` samples from `start` of the chosen part (what the Predict button does),
  // or `count` random ones. False when there is no run.
  bool predictRange(int start, int count);
  bool predictRandom(int count);
  bool predicting() const { return m_worker != nullptr; }
  // The last result shown, or null.
  const PredictionResult* result() const { return m_result ? &*m_result : nullptr; }

 Q_SIGNALS:
  // A result is shown (or an error, then result() is null).
  void predictionsShown();

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  struct Outcome;

  void buildChoices();
  QHBoxLayout* buildControlRow();
  void buildResultArea();
  void connectButtons();
  bool start(PredictRequest request);
  void finish(const std::shared_ptr<Outcome>& outcome);
  void showResult(const PredictionResult& result);
  // One row's prediction columns; true when the class is right (wrong rows are marked).
  bool fillClassRow(int row, const PredictionResult& result, const PredictedSample& sample);
  void fillValueRow(int row, const PredictedSample& sample);
  void showError(const QString& message);
  QString className(const PredictionResult& result, double index) const;

  RunTools& m_tools;
  qint64 m_runId = 0;
  bool m_firstPending = false;  // the first samples wait until the panel is visible
  std::optional<PredictionResult> m_result;
  std::optional<PredictRequest> m_queued;  // asked for while another prediction ran

  QComboBox* m_split = nullptr;
  QComboBox* m_checkpoint = nullptr;
  QSpinBox* m_start = nullptr;
  QSpinBox* m_count = nullptr;
  QPushButton* m_predictButton = nullptr;
  QPushButton* m_randomButton = nullptr;
  QProgressBar* m_busy = nullptr;
  QLabel* m_status = nullptr;
  QLabel* m_error = nullptr;
  QTableWidget* m_table = nullptr;
  std::unique_ptr<Worker> m_worker;  // while predicting
};

}  // namespace layerlab::ui
