// The series rules as tables: which metrics are better higher, the best epoch with its ties,
// the debiased smoothing against values worked out by hand, what decimation keeps, durations.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "series/best_epoch.h"
#include "series/decimate.h"
#include "series/duration.h"
#include "series/metric_direction.h"
#include "series/smoothing.h"

namespace layerlab::series {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(MetricDirection, AccuracyLikeMetricsAreBetterHigherInEverySplit) {
  const struct {
    const char* metric;
    bool higher;
  } cases[] = {
      {"accuracy", true},
      {"val_accuracy", true},
      {"train_accuracy", true},
      {"test_f1", true},
      {"r2", true},
      {"val_precision", true},
      {"recall", true},
      {"loss", false},
      {"val_loss", false},
      {"train_loss", false},
      {"mse", false},
      {"mae", false},
      {"learning_rate", false},
      {"", false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(higherIsBetter(c.metric), c.higher) << c.metric;
}

TEST(MetricDirection, OnlyFiniteValuesBeatAndMinDeltaIsAMargin) {
  const struct {
    double value, best;
    bool higher;
    double minDelta;
    bool beats;
  } cases[] = {
      {0.5, 0.6, false, 0.0, true},   {0.6, 0.6, false, 0.0, false},
      {0.55, 0.6, false, 0.1, false}, {0.45, 0.6, false, 0.1, true},
      {0.7, 0.6, true, 0.0, true},    {0.6, 0.6, true, 0.0, false},
      {kNaN, 0.6, false, 0.0, false}, {-kInf, 0.6, false, 0.0, false},
      {kInf, 0.6, true, 0.0, false},  {0.9, kNaN, false, 0.0, true},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(beats(c.value, c.best, c.higher, c.minDelta), c.beats)
        << c.value << " vs " << c.best << (c.higher ? " higher" : " lower") << " by " << c.minDelta;
  }
}

TEST(BestEpoch, EarliestBestFiniteValueUnderEachMonitor) {
  const struct {
    const char* monitor;
    std::vector<EpochValue> values;
    int best;
  } cases[] = {
      {"val_loss", {{1, 0.9}, {2, 0.5}, {3, 0.7}}, 2},
      {"val_loss", {{1, 0.9}, {2, 0.4}, {3, 0.4}, {4, 0.6}}, 2},        // tie: earliest
      {"val_loss", {{3, 0.4}, {1, 0.9}, {2, 0.4}}, 2},                  // any order
      {"val_loss", {{1, kNaN}, {2, 0.8}, {3, -kInf}, {4, 0.7}}, 4},     // only finite
      {"val_accuracy", {{1, 0.5}, {2, 0.75}, {3, 0.75}, {4, 0.7}}, 2},  // tie: earliest
      {"val_accuracy", {{1, 0.5}, {2, 0.4}, {3, 0.6}}, 3},
      {"val_accuracy", {{1, kNaN}, {2, kInf}}, 0},  // nothing finite
      {"val_accuracy", {}, 0},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(bestEpochOf(c.values, c.monitor), c.best) << c.monitor;
    // The running form agrees when fed in epoch order.
    std::vector<EpochValue> ordered = c.values;
    std::sort(ordered.begin(), ordered.end(),
              [](const EpochValue& a, const EpochValue& b) { return a.epoch < b.epoch; });
    BestEpoch running(higherIsBetter(c.monitor));
    for (const EpochValue& one : ordered)
      running.offer(one.epoch, one.value);
    EXPECT_EQ(running.epoch(), c.best) << c.monitor << " (running)";
  }
}

TEST(Smoothing, DebiasedAverageMatchesHandWorkedValues) {
  // w = 0.5 on 1, 2, 3: sums 0.5, 1.25, 2.125 over norms 0.5, 0.75, 0.875.
  const std::vector<double> values{1.0, 2.0, 3.0};
  const std::vector<double> smoothed = smooth(values, 0.5);
  ASSERT_EQ(smoothed.size(), 3U);
  EXPECT_DOUBLE_EQ(smoothed[0], 1.0);
  EXPECT_DOUBLE_EQ(smoothed[1], 1.25 / 0.75);
  EXPECT_DOUBLE_EQ(smoothed[2], 2.125 / 0.875);
  // A short run at a high weight does not lag towards zero: without the debiasing the first
  // values of 0.37 would read 0.0037, 0.0074, …
  for (const double one : smooth(std::vector<double>(5, 0.37), 0.99))
    EXPECT_NEAR(one, 0.37, 1e-12);
  // Falling from 2 to 1 at w = 0.9: 2, then (0.18 + 0.1) / 0.19.
  const std::vector<double> falling = smooth(std::vector<double>{2.0, 1.0}, 0.9);
  EXPECT_NEAR(falling[1], 0.28 / 0.19, 1e-12);
}

TEST(Smoothing, NonFiniteValuesPassThroughAndWeightsAreClamped) {
  const std::vector<double> smoothed = smooth(std::vector<double>{1.0, kNaN, 3.0, kInf}, 0.5);
  EXPECT_DOUBLE_EQ(smoothed[0], 1.0);
  EXPECT_TRUE(std::isnan(smoothed[1]));
  EXPECT_DOUBLE_EQ(smoothed[2], (0.25 + 1.5) / 0.75) << "the NaN left the average alone";
  EXPECT_EQ(smoothed[3], kInf);
  const std::vector<double> raw{4.0, 1.0, 7.0};
  EXPECT_EQ(smooth(raw, 0.0), raw);
  EXPECT_EQ(smooth(raw, -3.0), raw);
  EXPECT_TRUE(std::isfinite(smooth(raw, 1.0).back())) << "weight 1 is clamped below 1";
  // The running form gives the same numbers, and starts over after reset().
  ExponentialAverage average(0.5);
  average.add(100.0);
  average.reset();
  EXPECT_DOUBLE_EQ(average.add(1.0), 1.0);
  EXPECT_DOUBLE_EQ(average.add(2.0), smooth(std::vector<double>{1.0, 2.0}, 0.5)[1]);
}

TEST(Decimate, KeepsEndpointsAndEveryStretchesExtremesWithinTheCap) {
  std::vector<double> values(1000);
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = std::sin(static_cast<double>(i) / 7.0);
  values[417] = 50.0;   // a spike
  values[611] = -50.0;  // a dip
  values[803] = kNaN;   // a divergence
  for (const size_t cap : {3U, 4U, 10U, 101U, 200U}) {
    const std::vector<size_t> kept = decimate(values, cap);
    EXPECT_LE(kept.size(), cap) << cap;
    ASSERT_GE(kept.size(), 2U);
    EXPECT_EQ(kept.front(), 0U);
    EXPECT_EQ(kept.back(), values.size() - 1);
    EXPECT_TRUE(std::is_sorted(kept.begin(), kept.end()));
    EXPECT_EQ(std::adjacent_find(kept.begin(), kept.end()), kept.end()) << "no index twice";
    if (cap < 10) continue;  // too few stretches to hold each extreme apart
    for (const size_t extreme : {417U, 611U, 803U})
      EXPECT_NE(std::find(kept.begin(), kept.end(), extreme), kept.end()) << cap << " " << extreme;
  }
}

TEST(Decimate, ShortSeriesAndNoCapKeepEverything) {
  const std::vector<double> values{3.0, 1.0, 2.0};
  EXPECT_EQ(decimate(values, 0), (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(decimate(values, 3), (std::vector<size_t>{0, 1, 2}));
  EXPECT_EQ(decimate(values, 1), (std::vector<size_t>{0}));
  EXPECT_EQ(decimate(values, 2), (std::vector<size_t>{0, 2}));
  EXPECT_TRUE(decimate(std::vector<double>{}, 5).empty());
  struct Point {
    int step;
    double value;
  };
  const std::vector<Point> points{{1, 5.0}, {2, 9.0}, {3, 0.0}, {4, 4.0}, {5, 6.0}, {6, 2.0}};
  const std::vector<Point> reduced =
      decimatePoints(points, 4, [](const Point& p) { return p.value; });
  std::vector<int> steps;
  for (const Point& p : reduced)
    steps.push_back(p.step);
  EXPECT_EQ(steps, (std::vector<int>{1, 2, 3, 6})) << "first, the stretch's high and low, last";
}

TEST(Duration, ReadsAsTheCliWritesIt) {
  const struct {
    double seconds;
    const char* text;
  } cases[] = {
      {0.0, "0ms"},
      {0.1204, "120ms"},
      {0.9996, "1s"},
      {4.2, "4s"},
      {59.4, "59s"},
      {59.6, "1m 00s"},
      {65.0, "1m 05s"},
      {3599.0, "59m 59s"},
      {3600.0, "1h 00m 00s"},
      {7387.0, "2h 03m 07s"},
      {kNaN, ""},
      {-1.0, ""},
      {kInf, ""},
  };
  for (const auto& c : cases)
    EXPECT_EQ(formatDuration(c.seconds), c.text) << c.seconds;
}

}  // namespace
}  // namespace layerlab::series
