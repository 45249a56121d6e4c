// The ONNX emitters of the core, convolution, pooling, normalisation, activation and merge layers,
// and the filling of every row's emitter slot (the sequence layers' emitters are in
// onnx_sequence_layers.cpp). Mappings follow the ONNX operator specs at opset 17; see the
// project's ONNX notes for the evidence behind each choice.
#include "engine/export/onnx_layers.h"

#include <cmath>
#include <mutex>

#include "engine/export/onnx_emit.h"
#include "engine/model/layer_slots.h"
#include "engine/model/layers/layer_rules.h"

namespace layerlab::engine {
namespace onnx_emit {

torch::Tensor findTensor(torch::nn::Module& module, const std::string& path) {
  if (const torch::Tensor* parameter = module.named_parameters(true).find(path)) return *parameter;
  if (const torch::Tensor* buffer = module.named_buffers(true).find(path)) return *buffer;
  return {};
}

torch::Tensor requireTensor(const OnnxEmitContext& ctx, const std::string& path) {
  torch::Tensor tensor = ctx.module ? findTensor(*ctx.module, path) : torch::Tensor();
  if (!tensor.defined()) {
    throw OnnxExportError("layer '" + ctx.nodeId + "' has no tensor '" + path + "' to export");
  }
  return tensor;
}

std::string addTensor(const OnnxEmitContext& ctx, const std::string& path,
                      const torch::Tensor& tensor) {
  const torch::Tensor data = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  const std::vector<int64_t> dims(data.sizes().begin(), data.sizes().end());
  return ctx.graph.addFloatInitializer(ctx.graph.uniqueName(ctx.nodeId + "." + path), dims,
                                       data.data_ptr<float>());
}

std::string addParameter(const OnnxEmitContext& ctx, const std::string& path) {
  return addTensor(ctx, path, requireTensor(ctx, path));
}

void finish(OnnxEmitContext& ctx, const std::string& op, const std::vector<std::string>& inputs,
            const std::vector<OnnxAttribute>& attributes) {
  ctx.graph.addNode(op, inputs, {ctx.output}, attributes);
}

std::string linear(OnnxEmitContext& ctx, const std::string& x, const std::string& prefix,
                   int64_t rank, const std::string& output) {
  OnnxGraph& graph = ctx.graph;
  const std::string out = output.empty() ? graph.uniqueName("linear") : output;
  const torch::Tensor bias =
      ctx.module ? findTensor(*ctx.module, prefix + "bias") : torch::Tensor();
  if (rank == 2) {
    std::vector<std::string> inputs = {x, addParameter(ctx, prefix + "weight")};
    if (bias.defined()) inputs.push_back(addTensor(ctx, prefix + "bias", bias));
    return graph.addNode("Gemm", inputs, {out}, {{"transB", int64_t{1}}});
  }
  // Gemm takes rank 2 only: [N, T, in] goes through MatMul with the weight stored transposed.
  const std::string weight =
      addTensor(ctx, prefix + "weight__T", requireTensor(ctx, prefix + "weight").t());
  if (!bias.defined()) return graph.addNode("MatMul", {x, weight}, {out});
  const std::string product = graph.apply("MatMul", {x, weight});
  return graph.addNode("Add", {product, addTensor(ctx, prefix + "bias", bias)}, {out});
}

std::string reshape(OnnxGraph& graph, const std::string& x, const std::vector<int64_t>& target,
                    const std::string& output) {
  const std::vector<std::string> inputs = {x, graph.addInts(target)};
  if (output.empty()) return graph.apply("Reshape", inputs);
  return graph.addNode("Reshape", inputs, {output});
}

std::string transpose(OnnxGraph& graph, const std::string& x, const std::vector<int64_t>& perm) {
  return graph.apply("Transpose", {x}, {{"perm", perm}});
}

std::string gelu(OnnxGraph& graph, const std::string& x, const std::string& output) {
  // 0.5 · x · (1 + erf(x / √2)), as torch computes the exact GELU.
  const std::string scaled = graph.apply("Div", {x, graph.addScalar(static_cast<float>(M_SQRT2))});
  const std::string erf = graph.apply("Erf", {scaled});
  const std::string onePlus = graph.apply("Add", {erf, graph.addScalar(1.0F)});
  const std::string product = graph.apply("Mul", {x, onePlus});
  const std::vector<std::string> inputs = {product, graph.addScalar(0.5F)};
  if (output.empty()) return graph.apply("Mul", inputs);
  return graph.addNode("Mul", inputs, {output});
}

}  // namespace onnx_emit

namespace {

using namespace onnx_emit;

int64_t rankWithBatch(const OnnxEmitContext& ctx) {
  return static_cast<int64_t>(ctx.inputShapes.front().size()) + 1;
}

// A sample axis (negative counts from the end) as an axis of the batched tensor.
int64_t batchedAxis(int64_t axis) {
  return axis >= 0 ? axis + 1 : axis;
}

void emitDense(OnnxEmitContext& ctx) {
  linear(ctx, ctx.inputs.front(), "", rankWithBatch(ctx), ctx.output);
}

void emitFlatten(OnnxEmitContext& ctx) {
  finish(ctx, "Flatten", {ctx.inputs.front()}, {{"axis", int64_t{1}}});
}

void emitReshape(OnnxEmitContext& ctx) {
  std::vector<int64_t> target = {0};  // the batch, copied: never a constant
  target.insert(target.end(), ctx.outputShape.begin(), ctx.outputShape.end());
  reshape(ctx.graph, ctx.inputs.front(), target, ctx.output);
}

void emitEmbedding(OnnxEmitContext& ctx) {
  finish(ctx, "Gather", {addParameter(ctx, "weight"), ctx.inputs.front()}, {{"axis", int64_t{0}}});
}

void emitIdentity(OnnxEmitContext& ctx) {
  finish(ctx, "Identity", {ctx.inputs.front()});
}

std::vector<int64_t> repeated(int64_t value, size_t count) {
  return std::vector<int64_t>(count, value);
}

void emitConv(OnnxEmitContext& ctx) {
  const LayerParams& p = ctx.params;
  const size_t spatial = ctx.inputShapes.front().size() - 1;
  const int64_t kernel = p.getInt("kernel_size"), dilation = p.getInt("dilation");
  std::vector<int64_t> pads;
  if (p.holdsChoice("padding") && p.getChoice("padding") == "same") {
    // torch pads "same" with total dilation·(kernel − 1), the odd one at the end.
    const int64_t total = dilation * (kernel - 1);
    pads = repeated(total / 2, spatial);
    const std::vector<int64_t> end = repeated(total - total / 2, spatial);
    pads.insert(pads.end(), end.begin(), end.end());
  } else {
    pads = repeated(p.holdsChoice("padding") ? 0 : p.getInt("padding"), 2 * spatial);
  }
  std::vector<std::string> inputs = {ctx.inputs.front(), addParameter(ctx, "weight")};
  if (p.getBool("use_bias")) inputs.push_back(addParameter(ctx, "bias"));
  finish(ctx, "Conv", inputs,
         {{"kernel_shape", repeated(kernel, spatial)},
          {"strides", repeated(p.getInt("stride"), spatial)},
          {"dilations", repeated(dilation, spatial)},
          {"pads", pads},
          {"group", p.getInt("groups")}});
}

// ONNX 1.12 sizes a ceil_mode window that would start in the right padding; torch drops it.
// Shape inference would then disagree with the model, so such a layer is refused.
std::string refuseWindowPool(const LayerParams& p, const std::vector<Shape>& inputShapes) {
  if (!p.getBool("ceil_mode")) return {};
  const int64_t pool = p.getInt("pool_size"), stride = poolStride(p), pad = p.getInt("padding");
  const Shape& in = inputShapes.front();
  for (size_t i = 1; i < in.size(); ++i) {
    const int64_t span = in[i] + 2 * pad - pool;
    const int64_t onnxSize = (span + stride - 1) / stride + 1;
    if (onnxSize != slidingOutput(in[i], pool, stride, pad, 1, true)) {
      return "with ceil_mode, its last window would start in the padding: PyTorch drops that "
             "window and ONNX (opset 17) keeps it, so the output sizes differ; turn ceil_mode "
             "off or change padding or stride";
    }
  }
  return {};
}

void emitWindowPool(OnnxEmitContext& ctx, bool average) {
  const LayerParams& p = ctx.params;
  const size_t spatial = ctx.inputShapes.front().size() - 1;
  std::vector<OnnxAttribute> attributes = {
      {"kernel_shape", repeated(p.getInt("pool_size"), spatial)},
      {"strides", repeated(poolStride(p), spatial)},
      {"pads", repeated(p.getInt("padding"), 2 * spatial)},
      {"ceil_mode", int64_t{p.getBool("ceil_mode") ? 1 : 0}}};
  // torch counts the padding in the mean by default; ONNX's default is not to.
  if (average) attributes.push_back({"count_include_pad", int64_t{1}});
  finish(ctx, average ? "AveragePool" : "MaxPool", {ctx.inputs.front()}, attributes);
}

void emitMaxPool(OnnxEmitContext& ctx) {
  emitWindowPool(ctx, false);
}

void emitAvgPool(OnnxEmitContext& ctx) {
  emitWindowPool(ctx, true);
}

void emitGlobalAvgPool(OnnxEmitContext& ctx) {
  std::vector<int64_t> axes = {1};  // sequence: [N, T, F] -> [N, F]
  if (ctx.params.getChoice("layout") == "channels") {
    axes.clear();
    for (int64_t axis = 2; axis < rankWithBatch(ctx); ++axis)
      axes.push_back(axis);
  }
  finish(ctx, "ReduceMean", {ctx.inputs.front()}, {{"axes", axes}, {"keepdims", int64_t{0}}});
}

void emitBatchNorm(OnnxEmitContext& ctx) {
  const LayerParams& p = ctx.params;
  // ONNX's momentum weighs the running value, torch's the new batch; unused at inference.
  finish(ctx, "BatchNormalization",
         {ctx.inputs.front(), addParameter(ctx, "weight"), addParameter(ctx, "bias"),
          addParameter(ctx, "running_mean"), addParameter(ctx, "running_var")},
         {{"epsilon", static_cast<float>(p.getFloat("epsilon"))},
          {"momentum", static_cast<float>(1.0 - p.getFloat("momentum"))}});
}

void emitLayerNorm(OnnxEmitContext& ctx) {
  const LayerParams& p = ctx.params;
  const int64_t normalized = p.isSet("normalized_shape")
                                 ? static_cast<int64_t>(p.getIntList("normalized_shape").size())
                                 : 1;
  finish(ctx, "LayerNormalization",
         {ctx.inputs.front(), addParameter(ctx, "weight"), addParameter(ctx, "bias")},
         {{"axis", -normalized}, {"epsilon", static_cast<float>(p.getFloat("epsilon"))}});
}

template <const char* Op>
void emitElementwise(OnnxEmitContext& ctx) {
  finish(ctx, Op, {ctx.inputs.front()});
}

constexpr char kRelu[] = "Relu";
constexpr char kSigmoid[] = "Sigmoid";
constexpr char kTanh[] = "Tanh";

void emitLeakyRelu(OnnxEmitContext& ctx) {
  finish(ctx, "LeakyRelu", {ctx.inputs.front()},
         {{"alpha", static_cast<float>(ctx.params.getFloat("negative_slope"))}});
}

void emitElu(OnnxEmitContext& ctx) {
  finish(ctx, "Elu", {ctx.inputs.front()},
         {{"alpha", static_cast<float>(ctx.params.getFloat("alpha"))}});
}

void emitGelu(OnnxEmitContext& ctx) {
  gelu(ctx.graph, ctx.inputs.front(), ctx.output);
}

// Softmax-13 normalises along exactly `axis`, as torch does (opset 11 flattened to 2-D).
void emitSoftmax(OnnxEmitContext& ctx) {
  finish(ctx, "Softmax", {ctx.inputs.front()}, {{"axis", batchedAxis(ctx.params.getInt("axis"))}});
}

void emitLogSoftmax(OnnxEmitContext& ctx) {
  finish(ctx, "LogSoftmax", {ctx.inputs.front()},
         {{"axis", batchedAxis(ctx.params.getInt("axis"))}});
}

void emitAdd(OnnxEmitContext& ctx) {
  std::string sum = ctx.inputs[0];
  for (size_t i = 1; i + 1 < ctx.inputs.size(); ++i)
    sum = ctx.graph.apply("Add", {sum, ctx.inputs[i]});
  finish(ctx, "Add", {sum, ctx.inputs.back()});
}

void emitConcat(OnnxEmitContext& ctx) {
  finish(ctx, "Concat", ctx.inputs, {{"axis", batchedAxis(ctx.params.getInt("axis"))}});
}

void setEmitters(LayerSlotWriter& rows) {
  rows.row("Dense").onnx = {.emit = emitDense};
  rows.row("Flatten").onnx = {.emit = emitFlatten};
  // The target shape holds every size, the time axis's too.
  rows.row("Reshape").onnx = {.emit = emitReshape, .anyLength = false};
  rows.row("Embedding").onnx = {.emit = emitEmbedding, .readsSequence = true};
  rows.row("Dropout").onnx = {.emit = emitIdentity};  // inference: the values pass unchanged
  rows.row("Conv1d").onnx = {.emit = emitConv};
  rows.row("Conv2d").onnx = {.emit = emitConv};
  rows.row("MaxPool1d").onnx = {.emit = emitMaxPool, .refuse = refuseWindowPool};
  rows.row("MaxPool2d").onnx = {.emit = emitMaxPool, .refuse = refuseWindowPool};
  rows.row("AvgPool1d").onnx = {.emit = emitAvgPool, .refuse = refuseWindowPool};
  rows.row("AvgPool2d").onnx = {.emit = emitAvgPool, .refuse = refuseWindowPool};
  rows.row("GlobalAvgPool").onnx = {.emit = emitGlobalAvgPool};
  rows.row("BatchNorm").onnx = {.emit = emitBatchNorm};
  rows.row("LayerNorm").onnx = {.emit = emitLayerNorm};
  rows.row("ReLU").onnx = {.emit = emitElementwise<kRelu>};
  rows.row("LeakyReLU").onnx = {.emit = emitLeakyRelu};
  rows.row("ELU").onnx = {.emit = emitElu};
  rows.row("GELU").onnx = {.emit = emitGelu};
  rows.row("Sigmoid").onnx = {.emit = emitElementwise<kSigmoid>};
  rows.row("Tanh").onnx = {.emit = emitElementwise<kTanh>};
  rows.row("Softmax").onnx = {.emit = emitSoftmax};
  rows.row("LogSoftmax").onnx = {.emit = emitLogSoftmax};
  rows.row("LSTM").onnx = {.emit = emitLstm, .readsSequence = true};
  rows.row("GRU").onnx = {.emit = emitGru, .readsSequence = true};
  rows.row("MultiheadAttention").onnx = {.emit = emitMultiheadAttention, .readsSequence = true};
  rows.row("TransformerEncoderLayer").onnx = {.emit = emitTransformerEncoderLayer,
                                              .readsSequence = true};
  rows.row("Add").onnx = {.emit = emitAdd};
  rows.row("Concat").onnx = {.emit = emitConcat};
}

}  // namespace

const LayerRegistry& onnxLayerRegistry() {
  static std::once_flag once;
  // A throw leaves the flag unset: the next call fails the same way instead of exporting with a
  // half-filled registry.
  std::call_once(once, [] {
    fillLayerSlots(setEmitters);
    requireEverySlot(layerRegistry(), "an ONNX emitter or a reason in notExportable",
                     [](const LayerType& type) {
                       return type.onnx.emit != nullptr || !type.onnx.notExportable.empty();
                     });
  });
  return layerRegistry();
}

}  // namespace layerlab::engine
