// The Model place's inspector: the selected layer's parameters, a typed field for each (a check
// box, a list of choices, or text checked against the registry as the user types and marked red
// while invalid), and whether the layer is an output of the model. Every change is an undo
// command on the stack it is given.
//
// Threads: GUI thread only.
#pragma once

#include <QWidget>

#include <string>
#include <vector>

#include "engine/model/layer_registry.h"

class QFormLayout;
class QLabel;
class QUndoStack;

namespace layerlab::ui {

class EditorModel;

class LayerInspector : public QWidget {
  Q_OBJECT

 public:
  LayerInspector(EditorModel& model, QUndoStack& undo, QWidget* parent = nullptr);
  // Shows the one selected layer's parameters, or says how many are selected.
  void showSelection(const std::vector<std::string>& selected);

 private:
  QWidget* boolField(const std::string& id, const engine::ParamSpec& param,
                     const nlohmann::json& value);
  QWidget* choiceField(const std::string& id, const engine::ParamSpec& param,
                       const nlohmann::json& value);
  QWidget* textField(const std::string& id, const engine::LayerType& type,
                     const engine::ParamSpec& param, const nlohmann::json& value);
  QWidget* outputField(const std::string& id);

  EditorModel& m_model;
  QUndoStack& m_undo;
  QLabel* m_title = nullptr;
  QFormLayout* m_form = nullptr;
};

}  // namespace layerlab::ui
