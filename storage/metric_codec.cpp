#include "storage/metric_codec.h"

#include <cmath>
#include <limits>
#include <string>

#include "storage/database.h"

namespace layerlab::storage {

namespace {

constexpr const char* kNaN = "nan";
constexpr const char* kPlusInf = "inf";
constexpr const char* kMinusInf = "-inf";

}  // namespace

void bindMetricValue(Statement& statement, int valueIndex, int specialIndex, double value) {
  if (std::isfinite(value)) {
    statement.bind(valueIndex, value).bindNull(specialIndex);
    return;
  }
  const char* special = std::isnan(value) ? kNaN : (value > 0 ? kPlusInf : kMinusInf);
  statement.bindNull(valueIndex).bind(specialIndex, special);
}

double readMetricValue(const Statement& statement, int valueColumn, int specialColumn) {
  if (!statement.isNull(valueColumn)) return statement.real(valueColumn);
  const std::string special = statement.text(specialColumn);
  if (special == kPlusInf) return std::numeric_limits<double>::infinity();
  if (special == kMinusInf) return -std::numeric_limits<double>::infinity();
  // "nan", and anything a CHECK constraint should have kept out.
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace layerlab::storage
