// Series for charts: several runs and metrics at once, optionally reduced keeping the extremes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "storage/run_query.h"
#include "storage/run_store.h"
#include "store_test_support.h"

namespace layerlab::storage {
namespace {

using testing::metric;
using testing::sampleRun;
using testing::ScratchFolder;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::vector<SeriesPoint> pointsOf(const std::vector<double>& values) {
  std::vector<SeriesPoint> points;
  int64_t step = 0;
  for (double value : values)
    points.push_back(SeriesPoint{++step, 1, 0.0, value, 1, false});
  return points;
}

std::vector<int64_t> stepsOf(const std::vector<SeriesPoint>& points) {
  std::vector<int64_t> steps;
  for (const SeriesPoint& point : points)
    steps.push_back(point.step);
  return steps;
}

struct ReduceCase {
  const char* label;
  std::vector<double> values;
  size_t maxPoints;
  std::vector<int64_t> expectedSteps;
};

TEST(ReduceSeries, KeepsEndsAndExtremesInStepOrder) {
  const ReduceCase cases[] = {
      {"no limit", {1, 2, 3}, 0, {1, 2, 3}},
      {"fits", {1, 2, 3}, 3, {1, 2, 3}},
      {"one point", {5, 1, 9}, 1, {1}},
      {"ends only", {5, 1, 9, 4}, 2, {1, 4}},
      // 8 inner points in 2 stretches of 4: lowest and highest of each.
      {"two stretches", {0, 5, 1, 9, 3, 2, 8, 7, 4, 6}, 6, {1, 3, 4, 6, 7, 10}},
      {"a spike survives", {1, 1, 1, 1, 1, 100, 1, 1, 1, 1, 1, 1}, 4, {1, 2, 6, 12}},
      {"NaN counts as highest", {1, 1, 2, kNaN, 1, 1, 1, 1}, 4, {1, 2, 4, 8}},
  };
  for (const ReduceCase& c : cases) {
    const std::vector<SeriesPoint> reduced = reduceSeries(pointsOf(c.values), c.maxPoints);
    EXPECT_EQ(stepsOf(reduced), c.expectedSteps) << c.label;
    if (c.maxPoints > 0) {
      EXPECT_LE(reduced.size(), c.maxPoints) << c.label;
    }
  }
}

TEST(ReduceSeries, LongSeriesStaysWithinTheLimit) {
  std::vector<double> values;
  for (int i = 0; i < 100000; ++i)
    values.push_back(std::sin(i * 0.001) + (i == 54321 ? 50.0 : 0.0));
  for (size_t limit : {3u, 10u, 101u, 2000u}) {
    const std::vector<SeriesPoint> reduced = reduceSeries(pointsOf(values), limit);
    EXPECT_LE(reduced.size(), limit);
    EXPECT_EQ(reduced.front().step, 1);
    EXPECT_EQ(reduced.back().step, 100000);
    for (size_t i = 1; i < reduced.size(); ++i)
      ASSERT_LT(reduced[i - 1].step, reduced[i].step);
    const std::vector<int64_t> steps = stepsOf(reduced);
    if (limit >= 4) {
      EXPECT_NE(std::find(steps.begin(), steps.end(), 54322), steps.end())
          << "the spike was lost at limit " << limit;
    }
  }
}

TEST(Series, ReadsSeveralRunsAndMetricsInOneCall) {
  ScratchFolder folder;
  const std::string path = folder.file("runs.db");
  RunStore store(path);
  const int64_t a = store.createRun(sampleRun("a"));
  const int64_t b = store.createRun(sampleRun("b"));
  for (int64_t step = 1; step <= 500; ++step) {
    store.bufferBatchSample(a,
                            BatchSample{step,
                                        1,
                                        0.01 * step,
                                        {metric("train", "loss", 1.0 / step),
                                         metric("train", "accuracy", step == 250 ? kNaN : 0.5)}});
  }
  store.appendEpoch(a, EpochRecord{1, 500, 5.0, {metric("val", "loss", 0.3)}});
  store.appendEpoch(b, EpochRecord{1, 10, 1.0, {metric("val", "loss", 0.7)}});

  RunQuery query(path);
  SeriesRequest request;
  request.runIds = {a, b};
  request.metrics = {{"train", "loss"}, {"train", "accuracy"}};
  request.kind = MetricKind::Batch;
  request.maxPoints = 50;
  const std::vector<MetricSeries> series = query.series(request);
  ASSERT_EQ(series.size(), 2u);  // run b has no batch samples
  EXPECT_EQ(series[0].runId, a);
  EXPECT_EQ(series[0].metric, (MetricKey{"train", "loss"}));
  EXPECT_EQ(series[0].storedPoints, 500u);
  EXPECT_LE(series[0].points.size(), 50u);
  EXPECT_EQ(series[0].points.front().value, 1.0);
  EXPECT_EQ(series[0].points.back().step, 500);
  bool sawNaN = false;
  for (const SeriesPoint& point : series[1].points)
    sawNaN = sawNaN || std::isnan(point.value);
  EXPECT_TRUE(sawNaN) << "the NaN sample was reduced away";

  request.kind = MetricKind::Epoch;
  request.metrics = {{"val", "loss"}};
  request.maxPoints = 0;
  const std::vector<MetricSeries> epochs = query.series(request);
  ASSERT_EQ(epochs.size(), 2u);
  EXPECT_EQ(epochs[1].runId, b);
  EXPECT_EQ(epochs[1].points.at(0).value, 0.7);

  EXPECT_EQ(query.metricKeys(a, MetricKind::Batch),
            (std::vector<MetricKey>{{"train", "accuracy"}, {"train", "loss"}}));
  EXPECT_EQ(query.metricKeys(b, MetricKind::Epoch), (std::vector<MetricKey>{{"val", "loss"}}));
}

}  // namespace
}  // namespace layerlab::storage
