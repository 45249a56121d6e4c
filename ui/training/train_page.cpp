#include "ui/training/train_page.h"

#include <QVBoxLayout>

#include "ui/place.h"
#include "ui/place_intro.h"

namespace layerlab::ui {

TrainPage::TrainPage(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("trainPage"));
  const PlaceIntroText text{
      placeTitle(Place::Train),
      tr("Training will start here: pick a dataset, a model and a configuration, then watch "
         "loss and accuracy live as the run goes."),
      {tr("Choose the optimiser, learning-rate schedule, batch size, epochs, seed and early "
          "stopping."),
       tr("Pause or stop a run, and resume an interrupted one from its last checkpoint."),
       tr("Every epoch is written to the store as it finishes, so nothing is lost.")},
      tr("Until then, start a run from a terminal with layerlab-cli train; it appears in the "
         "Runs place within a second."),
  };
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(new PlaceIntro(text, this));
}

}  // namespace layerlab::ui
