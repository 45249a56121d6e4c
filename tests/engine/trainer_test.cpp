// The trainer on small problems it must learn, with the stop request and determinism checked.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <atomic>
#include <thread>

#include "engine/train/trainer.h"

namespace layerlab::engine {
namespace {

// Two Gaussian blobs per class around distinct centres: separable, so a small MLP must learn it.
TensorDataset blobs(int64_t perClass, int64_t classes, uint64_t seed) {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  const torch::Tensor centres = torch::randn({classes, 8}, generator) * 3;
  std::vector<torch::Tensor> inputs, targets;
  for (int64_t c = 0; c < classes; ++c) {
    inputs.push_back(centres[c] + torch::randn({perClass, 8}, generator) * 0.5);
    targets.push_back(torch::full({perClass}, c, torch::kInt64));
  }
  return {torch::cat(inputs), torch::cat(targets)};
}

GraphModule smallMlp() {
  const ModelParseResult parsed = parseModelSpec(R"({"format": "layerlab.model", "version": 1,
      "input": {"shape": [8]}, "nodes": [
        {"id": "h", "type": "Dense", "units": 16, "inputs": ["input"]},
        {"id": "a", "type": "ReLU", "inputs": ["h"]},
        {"id": "d", "type": "Dropout", "rate": 0.1, "inputs": ["a"]},
        {"id": "out", "type": "Dense", "units": 3, "inputs": ["d"]}], "outputs": ["out"]})");
  return GraphModule(*parsed.spec, analyzeModel(*parsed.spec));
}

TrainConfig config(const std::string& optimizer, int epochs) {
  TrainConfig c;
  c.optimizer = optimizer;
  c.learningRate = optimizer == "sgd" ? 0.05 : (optimizer == "rmsprop" ? 0.003 : 0.01);
  c.batchSize = 16;
  c.epochs = epochs;
  c.logEveryBatches = 1;
  c.threads = 1;
  return c;
}

class LearnsBlobs : public ::testing::TestWithParam<std::string> {};

TEST_P(LearnsBlobs, ReachesHighAccuracyAndReportsEveryEpoch) {
  prepareDeterministicRun(1, 1);
  Trainer trainer(smallMlp(), config(GetParam(), 8), torch::kCPU, 3);
  const TensorDataset train = blobs(100, 3, 11), val = blobs(30, 3, 11);
  std::vector<EpochSummary> epochs;
  int64_t lastStep = 0;
  bool stepsIncrease = true;
  TrainCallbacks callbacks;
  callbacks.onEpoch = [&](const EpochSummary& s) { epochs.push_back(s); };
  callbacks.onBatch = [&](const BatchProgress& p) {
    stepsIncrease = stepsIncrease && p.step > lastStep;
    lastStep = p.step;
  };
  const FitResult result = trainer.fit(train, val, callbacks);
  EXPECT_FALSE(result.stopped);
  ASSERT_EQ(epochs.size(), 8U);
  EXPECT_TRUE(stepsIncrease);
  EXPECT_EQ(lastStep, 8 * ((300 + 15) / 16));
  EXPECT_LT(epochs.back().trainLoss, epochs.front().trainLoss);
  EXPECT_GT(epochs.back().valAccuracy, 0.95);
  EXPECT_GT(trainer.evaluate(val).accuracy, 0.95);
}

INSTANTIATE_TEST_SUITE_P(Optimizers, LearnsBlobs,
                         ::testing::Values("adam", "sgd", "adamw", "rmsprop"));

// 33 samples in batches of 16 would leave a last batch of one, which BatchNorm cannot train on:
// it joins the batch before it.
TEST(Trainer, ALoneLastSampleJoinsThePreviousBatch) {
  prepareDeterministicRun(1, 1);
  const ModelParseResult parsed = parseModelSpec(R"({"format": "layerlab.model", "version": 1,
      "input": {"shape": [8]}, "nodes": [
        {"id": "h", "type": "Dense", "units": 16, "inputs": ["input"]},
        {"id": "bn", "type": "BatchNorm", "inputs": ["h"]},
        {"id": "out", "type": "Dense", "units": 3, "inputs": ["bn"]}], "outputs": ["out"]})");
  ASSERT_TRUE(parsed.spec);
  Trainer trainer(GraphModule(*parsed.spec, analyzeModel(*parsed.spec)), config("adam", 2),
                  torch::kCPU, 3);
  const TensorDataset train = blobs(11, 3, 4);  // 33 samples
  std::vector<int64_t> batchesPerEpoch;
  TrainCallbacks callbacks;
  callbacks.onBatch = [&](const BatchProgress& p) { batchesPerEpoch.push_back(p.batchesPerEpoch); };
  EXPECT_NO_THROW(trainer.fit(train, {}, callbacks));
  EXPECT_EQ(trainer.stepsDone(), 4);  // 2 epochs of 2 batches (16 and 17 samples)
  ASSERT_FALSE(batchesPerEpoch.empty());
  EXPECT_EQ(batchesPerEpoch.front(), 2);
}

// Augmented training batches differ from plain ones; evaluation never sees augmentation.
TEST(Trainer, AugmentationChangesTrainingButNotEvaluation) {
  const ModelParseResult parsed = parseModelSpec(R"({"format": "layerlab.model", "version": 1,
      "input": {"shape": [1, 8, 8]}, "nodes": [
        {"id": "f", "type": "Flatten", "inputs": ["input"]},
        {"id": "out", "type": "Dense", "units": 2, "inputs": ["f"]}], "outputs": ["out"]})");
  ASSERT_TRUE(parsed.spec);
  auto generator = at::make_generator<at::CPUGeneratorImpl>(3);
  // Class 0 bright on the left half, class 1 on the right: flipping swaps what decides the class.
  torch::Tensor images = torch::rand({64, 1, 8, 8}, generator) * 0.1;
  const torch::Tensor targets = torch::arange(64, torch::kInt64) % 2;
  for (int64_t i = 0; i < 64; ++i) {
    images[i].slice(2, targets[i].item<int64_t>() == 0 ? 0 : 4,
                    targets[i].item<int64_t>() == 0 ? 4 : 8) += 1.0;
  }
  const TensorDataset data{images, targets};
  auto trainWith = [&](bool flip) {
    prepareDeterministicRun(5, 1);
    Trainer trainer(GraphModule(*parsed.spec, analyzeModel(*parsed.spec)), config("adam", 3),
                    torch::kCPU, 2);
    AugmentSpec augment;
    augment.flip = flip;
    trainer.setAugmentation(augment);
    const FitResult fit = trainer.fit(data, data);
    const EvalResult once = trainer.evaluate(data), twice = trainer.evaluate(data);
    EXPECT_EQ(once.loss, twice.loss) << "evaluation must not be random";
    return fit.history.back();
  };
  const EpochSummary plain = trainWith(false), flipped = trainWith(true);
  EXPECT_NE(plain.trainLoss, flipped.trainLoss);
  // Without flips the halves separate the classes; with random flips they cannot.
  EXPECT_GT(plain.valAccuracy, 0.95);
  EXPECT_LT(flipped.valAccuracy, plain.valAccuracy);
}

TEST(Trainer, StopsWithinOneBatchOfTheRequest) {
  prepareDeterministicRun(2, 1);
  Trainer trainer(smallMlp(), config("adam", 5), torch::kCPU, 3);
  TrainControl control;
  int64_t requestedAt = 0, lastStep = 0;
  TrainCallbacks callbacks;
  callbacks.onBatch = [&](const BatchProgress& p) {
    lastStep = p.step;
    if (p.epoch == 2 && p.batch == 4) {
      requestedAt = p.step;
      control.requestStop();
    }
  };
  const FitResult result = trainer.fit(blobs(100, 3, 3), {}, callbacks, &control);
  EXPECT_TRUE(result.stopped);
  EXPECT_EQ(result.history.size(), 1U);  // only the complete epoch counts
  EXPECT_EQ(lastStep, requestedAt);      // no batch ran after the request
}

TEST(Trainer, PauseHoldsTheLoopBetweenBatchesUntilResumed) {
  prepareDeterministicRun(2, 1);
  Trainer trainer(smallMlp(), config("adam", 2), torch::kCPU, 3);
  TrainControl control;
  std::atomic<int64_t> lastStep{0};
  TrainCallbacks callbacks;
  callbacks.onBatch = [&](const BatchProgress& p) {
    lastStep = p.step;
    if (p.step == 3) control.pause();
  };
  FitResult result;
  std::thread worker([&] { result = trainer.fit(blobs(100, 3, 3), {}, callbacks, &control); });
  control.waitUntilHeld();
  EXPECT_TRUE(control.held());
  EXPECT_EQ(lastStep.load(), 3);  // held before the fourth batch
  control.resume();
  worker.join();
  EXPECT_FALSE(result.stopped);
  EXPECT_EQ(lastStep.load(), 2 * 19);
  EXPECT_FALSE(control.held());
}

TEST(Trainer, StopWhilePausedEndsTheRun) {
  prepareDeterministicRun(2, 1);
  Trainer trainer(smallMlp(), config("adam", 2), torch::kCPU, 3);
  TrainControl control;
  TrainCallbacks callbacks;
  callbacks.onBatch = [&](const BatchProgress& p) {
    if (p.step == 5) control.pause();
  };
  FitResult result;
  std::thread worker([&] { result = trainer.fit(blobs(100, 3, 3), {}, callbacks, &control); });
  control.waitUntilHeld();
  control.requestStop();
  worker.join();
  EXPECT_TRUE(result.stopped);
  EXPECT_EQ(trainer.stepsDone(), 5);
}

TEST(Trainer, SameSeedAndThreadsGiveTheSameWeights) {
  auto trainOnce = [] {
    prepareDeterministicRun(5, 1);
    GraphModule model = smallMlp();
    Trainer trainer(model, config("adam", 2), torch::kCPU, 3);
    trainer.fit(blobs(50, 3, 4), {});
    std::vector<torch::Tensor> weights;
    for (const auto& p : model->parameters())
      weights.push_back(p.detach().clone());
    return weights;
  };
  const auto first = trainOnce(), second = trainOnce();
  ASSERT_EQ(first.size(), second.size());
  for (size_t i = 0; i < first.size(); ++i)
    EXPECT_TRUE(torch::equal(first[i], second[i]));
  prepareDeterministicRun(6, 1);
  GraphModule other = smallMlp();
  EXPECT_FALSE(torch::equal(other->parameters().front(), first.front()));
}

// Batches too small to split train on the training thread alone; larger ones, and evaluation,
// keep the threads the run was given, which the trainer restores after each epoch.
TEST(Trainer, SmallBatchesTrainOnOneThread) {
  struct Case {
    int64_t macsPerSample;
    int expectedTrainingThreads;
  };
  for (const Case& c : {Case{0, 2}, Case{1000, 1}, Case{kParallelBatchMacs, 2}}) {
    prepareDeterministicRun(7, 2);
    Trainer trainer(smallMlp(), config("adam", 2), torch::kCPU, 3);
    trainer.setMacsPerSample(c.macsPerSample);
    std::vector<int> seenInBatches, seenAtEpochs;
    TrainCallbacks callbacks;
    callbacks.onBatch = [&](const BatchProgress&) {
      seenInBatches.push_back(at::get_num_threads());
    };
    callbacks.onEpoch = [&](const EpochSummary&) { seenAtEpochs.push_back(at::get_num_threads()); };
    trainer.fit(blobs(20, 3, 4), blobs(5, 3, 5), callbacks);
    ASSERT_FALSE(seenInBatches.empty());
    for (int threads : seenInBatches)
      EXPECT_EQ(threads, c.expectedTrainingThreads) << "macs per sample " << c.macsPerSample;
    for (int threads : seenAtEpochs)
      EXPECT_EQ(threads, 2) << "macs per sample " << c.macsPerSample;
    EXPECT_EQ(at::get_num_threads(), 2);
  }
  prepareDeterministicRun(1, 1);
}

TEST(Trainer, DivergingLossFailsWithTheStep) {
  prepareDeterministicRun(3, 1);
  TrainConfig c = config("sgd", 3);
  c.learningRate = 1e30;
  Trainer trainer(smallMlp(), c, torch::kCPU, 3);
  try {
    trainer.fit(blobs(50, 3, 9), {});
    FAIL() << "expected the run to diverge";
  } catch (const TrainingDiverged& error) {
    EXPECT_NE(std::string(error.what()).find("at step"), std::string::npos);
  }
}

TEST(Trainer, DeviceChoice) {
  EXPECT_EQ(resolveDevice("cpu"), torch::Device(torch::kCPU));
  EXPECT_EQ(resolveDevice("auto").is_cuda(), torch::cuda::is_available());
  EXPECT_THROW(resolveDevice("tpu"), std::invalid_argument);
  if (!torch::cuda::is_available()) {
    EXPECT_THROW(resolveDevice("cuda"), std::invalid_argument);
  }
}

TEST(TrainConfig, JsonRoundTripAndValidation) {
  TrainConfig c;
  c.optimizer = "sgd";
  c.learningRate = 0.5;
  c.epochs = 3;
  const TrainConfig back = trainConfigFromJson(toJson(c));
  EXPECT_EQ(toJson(back), toJson(c));
  c.batchSize = 0;
  c.optimizer = "lbfgs";
  EXPECT_EQ(c.validate().size(), 2U);
}

}  // namespace
}  // namespace layerlab::engine
