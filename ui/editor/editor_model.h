// The layer graph editor's document: the engine's ModelSpec with stable node ids, node positions,
// and a change signal after every edit. The scene mirrors it and the undo commands edit it; it
// never looks at either. Every edit re-runs the engine's analysis (shapes, parameters,
// multiply-adds and problems per node), which is torch-free and takes microseconds.
//
// Positions are kept in the document's "editor" block as {"positions": {"fc1": [x, y]}}, so a saved
// model reopens as it was drawn.
//
// Threads: GUI thread only.
#pragma once

#include <QObject>
#include <QPointF>
#include <QString>
#include <QStringList>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/model/model_analysis.h"
#include "engine/model/model_spec.h"
#include "engine/train/output_fit.h"

namespace layerlab::ui {

// A node as it was before it was removed, with every reference to it, so it can be put back.
struct RemovedNode {
  engine::NodeSpec node;
  int index = 0;
  QPointF position;
  std::vector<std::pair<std::string, std::vector<std::string>>> referrers;  // id → old inputs
  std::vector<std::string> outputs;                                         // old outputs
};

class EditorModel : public QObject {
  Q_OBJECT

 public:
  explicit EditorModel(QObject* parent = nullptr);

  // Replaces the document. Nodes without a stored position are placed by the layered layout.
  void setSpec(const engine::ModelSpec& spec);
  // The document with current positions in its "editor" block.
  engine::ModelSpec spec() const;
  // The model's analysis, with the data's problem (if any) among its problems.
  const engine::ModelAnalysis& analysis() const { return m_analysis; }
  // True when the layers themselves have no problem (the data's aside): shapes and costs are
  // known for every node.
  bool layersOk() const { return m_layerProblems == 0; }

  std::vector<std::string> nodeIds() const;
  const engine::NodeSpec* node(const std::string& id) const;
  const engine::NodeAnalysis* nodeAnalysis(const std::string& id) const;
  QPointF position(const std::string& id) const;
  bool contains(const std::string& id) const { return node(id) != nullptr; }

  // A fresh id for a node of `type`: "dense_1", "dense_2", …
  std::string freshId(const std::string& type) const;
  // The parameters a new node of `type` starts with: every required one gets a usable value.
  static nlohmann::json startingParams(const std::string& type);

  // Edits. Each emits changed() once. Unknown ids are ignored.
  void insertNode(const engine::NodeSpec& node, int index, QPointF position);
  RemovedNode removeNode(const std::string& id);
  void restoreNode(const RemovedNode& removed);
  void setInputs(const std::string& id, const std::vector<std::string>& inputs);
  void setParam(const std::string& id, const std::string& key, const nlohmann::json& value);
  void setOutputs(const std::vector<std::string>& outputs);
  void setInputShape(const engine::Shape& shape);
  void setName(const std::string& name);
  // What the chosen data asks of the output; nullopt: no data chosen. A model whose output does
  // not fit gets that problem in its analysis, pinned to the output node (engine/train/
  // output_fit.h: the rule training applies).
  void setOutputTarget(std::optional<engine::OutputTarget> target);
  void moveNodes(const std::map<std::string, QPointF>& positions);
  // Places every node by the layered layout.
  void autoLayout();

 Q_SIGNALS:
  // Anything changed: structure, parameters, positions or the analysis.
  void changed();

 private:
  void reanalyse();
  engine::NodeSpec* mutableNode(const std::string& id);

  engine::ModelSpec m_spec;
  std::map<std::string, QPointF> m_positions;
  engine::ModelAnalysis m_analysis;
  size_t m_layerProblems = 0;
  std::optional<engine::OutputTarget> m_target;
};

}  // namespace layerlab::ui
