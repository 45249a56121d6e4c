// Datasets as tensors in memory, loaded once per run and split with a seed.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "engine/data/dataset_spec.h"
#include "engine/model/shape.h"

namespace layerlab::engine {

// Inputs [N, …shape] (float32) and class targets [N] (int64), contiguous.
struct TensorDataset {
  torch::Tensor inputs;
  torch::Tensor targets;

  int64_t size() const { return inputs.defined() ? inputs.size(0) : 0; }
  TensorDataset to(const torch::Device& device) const;
};

struct LoadedData {
  TensorDataset train;
  TensorDataset val;
  TensorDataset test;
  Shape inputShape;
  std::vector<std::string> classNames;
  Preprocessing preprocessing;
  std::string fingerprint;  // of the content and the preparation: equal data, equal fingerprint
  std::string description;  // "fashion-mnist: 54,000 train / 6,000 val / 10,000 test"
};

// Loads what `spec` names. Throws DataError (engine/data/idx_reader.h) naming the file.
LoadedData loadDataset(const DatasetSpec& spec,
                       const std::string& fashionMnistFolder = fashionMnistDir());

// Images [N, H, W] of bytes and labels [N] from two IDX files, scaled to [0, 1] as [N, 1, H, W].
// Throws DataError when the files do not belong together.
TensorDataset loadIdxPair(const std::string& imagesPath, const std::string& labelsPath,
                          int64_t limit = 0);

}  // namespace layerlab::engine
