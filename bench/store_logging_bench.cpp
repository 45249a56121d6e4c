// What recording every batch costs a real training: the mlp template on 12,000 Fashion-MNIST
// images, the default training config on one CPU thread, a batch sample stored after every batch,
// against the same training storing epochs only, in the same invocation. Prints the store's share
// of an epoch (the target is under 1%) and the wall-clock ratio.
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "engine/data/dataset.h"
#include "engine/model/graph_module.h"
#include "engine/model/model_analysis.h"
#include "engine/train/trainer.h"
#include "storage/run_store.h"

namespace layerlab {
namespace {

using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

const std::string kModel =
    std::string(LAYERLAB_SOURCE_DIR) + "/resources/templates/mlp.layerlab.json";
constexpr int kEpochs = 4;  // the first one warms up and is not counted

struct Measured {
  double epochSeconds = 0;  // wall time of the counted epochs, store work included
  double storeSeconds = 0;  // time spent in RunStore calls during them
  int64_t batchesPerEpoch = 0;
};

// Times `action` into `total`.
template <typename Action>
void timed(double& total, Action action) {
  const auto start = Clock::now();
  action();
  total += Seconds(Clock::now() - start).count();
}

Measured train(const engine::LoadedData& data, const std::string& storePath, bool logBatches) {
  const engine::ModelSpec spec = *engine::loadModelSpec(kModel).spec;
  engine::prepareDeterministicRun(7, 1);
  engine::TrainConfig config;
  config.epochs = kEpochs;
  config.logEveryBatches = 1;
  config.threads = 1;
  engine::Trainer trainer(engine::GraphModule(spec, engine::analyzeModel(spec)), config,
                          torch::kCPU, static_cast<int64_t>(data.classNames.size()));
  storage::RunStore store(storePath);
  storage::NewRun run;
  run.name = logBatches ? "every batch" : "epochs only";
  const int64_t runId = store.createRun(run);

  Measured measured;
  double inStore = 0;
  Clock::time_point countFrom;
  engine::TrainCallbacks callbacks;
  callbacks.onBatch = [&](const engine::BatchProgress& p) {
    measured.batchesPerEpoch = p.batchesPerEpoch;
    if (!logBatches) return;
    timed(inStore, [&] {
      store.bufferBatchSample(
          runId, {.step = p.step,
                  .epoch = p.epoch,
                  .wallTime = p.wallSeconds,
                  .values = {{"train", "loss", p.loss}, {"train", "accuracy", p.accuracy}}});
    });
  };
  callbacks.onEpoch = [&](const engine::EpochSummary& s) {
    timed(inStore, [&] {
      store.appendEpoch(runId, {.epoch = s.epoch,
                                .step = s.step,
                                .wallTime = s.wallSeconds,
                                .values = {{"train", "loss", s.trainLoss},
                                           {"train", "accuracy", s.trainAccuracy},
                                           {"val", "loss", s.valLoss},
                                           {"val", "accuracy", s.valAccuracy}}});
    });
    if (s.epoch == 1) {  // the warm-up ends here
      countFrom = Clock::now();
      inStore = 0;
    }
  };
  trainer.fit(data.train, data.val, callbacks);
  measured.epochSeconds = Seconds(Clock::now() - countFrom).count();
  measured.storeSeconds = inStore;
  return measured;
}

int run() {
  engine::DatasetSpec spec;
  spec.limit = 12000;
  const engine::LoadedData data = engine::loadDataset(spec);
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("layerlab-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const Measured none = train(data, (dir / "none.db").string(), false);
  const Measured every = train(data, (dir / "every.db").string(), true);
  std::filesystem::remove_all(dir);

  const int counted = kEpochs - 1;
  // The batch samples' own cost: what logging every batch adds to the store's work per epoch.
  const double addedPerEpoch = (every.storeSeconds - none.storeSeconds) / counted;
  const double epochWithout = none.epochSeconds / counted;
  const double share = addedPerEpoch / epochWithout;
  const double wallRatio = every.epochSeconds / none.epochSeconds;
  std::printf(
      "%lld batches per epoch; epoch %.1f ms without batch samples, %.1f ms with; store time "
      "per epoch %.2f ms (epochs only) vs %.2f ms (every batch); batch logging costs %.3f%% of "
      "an epoch; wall-clock ratio %.4f\n",
      static_cast<long long>(every.batchesPerEpoch), 1e3 * epochWithout,
      1e3 * every.epochSeconds / counted, 1e3 * none.storeSeconds / counted,
      1e3 * every.storeSeconds / counted, 100 * share, wallRatio);
  std::printf("target: under 1%% (%s)\n", share < 0.01 ? "met" : "NOT met");
  return 0;
}

}  // namespace
}  // namespace layerlab

int main() {
  try {
    return layerlab::run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "store_logging_bench: %s\n", error.what());
    return 1;
  }
}
