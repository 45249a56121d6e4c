// A trial's documents: the experiment's model and training settings with the trial's parameters
// applied. A key `X.Y` whose X is a node id of the model sets that node's parameter Y; `lr` is
// the training setting `learning_rate`; any other key is a training setting, dotted when nested
// (`schedule.type`, `early_stopping.patience`).
//
// Plain data, no torch, no Qt: pure functions, any thread. Refusals throw std::invalid_argument
// naming the key.
#pragma once

#include <nlohmann/json.hpp>

#include "engine/experiment/search_space.h"

namespace layerlab::engine {

struct ExperimentBase {
  nlohmann::json model;  // a layerlab.model document (resources/templates/*.layerlab.json)
  nlohmann::json train;  // a layerlab.train document (engine/train/train_config.h toJson)
};

// The base with `params` (key → value) applied. A node's parameter must be one the node already
// has or one its layer type takes (layer_registry.h); the node's structure (id, type, inputs) is
// not a parameter. When the node's parameters were sound before, they must still be after (the
// registry's own check: units at least 1, a choice among its values). A training setting must be
// one that a layerlab.train document has, of its kind (a whole number for epochs), and the
// settings as a whole must pass trainConfigFromJson; the model must still parse (model_spec.h).
ExperimentBase applyParams(const ExperimentBase& base, const nlohmann::json& params);

// Refuses a space with a key that cannot be applied to `base`, before any trial runs: each
// parameter is applied on its own with its low and high end, or with each of its choices. A
// value valid only together with another searched value (nesterov = true needs optimizer = sgd)
// is refused here unless the base already allows it.
void checkSpaceAgainstBase(const SearchSpace& space, const ExperimentBase& base);

}  // namespace layerlab::engine
