// Helpers shared by the layer emitters (onnx_layers.cpp, onnx_sequence_layers.cpp).
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "engine/export/onnx_layers.h"

namespace layerlab::engine::onnx_emit {

// A parameter or buffer of `module` by its path ("weight", "self_attn.in_proj_weight"); an
// undefined tensor when the module has none of that name.
torch::Tensor findTensor(torch::nn::Module& module, const std::string& path);
// As findTensor, but a missing tensor is an OnnxExportError naming the layer.
torch::Tensor requireTensor(const OnnxEmitContext& ctx, const std::string& path);

// Adds `tensor` (any float type, any device, any layout) as a float32 initializer named
// `<node>.<path>` (made unique) and returns the name.
std::string addTensor(const OnnxEmitContext& ctx, const std::string& path,
                      const torch::Tensor& tensor);
// requireTensor + addTensor.
std::string addParameter(const OnnxEmitContext& ctx, const std::string& path);

// A node writing the layer's result (ctx.output).
void finish(OnnxEmitContext& ctx, const std::string& op, const std::vector<std::string>& inputs,
            const std::vector<OnnxAttribute>& attributes = {});

// y = x·Wᵀ + b for the torch Linear at `prefix` ("", "linear1.", "self_attn.out_proj.") on an
// input of `rank` dimensions with the batch: Gemm for rank 2, MatMul + Add otherwise. Writes to
// `output` when given, else to a fresh name; returns the name.
std::string linear(OnnxEmitContext& ctx, const std::string& x, const std::string& prefix,
                   int64_t rank, const std::string& output = {});

// Reshape with a constant target ("0" copies a dimension, "-1" infers one).
std::string reshape(OnnxGraph& graph, const std::string& x, const std::vector<int64_t>& target,
                    const std::string& output = {});
std::string transpose(OnnxGraph& graph, const std::string& x, const std::vector<int64_t>& perm);

// GELU as Erf (exact) — ONNX has no Gelu op before opset 20.
std::string gelu(OnnxGraph& graph, const std::string& x, const std::string& output = {});

// Emitters of the sequence layers (onnx_sequence_layers.cpp).
void emitLstm(OnnxEmitContext& ctx);
void emitGru(OnnxEmitContext& ctx);
void emitMultiheadAttention(OnnxEmitContext& ctx);
void emitTransformerEncoderLayer(OnnxEmitContext& ctx);

}  // namespace layerlab::engine::onnx_emit
