// The Train place: where runs will be configured, started and watched.
#pragma once

#include <QWidget>

namespace layerlab::ui {

class TrainPage : public QWidget {
  Q_OBJECT

 public:
  explicit TrainPage(QWidget* parent = nullptr);
};

}  // namespace layerlab::ui
