// Schedules, best-epoch tracking, metrics, losses, early stopping, clipping and checkpoints.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <fstream>

#include "engine/train/trainer.h"
#include "tests/support/temp_dir.h"

namespace layerlab::engine {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

GraphModule mlp(int64_t inputs, int64_t outputs, double dropout = 0.1) {
  const std::string text = R"({"format": "layerlab.model", "version": 1,
      "input": {"shape": [)" +
                           std::to_string(inputs) + R"(]}, "nodes": [
        {"id": "h", "type": "Dense", "units": 16, "inputs": ["input"]},
        {"id": "a", "type": "ReLU", "inputs": ["h"]},
        {"id": "d", "type": "Dropout", "rate": )" +
                           std::to_string(dropout) + R"(, "inputs": ["a"]},
        {"id": "out", "type": "Dense", "units": )" +
                           std::to_string(outputs) + R"(, "inputs": ["d"]}], "outputs": ["out"]})";
  const ModelParseResult parsed = parseModelSpec(text);
  return GraphModule(*parsed.spec, analyzeModel(*parsed.spec));
}

TensorDataset blobs(int64_t perClass, int64_t classes, uint64_t seed, double spread = 0.5) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  const torch::Tensor centres = torch::randn({classes, 8}, generator) * 3;
  std::vector<torch::Tensor> inputs, targets;
  for (int64_t c = 0; c < classes; ++c) {
    inputs.push_back(centres[c] + torch::randn({perClass, 8}, generator) * spread);
    targets.push_back(torch::full({perClass}, c, torch::kInt64));
  }
  return {torch::cat(inputs), torch::cat(targets)};
}

// y = x·w + 0.5 with a little noise: a regression problem a small MLP fits well.
TensorDataset linearTargets(int64_t n, uint64_t seed) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  const torch::Tensor x = torch::randn({n, 8}, generator);
  const torch::Tensor w = torch::linspace(-1, 1, 8).reshape({8, 1});
  return {x, x.mm(w) + 0.5 + 0.01 * torch::randn({n, 1}, generator)};
}

TrainConfig baseConfig(int epochs) {
  TrainConfig c;
  c.learningRate = 0.01;
  c.batchSize = 16;
  c.epochs = epochs;
  c.threads = 1;
  c.logEveryBatches = 5;
  return c;
}

std::vector<torch::Tensor> weightsOf(GraphModule& model) {
  std::vector<torch::Tensor> out;
  for (const auto& p : model->parameters())
    out.push_back(p.detach().clone());
  return out;
}

TEST(LrSchedule, FollowsEachTypeStepByStep) {
  const int64_t steps = 10;  // per epoch
  ScheduleConfig constant;
  EXPECT_DOUBLE_EQ(LrSchedule(constant, 0.1, 5, steps).lrForStep(37), 0.1);

  ScheduleConfig step{.type = "step", .stepSize = 2, .gamma = 0.5};
  const LrSchedule stepped(step, 0.1, 6, steps);
  EXPECT_DOUBLE_EQ(stepped.lrForStep(0), 0.1);
  EXPECT_DOUBLE_EQ(stepped.lrForStep(19), 0.1);
  EXPECT_DOUBLE_EQ(stepped.lrForStep(20), 0.05);
  EXPECT_DOUBLE_EQ(stepped.lrForStep(45), 0.025);

  ScheduleConfig cosine{.type = "cosine", .warmupEpochs = 1, .minLr = 0.001};
  const LrSchedule cos(cosine, 0.1, 5, steps);
  EXPECT_DOUBLE_EQ(cos.lrForStep(0), 0.01);  // warm-up: 1/10 of the way
  EXPECT_DOUBLE_EQ(cos.lrForStep(9), 0.1);
  EXPECT_NEAR(cos.lrForStep(10), 0.1, 1e-12);
  EXPECT_NEAR(cos.lrForStep(30), 0.001 + 0.099 * 0.5, 1e-12);  // half-way through the decay
  EXPECT_NEAR(cos.lrForStep(50), 0.001, 1e-12);
  for (int64_t s = 10; s < 49; ++s)
    EXPECT_GE(cos.lrForStep(s), cos.lrForStep(s + 1));
}

TEST(LrSchedule, PlateauReducesAfterPatienceAndResumesFromItsState) {
  ScheduleConfig plateau{.type = "plateau", .minLr = 0.02, .factor = 0.5, .patience = 2};
  LrSchedule schedule(plateau, 0.1, 20, 10);
  schedule.endEpoch(1.0, false);  // the first value is the best so far
  for (double loss : {1.0, 1.2, 0.99999})
    schedule.endEpoch(loss, false);  // 3 bad epochs > 2
  EXPECT_DOUBLE_EQ(schedule.lrForStep(0), 0.05);
  LrSchedule resumed(plateau, 0.1, 20, 10);
  resumed.restore(schedule.state());
  for (double loss : {1.0, 1.0, 1.0}) {
    schedule.endEpoch(loss, false);
    resumed.endEpoch(loss, false);
  }
  EXPECT_DOUBLE_EQ(schedule.lrForStep(0), 0.025);
  EXPECT_DOUBLE_EQ(resumed.lrForStep(0), 0.025);
  for (int i = 0; i < 10; ++i)
    schedule.endEpoch(2.0, false);
  EXPECT_DOUBLE_EQ(schedule.lrForStep(0), 0.02);  // never below min_lr
  schedule.endEpoch(0.5, false);                  // an improvement resets the count
  schedule.endEpoch(0.6, false);
  EXPECT_DOUBLE_EQ(schedule.lrForStep(0), 0.02);
}

// min_delta decides only the patience count; the best epoch is the store's (series::BestEpoch),
// so a run never reports, checkpoints or restores an epoch the store does not call best.
TEST(BestTracker, BestEpochIgnoresMinDeltaWhichOnlyCountsPatience) {
  BestTracker loss(false, 0.1);
  EXPECT_TRUE(loss.update(1, 1.0));
  EXPECT_FALSE(loss.update(2, 0.95));
  EXPECT_EQ(loss.bestEpoch(), 2);
  EXPECT_DOUBLE_EQ(loss.best(), 0.95);
  EXPECT_EQ(loss.epochsWithoutImprovement(), 1);
  EXPECT_FALSE(loss.update(3, 0.95));
  EXPECT_EQ(loss.bestEpoch(), 2) << "a tie keeps the earlier epoch";
  EXPECT_EQ(loss.epochsWithoutImprovement(), 2);
  EXPECT_TRUE(loss.update(4, 0.85)) << "more than min_delta below 1.0, the last improvement";
  // The patience reference survives a checkpoint.
  BestTracker restored(false, 0.1);
  restored.restore(loss.state());
  EXPECT_FALSE(restored.update(5, 0.8)) << "not min_delta below 0.85";
  EXPECT_EQ(restored.bestEpoch(), 5);
  EXPECT_EQ(restored.epochsWithoutImprovement(), 1);
  // A checkpoint from before the two were kept apart: its best is the reference too.
  BestTracker older(false, 0.1);
  older.restore({{"best", 0.5}, {"best_epoch", 2}, {"bad_epochs", 1}});
  EXPECT_FALSE(older.update(3, 0.45));
  EXPECT_EQ(older.bestEpoch(), 3);
  EXPECT_TRUE(older.update(4, 0.35));
}

TEST(BestTracker, LowerOrHigherIsBetterWithMinDeltaAndNaN) {
  BestTracker loss(false, 0.1);
  EXPECT_TRUE(loss.update(1, 1.0));
  EXPECT_FALSE(loss.update(2, 0.95));  // not better by min delta
  EXPECT_FALSE(loss.update(3, kNaN));
  EXPECT_TRUE(loss.update(4, 0.8));
  EXPECT_EQ(loss.bestEpoch(), 4);
  EXPECT_EQ(loss.epochsWithoutImprovement(), 0);
  BestTracker accuracy(true, 0.0);
  accuracy.update(1, 0.5);
  EXPECT_FALSE(accuracy.update(2, 0.4));
  EXPECT_TRUE(accuracy.update(3, 0.6));
  EXPECT_EQ(accuracy.epochsWithoutImprovement(), 0);
  BestTracker restored(true, 0.0);
  restored.restore(accuracy.state());
  EXPECT_EQ(restored.bestEpoch(), 3);
  EXPECT_DOUBLE_EQ(restored.best(), 0.6);
}

TEST(Metrics, ClassificationReportFromAConfusionMatrix) {
  // true\pred  0  1  2
  //   0        5  1  0
  //   1        2  3  1
  //   2        0  0  0   (class 2 never occurs but is predicted once)
  const ClassificationReport r = classificationReport({5, 1, 0, 2, 3, 1, 0, 0, 0}, 3);
  EXPECT_DOUBLE_EQ(r.accuracy, 8.0 / 12.0);
  EXPECT_DOUBLE_EQ(r.precision[0], 5.0 / 7.0);
  EXPECT_DOUBLE_EQ(r.recall[0], 5.0 / 6.0);
  EXPECT_DOUBLE_EQ(r.precision[1], 3.0 / 4.0);
  EXPECT_DOUBLE_EQ(r.recall[1], 3.0 / 6.0);
  EXPECT_DOUBLE_EQ(r.precision[2], 0.0);
  EXPECT_TRUE(std::isnan(r.recall[2]));
  EXPECT_TRUE(std::isnan(r.f1[2]));
  const double f1a = 2 * (5.0 / 7) * (5.0 / 6) / (5.0 / 7 + 5.0 / 6);
  const double f1b = 2 * 0.75 * 0.5 / 1.25;
  EXPECT_DOUBLE_EQ(r.f1[0], f1a);
  EXPECT_DOUBLE_EQ(r.macroF1, (f1a + f1b) / 2);
  EXPECT_DOUBLE_EQ(r.macroPrecision, (5.0 / 7 + 0.75 + 0.0) / 3);
  EXPECT_EQ(r.support, (std::vector<int64_t>{6, 6, 0}));
}

TEST(Metrics, RegressionReportMatchesHandComputation) {
  // y = 1, 2, 3, 4; ŷ = 1.5, 2, 2, 4 → errors 0.5, 0, -1, 0
  const RegressionReport r = regressionReport(1.25, 1.5, 10, 30, 4);
  EXPECT_DOUBLE_EQ(r.mse, 1.25 / 4);
  EXPECT_DOUBLE_EQ(r.mae, 1.5 / 4);
  EXPECT_DOUBLE_EQ(r.r2, 1 - 1.25 / 5.0);
  EXPECT_TRUE(std::isnan(regressionReport(0, 0, 8, 16, 4).r2));  // constant targets
}

TEST(Objective, LossesMatchTheirDefinitions) {
  const torch::Tensor logits = torch::tensor({{2.0, 0.0, -1.0}, {0.5, 0.5, 3.0}});
  const torch::Tensor target = torch::tensor({0, 2}, torch::kInt64);
  TrainConfig c;
  const double plain = Objective(c, 3).loss(logits, target).item<double>();
  const torch::Tensor logp = torch::log_softmax(logits, 1);
  EXPECT_NEAR(plain, -(logp[0][0] + logp[1][2]).item<double>() / 2, 1e-6);
  c.labelSmoothing = 0.3;
  const double smooth = Objective(c, 3).loss(logits, target).item<double>();
  const double expected = 0.7 * plain - 0.3 * logp.mean(1).mean().item<double>();
  EXPECT_NEAR(smooth, expected, 1e-6);

  const torch::Tensor out = torch::tensor({{1.0}, {3.0}}), y = torch::tensor({{0.0}, {1.0}});
  for (const auto& [loss, value] : std::vector<std::pair<std::string, double>>{
           {"mse", (1.0 + 4.0) / 2}, {"l1", (1.0 + 2.0) / 2}, {"huber", (0.5 + 1.5) / 2}}) {
    c.loss = loss;
    EXPECT_NEAR(Objective(c, 0).loss(out, y).item<double>(), value, 1e-6) << loss;
  }
  c.loss = "bce_with_logits";
  const torch::Tensor bce =
      Objective(c, 2).loss(torch::tensor({{0.0}, {2.0}}), torch::tensor({1, 0}));
  EXPECT_NEAR(bce.item<double>(), (std::log(2.0) + std::log1p(std::exp(2.0))) / 2, 1e-6);
  EXPECT_TRUE(torch::equal(Objective(c, 2).predict(torch::tensor({{-0.5}, {0.5}})),
                           torch::tensor({0, 1}, torch::kInt64)));
}

TEST(Trainer, RegressionLossesLearnALinearTarget) {
  for (const char* loss : {"mse", "l1", "huber"}) {
    SCOPED_TRACE(loss);
    prepareDeterministicRun(4, 1);
    TrainConfig c = baseConfig(15);
    c.loss = loss;
    c.monitor = "val_loss";
    Trainer trainer(mlp(8, 1, 0.0), c, torch::kCPU, 0);
    const FitResult fit = trainer.fit(linearTargets(400, 1), linearTargets(100, 2));
    ASSERT_EQ(fit.history.size(), 15U);
    EXPECT_LT(fit.history.back().valLoss, 0.1 * fit.history.front().valLoss);
    EXPECT_TRUE(std::isnan(fit.history.back().valAccuracy));
    const EvalResult eval = trainer.evaluate(linearTargets(100, 3));
    EXPECT_GT(eval.regression.r2, 0.9);
    EXPECT_LT(eval.regression.mae, 0.3);
  }
}

TEST(Trainer, BinaryCrossEntropyWithOneLogit) {
  prepareDeterministicRun(8, 1);
  TrainConfig c = baseConfig(8);
  c.loss = "bce_with_logits";
  Trainer trainer(mlp(8, 1), c, torch::kCPU, 2);
  trainer.fit(blobs(100, 2, 5), {});
  const EvalResult eval = trainer.evaluate(blobs(50, 2, 5));
  EXPECT_GT(eval.accuracy, 0.95);
  ASSERT_EQ(eval.confusion.size(), 4U);
  EXPECT_EQ(eval.confusion[0] + eval.confusion[1] + eval.confusion[2] + eval.confusion[3], 100);
}

TEST(Trainer, EvaluationGivesTheConfusionMatrix) {
  prepareDeterministicRun(9, 1);
  Trainer trainer(mlp(8, 3), baseConfig(6), torch::kCPU, 3);
  const TensorDataset data = blobs(40, 3, 6);
  trainer.fit(data, {});
  const EvalResult eval = trainer.evaluate(data);
  const torch::Tensor predicted = trainer.predict(data.inputs).argmax(1);
  for (int64_t t = 0; t < 3; ++t) {
    for (int64_t p = 0; p < 3; ++p) {
      const int64_t count = (data.targets.eq(t) & predicted.eq(p)).sum().item<int64_t>();
      EXPECT_EQ(eval.confusion[t * 3 + p], count) << t << "," << p;
    }
  }
  EXPECT_DOUBLE_EQ(classificationReport(eval.confusion, 3).accuracy, eval.accuracy);
}

TEST(Trainer, EarlyStoppingStopsAndRestoresTheBestWeights) {
  prepareDeterministicRun(10, 1);
  TrainConfig c = baseConfig(30);
  c.learningRate = 0.2;  // too high: validation loss bounces, so the best epoch is not the last
  c.optimizer = "sgd";
  c.momentum = 0.0;
  c.earlyStopping = {.patience = 2, .minDelta = 0.0, .restoreBest = true};
  GraphModule model = mlp(8, 3);
  Trainer trainer(model, c, torch::kCPU, 3);
  std::map<int, std::vector<torch::Tensor>> weightsAt;
  TrainCallbacks callbacks;
  callbacks.onEpoch = [&](const EpochSummary& s) { weightsAt[s.epoch] = weightsOf(model); };
  const FitResult fit = trainer.fit(blobs(60, 3, 7, 2.5), blobs(30, 3, 8, 2.5), callbacks);
  ASSERT_TRUE(fit.stoppedEarly);
  EXPECT_LT(fit.history.size(), 30U);
  EXPECT_EQ(fit.history.back().epoch - fit.bestEpoch, 2);
  EXPECT_TRUE(fit.history.back().stopEarly);
  ASSERT_TRUE(fit.restoredBest);
  const auto now = weightsOf(model);
  for (size_t i = 0; i < now.size(); ++i)
    EXPECT_TRUE(torch::equal(now[i], weightsAt[fit.bestEpoch][i]));
}

TEST(Trainer, GradientClippingBoundsTheUpdate) {
  prepareDeterministicRun(11, 1);
  TrainConfig c = baseConfig(1);
  c.optimizer = "sgd";
  c.momentum = 0.0;
  c.learningRate = 1.0;
  c.gradClipNorm = 1e-3;
  c.batchSize = 1000;  // one step
  GraphModule model = mlp(8, 3, 0.0);
  const auto before = weightsOf(model);
  Trainer trainer(model, c, torch::kCPU, 3);
  trainer.fit(blobs(50, 3, 12), {});
  double squared = 0;
  const auto after = weightsOf(model);
  for (size_t i = 0; i < after.size(); ++i)
    squared += (after[i] - before[i]).square().sum().item<double>();
  EXPECT_LE(std::sqrt(squared), 1e-3 * 1.001);
  EXPECT_GT(std::sqrt(squared), 1e-3 * 0.99);  // the raw gradient is far larger: it was clipped
}

TEST(Trainer, ResumingFromACheckpointEqualsAnUninterruptedRun) {
  test::TempDir dir;
  TrainConfig c = baseConfig(5);
  c.schedule = {.type = "plateau", .factor = 0.5, .patience = 0};
  const TensorDataset train = blobs(60, 3, 13, 1.5), val = blobs(20, 3, 14, 1.5);

  prepareDeterministicRun(21, 2);
  GraphModule straight = mlp(8, 3);
  Trainer(straight, c, torch::kCPU, 3).fit(train, val);

  prepareDeterministicRun(21, 2);
  GraphModule first = mlp(8, 3);
  Trainer interrupted(first, c, torch::kCPU, 3);
  TrainControl control;
  TrainCallbacks callbacks;
  callbacks.onEpoch = [&](const EpochSummary& s) {
    interrupted.saveCheckpoint(dir.file("last.pt"));
    if (s.epoch == 2) control.requestStop();
  };
  ASSERT_TRUE(interrupted.fit(train, val, callbacks, &control).stopped);

  prepareDeterministicRun(999, 2);  // a fresh process would start from other weights and RNG
  GraphModule second = mlp(8, 3);
  Trainer resumed(second, c, torch::kCPU, 3);
  resumed.loadCheckpoint(dir.file("last.pt"));
  EXPECT_EQ(resumed.epochsDone(), 2);
  const FitResult rest = resumed.fit(train, val);
  ASSERT_EQ(rest.history.size(), 3U);
  EXPECT_EQ(rest.history.front().epoch, 3);
  const auto a = weightsOf(straight), b = weightsOf(second);
  for (size_t i = 0; i < a.size(); ++i)
    EXPECT_TRUE(torch::allclose(a[i], b[i], 1e-6, 1e-7)) << i;
}

TEST(Trainer, BadCheckpointsAreRefusedWithTheFileName) {
  test::TempDir dir;
  std::ofstream(dir.file("garbage.pt")) << "not a checkpoint";
  Trainer trainer(mlp(8, 3), baseConfig(1), torch::kCPU, 3);
  Trainer other(mlp(8, 5), baseConfig(1), torch::kCPU, 5);
  other.saveCheckpoint(dir.file("other.pt"));
  for (const std::string& path :
       {dir.file("garbage.pt"), dir.file("other.pt"), dir.file("none.pt")}) {
    try {
      trainer.loadCheckpoint(path);
      ADD_FAILURE() << "loaded " << path;
    } catch (const CheckpointError& error) {
      EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
    }
  }
}

TEST(TrainConfig, EveryFieldRoundTripsAndUnknownKeysAreRefused) {
  TrainConfig c;
  c.optimizer = "sgd";
  c.nesterov = true;
  c.weightDecay = 1e-4;
  c.loss = "huber";
  c.huberDelta = 2;
  c.schedule = {.type = "cosine", .warmupEpochs = 2, .minLr = 1e-5};
  c.earlyStopping = {.patience = 3, .minDelta = 0.01, .restoreBest = false};
  c.monitor = "val_accuracy";
  c.gradClipNorm = 5;
  const nlohmann::json doc = toJson(c);
  EXPECT_EQ(toJson(trainConfigFromJson(doc)), doc);
  nlohmann::json bad = doc;
  bad["learning_rat"] = 0.1;
  EXPECT_THROW(trainConfigFromJson(bad), std::invalid_argument);
  bad = doc;
  bad["schedule"]["warmup"] = 1;
  EXPECT_THROW(trainConfigFromJson(bad), std::invalid_argument);
  bad = doc;
  bad["optimizer"] = "adam";  // nesterov needs sgd
  EXPECT_THROW(trainConfigFromJson(bad), std::invalid_argument);
}

}  // namespace
}  // namespace layerlab::engine
