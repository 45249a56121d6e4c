// The registry rows' torch builder slots: every registered type has one, in the very row the
// torch-free core registered; they are filled once even when many threads ask at the same time;
// a missing slot or a slot for an unknown type fails naming the type.
#include <gtest/gtest.h>

#include <barrier>
#include <stdexcept>
#include <thread>

#include "engine/model/layer_op.h"
#include "engine/model/layer_slots.h"

namespace layerlab::engine {
namespace {

TEST(LayerSlots, EveryRegisteredTypeHasATorchBuilderInItsOwnRow) {
  const LayerRegistry& rows = torchLayerRegistry();
  // The same rows the editor and the analysis read, not a second table.
  EXPECT_EQ(&rows, &layerRegistry());
  ASSERT_FALSE(rows.types().empty());
  for (const LayerType& type : rows.types())
    EXPECT_TRUE(type.build) << type.name << " has no torch builder";
}

TEST(LayerSlots, ABuilderMakesTheModuleItsRowDescribes) {
  const LayerType* dense = torchLayerRegistry().find("Dense");
  ASSERT_NE(dense, nullptr);
  const NodeSpec node{.id = "d", .type = "Dense", .inputs = {"input"}};
  std::vector<std::string> problems;
  const std::optional<LayerParams> params =
      layerRegistry().resolveParams(*dense, {{"units", 3}}, problems);
  ASSERT_TRUE(params) << problems.front();
  const std::vector<Shape> inputs = {{5}};
  const Shape output = {3};
  const std::shared_ptr<LayerOp> op = dense->build({node, *params, inputs, output});
  ASSERT_NE(op->module(), nullptr);
  EXPECT_EQ(op->forward({torch::ones({2, 5})}).sizes(), torch::IntArrayRef({2, 3}));
}

// Every thread must see the slots filled when its call returns, however the calls interleave.
TEST(LayerSlots, ConcurrentFirstCallsAllSeeEveryBuilder) {
  constexpr int kThreads = 8;
  std::barrier start(kThreads);
  std::vector<int> missing(kThreads, -1);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      int count = 0;
      for (const LayerType& type : torchLayerRegistry().types())
        count += type.build ? 0 : 1;
      missing[t] = count;
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  for (int t = 0; t < kThreads; ++t)
    EXPECT_EQ(missing[t], 0) << "thread " << t;
}

LayerType namedType(const std::string& name) {
  LayerType type;
  type.name = name;
  return type;
}

TEST(LayerSlots, AMissingSlotIsALogicErrorNamingEveryTypeWithout) {
  LayerRegistry registry;
  registry.add(namedType("Alpha"));
  registry.add(namedType("Beta"));
  registry.add(namedType("Gamma"));
  LayerSlotWriter rows(registry);
  rows.row("Beta").build = [](const BuildContext&) { return std::shared_ptr<LayerOp>(); };
  try {
    requireEverySlot(registry, "a torch builder",
                     [](const LayerType& type) { return static_cast<bool>(type.build); });
    FAIL() << "a registry with types lacking builders was accepted";
  } catch (const std::logic_error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("without a torch builder: Alpha, Gamma"), std::string::npos) << message;
    EXPECT_EQ(message.find("Beta"), std::string::npos) << message;
  }
}

TEST(LayerSlots, ASlotForATypeNoFamilyRegistersIsRefusedByName) {
  LayerRegistry registry;
  registry.add(namedType("Alpha"));
  LayerSlotWriter rows(registry);
  EXPECT_EQ(&rows.row("Alpha"), &registry.types().front());
  try {
    rows.row("Dense2");
    FAIL() << "a slot for an unregistered type was accepted";
  } catch (const std::logic_error& error) {
    EXPECT_NE(std::string(error.what()).find("'Dense2'"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace layerlab::engine
