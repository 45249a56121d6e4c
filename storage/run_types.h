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
  // The run this one re-runs or derives from; kept as a link, cleared if the parent is deleted.
  std::optional<int64_t> parentRunId;
  std::vector<std::string> tags;
  std::string notes;
  // The experiment trial this run trains, linked in the same transaction that creates the run
  // (ExperimentStore). The trial must be running and held by this process.
  struct TrialLink {
    int64_t experimentId = 0;
    int number = 0;
  };
  std::optional<TrialLink> trial;
};

// How long a write waits for another process's write transaction to end before it gives up with
// StoreErrorKind::Busy (SQLite's busy handler retries for that long), naming the process that held
// the lock. No write of LayerLab's own holds the lock for more than a fraction of a second (an
// epoch is one short transaction, a delete goes in slices); VACUUM, run only when asked, is the
// exception.
//
// Five seconds where a person waits on the answer (the GUI's thread, a CLI command): better an
// error saying who holds the lock than a frozen window.
inline constexpr int kBusyTimeoutMs = 5'000;
// One minute for the training writer: an epoch that cannot be stored fails the whole run, so it
// outlasts anything but a stuck process or a foreign program holding the store.
inline constexpr int kTrainingBusyTimeoutMs = 60'000;

// How a store connection is opened. The defaults suit the GUI and the CLI.
struct StoreOptions {
  // How long a write waits for another process's write to finish (see kBusyTimeoutMs).
  int busyTimeoutMs = kBusyTimeoutMs;
  // > 0: the largest size the file may grow to, in pages (4 KiB each); writes beyond it fail
  // with StoreErrorKind::Full, as on a full disk.
  int64_t maxPageCount = 0;
  // false: a missing store file is refused (StoreErrorKind::NotFound) instead of created with its
  // folders. Commands that only read set this, so a mistyped path changes nothing.
  bool createIfMissing = true;
  // How many metric rows RunStore::deleteRun deletes per write transaction.
  int64_t deleteSliceRows = 50'000;
};

// The options of a connection to a store that must already exist (reading, editing runs).
inline StoreOptions existingStoreOptions() {
  StoreOptions options;
  options.createIfMissing = false;
  return options;
}

// The options of the training thread's writer.
inline StoreOptions trainingWriterOptions() {
  StoreOptions options;
  options.busyTimeoutMs = kTrainingBusyTimeoutMs;
  return options;
}

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
  std::string uuid;
  int attempt = 1;  // 1 for a run never resumed; each resume adds one
  std::optional<int64_t> parentRunId;
  std::vector<std::string> tags;  // sorted
  std::string notes;
  double heartbeatAt = 0.0;
  std::optional<double> testLoss;
  std::optional<double> bestValLoss;
  // The first epochs that reached bestValAccuracy and bestValLoss (0 when there is none).
  int bestValAccuracyEpoch = 0;
  int bestValLossEpoch = 0;
  // Set while a running run's training waits in a pause: when the pause began.
  std::optional<double> pausedAt;
  // The pauses that ended, in seconds: not part of the run's duration.
  double pausedSeconds = 0.0;
};

enum class ParamType { Null, Bool, Integer, Real, Text, Json };

// "null", "bool", "integer", "real", "text", "json" (the words stored in params.type).
std::string_view toString(ParamType type);

// One flattened parameter value. Arrays are kept whole, as compact JSON text (type Json).
struct ParamValue {
  ParamType type = ParamType::Null;
  int64_t integer = 0;  // Bool (0 or 1) and Integer
  double real = 0.0;    // Real
  std::string text;     // Text and Json

  // For display and CSV: "0.001", "true", "adam", "[0.5,0.5]", "null".
  std::string toString() const;
  friend bool operator==(const ParamValue&, const ParamValue&) = default;
};

// A parameter of a run, e.g. {"config.learning_rate", 0.001}. Keys are "config.<path>" and
// "dataset.<path>" from the run's documents (nested objects joined with '.'), plus "model.name",
// "model.sha256", "dataset.fingerprint", "run.device" and "run.app_version".
struct Param {
  std::string key;
  ParamValue value;
};

// One row of a parameter comparison: the key and each run's value (nullopt when the run has no
// such key), in the order the runs were asked for.
struct ParamDiffRow {
  std::string key;
  std::vector<std::optional<ParamValue>> values;
};

// A run's best epoch for one metric: the value and the epoch it came in.
struct BestEpoch {
  double value = 0.0;
  int epoch = 0;
};

// One attempt at a run: the first start, then one per resume.
struct AttemptRecord {
  int attempt = 1;
  double startedAt = 0.0;
  int64_t fromStep = 0;  // the step the attempt continued from (0: from scratch)
  int fromEpoch = 0;
  int64_t ownerPid = 0;
  std::string ownerHost;
};

// A file kept for a run (a checkpoint, an export) in the run's folder beside the store.
struct ArtifactRecord {
  int64_t id = 0;
  int64_t runId = 0;
  std::string kind;          // "checkpoint-last", "checkpoint-best", "onnx", …
  std::string fileName;      // as given to RunStore::saveArtifact
  std::string relativePath;  // relative to the store's folder, as recorded
  std::string path;          // absolute, resolved when the record was read; empty when refused
  std::string refusal;       // why `path` is empty: the record points outside the run's folder
  int64_t bytes = 0;
  std::string sha256;  // lower-case hex
  double createdAt = 0.0;
  int attempt = 1;           // the run's attempt that saved it
  std::string metadataJson;  // the caller's JSON, e.g. {"epoch": 6, "step": 5064}; may be empty
};

// A confusion matrix of one split: counts[truth * labels.size() + predicted].
struct ConfusionMatrix {
  int64_t runId = 0;
  std::string split;
  int attempt = 1;
  std::vector<std::string> labels;
  std::vector<int64_t> counts;  // row-major, labels.size() squared
  double createdAt = 0.0;
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
  std::string modelSha256;
  int64_t ownerPid = 0;  // the process that runs (or last ran) it
  std::string ownerHost;
  std::vector<Param> params;  // sorted by key
  std::vector<AttemptRecord> attempts;
  std::vector<ArtifactRecord> artifacts;
};

// The per-epoch values of one run, keyed "<split>_<name>" ("train_loss", "val_accuracy", …).
struct EpochMetrics {
  int epoch = 0;
  int64_t step = 0;
  double wallTime = 0.0;
  std::map<std::string, double> values;
  int attempt = 1;
  bool superseded = false;  // written by an earlier attempt past the point a resume went back to
};

// Where a metric row was written from.
enum class MetricKind { Batch, Epoch, Final };

// A metric by split and name, e.g. {"val", "accuracy"}.
struct MetricKey {
  std::string split;
  std::string name;
  friend auto operator<=>(const MetricKey&, const MetricKey&) = default;
};

struct SeriesPoint {
  int64_t step = 0;
  int epoch = 0;
  double wallTime = 0.0;
  double value = 0.0;  // NaN and infinities as stored
  int attempt = 1;
  bool superseded = false;
};

struct MetricSeries {
  int64_t runId = 0;
  MetricKey metric;
  MetricKind kind = MetricKind::Epoch;
  std::vector<SeriesPoint> points;  // in step order
  size_t storedPoints = 0;          // before reduction
};

}  // namespace layerlab::storage
