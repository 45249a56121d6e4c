// Checkpoints: everything a resumed run needs to continue exactly as an uninterrupted one would.
#include <torch/torch.h>

#include "engine/train/trainer.h"

namespace layerlab::engine {
namespace {

constexpr int kCheckpointVersion = 1;

torch::Tensor cpuGeneratorState() {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get_state();
}

void setCpuGeneratorState(const torch::Tensor& state) {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

std::vector<std::vector<int64_t>> shapesOf(torch::nn::Module& module) {
  std::vector<std::vector<int64_t>> shapes;
  for (const torch::Tensor& p : module.parameters())
    shapes.push_back(p.sizes().vec());
  for (const torch::Tensor& b : module.buffers())
    shapes.push_back(b.sizes().vec());
  return shapes;
}

}  // namespace

void Trainer::saveCheckpoint(const std::string& path) const {
  try {
    torch::serialize::OutputArchive archive;
    torch::serialize::OutputArchive model, optimizer;
    m_model->save(model);
    m_optimizer->save(optimizer);
    archive.write("model", model);
    archive.write("optimizer", optimizer);
    const nlohmann::json state = {
        {"version", kCheckpointVersion},
        {"epoch", m_epoch},
        {"step", m_step},
        {"wall_seconds", m_wallAtEpoch},
        {"best", m_best.state()},
        {"schedule", m_schedule ? m_schedule->state() : m_pendingScheduleState}};
    archive.write("state", c10::IValue(state.dump()));
    archive.write("rng", cpuGeneratorState());
    for (size_t i = 0; i < m_bestWeights.size(); ++i) {
      archive.write("best_weights." + std::to_string(i), m_bestWeights[i].cpu());
    }
    archive.save_to(path);
  } catch (const c10::Error& error) {
    throw CheckpointError(path +
                          ": cannot write the checkpoint: " + error.what_without_backtrace());
  }
}

void Trainer::loadCheckpoint(const std::string& path) {
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path, m_device);
    torch::serialize::InputArchive model, optimizer;
    archive.read("model", model);
    archive.read("optimizer", optimizer);
    // LibTorch replaces tensors of another shape without a word: compare, so that a checkpoint
    // of another model is refused (the trainer is not usable after a refused load).
    const auto shapes = shapesOf(*m_model);
    m_model->load(model);
    if (shapesOf(*m_model) != shapes) {
      throw CheckpointError(path + ": the checkpoint's weights have other shapes than this model");
    }
    m_optimizer->load(optimizer);
    c10::IValue stateText;
    archive.read("state", stateText);
    const nlohmann::json state = nlohmann::json::parse(stateText.toStringRef());
    if (state.at("version").get<int>() != kCheckpointVersion) {
      throw CheckpointError(path + ": made by another version of LayerLab");
    }
    m_epoch = state.at("epoch").get<int>();
    m_step = state.at("step").get<int64_t>();
    m_wallBefore = state.at("wall_seconds").get<double>();
    m_best.restore(state.at("best"));
    m_pendingScheduleState = state.at("schedule");
    torch::Tensor rng;
    archive.read("rng", rng);
    setCpuGeneratorState(rng);
    m_bestWeights.clear();
    torch::Tensor weight;
    while (archive.try_read("best_weights." + std::to_string(m_bestWeights.size()), weight)) {
      m_bestWeights.push_back(weight.to(m_device));
    }
  } catch (const c10::Error& error) {
    throw CheckpointError(path +
                          ": not a checkpoint of this model: " + error.what_without_backtrace());
  } catch (const nlohmann::json::exception& error) {
    throw CheckpointError(path + ": damaged checkpoint state: " + error.what());
  }
}

}  // namespace layerlab::engine
