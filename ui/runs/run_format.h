// How run values read in the GUI. Free functions, so the wording can be tested without widgets.
#pragma once

#include <QColor>
#include <QIcon>
#include <QString>

#include <optional>

#include "storage/run_types.h"

namespace layerlab::ui {

// What the GUI shows for a value a run does not have (yet).
QString missingValueText();

// "12 mlp-adam": a run's id and name, as the comparison heads its columns and legend.
QString runLabel(const storage::RunSummary& run);

// "Completed", "Running", …
QString runStatusText(storage::RunStatus status);

// Whether the run's training is waiting in a pause (the store says so while it waits).
bool isPaused(const storage::RunSummary& run);

// runStatusText(), except "Paused" for a running run that waits in a pause.
QString runStateText(const storage::RunSummary& run);

// A colour per status that reads on light and dark backgrounds.
QColor runStatusColor(storage::RunStatus status);

// A filled dot in the status colour, freshly painted: callers that draw often keep it.
// Needs a QGuiApplication.
QIcon runStatusIcon(storage::RunStatus status);

// Unix seconds as local time, "yyyy-MM-dd HH:mm"; missingValueText() for 0.
QString formatStartTime(double unixSeconds);

// series::formatDuration's text, the CLI's ("42s", "3m 07s", "2h 05m 00s");
// missingValueText() for no value, NaN or a negative span.
QString formatDuration(std::optional<double> seconds);

// How long a run took, or has taken so far when it is still running, without the time it waited
// in pauses (a paused run's duration stands still); nullopt when it never started or stopped
// without recording an end.
std::optional<double> runDuration(const storage::RunSummary& run, double nowSeconds);

// A fraction in [0, 1] as a percent with two decimals ("91.23%").
QString formatPercent(std::optional<double> fraction);

// A loss with four decimals ("0.3127").
QString formatLoss(std::optional<double> loss);

}  // namespace layerlab::ui
