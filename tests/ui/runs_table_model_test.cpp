#include "ui/runs/runs_table_model.h"

#include <QSignalSpy>

#include <gtest/gtest.h>

#include "qt_printers.h"

namespace layerlab::ui {
namespace {

using storage::RunStatus;
using storage::RunSummary;
using Model = RunsTableModel;

RunSummary summary(int64_t id, const std::string& name, RunStatus status) {
  RunSummary run;
  run.id = id;
  run.name = name;
  run.status = status;
  run.startedAt = 1'700'000'000.0;
  run.device = "cpu";
  return run;
}

class RunsTableModelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RunSummary done = summary(1, "mlp-sgd", RunStatus::Completed);
    done.finishedAt = done.startedAt + 187.0;
    done.epochsDone = 5;
    done.testAccuracy = 0.8812;
    RunSummary live = summary(2, "cnn-adam", RunStatus::Running);
    live.epochsDone = 2;
    m_model.setClock([] { return 1'700'000'000.0 + 42.0; });
    m_model.setRuns({done, live});
  }

  QString text(int row, int column) const { return m_model.index(row, column).data().toString(); }

  Model m_model;
};

TEST_F(RunsTableModelTest, HasOneRowPerRunAndTheAgreedColumns) {
  ASSERT_EQ(m_model.rowCount(), 2);
  ASSERT_EQ(m_model.columnCount(), 16);
  QStringList headers;
  for (int column = 0; column < m_model.columnCount(); ++column) {
    headers << m_model.headerData(column, Qt::Horizontal).toString();
  }
  EXPECT_EQ(headers, QStringList({"ID", "Name", "Status", "Started", "Duration", "Epochs", "Data",
                                  "Model", "Optimizer", "LR", "Batch", "Best validation",
                                  "Test accuracy", "Test loss", "Tags", "Device"}));
}

TEST_F(RunsTableModelTest, CellsAreFormattedForReading) {
  EXPECT_EQ(text(0, Model::IdColumn), "1");
  EXPECT_EQ(text(0, Model::NameColumn), "mlp-sgd");
  EXPECT_EQ(text(0, Model::StatusColumn), "Completed");
  EXPECT_EQ(text(0, Model::DurationColumn), "3m 07s");
  EXPECT_EQ(text(0, Model::EpochsColumn), "5");
  EXPECT_EQ(text(0, Model::TestAccuracyColumn), "88.12%");
  EXPECT_EQ(text(0, Model::DeviceColumn), "cpu");
  EXPECT_EQ(text(1, Model::DurationColumn), "42s");
  EXPECT_EQ(text(1, Model::TestAccuracyColumn), QStringLiteral("\u2014"));
}

TEST_F(RunsTableModelTest, StatusCellsCarryAColouredDot) {
  const QModelIndex status = m_model.index(1, Model::StatusColumn);
  EXPECT_FALSE(status.data(Qt::DecorationRole).value<QIcon>().isNull());
  EXPECT_TRUE(status.data(Qt::ForegroundRole).isValid());
  EXPECT_FALSE(m_model.index(1, Model::NameColumn).data(Qt::DecorationRole).isValid());
}

TEST_F(RunsTableModelTest, NumbersSortByValueNotByText) {
  // "—" must not sort above a real accuracy, and 88.12% is a number, not a string.
  EXPECT_GT(m_model.index(0, Model::TestAccuracyColumn).data(Model::kSortRole).toDouble(),
            m_model.index(1, Model::TestAccuracyColumn).data(Model::kSortRole).toDouble());
  EXPECT_EQ(m_model.index(0, Model::DurationColumn).data(Model::kSortRole).toDouble(), 187.0);
  EXPECT_EQ(m_model.index(1, Model::IdColumn).data(Model::kRunIdRole).toLongLong(), 2);
}

TEST_F(RunsTableModelTest, FindsRowsByRunId) {
  EXPECT_EQ(m_model.rowOfRun(2), 1);
  EXPECT_EQ(m_model.rowOfRun(99), -1);
}

TEST_F(RunsTableModelTest, OnlyRunningDurationsAreRefreshed) {
  QSignalSpy changed(&m_model, &QAbstractItemModel::dataChanged);
  m_model.refreshRunningDurations();
  ASSERT_EQ(changed.count(), 1);
  const auto cell = changed.at(0).at(0).value<QModelIndex>();
  EXPECT_EQ(cell.row(), 1);
  EXPECT_EQ(cell.column(), Model::DurationColumn);
}

}  // namespace
}  // namespace layerlab::ui
