#include "engine/model/model_analysis.h"

#include <map>
#include <set>

namespace layerlab::engine {
namespace {

// Orders the nodes so that every node comes after its inputs (Kahn's algorithm, keeping document
// order among ready nodes). Nodes on a cycle are left out and reported.
std::vector<size_t> topologicalOrder(const ModelSpec& spec, std::vector<ModelProblem>& problems) {
  std::map<std::string, size_t> indexOf;
  for (size_t i = 0; i < spec.nodes.size(); ++i)
    indexOf[spec.nodes[i].id] = i;
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
      problems.push_back({spec.nodes[i].id, "is part of a cycle: a layer cannot feed itself"});
    }
  }
  return order;
}

// Marks the nodes that some output depends on; the others are reported as unused.
void reportUnused(const ModelSpec& spec, std::vector<ModelProblem>& problems) {
  std::set<std::string> used;
  std::vector<std::string> stack(spec.outputs.begin(), spec.outputs.end());
  while (!stack.empty()) {
    const std::string id = stack.back();
    stack.pop_back();
    if (!used.insert(id).second) continue;
    if (const NodeSpec* node = spec.findNode(id)) {
      stack.insert(stack.end(), node->inputs.begin(), node->inputs.end());
    }
  }
  for (const NodeSpec& node : spec.nodes) {
    if (!used.contains(node.id)) {
      problems.push_back({node.id, "does not lead to any output; connect it or remove it"});
    }
  }
}

class Analyzer {
 public:
  Analyzer(const ModelSpec& spec, const LayerRegistry& registry, ModelAnalysis& result)
      : m_spec(spec), m_registry(registry), m_result(result) {}

  void run() {
    std::vector<size_t> order = topologicalOrder(m_spec, m_result.problems);
    for (size_t specIndex : order)
      analyzeNode(m_spec.nodes[specIndex]);
    for (const std::string& output : m_spec.outputs) {
      auto it = m_indexOf.find(output);
      if (it != m_indexOf.end()) {
        m_result.outputIndices.push_back(it->second);
      } else if (m_spec.findNode(output) == nullptr) {
        m_result.problems.push_back({"", "the output '" + output + "' is not a node of the model"});
      }
    }
    reportUnused(m_spec, m_result.problems);
  }

 private:
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
    std::vector<Shape> inputShapes;
    const bool inputsKnown = resolveInputs(node, type, out, inputShapes);
    if (type != nullptr && out.params && inputsKnown) inferNode(node, *type, out, inputShapes);
    m_indexOf[node.id] = m_result.nodes.size();
    m_result.nodes.push_back(std::move(out));
  }

  // Fills the input indices and shapes; false when some input shape is unknown.
  bool resolveInputs(const NodeSpec& node, const LayerType* type, NodeAnalysis& out,
                     std::vector<Shape>& shapes) {
    bool known = true;
    for (const std::string& input : node.inputs) {
      if (input == kInputName) {
        out.inputIndices.push_back(ModelAnalysis::kInputIndex);
        shapes.push_back(m_spec.inputShape);
        continue;
      }
      auto it = m_indexOf.find(input);
      if (it == m_indexOf.end()) {
        if (m_spec.findNode(input) == nullptr) {
          fail(node, "its input '" + input + "' is neither \"input\" nor a node of the model");
        }
        known = false;
        continue;
      }
      out.inputIndices.push_back(it->second);
      const NodeAnalysis& source = m_result.nodes[it->second];
      if (source.outputShape)
        shapes.push_back(*source.outputShape);
      else
        known = false;
    }
    const int count = static_cast<int>(node.inputs.size());
    if (type != nullptr && (count < type->minInputs || count > type->maxInputs)) {
      fail(node, type->name + " takes " + inputCountText(*type) + ", not " + std::to_string(count));
      known = false;
    }
    return known;
  }

  static std::string inputCountText(const LayerType& type) {
    if (type.minInputs == type.maxInputs) {
      return type.minInputs == 1 ? "one input" : std::to_string(type.minInputs) + " inputs";
    }
    return "from " + std::to_string(type.minInputs) + " to " + std::to_string(type.maxInputs) +
           " inputs";
  }

  void inferNode(const NodeSpec& node, const LayerType& type, NodeAnalysis& out,
                 const std::vector<Shape>& inputShapes) {
    const LayerContext ctx{*out.params, inputShapes};
    ShapeResult shape = type.inferShape(ctx);
    if (const std::string* error = std::get_if<std::string>(&shape)) {
      fail(node, *error);
      return;
    }
    out.outputShape = std::get<Shape>(shape);
    out.paramCount = type.countParams(ctx, *out.outputShape);
    out.macs = type.countMacs(ctx, *out.outputShape);
    m_result.totalParams += out.paramCount;
    m_result.totalMacs += out.macs;
  }

  void fail(const NodeSpec& node, const std::string& message) {
    m_result.problems.push_back({node.id, message});
  }

  const ModelSpec& m_spec;
  const LayerRegistry& m_registry;
  ModelAnalysis& m_result;
  std::map<std::string, size_t> m_indexOf;  // node id -> index in m_result.nodes
};

}  // namespace

const NodeAnalysis* ModelAnalysis::find(const std::string& id) const {
  for (const NodeAnalysis& node : nodes) {
    if (node.id == id) return &node;
  }
  return nullptr;
}

ModelAnalysis analyzeModel(const ModelSpec& spec, const LayerRegistry& registry) {
  ModelAnalysis result;
  Analyzer(spec, registry, result).run();
  return result;
}

}  // namespace layerlab::engine
