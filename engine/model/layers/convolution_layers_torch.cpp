// The torch builders of Conv1d and Conv2d (their rules: convolution_layers.cpp).
#include "engine/model/layer_op.h"
#include "engine/model/layer_slots.h"
#include "engine/model/layers/layer_rules.h"

namespace layerlab::engine {
namespace {

template <typename Holder, typename Options>
std::shared_ptr<LayerOp> buildConv(const BuildContext& ctx) {
  const LayerParams& p = ctx.params;
  Options options(ctx.inputShapes.front()[0], p.getInt("filters"), p.getInt("kernel_size"));
  options.stride(p.getInt("stride"))
      .dilation(p.getInt("dilation"))
      .groups(p.getInt("groups"))
      .bias(p.getBool("use_bias"));
  if (samePadding(p))
    options.padding(torch::kSame);
  else
    options.padding(explicitPadding(p));
  return makeModuleOp(Holder(options));
}

}  // namespace

void setConvolutionBuilders(LayerSlotWriter& rows) {
  rows.row("Conv1d").build = buildConv<torch::nn::Conv1d, torch::nn::Conv1dOptions>;
  rows.row("Conv2d").build = buildConv<torch::nn::Conv2d, torch::nn::Conv2dOptions>;
}

}  // namespace layerlab::engine
