#include "ui/runs/run_format.h"

#include <QDateTime>

#include "qt_printers.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>

namespace layerlab::ui {
namespace {

using storage::RunStatus;
using storage::RunSummary;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
const QString kDash = QStringLiteral("\u2014");

// The CLI's duration text (series::formatDuration), with the table's dash for no value.
TEST(RunFormat, DurationsReadAsSecondsMinutesOrHours) {
  const struct {
    std::optional<double> seconds;
    QString expected;
  } cases[] = {
      {std::nullopt, kDash},  {kNaN, kDash},          {-1.0, kDash},
      {0.0, "0ms"},           {0.25, "250ms"},        {42.9, "43s"},
      {60.0, "1m 00s"},       {187.0, "3m 07s"},      {3599.0, "59m 59s"},
      {3600.0, "1h 00m 00s"}, {7505.0, "2h 05m 05s"}, {90061.0, "25h 01m 01s"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(formatDuration(c.seconds), c.expected) << c.seconds.value_or(-99);
  }
}

TEST(RunFormat, AccuracyIsAPercentWithTwoDecimals) {
  const struct {
    std::optional<double> fraction;
    QString expected;
  } cases[] = {
      {std::nullopt, kDash}, {0.9123, "91.23%"},  {1.0, "100.00%"},
      {0.0, "0.00%"},        {0.87654, "87.65%"}, {kNaN, "NaN"},
  };
  for (const auto& c : cases)
    EXPECT_EQ(formatPercent(c.fraction), c.expected);
}

TEST(RunFormat, LossHasFourDecimals) {
  EXPECT_EQ(formatLoss(0.31274), "0.3127");
  EXPECT_EQ(formatLoss(2.0), "2.0000");
  EXPECT_EQ(formatLoss(kNaN), "NaN");
  EXPECT_EQ(formatLoss(std::nullopt), kDash);
}

TEST(RunFormat, StartTimeIsLocalToTheMinute) {
  const QDateTime local(QDate(2024, 3, 5), QTime(14, 7, 59));
  EXPECT_EQ(formatStartTime(static_cast<double>(local.toSecsSinceEpoch())), "2024-03-05 14:07");
  EXPECT_EQ(formatStartTime(0.0), kDash);
}

TEST(RunFormat, DurationRunsToTheEndOrToNowWhileRunning) {
  RunSummary run;
  run.startedAt = 1000.0;
  run.status = RunStatus::Running;
  EXPECT_EQ(runDuration(run, 1030.0), 30.0);

  run.status = RunStatus::Completed;
  run.finishedAt = 1100.0;
  EXPECT_EQ(runDuration(run, 5000.0), 100.0);

  run.status = RunStatus::Interrupted;
  run.finishedAt = 0.0;
  EXPECT_EQ(runDuration(run, 5000.0), std::nullopt);

  RunSummary queued;
  EXPECT_EQ(runDuration(queued, 5000.0), std::nullopt);
}

TEST(RunFormat, EveryStatusHasItsOwnWordAndColour) {
  const RunStatus all[] = {RunStatus::Queued, RunStatus::Running,   RunStatus::Completed,
                           RunStatus::Failed, RunStatus::Cancelled, RunStatus::Interrupted};
  std::set<QString> words;
  std::set<QRgb> colours;
  for (RunStatus status : all) {
    words.insert(runStatusText(status));
    colours.insert(runStatusColor(status).rgb());
    EXPECT_FALSE(runStatusIcon(status).isNull());
  }
  EXPECT_EQ(words.size(), std::size(all));
  EXPECT_EQ(colours.size(), std::size(all));
  EXPECT_EQ(runStatusText(RunStatus::Completed), "Completed");
}

}  // namespace
}  // namespace layerlab::ui
