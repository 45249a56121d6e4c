// Export of a trained model to an ONNX file (IR 8, opset 17) that onnxruntime runs with
// LibTorch's numbers.
//
// The file:
//   - one input "input" [N, …the model's input shape] (float32, or int64 token ids) and one
//     output "output" [N, …]: the model's first output, as GraphModule::forward returns it.
//     "N" is the batch; "T" names the time axis of a sequence model whose layers work for any
//     length (a model with a Reshape, or a Dense over a flattened sequence, keeps its length);
//   - weights as float32 initializers in raw little-endian data, named after the node and the
//     torch parameter ("fc1.weight", "lstm.l0.W");
//   - metadata: producer "LayerLab" and its version, the model's name as the graph's name, and
//     the properties layerlab.model_name, layerlab.run_id, layerlab.labels (a JSON list of class
//     names, empty for regression) and layerlab.preprocessing (JSON {"scale", "mean", "std"}:
//     x' = (x · scale − mean[c]) / std[c] on raw input values, per channel or feature).
// The graph passes the ONNX checker and strict shape inference before a byte is written; the
// file is written to a temporary name beside `path` and renamed into place.
//
// No torch in this header: the GUI may include it. Threads: any, one model at a time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/data/dataset_spec.h"
#include "engine/export/onnx_graph.h"
#include "engine/model/model_analysis.h"
#include "engine/model/model_spec.h"

namespace layerlab::engine {

class GraphModuleImpl;

inline constexpr const char* kOnnxInputName = "input";
inline constexpr const char* kOnnxOutputName = "output";
inline constexpr const char* kOnnxBatchDim = "N";
inline constexpr const char* kOnnxTimeDim = "T";
inline constexpr const char* kOnnxLabelsKey = "layerlab.labels";
inline constexpr const char* kOnnxPreprocessingKey = "layerlab.preprocessing";
inline constexpr const char* kOnnxRunIdKey = "layerlab.run_id";
inline constexpr const char* kOnnxModelNameKey = "layerlab.model_name";

struct OnnxExportOptions {
  int64_t runId = 0;                // 0: not from a stored run
  std::vector<std::string> labels;  // class names by index; empty for regression
  Preprocessing preprocessing;      // identity (scale 1, no mean/std) when unknown
  std::string producerVersion;      // LayerLab's version
};

struct OnnxExportSummary {
  std::vector<OnnxValueInfo> inputs;
  std::vector<OnnxValueInfo> outputs;
  int64_t irVersion = kOnnxIrVersion;
  int64_t opset = kOnnxOpset;
  int64_t nodeCount = 0;
  int64_t initializerCount = 0;
  int64_t fileBytes = 0;
};

// What keeps the model from being exported, one problem per node (a layer type marked as having
// no ONNX form, an option ONNX cannot express), or the analysis's own problems. Empty: it can be.
std::vector<ModelProblem> onnxExportProblems(const ModelSpec& spec, const ModelAnalysis& analysis);

// The layer types the exporter can write, in the registry's order.
std::vector<std::string> onnxLayerTypes();

// Describes the model as ONNX into `graph` (validated). `module` must be built from `spec` and
// be in evaluation mode for the numbers to match. Throws OnnxExportError naming the layer.
OnnxExportSummary buildOnnxGraph(const ModelSpec& spec, GraphModuleImpl& module,
                                 const OnnxExportOptions& options, OnnxGraph& graph);

// buildOnnxGraph, then the file. Throws OnnxExportError (nothing written) or std::runtime_error
// when the file cannot be written.
OnnxExportSummary exportOnnx(const ModelSpec& spec, GraphModuleImpl& module,
                             const OnnxExportOptions& options, const std::string& path);

}  // namespace layerlab::engine
