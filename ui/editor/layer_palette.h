// The Model place's palette: every registered layer type by category, searchable by name and
// description. A type is dragged onto the canvas (the drag carries kLayerMimeType) or
// double-clicked to add it.
//
// Threads: GUI thread only.
#pragma once

#include <QWidget>

class QLineEdit;
class QTreeWidget;

namespace layerlab::ui {

class LayerPalette : public QWidget {
  Q_OBJECT

 public:
  explicit LayerPalette(QWidget* parent = nullptr);
  QTreeWidget* tree() const { return m_tree; }
  // Shows only the types whose name or description contains `text`.
  void filter(const QString& text);

 Q_SIGNALS:
  // A layer type was double-clicked.
  void layerActivated(const QString& type);

 private:
  QLineEdit* m_search = nullptr;
  QTreeWidget* m_tree = nullptr;
};

}  // namespace layerlab::ui
