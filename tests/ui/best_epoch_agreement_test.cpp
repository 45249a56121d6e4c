// One best epoch in every place: a real run trained from the Train place on a Fashion-MNIST
// slice, monitored on val_loss and then on val_accuracy, and the best epoch read from each place
// that names one: the trainer's report, the Train page's chart marker, the store's SQL columns,
// RunQuery::bestEpochs and the stored run's charts, all against the values stored per epoch.
#include <QSignalSpy>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "app/gui/training_session.h"
#include "storage/run_query.h"
#include "tests/ui/gui_test_support.h"
#include "tests/ui/test_store.h"
#include "ui/charts/metric_chart.h"
#include "ui/charts/training_charts.h"
#include "ui/training/train_page.h"

namespace layerlab::ui {
namespace {

constexpr int kRunTimeoutMs = 180000;

// The earliest epoch with the best stored value of `key`, worked out here without the series
// module.
int bestStoredEpoch(const std::vector<storage::EpochMetrics>& epochs, const std::string& key,
                    bool higherIsBetter) {
  int best = 0;
  double bestValue = 0.0;
  for (const storage::EpochMetrics& epoch : epochs) {
    const auto found = epoch.values.find(key);
    if (epoch.superseded || found == epoch.values.end() || !std::isfinite(found->second)) continue;
    const double value = found->second;
    if (best == 0 || (higherIsBetter ? value > bestValue : value < bestValue)) {
      best = epoch.epoch;
      bestValue = value;
    }
  }
  return best;
}

class BestEpochAgreementTest : public ::testing::TestWithParam<const char*> {
 protected:
  testing::TestStore store;
  app::TrainingSession session;
};

TEST_P(BestEpochAgreementTest, TrainerPageStoreAndStoredChartsNameTheSameEpoch) {
  const std::string monitor = GetParam();
  const std::string metricName = monitor.substr(4);  // "loss" or "accuracy"
  TrainPage page;
  page.setStorePath(store.path());
  page.setBackend(&session);
  ASSERT_TRUE(page.selectTemplate(QStringLiteral("mlp")));
  engine::DatasetSpec data;
  data.limit = 1200;
  page.setDataset(data);
  engine::TrainConfig config;
  config.epochs = 5;
  config.batchSize = 32;
  config.logEveryBatches = 4;
  config.threads = 1;
  config.monitor = monitor;
  page.setTrainConfig(config);
  ASSERT_EQ(page.trainConfig().monitor, monitor);

  TrainingResult result;
  QObject::connect(&session, &TrainingBackend::finished,
                   [&result](const TrainingResult& finished) { result = finished; });
  QSignalSpy finished(&page, &TrainPage::trainingFinished);
  ASSERT_TRUE(page.startTraining());
  ASSERT_TRUE(testing::waitUntil([&] { return finished.count() >= 1; }, kRunTimeoutMs));
  ASSERT_EQ(result.status, QStringLiteral("completed")) << result.error.toStdString();
  ASSERT_EQ(result.epochsDone, config.epochs);

  const storage::RunQuery query(store.path().toStdString());
  const std::vector<storage::EpochMetrics> epochs = query.epochs(result.runId);
  ASSERT_EQ(epochs.size(), static_cast<size_t>(config.epochs));
  const bool higher = metricName == "accuracy";
  const int expected = bestStoredEpoch(epochs, monitor, higher);
  ASSERT_GE(expected, 1);
  std::printf("%s: best epoch %d of %d\n", monitor.c_str(), expected, config.epochs);

  EXPECT_EQ(result.bestEpoch, expected) << "the trainer's report";
  EXPECT_EQ(page.lossChart()->bestEpoch(), expected) << "the Train page's loss chart";
  EXPECT_EQ(page.accuracyChart()->bestEpoch(), expected) << "the Train page's accuracy chart";
  const auto run = query.run(result.runId);
  ASSERT_TRUE(run);
  EXPECT_EQ(higher ? run->summary.bestValAccuracyEpoch : run->summary.bestValLossEpoch, expected)
      << "the store's best columns (SQL)";
  EXPECT_EQ(query.bestEpochs({"val", metricName}).at(result.runId).epoch, expected)
      << "RunQuery::bestEpochs";
  TrainingCharts stored;
  stored.showStoredRun(query, result.runId);
  EXPECT_EQ(stored.lossChart()->bestEpoch(), expected) << "the stored run's charts";
  EXPECT_EQ(TrainingCharts::monitorOf(run->configJson), monitor);
}

INSTANTIATE_TEST_SUITE_P(Monitors, BestEpochAgreementTest,
                         ::testing::Values("val_loss", "val_accuracy"));

}  // namespace
}  // namespace layerlab::ui
