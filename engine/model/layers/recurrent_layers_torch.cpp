// The torch builders of LSTM and GRU (their rules: recurrent_layers.cpp). torch runs them batch
// first; without return_sequences the op returns the last layer's final state.
#include "engine/model/layer_op.h"
#include "engine/model/layer_slots.h"
#include "engine/model/layers/layer_rules.h"

namespace layerlab::engine {
namespace {

// The last layer's final hidden state of every direction, side by side: [batch, dirs · units].
torch::Tensor lastStep(const torch::Tensor& finalStates, int64_t dirs) {
  const int64_t layers = finalStates.size(0) / dirs;
  return finalStates.slice(0, (layers - 1) * dirs, layers * dirs)
      .transpose(0, 1)
      .reshape({finalStates.size(1), -1});
}

template <typename Options>
Options recurrentOptions(const BuildContext& ctx) {
  const LayerParams& p = ctx.params;
  return Options(ctx.inputShapes.front()[1], p.getInt("units"))
      .num_layers(p.getInt("num_layers"))
      .bidirectional(p.getBool("bidirectional"))
      .dropout(p.getFloat("dropout"))
      .batch_first(true);
}

std::shared_ptr<LayerOp> buildLstm(const BuildContext& ctx) {
  const bool sequences = ctx.params.getBool("return_sequences");
  const int64_t dirs = recurrentDirections(ctx.params);
  torch::nn::LSTM lstm(recurrentOptions<torch::nn::LSTMOptions>(ctx));
  return makeAdaptedModuleOp(lstm, [sequences, dirs](torch::nn::LSTM& m, const torch::Tensor& x) {
    auto [output, state] = m->forward(x);
    return sequences ? output : lastStep(std::get<0>(state), dirs);
  });
}

std::shared_ptr<LayerOp> buildGru(const BuildContext& ctx) {
  const bool sequences = ctx.params.getBool("return_sequences");
  const int64_t dirs = recurrentDirections(ctx.params);
  torch::nn::GRU gru(recurrentOptions<torch::nn::GRUOptions>(ctx));
  return makeAdaptedModuleOp(gru, [sequences, dirs](torch::nn::GRU& m, const torch::Tensor& x) {
    auto [output, finalStates] = m->forward(x);
    return sequences ? output : lastStep(finalStates, dirs);
  });
}

}  // namespace

void setRecurrentBuilders(LayerSlotWriter& rows) {
  rows.row("LSTM").build = buildLstm;
  rows.row("GRU").build = buildGru;
}

}  // namespace layerlab::engine
