#include "app/gui/run_tools_impl.h"

// The raw samples come from the dataset loader, the one LibTorch user of the GUI session: the
// split is the loader's (seeded), so the samples shown are the ones the model predicts.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>
#include <utility>

#include "app/core/error_policy.h"
#include "app/core/trained_run.h"
#include "engine/data/dataset.h"
#include "engine/export/onnx_graph.h"

namespace layerlab::app {
namespace {

// More table values than this are cut: the panel shows a row, not a whole sequence.
constexpr int64_t kMaxShownFeatures = 32;

std::vector<ui::ExportedValue> exportedValues(const std::vector<engine::OnnxValueInfo>& values) {
  std::vector<ui::ExportedValue> out;
  for (const engine::OnnxValueInfo& value : values) {
    out.push_back({value.name, value.type == engine::OnnxType::Int64 ? "int64" : "float32",
                   engine::formatOnnxDims(value.dims)});
  }
  return out;
}

const engine::TensorDataset& partOf(const engine::LoadedData& data, const std::string& split) {
  if (split == "train") return data.train;
  if (split == "val") return data.val;
  if (split == "test") return data.test;
  throw JobInputError("the split must be train, val or test, not '" + split + "'");
}

std::vector<int64_t> chosenIndices(const ui::PredictRequest& request, int64_t size) {
  if (size == 0) throw JobInputError("the " + request.split + " part of the data is empty");
  if (request.randomCount > 0) {
    std::vector<int64_t> all(static_cast<size_t>(size));
    std::iota(all.begin(), all.end(), 0);
    std::vector<int64_t> chosen;
    std::mt19937_64 generator(request.seed);
    std::sample(all.begin(), all.end(), std::back_inserter(chosen), request.randomCount, generator);
    return chosen;
  }
  if (request.indices.empty()) throw JobInputError("no samples were chosen");
  for (const int64_t index : request.indices) {
    if (index < 0 || index >= size) {
      throw JobInputError("sample " + std::to_string(index) + " is not in the " + request.split +
                          " part, which has " + std::to_string(size) + " samples (0 to " +
                          std::to_string(size - 1) + ")");
    }
  }
  return request.indices;
}

bool isImage(const engine::Shape& shape) {
  return shape.size() == 3 && (shape[0] == 1 || shape[0] == 3);
}

// The values as read: the loader scaled them by `scale` (images to [0, 1]).
void fillRawValues(const torch::Tensor& input, double scale, bool image,
                   ui::PredictedSample& sample) {
  const torch::Tensor values = (input.to(torch::kFloat64) / scale).flatten().contiguous();
  const double* data = values.data_ptr<double>();
  const int64_t count = values.numel();
  if (image) {
    sample.pixels.resize(static_cast<size_t>(count));
    for (int64_t i = 0; i < count; ++i) {
      sample.pixels[static_cast<size_t>(i)] =
          static_cast<uint8_t>(std::clamp(std::lround(data[i]), 0L, 255L));
    }
  } else {
    sample.features.assign(data, data + std::min(count, kMaxShownFeatures));
  }
}

// Runs `call`; any exception leaves as a runtime_error with the error policy's text.
template <typename Call>
auto withPlainErrors(Call call) {
  try {
    return call();
  } catch (...) {
    throw std::runtime_error(describeCurrentError().message);
  }
}

}  // namespace

RunToolsImpl::RunToolsImpl(std::string storePath) : m_storePath(std::move(storePath)) {}

void RunToolsImpl::setStorePath(std::string storePath) {
  const std::lock_guard lock(m_mutex);
  m_storePath = std::move(storePath);
}

std::string RunToolsImpl::storePath() const {
  const std::lock_guard lock(m_mutex);
  return m_storePath;
}

ui::ExportResult RunToolsImpl::exportOnnx(int64_t runId, const std::string& path,
                                          const std::string& checkpoint) {
  return withPlainErrors([&] { return exportRun(runId, path, checkpoint); });
}

ui::PredictionResult RunToolsImpl::predict(const ui::PredictRequest& request) {
  return withPlainErrors([&] { return predictSamples(request); });
}

ui::ExportResult RunToolsImpl::exportRun(int64_t runId, const std::string& path,
                                         const std::string& checkpoint) {
  TrainedRun run(storePath(), runId, checkpoint);
  const OnnxRunExport exported = run.exportOnnx(path);
  const engine::OnnxExportSummary& s = exported.summary;
  ui::ExportResult result;
  result.path = path;
  result.checkpoint = run.checkpoint();
  result.checkpointEpoch = run.checkpointEpoch();
  result.inputs = exportedValues(s.inputs);
  result.outputs = exportedValues(s.outputs);
  result.irVersion = s.irVersion;
  result.opset = s.opset;
  result.nodeCount = s.nodeCount;
  result.initializerCount = s.initializerCount;
  result.fileBytes = s.fileBytes;
  result.artifactPath = exported.artifact.relativePath;
  result.sha256 = exported.artifact.sha256;
  return result;
}

ui::PredictionResult RunToolsImpl::predictSamples(const ui::PredictRequest& request) {
  TrainedRun run(storePath(), request.runId, request.checkpoint);
  engine::DatasetSpec raw = run.documents().dataset;
  raw.normalize = "none";
  engine::LoadedData loaded;
  try {
    loaded = engine::loadDataset(raw);
  } catch (const engine::DataError& error) {
    throw JobInputError(error.what());
  }
  const engine::TensorDataset& part = partOf(loaded, request.split);
  const std::vector<int64_t> indices = chosenIndices(request, part.size());
  // TrainedRun predicts the first N samples; the chosen ones are among them.
  const int64_t needed = *std::max_element(indices.begin(), indices.end()) + 1;
  const Predictions predictions = run.predict(run.documents().dataset, request.split, needed);

  ui::PredictionResult result;
  result.checkpoint = run.checkpoint();
  result.checkpointEpoch = run.checkpointEpoch();
  result.split = request.split;
  result.dataDescription = predictions.dataDescription;
  result.splitSize = part.size();
  result.classification = predictions.classification;
  result.classNames = run.documents().classNames;
  result.images = isImage(loaded.inputShape);
  if (result.images) {
    result.channels = loaded.inputShape[0];
    result.height = loaded.inputShape[1];
    result.width = loaded.inputShape[2];
  }
  for (const int64_t index : indices) {
    const auto at = static_cast<size_t>(index);
    ui::PredictedSample sample;
    sample.index = index;
    sample.outputs = predictions.outputs[at];
    sample.target = predictions.targets[at];
    if (predictions.classification)
      sample.predictedClass = predictions.predictedClasses[at];
    else
      sample.predictedValue = predictions.predictedValues[at];
    fillRawValues(part.inputs[index], loaded.preprocessing.scale, result.images, sample);
    result.samples.push_back(std::move(sample));
  }
  return result;
}

}  // namespace layerlab::app
