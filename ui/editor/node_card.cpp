#include "ui/editor/node_card.h"

#include <QGraphicsSceneContextMenuEvent>
#include <QGraphicsSceneMouseEvent>
#include <QMenu>
#include <QPainter>
#include <QPainterPathStroker>
#include <QPalette>
#include <QStyle>
#include <QStyleOptionGraphicsItem>

#include <map>

#include "engine/model/layer_registry.h"
#include "ui/editor/graph_scene.h"

namespace layerlab::ui {
namespace {

constexpr double kPortRadius = 6;
const QColor kProblemColour(190, 45, 35);
// Dark enough to read on the card's white at 12 px (the palette's placeholder grey is not).
const QColor kQuietText(85, 85, 85);

}  // namespace

QFont canvasFont(int pixels, bool bold) {
  QFont font;
  font.setPixelSize(pixels);
  font.setBold(bold);
  return font;
}

NodeCard::NodeCard(GraphScene& scene, std::string id, CardText text, bool output)
    : m_scene(scene), m_id(std::move(id)), m_text(std::move(text)), m_output(output) {
  setFlag(ItemIsSelectable, m_id != engine::kInputName);
  setFlag(ItemIsMovable);
  setFlag(ItemSendsGeometryChanges);
  setAcceptHoverEvents(true);
  setToolTip(hasProblem() ? m_text.problem : m_text.detail);
  setZValue(1);
}

QRectF NodeCard::boundingRect() const {
  return QRectF(-2, -kPortRadius, kCardWidth + 4, kCardHeight + 2 * kPortRadius);
}

void NodeCard::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
  const QPalette pal;
  painter->setRenderHint(QPainter::Antialiasing);
  const QRectF card(0, 0, kCardWidth, kCardHeight);
  QColor border = hasProblem() ? kProblemColour : pal.color(QPalette::Mid);
  if (isSelected()) border = pal.color(QPalette::Highlight);
  painter->setPen(QPen(border, isSelected() || hasProblem() ? 2.4 : 1.2));
  painter->setBrush(
      pal.color(m_id == engine::kInputName ? QPalette::AlternateBase : QPalette::Base));
  painter->drawRoundedRect(card, 8, 8);
  const QColor text = hasProblem() ? kProblemColour : pal.color(QPalette::Text);
  painter->setFont(canvasFont(kTitlePixels, true));
  painter->setPen(text);
  const int width = static_cast<int>(card.width() - 20);
  auto line = [&](double top, const QString& value) {
    painter->drawText(card.adjusted(10, top, -10, 0), Qt::AlignLeft | Qt::AlignTop,
                      painter->fontMetrics().elidedText(value, Qt::ElideRight, width));
  };
  line(4, m_text.title);
  painter->setFont(canvasFont(kTextPixels));
  painter->setPen(kQuietText);
  line(25, m_text.subtitle);
  painter->setPen(text);
  line(43, hasProblem() ? QStringLiteral("\u26a0 ") + m_text.problem : m_text.detail);
  // Ports: input at the top (not for the model input), output at the bottom.
  painter->setPen(QPen(pal.color(QPalette::Mid), 1));
  painter->setBrush(m_output ? QColor(44, 160, 44) : pal.color(QPalette::Button));
  if (m_id != engine::kInputName)
    painter->drawEllipse(QPointF(card.width() / 2, 0), kPortRadius, kPortRadius);
  painter->drawEllipse(QPointF(card.width() / 2, card.height()), kPortRadius, kPortRadius);
}

void NodeCard::mousePressEvent(QGraphicsSceneMouseEvent* event) {
  const QPointF port(kCardWidth / 2, kCardHeight);
  if (event->button() == Qt::LeftButton && QLineF(event->pos(), port).length() <= kPortRadius + 3) {
    m_connecting = true;
    m_scene.beginConnection(m_id, event->scenePos());
    event->accept();
    return;
  }
  QGraphicsItem::mousePressEvent(event);
}

void NodeCard::mouseMoveEvent(QGraphicsSceneMouseEvent* event) {
  if (m_connecting) {
    m_scene.dragConnection(event->scenePos());
    return;
  }
  QGraphicsItem::mouseMoveEvent(event);
  m_moved = true;
}

void NodeCard::mouseReleaseEvent(QGraphicsSceneMouseEvent* event) {
  if (m_connecting) {
    m_connecting = false;
    m_scene.endConnection(event->scenePos());
    return;
  }
  QGraphicsItem::mouseReleaseEvent(event);
  if (m_moved) {
    m_moved = false;
    m_scene.commitMoves();
  }
}

EdgeItem::EdgeItem(GraphScene& scene, std::string from, std::string to, const QPainterPath& path)
    : QGraphicsPathItem(path), m_scene(scene), m_from(std::move(from)), m_to(std::move(to)) {
  setFlag(ItemIsSelectable);
  setAcceptHoverEvents(true);
  setZValue(0);
  restyle();
}

QPainterPath EdgeItem::shape() const {
  QPainterPathStroker stroker;
  stroker.setWidth(12);
  return stroker.createStroke(path());
}

void EdgeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) {
  restyle();
  QStyleOptionGraphicsItem plain(*option);
  plain.state &= ~QStyle::State_Selected;  // the colour shows selection, not a dashed box
  QGraphicsPathItem::paint(painter, &plain, widget);
}

void EdgeItem::hoverEnterEvent(QGraphicsSceneHoverEvent* event) {
  m_hovered = true;
  update();
  QGraphicsPathItem::hoverEnterEvent(event);
}

void EdgeItem::hoverLeaveEvent(QGraphicsSceneHoverEvent* event) {
  m_hovered = false;
  update();
  QGraphicsPathItem::hoverLeaveEvent(event);
}

void EdgeItem::contextMenuEvent(QGraphicsSceneContextMenuEvent* event) {
  QMenu menu;
  QMenu* insert = menu.addMenu(QObject::tr("Insert Layer"));
  std::map<std::string, QMenu*> categories;
  for (const engine::LayerType& type : engine::layerRegistry().types()) {
    if (type.minInputs > 1) continue;
    QMenu*& category = categories[type.category];
    if (category == nullptr) category = insert->addMenu(QString::fromStdString(type.category));
    category->addAction(QString::fromStdString(type.name),
                        [scene = &m_scene, from = m_from, to = m_to, name = type.name] {
                          scene->insertLayerOn(from, to, QString::fromStdString(name));
                        });
  }
  menu.addAction(QObject::tr("Remove Connection"), [scene = &m_scene, from = m_from, to = m_to] {
    scene->removeConnection(from, to);
  });
  menu.exec(event->screenPos());
  event->accept();
}

void EdgeItem::restyle() {
  const QPalette pal;
  const bool strong = isSelected() || m_hovered;
  const QPen wanted(pal.color(strong ? QPalette::Highlight : QPalette::Mid), strong ? 2.6 : 1.6);
  if (pen() != wanted) setPen(wanted);
}

}  // namespace layerlab::ui
