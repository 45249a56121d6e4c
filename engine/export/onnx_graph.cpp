#include "engine/export/onnx_graph.h"

#include <onnx/checker.h>
#include <onnx/defs/schema.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>

#include <bit>
#include <cstring>
#include <set>

namespace layerlab::engine {
namespace {

// raw_data is little-endian whatever the host is.
template <typename T>
std::string littleEndianBytes(const T* data, size_t count) {
  std::string bytes(count * sizeof(T), '\0');
  std::memcpy(bytes.data(), data, bytes.size());
  if constexpr (std::endian::native == std::endian::big) {
    for (size_t i = 0; i < count; ++i) {
      char* value = bytes.data() + i * sizeof(T);
      for (size_t a = 0, b = sizeof(T) - 1; a < b; ++a, --b)
        std::swap(value[a], value[b]);
    }
  }
  return bytes;
}

int64_t elementsOf(const std::vector<int64_t>& dims) {
  int64_t count = 1;
  for (int64_t dim : dims) {
    if (dim < 0) throw OnnxExportError("an initializer has a negative dimension");
    count *= dim;
  }
  return count;
}

int32_t protoType(OnnxType type) {
  return type == OnnxType::Int64 ? onnx::TensorProto::INT64 : onnx::TensorProto::FLOAT;
}

void fillValueInfo(onnx::ValueInfoProto& proto, const OnnxValueInfo& info) {
  proto.set_name(info.name);
  onnx::TypeProto_Tensor* tensor = proto.mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(protoType(info.type));
  onnx::TensorShapeProto* shape = tensor->mutable_shape();
  for (const OnnxDim& dim : info.dims) {
    onnx::TensorShapeProto_Dimension* out = shape->add_dim();
    if (const int64_t* size = std::get_if<int64_t>(&dim))
      out->set_dim_value(*size);
    else if (!std::get<std::string>(dim).empty())
      out->set_dim_param(std::get<std::string>(dim));
  }
}

OnnxValueInfo readValueInfo(const onnx::ValueInfoProto& proto) {
  OnnxValueInfo info;
  info.name = proto.name();
  const onnx::TypeProto_Tensor& tensor = proto.type().tensor_type();
  info.type = tensor.elem_type() == onnx::TensorProto::INT64 ? OnnxType::Int64 : OnnxType::Float32;
  for (const auto& dim : tensor.shape().dim()) {
    if (dim.has_dim_value())
      info.dims.emplace_back(dim.dim_value());
    else
      info.dims.emplace_back(dim.has_dim_param() ? dim.dim_param() : std::string());
  }
  return info;
}

void setAttribute(onnx::AttributeProto& proto, const OnnxAttribute& attribute) {
  proto.set_name(attribute.name);
  if (const int64_t* i = std::get_if<int64_t>(&attribute.value)) {
    proto.set_type(onnx::AttributeProto::INT);
    proto.set_i(*i);
  } else if (const float* f = std::get_if<float>(&attribute.value)) {
    proto.set_type(onnx::AttributeProto::FLOAT);
    proto.set_f(*f);
  } else if (const auto* ints = std::get_if<std::vector<int64_t>>(&attribute.value)) {
    proto.set_type(onnx::AttributeProto::INTS);
    for (int64_t value : *ints)
      proto.add_ints(value);
  } else {
    proto.set_type(onnx::AttributeProto::STRING);
    proto.set_s(std::get<std::string>(attribute.value));
  }
}

}  // namespace

struct OnnxGraph::Impl {
  onnx::ModelProto model;
  std::set<std::string> names;
  int64_t constants = 0;
};

OnnxGraph::OnnxGraph() : m_impl(std::make_unique<Impl>()) {
  onnx::ModelProto& model = m_impl->model;
  model.set_ir_version(kOnnxIrVersion);
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxOpset);
  model.mutable_graph()->set_name("model");  // the checker wants one
}

OnnxGraph::~OnnxGraph() = default;

std::string OnnxGraph::uniqueName(const std::string& base) {
  const std::string stem = base.empty() ? "value" : base;
  std::string name = stem;
  for (int i = 1; m_impl->names.contains(name); ++i)
    name = stem + "_" + std::to_string(i);
  m_impl->names.insert(name);
  return name;
}

void OnnxGraph::addInput(const OnnxValueInfo& input) {
  fillValueInfo(*m_impl->model.mutable_graph()->add_input(), input);
}

void OnnxGraph::addOutput(const OnnxValueInfo& output) {
  fillValueInfo(*m_impl->model.mutable_graph()->add_output(), output);
}

std::string OnnxGraph::addFloatInitializer(const std::string& name,
                                           const std::vector<int64_t>& dims, const float* data) {
  onnx::TensorProto* tensor = m_impl->model.mutable_graph()->add_initializer();
  tensor->set_name(name);
  tensor->set_data_type(onnx::TensorProto::FLOAT);
  for (int64_t dim : dims)
    tensor->add_dims(dim);
  const int64_t count = elementsOf(dims);
  tensor->set_raw_data(littleEndianBytes(data, static_cast<size_t>(count)));
  if (tensor->raw_data().size() != static_cast<size_t>(count) * sizeof(float))
    throw OnnxExportError("initializer " + name + " has the wrong number of bytes");
  return name;
}

std::string OnnxGraph::addInt64Initializer(const std::string& name,
                                           const std::vector<int64_t>& dims,
                                           const std::vector<int64_t>& data) {
  if (static_cast<int64_t>(data.size()) != elementsOf(dims))
    throw OnnxExportError("initializer " + name + " has the wrong number of values");
  onnx::TensorProto* tensor = m_impl->model.mutable_graph()->add_initializer();
  tensor->set_name(name);
  tensor->set_data_type(onnx::TensorProto::INT64);
  for (int64_t dim : dims)
    tensor->add_dims(dim);
  tensor->set_raw_data(littleEndianBytes(data.data(), data.size()));
  return name;
}

std::string OnnxGraph::addScalar(float value) {
  return addFloatInitializer(uniqueName("const_" + std::to_string(m_impl->constants++)), {},
                             &value);
}

std::string OnnxGraph::addInts(const std::vector<int64_t>& values) {
  return addInt64Initializer(uniqueName("const_" + std::to_string(m_impl->constants++)),
                             {static_cast<int64_t>(values.size())}, values);
}

std::string OnnxGraph::addNode(const std::string& op, const std::vector<std::string>& inputs,
                               const std::vector<std::string>& outputs,
                               const std::vector<OnnxAttribute>& attributes) {
  onnx::NodeProto* node = m_impl->model.mutable_graph()->add_node();
  node->set_op_type(op);
  node->set_name(uniqueName(op + "_node"));
  for (const std::string& input : inputs)
    node->add_input(input);
  for (const std::string& output : outputs)
    node->add_output(output);
  for (const OnnxAttribute& attribute : attributes)
    setAttribute(*node->add_attribute(), attribute);
  return outputs.empty() ? std::string() : outputs.front();
}

std::string OnnxGraph::apply(const std::string& op, const std::vector<std::string>& inputs,
                             const std::vector<OnnxAttribute>& attributes) {
  return addNode(op, inputs, {uniqueName(op)}, attributes);
}

void OnnxGraph::setGraphName(const std::string& name) {
  m_impl->model.mutable_graph()->set_name(name);
}

void OnnxGraph::setProducer(const std::string& name, const std::string& version) {
  m_impl->model.set_producer_name(name);
  m_impl->model.set_producer_version(version);
}

void OnnxGraph::setDocString(const std::string& text) {
  m_impl->model.set_doc_string(text);
}

void OnnxGraph::addMetadata(const std::string& key, const std::string& value) {
  onnx::StringStringEntryProto* entry = m_impl->model.add_metadata_props();
  entry->set_key(key);
  entry->set_value(value);
}

void OnnxGraph::validate() const {
  try {
    onnx::checker::check_model(m_impl->model);
  } catch (const std::exception& error) {
    throw OnnxExportError(std::string("the ONNX checker refused the graph: ") + error.what());
  }
  // The checker runs no shape inference: a Gemm fed a 3-D tensor passes it. Strict inference
  // (node errors thrown, types checked) on a copy catches those before onnxruntime would.
  onnx::ModelProto copy = m_impl->model;
  try {
    const onnx::ShapeInferenceOptions strict(true, 1, false);
    onnx::shape_inference::InferShapes(copy, onnx::OpSchemaRegistry::Instance(), strict);
  } catch (const std::exception& error) {
    throw OnnxExportError(std::string("ONNX shape inference refused the graph: ") + error.what());
  }
}

std::string OnnxGraph::serialize() const {
  std::string bytes;
  if (!m_impl->model.SerializeToString(&bytes))
    throw OnnxExportError("the model could not be serialised (over 2 GB?)");
  return bytes;
}

int64_t OnnxGraph::nodeCount() const {
  return m_impl->model.graph().node_size();
}

int64_t OnnxGraph::initializerCount() const {
  return m_impl->model.graph().initializer_size();
}

OnnxFileInfo readOnnxInfo(const std::string& bytes) {
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) throw OnnxExportError("not an ONNX model");
  OnnxFileInfo info;
  info.irVersion = model.ir_version();
  for (const auto& opset : model.opset_import()) {
    if (opset.domain().empty() || opset.domain() == "ai.onnx") info.opset = opset.version();
  }
  info.producerName = model.producer_name();
  info.producerVersion = model.producer_version();
  info.graphName = model.graph().name();
  for (const auto& input : model.graph().input())
    info.inputs.push_back(readValueInfo(input));
  for (const auto& output : model.graph().output())
    info.outputs.push_back(readValueInfo(output));
  for (const auto& entry : model.metadata_props())
    info.metadata.emplace_back(entry.key(), entry.value());
  info.nodeCount = model.graph().node_size();
  for (const auto& node : model.graph().node())
    info.opTypes.push_back(node.op_type());
  return info;
}

std::string formatOnnxDims(const std::vector<OnnxDim>& dims) {
  std::string text = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) text += ", ";
    if (const int64_t* size = std::get_if<int64_t>(&dims[i]))
      text += std::to_string(*size);
    else
      text += std::get<std::string>(dims[i]).empty() ? "?" : std::get<std::string>(dims[i]);
  }
  return text + "]";
}

}  // namespace layerlab::engine
