// The samplers: a grid covers exactly its points; random and TPE points follow from their seed;
// TPE finds better points than random search on a synthetic objective with a narrow optimum
// (a sign test over seeds); parameter importance ranks a driving parameter first.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "engine/experiment/samplers.h"

namespace layerlab::engine {
namespace {

using nlohmann::json;

SearchSpace spaceOf(const std::vector<std::string>& flags) {
  return searchSpaceFromFlags(flags);
}

std::vector<double> valuesOf(const std::vector<json>& points, const std::string& key) {
  std::set<double> values;
  for (const json& point : points)
    values.insert(point.at(key).get<double>());
  return {values.begin(), values.end()};
}

TEST(Grid, CoversExactlyItsPointsWithEndsAndLogSpacing) {
  const SearchSpace space =
      spaceOf({"act=relu,tanh,gelu", "layers=int:1..4", "lr=log:1e-3..1e-1", "units=int:0..100"});
  const std::vector<json> points = gridPoints(space, 5);
  ASSERT_EQ(points.size(), 3U * 4 * 5 * 5);
  std::set<std::string> unique;
  for (const json& point : points) {
    ASSERT_EQ(point.size(), 4U);
    unique.insert(point.dump());
  }
  EXPECT_EQ(unique.size(), points.size());

  // Every integer of 1..4 (≤ 16 of them); five evenly spaced points of 0..100.
  EXPECT_EQ(valuesOf(points, "layers"), (std::vector<double>{1, 2, 3, 4}));
  EXPECT_EQ(valuesOf(points, "units"), (std::vector<double>{0, 25, 50, 75, 100}));
  EXPECT_TRUE(points.front()["units"].is_number_integer());
  // The log range: both ends exact, a constant ratio between neighbours.
  const std::vector<double> lr = valuesOf(points, "lr");
  ASSERT_EQ(lr.size(), 5U);
  EXPECT_EQ(lr.front(), 1e-3);
  EXPECT_EQ(lr.back(), 1e-1);
  for (size_t i = 1; i < lr.size(); ++i)
    EXPECT_NEAR(lr[i] / lr[i - 1], std::sqrt(10.0), 1e-9) << i;

  // The first parameter varies slowest, the last fastest.
  const size_t block = points.size() / 3;
  for (size_t i = 0; i < points.size(); ++i)
    EXPECT_EQ(points[i]["act"], space.params[0].choices[i / block]) << i;
  EXPECT_NE(points[0]["units"], points[1]["units"]);
  EXPECT_EQ(points[0]["lr"], points[1]["lr"]);
}

TEST(Grid, LogIntsDropRepeatsAndBigGridsAreRefused) {
  const std::vector<json> points = gridPoints(spaceOf({"n=int:log:1..1000"}), 7);
  const std::vector<double> n = valuesOf(points, "n");
  EXPECT_EQ(n.size(), points.size());  // no repeats
  EXPECT_EQ(n.front(), 1);
  EXPECT_EQ(n.back(), 1000);
  EXPECT_EQ(n, (std::vector<double>{1, 3, 10, 32, 100, 316, 1000}));

  const SearchSpace big = spaceOf({"a=int:1..16", "b=int:1..16", "c=int:1..16", "d=int:1..16",
                                   "e=int:1..16"});  // 16^5 = 1,048,576 points
  try {
    gridPoints(big);
    FAIL() << "a grid of a million points was made";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("100000"), std::string::npos) << error.what();
  }
  EXPECT_EQ(gridPoints(spaceOf({"a=int:1..16", "b=int:1..16", "c=int:1..16"})).size(), 4096U);
  EXPECT_THROW(gridPoints(big, 1), std::invalid_argument);
}

// A point stays inside its space: ints whole and within range, choices among their values.
void expectInside(const SearchSpace& space, const json& point) {
  ASSERT_EQ(point.size(), space.params.size()) << point;
  for (const ParamDomain& d : space.params) {
    const json& value = point.at(d.key);
    if (d.kind == ParamDomain::Kind::Choice) {
      EXPECT_NE(std::find(d.choices.begin(), d.choices.end(), value), d.choices.end()) << point;
      continue;
    }
    EXPECT_EQ(value.is_number_integer(), d.kind == ParamDomain::Kind::Int) << point;
    EXPECT_GE(value.get<double>(), d.low) << point;
    EXPECT_LE(value.get<double>(), d.high) << point;
  }
}

const SearchSpace& syntheticSpace() {
  static const SearchSpace space = spaceOf({"lr=log:1e-5..1", "units=int:log:8..1024",
                                            "act=relu,tanh,sigmoid,gelu,elu,selu", "drop=0..0.6"});
  return space;
}

// Lower is better. A narrow valley in log(lr) around 3e-3, one good activation of six, a broad
// optimum in log(units) and in drop.
double syntheticObjective(const json& p) {
  const double lr = std::log10(p["lr"].get<double>() / 3e-3);
  const double units = std::log2(p["units"].get<double>() / 96) / 2;
  const double drop = p["drop"].get<double>() - 0.2;
  const std::string act = p["act"];
  const double actPenalty = act == "gelu" ? 0.0 : act == "relu" ? 0.5 : 1.5;
  return 4 * lr * lr + actPenalty + units * units + 4 * drop * drop;
}

// The sequence of `trials` points a sampler proposes, each trial seeing the ones before.
template <class Propose>
std::vector<TrialResult> runStudy(int trials, Propose propose) {
  std::vector<TrialResult> history;
  for (int t = 0; t < trials; ++t) {
    json params = propose(history, t);
    const double value = syntheticObjective(params);
    history.push_back({std::move(params), value});
  }
  return history;
}

std::vector<TrialResult> randomStudy(uint64_t seed, int trials) {
  return runStudy(trials, [&](const std::vector<TrialResult>&, int t) {
    return randomParams(syntheticSpace(), seed, t);
  });
}

std::vector<TrialResult> tpeStudy(uint64_t seed, int trials) {
  return runStudy(trials, [&](const std::vector<TrialResult>& history, int t) {
    return tpeParams(syntheticSpace(), history, Direction::Minimize, seed, t);
  });
}

double bestOf(const std::vector<TrialResult>& history) {
  double best = INFINITY;
  for (const TrialResult& trial : history)
    best = std::min(best, *trial.objective);
  return best;
}

TEST(Samplers, RandomAndTpeFollowFromTheirSeed) {
  const std::vector<TrialResult> random1 = randomStudy(7, 30);
  const std::vector<TrialResult> random2 = randomStudy(7, 30);
  const std::vector<TrialResult> random3 = randomStudy(8, 30);
  const std::vector<TrialResult> tpe1 = tpeStudy(7, 30);
  const std::vector<TrialResult> tpe2 = tpeStudy(7, 30);
  const std::vector<TrialResult> tpe3 = tpeStudy(8, 30);
  size_t randomDiffer = 0, tpeDiffer = 0;
  for (size_t t = 0; t < 30; ++t) {
    EXPECT_EQ(random1[t].params, random2[t].params) << t;
    EXPECT_EQ(tpe1[t].params, tpe2[t].params) << t;
    randomDiffer += random1[t].params != random3[t].params ? 1 : 0;
    tpeDiffer += tpe1[t].params != tpe3[t].params ? 1 : 0;
    expectInside(syntheticSpace(), random1[t].params);
    expectInside(syntheticSpace(), tpe1[t].params);
  }
  EXPECT_EQ(randomDiffer, 30U);
  EXPECT_EQ(tpeDiffer, 30U);
  // A random point depends on (seed, number) alone; TPE starts with those same points.
  EXPECT_EQ(randomParams(syntheticSpace(), 7, 12), random1[12].params);
  for (size_t t = 0; t < 10; ++t)
    EXPECT_EQ(tpe1[t].params, random1[t].params) << t;
  EXPECT_NE(tpe1[10].params, random1[10].params);
}

TEST(Samplers, TpeKeepsItsPointsInsideEveryKindOfDomain) {
  const SearchSpace space = spaceOf({"a=int:0..3", "b=int:log:1..5", "c=-2..-1", "d=x,y"});
  std::vector<TrialResult> history;
  for (int t = 0; t < 40; ++t) {
    json params = tpeParams(space, history, Direction::Maximize, 3, t, {.startupTrials = 4});
    expectInside(space, params);
    const double value = params["a"].get<double>() - params["c"].get<double>();
    history.push_back({std::move(params), t % 7 == 3 ? std::nullopt : std::optional(value)});
  }
}

// One-sided sign test: the chance of at least `wins` successes in `trials` fair coin flips.
double signTestP(int wins, int trials) {
  double p = 0;
  for (int k = wins; k <= trials; ++k)
    p += std::exp(std::lgamma(trials + 1.0) - std::lgamma(k + 1.0) - std::lgamma(trials - k + 1.0) -
                  trials * std::log(2.0));
  return p;
}

TEST(Samplers, TpeBeatsRandomSearchOnANarrowOptimum) {
  constexpr int kSeeds = 16;
  constexpr int kTrials = 40;
  int tpeWins = 0, randomWins = 0;
  for (uint64_t seed = 1; seed <= kSeeds; ++seed) {
    const double tpe = bestOf(tpeStudy(seed, kTrials));
    const double random = bestOf(randomStudy(seed, kTrials));
    tpeWins += tpe < random ? 1 : 0;
    randomWins += random < tpe ? 1 : 0;
    std::cout << "seed " << seed << ": best of " << kTrials << " trials, TPE " << tpe << ", random "
              << random << "\n";
  }
  const double p = signTestP(tpeWins, tpeWins + randomWins);
  std::cout << "TPE better in " << tpeWins << " of " << kSeeds << " seeds, random in " << randomWins
            << ", ties " << kSeeds - tpeWins - randomWins << "; sign test p = " << p << "\n";
  RecordProperty("tpe_wins", tpeWins);
  RecordProperty("random_wins", randomWins);
  EXPECT_GT(tpeWins, randomWins);
  EXPECT_LT(p, 0.05);
}

TEST(Importance, RanksTheDrivingParameterFirst) {
  const SearchSpace space = spaceOf({"idle=a,b,c", "lr=log:1e-4..1", "noise=int:0..50"});
  std::vector<TrialResult> trials;
  for (int t = 0; t < 60; ++t) {
    json params = randomParams(space, 11, t);
    const double objective =
        std::log10(params["lr"].get<double>()) + 0.05 * std::sin(params["noise"].get<double>());
    trials.push_back({std::move(params), objective});
  }
  const auto shares = parameterImportance(space, trials);
  ASSERT_EQ(shares.size(), 3U);
  EXPECT_EQ(shares[0].first, "lr");
  EXPECT_GT(shares[0].second, 0.8);
  double sum = 0;
  for (size_t i = 0; i < shares.size(); ++i) {
    sum += shares[i].second;
    if (i > 0) {
      EXPECT_GE(shares[i - 1].second, shares[i].second);
    }
  }
  EXPECT_NEAR(sum, 1.0, 1e-12);

  // A failed trial is left out; with fewer than four values every share is 0.
  trials.resize(3);
  trials.push_back({randomParams(space, 11, 99), std::nullopt});
  for (const auto& [key, share] : parameterImportance(space, trials))
    EXPECT_EQ(share, 0.0) << key;
  EXPECT_NE(std::string(kImportanceMethod).find("variance"), std::string::npos);
}

TEST(Importance, GroupsChoicesByValue) {
  const SearchSpace space = spaceOf({"act=relu,gelu", "width=1..2"});
  std::vector<TrialResult> trials;
  for (int t = 0; t < 40; ++t) {
    json params = randomParams(space, 5, t);
    const double objective = params["act"] == "gelu" ? 1.0 : 0.0;
    trials.push_back({std::move(params), objective});
  }
  const auto shares = parameterImportance(space, trials);
  EXPECT_EQ(shares[0].first, "act");
  EXPECT_GT(shares[0].second, shares[1].second);
}

}  // namespace
}  // namespace layerlab::engine
