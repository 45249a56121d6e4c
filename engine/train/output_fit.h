// Does a model's output fit what the data asks for? One rule for the Model place (which pins the
// answer to the output layer as the user edits) and for training (which refuses a model that
// does not fit before loading a batch), so that the two never disagree.
//
// Plain data, no torch: the GUI includes this header. Pure functions: any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/model/model_analysis.h"

namespace layerlab::engine {

// What the data asks of the model's output.
struct OutputTarget {
  bool classification = true;
  size_t classes = 0;  // classification: the number of classes
  // The loss the run trains with; empty: the one that suits the data (cross_entropy or mse).
  std::string loss;
};

// The problem with the model's output for `target`, pinned to the output node when there is one,
// with the change that mends it (a Flatten or GlobalAvgPool before a Dense that sees more than
// one dimension, the units to set); nullopt when the output fits. A model whose shapes could not
// be inferred has its own problems and gets none here.
std::optional<ModelProblem> outputMismatch(const ModelAnalysis& analysis,
                                           const OutputTarget& target);

}  // namespace layerlab::engine
