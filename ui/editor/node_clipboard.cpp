#include "ui/editor/node_clipboard.h"

#include <QMimeData>
#include <QObject>
#include <QUndoStack>

#include <algorithm>
#include <map>

#include "engine/model/json_document.h"
#include "ui/editor/editor_commands.h"
#include "ui/editor/editor_model.h"

namespace layerlab::ui {
namespace {

constexpr const char* kNodesKey = "layerlab_nodes";

}  // namespace

nlohmann::json copyNodes(const EditorModel& model, const std::vector<std::string>& ids) {
  nlohmann::json nodes = nlohmann::json::array();
  for (const std::string& id : model.nodeIds()) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) continue;
    const engine::NodeSpec* node = model.node(id);
    const QPointF at = model.position(id);
    nodes.push_back({{"id", node->id},
                     {"type", node->type},
                     {"inputs", node->inputs},
                     {"params", node->params},
                     {"position", {at.x(), at.y()}}});
  }
  return {{kNodesKey, nodes}};
}

QMimeData* nodesMimeData(const nlohmann::json& copied) {
  auto* mime = new QMimeData();
  const QByteArray text = QByteArray::fromStdString(copied.dump(2));
  mime->setData(QString::fromLatin1(kNodesMimeType), text);
  mime->setText(QString::fromUtf8(text));
  return mime;
}

nlohmann::json nodesFromMimeData(const QMimeData* mime) {
  if (mime == nullptr) return nullptr;
  QByteArray data = mime->data(QString::fromLatin1(kNodesMimeType));
  if (data.isEmpty()) data = mime->text().toUtf8();
  // The clipboard may hold anything another program put there: the bounded parse.
  engine::JsonParseOutcome outcome = engine::parseJsonBounded(data.toStdString());
  if (!outcome.ok()) return nullptr;
  nlohmann::json parsed = std::move(outcome.value);
  if (!parsed.is_object() || !parsed.contains(kNodesKey) || !parsed[kNodesKey].is_array() ||
      parsed[kNodesKey].empty())
    return nullptr;
  for (const nlohmann::json& node : parsed[kNodesKey]) {
    if (!node.is_object() || !node.contains("type") || !node["type"].is_string() ||
        !node.contains("id") || !node["id"].is_string())
      return nullptr;
  }
  return parsed;
}

std::vector<std::string> pasteNodes(EditorModel& model, QUndoStack& undo,
                                    const nlohmann::json& copied, QPointF offset,
                                    bool keepOutsideInputs) {
  std::vector<std::string> added;
  if (!copied.is_object() || !copied.contains(kNodesKey)) return added;
  const nlohmann::json& nodes = copied[kNodesKey];
  undo.beginMacro(nodes.size() == 1
                      ? QObject::tr("Paste %1")
                            .arg(QString::fromStdString(nodes.front()["type"].get<std::string>()))
                      : QObject::tr("Paste %1 layers").arg(nodes.size()));
  std::map<std::string, std::string> renamed;
  for (const nlohmann::json& entry : nodes) {
    engine::NodeSpec node;
    node.type = entry["type"].get<std::string>();
    node.id = model.freshId(node.type);
    renamed[entry["id"].get<std::string>()] = node.id;
    node.params = entry.value("params", nlohmann::json::object());
    QPointF at;
    if (const auto position = entry.find("position");
        position != entry.end() && position->is_array() && position->size() == 2 &&
        (*position)[0].is_number() && (*position)[1].is_number()) {
      at = QPointF((*position)[0].get<double>(), (*position)[1].get<double>());
    }
    undo.push(new AddNodeCommand(model, node, at + offset));
    added.push_back(node.id);
  }
  // Connections once every new id is known (a copied node may read a later one).
  size_t index = 0;
  for (const nlohmann::json& entry : nodes) {
    const std::string& id = added[index++];
    std::vector<std::string> inputs;
    for (const nlohmann::json& input : entry.value("inputs", nlohmann::json::array())) {
      if (!input.is_string()) continue;
      const std::string from = input.get<std::string>();
      if (const auto found = renamed.find(from); found != renamed.end()) {
        inputs.push_back(found->second);
      } else if (from == engine::kInputName || (keepOutsideInputs && model.contains(from))) {
        inputs.push_back(from);
      }
    }
    if (!inputs.empty())
      undo.push(new SetInputsCommand(model, id, inputs, QObject::tr("Connect %1").arg(id.c_str())));
  }
  undo.endMacro();
  return added;
}

}  // namespace layerlab::ui
