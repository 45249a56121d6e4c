// The torch builders of MultiheadAttention and TransformerEncoderLayer (their rules:
// attention_layers.cpp). torch 1.13's C++ modules take [time, batch, features]: the ops transpose
// in and out.
#include "engine/model/layer_op.h"
#include "engine/model/layer_slots.h"
#include "engine/model/layers/layer_rules.h"

namespace layerlab::engine {
namespace {

std::shared_ptr<LayerOp> buildMultiheadAttention(const BuildContext& ctx) {
  const LayerParams& p = ctx.params;
  auto options =
      torch::nn::MultiheadAttentionOptions(ctx.inputShapes.front()[1], p.getInt("num_heads"))
          .dropout(p.getFloat("dropout"))
          .bias(p.getBool("use_bias"));
  return makeAdaptedModuleOp(torch::nn::MultiheadAttention(options),
                             [](torch::nn::MultiheadAttention& m, const torch::Tensor& x) {
                               const torch::Tensor steps = x.transpose(0, 1);
                               auto result = m->forward(steps, steps, steps, {}, false);
                               return std::get<0>(result).transpose(0, 1);
                             });
}

std::shared_ptr<LayerOp> buildTransformerEncoderLayer(const BuildContext& ctx) {
  const LayerParams& p = ctx.params;
  const Shape& in = ctx.inputShapes.front();
  auto options = torch::nn::TransformerEncoderLayerOptions(in[1], p.getInt("num_heads"))
                     .dim_feedforward(feedForwardUnits(p, in))
                     .dropout(p.getFloat("dropout"));
  if (p.getChoice("activation") == "gelu")
    options.activation(torch::kGELU);
  else
    options.activation(torch::kReLU);
  return makeAdaptedModuleOp(torch::nn::TransformerEncoderLayer(options),
                             [](torch::nn::TransformerEncoderLayer& m, const torch::Tensor& x) {
                               return m->forward(x.transpose(0, 1)).transpose(0, 1);
                             });
}

}  // namespace

void setAttentionBuilders(LayerSlotWriter& rows) {
  rows.row("MultiheadAttention").build = buildMultiheadAttention;
  rows.row("TransformerEncoderLayer").build = buildTransformerEncoderLayer;
}

}  // namespace layerlab::engine
