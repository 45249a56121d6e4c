// LSTM and GRU over sequences [time, features] (batch first inside torch).
//
// Parameters, as torch counts them: per layer and direction, gates · units · (in + units)
// weights and two biases of gates · units each (LSTM has 4 gates, GRU 3). Layer 0 reads the
// input's features, later layers read units · directions.
// Multiply-adds: the same matrix products at every time step:
//   time · Σ_layers directions · gates · units · (in + units).
// The gates' element-wise arithmetic is not counted.
#include "engine/model/layer_op.h"
#include "engine/model/layer_registry.h"
#include "engine/model/layers/layer_rules.h"

namespace layerlab::engine {
namespace {

std::vector<ParamSpec> recurrentParams() {
  return {
      {.name = "units",
       .kind = ParamKind::Int,
       .min = 1,
       .max = 1 << 16,
       .description = "the size of the hidden state"},
      {.name = "num_layers",
       .kind = ParamKind::Int,
       .defaultValue = 1,
       .min = 1,
       .max = 64,
       .description = "stacked recurrent layers, each reading the sequence of the one before"},
      {.name = "bidirectional",
       .kind = ParamKind::Bool,
       .defaultValue = false,
       .description = "also read the sequence backwards; the two states are concatenated"},
      {.name = "return_sequences",
       .kind = ParamKind::Bool,
       .defaultValue = false,
       .description = "output every time step [T, units] instead of the last one [units]"},
      {.name = "dropout",
       .kind = ParamKind::Float,
       .defaultValue = 0.0,
       .min = 0,
       .max = 0.999,
       .description = "dropout between stacked layers (needs num_layers of 2 or more)"},
  };
}

int64_t directions(const LayerParams& p) {
  return p.getBool("bidirectional") ? 2 : 1;
}

// Weights per time step of all layers and directions (without biases): the MACs of one step.
int64_t stepWeights(const LayerParams& p, int64_t features, int64_t gates) {
  const int64_t units = p.getInt("units"), dirs = directions(p);
  int64_t total = 0;
  for (int64_t layer = 0; layer < p.getInt("num_layers"); ++layer) {
    const int64_t in = layer == 0 ? features : units * dirs;
    total = saturatingAdd(total, saturatingProduct({dirs, gates, units, in + units}));
  }
  return total;
}

ShapeResult recurrentShape(const LayerContext& ctx) {
  const Shape& in = firstInput(ctx);
  if (in.size() != 2) return expectsShape("[time, features]", in);
  const LayerParams& p = ctx.params;
  if (p.getFloat("dropout") > 0 && p.getInt("num_layers") < 2) {
    return "dropout acts between stacked layers: set num_layers to 2 or more, or dropout to 0";
  }
  const int64_t width = p.getInt("units") * directions(p);
  if (p.getBool("return_sequences")) return Shape{in[0], width};
  return Shape{width};
}

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
  const int64_t dirs = directions(ctx.params);
  torch::nn::LSTM lstm(recurrentOptions<torch::nn::LSTMOptions>(ctx));
  return makeAdaptedModuleOp(lstm, [sequences, dirs](torch::nn::LSTM& m, const torch::Tensor& x) {
    auto [output, state] = m->forward(x);
    return sequences ? output : lastStep(std::get<0>(state), dirs);
  });
}

std::shared_ptr<LayerOp> buildGru(const BuildContext& ctx) {
  const bool sequences = ctx.params.getBool("return_sequences");
  const int64_t dirs = directions(ctx.params);
  torch::nn::GRU gru(recurrentOptions<torch::nn::GRUOptions>(ctx));
  return makeAdaptedModuleOp(gru, [sequences, dirs](torch::nn::GRU& m, const torch::Tensor& x) {
    auto [output, finalStates] = m->forward(x);
    return sequences ? output : lastStep(finalStates, dirs);
  });
}

LayerType recurrentLayer(const std::string& name, int64_t gates) {
  LayerType type;
  type.name = name;
  type.category = "Recurrent";
  type.description = (gates == 4 ? "Long short-term memory" : "Gated recurrent unit") +
                     std::string(" over [time, features]: [T, units] or the last step [units].");
  type.params = recurrentParams();
  type.inferShape = recurrentShape;
  type.countParams = [gates](const LayerContext& ctx, const Shape&) {
    const LayerParams& p = ctx.params;
    const int64_t biases =
        saturatingProduct({p.getInt("num_layers"), directions(p), 2, gates, p.getInt("units")});
    return saturatingAdd(stepWeights(p, firstInput(ctx)[1], gates), biases);
  };
  type.countMacs = [gates](const LayerContext& ctx, const Shape&) {
    return saturatingMul(firstInput(ctx)[0], stepWeights(ctx.params, firstInput(ctx)[1], gates));
  };
  type.build = gates == 4 ? buildLstm : buildGru;
  return type;
}

}  // namespace

void registerRecurrentLayers(LayerRegistry& registry) {
  registry.add(recurrentLayer("LSTM", 4));
  registry.add(recurrentLayer("GRU", 3));
}

}  // namespace layerlab::engine
