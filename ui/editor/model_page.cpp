#include "ui/editor/model_page.h"

#include <QVBoxLayout>

#include "ui/place.h"
#include "ui/place_intro.h"

namespace layerlab::ui {

ModelPage::ModelPage(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("modelPage"));
  const PlaceIntroText text{
      placeTitle(Place::Model),
      tr("Networks will be drawn here as a graph of layers, with every output shape and "
         "parameter count shown as you build."),
      {tr("Drag layers from a palette, connect them, and undo or redo any edit."),
       tr("Start from a template such as a small MLP or CNN, or open a .layerlab.json file."),
       tr("Export a trained network to ONNX.")},
      tr("Every run in the store already keeps the model it was trained with."),
  };
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(new PlaceIntro(text, this));
}

}  // namespace layerlab::ui
