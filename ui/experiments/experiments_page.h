// The Experiments place: the store's experiments on the left; on the right the selected one's
// trials (live), its queue's controls, its best trial and its plots.
//
// The queue is `layerlab-cli experiment run ID --db STORE`, started here as a child process;
// pause, resume, cancel and added trials are changes in the store that the queue and its trials
// follow. The page reads the store every kRefreshIntervalMs while it is shown or its queue runs,
// on a ui::Worker with a connection of its own, so the GUI thread never waits for the store.
//
// Threads: GUI thread only. Signals fire on the GUI thread.
#pragma once

#include <QProcess>
#include <QString>
#include <QWidget>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "ui/experiments/experiment_snapshot.h"

class QLabel;
class QListWidget;
class QPushButton;
class QTableView;
class QTimer;

namespace layerlab::ui {

class ExperimentCharts;
class NewExperimentDialog;
class TrialsTableModel;
class Worker;

// What a new experiment starts from: the model open in the Model place, the Train place's
// settings and the data chosen in the Data place, as their JSON documents.
struct ExperimentBaseDocuments {
  nlohmann::json model;
  nlohmann::json train;
  nlohmann::json data;
};

class ExperimentsPage : public QWidget {
  Q_OBJECT

 public:
  static constexpr int kRefreshIntervalMs = 500;

  explicit ExperimentsPage(const QString& storePath, QWidget* parent = nullptr);
  ~ExperimentsPage() override;

  void openStore(const QString& path);
  QString storePath() const { return m_storePath; }

  // The layerlab-cli that runs queues; by default the one beside this program.
  void setCliPath(const QString& path) { m_cliPath = path; }
  QString cliPath() const { return m_cliPath; }
  void setBaseProvider(std::function<ExperimentBaseDocuments()> provider);

  void selectExperiment(int64_t id);
  int64_t selectedExperiment() const { return m_selectedId; }
  const ExperimentSnapshot& snapshot() const { return m_snapshot; }
  TrialsTableModel* trialsModel() const { return m_trialsModel; }
  // The text above the table: a refusal, a missing program, the store's error; empty when fine.
  QString message() const;
  bool queueRunning() const;

  // Reads the store now (on a worker); `refreshed` fires when the page shows the result.
  void refresh();
  // The buttons' actions. startQueue is false, with the reason shown, when it cannot start.
  bool startQueue();
  void pauseExperiment();
  void resumeExperiment();
  void cancelExperiment();
  // Asks how many (a dialog), then raises the budget.
  void askForMoreTrials();
  void addTrials(int more);
  void openBestInRuns();
  void rerunBestWithMoreEpochs();
  NewExperimentDialog* openNewExperimentDialog();
  // Writes the selected experiment's report (experiment_report.h); false, with the reason shown,
  // when the file cannot be written.
  bool saveReport(const QString& path);

 Q_SIGNALS:
  void refreshed();
  void storeEditFinished(const QString& error);
  void queueFinished(int exitCode);
  void openRunRequested(qint64 runId);
  void rerunRequested(qint64 runId, const QString& modelJson, const QString& datasetJson,
                      const QString& configJson);

 protected:
  void showEvent(QShowEvent* event) override;

 private:
  QWidget* buildListPane();
  QWidget* buildTrialsPane();
  QWidget* buildButtonRow();
  QWidget* buildBestRow();
  void onTick();
  void showSnapshot(ExperimentSnapshot snapshot);
  void fillList();
  void updateHeader();
  void updateButtons();
  void setMessage(const QString& text);
  void editStore(const std::function<void(const std::string& path)>& edit);
  void onQueueFinished(int exitCode, QProcess::ExitStatus status);
  void createExperiment(const QString& name, const QString& specJson);
  bool startQueueFor(int64_t id);
  void stopQueues();
  QString queueOutput(int64_t id) const;

  QString m_storePath;
  QString m_cliPath;
  std::function<ExperimentBaseDocuments()> m_baseProvider;
  int64_t m_selectedId = 0;
  ExperimentSnapshot m_snapshot;
  std::shared_ptr<SpecCache> m_specCache;
  std::unique_ptr<Worker> m_reader;
  std::unique_ptr<Worker> m_editor;
  bool m_refreshAgain = false;
  std::map<int64_t, QProcess*> m_queues;  // by experiment: the queues this page started

  QTimer* m_timer = nullptr;
  QListWidget* m_list = nullptr;
  QLabel* m_header = nullptr;
  QLabel* m_message = nullptr;
  QTableView* m_table = nullptr;
  TrialsTableModel* m_trialsModel = nullptr;
  QLabel* m_bestLabel = nullptr;
  ExperimentCharts* m_charts = nullptr;
  QPushButton* m_newButton = nullptr;
  QPushButton* m_startButton = nullptr;
  QPushButton* m_pauseButton = nullptr;
  QPushButton* m_resumeButton = nullptr;
  QPushButton* m_cancelButton = nullptr;
  QPushButton* m_addButton = nullptr;
  QPushButton* m_reportButton = nullptr;
  QPushButton* m_openBestButton = nullptr;
  QPushButton* m_rerunButton = nullptr;
};

}  // namespace layerlab::ui
