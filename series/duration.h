// How LayerLab writes a span of time, on the terminal and in the GUI alike: "120ms", "4s",
// "1m 05s", "2h 03m 07s". Seconds are rounded to the nearest whole one.
//
// Threads: a pure function, any thread.
#pragma once

#include <string>

namespace layerlab::series {

// An empty string for NaN, the infinities and negative spans: each caller shows its own
// placeholder for "no value".
std::string formatDuration(double seconds);

}  // namespace layerlab::series
