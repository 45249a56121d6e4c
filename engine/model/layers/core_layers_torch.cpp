// The torch builders of Dense, Flatten, Reshape, Embedding and Dropout (their rules:
// core_layers.cpp).
#include "engine/model/layer_op.h"
#include "engine/model/layer_slots.h"

namespace layerlab::engine {

void setCoreBuilders(LayerSlotWriter& rows) {
  rows.row("Dense").build = [](const BuildContext& ctx) {
    auto options =
        torch::nn::LinearOptions(ctx.inputShapes.front().back(), ctx.params.getInt("units"))
            .bias(ctx.params.getBool("use_bias"));
    return makeModuleOp(torch::nn::Linear(options));
  };
  rows.row("Flatten").build = [](const BuildContext&) {
    return makeFunctionOp([](const torch::Tensor& x) { return x.flatten(1); });
  };
  rows.row("Reshape").build = [](const BuildContext& ctx) {
    const Shape target = ctx.outputShape;
    return makeFunctionOp([target](const torch::Tensor& x) {
      std::vector<int64_t> sizes{x.size(0)};
      sizes.insert(sizes.end(), target.begin(), target.end());
      return x.reshape(sizes);
    });
  };
  rows.row("Embedding").build = [](const BuildContext& ctx) {
    return makeModuleOp(torch::nn::Embedding(torch::nn::EmbeddingOptions(
        ctx.params.getInt("input_dim"), ctx.params.getInt("output_dim"))));
  };
  rows.row("Dropout").build = [](const BuildContext& ctx) {
    return makeModuleOp(torch::nn::Dropout(torch::nn::DropoutOptions(ctx.params.getFloat("rate"))));
  };
}

}  // namespace layerlab::engine
