#include "app/cli/train_options.h"

#include <fstream>
#include <sstream>

#include "app/cli/commands.h"
#include "engine/data/csv_reader.h"
#include "engine/data/data_header.h"
#include "engine/model/json_document.h"

namespace layerlab::cli {
namespace {

// Reads the JSON document at `path` with `fromJson`; every problem names the file.
template <typename FromJson>
auto readDocument(const std::string& path, FromJson fromJson) {
  const nlohmann::json doc = engine::parseJsonDocument(engine::readDocumentFile(path), path);
  try {
    return fromJson(doc);
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
  c.add_option("--data", f.data,
               "fashion-mnist, a CSV file, a folder of images (one sub-folder per class), or "
               "IMAGES,LABELS[,TEST_IMAGES,TEST_LABELS] IDX files")
      ->capture_default_str();
  c.add_option("--data-spec", f.dataSpecPath,
               "A dataset document (JSON, \"format\": \"layerlab.dataset\") instead of --data");
  c.add_option("--label-column", f.labelColumn,
               "CSV: the target column by name or 0-based index (default: the last)");
  c.add_option("--header", f.header, "CSV: whether the first line names the columns")
      ->check(CLI::IsMember({"auto", "yes", "no"}));
  c.add_option("--skip-rows", f.skipRows, "CSV: lines to skip before the header or the data")
      ->check(CLI::NonNegativeNumber);
  c.add_option("--missing", f.missing, "CSV: missing values are an error, drop the row, or mean")
      ->check(CLI::IsMember({"error", "drop", "mean"}));
  c.add_option("--image-size", f.imageSize, "Image folder: resize every image to HxW, e.g. 32x32");
  c.add_flag("--grayscale", f.grayscale, "Image folder: read images as one channel");
  c.add_option("--limit", f.limit, "Keep only N samples (0 = all)")->check(CLI::NonNegativeNumber);
  c.add_option("--val-fraction", f.valFraction,
               "Part kept for validation (default 0.1 of fashion-mnist's training part, else 0.15)")
      ->check(CLI::Range(0.0, 0.95));
  c.add_option("--test-fraction", f.testFraction,
               "Part kept for test, for data without its own test part (default 0.15)")
      ->check(CLI::Range(0.0, 0.95));
  c.add_option("--normalize", f.normalize,
               "Input normalisation from the training part: zscore (default), minmax or none")
      ->check(CLI::IsMember({"zscore", "minmax", "none"}));
  c.add_flag("--flip", f.flip, "Augment: mirror training images left-right at random");
  c.add_option("--crop-padding", f.cropPadding, "Augment: pad by N pixels and crop at random")
      ->check(CLI::Range(0, 64));
  c.add_option("--rotate", f.rotate, "Augment: rotate training images by up to ±DEGREES")
      ->check(CLI::Range(0.0, 180.0));
}

engine::ColumnRef columnRef(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("-0123456789") == std::string::npos) {
    try {
      return static_cast<int64_t>(std::stoll(text));
    } catch (const std::exception&) {
      // not a number after all: a column name
    }
  }
  return text;
}

void applyImageSize(engine::ImageOptions& image, const std::string& text) {
  int64_t height = 0, width = 0;
  char x = 0, rest = 0;
  std::istringstream in(text);
  if (!(in >> height >> x >> width) || (x != 'x' && x != 'X') || in >> rest || height < 1 ||
      width < 1 || height > 4096 || width > 4096) {
    throw std::invalid_argument("--image-size must be HxW, e.g. 32x32 (1 to 4096), not '" + text +
                                "'");
  }
  image.height = height;
  image.width = width;
}

void addOptimiserFlags(CLI::App& c, TrainFlags& f) {
  c.add_option("--epochs", f.epochs, "Epochs (default 5)")->check(CLI::Range(1, 100000));
  c.add_option("--batch-size", f.batchSize,
               "Samples per batch (default: from the data, 32 or smaller so that an epoch makes "
               "at least 8 steps, e.g. 8 for iris's 106 training rows)")
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

engine::TrainConfig resolveTrainConfig(const TrainFlags& f, const nlohmann::json& suggestions) {
  engine::TrainConfig c = f.configPath.empty()
                              ? engine::withSuggestions(engine::TrainConfig{}, suggestions)
                              : readDocument(f.configPath, engine::trainConfigFromJson);
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

engine::DatasetSpec resolveDatasetSpec(const TrainFlags& f, const engine::TrainConfig& config) {
  engine::DatasetSpec spec = f.dataSpecPath.empty()
                                 ? engine::datasetSpecForArgument(f.data)
                                 : readDocument(f.dataSpecPath, engine::datasetSpecFromJson);
  spec.seed = config.seed;
  override(spec.limit, f.limit);
  if (f.valFraction) spec.valFraction = f.valFraction;
  if (f.testFraction) spec.testFraction = f.testFraction;
  override(spec.normalize, f.normalize);
  if (f.labelColumn) spec.csv.label = columnRef(*f.labelColumn);
  override(spec.csv.missing, f.missing);
  override(spec.csv.header, f.header);
  override(spec.csv.skipRows, f.skipRows);
  // As the Data place names them, so the same column makes the same spec from either front end.
  if (spec.source == engine::kCsvSource) spec.csv = engine::columnsByName(spec.path, spec.csv);
  if (engine::isRegressionLoss(config.loss)) spec.csv.task = "regression";
  if (f.imageSize) applyImageSize(spec.image, *f.imageSize);
  if (f.grayscale) spec.image.color = "grayscale";
  if (f.flip) spec.augment.flip = true;
  override(spec.augment.cropPadding, f.cropPadding);
  override(spec.augment.rotationDegrees, f.rotate);
  return spec;
}

engine::TrainConfig withSuggestedBatchSize(engine::TrainConfig config, const TrainFlags& f,
                                           const engine::DatasetSpec& spec) {
  if (f.batchSize) return config;
  if (!f.configPath.empty()) {
    const nlohmann::json doc =
        engine::parseJsonDocument(engine::readDocumentFile(f.configPath), f.configPath);
    if (doc.contains("batch_size")) return config;
  }
  int64_t trainingRows = 0;
  try {
    trainingRows = engine::countTrainingSamples(spec);
  } catch (const engine::DataError&) {
    // The job reports the problem when it loads the data; the batch size does not matter then.
  }
  config.batchSize = engine::suggestedBatchSize(trainingRows);
  return config;
}

engine::TrainConfig applyResumeFlags(engine::TrainConfig stored, const TrainFlags& f) {
  override(stored.epochs, f.epochs);
  override(stored.device, f.device);
  override(stored.threads, f.threads);
  return stored;
}

}  // namespace layerlab::cli
