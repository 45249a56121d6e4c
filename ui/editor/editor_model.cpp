#include "ui/editor/editor_model.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "engine/model/layer_registry.h"
#include "ui/editor/graph_layout.h"

namespace layerlab::ui {
namespace {

constexpr const char* kPositionsKey = "positions";
constexpr int64_t kStartingSize = 16;  // units, filters, … of a node fresh from the palette

std::string lowerCase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

EditorModel::EditorModel(QObject* parent) : QObject(parent) {
  reanalyse();
}

void EditorModel::setSpec(const engine::ModelSpec& spec) {
  m_spec = spec;
  m_positions.clear();
  const nlohmann::json& stored =
      spec.editor.contains(kPositionsKey) ? spec.editor[kPositionsKey] : nlohmann::json::object();
  const std::map<std::string, QPointF> layout = layeredLayout(spec);
  for (const auto& [id, point] : layout) {
    const auto found = stored.is_object() ? stored.find(id) : stored.end();
    if (stored.is_object() && found != stored.end() && found->is_array() && found->size() == 2 &&
        (*found)[0].is_number() && (*found)[1].is_number()) {
      m_positions[id] = QPointF((*found)[0].get<double>(), (*found)[1].get<double>());
    } else {
      m_positions[id] = point;
    }
  }
  // Positions stored without the input's: put it above the first node that reads it.
  if (stored.is_object() && !stored.empty() && !stored.contains(engine::kInputName)) {
    for (const engine::NodeSpec& node : m_spec.nodes) {
      if (std::find(node.inputs.begin(), node.inputs.end(), engine::kInputName) !=
          node.inputs.end()) {
        m_positions[engine::kInputName] = m_positions[node.id] - QPointF(0, kLayoutRowHeight);
        break;
      }
    }
  }
  reanalyse();
}

engine::ModelSpec EditorModel::spec() const {
  engine::ModelSpec out = m_spec;
  nlohmann::json positions = nlohmann::json::object();
  for (const auto& [id, point] : m_positions)
    positions[id] = {std::round(point.x()), std::round(point.y())};
  out.editor[kPositionsKey] = positions;
  return out;
}

std::vector<std::string> EditorModel::nodeIds() const {
  std::vector<std::string> ids;
  for (const engine::NodeSpec& node : m_spec.nodes)
    ids.push_back(node.id);
  return ids;
}

const engine::NodeSpec* EditorModel::node(const std::string& id) const {
  return m_spec.findNode(id);
}

engine::NodeSpec* EditorModel::mutableNode(const std::string& id) {
  for (engine::NodeSpec& node : m_spec.nodes) {
    if (node.id == id) return &node;
  }
  return nullptr;
}

const engine::NodeAnalysis* EditorModel::nodeAnalysis(const std::string& id) const {
  return m_analysis.find(id);
}

QPointF EditorModel::position(const std::string& id) const {
  const auto found = m_positions.find(id);
  return found == m_positions.end() ? QPointF() : found->second;
}

std::string EditorModel::freshId(const std::string& type) const {
  const std::string stem = lowerCase(type);
  for (int n = 1;; ++n) {
    std::string id = stem + "_" + std::to_string(n);
    if (node(id) == nullptr && id != engine::kInputName) return id;
  }
}

nlohmann::json EditorModel::startingParams(const std::string& type) {
  nlohmann::json params = nlohmann::json::object();
  const engine::LayerType* layer = engine::layerRegistry().find(type);
  if (layer == nullptr) return params;
  for (const engine::ParamSpec& param : layer->params) {
    if (!param.required()) continue;
    switch (param.kind) {
      case engine::ParamKind::Int:
      case engine::ParamKind::IntOrChoice: {
        int64_t value = std::max<int64_t>(kStartingSize, static_cast<int64_t>(param.min));
        if (param.max > param.min)
          value = std::min<int64_t>(value, static_cast<int64_t>(param.max));
        params[param.name] = value;
        break;
      }
      case engine::ParamKind::Float:
        params[param.name] = param.min;
        break;
      case engine::ParamKind::Bool:
        params[param.name] = false;
        break;
      case engine::ParamKind::Choice:
        if (!param.choices.empty()) params[param.name] = param.choices.front();
        break;
      case engine::ParamKind::IntList:
        params[param.name] = nlohmann::json::array({kStartingSize});
        break;
    }
  }
  return params;
}

void EditorModel::insertNode(const engine::NodeSpec& node, int index, QPointF position) {
  if (contains(node.id) || node.id == engine::kInputName) return;
  index = std::clamp(index, 0, static_cast<int>(m_spec.nodes.size()));
  m_spec.nodes.insert(m_spec.nodes.begin() + index, node);
  m_positions[node.id] = position;
  reanalyse();
}

RemovedNode EditorModel::removeNode(const std::string& id) {
  RemovedNode removed;
  const auto found = std::find_if(m_spec.nodes.begin(), m_spec.nodes.end(),
                                  [&id](const engine::NodeSpec& n) { return n.id == id; });
  if (found == m_spec.nodes.end()) return removed;
  removed.node = *found;
  removed.index = static_cast<int>(found - m_spec.nodes.begin());
  removed.position = position(id);
  removed.outputs = m_spec.outputs;
  m_spec.nodes.erase(found);
  for (engine::NodeSpec& other : m_spec.nodes) {
    if (std::find(other.inputs.begin(), other.inputs.end(), id) == other.inputs.end()) continue;
    removed.referrers.emplace_back(other.id, other.inputs);
    other.inputs.erase(std::remove(other.inputs.begin(), other.inputs.end(), id),
                       other.inputs.end());
  }
  m_spec.outputs.erase(std::remove(m_spec.outputs.begin(), m_spec.outputs.end(), id),
                       m_spec.outputs.end());
  m_positions.erase(id);
  reanalyse();
  return removed;
}

void EditorModel::restoreNode(const RemovedNode& removed) {
  if (removed.node.id.empty() || contains(removed.node.id)) return;
  const int index = std::clamp(removed.index, 0, static_cast<int>(m_spec.nodes.size()));
  m_spec.nodes.insert(m_spec.nodes.begin() + index, removed.node);
  m_positions[removed.node.id] = removed.position;
  for (const auto& [id, inputs] : removed.referrers) {
    if (engine::NodeSpec* other = mutableNode(id)) other->inputs = inputs;
  }
  m_spec.outputs = removed.outputs;
  reanalyse();
}

void EditorModel::setInputs(const std::string& id, const std::vector<std::string>& inputs) {
  engine::NodeSpec* target = mutableNode(id);
  if (target == nullptr) return;
  target->inputs = inputs;
  reanalyse();
}

void EditorModel::setParam(const std::string& id, const std::string& key,
                           const nlohmann::json& value) {
  engine::NodeSpec* target = mutableNode(id);
  if (target == nullptr) return;
  if (value.is_null()) {
    target->params.erase(key);
  } else {
    target->params[key] = value;
  }
  reanalyse();
}

void EditorModel::setOutputs(const std::vector<std::string>& outputs) {
  m_spec.outputs = outputs;
  reanalyse();
}

void EditorModel::setInputShape(const engine::Shape& shape) {
  m_spec.inputShape = shape;
  reanalyse();
}

void EditorModel::moveNodes(const std::map<std::string, QPointF>& positions) {
  for (const auto& [id, point] : positions) {
    if (contains(id) || id == engine::kInputName) m_positions[id] = point;
  }
  Q_EMIT changed();
}

void EditorModel::autoLayout() {
  m_positions = layeredLayout(m_spec);
  Q_EMIT changed();
}

void EditorModel::setName(const std::string& name) {
  m_spec.name = name;
  Q_EMIT changed();
}

void EditorModel::setOutputTarget(std::optional<engine::OutputTarget> target) {
  m_target = std::move(target);
  reanalyse();
}

void EditorModel::reanalyse() {
  m_analysis = engine::analyzeModel(m_spec);
  m_layerProblems = m_analysis.problems.size();
  if (m_target && m_analysis.ok()) {
    if (std::optional<engine::ModelProblem> problem = engine::outputMismatch(m_analysis, *m_target))
      m_analysis.problems.push_back(std::move(*problem));
  }
  Q_EMIT changed();
}

}  // namespace layerlab::ui
