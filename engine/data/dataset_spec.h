// Which data a run trains on and how it is prepared. Plain data, no torch: the GUI includes it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace layerlab::engine {

inline constexpr const char* kFashionMnist = "fashion-mnist";
// Where Debian's dataset-fashion-mnist package puts the files.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// kFashionMnistDir, or the folder named by LAYERLAB_FASHION_MNIST_DIR when that is set (for
// systems where the files live elsewhere).
std::string fashionMnistDir();

struct DatasetSpec {
  std::string source = kFashionMnist;  // the built-in "fashion-mnist"
  int64_t limit = 0;                   // > 0: keep only the first N training samples
  double valFraction = 0.1;            // carved from the training part with `seed`
  uint64_t seed = 42;
  // "zscore": (x - mean) / std per channel, "minmax": to [0, 1] per channel, "none": the raw
  // values scaled to [0, 1]. Statistics come from the training part only.
  std::string normalize = "zscore";
};

// What was done to raw input values v: x = (v * scale - mean[c]) / std[c] for channel c. Kept
// with the run so that exports and predictions prepare inputs the same way.
struct Preprocessing {
  double scale = 1.0;
  std::vector<double> mean;
  std::vector<double> std;
};

nlohmann::json toJson(const Preprocessing& preprocessing);

nlohmann::json toJson(const DatasetSpec& spec);

// Throws std::invalid_argument naming the bad field.
DatasetSpec datasetSpecFromJson(const nlohmann::json& doc);

}  // namespace layerlab::engine
