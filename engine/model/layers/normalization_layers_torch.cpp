// The torch builders of BatchNorm and LayerNorm (their rules: normalization_layers.cpp).
#include "engine/model/layer_op.h"
#include "engine/model/layer_slots.h"
#include "engine/model/layers/layer_rules.h"

namespace layerlab::engine {
namespace {

// 1-D or 2-D, chosen from the input's rank as the shape rule allows.
std::shared_ptr<LayerOp> buildBatchNorm(const BuildContext& ctx) {
  const int64_t channels = ctx.inputShapes.front()[0];
  const double momentum = ctx.params.getFloat("momentum");
  const double eps = ctx.params.getFloat("epsilon");
  if (ctx.inputShapes.front().size() == 3) {
    return makeModuleOp(torch::nn::BatchNorm2d(
        torch::nn::BatchNorm2dOptions(channels).momentum(momentum).eps(eps)));
  }
  return makeModuleOp(
      torch::nn::BatchNorm1d(torch::nn::BatchNorm1dOptions(channels).momentum(momentum).eps(eps)));
}

std::shared_ptr<LayerOp> buildLayerNorm(const BuildContext& ctx) {
  auto options = torch::nn::LayerNormOptions(normalizedShape(ctx.params, ctx.inputShapes.front()))
                     .eps(ctx.params.getFloat("epsilon"));
  return makeModuleOp(torch::nn::LayerNorm(options));
}

}  // namespace

void setNormalizationBuilders(LayerSlotWriter& rows) {
  rows.row("BatchNorm").build = buildBatchNorm;
  rows.row("LayerNorm").build = buildLayerNorm;
}

}  // namespace layerlab::engine
