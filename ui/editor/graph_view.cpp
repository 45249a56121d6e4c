#include "ui/editor/graph_view.h"

#include <QContextMenuEvent>
#include <QResizeEvent>
#include <QWheelEvent>

#include <algorithm>

namespace layerlab::ui {

GraphView::GraphView(QGraphicsScene* scene, QWidget* parent) : QGraphicsView(scene, parent) {
  setRenderHint(QPainter::Antialiasing);
  setDragMode(QGraphicsView::RubberBandDrag);
  setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
  setAcceptDrops(true);
}

void GraphView::zoomBy(double factor) {
  const double next = zoom() * factor;
  if (next < kMinZoom || next > kMaxZoom) return;
  scale(factor, factor);
}

double GraphView::zoom() const {
  return transform().m11();
}

void GraphView::fitAll() {
  const QRectF bounds = scene()->itemsBoundingRect().adjusted(-24, -24, 24, 24);
  if (bounds.isEmpty()) return;
  // The viewport less a pixel each side: a fitted graph never touches (or hides under) the edge.
  const QSizeF room(viewport()->width() - 2, viewport()->height() - 2);
  const double fitted = std::min(room.width() / bounds.width(), room.height() / bounds.height());
  // A small graph is not blown up: cards are drawn for 100%.
  const double wanted = std::clamp(fitted, kMinZoom, 1.0);
  resetTransform();
  scale(wanted, wanted);
  centerOn(bounds.center());
}

void GraphView::fitWhenShown() {
  m_fitPending = true;
  if (isVisible() && viewport()->width() > 100) {
    m_fitPending = false;
    fitAll();
  }
}

void GraphView::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  if (m_fitPending && viewport()->width() > 100) {
    m_fitPending = false;
    fitAll();
  }
}

void GraphView::contextMenuEvent(QContextMenuEvent* event) {
  QGraphicsView::contextMenuEvent(event);
  if (!event->isAccepted()) Q_EMIT editMenuWanted(event->globalPos(), mapToScene(event->pos()));
  event->accept();
}

void GraphView::wheelEvent(QWheelEvent* event) {
  zoomBy(event->angleDelta().y() > 0 ? 1.15 : 1 / 1.15);
  event->accept();
}

}  // namespace layerlab::ui
