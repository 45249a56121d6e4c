#include "engine/train/train_config.h"

#include <cmath>
#include <stdexcept>

namespace layerlab::engine {

std::vector<std::string> TrainConfig::validate() const {
  std::vector<std::string> problems;
  if (optimizer != "adam" && optimizer != "sgd") {
    problems.push_back("optimizer must be adam or sgd, not '" + optimizer + "'");
  }
  if (!(learningRate > 0) || !std::isfinite(learningRate)) {
    problems.push_back("learning rate must be a positive number");
  }
  if (momentum < 0 || momentum >= 1) problems.push_back("momentum must be in [0, 1)");
  if (batchSize < 1 || batchSize > 1 << 20) problems.push_back("batch size must be 1 to 1048576");
  if (epochs < 1 || epochs > 100000) problems.push_back("epochs must be 1 to 100000");
  if (device != "auto" && device != "cpu" && device != "cuda") {
    problems.push_back("device must be auto, cpu or cuda, not '" + device + "'");
  }
  if (threads < 0 || threads > 1024) problems.push_back("threads must be 0 (all cores) to 1024");
  if (logEveryBatches < 1) problems.push_back("log interval must be at least 1 batch");
  return problems;
}

nlohmann::json toJson(const TrainConfig& config) {
  return {{"format", "layerlab.train"},
          {"version", 1},
          {"optimizer", config.optimizer},
          {"learning_rate", config.learningRate},
          {"momentum", config.momentum},
          {"batch_size", config.batchSize},
          {"epochs", config.epochs},
          {"seed", config.seed},
          {"device", config.device},
          {"threads", config.threads},
          {"log_every_batches", config.logEveryBatches}};
}

TrainConfig trainConfigFromJson(const nlohmann::json& doc) {
  if (!doc.is_object() || doc.value("format", "") != "layerlab.train") {
    throw std::invalid_argument("not a training config ('format' must be \"layerlab.train\")");
  }
  TrainConfig config;
  try {
    config.optimizer = doc.value("optimizer", config.optimizer);
    config.learningRate = doc.value("learning_rate", config.learningRate);
    config.momentum = doc.value("momentum", config.momentum);
    config.batchSize = doc.value("batch_size", config.batchSize);
    config.epochs = doc.value("epochs", config.epochs);
    config.seed = doc.value("seed", config.seed);
    config.device = doc.value("device", config.device);
    config.threads = doc.value("threads", config.threads);
    config.logEveryBatches = doc.value("log_every_batches", config.logEveryBatches);
  } catch (const nlohmann::json::exception& error) {
    throw std::invalid_argument(std::string("bad training config: ") + error.what());
  }
  const std::vector<std::string> problems = config.validate();
  if (!problems.empty()) throw std::invalid_argument(problems.front());
  return config;
}

}  // namespace layerlab::engine
