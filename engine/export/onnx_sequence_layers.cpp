// The ONNX emitters of LSTM, GRU, MultiheadAttention and TransformerEncoderLayer.
//
// Recurrent layers: torch runs them batch first ([N, T, F]); ONNX's LSTM and GRU read [T, N, F]
// (onnxruntime refuses layout = 1), so the input is transposed in and the result out. One ONNX
// node per stacked layer; torch's gate blocks are reordered to ONNX's (LSTM i f g o -> i o f c,
// GRU r z n -> z r h), and GRU needs linear_before_reset = 1 to compute what torch computes.
//
// Attention works on [N, T, E] directly (no transposes to torch's time-first layout): the heads
// are split with Reshape [0, 0, heads, head_dim], so neither N nor T is ever a constant.
#include <cmath>

#include "engine/export/onnx_emit.h"

namespace layerlab::engine::onnx_emit {
namespace {

struct RecurrentKind {
  const char* op;
  int64_t gates;
  std::vector<int64_t> gateOrder;  // torch's blocks taken in ONNX's order
};

const RecurrentKind kLstm = {"LSTM", 4, {0, 3, 1, 2}};
const RecurrentKind kGru = {"GRU", 3, {1, 0, 2}};

torch::Tensor reorderGates(const torch::Tensor& tensor, const RecurrentKind& kind) {
  const std::vector<torch::Tensor> blocks = tensor.chunk(kind.gates, 0);
  std::vector<torch::Tensor> ordered;
  for (int64_t index : kind.gateOrder)
    ordered.push_back(blocks[index]);
  return torch::cat(ordered, 0);
}

// W, R and B of one stacked layer, both directions stacked on a leading axis.
std::vector<std::string> recurrentWeights(OnnxEmitContext& ctx, const RecurrentKind& kind,
                                          int64_t layer, int64_t directions) {
  std::vector<torch::Tensor> w, r, b;
  for (int64_t direction = 0; direction < directions; ++direction) {
    const std::string suffix = std::to_string(layer) + (direction == 1 ? "_reverse" : "");
    w.push_back(reorderGates(requireTensor(ctx, "weight_ih_l" + suffix), kind));
    r.push_back(reorderGates(requireTensor(ctx, "weight_hh_l" + suffix), kind));
    b.push_back(torch::cat({reorderGates(requireTensor(ctx, "bias_ih_l" + suffix), kind),
                            reorderGates(requireTensor(ctx, "bias_hh_l" + suffix), kind)}));
  }
  const std::string prefix = "l" + std::to_string(layer) + ".";
  return {addTensor(ctx, prefix + "W", torch::stack(w)),
          addTensor(ctx, prefix + "R", torch::stack(r)),
          addTensor(ctx, prefix + "B", torch::stack(b))};
}

void emitRecurrent(OnnxEmitContext& ctx, const RecurrentKind& kind) {
  OnnxGraph& graph = ctx.graph;
  const LayerParams& p = ctx.params;
  const int64_t directions = p.getBool("bidirectional") ? 2 : 1;
  const int64_t units = p.getInt("units");
  std::string steps = transpose(graph, ctx.inputs.front(), {1, 0, 2});  // [T, N, F]
  std::string sequence, lastState;
  for (int64_t layer = 0; layer < p.getInt("num_layers"); ++layer) {
    // A later layer reads the one before as [T, N, dirs · units].
    if (layer > 0) steps = reshape(graph, transpose(graph, sequence, {0, 2, 1, 3}), {0, 0, -1});
    std::vector<std::string> inputs = {steps};
    for (const std::string& weight : recurrentWeights(ctx, kind, layer, directions))
      inputs.push_back(weight);
    std::vector<OnnxAttribute> attributes = {
        {"hidden_size", units},
        {"direction", std::string(directions == 2 ? "bidirectional" : "forward")}};
    if (kind.gates == 3) attributes.push_back({"linear_before_reset", int64_t{1}});
    sequence = graph.uniqueName(std::string(kind.op) + "_Y");     // [T, dirs, N, units]
    lastState = graph.uniqueName(std::string(kind.op) + "_Y_h");  // [dirs, N, units]
    graph.addNode(kind.op, inputs, {sequence, lastState}, attributes);
  }
  if (p.getBool("return_sequences")) {
    reshape(graph, transpose(graph, sequence, {2, 0, 1, 3}), {0, 0, -1}, ctx.output);
  } else {
    // torch's last step: the final states of the last layer, directions side by side.
    reshape(graph, transpose(graph, lastState, {1, 0, 2}), {0, -1}, ctx.output);
  }
}

// Self-attention of `x` [N, T, E] with torch's MultiheadAttention at `prefix`.
std::string selfAttention(OnnxEmitContext& ctx, const std::string& x, const std::string& prefix,
                          int64_t embed, int64_t heads, const std::string& output = {}) {
  OnnxGraph& graph = ctx.graph;
  const int64_t headDim = embed / heads;
  const torch::Tensor weight = requireTensor(ctx, prefix + "in_proj_weight");
  const torch::Tensor bias = findTensor(*ctx.module, prefix + "in_proj_bias");
  const char* names[] = {"q", "k", "v"};
  std::vector<std::string> split;  // each [N, T, heads, head_dim]
  for (int64_t i = 0; i < 3; ++i) {
    const std::string path = prefix + names[i] + "_proj";
    std::string projected = graph.apply(
        "MatMul", {x, addTensor(ctx, path + ".weight__T", weight.narrow(0, i * embed, embed).t())});
    if (bias.defined()) {
      projected = graph.apply(
          "Add", {projected, addTensor(ctx, path + ".bias", bias.narrow(0, i * embed, embed))});
    }
    split.push_back(reshape(graph, projected, {0, 0, heads, headDim}));
  }
  // torch scales the queries after their bias.
  const std::string queries =
      graph.apply("Mul", {transpose(graph, split[0], {0, 2, 1, 3}),
                          graph.addScalar(static_cast<float>(1.0 / std::sqrt(headDim)))});
  const std::string keysT = transpose(graph, split[1], {0, 2, 3, 1});  // [N, heads, hd, T]
  const std::string values = transpose(graph, split[2], {0, 2, 1, 3});
  const std::string scores = graph.apply("MatMul", {queries, keysT});
  const std::string weights = graph.apply("Softmax", {scores}, {{"axis", int64_t{-1}}});
  const std::string context = graph.apply("MatMul", {weights, values});
  const std::string merged = reshape(graph, transpose(graph, context, {0, 2, 1, 3}), {0, 0, embed});
  return linear(ctx, merged, prefix + "out_proj.", 3, output);
}

double layerNormEpsilon(torch::nn::Module& module, const std::string& name) {
  for (const auto& child : module.named_children()) {
    if (child.key() != name) continue;
    if (const auto* norm = child.value()->as<torch::nn::LayerNorm>()) return norm->options.eps();
  }
  throw OnnxExportError("the encoder layer has no LayerNorm '" + name + "'");
}

std::string layerNorm(OnnxEmitContext& ctx, const std::string& x, const std::string& name,
                      const std::string& output = {}) {
  OnnxGraph& graph = ctx.graph;
  const std::vector<std::string> inputs = {x, addParameter(ctx, name + ".weight"),
                                           addParameter(ctx, name + ".bias")};
  const std::vector<OnnxAttribute> attributes = {
      {"axis", int64_t{-1}}, {"epsilon", static_cast<float>(layerNormEpsilon(*ctx.module, name))}};
  if (output.empty()) return graph.apply("LayerNormalization", inputs, attributes);
  return graph.addNode("LayerNormalization", inputs, {output}, attributes);
}

}  // namespace

void emitLstm(OnnxEmitContext& ctx) {
  emitRecurrent(ctx, kLstm);
}

void emitGru(OnnxEmitContext& ctx) {
  emitRecurrent(ctx, kGru);
}

void emitMultiheadAttention(OnnxEmitContext& ctx) {
  selfAttention(ctx, ctx.inputs.front(), "", ctx.inputShapes.front()[1],
                ctx.params.getInt("num_heads"), ctx.output);
}

// Post-norm, as torch's C++ layer computes it in evaluation mode:
//   x1 = LN1(x + attention(x)); y = LN2(x1 + linear2(act(linear1(x1)))).
void emitTransformerEncoderLayer(OnnxEmitContext& ctx) {
  OnnxGraph& graph = ctx.graph;
  const std::string& x = ctx.inputs.front();
  const std::string attended = selfAttention(ctx, x, "self_attn.", ctx.inputShapes.front()[1],
                                             ctx.params.getInt("num_heads"));
  const std::string first = layerNorm(ctx, graph.apply("Add", {x, attended}), "norm1");
  std::string hidden = linear(ctx, first, "linear1.", 3);
  if (ctx.params.getChoice("activation") == "gelu")
    hidden = gelu(graph, hidden);
  else
    hidden = graph.apply("Relu", {hidden});
  const std::string fed = linear(ctx, hidden, "linear2.", 3);
  layerNorm(ctx, graph.apply("Add", {first, fed}), "norm2", ctx.output);
}

}  // namespace layerlab::engine::onnx_emit
