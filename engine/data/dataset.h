// Datasets as tensors in memory, loaded once per run, split with a seed and normalised with the
// training part's statistics.
//
// Threads: loadDataset runs on the calling thread (the training thread); its progress callback
// is called there too.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "engine/data/dataset_spec.h"
#include "engine/data/load_progress.h"
#include "engine/model/shape.h"

namespace layerlab::engine {

inline constexpr const char* kClassification = "classification";
inline constexpr const char* kRegression = "regression";

// Inputs [N, …shape] (float32). Targets: class indices [N] (int64) for classification, values
// [N, 1] (float32) for regression. Contiguous.
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
  Shape inputShape;                    // [C, H, W] for images, [features] for tables
  std::string task = kClassification;  // kClassification | kRegression
  // Classification: the class of each target index. CSV text labels in order of first
  // appearance, numeric labels in increasing order, image folders by folder name (sorted).
  // Empty for regression.
  std::vector<std::string> classNames;
  // What the model's last layer must give: one logit per class, or 1 for regression.
  // (The trainer takes classNames.size() as its class count: 0 means regression.)
  int64_t outputs = 0;
  // The inputs are prepared: x = (v * scale - mean[c]) / std[c] on raw values v, per channel
  // for images and per feature for tables.
  Preprocessing preprocessing;
  AugmentSpec augment;      // for the trainer to apply per training batch (augment.h)
  std::string fingerprint;  // of the content and the preparation: equal data, equal fingerprint
  std::string description;  // "fashion-mnist: 54,000 train / 6,000 val / 10,000 test"
  std::vector<std::string> warnings;  // the readers' warnings: the data is usable

  bool classification() const { return task == kClassification; }
};

// Loads what `spec` names: reads the source, splits it (stratified for classification when
// spec.stratify), fills missing values with the training part's means (csv.missing = mean) and
// normalises every part with the training part's statistics. `progress` reports the reading of
// CSV files (bytes) and image folders (images); returning false stops with LoadCancelled.
// Throws DataError naming the file and the problem.
LoadedData loadDataset(const DatasetSpec& spec,
                       const std::string& fashionMnistFolder = fashionMnistDir(),
                       const LoadProgress& progress = {});

// Images [N, H, W] (or [N, H, W, C] with C = 1 or 3) of bytes and labels [N] from two IDX files,
// scaled to [0, 1] as [N, C, H, W]. Throws DataError when the files do not belong together.
TensorDataset loadIdxPair(const std::string& imagesPath, const std::string& labelsPath,
                          int64_t limit = 0);

}  // namespace layerlab::engine
