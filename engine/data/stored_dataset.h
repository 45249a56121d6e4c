// The dataset document a run keeps: the DatasetSpec it trained on, with what training learned of
// the data written beside it ("description", "classes", "preprocessing"). Reading one back gives
// the spec (to train on the same data again) and the extras.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/data/dataset_spec.h"

namespace layerlab::engine {

struct StoredDataset {
  DatasetSpec spec;
  std::vector<std::string> classNames;  // empty for regression
  nlohmann::json preprocessing;         // {"scale", "mean", "std"}, or null
};

// Throws std::invalid_argument naming the bad field (as datasetSpecFromJson does).
StoredDataset readStoredDataset(nlohmann::json doc);

}  // namespace layerlab::engine
