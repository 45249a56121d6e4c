// The Train place's first-use frictions, driven through a backend the test controls: pause and
// resume said at once, no ETA once a run has ended, a run name used once, the last run's charts
// cleared when the data changes, and results that show every metric and a readable confusion
// matrix at 1280×720.
#include <QFontMetrics>
#include <QHeaderView>
#include <QLineEdit>
#include <QProgressBar>
#include <QTableWidget>
#include <QTest>
#include <QValueAxis>

#include <gtest/gtest.h>

#include <cmath>

#include "tests/ui/gui_test_support.h"
#include "ui/charts/confusion_matrix_view.h"
#include "ui/charts/metric_chart.h"
#include "ui/charts/test_results_view.h"
#include "ui/training/train_monitor.h"
#include "ui/training/train_page.h"

namespace layerlab::ui {
namespace {

// A backend whose run does what the test says, when it says.
class ScriptedBackend : public TrainingBackend {
 public:
  bool start(const TrainingRequest& request) override {
    if (m_active) return false;
    last = request;
    m_active = true;
    return true;
  }
  void pause() override { m_paused = true; }
  void resume() override { m_paused = false; }
  void stop() override {}
  bool active() const override { return m_active; }
  bool paused() const override { return m_paused; }
  std::vector<DeviceChoice> devices() const override { return {{"CPU", "cpu"}}; }

  void batch(int64_t step) {
    TrainingUpdate update;
    update.batches.push_back({.epoch = 1,
                              .epochs = 2,
                              .batch = step,
                              .batchesPerEpoch = 10,
                              .step = step,
                              .loss = 1.0 / static_cast<double>(step),
                              .accuracy = 0.5,
                              .samplesPerSecond = 100});
    Q_EMIT updated(update);
  }
  void end(const QString& status, std::vector<std::pair<QString, double>> metrics = {}) {
    m_active = false;
    m_paused = false;
    TrainingResult result{.runId = 1, .status = status, .epochsDone = 1};
    result.finalMetrics = std::move(metrics);
    Q_EMIT finished(result);
  }

  TrainingRequest last;

 private:
  bool m_active = false;
  bool m_paused = false;
};

class TrainFirstUseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    page.setBackend(&backend);
    page.resize(1180, 640);  // the Train place's share of a 1280×720 window
    page.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&page));
  }

  void startRun() {
    ASSERT_TRUE(page.startTraining());
    Q_EMIT backend.started(1, QStringLiteral("CPU"), QStringLiteral("data"), 320, 1000);
    backend.batch(1);
    backend.batch(2);
  }

  ScriptedBackend backend;
  TrainPage page;
};

TEST_F(TrainFirstUseTest, PauseAndResumeAreSaidAtOnceAndTheEndHasNoEta) {
  startRun();
  page.togglePause();
  EXPECT_TRUE(page.statusText().contains(QStringLiteral("paused")))
      << page.statusText().toStdString();
  EXPECT_TRUE(page.monitor()->timingText().contains(QStringLiteral("ETA paused")));
  page.togglePause();
  // Resumed: said now, not when the next batch reports.
  EXPECT_FALSE(page.statusText().contains(QStringLiteral("paused")));
  EXPECT_TRUE(page.statusText().contains(QStringLiteral("training")));
  page.requestStop();
  backend.end(QStringLiteral("cancelled"));
  EXPECT_FALSE(page.monitor()->timingText().contains(QStringLiteral("ETA")))
      << page.monitor()->timingText().toStdString();
  EXPECT_TRUE(page.monitor()->timingText().startsWith(QStringLiteral("took ")));
}

TEST_F(TrainFirstUseTest, ARunNameIsUsedOnceAndNewDataClearsTheLastRunsCharts) {
  auto* name = testing::child<QLineEdit>(page, "runName");
  ASSERT_NE(name, nullptr);
  name->setText(QStringLiteral("first try"));
  startRun();
  EXPECT_EQ(backend.last.runName, QStringLiteral("first try"));
  EXPECT_TRUE(name->text().isEmpty()) << "the next run is not named after this one";
  EXPECT_TRUE(name->placeholderText().contains(QString::fromStdString(page.model().name)));
  backend.end(QStringLiteral("completed"));
  EXPECT_GT(page.lossChart()->trainingPointCount(), 0);
  // The same data again leaves the charts; other data clears them.
  page.setDataset(page.dataset());
  EXPECT_GT(page.lossChart()->trainingPointCount(), 0);
  engine::DatasetSpec other = page.dataset();
  other.limit = 500;
  page.setDataset(other);
  EXPECT_EQ(page.lossChart()->trainingPointCount(), 0);
  EXPECT_TRUE(page.statusText().contains(QStringLiteral("data changed")));
  EXPECT_EQ(page.progressBar()->format(), QStringLiteral("not started"));
}

TEST(TrainChartsFirstUpdate, OnePointGetsAReadableAxisNotASliver) {
  MetricChart chart(QStringLiteral("Loss"), false);
  chart.resize(400, 300);
  chart.appendTraining({{.step = 1, .epoch = 1, .wallTime = 0.1, .value = 0.5}});
  chart.refresh();
  const QList<QAbstractAxis*> vertical = chart.chart()->axes(Qt::Vertical);
  ASSERT_FALSE(vertical.isEmpty());
  const auto* axis = qobject_cast<QValueAxis*>(vertical.front());
  ASSERT_NE(axis, nullptr);
  EXPECT_GE(axis->max() - axis->min(), 0.01) << axis->min() << " to " << axis->max();
  EXPECT_LE(axis->min(), 0.5);
  EXPECT_GE(axis->max(), 0.5);
}

TEST_F(TrainFirstUseTest, ResultsShowEveryMetricAndAReadableMatrixAt1280By720) {
  startRun();
  std::vector<std::pair<QString, double>> metrics;
  for (const char* metric : {"test_loss", "test_accuracy", "test_f1_macro", "test_precision_macro",
                             "test_recall_macro", "test_top3_accuracy", "test_samples"})
    metrics.emplace_back(QString::fromLatin1(metric), 0.5);
  backend.end(QStringLiteral("completed"), metrics);
  storage::ConfusionMatrix matrix;
  matrix.split = "test";
  matrix.labels = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  matrix.counts.assign(100, 3);
  page.monitor()->results()->setMatrix(matrix);
  QApplication::processEvents();

  QTableWidget* table = page.monitor()->results()->metricsTable();
  const int needed = table->horizontalHeader()->height() +
                     table->rowCount() * table->verticalHeader()->defaultSectionSize();
  EXPECT_GE(table->viewport()->height() + table->horizontalHeader()->height(), needed)
      << "only part of the metrics is visible";
  ConfusionMatrixView* view = page.confusionView();
  const ConfusionMatrixView::Layout layout = view->layout();
  const QFontMetrics metricsOfFont(view->font());
  EXPECT_GE(layout.labelWidth, metricsOfFont.horizontalAdvance(QStringLiteral("10  Ankle boot")))
      << "class names are cut off";
  EXPECT_TRUE(layout.countsShown) << "cells too small for their counts: " << layout.cell;
  EXPECT_LE(layout.grid.right(), view->width());
  EXPECT_LE(layout.caption.bottom(), view->height()) << "the caption is clipped";
  EXPECT_GE(layout.caption.width(), metricsOfFont.horizontalAdvance(
                                        QStringLiteral("rows: true class · columns: predicted")));
}

}  // namespace
}  // namespace layerlab::ui
