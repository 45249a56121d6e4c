// The canvas of the layer graph editor: a QGraphicsScene that mirrors the EditorModel, data
// flowing top to bottom. Each node is a card (node_card.h) with its type, id, output shape and
// parameter count (red, with the message on hover, when the analysis finds a problem); each
// connection is a curve labelled with the tensor shape it carries, selectable and with a context
// menu (insert a layer on it, remove it). The scene never changes the document itself: moving
// cards, connecting ports by dragging from an output port to a node, and dropping layers from the
// palette become undo commands on the stack it is given.
//
// Threads: GUI thread only.
#pragma once

#include <QGraphicsScene>
#include <QPointer>
#include <QString>

#include <map>
#include <string>

#include "engine/model/model_spec.h"
#include "ui/editor/node_card.h"

class QGraphicsPathItem;
class QPainterPath;
class QUndoStack;

namespace layerlab::ui {

class EditorModel;
class NodeCard;

// The MIME type of a layer dragged from the palette: the data is the layer type's name.
inline constexpr const char* kLayerMimeType = "application/x-layerlab-layer";

class GraphScene : public QGraphicsScene {
  Q_OBJECT

 public:
  static constexpr double kCardWidth = ui::kCardWidth;
  static constexpr double kCardHeight = ui::kCardHeight;

  GraphScene(EditorModel& model, QUndoStack& undo, QObject* parent = nullptr);
  ~GraphScene() override;

  // The card of a node (or of engine::kInputName), nullptr when there is none.
  NodeCard* card(const std::string& id) const;
  // The centre of a node's card in scene coordinates (the origin for an unknown id).
  QPointF cardCentre(const std::string& id) const;
  int cardCount() const { return static_cast<int>(m_cards.size()); }
  int edgeCount() const { return m_edgeCount; }
  // The ids of the selected nodes (the input card is never part of it).
  std::vector<std::string> selectedIds() const;
  void selectNode(const std::string& id);
  void selectNodes(const std::vector<std::string>& ids);
  // The selected connections as (from, to) pairs.
  std::vector<std::pair<std::string, std::string>> selectedConnections() const;
  // The middle of the curve from `from` to `to` (the origin when there is no such connection).
  QPointF connectionMidpoint(const std::string& from, const std::string& to) const;

  // Adds a node of `type` with its top-left at `at`, fed by `from` when given, else by the
  // selected node when there is exactly one (as a user building a chain expects). Returns its id.
  std::string addLayer(const QString& type, QPointF at, const std::string& from = {});
  // Connects `from`'s output to a new input of `to`.
  void connectNodes(const std::string& from, const std::string& to);
  // Puts a new node of `type` on the connection from → to, as one undo step; returns its id
  // (empty when there is no such connection).
  std::string insertLayerOn(const std::string& from, const std::string& to, const QString& type);
  void removeConnection(const std::string& from, const std::string& to);
  // Deletes the selected nodes and connections as one undo step.
  void deleteSelection();
  // Selects these nodes once the scene has been drawn again after the edit in progress.
  void selectAfterRebuild(std::vector<std::string> ids);

  // Called by cards while dragging from their output port.
  void beginConnection(const std::string& from, QPointF at);
  void dragConnection(QPointF at);
  void endConnection(QPointF at);
  // Called by cards when a move of the selection ends.
  void commitMoves();
  // Mirrors the model now (it otherwise follows each change once the event loop runs).
  void rebuild();

 Q_SIGNALS:
  // The cards and connections were drawn again from the model.
  void rebuilt();

 protected:
  void dragEnterEvent(QGraphicsSceneDragDropEvent* event) override;
  void dragMoveEvent(QGraphicsSceneDragDropEvent* event) override;
  void dropEvent(QGraphicsSceneDragDropEvent* event) override;

 private:
  void addCard(NodeCard* card);
  void addCards(const engine::ModelSpec& spec);
  void addConnection(const engine::ModelSpec& spec, const std::string& from, const std::string& to);
  // The curve of a connection: a smooth S down from port to port, or a path along a lane beside
  // the cards it would otherwise pass behind (and up into the next column of a folded chain).
  QPainterPath routeConnection(const NodeCard& source, const NodeCard& target) const;
  bool passesBehindCards(const QPainterPath& path, const NodeCard& source,
                         const NodeCard& target) const;
  static QPainterPath aroundCards(QPointF a, QPointF b, double laneX);

  EditorModel& m_model;
  QUndoStack& m_undo;
  std::map<std::string, NodeCard*> m_cards;
  int m_edgeCount = 0;
  int m_dragId = 0;
  bool m_rebuildPending = false;
  std::vector<std::string> m_selectAfterRebuild;
  std::string m_connectFrom;
  QGraphicsPathItem* m_rubberLine = nullptr;
};

}  // namespace layerlab::ui
