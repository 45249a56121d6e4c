#include "engine/train/objective.h"

namespace layerlab::engine {

namespace F = torch::nn::functional;

Objective::Objective(const TrainConfig& config, int64_t classes)
    : m_config(config), m_classes(classes) {}

torch::Tensor Objective::loss(const torch::Tensor& output, const torch::Tensor& target) const {
  const std::string& loss = m_config.loss;
  if (loss == "cross_entropy") {
    return F::cross_entropy(output, target,
                            F::CrossEntropyFuncOptions().label_smoothing(m_config.labelSmoothing));
  }
  if (loss == "bce_with_logits") {
    // One logit per sample for two classes: the target class index is the probability of class 1.
    return F::binary_cross_entropy_with_logits(output.reshape({-1}),
                                               target.to(output.scalar_type()).reshape({-1}));
  }
  const torch::Tensor expected = target.to(output.scalar_type()).reshape(output.sizes());
  if (loss == "l1") return F::l1_loss(output, expected);
  if (loss == "huber") {
    return F::huber_loss(output, expected, F::HuberLossFuncOptions().delta(m_config.huberDelta));
  }
  return F::mse_loss(output, expected);
}

torch::Tensor Objective::predict(const torch::Tensor& output) const {
  if (m_config.loss == "bce_with_logits") return output.reshape({-1}).gt(0).to(torch::kInt64);
  return output.argmax(1);
}

}  // namespace layerlab::engine
