// The Model place: where networks will be drawn as a graph of layers.
#pragma once

#include <QWidget>

namespace layerlab::ui {

class ModelPage : public QWidget {
  Q_OBJECT

 public:
  explicit ModelPage(QWidget* parent = nullptr);
};

}  // namespace layerlab::ui
