// The torch builders of Add and Concat (their rules: merge_layers.cpp).
#include "engine/model/layer_op.h"
#include "engine/model/layer_slots.h"

namespace layerlab::engine {

void setMergeBuilders(LayerSlotWriter& rows) {
  rows.row("Add").build = [](const BuildContext&) {
    return makeMultiInputOp([](const std::vector<torch::Tensor>& inputs) {
      torch::Tensor sum = inputs[0];
      for (size_t i = 1; i < inputs.size(); ++i)
        sum = sum + inputs[i];
      return sum;
    });
  };
  rows.row("Concat").build = [](const BuildContext& ctx) {
    const int64_t rank = static_cast<int64_t>(ctx.inputShapes.front().size());
    const int64_t axis = ctx.params.getInt("axis");
    const int64_t dim = (axis < 0 ? axis + rank : axis) + 1;  // skip the batch
    return makeMultiInputOp(
        [dim](const std::vector<torch::Tensor>& inputs) { return torch::cat(inputs, dim); });
  };
}

}  // namespace layerlab::engine
