// Fills the builder slot of every registry row, once, before the first build.
#include <mutex>

#include "engine/model/layer_op.h"
#include "engine/model/layer_slots.h"

namespace layerlab::engine {

const LayerRegistry& torchLayerRegistry() {
  static std::once_flag once;
  // A throw leaves the flag unset: the next call fails the same way instead of building with a
  // half-filled registry.
  std::call_once(once, [] {
    fillLayerSlots([](LayerSlotWriter& rows) {
      setCoreBuilders(rows);
      setConvolutionBuilders(rows);
      setPoolingBuilders(rows);
      setNormalizationBuilders(rows);
      setActivationBuilders(rows);
      setRecurrentBuilders(rows);
      setAttentionBuilders(rows);
      setMergeBuilders(rows);
    });
    requireEverySlot(layerRegistry(), "a torch builder",
                     [](const LayerType& type) { return static_cast<bool>(type.build); });
  });
  return layerRegistry();
}

}  // namespace layerlab::engine
