// The Train place driven like a user drives it: real widgets, a real TrainingSession training
// Fashion-MNIST slices on its thread, and a real store read back afterwards.
#include <QAbstractItemModel>
#include <QApplication>
#include <QComboBox>
#include <QElapsedTimer>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTest>
#include <QTimer>
#include <QUndoStack>

#include <gtest/gtest.h>

#include <string>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <vector>

#include "app/gui/training_session.h"
#include "storage/run_filter.h"
#include "storage/run_query.h"
#include "tests/support/child_process.h"
#include "tests/ui/gui_test_support.h"
#include "tests/ui/run_catalog_support.h"
#include "tests/ui/test_store.h"
#include "ui/charts/confusion_matrix_view.h"
#include "ui/charts/metric_chart.h"
#include "ui/editor/editor_commands.h"
#include "ui/editor/editor_model.h"
#include "ui/editor/model_page.h"
#include "ui/main_window.h"
#include "ui/runs/run_detail_panel.h"
#include "ui/runs/runs_page.h"
#include "ui/runs/runs_table_model.h"
#include "ui/training/train_page.h"

namespace layerlab::ui {
namespace {

constexpr int kRunTimeoutMs = 120000;

engine::DatasetSpec fashionSlice(int64_t limit) {
  engine::DatasetSpec spec;
  spec.limit = limit;
  return spec;
}

engine::TrainConfig quickConfig(int epochs) {
  engine::TrainConfig config;
  config.epochs = epochs;
  config.batchSize = 32;
  config.logEveryBatches = 2;
  config.threads = 1;
  return config;
}

QPushButton* button(QWidget& page, const char* name) {
  auto* found = page.findChild<QPushButton*>(QString::fromLatin1(name));
  EXPECT_NE(found, nullptr) << name;
  return found;
}

// How late a 10 ms timer fires while the GUI thread serves a training run: the event loop's
// latency as a user would feel it.
class LatencyProbe {
 public:
  LatencyProbe() {
    m_timer.setInterval(kIntervalMs);
    QObject::connect(&m_timer, &QTimer::timeout, [this] {
      const qint64 now = m_clock.nsecsElapsed();
      if (m_last >= 0) m_lateMs.push_back((now - m_last) / 1e6 - kIntervalMs);
      m_last = now;
    });
    m_clock.start();
    m_timer.start();
  }
  double percentile(double p) {
    if (m_lateMs.empty()) return NAN;
    std::vector<double> sorted = m_lateMs;
    std::sort(sorted.begin(), sorted.end());
    return sorted[static_cast<size_t>(p * (sorted.size() - 1))];
  }
  size_t samples() const { return m_lateMs.size(); }

 private:
  static constexpr int kIntervalMs = 10;
  QTimer m_timer;
  QElapsedTimer m_clock;
  qint64 m_last = -1;
  std::vector<double> m_lateMs;
};

class TrainPageTest : public ::testing::Test {
 protected:
  testing::TestStore store;
  app::TrainingSession session;
};

TEST_F(TrainPageTest, TrainsWatchesPausesStopsAndFindsBothRuns) {
  MainWindow window(store.path());
  testing::withStoreCatalog(window);
  TrainPage& page = *window.trainPage();
  page.setBackend(&session);
  window.showPlace(Place::Train);
  window.show();
  ASSERT_TRUE(page.selectTemplate(QStringLiteral("mlp")));
  page.setDataset(fashionSlice(3000));
  page.setTrainConfig(quickConfig(2));
  page.setRunName(QStringLiteral("gui slice"));
  QSignalSpy finished(&page, &TrainPage::trainingFinished);

  LatencyProbe probe;
  QTest::mouseClick(button(page, "startButton"), Qt::LeftButton);
  ASSERT_TRUE(page.trainingActive());
  // The charts and the progress bar move while the run trains.
  ASSERT_TRUE(testing::waitUntil([&] { return page.lossChart()->trainingPointCount() >= 2; },
                                 kRunTimeoutMs));
  const int firstPoints = page.lossChart()->trainingPointCount();
  const int firstProgress = page.progressBar()->value();
  ASSERT_TRUE(testing::waitUntil(
      [&] { return page.lossChart()->trainingPointCount() > firstPoints; }, kRunTimeoutMs));
  EXPECT_GT(page.progressBar()->value(), firstProgress);

  // Paused, the run holds between two batches and nothing more arrives.
  QTest::mouseClick(button(page, "pauseButton"), Qt::LeftButton);
  // Held, and everything reported before the hold handed over to the page.
  ASSERT_TRUE(testing::waitUntil([&] { return session.holding() && !session.reportsPending(); },
                                 kRunTimeoutMs));
  EXPECT_EQ(button(page, "pauseButton")->text(), QStringLiteral("Resume"));
  const int pausedPoints = page.lossChart()->trainingPointCount();
  const int pausedProgress = page.progressBar()->value();
  QTest::qWait(300);  // a window in which a running trainer would report several batches
  EXPECT_EQ(page.lossChart()->trainingPointCount(), pausedPoints);
  EXPECT_EQ(page.progressBar()->value(), pausedProgress);
  EXPECT_FALSE(session.reportsPending());
  // The training job marked the pause in the store, so the Runs place says "Paused" too.
  const QAbstractItemModel& runs =
      *window.findChild<RunsPage*>()->findChild<QTableView*>()->model();
  EXPECT_TRUE(testing::waitUntil([&] {
    return runs.rowCount() == 1 &&
           runs.index(0, RunsTableModel::StatusColumn).data().toString() == "Paused";
  }));
  QTest::mouseClick(button(page, "pauseButton"), Qt::LeftButton);
  ASSERT_TRUE(testing::waitUntil(
      [&] { return page.lossChart()->trainingPointCount() > pausedPoints; }, kRunTimeoutMs));

  ASSERT_TRUE(testing::waitUntil([&] { return finished.count() >= 1; }, kRunTimeoutMs));
  EXPECT_EQ(finished.at(0).at(1).toString(), QStringLiteral("completed"))
      << page.statusText().toStdString();
  const qint64 firstRun = finished.at(0).at(0).toLongLong();
  EXPECT_EQ(page.accuracyChart()->validationPointCount(), 2);
  EXPECT_GE(page.lossChart()->bestEpoch(), 1);
  EXPECT_EQ(page.progressBar()->format(), QStringLiteral("completed"));
  EXPECT_EQ(page.confusionView()->matrix().labels.size(), 10U);
  auto* finals = page.findChild<QTableWidget*>(QStringLiteral("finalMetrics"));
  ASSERT_NE(finals, nullptr);
  EXPECT_GE(finals->rowCount(), 2);

  // A second, longer run stopped in the middle of an epoch.
  page.setTrainConfig(quickConfig(40));
  page.setRunName(QStringLiteral("stopped"));
  QTest::mouseClick(button(page, "startButton"), Qt::LeftButton);
  ASSERT_TRUE(testing::waitUntil([&] { return page.lossChart()->trainingPointCount() >= 3; },
                                 kRunTimeoutMs));
  QTest::mouseClick(button(page, "stopButton"), Qt::LeftButton);
  ASSERT_TRUE(testing::waitUntil([&] { return finished.count() >= 2; }, kRunTimeoutMs));
  EXPECT_EQ(finished.at(1).at(1).toString(), QStringLiteral("cancelled"));
  EXPECT_FALSE(page.trainingActive());

  const storage::RunQuery query(store.path().toStdString());
  const auto first = query.run(firstRun);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->summary.status, storage::RunStatus::Completed);
  EXPECT_EQ(first->summary.name, "gui slice");
  const auto second = query.run(finished.at(1).at(0).toLongLong());
  ASSERT_TRUE(second);
  EXPECT_EQ(second->summary.status, storage::RunStatus::Cancelled);

  std::printf(
      "event-loop latency over two runs: p50 %.1f ms, p99 %.1f ms, max %.1f ms over "
      "%zu ticks\n",
      probe.percentile(0.5), probe.percentile(0.99), probe.percentile(1.0), probe.samples());
  ::testing::Test::RecordProperty("latency_p99_ms", std::to_string(probe.percentile(0.99)));

  // Both are in the Runs place.
  window.showPlace(Place::Runs);
  auto* runsPage = window.findChild<RunsPage*>();
  ASSERT_NE(runsPage, nullptr);
  auto* table = runsPage->findChild<QTableView*>();
  ASSERT_NE(table, nullptr);
  EXPECT_TRUE(testing::waitUntil([&] { return table->model()->rowCount() == 2; }))
      << table->model()->rowCount() << " runs listed";

  // Opening the completed run shows its stored curves, best epoch and confusion matrix.
  int completedRow = -1;
  for (int row = 0; row < table->model()->rowCount(); ++row) {
    for (int column = 0; column < table->model()->columnCount(); ++column) {
      if (table->model()->index(row, column).data().toString() == QStringLiteral("gui slice"))
        completedRow = row;
    }
  }
  ASSERT_GE(completedRow, 0);
  const QRect cell = table->visualRect(table->model()->index(completedRow, 1));
  QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, cell.center());
  QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, cell.center());
  auto* detail = runsPage->findChild<RunDetailPanel*>();
  ASSERT_NE(detail, nullptr);
  ASSERT_TRUE(testing::waitUntil([&] { return detail->runId() == firstRun; }));
  EXPECT_GT(detail->lossChart()->trainingPointCount(), 10);
  EXPECT_EQ(detail->lossChart()->validationPointCount(), 2);
  EXPECT_GE(detail->lossChart()->bestEpoch(), 1);
  EXPECT_EQ(detail->confusionView()->matrix().labels.size(), 10U);
}

// The device list is the session's: the CPU with the threads a run really gets.
TEST_F(TrainPageTest, TheDeviceListNamesTheThreadsARunGets) {
  TrainPage page;
  auto* devices = testing::child<QComboBox>(page, "deviceChoice");
  ASSERT_NE(devices, nullptr);
  page.setBackend(&session);
  const std::vector<DeviceChoice> choices = session.devices();
  ASSERT_GE(choices.size(), 2U);
  ASSERT_EQ(devices->count(), static_cast<int>(choices.size()));
  EXPECT_EQ(devices->itemData(0).toString(), QStringLiteral("auto"));
  const int cpu = devices->findData(QStringLiteral("cpu"));
  ASSERT_GE(cpu, 0);
  // The tests run with OMP_NUM_THREADS=1, which is what a run started here would use.
  EXPECT_EQ(devices->itemText(cpu), QStringLiteral("CPU (1 thread)"));

  devices->setCurrentIndex(cpu);
  EXPECT_EQ(page.trainConfig().device, "cpu");
}

// A residual block drawn in the Model place trains for an epoch from there.
TEST_F(TrainPageTest, AResidualBlockDrawnInTheEditorTrains) {
  MainWindow window(store.path());
  window.trainPage()->setBackend(&session);
  ModelPage& editor = *window.modelPage();
  engine::ModelSpec drawn;
  drawn.name = "drawn residual";
  drawn.inputShape = {1, 28, 28};
  editor.setModel(drawn);
  EditorModel& model = editor.editorModel();
  QUndoStack& undo = editor.undoStack();
  auto add = [&](const std::string& type, std::vector<std::string> inputs, int units = 0) {
    engine::NodeSpec node{.id = model.freshId(type),
                          .type = type,
                          .inputs = std::move(inputs),
                          .params = EditorModel::startingParams(type)};
    if (units > 0) node.params["units"] = units;
    undo.push(new AddNodeCommand(model, node, QPointF()));
    return node.id;
  };
  const std::string flat = add("Flatten", {engine::kInputName});
  const std::string a = add("Dense", {flat}, 32);
  const std::string act = add("ReLU", {a});
  const std::string b = add("Dense", {act}, 32);
  const std::string sum = add("Add", {b, a});
  const std::string out = add("Dense", {sum}, 10);
  undo.push(new SetOutputsCommand(model, {out}));
  ASSERT_TRUE(model.analysis().ok()) << model.analysis().problems.front().describe();

  QSignalSpy finished(window.trainPage(), &TrainPage::trainingFinished);
  window.show();
  Q_EMIT editor.trainRequested();
  EXPECT_EQ(window.currentPlace(), Place::Train);
  EXPECT_EQ(window.trainPage()->model().name, "drawn residual");
  window.trainPage()->setDataset(fashionSlice(1000));
  window.trainPage()->setTrainConfig(quickConfig(1));
  ASSERT_TRUE(window.trainPage()->startTraining());
  ASSERT_TRUE(testing::waitUntil([&] { return finished.count() >= 1; }, kRunTimeoutMs));
  EXPECT_EQ(finished.at(0).at(1).toString(), QStringLiteral("completed"))
      << window.trainPage()->statusText().toStdString();
  const auto runs = storage::RunQuery(store.path().toStdString()).listRuns();
  ASSERT_EQ(runs.size(), 1U);
  EXPECT_EQ(runs[0].name, "drawn residual");
}

TEST_F(TrainPageTest, AModelThatDoesNotFitTheDataIsExplainedNotCrashed) {
  TrainPage page;
  page.setBackend(&session);
  page.setStorePath(store.path());
  ASSERT_TRUE(page.selectTemplate(QStringLiteral("tabular_mlp")));  // input [4]
  page.setDataset(fashionSlice(200));                               // images [1, 28, 28]
  page.setTrainConfig(quickConfig(1));
  QSignalSpy finished(&page, &TrainPage::trainingFinished);
  ASSERT_TRUE(page.startTraining());
  ASSERT_TRUE(testing::waitUntil([&] { return finished.count() >= 1; }, kRunTimeoutMs));
  EXPECT_EQ(finished.at(0).at(1).toString(), QStringLiteral("refused"));
  EXPECT_TRUE(page.statusText().contains(QStringLiteral("expects input [4]")))
      << page.statusText().toStdString();
  EXPECT_TRUE(storage::RunQuery(store.path().toStdString()).listRuns().empty());
  EXPECT_FALSE(page.trainingActive());
}

TEST_F(TrainPageTest, QuittingDuringTrainingAsksThenStoresTheRunAsCancelled) {
  auto* window = new MainWindow(store.path());
  window->setAttribute(Qt::WA_DeleteOnClose, false);
  TrainPage& page = *window->trainPage();
  page.setBackend(&session);
  page.setDataset(fashionSlice(1200));
  page.setTrainConfig(quickConfig(40));
  window->show();
  QSignalSpy finished(&page, &TrainPage::trainingFinished);
  ASSERT_TRUE(page.startTraining());
  ASSERT_TRUE(testing::waitUntil([&] { return page.lossChart()->trainingPointCount() >= 2; },
                                 kRunTimeoutMs));

  // Answer the question the window asks with Yes, as a user would.
  bool asked = false;
  QTimer::singleShot(0, [&asked] {
    for (QWidget* widget : QApplication::topLevelWidgets()) {
      if (auto* box = qobject_cast<QMessageBox*>(widget)) {
        asked = true;
        box->button(QMessageBox::Yes)->click();
      }
    }
  });
  window->close();
  EXPECT_TRUE(asked);
  EXPECT_TRUE(window->isVisible()) << "the window waits for the run to stop";
  ASSERT_TRUE(testing::waitUntil([&] { return finished.count() >= 1; }, kRunTimeoutMs));
  ASSERT_TRUE(testing::waitUntil([&] { return !window->isVisible(); }, 5000));
  const auto runs = storage::RunQuery(store.path().toStdString()).listRuns();
  ASSERT_EQ(runs.size(), 1U);
  EXPECT_EQ(runs[0].status, storage::RunStatus::Cancelled);
  delete window;
}

// A run trained by layerlab-cli in another process appears in the Runs place while it trains,
// and its row follows it to its end (here a Ctrl-C, so the test never races a fast run).
TEST(RunsPlaceLiveTest, ARunOfAnotherProcessShowsUpAndUpdates) {
  testing::TestStore store;
  RunsPage page(store.path());
  testing::withStoreCatalog(page);
  page.show();
  auto* table = page.findChild<QTableView*>();
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->model()->rowCount(), 0);
  test::ChildProcess cli(
      LAYERLAB_CLI_PATH,
      {"train", "--model",
       std::string(LAYERLAB_SOURCE_DIR) + "/resources/templates/mlp.layerlab.json", "--limit",
       "20000", "--epochs", "500", "--threads", "1", "--db", store.path().toStdString(), "--name",
       "from the terminal"});
  auto rowText = [&] {
    QStringList cells;
    for (int column = 0; column < table->model()->columnCount(); ++column)
      cells << table->model()->index(0, column).data().toString();
    return cells.join(QLatin1Char('|'));
  };
  ASSERT_TRUE(testing::waitUntil([&] { return table->model()->rowCount() == 1; }, kRunTimeoutMs));
  EXPECT_TRUE(rowText().contains(QStringLiteral("from the terminal")));
  EXPECT_TRUE(rowText().contains(QStringLiteral("Running"))) << rowText().toStdString();
  cli.sendSignal(SIGINT);
  ASSERT_TRUE(testing::waitUntil([&] { return rowText().contains(QStringLiteral("Cancelled")); },
                                 kRunTimeoutMs))
      << rowText().toStdString();
  EXPECT_EQ(cli.wait().exitCode, 130);
}

TEST(MetricChartTest, DrawingFewerPointsKeepsEveryExtreme) {
  MetricChart chart(QStringLiteral("Loss"), false);
  chart.resize(400, 300);
  std::vector<storage::SeriesPoint> points;
  for (int i = 1; i <= 100000; ++i) {
    double value = 1.0 + 0.1 * std::sin(i * 0.01);
    if (i == 31337) value = 25.0;  // a spike
    if (i == 77777) value = -4.0;  // a dip
    points.push_back({.step = i, .epoch = 1 + i / 1000, .wallTime = i * 0.01, .value = value});
  }
  chart.appendTraining(points);
  chart.refresh();
  const auto& drawn = chart.drawnTraining();
  EXPECT_LT(drawn.size(), 5000U);
  auto has = [&drawn](int64_t step) {
    return std::any_of(drawn.begin(), drawn.end(),
                       [step](const storage::SeriesPoint& p) { return p.step == step; });
  };
  EXPECT_TRUE(has(31337));
  EXPECT_TRUE(has(77777));
  EXPECT_TRUE(has(1));
  EXPECT_TRUE(has(100000));

  // Log scale leaves out what it cannot draw (the dip below zero) without losing the spike.
  chart.setLogScale(true);
  EXPECT_TRUE(chart.logScale());
  EXPECT_TRUE(has(31337));
}

}  // namespace
}  // namespace layerlab::ui
