#include "engine/train/train_config.h"

#include <cmath>
#include <set>
#include <stdexcept>

namespace layerlab::engine {
namespace {

using nlohmann::json;

bool oneOf(const std::string& value, std::initializer_list<const char*> choices) {
  for (const char* choice : choices) {
    if (value == choice) return true;
  }
  return false;
}

void validateSchedule(const ScheduleConfig& s, std::vector<std::string>& problems) {
  if (!oneOf(s.type, {"constant", "step", "cosine", "plateau"})) {
    problems.push_back("schedule must be constant, step, cosine or plateau, not '" + s.type + "'");
  }
  if (s.stepSize < 1) problems.push_back("schedule.step_size must be at least 1");
  if (!(s.gamma > 0 && s.gamma <= 1)) problems.push_back("schedule.gamma must be in (0, 1]");
  if (!(s.factor > 0 && s.factor < 1)) problems.push_back("schedule.factor must be in (0, 1)");
  if (s.warmupEpochs < 0) problems.push_back("schedule.warmup_epochs must not be negative");
  if (s.minLr < 0) problems.push_back("schedule.min_lr must not be negative");
  if (s.patience < 0) problems.push_back("schedule.patience must not be negative");
}

// Reads `key` into `field` when present; every key read is remembered for the unknown-key check.
template <typename T>
void read(const json& doc, const char* key, T& field, std::set<std::string>& seen) {
  seen.insert(key);
  if (doc.contains(key)) field = doc.at(key).get<T>();
}

void rejectUnknown(const json& doc, const std::set<std::string>& seen, const std::string& where) {
  for (const auto& [key, value] : doc.items()) {
    if (!seen.contains(key)) throw std::invalid_argument("unknown key '" + key + "'" + where);
  }
}

ScheduleConfig scheduleFromJson(const json& doc) {
  ScheduleConfig s;
  if (doc.is_string()) {
    s.type = doc.get<std::string>();
    return s;
  }
  std::set<std::string> seen;
  read(doc, "type", s.type, seen);
  read(doc, "step_size", s.stepSize, seen);
  read(doc, "gamma", s.gamma, seen);
  read(doc, "warmup_epochs", s.warmupEpochs, seen);
  read(doc, "min_lr", s.minLr, seen);
  read(doc, "factor", s.factor, seen);
  read(doc, "patience", s.patience, seen);
  read(doc, "threshold", s.threshold, seen);
  rejectUnknown(doc, seen, " in 'schedule'");
  return s;
}

EarlyStoppingConfig earlyStoppingFromJson(const json& doc) {
  EarlyStoppingConfig e;
  std::set<std::string> seen;
  read(doc, "patience", e.patience, seen);
  read(doc, "min_delta", e.minDelta, seen);
  read(doc, "restore_best", e.restoreBest, seen);
  rejectUnknown(doc, seen, " in 'early_stopping'");
  return e;
}

}  // namespace

bool isRegressionLoss(const std::string& loss) {
  return oneOf(loss, {"mse", "l1", "huber"});
}

std::vector<std::string> TrainConfig::validate() const {
  std::vector<std::string> problems;
  if (!oneOf(optimizer, {"sgd", "adam", "adamw", "rmsprop"})) {
    problems.push_back("optimizer must be sgd, adam, adamw or rmsprop, not '" + optimizer + "'");
  }
  if (!(learningRate > 0) || !std::isfinite(learningRate)) {
    problems.push_back("learning rate must be a positive number");
  }
  if (momentum < 0 || momentum >= 1) problems.push_back("momentum must be in [0, 1)");
  if (nesterov && (optimizer != "sgd" || momentum <= 0)) {
    problems.push_back("nesterov needs the sgd optimizer with a momentum above 0");
  }
  if (weightDecay < 0) problems.push_back("weight decay must not be negative");
  if (!oneOf(loss, {"cross_entropy", "bce_with_logits", "mse", "l1", "huber"})) {
    problems.push_back("loss must be cross_entropy, bce_with_logits, mse, l1 or huber, not '" +
                       loss + "'");
  }
  if (labelSmoothing < 0 || labelSmoothing >= 1)
    problems.push_back("label smoothing must be in [0, 1)");
  if (!(huberDelta > 0)) problems.push_back("huber delta must be positive");
  validateSchedule(schedule, problems);
  if (earlyStopping.patience < 0)
    problems.push_back("early stopping patience must not be negative");
  if (earlyStopping.minDelta < 0)
    problems.push_back("early stopping min delta must not be negative");
  if (monitor.rfind("val_", 0) != 0 && monitor.rfind("train_", 0) != 0) {
    problems.push_back("monitor must name a metric such as val_loss or val_accuracy, not '" +
                       monitor + "'");
  }
  if (gradClipNorm < 0) problems.push_back("gradient clipping norm must not be negative");
  if (batchSize < 1 || batchSize > 1 << 20) problems.push_back("batch size must be 1 to 1048576");
  if (epochs < 1 || epochs > 100000) problems.push_back("epochs must be 1 to 100000");
  if (!oneOf(device, {"auto", "cpu", "cuda"})) {
    problems.push_back("device must be auto, cpu or cuda, not '" + device + "'");
  }
  if (threads < 0 || threads > 1024) problems.push_back("threads must be 0 (all cores) to 1024");
  if (logEveryBatches < 1) problems.push_back("log interval must be at least 1 batch");
  return problems;
}

int64_t suggestedBatchSize(int64_t trainingRows) {
  int64_t batch = kDefaultBatchSize;
  if (trainingRows <= 0) return batch;
  while (batch > 1 && (trainingRows + batch - 1) / batch < kMinStepsPerEpoch)
    batch /= 2;
  return batch;
}

nlohmann::json toJson(const TrainConfig& c) {
  const ScheduleConfig& s = c.schedule;
  return {{"format", "layerlab.train"},
          {"version", 1},
          {"optimizer", c.optimizer},
          {"learning_rate", c.learningRate},
          {"momentum", c.momentum},
          {"nesterov", c.nesterov},
          {"weight_decay", c.weightDecay},
          {"loss", c.loss},
          {"label_smoothing", c.labelSmoothing},
          {"huber_delta", c.huberDelta},
          {"schedule",
           {{"type", s.type},
            {"step_size", s.stepSize},
            {"gamma", s.gamma},
            {"warmup_epochs", s.warmupEpochs},
            {"min_lr", s.minLr},
            {"factor", s.factor},
            {"patience", s.patience},
            {"threshold", s.threshold}}},
          {"early_stopping",
           {{"patience", c.earlyStopping.patience},
            {"min_delta", c.earlyStopping.minDelta},
            {"restore_best", c.earlyStopping.restoreBest}}},
          {"monitor", c.monitor},
          {"grad_clip_norm", c.gradClipNorm},
          {"batch_size", c.batchSize},
          {"epochs", c.epochs},
          {"seed", c.seed},
          {"device", c.device},
          {"threads", c.threads},
          {"log_every_batches", c.logEveryBatches}};
}

TrainConfig trainConfigFromJson(const nlohmann::json& doc) {
  if (!doc.is_object() || doc.value("format", "") != "layerlab.train") {
    throw std::invalid_argument("not a training config ('format' must be \"layerlab.train\")");
  }
  if (doc.value("version", 0) != 1) throw std::invalid_argument("'version' must be 1");
  TrainConfig c;
  std::set<std::string> seen = {"format", "version"};
  try {
    read(doc, "optimizer", c.optimizer, seen);
    read(doc, "learning_rate", c.learningRate, seen);
    read(doc, "momentum", c.momentum, seen);
    read(doc, "nesterov", c.nesterov, seen);
    read(doc, "weight_decay", c.weightDecay, seen);
    read(doc, "loss", c.loss, seen);
    read(doc, "label_smoothing", c.labelSmoothing, seen);
    read(doc, "huber_delta", c.huberDelta, seen);
    seen.insert({"schedule", "early_stopping"});
    if (doc.contains("schedule")) c.schedule = scheduleFromJson(doc.at("schedule"));
    if (doc.contains("early_stopping"))
      c.earlyStopping = earlyStoppingFromJson(doc.at("early_stopping"));
    read(doc, "monitor", c.monitor, seen);
    read(doc, "grad_clip_norm", c.gradClipNorm, seen);
    read(doc, "batch_size", c.batchSize, seen);
    read(doc, "epochs", c.epochs, seen);
    read(doc, "seed", c.seed, seen);
    read(doc, "device", c.device, seen);
    read(doc, "threads", c.threads, seen);
    read(doc, "log_every_batches", c.logEveryBatches, seen);
  } catch (const json::exception& error) {
    throw std::invalid_argument(std::string("bad training config: ") + error.what());
  }
  rejectUnknown(doc, seen, " in the training config");
  const std::vector<std::string> problems = c.validate();
  if (!problems.empty()) throw std::invalid_argument(problems.front());
  return c;
}

TrainConfig withSuggestions(const TrainConfig& base, const nlohmann::json& suggestions) {
  if (suggestions.is_null()) return base;
  if (!suggestions.is_object())
    throw std::invalid_argument("must be an object of training settings");
  if (suggestions.contains("format") || suggestions.contains("version"))
    throw std::invalid_argument("gives settings only, without 'format' or 'version'");
  nlohmann::json merged = toJson(base);
  merged.merge_patch(suggestions);
  return trainConfigFromJson(merged);
}

}  // namespace layerlab::engine
