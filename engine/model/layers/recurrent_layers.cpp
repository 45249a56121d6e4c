// LSTM and GRU over sequences [time, features] (batch first inside torch).
// The rows and their rules; the torch builders are in recurrent_layers_torch.cpp.
//
// Parameters, as torch counts them: per layer and direction, gates · units · (in + units)
// weights and two biases of gates · units each (LSTM has 4 gates, GRU 3). Layer 0 reads the
// input's features, later layers read units · directions.
// Multiply-adds: the same matrix products at every time step:
//   time · Σ_layers directions · gates · units · (in + units).
// The gates' element-wise arithmetic is not counted.
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

// Weights per time step of all layers and directions (without biases): the MACs of one step.
int64_t stepWeights(const LayerParams& p, int64_t features, int64_t gates) {
  const int64_t units = p.getInt("units"), dirs = recurrentDirections(p);
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
  const int64_t width = p.getInt("units") * recurrentDirections(p);
  if (p.getBool("return_sequences")) return Shape{in[0], width};
  return Shape{width};
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
    const int64_t biases = saturatingProduct(
        {p.getInt("num_layers"), recurrentDirections(p), 2, gates, p.getInt("units")});
    return saturatingAdd(stepWeights(p, firstInput(ctx)[1], gates), biases);
  };
  type.countMacs = [gates](const LayerContext& ctx, const Shape&) {
    return saturatingMul(firstInput(ctx)[0], stepWeights(ctx.params, firstInput(ctx)[1], gates));
  };
  return type;
}

}  // namespace

void registerRecurrentLayers(LayerRegistry& registry) {
  registry.add(recurrentLayer("LSTM", 4));
  registry.add(recurrentLayer("GRU", 3));
}

}  // namespace layerlab::engine
