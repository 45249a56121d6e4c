#include "engine/model/model_spec.h"

#include <set>
#include <stdexcept>

#include "engine/model/json_document.h"
#include "engine/model/model_summary.h"
#include "engine/train/train_config.h"

namespace layerlab::engine {
namespace {

using nlohmann::json;

bool isValidNodeId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

class Parser {
 public:
  explicit Parser(ProblemList& problems) : m_problems(problems) {}

  void fail(const std::string& nodeId, const std::string& message) {
    m_problems.add(nodeId, message);
  }

  void parseHeader(const json& doc, ModelSpec& spec) {
    static const std::set<std::string> kKnownKeys = {"format", "version",     "name",
                                                     "input",  "nodes",       "outputs",
                                                     "editor", "description", "suggested_training"};
    for (const auto& [key, value] : doc.items()) {
      if (!kKnownKeys.contains(key)) fail("", "unknown key '" + key + "' at the top level");
    }
    if (doc.value("format", json()) != kModelFormat) {
      fail("", std::string("'format' must be \"") + kModelFormat + "\"");
    }
    const json version = doc.value("version", json());
    if (!version.is_number_integer() || version.get<int>() != kModelVersion) {
      fail("", "'version' must be " + std::to_string(kModelVersion) +
                   " (this LayerLab reads model documents of version 1)");
    }
    const json name = doc.value("name", json(""));
    if (!name.is_string())
      fail("", "'name' must be a string");
    else
      spec.name = name.get<std::string>();
    if (doc.contains("editor")) {
      if (doc["editor"].is_object())
        spec.editor = doc["editor"];
      else
        fail("", "'editor' must be an object");
    }
    parseAbout(doc, spec);
  }

  void parseAbout(const json& doc, ModelSpec& spec) {
    constexpr size_t kMaxDescription = 4000;
    if (doc.contains("description")) {
      const json& text = doc["description"];
      if (!text.is_string() || text.get<std::string>().size() > kMaxDescription)
        fail("", "'description' must be a text of at most 4000 bytes");
      else
        spec.description = text.get<std::string>();
    }
    if (!doc.contains("suggested_training")) return;
    try {
      withSuggestions(TrainConfig{}, doc["suggested_training"]);
      spec.suggestedTraining = doc["suggested_training"];
    } catch (const std::invalid_argument& error) {
      fail("", std::string("'suggested_training': ") + error.what());
    }
  }

  void parseInput(const json& doc, ModelSpec& spec) {
    if (!doc.contains("input") || !doc["input"].is_object()) {
      fail("", "missing 'input': give the input as {\"shape\": [1, 28, 28]}");
      return;
    }
    const json& input = doc["input"];
    for (const auto& [key, value] : input.items()) {
      if (key != "shape" && key != "dtype") fail("", "unknown key '" + key + "' in 'input'");
    }
    const json shape = input.value("shape", json());
    bool shapeOk = shape.is_array() && !shape.empty();
    if (shapeOk) {
      for (const json& dim : shape) {
        if (!dim.is_number_integer() || dim.get<int64_t>() < 1) shapeOk = false;
      }
    }
    if (!shapeOk) {
      fail("", "'input.shape' must be a non-empty list of positive integers (without the batch)");
    } else {
      spec.inputShape = shape.get<Shape>();
    }
    const json dtype = input.value("dtype", json("float32"));
    if (dtype != "float32" && dtype != "int64") {
      fail("", "'input.dtype' must be \"float32\" or \"int64\"");
    } else {
      spec.inputDtype = dtype.get<std::string>();
    }
  }

  void parseNode(const json& node, size_t index, ModelSpec& spec, std::set<std::string>& ids) {
    const std::string where = "node #" + std::to_string(index + 1);
    if (!node.is_object()) {
      fail("", where + " must be an object");
      return;
    }
    NodeSpec out;
    const json id = node.value("id", json());
    if (!id.is_string() || !isValidNodeId(id.get<std::string>())) {
      fail("", where + " needs an 'id' of letters, digits, '_' or '-'");
      return;
    }
    out.id = id.get<std::string>();
    if (out.id == kInputName) fail(out.id, "the id 'input' is reserved for the model's input");
    if (!ids.insert(out.id).second) fail(out.id, "the id is used by more than one node");
    const json type = node.value("type", json());
    if (!type.is_string() || type.get<std::string>().empty()) {
      fail(out.id, "needs a 'type' (a layer name such as \"Dense\")");
    } else {
      out.type = type.get<std::string>();
    }
    parseNodeInputs(node, out);
    for (const auto& [key, value] : node.items()) {
      if (key != "id" && key != "type" && key != "inputs") out.params[key] = value;
    }
    spec.nodes.push_back(std::move(out));
  }

  void parseNodeInputs(const json& node, NodeSpec& out) {
    const json inputs = node.value("inputs", json());
    bool ok = inputs.is_array() && !inputs.empty();
    if (ok) {
      for (const json& input : inputs)
        ok = ok && input.is_string();
    }
    if (!ok) {
      fail(out.id, "needs 'inputs': a non-empty list of node ids or \"input\"");
      return;
    }
    out.inputs = inputs.get<std::vector<std::string>>();
  }

  void parseOutputs(const json& doc, ModelSpec& spec) {
    const json outputs = doc.value("outputs", json());
    bool ok = outputs.is_array() && !outputs.empty();
    if (ok) {
      for (const json& output : outputs)
        ok = ok && output.is_string();
    }
    if (!ok) {
      fail("", "missing 'outputs': a non-empty list of node ids");
      return;
    }
    spec.outputs = outputs.get<std::vector<std::string>>();
  }

 private:
  ProblemList& m_problems;
};

}  // namespace

const NodeSpec* ModelSpec::findNode(const std::string& id) const {
  for (const NodeSpec& node : nodes) {
    if (node.id == id) return &node;
  }
  return nullptr;
}

std::string ModelProblem::describe() const {
  return nodeId.empty() ? message : "node '" + nodeId + "': " + message;
}

void ProblemList::add(const std::string& nodeId, const std::string& message) {
  if (m_count++ < kMaxReportedProblems) m_out.push_back({nodeId, message});
}

void ProblemList::close() {
  if (m_count <= kMaxReportedProblems) return;
  m_out.push_back({"", "… and " +
                           formatThousands(static_cast<int64_t>(m_count - kMaxReportedProblems)) +
                           " more problems"});
  m_count = kMaxReportedProblems;  // a second close adds nothing
}

ModelParseResult parseModelSpec(std::string_view text) {
  ModelParseResult result;
  JsonParseOutcome parsed = parseJsonBounded(text);
  if (!parsed.ok()) {
    result.problems.push_back({"", parsed.error});
    return result;
  }
  const json& doc = parsed.value;
  if (!doc.is_object()) {
    result.problems.push_back({"", "a model document must be a JSON object"});
    return result;
  }
  const json* nodes = doc.contains("nodes") ? &doc["nodes"] : nullptr;
  if (nodes != nullptr && nodes->is_array() && nodes->size() > kMaxModelNodes) {
    result.problems.push_back({"", "the model has " +
                                       formatThousands(static_cast<int64_t>(nodes->size())) +
                                       " nodes, more than the limit of " +
                                       formatThousands(static_cast<int64_t>(kMaxModelNodes)) +
                                       "; is it the right file?"});
    return result;
  }
  ProblemList problems(result.problems);
  Parser parser(problems);
  ModelSpec spec;
  parser.parseHeader(doc, spec);
  parser.parseInput(doc, spec);
  if (nodes == nullptr || !nodes->is_array() || nodes->empty()) {
    parser.fail("", "missing 'nodes': a non-empty list of layers");
  } else {
    std::set<std::string> ids;
    for (size_t i = 0; i < nodes->size(); ++i)
      parser.parseNode((*nodes)[i], i, spec, ids);
  }
  parser.parseOutputs(doc, spec);
  problems.close();
  if (result.problems.empty()) result.spec = std::move(spec);
  return result;
}

ModelParseResult loadModelSpec(const std::string& path) {
  std::string text;
  try {
    text = readDocumentFile(path);
  } catch (const std::invalid_argument& error) {
    // The message names the path; callers put it in front again, so keep only the reason.
    const std::string message = error.what();
    return {std::nullopt, {{"", message.substr(std::min(message.size(), path.size() + 2))}}};
  }
  return parseModelSpec(text);
}

nlohmann::json toJson(const ModelSpec& spec) {
  json nodes = json::array();
  for (const NodeSpec& node : spec.nodes) {
    json out = {{"id", node.id}, {"type", node.type}};
    for (const auto& [key, value] : node.params.items())
      out[key] = value;
    out["inputs"] = node.inputs;
    nodes.push_back(std::move(out));
  }
  json doc = {{"format", kModelFormat},
              {"version", kModelVersion},
              {"name", spec.name},
              {"input", {{"shape", spec.inputShape}, {"dtype", spec.inputDtype}}},
              {"nodes", std::move(nodes)},
              {"outputs", spec.outputs}};
  if (!spec.editor.empty()) doc["editor"] = spec.editor;
  if (!spec.description.empty()) doc["description"] = spec.description;
  if (!spec.suggestedTraining.is_null()) doc["suggested_training"] = spec.suggestedTraining;
  return doc;
}

}  // namespace layerlab::engine
