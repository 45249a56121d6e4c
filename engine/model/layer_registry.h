// The one table of layer types: one row per type. The torch-free core registers each row once with
// its parameters and its shape and cost rules (layers/*_layers.cpp); the shape checks, the CLI
// summary and the editor palette read those. Each row also has slots that other libraries fill in
// that same row: the torch builder (layerlab_engine, layers/*_layers_torch.cpp) and the ONNX
// emitter (layerlab_export, engine/export/onnx_layers.cpp). An ONNX importer slot comes later.
//
// No torch and no protobuf here: the slots are typed with opaque, forward-declared types (LayerOp,
// OnnxEmitContext). The rows are made once, on first use, and their rules never change: safe to
// read from any thread. A slot is written once and read only through its library's accessor
// (torchLayerRegistry() in layer_op.h, onnxLayerRegistry() in engine/export/onnx_layers.h), which
// fills it first, under std::call_once (layer_slots.h).
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "engine/model/model_spec.h"
#include "engine/model/shape.h"

namespace layerlab::engine {

class LayerOp;           // the torch side of a layer: layer_op.h
struct OnnxEmitContext;  // what an ONNX emitter writes into: engine/export/onnx_layers.h
class LayerSlotWriter;   // layer_slots.h

// Int, Float: a number within [min, max]. Choice: one of `choices`. IntOrChoice: either of those
// (a convolution's padding: 2 or "same"). IntList: 1 to kMaxListLength integers, each within
// [min, max] (a target shape).
enum class ParamKind { Int, Float, Bool, Choice, IntOrChoice, IntList };

inline constexpr size_t kMaxListLength = 8;

struct ParamSpec {
  std::string name;
  ParamKind kind = ParamKind::Int;
  nlohmann::json defaultValue;  // null = required, unless `optional`
  double min = 0;
  double max = 0;  // max <= min: no upper bound
  std::vector<std::string> choices;
  std::string description;  // one line: the editor's inspector shows it beside the field
  bool optional = false;    // may be left unset (null): the rule derives a value

  bool required() const { return defaultValue.is_null() && !optional; }
};

// A node's parameters after defaults were filled in and every value checked.
class LayerParams {
 public:
  explicit LayerParams(nlohmann::json values) : m_values(std::move(values)) {}
  int64_t getInt(const std::string& name) const;
  double getFloat(const std::string& name) const;
  bool getBool(const std::string& name) const;
  std::string getChoice(const std::string& name) const;
  std::vector<int64_t> getIntList(const std::string& name) const;
  bool isSet(const std::string& name) const;
  // For IntOrChoice parameters: true when the value is one of the choices, not a number.
  bool holdsChoice(const std::string& name) const;
  const nlohmann::json& values() const { return m_values; }

 private:
  nlohmann::json m_values;
};

// What a shape rule returns: the output shape or the reason there is none.
using ShapeResult = std::variant<Shape, std::string>;

struct LayerContext {
  const LayerParams& params;
  const std::vector<Shape>& inputShapes;
  const std::vector<std::string>& inputNames;  // node ids (or "input"), for messages
};

struct BuildContext {
  const NodeSpec& node;
  const LayerParams& params;
  const std::vector<Shape>& inputShapes;
  const Shape& outputShape;
};

// The element type a layer reads. Float32 layers output float32; Int64 layers (Embedding) read
// token ids and output float32; Same layers (Flatten, Reshape, Concat) take either, all inputs
// alike, and output what they read.
enum class InputDtype { Float32, Int64, Same };

// The torch builder slot: makes the layer's op for one node.
using LayerBuilder = std::function<std::shared_ptr<LayerOp>(const BuildContext&)>;

// The ONNX emitter slot. Every type has either `emit` or a reason in `notExportable`.
struct OnnxEmitter {
  // Writes the layer's nodes into ctx.graph.
  void (*emit)(OnnxEmitContext& ctx) = nullptr;
  // Why this configuration cannot be written as ONNX, or an empty string; null: it always can.
  std::string (*refuse)(const LayerParams& params, const std::vector<Shape>& inputShapes) = nullptr;
  // Whether the layer's nodes work for any length of the first (time) axis: its shape constants
  // never hold that length.
  bool anyLength = true;
  // Whether the layer reads a sequence (tokens, recurrent and attention layers): a model with one
  // has a time axis, which its file leaves free when every layer works for any length.
  bool readsSequence = false;
  // Set instead of `emit` for a type that deliberately has no ONNX form: why, for the message
  // that refuses the export.
  std::string notExportable;
};

// Move-only: a copy would read the slots while another thread may be filling them.
struct LayerType {
  LayerType() = default;
  LayerType(LayerType&&) = default;
  LayerType& operator=(LayerType&&) = default;
  LayerType(const LayerType&) = delete;
  LayerType& operator=(const LayerType&) = delete;

  std::string name;
  std::string category;  // "Core", "Convolution", "Activation", …
  std::string description;
  std::vector<ParamSpec> params;
  int minInputs = 1;
  int maxInputs = 1;
  InputDtype inputDtype = InputDtype::Float32;
  std::function<ShapeResult(const LayerContext&)> inferShape;
  // Counts use saturatingMul/Add (shape.h): a huge result must stay huge for the limits to see.
  std::function<int64_t(const LayerContext&, const Shape& output)> countParams;  // trainable
  // Values the module keeps but does not train (BatchNorm's running statistics); null for none.
  std::function<int64_t(const LayerContext&, const Shape& output)> countNonTrainable;
  // Multiply-adds per sample. The convention: one per multiply-accumulate step of a matrix
  // product, convolution, recurrence or attention; normalisations and averages count their
  // per-element arithmetic as each layer documents; element-wise activations, dropout, max
  // pooling, reshapes, residual adds and concatenation count 0.
  std::function<int64_t(const LayerContext&, const Shape& output)> countMacs;

  // The slots, filled once by their libraries (see the top of this file); empty in the rows
  // layerRegistry() returns until then. An ONNX importer slot will join them.
  LayerBuilder build;  // layerlab_engine; read through torchLayerRegistry()
  OnnxEmitter onnx;    // layerlab_export; read through onnxLayerRegistry()
};

class LayerRegistry {
 public:
  void add(LayerType type);
  const LayerType* find(const std::string& name) const;
  const std::vector<LayerType>& types() const { return m_types; }

  // Checks `raw` against the type's parameters and fills in defaults. Problems are appended as
  // messages ("units must be an integer"); nullopt when there was any.
  std::optional<LayerParams> resolveParams(const LayerType& type, const nlohmann::json& raw,
                                           std::vector<std::string>& problems) const;

 private:
  friend class LayerSlotWriter;
  std::vector<LayerType> m_types;
};

// The registry with every layer LayerLab ships: the rules of every row. Its slots are read
// through torchLayerRegistry() and onnxLayerRegistry(), never through this.
const LayerRegistry& layerRegistry();

// Registration functions, one per family of layers (layers/*.cpp).
void registerCoreLayers(LayerRegistry& registry);
void registerConvolutionLayers(LayerRegistry& registry);
void registerActivationLayers(LayerRegistry& registry);
void registerPoolingLayers(LayerRegistry& registry);
void registerNormalizationLayers(LayerRegistry& registry);
void registerRecurrentLayers(LayerRegistry& registry);
void registerAttentionLayers(LayerRegistry& registry);
void registerMergeLayers(LayerRegistry& registry);

}  // namespace layerlab::engine
