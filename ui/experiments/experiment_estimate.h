// How long a whole experiment may take, said before it starts. An estimate: the model's
// multiply-adds per sample (engine/model/model_analysis.h), the training samples and the epochs
// at an assumed speed; early stopping and a faster machine make it shorter.
//
// Threads: any (pure functions).
#pragma once

#include <optional>

#include "engine/experiment/experiment_spec.h"

namespace layerlab::ui {

// Multiply-adds per second one trial process is assumed to reach for forward and backward passes
// together on one core.
inline constexpr double kAssumedMacsPerSecond = 1.5e9;
// A trial's own start: the process, the library and the data.
inline constexpr double kTrialStartSeconds = 4.0;

// The training samples the spec's data holds: its limit, or the size of the built-in
// Fashion-MNIST; nullopt for a source whose size is only known once read.
std::optional<double> trainingSamples(const nlohmann::json& data);

// Seconds for the whole experiment on `cores` cores; nullopt when the model cannot be analysed or
// the data's size is unknown.
std::optional<double> estimateExperimentSeconds(const engine::ExperimentSpec& spec, int cores);

}  // namespace layerlab::ui
