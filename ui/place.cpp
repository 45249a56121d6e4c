#include "ui/place.h"

#include <QApplication>
#include <QCoreApplication>
#include <QStyle>

namespace layerlab::ui {

QString placeKey(Place place) {
  switch (place) {
    case Place::Data:
      return QStringLiteral("data");
    case Place::Model:
      return QStringLiteral("model");
    case Place::Train:
      return QStringLiteral("train");
    case Place::Runs:
      return QStringLiteral("runs");
    case Place::Experiments:
      return QStringLiteral("experiments");
  }
  return {};
}

QString placeTitle(Place place) {
  switch (place) {
    case Place::Data:
      return QCoreApplication::translate("Place", "Data");
    case Place::Model:
      return QCoreApplication::translate("Place", "Model");
    case Place::Train:
      return QCoreApplication::translate("Place", "Train");
    case Place::Runs:
      return QCoreApplication::translate("Place", "Runs");
    case Place::Experiments:
      return QCoreApplication::translate("Place", "Experiments");
  }
  return {};
}

QIcon placeIcon(Place place) {
  // The fallbacks are the style's icons that come in 16, 32 and 128 pixels, so they stay sharp
  // at the navigation list's size.
  const QStyle* style = QApplication::style();
  switch (place) {
    case Place::Data:
      return QIcon::fromTheme(QStringLiteral("folder-open"),
                              style->standardIcon(QStyle::SP_DirIcon));
    case Place::Model:
      return QIcon::fromTheme(QStringLiteral("applications-engineering"),
                              style->standardIcon(QStyle::SP_FileIcon));
    case Place::Train:
      return QIcon::fromTheme(QStringLiteral("media-playback-start"),
                              style->standardIcon(QStyle::SP_MediaPlay));
    case Place::Runs:
      return QIcon::fromTheme(QStringLiteral("view-list-details"),
                              style->standardIcon(QStyle::SP_FileDialogDetailedView));
    case Place::Experiments:
      return QIcon::fromTheme(QStringLiteral("view-grid"),
                              style->standardIcon(QStyle::SP_FileDialogListView));
  }
  return {};
}

std::optional<Place> parsePlace(const QString& key) {
  for (Place place : kAllPlaces) {
    if (key.compare(placeKey(place), Qt::CaseInsensitive) == 0) return place;
  }
  return std::nullopt;
}

}  // namespace layerlab::ui
