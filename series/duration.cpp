#include "series/duration.h"

#include <cmath>
#include <cstdint>
#include <cstdio>

namespace layerlab::series {

std::string formatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return {};
  const auto millis = std::llround(seconds * 1000);
  if (millis < 1000) return std::to_string(millis) + "ms";
  const auto whole = static_cast<int64_t>(std::llround(seconds));
  if (whole < 60) return std::to_string(whole) + "s";
  char buffer[48];
  const auto minutes = static_cast<long long>(whole / 60);
  const auto secs = static_cast<long long>(whole % 60);
  if (minutes < 60) {
    std::snprintf(buffer, sizeof buffer, "%lldm %02llds", minutes, secs);
  } else {
    std::snprintf(buffer, sizeof buffer, "%lldh %02lldm %02llds", minutes / 60, minutes % 60, secs);
  }
  return buffer;
}

}  // namespace layerlab::series
