// The torch side of a layer: what a registry row's builder slot returns, and the accessor that
// fills those slots. Included only by the builders (layers/*_layers_torch.cpp) and the graph
// module, never by the GUI.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <vector>

#include "engine/model/layer_registry.h"

namespace layerlab::engine {

// layerRegistry() with every row's builder slot set: the only way to read LayerType::build. The
// first call sets them (std::call_once); a registered type without a builder is a
// std::logic_error naming it, on this and every later call. Any thread.
const LayerRegistry& torchLayerRegistry();

// Set the builders of one family's rows, one file per family (layers/*_layers_torch.cpp).
void setCoreBuilders(LayerSlotWriter& rows);
void setConvolutionBuilders(LayerSlotWriter& rows);
void setActivationBuilders(LayerSlotWriter& rows);
void setPoolingBuilders(LayerSlotWriter& rows);
void setNormalizationBuilders(LayerSlotWriter& rows);
void setRecurrentBuilders(LayerSlotWriter& rows);
void setAttentionBuilders(LayerSlotWriter& rows);
void setMergeBuilders(LayerSlotWriter& rows);

class LayerOp {
 public:
  virtual ~LayerOp() = default;
  virtual torch::Tensor forward(const std::vector<torch::Tensor>& inputs) = 0;
  // The module holding the layer's parameters and buffers; null for stateless layers.
  virtual std::shared_ptr<torch::nn::Module> module() { return nullptr; }
};

// A LayerOp over a one-input torch module holder (torch::nn::Linear, …).
template <typename Holder>
class ModuleOp final : public LayerOp {
 public:
  explicit ModuleOp(Holder holder) : m_holder(std::move(holder)) {}
  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override {
    return m_holder->forward(inputs.front());
  }
  std::shared_ptr<torch::nn::Module> module() override { return m_holder.ptr(); }

 private:
  Holder m_holder;
};

// A LayerOp over a stateless one-input function.
template <typename Fn>
class FunctionOp final : public LayerOp {
 public:
  explicit FunctionOp(Fn fn) : m_fn(std::move(fn)) {}
  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override {
    return m_fn(inputs.front());
  }

 private:
  Fn m_fn;
};

// A LayerOp over a torch module holder whose forward does not fit one tensor in, one tensor out
// (LSTM returns a tuple, attention wants time first): `fn(holder, input)` adapts it.
template <typename Holder, typename Fn>
class AdaptedModuleOp final : public LayerOp {
 public:
  AdaptedModuleOp(Holder holder, Fn fn) : m_holder(std::move(holder)), m_fn(std::move(fn)) {}
  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override {
    return m_fn(m_holder, inputs.front());
  }
  std::shared_ptr<torch::nn::Module> module() override { return m_holder.ptr(); }

 private:
  Holder m_holder;
  Fn m_fn;
};

// A LayerOp over a stateless function of every input (Add, Concat).
template <typename Fn>
class MultiInputOp final : public LayerOp {
 public:
  explicit MultiInputOp(Fn fn) : m_fn(std::move(fn)) {}
  torch::Tensor forward(const std::vector<torch::Tensor>& inputs) override { return m_fn(inputs); }

 private:
  Fn m_fn;
};

template <typename Holder>
std::shared_ptr<LayerOp> makeModuleOp(Holder holder) {
  return std::make_shared<ModuleOp<Holder>>(std::move(holder));
}

template <typename Fn>
std::shared_ptr<LayerOp> makeFunctionOp(Fn fn) {
  return std::make_shared<FunctionOp<Fn>>(std::move(fn));
}

template <typename Holder, typename Fn>
std::shared_ptr<LayerOp> makeAdaptedModuleOp(Holder holder, Fn fn) {
  return std::make_shared<AdaptedModuleOp<Holder, Fn>>(std::move(holder), std::move(fn));
}

template <typename Fn>
std::shared_ptr<LayerOp> makeMultiInputOp(Fn fn) {
  return std::make_shared<MultiInputOp<Fn>>(std::move(fn));
}

}  // namespace layerlab::engine
