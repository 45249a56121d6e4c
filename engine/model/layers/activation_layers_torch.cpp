// The torch builders of the activations and (Log)Softmax (their rules: activation_layers.cpp).
#include "engine/model/layer_op.h"
#include "engine/model/layer_slots.h"

namespace layerlab::engine {
namespace {

template <typename Holder>
std::shared_ptr<LayerOp> buildSimple(const BuildContext&) {
  return makeModuleOp(Holder());
}

template <typename Holder, typename Options>
std::shared_ptr<LayerOp> buildSoftmax(const BuildContext& ctx) {
  const int64_t axis = ctx.params.getInt("axis");
  return makeModuleOp(Holder(Options(axis >= 0 ? axis + 1 : axis)));  // skip the batch
}

}  // namespace

void setActivationBuilders(LayerSlotWriter& rows) {
  rows.row("ReLU").build = buildSimple<torch::nn::ReLU>;
  rows.row("LeakyReLU").build = [](const BuildContext& ctx) {
    return makeModuleOp(torch::nn::LeakyReLU(
        torch::nn::LeakyReLUOptions().negative_slope(ctx.params.getFloat("negative_slope"))));
  };
  rows.row("ELU").build = [](const BuildContext& ctx) {
    return makeModuleOp(
        torch::nn::ELU(torch::nn::ELUOptions().alpha(ctx.params.getFloat("alpha"))));
  };
  rows.row("GELU").build = buildSimple<torch::nn::GELU>;
  rows.row("Sigmoid").build = buildSimple<torch::nn::Sigmoid>;
  rows.row("Tanh").build = buildSimple<torch::nn::Tanh>;
  rows.row("Softmax").build = buildSoftmax<torch::nn::Softmax, torch::nn::SoftmaxOptions>;
  rows.row("LogSoftmax").build = buildSoftmax<torch::nn::LogSoftmax, torch::nn::LogSoftmaxOptions>;
}

}  // namespace layerlab::engine
