// A stored run's trained model, loaded from one of its checkpoints to predict and to export:
// `layerlab-cli predict` and `export`, and the GUI's export and "try it" views. No torch and no
// Qt in this header.
//
// Threads: load and use a TrainedRun on one thread; the store is opened per call.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "app/core/stored_run.h"
#include "engine/export/onnx_export.h"
#include "storage/run_types.h"

namespace layerlab::app {

// Raw model outputs per sample and what they predict.
struct Predictions {
  std::vector<std::vector<float>> outputs;
  // Classification: the class index (the largest logit; with one logit, 1 when it is above 0).
  std::vector<int64_t> predictedClasses;
  // Regression: the first output of each sample.
  std::vector<double> predictedValues;
  std::vector<double> targets;  // the data's own targets (class indices or values)
  std::string split;
  std::string dataDescription;
  bool classification = false;
};

struct OnnxRunExport {
  engine::OnnxExportSummary summary;
  storage::ArtifactRecord artifact;  // the copy kept in the store
};

class TrainedRun {
 public:
  // Loads run `runId` of the store at `storePath` with the weights of `checkpoint`: "best",
  // "last", or empty for the best when the run has one and else the last. Throws JobInputError
  // (no such run, no such checkpoint, a damaged or mismatched file) or StoreError.
  TrainedRun(const std::string& storePath, int64_t runId, const std::string& checkpoint = {});
  ~TrainedRun();
  TrainedRun(const TrainedRun&) = delete;
  TrainedRun& operator=(const TrainedRun&) = delete;

  int64_t runId() const { return m_runId; }
  const std::string& runName() const { return m_runName; }
  const StoredRunDocuments& documents() const { return m_docs; }
  const std::string& checkpoint() const { return m_checkpoint; }  // "best" | "last"
  int checkpointEpoch() const { return m_checkpointEpoch; }

  // The run's model on `split` ("train", "val" or "test") of `data`, its first `limit` samples
  // (0: all). The data is read as raw values and prepared with the run's own preprocessing, so
  // other data of the same kind gets what the model saw in training. Throws JobInputError.
  Predictions predict(engine::DatasetSpec data, const std::string& split, int64_t limit);

  // Writes the model to `path` as ONNX (see onnx_export.h), then keeps a copy in the store as an
  // artifact of kind "onnx" of the run. Throws JobInputError when the model cannot be exported
  // (the message names the layer), std::runtime_error when the file cannot be written and
  // StoreError when the store cannot record it.
  OnnxRunExport exportOnnx(const std::string& path);

 private:
  struct Model;
  std::string m_storePath;
  int64_t m_runId = 0;
  std::string m_runName;
  StoredRunDocuments m_docs;
  std::string m_checkpoint;
  int m_checkpointEpoch = 0;
  std::unique_ptr<Model> m_model;
};

}  // namespace layerlab::app
