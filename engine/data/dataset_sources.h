// The first step of loadDataset: one source read into tensors, not yet split or normalised.
#pragma once

#include <string>
#include <vector>

#include "engine/data/dataset.h"

namespace layerlab::engine {

struct SourceData {
  TensorDataset all;   // every sample (of the training part, when the source has its own test)
  TensorDataset test;  // the source's own test part, or empty
  double scale = 1.0;  // what the raw values were multiplied by (1/255 for images)
  bool images = false;
  std::string task = kClassification;
  std::vector<std::string> classNames;
  std::vector<std::string> featureNames;  // tables: one per input column
  std::string contentHash;                // of the bytes as read
  std::string name;                       // for the description: "iris.csv"
  std::vector<std::string> warnings;
};

// Throws DataError (LoadCancelled when `progress` said stop).
SourceData readSource(const DatasetSpec& spec, const std::string& fashionMnistFolder,
                      const LoadProgress& progress);

}  // namespace layerlab::engine
