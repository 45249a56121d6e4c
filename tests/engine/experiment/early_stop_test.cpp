// The early-stopping rules on curves built by hand: which trials ASHA stops at which rung when
// nine trials run one after another, and which trials the median rule stops.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <vector>

#include "engine/experiment/early_stop.h"

namespace layerlab::engine {
namespace {

// A curve of `epochs` values: `atRung1` for epochs 1–2, `atRung3` for 3–8, `atRung9` from 9 on.
TrialCurve steppedCurve(int number, double atRung1, double atRung3, double atRung9, int epochs) {
  TrialCurve curve{number, {}, false};
  for (int e = 1; e <= epochs; ++e)
    curve.values.push_back(e < 3 ? atRung1 : e < 9 ? atRung3 : atRung9);
  return curve;
}

TEST(Asha, RungsAreMinTimesEtaToTheKBelowTheMaximum) {
  EXPECT_EQ(ashaRungs({.minEpochs = 1, .reductionFactor = 3, .maxEpochs = 27}),
            (std::vector<int>{1, 3, 9}));
  EXPECT_EQ(ashaRungs({.minEpochs = 2, .reductionFactor = 2, .maxEpochs = 17}),
            (std::vector<int>{2, 4, 8, 16}));
  EXPECT_EQ(ashaRungs({.minEpochs = 5, .reductionFactor = 3, .maxEpochs = 5}),
            (std::vector<int>{}));
  EXPECT_THROW(ashaRungs({.minEpochs = 1, .reductionFactor = 1, .maxEpochs = 9}),
               std::invalid_argument);
  EXPECT_THROW(ashaRungs({}), std::invalid_argument);  // maxEpochs unset
}

// Nine trials of ten epochs run one after another (one worker), minimising, η = 3, rungs 1, 3
// and 9. Each trial reports an epoch at a time and asks whether to stop, seeing every value
// reported so far.
TEST(Asha, StopsExactlyTheTrialsOutsideTheTopThirdOfEachRung) {
  const AshaOptions options{.minEpochs = 1, .reductionFactor = 3, .maxEpochs = 10};
  const std::vector<TrialCurve> planned = {
      steppedCurve(0, 0.5, 0.45, 0.40, 10), steppedCurve(1, 0.9, 0.85, 0.80, 10),
      steppedCurve(2, 0.7, 0.65, 0.60, 10), steppedCurve(3, 0.1, 0.08, 0.05, 10),
      steppedCurve(4, 0.8, 0.75, 0.70, 10), steppedCurve(5, 0.3, 0.35, 0.30, 10),
      steppedCurve(6, 0.6, 0.55, 0.50, 10), steppedCurve(7, 0.2, 0.06, 0.07, 10),
      steppedCurve(8, 0.4, 0.35, 0.30, 10),
  };
  std::vector<TrialCurve> reported;
  std::map<int, int> stoppedAt;  // trial → epoch
  for (const TrialCurve& plan : planned) {
    reported.push_back({plan.number, {}, false});
    for (int epoch = 1; epoch <= 10; ++epoch) {
      reported.back().values.push_back(plan.values[epoch - 1]);
      if (ashaShouldStop(reported.back(), epoch, reported, Direction::Minimize, options)) {
        stoppedAt[plan.number] = epoch;
        break;
      }
    }
    reported.back().finished = true;
  }
  // Rung 1: trials 0 and 1 go on (fewer than η values); trial 2 (0.7) is not the best of three;
  // trial 3 (0.1) is the best of four; 4 (0.8) is fourth of five; 5 (0.3) second of six, in the
  // top two; 6 (0.6) fifth of seven; 7 (0.2) second of eight; 8 (0.4) fourth of nine (top 3).
  // Rung 3 (trials 0, 1, 3, then 5, 7): 3 (0.08) best of three; 5 (0.35) second of four; 7 (0.06)
  // best of five. Rung 9 (0, 1, 3, then 7): 7 (0.07) is second of four, only the best goes on.
  const std::map<int, int> expected = {{2, 1}, {4, 1}, {6, 1}, {8, 1}, {5, 3}, {7, 9}};
  EXPECT_EQ(stoppedAt, expected);
}

TEST(Asha, ActsOnlyAtRungsFollowsTheDirectionAndNeverWaits) {
  const AshaOptions options{.minEpochs = 1, .reductionFactor = 3, .maxEpochs = 27};
  const std::vector<TrialCurve> all = {steppedCurve(0, 0.9, 0.9, 0.9, 4),
                                       steppedCurve(1, 0.5, 0.5, 0.5, 4),
                                       steppedCurve(2, 0.1, 0.1, 0.1, 4)};
  // The worst of three at rung 1 stops there, and would never be stopped at epoch 2 or 4.
  EXPECT_TRUE(ashaShouldStop(all[0], 1, all, Direction::Minimize, options));
  EXPECT_FALSE(ashaShouldStop(all[0], 2, all, Direction::Minimize, options));
  EXPECT_FALSE(ashaShouldStop(all[0], 4, all, Direction::Minimize, options));
  EXPECT_TRUE(ashaShouldStop(all[0], 3, all, Direction::Minimize, options));
  // Maximising, the same value is the best.
  EXPECT_FALSE(ashaShouldStop(all[0], 1, all, Direction::Maximize, options));
  EXPECT_TRUE(ashaShouldStop(all[2], 1, all, Direction::Maximize, options));
  // Two values at the rung are fewer than η: no one is stopped.
  const std::vector<TrialCurve> two = {all[0], all[2]};
  EXPECT_FALSE(ashaShouldStop(all[0], 1, two, Direction::Minimize, options));
  // A missing value at the rung does not count, and a trial with none goes on.
  std::vector<TrialCurve> gaps = all;
  gaps[1].values[0] = NAN;
  EXPECT_FALSE(ashaShouldStop(gaps[0], 1, gaps, Direction::Minimize, options));
  EXPECT_FALSE(ashaShouldStop(gaps[1], 1, gaps, Direction::Minimize, options));
}

// Three finished trials to compare with. Their running averages at epochs 1–4:
// A 1.0, 0.9, 0.8, 0.725; B 0.9, 0.8, 0.7, 0.6; C 1.2, 1.1, 1.0333, 0.975.
// Medians: 1.0, 0.9, 0.8, 0.725. Their best values so far at epoch 2 would be 0.8, 0.7, 1.0
// (median 0.8): the rule uses the averages, so a trial at 0.85 goes on.
std::vector<TrialCurve> medianReference() {
  return {{0, {1.0, 0.8, 0.6, 0.5}, true},
          {1, {0.9, 0.7, 0.5, 0.4}, true},
          {2, {1.2, 1.0, 0.9, 0.8}, true}};
}

// The first epoch at which the median rule stops `trial`, or 0.
int medianStop(const TrialCurve& trial, std::vector<TrialCurve> others, const MedianOptions& o) {
  others.push_back(trial);  // the trial itself is in `all` and must not count
  for (int epoch = 1; epoch <= static_cast<int>(trial.values.size()); ++epoch) {
    if (medianShouldStop(trial, epoch, others, Direction::Minimize, o)) return epoch;
  }
  return 0;
}

TEST(Median, StopsTrialsWhoseBestIsWorseThanTheMedianOfRunningAverages) {
  const MedianOptions options{.warmupEpochs = 1, .minTrials = 3};
  const struct {
    TrialCurve trial;
    int stopsAt;
  } cases[] = {
      {{10, {1.5, 1.4, 1.3, 1.2}, false}, 2},     // worse from the start; epoch 1 is warm-up
      {{11, {1.1, 0.85, 0.75, 0.7}, false}, 0},   // 0.85 < 0.9, 0.75 < 0.8, 0.7 < 0.725
      {{12, {0.95, 0.92, 0.85, 0.8}, false}, 2},  // 0.92 > 0.9
      {{13, {0.95, 0.88, 0.82, 0.8}, false}, 3},  // 0.88 < 0.9, then 0.82 > 0.8
      {{14, {0.5, 2.0, 2.0, 2.0}, false}, 0},     // its best so far stays 0.5
      {{15, {1.1, NAN, 0.7}, false}, 2},          // no value at 2, but its best so far is 1.1
  };
  for (const auto& c : cases) {
    EXPECT_EQ(medianStop(c.trial, medianReference(), options), c.stopsAt)
        << "trial " << c.trial.number;
  }
}

TEST(Median, NeedsEnoughOtherTrialsAndHonoursTheWarmUp) {
  const TrialCurve bad{10, {1.5, 1.4, 1.3, 1.2}, false};
  std::vector<TrialCurve> twoOthers = medianReference();
  twoOthers.pop_back();
  EXPECT_EQ(medianStop(bad, twoOthers, {.warmupEpochs = 1, .minTrials = 3}), 0);
  EXPECT_EQ(medianStop(bad, twoOthers, {.warmupEpochs = 1, .minTrials = 2}), 2);
  EXPECT_EQ(medianStop(bad, medianReference(), {.warmupEpochs = 3, .minTrials = 3}), 4);
  EXPECT_EQ(medianStop(bad, medianReference(), {.warmupEpochs = 0, .minTrials = 3}), 1);
  // Others that have not reached the epoch do not count.
  std::vector<TrialCurve> short3 = medianReference();
  short3[2].values.resize(2);
  EXPECT_EQ(medianStop(bad, short3, {.warmupEpochs = 2, .minTrials = 3}), 0);
  // Maximising, the same curve is the best one.
  std::vector<TrialCurve> all = medianReference();
  all.push_back(bad);
  EXPECT_FALSE(medianShouldStop(bad, 2, all, Direction::Maximize, {}));
}

}  // namespace
}  // namespace layerlab::engine
