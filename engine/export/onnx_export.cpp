#include "engine/export/onnx_export.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "engine/export/onnx_layers.h"
#include "engine/model/graph_module.h"

namespace layerlab::engine {
namespace {

// Added to the time axis to see which sizes follow it.
constexpr int64_t kLengthProbe = 3;

std::string joinProblems(const std::vector<ModelProblem>& problems) {
  std::string text;
  for (const ModelProblem& problem : problems)
    text += (text.empty() ? "" : "; ") + problem.describe();
  return text;
}

// The model's analysis once more with a longer time axis, when the model has one (input [T, F]
// of values or [T] of token ids, read by a sequence layer) and every layer works for any length.
// Sizes that change with T are the ones the file must leave free.
std::optional<ModelAnalysis> longerAnalysis(const ModelSpec& spec, const ModelAnalysis& analysis) {
  const size_t rank = spec.inputShape.size();
  const bool sequence =
      (rank == 2 && spec.inputDtype == kFloat32) || (rank == 1 && spec.inputDtype == kInt64);
  if (!sequence) return std::nullopt;
  bool readsSequence = false;
  for (const NodeAnalysis& node : analysis.nodes) {
    const OnnxEmitter& emitter = onnxLayerRegistry().find(node.type)->onnx;
    if (emitter.emit == nullptr || !emitter.anyLength) return std::nullopt;
    readsSequence = readsSequence || emitter.readsSequence;
  }
  if (!readsSequence) return std::nullopt;
  ModelSpec longer = spec;
  longer.inputShape[0] += kLengthProbe;
  ModelAnalysis probe = analyzeModel(longer);
  // Same weights for another length, or the layers depend on it (a Dense over a flattened
  // sequence).
  if (!probe.ok() || probe.totalParams != analysis.totalParams ||
      probe.totalNonTrainable != analysis.totalNonTrainable) {
    return std::nullopt;
  }
  return probe;
}

std::vector<OnnxDim> batchedDims(const Shape& shape, const Shape* longer, int64_t length) {
  std::vector<OnnxDim> dims = {std::string(kOnnxBatchDim)};
  for (size_t i = 0; i < shape.size(); ++i) {
    if (longer == nullptr || (*longer)[i] == shape[i])
      dims.emplace_back(shape[i]);
    else if (shape[i] == length && (*longer)[i] == length + kLengthProbe)
      dims.emplace_back(std::string(kOnnxTimeDim));
    else
      dims.emplace_back(std::string());  // follows the length some other way: left free
  }
  return dims;
}

OnnxType onnxType(const std::string& dtype) {
  return dtype == kInt64 ? OnnxType::Int64 : OnnxType::Float32;
}

void addMetadata(OnnxGraph& graph, const ModelSpec& spec, const OnnxExportOptions& options) {
  graph.setProducer("LayerLab", options.producerVersion);
  graph.setGraphName(spec.name.empty() ? "model" : spec.name);
  graph.setDocString("Exported by LayerLab. Prepare raw inputs as layerlab.preprocessing says.");
  graph.addMetadata(kOnnxModelNameKey, spec.name);
  graph.addMetadata(kOnnxRunIdKey, std::to_string(options.runId));
  graph.addMetadata(kOnnxLabelsKey, nlohmann::json(options.labels).dump());
  graph.addMetadata(kOnnxPreprocessingKey, toJson(options.preprocessing).dump());
}

torch::nn::Module* childModule(GraphModuleImpl& module, const std::string& id) {
  const auto children = module.named_children();
  const std::shared_ptr<torch::nn::Module>* child = children.find(id);
  return child ? child->get() : nullptr;
}

// Every node's nodes, in the analysis's topological order.
void emitNodes(const ModelSpec& spec, const ModelAnalysis& analysis, GraphModuleImpl& module,
               OnnxGraph& graph) {
  const size_t outputIndex = analysis.outputIndices.front();
  std::vector<std::string> values(analysis.nodes.size());
  for (size_t i = 0; i < analysis.nodes.size(); ++i) {
    const NodeAnalysis& node = analysis.nodes[i];
    std::vector<Shape> inputShapes;
    std::vector<std::string> inputs;
    for (size_t index : node.inputIndices) {
      const bool isInput = index == ModelAnalysis::kInputIndex;
      inputShapes.push_back(isInput ? spec.inputShape : *analysis.nodes[index].outputShape);
      inputs.push_back(isInput ? std::string(kOnnxInputName) : values[index]);
    }
    values[i] = i == outputIndex ? std::string(kOnnxOutputName) : graph.uniqueName(node.id);
    OnnxEmitContext ctx{.graph = graph,
                        .nodeId = node.id,
                        .params = *node.params,
                        .inputShapes = inputShapes,
                        .outputShape = *node.outputShape,
                        .inputs = std::move(inputs),
                        .output = values[i],
                        .module = childModule(module, node.id)};
    onnxLayerRegistry().find(node.type)->onnx.emit(ctx);
  }
}

void writeFileAtomically(const std::string& path, const std::string& bytes) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  std::random_device random;
  const fs::path temp =
      target.parent_path() / (target.filename().string() + ".tmp-" + std::to_string(random()));
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      fs::remove(temp, ignored);
      throw std::runtime_error(path + ": cannot write the file");
    }
  }
  std::error_code error;
  fs::rename(temp, target, error);
  if (error) {
    fs::remove(temp, error);
    throw std::runtime_error(path + ": cannot write the file (" + error.message() + ")");
  }
}

}  // namespace

std::vector<ModelProblem> onnxExportProblems(const ModelSpec& spec, const ModelAnalysis& analysis) {
  if (!analysis.ok()) return analysis.problems;
  std::vector<ModelProblem> problems;
  const LayerRegistry& rows = onnxLayerRegistry();
  for (const NodeAnalysis& node : analysis.nodes) {
    const OnnxEmitter& emitter = rows.find(node.type)->onnx;  // analysis.ok(): a known type
    if (emitter.emit == nullptr) {
      problems.push_back({node.id, node.type + " has no ONNX form in this version of LayerLab: " +
                                       emitter.notExportable});
      continue;
    }
    if (emitter.refuse == nullptr) continue;
    std::vector<Shape> inputShapes;
    for (size_t index : node.inputIndices) {
      inputShapes.push_back(index == ModelAnalysis::kInputIndex
                                ? spec.inputShape
                                : *analysis.nodes[index].outputShape);
    }
    if (std::string reason = emitter.refuse(*node.params, inputShapes); !reason.empty())
      problems.push_back({node.id, node.type + " cannot be exported to ONNX: " + reason});
  }
  return problems;
}

std::vector<std::string> onnxLayerTypes() {
  std::vector<std::string> types;
  for (const LayerType& type : onnxLayerRegistry().types()) {
    if (type.onnx.emit != nullptr) types.push_back(type.name);
  }
  return types;
}

OnnxExportSummary buildOnnxGraph(const ModelSpec& spec, GraphModuleImpl& module,
                                 const OnnxExportOptions& options, OnnxGraph& graph) {
  const ModelAnalysis analysis = analyzeModel(spec);
  if (const auto problems = onnxExportProblems(spec, analysis); !problems.empty())
    throw OnnxExportError("the model cannot be exported: " + joinProblems(problems));
  const std::optional<ModelAnalysis> longer = longerAnalysis(spec, analysis);
  const int64_t length = spec.inputShape.front();
  OnnxExportSummary summary;
  const Shape* longerInput = longer ? &longer->inputShape : nullptr;
  summary.inputs.push_back({graph.uniqueName(kOnnxInputName), onnxType(spec.inputDtype),
                            batchedDims(spec.inputShape, longerInput, length)});
  graph.uniqueName(kOnnxOutputName);
  emitNodes(spec, analysis, module, graph);
  const size_t out = analysis.outputIndices.front();
  const Shape* longerOutput = longer ? &*longer->nodes[out].outputShape : nullptr;
  summary.outputs.push_back({kOnnxOutputName, onnxType(analysis.nodes[out].outputDtype),
                             batchedDims(*analysis.nodes[out].outputShape, longerOutput, length)});
  graph.addInput(summary.inputs.front());
  graph.addOutput(summary.outputs.front());
  addMetadata(graph, spec, options);
  graph.validate();
  summary.nodeCount = graph.nodeCount();
  summary.initializerCount = graph.initializerCount();
  return summary;
}

OnnxExportSummary exportOnnx(const ModelSpec& spec, GraphModuleImpl& module,
                             const OnnxExportOptions& options, const std::string& path) {
  OnnxGraph graph;
  OnnxExportSummary summary = buildOnnxGraph(spec, module, options, graph);
  const std::string bytes = graph.serialize();
  writeFileAtomically(path, bytes);
  summary.fileBytes = static_cast<int64_t>(bytes.size());
  return summary;
}

}  // namespace layerlab::engine
