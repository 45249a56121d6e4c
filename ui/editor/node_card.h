// The items of the layer graph canvas: a card per node (or the model's input) and a curve per
// connection. Data flows top to bottom: a card's input port is at the middle of its top edge, its
// output port at the middle of its bottom edge.
//
// Cards are drawn with fonts of a fixed pixel size (kTitlePixels, kTextPixels), so that at 100%
// zoom the text is as tall as the rest of the interface's, whatever the platform's point size.
//
// Threads: GUI thread only.
#pragma once

#include <QGraphicsItem>
#include <QGraphicsPathItem>
#include <QString>

#include <string>

namespace layerlab::ui {

class GraphScene;

inline constexpr double kCardWidth = 200;
inline constexpr double kCardHeight = 66;
inline constexpr int kTitlePixels = 14;
inline constexpr int kTextPixels = 12;

// What a card shows.
struct CardText {
  QString title;     // the layer type
  QString subtitle;  // the node id, "· output" for an output
  QString detail;    // output shape and parameters
  QString problem;   // empty when the node has none
};

// One node (or the model's input) as a card. Dragging from its output port draws a connection;
// moving it ends in GraphScene::commitMoves.
class NodeCard : public QGraphicsItem {
 public:
  NodeCard(GraphScene& scene, std::string id, CardText text, bool output);

  const std::string& id() const { return m_id; }
  bool hasProblem() const { return !m_text.problem.isEmpty(); }
  const CardText& text() const { return m_text; }
  QPointF inputPort() const { return pos() + QPointF(kCardWidth / 2, 0); }
  QPointF outputPort() const { return pos() + QPointF(kCardWidth / 2, kCardHeight); }

  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) override;

 protected:
  void mousePressEvent(QGraphicsSceneMouseEvent* event) override;
  void mouseMoveEvent(QGraphicsSceneMouseEvent* event) override;
  void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;

 private:
  GraphScene& m_scene;
  std::string m_id;
  CardText m_text;
  bool m_output = false;
  bool m_connecting = false;
  bool m_moved = false;
};

// One connection from an output port to an input port. Selectable (Delete removes it), wider to
// the mouse than it looks, highlighted under the pointer; its context menu removes it or inserts
// a layer on it.
class EdgeItem : public QGraphicsPathItem {
 public:
  EdgeItem(GraphScene& scene, std::string from, std::string to, const QPainterPath& path);

  const std::string& from() const { return m_from; }
  const std::string& to() const { return m_to; }

  QPainterPath shape() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 protected:
  void hoverEnterEvent(QGraphicsSceneHoverEvent* event) override;
  void hoverLeaveEvent(QGraphicsSceneHoverEvent* event) override;
  void contextMenuEvent(QGraphicsSceneContextMenuEvent* event) override;

 private:
  void restyle();

  GraphScene& m_scene;
  std::string m_from, m_to;
  bool m_hovered = false;
};

// A font of `pixels` pixels for the canvas, bold or not.
QFont canvasFont(int pixels, bool bold = false);

}  // namespace layerlab::ui
