// Filling the slots of the registry rows (layer_registry.h): the torch builders (layerlab_engine)
// and the ONNX emitters (layerlab_export). Only those two fillers include this file. Each calls
// fillLayerSlots() from inside its own std::call_once, before anything reads its slot, so every
// slot is written once, by one thread, and read only after its call_once has returned. A filler
// writes its own slot only: the other members of a row may be read meanwhile by any thread.
#pragma once

#include <functional>
#include <string>

#include "engine/model/layer_registry.h"

namespace layerlab::engine {

// Write access to the rows of one registry while a filler runs.
class LayerSlotWriter {
 public:
  explicit LayerSlotWriter(LayerRegistry& registry) : m_registry(registry) {}
  // The row of type `name`; a name no family registered is a std::logic_error naming it (a slot
  // for a type that does not exist is a mistake, not something to ignore).
  LayerType& row(const std::string& name);

 private:
  LayerRegistry& m_registry;
};

// Runs `fill` over the rows of layerRegistry().
void fillLayerSlots(const std::function<void(LayerSlotWriter&)>& fill);

// Throws std::logic_error naming every type of `registry` whose slot `filled` says is missing:
// "layer types without a torch builder: Dense, Conv2d". `slot` names the slot for the message.
void requireEverySlot(const LayerRegistry& registry, const std::string& slot,
                      const std::function<bool(const LayerType&)>& filled);

}  // namespace layerlab::engine
