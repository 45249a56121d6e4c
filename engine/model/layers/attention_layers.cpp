// MultiheadAttention (self-attention) and TransformerEncoderLayer over [time, features]: their
// rows and rules (the builders: attention_layers_torch.cpp).
//
// Multiply-adds per sample, with T time steps, E features, F feed-forward units:
//   attention: 4·T·E² for the query, key, value and output projections, plus 2·T²·E for the
//              scores Q·Kᵀ and the weighted sum over the values (summed over the heads);
//   encoder layer: attention + 2·T·E·F for the feed-forward pair + 2 LayerNorms at 2·T·E each.
#include "engine/model/layer_registry.h"
#include "engine/model/layers/layer_rules.h"
#include "engine/model/model_summary.h"

namespace layerlab::engine {
namespace {

ParamSpec headsParam() {
  return {.name = "num_heads",
          .kind = ParamKind::Int,
          .defaultValue = 4,
          .min = 1,
          .max = 1024,
          .description = "attention heads; they must divide the feature size evenly"};
}

ParamSpec dropoutParam(double value, const std::string& where) {
  return {.name = "dropout",
          .kind = ParamKind::Float,
          .defaultValue = value,
          .min = 0,
          .max = 0.999,
          .description = "dropout " + where + " while training"};
}

ShapeResult attentionShape(const LayerContext& ctx) {
  const Shape& in = firstInput(ctx);
  if (in.size() != 2) return expectsShape("[time, features]", in);
  const int64_t heads = ctx.params.getInt("num_heads");
  if (in[1] % heads != 0) {
    return "num_heads (" + std::to_string(heads) + ") must divide the feature size (" +
           std::to_string(in[1]) + ")";
  }
  // The T×T weights of every head are the largest tensor here, though no layer outputs them.
  const int64_t weights = saturatingProduct({heads, in[0], in[0]});
  if (weights > kMaxElementsPerSample) {
    return "the attention weights (num_heads · time²) would hold " + formatThousands(weights) +
           " values per sample, more than the limit of " + formatThousands(kMaxElementsPerSample) +
           "; use a shorter sequence or fewer heads";
  }
  return in;
}

int64_t attentionParams(int64_t features, bool bias) {
  const int64_t weights = saturatingMul(4, saturatingMul(features, features));
  return saturatingAdd(weights, bias ? 4 * features : 0);
}

int64_t attentionMacs(const Shape& in) {
  const int64_t time = in[0], features = in[1];
  return saturatingAdd(saturatingProduct({4, time, features, features}),
                       saturatingProduct({2, time, time, features}));
}

LayerType multiheadAttentionLayer() {
  LayerType type;
  type.name = "MultiheadAttention";
  type.category = "Attention";
  type.description = "Self-attention over [time, features]: every step attends to every step.";
  type.params = {headsParam(),
                 dropoutParam(0.0, "on the attention weights"),
                 {.name = "use_bias",
                  .kind = ParamKind::Bool,
                  .defaultValue = true,
                  .description = "learned biases in the input and output projections"}};
  type.inferShape = attentionShape;
  type.countParams = [](const LayerContext& ctx, const Shape&) {
    return attentionParams(firstInput(ctx)[1], ctx.params.getBool("use_bias"));
  };
  type.countMacs = [](const LayerContext& ctx, const Shape&) {
    return attentionMacs(firstInput(ctx));
  };
  return type;
}

LayerType transformerEncoderLayer() {
  LayerType type;
  type.name = "TransformerEncoderLayer";
  type.category = "Attention";
  type.description =
      "Self-attention then a feed-forward pair, each with a residual connection "
      "and LayerNorm (post-norm), over [time, d_model].";
  type.params = {headsParam(),
                 {.name = "ff_units",
                  .kind = ParamKind::Int,
                  .min = 1,
                  .max = 1 << 16,
                  .description = "the feed-forward layer's width (default: 4 · d_model)",
                  .optional = true},
                 dropoutParam(0.1, "after attention and in the feed-forward part"),
                 {.name = "activation",
                  .kind = ParamKind::Choice,
                  .defaultValue = "relu",
                  .choices = {"relu", "gelu"},
                  .description = "the feed-forward activation"}};
  type.inferShape = attentionShape;
  type.countParams = [](const LayerContext& ctx, const Shape&) {
    const int64_t e = firstInput(ctx)[1], f = feedForwardUnits(ctx.params, firstInput(ctx));
    const int64_t feedForward = saturatingAdd(saturatingMul(2, saturatingMul(e, f)), f + e);
    return saturatingAdd(saturatingAdd(attentionParams(e, true), feedForward), 4 * e);
  };
  type.countMacs = [](const LayerContext& ctx, const Shape&) {
    const Shape& in = firstInput(ctx);
    const int64_t f = feedForwardUnits(ctx.params, in);
    const int64_t feedForward = saturatingProduct({2, in[0], in[1], f});
    return saturatingAdd(saturatingAdd(attentionMacs(in), feedForward),
                         saturatingProduct({4, in[0], in[1]}));
  };
  return type;
}

}  // namespace

void registerAttentionLayers(LayerRegistry& registry) {
  registry.add(multiheadAttentionLayer());
  registry.add(transformerEncoderLayer());
}

}  // namespace layerlab::engine
