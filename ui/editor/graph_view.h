// The canvas view of the layer graph editor: wheel zoom around the cursor, rubber-band
// selection, and a fit that fits: the whole graph inside the view, never enlarged past 100%.
//
// Threads: GUI thread only.
#pragma once

#include <QGraphicsView>

namespace layerlab::ui {

class GraphView : public QGraphicsView {
  Q_OBJECT

 public:
  static constexpr double kMinZoom = 0.15;
  static constexpr double kMaxZoom = 4.0;

  explicit GraphView(QGraphicsScene* scene, QWidget* parent = nullptr);
  void zoomBy(double factor);
  // The whole graph in the view, at 100% or smaller, centred.
  void fitAll();
  double zoom() const;
  // Fits the graph once the view has its real size (a new document, before it is shown).
  void fitWhenShown();

 Q_SIGNALS:
  // A right click that no card or connection took: the page shows its edit menu.
  void editMenuWanted(QPoint globalPos, QPointF scenePos);

 protected:
  void wheelEvent(QWheelEvent* event) override;
  void contextMenuEvent(QContextMenuEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;

 private:
  bool m_fitPending = false;
};

}  // namespace layerlab::ui
