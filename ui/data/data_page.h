// The Data place: where datasets will be chosen, inspected and prepared for training.
#pragma once

#include <QWidget>

namespace layerlab::ui {

class DataPage : public QWidget {
  Q_OBJECT

 public:
  explicit DataPage(QWidget* parent = nullptr);
};

}  // namespace layerlab::ui
