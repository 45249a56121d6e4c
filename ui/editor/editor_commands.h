// Every edit of the layer graph as an undoable command acting on the EditorModel: add, remove
// (with its connections), connect and disconnect (a node's inputs), change a parameter, move
// nodes (the steps of one drag merge into one command), and set the model's outputs.
//
// Threads: GUI thread only.
#pragma once

#include <QUndoCommand>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ui/editor/editor_model.h"

namespace layerlab::ui {

class AddNodeCommand : public QUndoCommand {
 public:
  AddNodeCommand(EditorModel& model, engine::NodeSpec node, QPointF position);
  void redo() override;
  void undo() override;
  const std::string& nodeId() const { return m_node.id; }

 private:
  EditorModel& m_model;
  engine::NodeSpec m_node;
  QPointF m_position;
  int m_index = 0;
};

class RemoveNodeCommand : public QUndoCommand {
 public:
  RemoveNodeCommand(EditorModel& model, std::string id);
  void redo() override;
  void undo() override;

 private:
  EditorModel& m_model;
  std::string m_id;
  RemovedNode m_removed;
};

// Replaces a node's inputs: connecting appends one, disconnecting removes one.
class SetInputsCommand : public QUndoCommand {
 public:
  SetInputsCommand(EditorModel& model, std::string id, std::vector<std::string> inputs,
                   const QString& text);
  void redo() override;
  void undo() override;

 private:
  EditorModel& m_model;
  std::string m_id;
  std::vector<std::string> m_before;
  std::vector<std::string> m_after;
};

class SetParamCommand : public QUndoCommand {
 public:
  // A null value removes the key (the default applies).
  SetParamCommand(EditorModel& model, std::string id, std::string key, nlohmann::json value);
  void redo() override;
  void undo() override;

 private:
  EditorModel& m_model;
  std::string m_id;
  std::string m_key;
  nlohmann::json m_before;
  nlohmann::json m_after;
};

class MoveNodesCommand : public QUndoCommand {
 public:
  static constexpr int kId = 1001;
  // `dragId` > 0: later moves with the same drag id merge into this one.
  MoveNodesCommand(EditorModel& model, std::map<std::string, QPointF> to, int dragId = 0);
  void redo() override;
  void undo() override;
  int id() const override { return kId; }
  bool mergeWith(const QUndoCommand* other) override;

 private:
  EditorModel& m_model;
  std::map<std::string, QPointF> m_from;
  std::map<std::string, QPointF> m_to;
  int m_dragId = 0;
};

class SetOutputsCommand : public QUndoCommand {
 public:
  SetOutputsCommand(EditorModel& model, std::vector<std::string> outputs);
  void redo() override;
  void undo() override;

 private:
  EditorModel& m_model;
  std::vector<std::string> m_before;
  std::vector<std::string> m_after;
};

class SetInputShapeCommand : public QUndoCommand {
 public:
  SetInputShapeCommand(EditorModel& model, engine::Shape shape, const QString& text);
  void redo() override;
  void undo() override;

 private:
  EditorModel& m_model;
  engine::Shape m_before;
  engine::Shape m_after;
};

// Renames the model (the name runs are listed under).
class SetModelNameCommand : public QUndoCommand {
 public:
  SetModelNameCommand(EditorModel& model, std::string name);
  void redo() override;
  void undo() override;

 private:
  EditorModel& m_model;
  std::string m_before;
  std::string m_after;
};

}  // namespace layerlab::ui
