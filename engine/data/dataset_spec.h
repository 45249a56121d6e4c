// Which data a run trains on and how it is prepared. Plain data, no torch: the GUI includes it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

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
};

nlohmann::json toJson(const DatasetSpec& spec);

// Throws std::invalid_argument naming the bad field.
DatasetSpec datasetSpecFromJson(const nlohmann::json& doc);

}  // namespace layerlab::engine
