// The pair of loss and accuracy charts with its axis and scale controls, drawing a run written
// to a real store.
#include <QCheckBox>
#include <QComboBox>
#include <QTest>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "storage/run_query.h"
#include "storage/run_store.h"
#include "tests/ui/test_store.h"
#include "ui/charts/training_charts.h"

namespace layerlab::ui {
namespace {

constexpr int kEpochs = 3;
constexpr int kStepsPerEpoch = 500;

// A run whose validation loss is lowest at epoch 2 and whose training loss spikes once.
int64_t writeRunWithBatches(const QString& path) {
  storage::RunStore store(path.toStdString());
  storage::NewRun run;
  run.name = "curves";
  run.modelJson = R"({"format":"layerlab.model","version":1})";
  run.configJson = R"({"format":"layerlab.train","version":1})";
  run.datasetJson = R"({"format":"layerlab.dataset","version":1})";
  run.device = "cpu";
  run.appVersion = "test";
  const int64_t id = store.createRun(run);
  const double valLoss[kEpochs] = {0.9, 0.5, 0.7};
  int64_t step = 0;
  for (int epoch = 1; epoch <= kEpochs; ++epoch) {
    for (int batch = 1; batch <= kStepsPerEpoch; ++batch) {
      ++step;
      const double loss = step == 777 ? 40.0 : 1.0 / std::sqrt(static_cast<double>(step));
      store.bufferBatchSample(
          id, {step, epoch, step * 0.01, {{"train", "loss", loss}, {"train", "accuracy", 0.5}}});
    }
    store.appendEpoch(id, {epoch,
                           step,
                           step * 0.01,
                           {{"train", "loss", 0.5},
                            {"val", "loss", valLoss[epoch - 1]},
                            {"val", "accuracy", 0.8 + epoch / 100.0}}});
  }
  store.finishRun(id, storage::RunStatus::Completed, {}, "");
  return id;
}

TEST(TrainingChartsTest, AStoredRunShowsItsCurvesAndBestEpoch) {
  testing::TestStore folder;
  const QString path = folder.file(QStringLiteral("curves.db"));
  const int64_t id = writeRunWithBatches(path);

  TrainingCharts charts;
  charts.resize(900, 400);
  charts.showStoredRun(storage::RunQuery(path.toStdString()), id);
  EXPECT_EQ(charts.lossChart()->trainingPointCount(), kEpochs * kStepsPerEpoch);
  EXPECT_EQ(charts.lossChart()->validationPointCount(), kEpochs);
  EXPECT_EQ(charts.accuracyChart()->validationPointCount(), kEpochs);
  EXPECT_EQ(charts.lossChart()->bestEpoch(), 2);
  EXPECT_EQ(charts.accuracyChart()->bestEpoch(), 2);
  // The spike survives both reductions (the store's and the chart's).
  const auto& drawn = charts.lossChart()->drawnTraining();
  EXPECT_LT(drawn.size(), static_cast<size_t>(kEpochs * kStepsPerEpoch));
  EXPECT_TRUE(std::any_of(drawn.begin(), drawn.end(),
                          [](const storage::SeriesPoint& p) { return p.step == 777; }));

  // The bar drives both charts' x axis and the loss chart's scale.
  auto* axis = charts.findChild<QComboBox*>(QStringLiteral("chartXAxis"));
  ASSERT_NE(axis, nullptr);
  axis->setCurrentIndex(static_cast<int>(ChartXAxis::WallTime));
  EXPECT_EQ(charts.lossChart()->xAxis(), ChartXAxis::WallTime);
  EXPECT_EQ(charts.accuracyChart()->xAxis(), ChartXAxis::WallTime);
  charts.setXAxis(ChartXAxis::Epoch);
  EXPECT_EQ(axis->currentIndex(), static_cast<int>(ChartXAxis::Epoch));
  EXPECT_EQ(charts.accuracyChart()->xAxis(), ChartXAxis::Epoch);
  auto* logScale = charts.findChild<QCheckBox*>(QStringLiteral("chartLogScale"));
  ASSERT_NE(logScale, nullptr);
  QTest::mouseClick(logScale, Qt::LeftButton);
  EXPECT_TRUE(charts.lossChart()->logScale());
  EXPECT_FALSE(charts.accuracyChart()->logScale());

  charts.clear();
  EXPECT_EQ(charts.lossChart()->trainingPointCount(), 0);
  EXPECT_EQ(charts.lossChart()->bestEpoch(), 0);
}

TEST(TrainingChartsTest, TheBestEpochFallsBackToTrainingLoss) {
  std::vector<storage::EpochMetrics> epochs(3);
  const double trainLoss[] = {0.4, 0.3, 0.35};
  for (int i = 0; i < 3; ++i) {
    epochs[i].epoch = i + 1;
    epochs[i].values["train_loss"] = trainLoss[i];
  }
  EXPECT_EQ(TrainingCharts::bestEpochOf(epochs), 2);
  epochs[2].values["val_loss"] = 0.1;  // validation, where there is some, wins
  EXPECT_EQ(TrainingCharts::bestEpochOf(epochs), 3);
  EXPECT_EQ(TrainingCharts::bestEpochOf({}), 0);
}

// The marker follows the run's monitor as the store does: the earliest of tied best values.
TEST(TrainingChartsTest, TheBestEpochFollowsTheMonitorAndKeepsTheEarlierOfTies) {
  std::vector<storage::EpochMetrics> epochs(4);
  const double valLoss[] = {0.9, 0.5, 0.5, 0.6};
  const double valAccuracy[] = {0.5, 0.7, 0.8, 0.8};
  for (int i = 0; i < 4; ++i) {
    epochs[i].epoch = i + 1;
    epochs[i].values["val_loss"] = valLoss[i];
    epochs[i].values["val_accuracy"] = valAccuracy[i];
  }
  EXPECT_EQ(TrainingCharts::bestEpochOf(epochs, "val_loss"), 2);
  EXPECT_EQ(TrainingCharts::bestEpochOf(epochs, "val_accuracy"), 3);
  epochs[2].superseded = true;  // a resumed run wrote epoch 3 again
  EXPECT_EQ(TrainingCharts::bestEpochOf(epochs, "val_accuracy"), 4);
  EXPECT_EQ(TrainingCharts::monitorOf(R"({"format":"layerlab.train","monitor":"val_accuracy"})"),
            "val_accuracy");
  EXPECT_EQ(TrainingCharts::monitorOf(R"({"format":"layerlab.train"})"), "val_loss");
  EXPECT_EQ(TrainingCharts::monitorOf("not json"), "val_loss");
}

}  // namespace
}  // namespace layerlab::ui
