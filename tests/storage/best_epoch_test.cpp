// The store's best epochs, two ways: the SQL that fills run_results (RunSummary's best columns)
// and RunQuery::bestEpochs, on real SQLite files, each checked against series::bestEpoch's rule
// for the same values, ties and non-finite values included.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "series/best_epoch.h"
#include "storage/run_query.h"
#include "storage/run_store.h"
#include "store_test_support.h"

namespace layerlab::storage {
namespace {

using testing::metric;
using testing::sampleRun;
using testing::ScratchFolder;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Case {
  std::vector<double> valLoss;
  std::vector<double> valAccuracy;
  int bestLossEpoch;  // worked out by hand
  int bestAccuracyEpoch;
};

std::vector<series::EpochValue> epochValues(const std::vector<double>& values) {
  std::vector<series::EpochValue> out;
  for (size_t i = 0; i < values.size(); ++i)
    out.push_back({static_cast<int>(i + 1), values[i]});
  return out;
}

TEST(StoreBestEpoch, SqlColumnsAndBestEpochsFollowTheSeriesRule) {
  const std::vector<Case> cases{
      {{0.9, 0.5, 0.7}, {0.5, 0.8, 0.7}, 2, 2},
      {{0.9, 0.4, 0.4, 0.6}, {0.5, 0.75, 0.75, 0.7}, 2, 2},  // ties keep the earlier epoch
      {{kNaN, 0.8, 0.3, 0.3}, {kNaN, 0.6, 0.6, 0.9}, 3, 4},  // NaN never counts
      {{0.8, -kInf, 0.6}, {0.2, kInf, 0.3}, 3, 3},           // nor do the infinities
      {{0.5, 0.5, 0.5}, {0.1, 0.1, 0.1}, 1, 1},
  };
  ScratchFolder folder;
  const std::string path = folder.file("runs.db");
  std::vector<int64_t> ids;
  {
    RunStore store(path);
    for (const Case& c : cases) {
      const int64_t id = store.createRun(sampleRun("best"));
      for (size_t i = 0; i < c.valLoss.size(); ++i) {
        const int epoch = static_cast<int>(i + 1);
        store.appendEpoch(id, EpochRecord{epoch,
                                          epoch * 10,
                                          1.0 * epoch,
                                          {metric("val", "loss", c.valLoss[i]),
                                           metric("val", "accuracy", c.valAccuracy[i])}});
      }
      store.finishRun(id, RunStatus::Completed, {});
      ids.push_back(id);
    }
  }
  const RunQuery query(path);
  const auto lossBests = query.bestEpochs({"val", "loss"});
  const auto accuracyBests = query.bestEpochs({"val", "accuracy"});
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const int lossRule = series::bestEpochOf(epochValues(c.valLoss), "val_loss");
    const int accuracyRule = series::bestEpochOf(epochValues(c.valAccuracy), "val_accuracy");
    EXPECT_EQ(lossRule, c.bestLossEpoch) << "case " << i;
    EXPECT_EQ(accuracyRule, c.bestAccuracyEpoch) << "case " << i;
    const auto run = query.run(ids[i]);
    ASSERT_TRUE(run) << "case " << i;
    EXPECT_EQ(run->summary.bestValLossEpoch, lossRule) << "SQL, case " << i;
    EXPECT_EQ(run->summary.bestValAccuracyEpoch, accuracyRule) << "SQL, case " << i;
    EXPECT_EQ(lossBests.at(ids[i]).epoch, lossRule) << "bestEpochs, case " << i;
    EXPECT_EQ(accuracyBests.at(ids[i]).epoch, accuracyRule) << "bestEpochs, case " << i;
  }
}

}  // namespace
}  // namespace layerlab::storage
