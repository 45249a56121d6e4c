// The top-level places of the main window and the names they go by on the command line and in
// the settings.
#pragma once

#include <QIcon>
#include <QString>

#include <array>
#include <optional>

namespace layerlab::ui {

// In navigation order: the order of the list on the left, the View menu and Ctrl+1..5.
enum class Place { Data, Model, Train, Runs, Experiments };

inline constexpr std::array<Place, 5> kAllPlaces{Place::Data, Place::Model, Place::Train,
                                                 Place::Runs, Place::Experiments};

// "data", "model", "train", "runs" or "experiments": stable names for --place and the saved
// settings.
QString placeKey(Place place);

// The name shown to the user ("Data", "Model", …).
QString placeTitle(Place place);

// The place named `key` (as placeKey() spells it, case-insensitive), or nullopt.
std::optional<Place> parsePlace(const QString& key);

// The place's icon: the platform theme's when it has one, else the style's.
QIcon placeIcon(Place place);

inline int placeIndex(Place place) {
  return static_cast<int>(place);
}

}  // namespace layerlab::ui
