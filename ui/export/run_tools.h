// What the export dialog and the "Try it" panel ask of a stored run's trained model: write it as
// ONNX, and predict samples of its data. The application gives them an implementation over
// app::TrainedRun (app/gui/run_tools_impl.h); this header uses plain types only, so ui/ never
// compiles LibTorch and layerlab_ui needs nothing from app/.
//
// Threads: the views call these functions on a worker thread of their own, never on the GUI
// thread, and may call them from two threads at once (an export while a prediction runs), so an
// implementation opens what it needs (the store, the checkpoint) per call. Each function either
// returns a complete result or throws an exception whose what() is the message to show.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace layerlab::ui {

inline constexpr const char* kBestCheckpoint = "best";
inline constexpr const char* kLastCheckpoint = "last";

// One input or output of an exported graph, as the summary shows it.
struct ExportedValue {
  std::string name;   // "input", "output"
  std::string type;   // "float32", "int64"
  std::string shape;  // "[N, 1, 28, 28]": N is the batch, T a sequence's time axis
};

struct ExportResult {
  std::string path;        // the file written
  std::string checkpoint;  // "best" | "last": the one actually loaded
  int checkpointEpoch = 0;
  std::vector<ExportedValue> inputs;
  std::vector<ExportedValue> outputs;
  int64_t irVersion = 0;
  int64_t opset = 0;
  int64_t nodeCount = 0;
  int64_t initializerCount = 0;
  int64_t fileBytes = 0;
  std::string artifactPath;  // the copy kept with the run, relative to the store's folder
  std::string sha256;
};

// Which samples to predict: the given indices of the split, or `randomCount` distinct indices
// drawn with `seed` from the whole split (then `indices` is ignored).
struct PredictRequest {
  int64_t runId = 0;
  std::string split = "test";  // "train", "val" or "test"
  std::string checkpoint;      // "best", "last" or empty: the best when there is one
  std::vector<int64_t> indices;
  int64_t randomCount = 0;
  uint64_t seed = 0;
};

// One predicted sample with what is needed to show it.
struct PredictedSample {
  int64_t index = 0;           // in the split
  std::vector<float> outputs;  // the model's raw outputs (logits for classification)
  int64_t predictedClass = -1;
  double predictedValue = 0;  // regression: the first output
  double target = 0;          // the true class index or value
  // Images: channels × height × width bytes (0–255), channel-major. Tables: the raw feature
  // values as read, before the run's preprocessing.
  std::vector<uint8_t> pixels;
  std::vector<double> features;
};

struct PredictionResult {
  std::string checkpoint;  // "best" | "last"
  int checkpointEpoch = 0;
  std::string split;
  std::string dataDescription;  // "fashion-mnist: 540 train / 60 val / 600 test"
  int64_t splitSize = 0;        // samples in the split, for choosing more
  bool classification = false;
  std::vector<std::string> classNames;  // by class index; empty for regression
  bool images = false;
  int64_t channels = 0, height = 0, width = 0;  // images only
  std::vector<PredictedSample> samples;         // in the order asked for
};

class RunTools {
 public:
  virtual ~RunTools() = default;

  // Writes run `runId`'s model, with the weights of `checkpoint` ("best" or "last"), to `path`
  // as ONNX and records the file as an artifact of the run.
  virtual ExportResult exportOnnx(int64_t runId, const std::string& path,
                                  const std::string& checkpoint) = 0;

  // The run's model on the chosen samples of its own data, prepared as in training.
  virtual PredictionResult predict(const PredictRequest& request) = 0;
};

}  // namespace layerlab::ui
