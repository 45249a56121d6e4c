// Plain value types shared by the store's writer and reader. No SQLite, no Qt, no torch: the GUI
// and the CLI both use them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace layerlab::storage {

enum class RunStatus { Queued, Running, Completed, Failed, Cancelled, Interrupted };

// "queued", "running", "completed", "failed", "cancelled", "interrupted".
std::string_view toString(RunStatus status);
std::optional<RunStatus> parseRunStatus(std::string_view text);

// What the caller knows when a run starts. The three documents are JSON text.
struct NewRun {
  std::string name;
  std::string modelJson;
  std::string configJson;
  std::string datasetJson;
  std::string datasetFingerprint;
  std::string device;
  std::string appVersion;
  int64_t seed = 0;
};

// One metric value in long form. `split` is "train", "val" or "test"; `name` is e.g. "loss",
// "accuracy". NaN and infinities are kept as they are.
struct MetricValue {
  std::string split;
  std::string name;
  double value = 0.0;
};

// A per-batch sample of the training metrics, taken every N batches.
struct BatchSample {
  int64_t step = 0;       // global optimiser step, 1-based
  int epoch = 0;          // 1-based
  double wallTime = 0.0;  // seconds since the run started
  std::vector<MetricValue> values;
};

// Everything measured at the end of one epoch.
struct EpochRecord {
  int epoch = 0;  // 1-based
  int64_t step = 0;
  double wallTime = 0.0;
  std::vector<MetricValue> values;
};

// One row of the runs list. Times are Unix seconds (UTC); 0 when not set.
struct RunSummary {
  int64_t id = 0;
  std::string name;
  RunStatus status = RunStatus::Queued;
  double createdAt = 0.0;
  double startedAt = 0.0;
  double finishedAt = 0.0;
  std::string device;
  int epochsDone = 0;
  std::optional<double> testAccuracy;  // final test accuracy, when the run has one
  std::optional<double> bestValAccuracy;
};

// A whole run: its summary plus the documents and the final metrics.
struct RunDetail {
  RunSummary summary;
  std::string modelJson;
  std::string configJson;
  std::string datasetJson;
  std::string datasetFingerprint;
  std::string appVersion;
  int64_t seed = 0;
  std::string errorText;
  std::map<std::string, double> finalMetrics;  // keyed "test_loss", "test_accuracy", …
};

// The per-epoch values of one run, keyed "<split>_<name>" ("train_loss", "val_accuracy", …).
struct EpochMetrics {
  int epoch = 0;
  int64_t step = 0;
  double wallTime = 0.0;
  std::map<std::string, double> values;
};

}  // namespace layerlab::storage
