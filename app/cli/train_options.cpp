#include "app/cli/train_options.h"

#include <fstream>
#include <sstream>

#include "app/cli/commands.h"

namespace layerlab::cli {
namespace {

engine::TrainConfig readConfigFile(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::invalid_argument(path + ": cannot open the file (does it exist?)");
  std::stringstream text;
  text << file.rdbuf();
  const nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (doc.is_discarded()) throw std::invalid_argument(path + ": not valid JSON");
  try {
    return engine::trainConfigFromJson(doc);
  } catch (const std::invalid_argument& error) {
    throw std::invalid_argument(path + ": " + error.what());
  }
}

template <typename T>
void override(T& field, const std::optional<T>& flag) {
  if (flag) field = *flag;
}

void addModelAndDataFlags(CLI::App& c, TrainFlags& f) {
  c.add_option("--model", f.modelPath, "A *.layerlab.json model");
  c.add_option("--data", f.data, "The data: fashion-mnist")->capture_default_str();
  c.add_option("--limit", f.limit, "Keep only the first N training samples")
      ->check(CLI::NonNegativeNumber);
  c.add_option("--val-fraction", f.valFraction, "Part of the training data kept for validation")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.95));
  c.add_option("--normalize", f.normalize,
               "Input normalisation from the training part: zscore, minmax or none")
      ->capture_default_str()
      ->check(CLI::IsMember({"zscore", "minmax", "none"}));
}

void addOptimiserFlags(CLI::App& c, TrainFlags& f) {
  c.add_option("--epochs", f.epochs, "Epochs (default 5)")->check(CLI::Range(1, 100000));
  c.add_option("--batch-size", f.batchSize, "Samples per batch (default 64)")
      ->check(CLI::Range(1, 1 << 20));
  c.add_option("--lr", f.learningRate, "Learning rate (default 0.001)")->check(CLI::PositiveNumber);
  c.add_option("--optimizer", f.optimizer, "adam (default), adamw, sgd or rmsprop")
      ->check(CLI::IsMember({"adam", "adamw", "sgd", "rmsprop"}));
  c.add_option("--momentum", f.momentum, "Momentum for sgd and rmsprop (default 0.9)")
      ->check(CLI::Range(0.0, 0.999));
  c.add_flag("--nesterov", f.nesterov, "Nesterov momentum (sgd)");
  c.add_option("--weight-decay", f.weightDecay, "Weight decay (default 0)")
      ->check(CLI::NonNegativeNumber);
  c.add_option("--loss", f.loss, "cross_entropy (default), bce_with_logits, mse, l1 or huber")
      ->check(CLI::IsMember({"cross_entropy", "bce_with_logits", "mse", "l1", "huber"}));
  c.add_option("--label-smoothing", f.labelSmoothing, "Label smoothing for cross_entropy")
      ->check(CLI::Range(0.0, 0.99));
  c.add_option("--schedule", f.schedule,
               "Learning-rate schedule: constant (default), step, cosine or plateau")
      ->check(CLI::IsMember({"constant", "step", "cosine", "plateau"}));
  c.add_option("--early-stopping", f.earlyStopping,
               "Stop after this many epochs without improvement of --monitor (0 = off)")
      ->check(CLI::Range(0, 100000));
  c.add_option("--monitor", f.monitor, "The metric of the best epoch (default val_loss)");
  c.add_option("--grad-clip", f.gradClip, "Clip the gradient norm to this (0 = off)")
      ->check(CLI::NonNegativeNumber);
}

void addRunFlags(CLI::App& c, TrainFlags& f) {
  c.add_option("--config", f.configPath,
               "A training config (JSON, \"format\": \"layerlab.train\")");
  c.add_option("--resume", f.resumeRun,
               "Continue a stopped or interrupted run from its last checkpoint");
  c.add_option("--seed", f.seed, "Seed for weights, shuffling and the split (default 42)");
  c.add_option("--device", f.device, "auto (default), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}));
  c.add_option("--threads", f.threads, "CPU threads (0 = every core, or OMP_NUM_THREADS)")
      ->check(CLI::Range(0, 1024));
  c.add_option("--log-every", f.logEvery, "Record training metrics every N batches (default 20)")
      ->check(CLI::Range(1, 1 << 20));
  c.add_option("--name", f.name, "A name for the run (default: the model's)");
  addStoreOption(c, f.dbPath);
}

}  // namespace

void addTrainFlags(CLI::App& command, TrainFlags& flags) {
  addModelAndDataFlags(command, flags);
  addOptimiserFlags(command, flags);
  addRunFlags(command, flags);
}

engine::TrainConfig resolveTrainConfig(const TrainFlags& f) {
  engine::TrainConfig c =
      f.configPath.empty() ? engine::TrainConfig{} : readConfigFile(f.configPath);
  override(c.epochs, f.epochs);
  override(c.batchSize, f.batchSize);
  override(c.learningRate, f.learningRate);
  override(c.optimizer, f.optimizer);
  override(c.momentum, f.momentum);
  if (f.nesterov) c.nesterov = true;
  override(c.weightDecay, f.weightDecay);
  override(c.loss, f.loss);
  override(c.labelSmoothing, f.labelSmoothing);
  override(c.schedule.type, f.schedule);
  override(c.earlyStopping.patience, f.earlyStopping);
  override(c.monitor, f.monitor);
  override(c.gradClipNorm, f.gradClip);
  override(c.seed, f.seed);
  override(c.device, f.device);
  override(c.threads, f.threads);
  override(c.logEveryBatches, f.logEvery);
  const std::vector<std::string> problems = c.validate();
  if (!problems.empty()) throw std::invalid_argument(problems.front());
  return c;
}

engine::TrainConfig applyResumeFlags(engine::TrainConfig stored, const TrainFlags& f) {
  override(stored.epochs, f.epochs);
  override(stored.device, f.device);
  override(stored.threads, f.threads);
  return stored;
}

}  // namespace layerlab::cli
