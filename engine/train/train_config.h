// How a run trains. Plain data, no torch: the GUI's form edits it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace layerlab::engine {

struct TrainConfig {
  std::string optimizer = "adam";  // "adam" | "sgd"
  double learningRate = 1e-3;
  double momentum = 0.9;  // sgd only
  int64_t batchSize = 64;
  int epochs = 5;
  uint64_t seed = 42;
  std::string device = "auto";  // "auto" | "cpu" | "cuda"
  int threads = 0;              // CPU threads; 0 = every core
  int logEveryBatches = 20;     // how often a batch sample is reported

  // Every problem with the values, each naming the field; empty when the config is sound.
  std::vector<std::string> validate() const;
};

nlohmann::json toJson(const TrainConfig& config);

// Throws std::invalid_argument naming the bad field.
TrainConfig trainConfigFromJson(const nlohmann::json& doc);

}  // namespace layerlab::engine
