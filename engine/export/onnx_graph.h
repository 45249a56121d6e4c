// A small writer of ONNX graphs (IR 8, opset 17) over onnx.proto, with no torch and no onnx
// header in sight: the layer emitters (onnx_layers.cpp) describe nodes and initializers through
// it, and only onnx_graph.cpp sees the protobuf types.
//
// Names: every value, initializer and graph input or output shares one namespace, as ONNX
// requires; uniqueName() hands out fresh ones. Nodes must be added in topological order (an
// emitter adds a node only after the nodes making its inputs).
//
// Threads: an OnnxGraph is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace layerlab::engine {

inline constexpr int64_t kOnnxIrVersion = 8;
inline constexpr int64_t kOnnxOpset = 17;

// Thrown when a model cannot be exported: a layer ONNX cannot express, or a graph that the ONNX
// checker or strict shape inference refuses. The message says which and why.
class OnnxExportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One dimension of a graph input or output: a size, a symbolic name ("N", "T") or unknown ("").
using OnnxDim = std::variant<int64_t, std::string>;

enum class OnnxType { Float32, Int64 };

struct OnnxValueInfo {
  std::string name;
  OnnxType type = OnnxType::Float32;
  std::vector<OnnxDim> dims;
};

// A node attribute: an int, a float, a list of ints or a string.
struct OnnxAttribute {
  std::string name;
  std::variant<int64_t, float, std::vector<int64_t>, std::string> value;
};

class OnnxGraph {
 public:
  OnnxGraph();
  ~OnnxGraph();
  OnnxGraph(const OnnxGraph&) = delete;
  OnnxGraph& operator=(const OnnxGraph&) = delete;

  // `base` when unused so far, else `base_1`, `base_2`, …; the name is taken from then on.
  std::string uniqueName(const std::string& base);

  void addInput(const OnnxValueInfo& input);
  void addOutput(const OnnxValueInfo& output);

  // float32 data, raw little-endian; `dims` may be empty for a scalar. Returns `name`.
  std::string addFloatInitializer(const std::string& name, const std::vector<int64_t>& dims,
                                  const float* data);
  std::string addInt64Initializer(const std::string& name, const std::vector<int64_t>& dims,
                                  const std::vector<int64_t>& data);
  // A fresh scalar constant named after `base` ("const" when empty).
  std::string addScalar(float value);
  // A fresh 1-D int64 constant (shapes, axes).
  std::string addInts(const std::vector<int64_t>& values);

  // Adds a node; returns its first output. An empty input name is an omitted optional input.
  std::string addNode(const std::string& op, const std::vector<std::string>& inputs,
                      const std::vector<std::string>& outputs,
                      const std::vector<OnnxAttribute>& attributes = {});
  // A node with one fresh output named after `op`; returns that name.
  std::string apply(const std::string& op, const std::vector<std::string>& inputs,
                    const std::vector<OnnxAttribute>& attributes = {});

  void setGraphName(const std::string& name);
  void setProducer(const std::string& name, const std::string& version);
  void setDocString(const std::string& text);
  void addMetadata(const std::string& key, const std::string& value);

  // Runs the ONNX checker and strict shape inference (type checks, node errors thrown). Throws
  // OnnxExportError with the checker's message.
  void validate() const;

  // The serialised model.
  std::string serialize() const;

  int64_t nodeCount() const;
  int64_t initializerCount() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// What an exported file says about itself, read back from the bytes (tests, the CLI summary).
struct OnnxFileInfo {
  int64_t irVersion = 0;
  int64_t opset = 0;
  std::string producerName;
  std::string producerVersion;
  std::string graphName;
  std::vector<OnnxValueInfo> inputs;
  std::vector<OnnxValueInfo> outputs;
  std::vector<std::pair<std::string, std::string>> metadata;
  int64_t nodeCount = 0;
  std::vector<std::string> opTypes;  // of every node, in order
};

// Throws OnnxExportError when `bytes` is not an ONNX model.
OnnxFileInfo readOnnxInfo(const std::string& bytes);

// "[N, 1, 28, 28]"; an unknown dimension shows as "?".
std::string formatOnnxDims(const std::vector<OnnxDim>& dims);

}  // namespace layerlab::engine
