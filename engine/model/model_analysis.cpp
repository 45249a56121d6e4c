#include "engine/model/model_analysis.h"

#include <set>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "engine/model/model_summary.h"

namespace layerlab::engine {
namespace {

// Node id -> index in spec.nodes. Every lookup by id goes through it: a search of the node list
// per lookup made the analysis quadratic in the number of nodes.
using NodeIndex = std::unordered_map<std::string, size_t>;

NodeIndex indexNodes(const ModelSpec& spec) {
  NodeIndex indexOf;
  indexOf.reserve(spec.nodes.size());
  for (size_t i = 0; i < spec.nodes.size(); ++i)
    indexOf.emplace(spec.nodes[i].id, i);  // duplicate ids are refused by parseModelSpec
  return indexOf;
}

// Orders the nodes so that every node comes after its inputs (Kahn's algorithm, keeping document
// order among ready nodes). Nodes on a cycle are left out and reported.
std::vector<size_t> topologicalOrder(const ModelSpec& spec, const NodeIndex& indexOf,
                                     ProblemList& problems) {
  std::vector<int> pending(spec.nodes.size(), 0);
  std::vector<std::vector<size_t>> consumers(spec.nodes.size());
  for (size_t i = 0; i < spec.nodes.size(); ++i) {
    for (const std::string& input : spec.nodes[i].inputs) {
      auto it = indexOf.find(input);
      if (it == indexOf.end()) continue;  // reported as an unknown input
      ++pending[i];
      consumers[it->second].push_back(i);
    }
  }
  std::vector<size_t> order;
  std::set<size_t> ready;
  for (size_t i = 0; i < pending.size(); ++i) {
    if (pending[i] == 0) ready.insert(i);
  }
  while (!ready.empty()) {
    const size_t next = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(next);
    for (size_t consumer : consumers[next]) {
      if (--pending[consumer] == 0) ready.insert(consumer);
    }
  }
  for (size_t i = 0; i < pending.size(); ++i) {
    if (pending[i] > 0) {
      problems.add(spec.nodes[i].id, "is part of a cycle: a layer cannot feed itself");
    }
  }
  return order;
}

// Marks the nodes that some output depends on; the others are reported as unused.
void reportUnused(const ModelSpec& spec, const NodeIndex& indexOf, ProblemList& problems) {
  std::vector<bool> used(spec.nodes.size(), false);
  std::vector<const std::string*> stack;
  for (const std::string& output : spec.outputs)
    stack.push_back(&output);
  while (!stack.empty()) {
    const std::string* id = stack.back();
    stack.pop_back();
    const auto it = indexOf.find(*id);
    if (it == indexOf.end() || used[it->second]) continue;
    used[it->second] = true;
    for (const std::string& input : spec.nodes[it->second].inputs)
      stack.push_back(&input);
  }
  std::unordered_set<std::string_view> usedIds;  // a duplicate id counts as used with its twin
  for (size_t i = 0; i < spec.nodes.size(); ++i) {
    if (used[i]) usedIds.insert(spec.nodes[i].id);
  }
  for (const NodeSpec& node : spec.nodes) {
    if (!usedIds.contains(node.id)) {
      problems.add(node.id, "does not lead to any output; connect it or remove it");
    }
  }
}

// "4,294,967,296 values per sample, more than the limit of 2,147,483,648"
std::string overLimit(int64_t value, const std::string& what, int64_t limit) {
  const std::string count =
      value == kSaturated ? "more than " + formatThousands(kSaturated) : formatThousands(value);
  return count + " " + what + ", more than the limit of " + formatThousands(limit);
}

// What the inputs of one node are, in the order the node lists them.
struct NodeInputs {
  std::vector<Shape> shapes;
  std::vector<std::string> names;
  std::vector<std::string> dtypes;
  bool known = true;  // false when some input's shape is unknown
};

class Analyzer {
 public:
  Analyzer(const ModelSpec& spec, const LayerRegistry& registry, ModelAnalysis& result)
      : m_spec(spec),
        m_registry(registry),
        m_result(result),
        m_problems(result.problems),
        m_specIndex(indexNodes(spec)) {}

  void run() {
    m_result.inputShape = m_spec.inputShape;
    m_result.inputDtype = m_spec.inputDtype;
    checkInputLimit();
    if (m_spec.nodes.size() > kMaxModelNodes) {
      // parseModelSpec refuses such documents; a spec built in code is held to the same limit.
      m_problems.add("", "the model has " + formatThousands(int64_t(m_spec.nodes.size())) +
                             " nodes, more than the limit of " +
                             formatThousands(int64_t(kMaxModelNodes)));
      return;
    }
    std::vector<size_t> order = topologicalOrder(m_spec, m_specIndex, m_problems);
    m_result.nodes.reserve(order.size());
    for (size_t specIndex : order)
      analyzeNode(m_spec.nodes[specIndex]);
    resolveOutputs();
    reportUnused(m_spec, m_specIndex, m_problems);
    if (m_result.totalParams > kMaxModelParams && !m_nodeOverLimit) {
      m_problems.add("",
                     "the model has " +
                         overLimit(m_result.totalParams, "trainable parameters", kMaxModelParams) +
                         "; make some layers smaller");
    }
    m_problems.close();
  }

 private:
  void checkInputLimit() {
    const int64_t elements = elementCount(m_spec.inputShape);
    if (elements <= kMaxElementsPerSample) return;
    m_inputKnown = false;
    m_problems.add("", "the input " + formatShape(m_spec.inputShape) + " would hold " +
                           overLimit(elements, "values per sample", kMaxElementsPerSample));
  }

  void resolveOutputs() {
    for (const std::string& output : m_spec.outputs) {
      auto it = m_indexOf.find(output);
      if (it != m_indexOf.end()) {
        m_result.outputIndices.push_back(it->second);
        const NodeAnalysis& node = m_result.nodes[it->second];
        if (node.outputShape && node.outputDtype != kFloat32) {
          m_problems.add(output, "is an output but gives " + node.outputDtype +
                                     " values; a model's output must be float32");
        }
      } else if (!m_specIndex.contains(output)) {
        m_problems.add("", "the output '" + output + "' is not a node of the model");
      }
    }
  }

  void analyzeNode(const NodeSpec& node) {
    NodeAnalysis out{.id = node.id, .type = node.type};
    const LayerType* type = m_registry.find(node.type);
    if (type == nullptr) {
      fail(node, "unknown layer type '" + node.type + "'");
    } else {
      std::vector<std::string> messages;
      out.params = m_registry.resolveParams(*type, node.params, messages);
      for (const std::string& message : messages)
        fail(node, message);
    }
    NodeInputs inputs = resolveInputs(node, type, out);
    if (type != nullptr) out.outputDtype = checkDtypes(node, *type, inputs);
    if (type != nullptr && out.params && inputs.known) inferNode(node, *type, out, inputs);
    m_indexOf[node.id] = m_result.nodes.size();
    m_result.nodes.push_back(std::move(out));
  }

  NodeInputs resolveInputs(const NodeSpec& node, const LayerType* type, NodeAnalysis& out) {
    NodeInputs inputs;
    for (const std::string& input : node.inputs) {
      if (input == kInputName) {
        out.inputIndices.push_back(ModelAnalysis::kInputIndex);
        addInput(inputs, input, m_inputKnown ? &m_spec.inputShape : nullptr, m_spec.inputDtype);
        continue;
      }
      auto it = m_indexOf.find(input);
      if (it == m_indexOf.end()) {
        if (!m_specIndex.contains(input)) {
          fail(node, "its input '" + input + "' is neither \"input\" nor a node of the model");
        }
        inputs.known = false;
        continue;
      }
      out.inputIndices.push_back(it->second);
      const NodeAnalysis& source = m_result.nodes[it->second];
      addInput(inputs, input, source.outputShape ? &*source.outputShape : nullptr,
               source.outputDtype);
    }
    const int count = static_cast<int>(node.inputs.size());
    if (type != nullptr && (count < type->minInputs || count > type->maxInputs)) {
      fail(node, type->name + " takes " + inputCountText(*type) + ", not " + std::to_string(count));
      inputs.known = false;
    }
    return inputs;
  }

  static void addInput(NodeInputs& inputs, const std::string& name, const Shape* shape,
                       const std::string& dtype) {
    if (shape == nullptr) {
      inputs.known = false;
      return;
    }
    inputs.shapes.push_back(*shape);
    inputs.names.push_back(name);
    inputs.dtypes.push_back(dtype);
  }

  static std::string inputCountText(const LayerType& type) {
    if (type.minInputs == type.maxInputs) {
      return type.minInputs == 1 ? "one input" : std::to_string(type.minInputs) + " inputs";
    }
    return "from " + std::to_string(type.minInputs) + " to " + std::to_string(type.maxInputs) +
           " inputs";
  }

  // Reports inputs of the wrong element type; returns the node's output dtype.
  std::string checkDtypes(const NodeSpec& node, const LayerType& type, const NodeInputs& inputs) {
    for (size_t i = 0; i < inputs.dtypes.size(); ++i) {
      const std::string& dtype = inputs.dtypes[i];
      const std::string from = "its input '" + inputs.names[i] + "' gives " + dtype;
      if (type.inputDtype == InputDtype::Float32 && dtype != kFloat32) {
        fail(node, type.name + " reads float32 values, but " + from +
                       " token ids; put an Embedding first");
        return kFloat32;
      }
      if (type.inputDtype == InputDtype::Int64 && dtype != kInt64) {
        fail(node, type.name + " reads int64 token ids, but " + from +
                       " values; give the model input the dtype \"int64\"");
        return kFloat32;
      }
      if (type.inputDtype == InputDtype::Same && dtype != inputs.dtypes.front()) {
        fail(node, "its inputs mix " + inputs.dtypes.front() + " and " + dtype + " values");
        return inputs.dtypes.front();
      }
    }
    if (type.inputDtype == InputDtype::Same && !inputs.dtypes.empty()) return inputs.dtypes[0];
    return kFloat32;
  }

  void inferNode(const NodeSpec& node, const LayerType& type, NodeAnalysis& out,
                 const NodeInputs& inputs) {
    const LayerContext ctx{*out.params, inputs.shapes, inputs.names};
    ShapeResult shape = type.inferShape(ctx);
    if (const std::string* error = std::get_if<std::string>(&shape)) {
      fail(node, *error);
      return;
    }
    const Shape& outputShape = std::get<Shape>(shape);
    const int64_t elements = elementCount(outputShape);
    if (elements > kMaxElementsPerSample) {
      fail(node, "its output " + formatShape(outputShape) + " would hold " +
                     overLimit(elements, "values per sample", kMaxElementsPerSample));
      return;
    }
    out.outputShape = outputShape;
    out.paramCount = type.countParams(ctx, outputShape);
    if (type.countNonTrainable) out.nonTrainableCount = type.countNonTrainable(ctx, outputShape);
    out.macs = type.countMacs(ctx, outputShape);
    if (out.paramCount > kMaxModelParams) {
      m_nodeOverLimit = true;
      fail(node, "has " + overLimit(out.paramCount, "trainable parameters", kMaxModelParams) +
                     "; make it smaller");
    }
    m_result.totalParams = saturatingAdd(m_result.totalParams, out.paramCount);
    m_result.totalNonTrainable = saturatingAdd(m_result.totalNonTrainable, out.nonTrainableCount);
    m_result.totalMacs = saturatingAdd(m_result.totalMacs, out.macs);
  }

  void fail(const NodeSpec& node, const std::string& message) { m_problems.add(node.id, message); }

  const ModelSpec& m_spec;
  const LayerRegistry& m_registry;
  ModelAnalysis& m_result;
  ProblemList m_problems;
  NodeIndex m_specIndex;                              // node id -> index in m_spec.nodes
  std::unordered_map<std::string, size_t> m_indexOf;  // node id -> index in m_result.nodes
  bool m_inputKnown = true;      // false when the input itself is beyond the limits
  bool m_nodeOverLimit = false;  // a node's own count was already reported
};

}  // namespace

const NodeAnalysis* ModelAnalysis::find(const std::string& id) const {
  if (indexById.size() == nodes.size()) {
    const auto it = indexById.find(id);
    return it == indexById.end() ? nullptr : &nodes[it->second];
  }
  for (const NodeAnalysis& node : nodes) {  // an analysis put together by hand
    if (node.id == id) return &node;
  }
  return nullptr;
}

ModelAnalysis analyzeModel(const ModelSpec& spec, const LayerRegistry& registry) {
  ModelAnalysis result;
  Analyzer(spec, registry, result).run();
  result.indexById.reserve(result.nodes.size());
  for (size_t i = 0; i < result.nodes.size(); ++i)
    result.indexById.emplace(result.nodes[i].id, i);
  return result;
}

int64_t dtypeSize(const std::string& dtype) {
  return dtype == kInt64 ? 8 : 4;
}

int optimizerStateCount(const std::string& optimizer, double momentum) {
  const int withMomentum = momentum > 0 ? 1 : 0;
  if (optimizer == "adam" || optimizer == "adamw") return 2;
  if (optimizer == "rmsprop") return 1 + withMomentum;
  if (optimizer == "sgd") return withMomentum;
  throw std::invalid_argument("unknown optimizer '" + optimizer +
                              "' (adam, adamw, rmsprop or sgd)");
}

MemoryEstimate estimateTrainingMemory(const ModelAnalysis& analysis, int64_t batchSize,
                                      const std::string& optimizer, double momentum) {
  if (batchSize < 1) throw std::invalid_argument("the batch size must be at least 1");
  MemoryEstimate estimate{.batchSize = batchSize,
                          .optimizer = optimizer,
                          .optimizerStates = optimizerStateCount(optimizer, momentum)};
  const int64_t valueSize = dtypeSize(kFloat32);
  const int64_t trainable = saturatingMul(analysis.totalParams, valueSize);
  estimate.weightBytes =
      saturatingAdd(trainable, saturatingMul(analysis.totalNonTrainable, valueSize));
  estimate.gradientBytes = trainable;
  estimate.optimizerBytes = saturatingMul(trainable, estimate.optimizerStates);
  int64_t activations =
      saturatingMul(elementCount(analysis.inputShape), dtypeSize(analysis.inputDtype));
  for (const NodeAnalysis& node : analysis.nodes) {
    if (!node.outputShape) continue;
    activations = saturatingAdd(
        activations, saturatingMul(elementCount(*node.outputShape), dtypeSize(node.outputDtype)));
  }
  estimate.activationBytes = saturatingMul(activations, batchSize);
  for (int64_t part : {estimate.weightBytes, estimate.gradientBytes, estimate.optimizerBytes,
                       estimate.activationBytes})
    estimate.totalBytes = saturatingAdd(estimate.totalBytes, part);
  return estimate;
}

}  // namespace layerlab::engine
