// The Runs place's two pages besides the table: no runs yet, and a store that cannot be read.
//
// Threads: GUI thread only.
#pragma once

class QLabel;
class QPushButton;
class QWidget;

namespace layerlab::ui {

// What a first start shows: the way to a first run inside the window (data, then training), and
// the command line second.
QWidget* makeRunsEmptyState(QWidget* parent);

struct RunsErrorState {
  QWidget* page = nullptr;
  QLabel* message = nullptr;  // the store's complaint
  QPushButton* retry = nullptr;
};
RunsErrorState makeRunsErrorState(QWidget* parent);

}  // namespace layerlab::ui
