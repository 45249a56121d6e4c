#include "ui/editor/editor_commands.h"

namespace layerlab::ui {

AddNodeCommand::AddNodeCommand(EditorModel& model, engine::NodeSpec node, QPointF position)
    : m_model(model), m_node(std::move(node)), m_position(position) {
  m_index = static_cast<int>(model.nodeIds().size());
  setText(QObject::tr("Add %1").arg(QString::fromStdString(m_node.id)));
}

void AddNodeCommand::redo() {
  m_model.insertNode(m_node, m_index, m_position);
}

void AddNodeCommand::undo() {
  m_model.removeNode(m_node.id);
}

RemoveNodeCommand::RemoveNodeCommand(EditorModel& model, std::string id)
    : m_model(model), m_id(std::move(id)) {
  setText(QObject::tr("Delete %1").arg(QString::fromStdString(m_id)));
}

void RemoveNodeCommand::redo() {
  m_removed = m_model.removeNode(m_id);
}

void RemoveNodeCommand::undo() {
  m_model.restoreNode(m_removed);
}

SetInputsCommand::SetInputsCommand(EditorModel& model, std::string id,
                                   std::vector<std::string> inputs, const QString& text)
    : m_model(model), m_id(std::move(id)), m_after(std::move(inputs)) {
  if (const engine::NodeSpec* node = model.node(m_id)) m_before = node->inputs;
  setText(text);
}

void SetInputsCommand::redo() {
  m_model.setInputs(m_id, m_after);
}

void SetInputsCommand::undo() {
  m_model.setInputs(m_id, m_before);
}

SetParamCommand::SetParamCommand(EditorModel& model, std::string id, std::string key,
                                 nlohmann::json value)
    : m_model(model), m_id(std::move(id)), m_key(std::move(key)), m_after(std::move(value)) {
  if (const engine::NodeSpec* node = model.node(m_id)) {
    const auto found = node->params.find(m_key);
    m_before = found == node->params.end() ? nlohmann::json() : *found;
  }
  setText(
      QObject::tr("Set %1.%2").arg(QString::fromStdString(m_id), QString::fromStdString(m_key)));
}

void SetParamCommand::redo() {
  m_model.setParam(m_id, m_key, m_after);
}

void SetParamCommand::undo() {
  m_model.setParam(m_id, m_key, m_before);
}

MoveNodesCommand::MoveNodesCommand(EditorModel& model, std::map<std::string, QPointF> to,
                                   int dragId)
    : m_model(model), m_to(std::move(to)), m_dragId(dragId) {
  for (const auto& [id, point] : m_to)
    m_from[id] = model.position(id);
  setText(m_to.size() == 1 ? QObject::tr("Move %1").arg(QString::fromStdString(m_to.begin()->first))
                           : QObject::tr("Move %1 layers").arg(m_to.size()));
}

void MoveNodesCommand::redo() {
  m_model.moveNodes(m_to);
}

void MoveNodesCommand::undo() {
  m_model.moveNodes(m_from);
}

bool MoveNodesCommand::mergeWith(const QUndoCommand* other) {
  const auto* move = static_cast<const MoveNodesCommand*>(other);
  if (m_dragId == 0 || move->m_dragId != m_dragId) return false;
  for (const auto& [id, point] : move->m_to) {
    if (m_from.find(id) == m_from.end()) m_from[id] = move->m_from.at(id);
    m_to[id] = point;
  }
  return true;
}

SetOutputsCommand::SetOutputsCommand(EditorModel& model, std::vector<std::string> outputs)
    : m_model(model), m_before(model.spec().outputs), m_after(std::move(outputs)) {
  setText(QObject::tr("Set the outputs"));
}

void SetOutputsCommand::redo() {
  m_model.setOutputs(m_after);
}

void SetOutputsCommand::undo() {
  m_model.setOutputs(m_before);
}

SetInputShapeCommand::SetInputShapeCommand(EditorModel& model, engine::Shape shape,
                                           const QString& text)
    : m_model(model), m_before(model.spec().inputShape), m_after(std::move(shape)) {
  setText(text);
}

void SetInputShapeCommand::redo() {
  m_model.setInputShape(m_after);
}

void SetInputShapeCommand::undo() {
  m_model.setInputShape(m_before);
}

SetModelNameCommand::SetModelNameCommand(EditorModel& model, std::string name)
    : m_model(model), m_before(model.spec().name), m_after(std::move(name)) {
  setText(QObject::tr("Rename the model to %1").arg(QString::fromStdString(m_after)));
}

void SetModelNameCommand::redo() {
  m_model.setName(m_after);
}

void SetModelNameCommand::undo() {
  m_model.setName(m_before);
}

}  // namespace layerlab::ui
