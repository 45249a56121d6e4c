// "Save Report…": one self-contained HTML file for an experiment: its definition, the trials
// table as the place shows it, what mattered, and the plots as embedded PNG images.
//
// Threads: GUI thread (the plots are grabbed from widgets).
#pragma once

#include <QImage>
#include <QString>

#include <utility>
#include <vector>

#include "ui/experiments/experiment_snapshot.h"

class QAbstractItemModel;

namespace layerlab::ui {

// The report's HTML; `plots` are (title, picture) pairs, embedded as base64 PNG.
QString experimentReportHtml(const ExperimentSnapshot& snapshot, const QAbstractItemModel& trials,
                             const std::vector<std::pair<QString, QImage>>& plots);

}  // namespace layerlab::ui
