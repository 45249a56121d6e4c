// What a run minimises and how its predictions are scored: the loss function with its options,
// and for classification the predicted class. Runs on the training thread, on the device.
#pragma once

#include <torch/torch.h>

#include "engine/train/train_config.h"

namespace layerlab::engine {

class Objective {
 public:
  // `classes` is the number of classes for classification data, 0 for regression.
  Objective(const TrainConfig& config, int64_t classes);

  bool classification() const { return m_classes > 0; }
  int64_t classes() const { return m_classes; }

  // The mean loss over the batch. `output` [B, …]; `target` int64 [B] for classification,
  // float [B, k] for regression.
  torch::Tensor loss(const torch::Tensor& output, const torch::Tensor& target) const;

  // The predicted class per sample (classification only).
  torch::Tensor predict(const torch::Tensor& output) const;

 private:
  TrainConfig m_config;
  int64_t m_classes;
};

}  // namespace layerlab::engine
