#include "engine/train/generator_shield.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

namespace layerlab::engine {

struct GeneratorShield::SavedState {
  torch::Tensor cpu;
};

std::mutex& generatorDrawMutex() {
  static std::mutex mutex;
  return mutex;
}

GeneratorShield::GeneratorShield()
    : m_lock(generatorDrawMutex()), m_saved(std::make_unique<SavedState>()) {
  auto generator = at::detail::getDefaultCPUGenerator();
  const std::lock_guard<std::mutex> lock(generator.mutex());
  m_saved->cpu = generator.get_state();
}

GeneratorShield::~GeneratorShield() {
  auto generator = at::detail::getDefaultCPUGenerator();
  const std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(m_saved->cpu);
}

}  // namespace layerlab::engine
