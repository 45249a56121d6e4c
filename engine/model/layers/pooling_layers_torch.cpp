// The torch builders of MaxPool1d/2d, AvgPool1d/2d and GlobalAvgPool (their rules:
// pooling_layers.cpp).
#include "engine/model/layer_op.h"
#include "engine/model/layer_slots.h"
#include "engine/model/layers/layer_rules.h"

namespace layerlab::engine {
namespace {

template <typename Holder, typename Options>
std::shared_ptr<LayerOp> buildWindowPool(const BuildContext& ctx) {
  const LayerParams& p = ctx.params;
  Options options(p.getInt("pool_size"));
  options.stride(poolStride(p)).padding(p.getInt("padding")).ceil_mode(p.getBool("ceil_mode"));
  return makeModuleOp(Holder(options));
}

std::shared_ptr<LayerOp> buildGlobalAvgPool(const BuildContext& ctx) {
  if (ctx.params.getChoice("layout") == "sequence") {
    return makeFunctionOp([](const torch::Tensor& x) { return x.mean(1); });
  }
  return makeFunctionOp([](const torch::Tensor& x) { return x.flatten(2).mean(2); });
}

}  // namespace

void setPoolingBuilders(LayerSlotWriter& rows) {
  rows.row("MaxPool1d").build = buildWindowPool<torch::nn::MaxPool1d, torch::nn::MaxPool1dOptions>;
  rows.row("MaxPool2d").build = buildWindowPool<torch::nn::MaxPool2d, torch::nn::MaxPool2dOptions>;
  rows.row("AvgPool1d").build = buildWindowPool<torch::nn::AvgPool1d, torch::nn::AvgPool1dOptions>;
  rows.row("AvgPool2d").build = buildWindowPool<torch::nn::AvgPool2d, torch::nn::AvgPool2dOptions>;
  rows.row("GlobalAvgPool").build = buildGlobalAvgPool;
}

}  // namespace layerlab::engine
