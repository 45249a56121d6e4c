#include "engine/data/dataset_spec.h"

#include <cstdlib>
#include <stdexcept>

namespace layerlab::engine {

std::string fashionMnistDir() {
  const char* dir = std::getenv("LAYERLAB_FASHION_MNIST_DIR");
  return dir != nullptr && *dir != '\0' ? dir : kFashionMnistDir;
}

nlohmann::json toJson(const DatasetSpec& spec) {
  return {{"format", "layerlab.dataset"},
          {"version", 1},
          {"source", spec.source},
          {"limit", spec.limit},
          {"val_fraction", spec.valFraction},
          {"seed", spec.seed},
          {"normalize", spec.normalize}};
}

nlohmann::json toJson(const Preprocessing& preprocessing) {
  return {{"scale", preprocessing.scale}, {"mean", preprocessing.mean}, {"std", preprocessing.std}};
}

DatasetSpec datasetSpecFromJson(const nlohmann::json& doc) {
  if (!doc.is_object() || doc.value("format", "") != "layerlab.dataset") {
    throw std::invalid_argument("not a dataset document ('format' must be \"layerlab.dataset\")");
  }
  DatasetSpec spec;
  try {
    spec.source = doc.value("source", spec.source);
    spec.limit = doc.value("limit", spec.limit);
    spec.valFraction = doc.value("val_fraction", spec.valFraction);
    spec.seed = doc.value("seed", spec.seed);
    spec.normalize = doc.value("normalize", spec.normalize);
  } catch (const nlohmann::json::exception& error) {
    throw std::invalid_argument(std::string("bad dataset document: ") + error.what());
  }
  if (spec.limit < 0) throw std::invalid_argument("'limit' must not be negative");
  if (spec.normalize != "zscore" && spec.normalize != "minmax" && spec.normalize != "none") {
    throw std::invalid_argument("'normalize' must be zscore, minmax or none");
  }
  if (spec.valFraction < 0 || spec.valFraction >= 1) {
    throw std::invalid_argument("'val_fraction' must be at least 0 and below 1");
  }
  return spec;
}

}  // namespace layerlab::engine
