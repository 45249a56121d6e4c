// Checkpoints as untrusted input, in process: a trainer writes a real checkpoint, each test
// changes one thing the way a hostile file would, and the load must refuse it with one line
// naming the file and the tensor or field, leave the trainer as it was, and never touch the
// process-wide random generator.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>

#include "engine/train/checkpoint_file.h"
#include "engine/train/generator_shield.h"
#include "engine/train/trainer.h"
#include "tests/checkpoint/crafted_checkpoint.h"
#include "tests/support/temp_dir.h"

namespace layerlab::engine {
namespace {

using test::CraftedCheckpoint;

// Dense, BatchNorm (with its int64 counter buffer), Dropout: every kind of tensor a model keeps.
GraphModule model(int64_t units = 16) {
  const std::string text = R"({"format": "layerlab.model", "version": 1,
      "input": {"shape": [8]}, "nodes": [
        {"id": "h", "type": "Dense", "units": )" +
                           std::to_string(units) + R"(, "inputs": ["input"]},
        {"id": "bn", "type": "BatchNorm", "inputs": ["h"]},
        {"id": "a", "type": "ReLU", "inputs": ["bn"]},
        {"id": "d", "type": "Dropout", "rate": 0.2, "inputs": ["a"]},
        {"id": "out", "type": "Dense", "units": 3, "inputs": ["d"]}], "outputs": ["out"]})";
  const ModelParseResult parsed = parseModelSpec(text);
  return GraphModule(*parsed.spec, analyzeModel(*parsed.spec));
}

TrainConfig config(const std::string& optimizer) {
  TrainConfig c;
  c.optimizer = optimizer;
  c.momentum = optimizer == "adam" ? 0 : 0.9;
  c.learningRate = 0.01;
  c.batchSize = 16;
  c.epochs = 2;
  c.threads = 1;
  c.earlyStopping = {.patience = 5, .minDelta = 0, .restoreBest = true};
  return c;
}

TensorDataset data() {
  auto generator = at::make_generator<at::CPUGeneratorImpl>(3);
  return {torch::randn({96, 8}, generator), torch::randint(0, 3, {96}, generator)};
}

// A checkpoint of a trainer after one epoch: weights, buffers, optimiser state, best weights.
std::string trainedCheckpoint(const test::TempDir& dir, const std::string& optimizer = "adam") {
  prepareDeterministicRun(1, 1);
  Trainer trainer(model(), config(optimizer), torch::kCPU, 3);
  TrainControl control;
  TrainCallbacks callbacks;
  callbacks.onEpoch = [&control](const EpochSummary&) { control.requestStop(); };
  trainer.fit(data(), data(), callbacks, &control);
  const std::string path = dir.file(optimizer + ".ckpt");
  trainer.saveCheckpoint(path);
  return path;
}

std::vector<torch::Tensor> weightsOf(Trainer& trainer) {
  std::vector<torch::Tensor> out;
  for (const auto& p : trainer.model()->parameters())
    out.push_back(p.detach().clone());
  for (const auto& b : trainer.model()->buffers())
    out.push_back(b.detach().clone());
  return out;
}

struct HostileCase {
  const char* name;
  std::function<void(CraftedCheckpoint&)> craft;
  const char* words;  // in the message, after the file's path
};

std::vector<HostileCase> hostileCases() {
  return {
      {"short_storage",
       [](CraftedCheckpoint& c) {
         const auto& last = c.index["tensors"].back();
         c.data.resize(last["offset"].get<size_t>() + 7);
       },
       "tensor 'rng' needs "},
      {"zero_byte_storage", [](CraftedCheckpoint& c) { c.first("param.")["bytes"] = 0; },
       "claims 0 bytes but its shape and dtype need"},
      {"wrong_dtype", [](CraftedCheckpoint& c) { c.first("param.")["dtype"] = "int32"; },
       "is int32 [16, 8] but this run's model needs float32 [16, 8]"},
      {"wrong_shape",
       [](CraftedCheckpoint& c) {
         c.first("param.")["shape"] = {8, 16};
       },
       "is float32 [8, 16] but this run's model needs float32 [16, 8]"},
      {"extra_tensor",
       [](CraftedCheckpoint& c) {
         c.index["tensors"].push_back({{"name", "param.h.extra"},
                                       {"dtype", "float32"},
                                       {"shape", {1}},
                                       {"offset", 0},
                                       {"bytes", 4}});
       },
       "tensor 'param.h.extra' does not belong to this run's model"},
      {"missing_tensor",
       [](CraftedCheckpoint& c) {
         auto& tensors = c.index["tensors"];
         tensors.erase(tensors.begin());
       },
       "is missing; the checkpoint is of another model"},
      {"missing_optimizer_moment",
       [](CraftedCheckpoint& c) {
         auto& tensors = c.index["tensors"];
         for (auto it = tensors.begin(); it != tensors.end(); ++it) {
           if ((*it)["name"] == "optimizer.0.exp_avg_sq") {
             tensors.erase(it);
             break;
           }
         }
       },
       "tensor 'optimizer.0.exp_avg_sq' is missing while other optimiser state"},
      {"huge_claimed_size",
       [](CraftedCheckpoint& c) {
         auto& t = c.first("param.");
         t["shape"] = {65536, 65536};
         t["bytes"] = uint64_t{65536} * 65536 * 4;
       },
       "needs 17179869184 bytes at offset"},
      {"absurd_claimed_size",
       [](CraftedCheckpoint& c) {
         auto& t = c.first("param.");
         t["shape"] = {int64_t{1} << 40, int64_t{1} << 40};
         t["bytes"] = 0;
       },
       "claims more than 1024 GiB"},
      {"negative_dimension",
       [](CraftedCheckpoint& c) {
         c.first("param.")["shape"] = {-16, -8};
       },
       "has a negative dimension"},
      {"negative_step",
       [](CraftedCheckpoint& c) {
         const auto& t = c.tensor("optimizer.0.step");
         const int64_t minusFive = -5;
         std::memcpy(c.data.data() + t["offset"].get<size_t>(), &minusFive, 8);
       },
       "tensor 'optimizer.0.step' holds a negative step count"},
      {"epoch_as_text", [](CraftedCheckpoint& c) { c.index["state"]["epoch"] = "seven"; },
       "\"epoch\" must be a whole number from 0 to 10000000, not \"seven\""},
      {"best_not_a_number",
       [](CraftedCheckpoint& c) {
         c.index["state"]["best"]["best"] = {1, 2};
       },
       "best.\"best\" must be a finite number"},
      {"schedule_wrong_type",
       [](CraftedCheckpoint& c) { c.index["state"]["schedule"] = "plateau"; },
       "\"schedule\" must be an object"},
      {"state_missing", [](CraftedCheckpoint& c) { c.index.erase("state"); },
       "the index has no \"state\" object"},
  };
}

class HostileCheckpoint : public ::testing::TestWithParam<HostileCase> {};

TEST_P(HostileCheckpoint, IsRefusedWithOneLineNamingTheFileAndLeavesTheTrainerAsItWas) {
  test::TempDir dir;
  const std::string good = trainedCheckpoint(dir);
  CraftedCheckpoint crafted = CraftedCheckpoint::read(good);
  GetParam().craft(crafted);
  const std::string path = dir.file("crafted.ckpt");
  crafted.write(path);

  prepareDeterministicRun(7, 1);
  Trainer trainer(model(), config("adam"), torch::kCPU, 3);
  const auto before = weightsOf(trainer);
  try {
    trainer.loadCheckpoint(path);
    ADD_FAILURE() << "loaded";
  } catch (const CheckpointError& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind(path + ": ", 0), 0U) << message;
    EXPECT_NE(message.find(GetParam().words), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  EXPECT_EQ(trainer.epochsDone(), 0);
  const auto after = weightsOf(trainer);
  for (size_t i = 0; i < before.size(); ++i)
    EXPECT_TRUE(torch::equal(before[i], after[i])) << i;
}

INSTANTIATE_TEST_SUITE_P(Checkpoint, HostileCheckpoint, ::testing::ValuesIn(hostileCases()),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Checkpoint, EachOptimizerRoundTripsItsState) {
  for (const char* optimizer : {"adam", "adamw", "sgd", "rmsprop"}) {
    SCOPED_TRACE(optimizer);
    test::TempDir dir;
    const std::string path = trainedCheckpoint(dir, optimizer);
    Trainer loaded(model(), config(optimizer), torch::kCPU, 3);
    loaded.loadCheckpoint(path);
    EXPECT_EQ(loaded.epochsDone(), 1);
    const std::string again = dir.file("again.ckpt");
    loaded.saveCheckpoint(again);
    // The same state written back gives the same tensors (the generator state aside).
    const CraftedCheckpoint a = CraftedCheckpoint::read(path), b = CraftedCheckpoint::read(again);
    EXPECT_EQ(a.index["tensors"], b.index["tensors"]);
    EXPECT_EQ(a.index["state"], b.index["state"]);
    const auto rng = a.index["tensors"].back();
    ASSERT_EQ(rng["name"], "rng");
    EXPECT_EQ(a.data.substr(0, rng["offset"].get<size_t>()),
              b.data.substr(0, rng["offset"].get<size_t>()));
  }
}

TEST(Checkpoint, ACheckpointOfAnotherOptimizerIsRefused) {
  test::TempDir dir;
  const std::string path = trainedCheckpoint(dir, "adam");
  Trainer sgd(model(), config("sgd"), torch::kCPU, 3);
  try {
    sgd.loadCheckpoint(path);
    ADD_FAILURE() << "loaded";
  } catch (const CheckpointError& error) {
    // Adam's moments have no place in SGD's state.
    const std::string message = error.what();
    EXPECT_NE(message.find(": tensor 'optimizer.0."), std::string::npos) << message;
    EXPECT_NE(message.find("' does not belong to this run's model"), std::string::npos) << message;
  }
}

// Predicting or exporting loads a checkpoint while a training run may be drawing dropout masks
// from the process-wide generator on another thread: the load must leave that generator alone.
TEST(Checkpoint, LoadingLeavesTheProcessWideGeneratorAlone) {
  test::TempDir dir;
  const std::string path = trainedCheckpoint(dir);
  Trainer trainer(model(), config("adam"), torch::kCPU, 3);
  torch::manual_seed(12345);
  const torch::Tensor expected = torch::rand({16});
  torch::manual_seed(12345);
  trainer.loadCheckpoint(path);
  EXPECT_TRUE(torch::equal(torch::rand({16}), expected));
}

// Building a model beside a training (Try It, export in the GUI) draws its initial weights under a
// GeneratorShield, which leaves the process-wide generator as it found it.
TEST(Checkpoint, AModelBuiltUnderAShieldLeavesTheProcessWideGeneratorAsItWas) {
  torch::manual_seed(12345);
  const torch::Tensor expected = torch::rand({16});
  torch::manual_seed(12345);
  {
    const GeneratorShield shield;
    Trainer trainer(model(), config("adam"), torch::kCPU, 3);
  }
  EXPECT_TRUE(torch::equal(torch::rand({16}), expected));
  // Without the shield the same construction draws, so the check above is a real one.
  torch::manual_seed(12345);
  { Trainer trainer(model(), config("adam"), torch::kCPU, 3); }
  EXPECT_FALSE(torch::equal(torch::rand({16}), expected));
}

// Only a resumed training run puts the saved generator state back, when it starts training.
TEST(Checkpoint, AResumedFitRestoresTheSavedGeneratorState) {
  test::TempDir dir;
  prepareDeterministicRun(1, 1);
  Trainer first(model(), config("adam"), torch::kCPU, 3);
  TrainControl control;
  TrainCallbacks callbacks;
  callbacks.onEpoch = [&](const EpochSummary&) {
    first.saveCheckpoint(dir.file("last.ckpt"));
    control.requestStop();
  };
  first.fit(data(), data(), callbacks, &control);
  const CraftedCheckpoint crafted = CraftedCheckpoint::read(dir.file("last.ckpt"));
  const auto& rng = crafted.index["tensors"].back();
  torch::Tensor state = torch::empty({rng["shape"][0].get<int64_t>()}, torch::kUInt8);
  std::memcpy(state.data_ptr(), crafted.data.data() + rng["offset"].get<size_t>(), state.numel());
  auto generator = at::make_generator<at::CPUGeneratorImpl>();
  generator.set_state(state);
  const torch::Tensor expected = torch::rand({8}, generator);

  torch::manual_seed(999);
  TrainConfig oneEpoch = config("adam");
  oneEpoch.epochs = 1;
  Trainer finished(model(), oneEpoch, torch::kCPU, 3);
  finished.loadCheckpoint(dir.file("last.ckpt"));
  // Epoch 1 of 1 is done: fit() restores the state and draws nothing.
  finished.fit(data(), data());
  EXPECT_TRUE(torch::equal(torch::rand({8}), expected));
}

}  // namespace
}  // namespace layerlab::engine
