#include "ui/data/data_page.h"

#include <QVBoxLayout>

#include "ui/place.h"
#include "ui/place_intro.h"

namespace layerlab::ui {

DataPage::DataPage(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("dataPage"));
  const PlaceIntroText text{
      placeTitle(Place::Data),
      tr("The built-in Fashion-MNIST set and your own CSV, IDX and image folders will load "
         "here."),
      {tr("Look through samples and the balance of classes before you train."),
       tr("Split into training, validation and test sets with a fixed seed."),
       tr("Normalise and augment, with the choices kept alongside every run.")},
      tr("The Runs place already lists every run in the store, however it was started."),
  };
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(new PlaceIntro(text, this));
}

}  // namespace layerlab::ui
