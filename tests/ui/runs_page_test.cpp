#include "ui/runs/runs_page.h"

#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include <gtest/gtest.h>

#include <memory>

#include "engine/model/model_spec.h"
#include "gui_test_support.h"
#include "qt_printers.h"
#include "run_catalog_support.h"
#include "test_store.h"
#include "ui/editor/model_page.h"
#include "ui/main_window.h"
#include "ui/runs/runs_table_model.h"

namespace layerlab::ui {
namespace {

using storage::RunStatus;
using testing::addRunFromAnotherConnection;
using testing::child;
using testing::clickPlace;
using testing::columnTexts;
using testing::TestStore;
using testing::withStoreCatalog;
using Column = RunsTableModel::Column;

constexpr int kPollWaitMs = 5 * RunsPage::kPollIntervalMs;
const QString kDash = QStringLiteral("\u2014");

class RunsPlaceTest : public ::testing::Test {
 protected:
  void addThreeRuns() {
    m_store.addRun({"mlp-sgd", RunStatus::Completed, 5, 0.8812, {}});
    m_store.addRun({"cnn-adam", RunStatus::Failed, 2, std::nullopt, "loss became NaN"});
    m_store.addRun({"resnet-tiny", RunStatus::Running, 1, std::nullopt, {}});
  }

  // Opens the window on `path` somewhere else, then goes to Runs through the navigation list.
  void openWindow(const QString& path) {
    m_window = std::make_unique<MainWindow>(path);
    withStoreCatalog(*m_window);
    m_window->showPlace(Place::Data);
    m_window->show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(m_window.get()));
    clickPlace(*m_window, Place::Runs);
    ASSERT_EQ(m_window->currentPlace(), Place::Runs);
  }

  RunsPage* page() const { return child<RunsPage>(*m_window, "runsPage"); }
  QTableView* table() const { return child<QTableView>(*m_window, "runsTable"); }
  const QAbstractItemModel& rows() const { return *table()->model(); }
  QStringList column(Column which) const { return columnTexts(rows(), which); }

  void doubleClickRow(int row) {
    // A real double-click arrives as press, release, double-click, release; the widget overload
    // of mouseDClick sends only the double-click, so the first click comes first.
    const QPoint cell = table()->visualRect(rows().index(row, Column::NameColumn)).center();
    QTest::mouseClick(table()->viewport(), Qt::LeftButton, {}, cell);
    QTest::mouseDClick(table()->viewport(), Qt::LeftButton, {}, cell);
  }

  TestStore m_store;
  std::unique_ptr<MainWindow> m_window;
};

TEST_F(RunsPlaceTest, ListsEveryRunWithItsStatusAndTestAccuracy) {
  addThreeRuns();
  openWindow(m_store.path());
  ASSERT_TRUE(table()->isVisible());
  EXPECT_EQ(column(Column::NameColumn), QStringList({"resnet-tiny", "cnn-adam", "mlp-sgd"}));
  EXPECT_EQ(column(Column::StatusColumn), QStringList({"Running", "Failed", "Completed"}));
  EXPECT_EQ(column(Column::TestAccuracyColumn), QStringList({kDash, kDash, "88.12%"}));
  EXPECT_EQ(column(Column::EpochsColumn), QStringList({"1", "2", "5"}));
  EXPECT_EQ(column(Column::DeviceColumn), QStringList({"cpu", "cpu", "cpu"}));
  EXPECT_EQ(child<QLabel>(*m_window, "runsCount")->text(), "3 runs");
}

TEST_F(RunsPlaceTest, FilterBoxNarrowsTheList) {
  addThreeRuns();
  openWindow(m_store.path());
  auto* filter = child<QLineEdit>(*m_window, "runsFilter");
  QTest::keyClicks(filter, "ADAM");
  EXPECT_EQ(column(Column::NameColumn), QStringList({"cnn-adam"}));
  EXPECT_EQ(child<QLabel>(*m_window, "runsCount")->text(), "1 of 3 runs");

  filter->selectAll();
  QTest::keyClicks(filter, "completed");
  EXPECT_EQ(column(Column::NameColumn), QStringList({"mlp-sgd"}));

  filter->selectAll();
  QTest::keyClick(filter, Qt::Key_Backspace);
  EXPECT_EQ(rows().rowCount(), 3);
}

TEST_F(RunsPlaceTest, HeaderClicksSortByValue) {
  addThreeRuns();
  m_store.addRun({"mlp-wide", RunStatus::Completed, 3, 0.9, {}});
  openWindow(m_store.path());
  QHeaderView* header = table()->horizontalHeader();
  const int section = Column::TestAccuracyColumn;
  const QPoint middle(header->sectionViewportPosition(section) + header->sectionSize(section) / 2,
                      header->height() / 2);
  QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, middle);
  const QStringList first = column(Column::TestAccuracyColumn);
  const QStringList ascending{kDash, kDash, "88.12%", "90.00%"};
  const QStringList descending{"90.00%", "88.12%", kDash, kDash};
  EXPECT_EQ(first, header->sortIndicatorOrder() == Qt::AscendingOrder ? ascending : descending);

  QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, middle);
  EXPECT_EQ(column(Column::TestAccuracyColumn),
            header->sortIndicatorOrder() == Qt::AscendingOrder ? ascending : descending);
  EXPECT_NE(column(Column::TestAccuracyColumn), first);
}

TEST_F(RunsPlaceTest, RunWrittenByAnotherConnectionAppearsAfterThePoll) {
  addThreeRuns();
  openWindow(m_store.path());
  table()->selectRow(2);  // mlp-sgd
  QSignalSpy reloaded(page(), &RunsPage::runsReloaded);

  addRunFromAnotherConnection(m_store.path(), {"late-run", RunStatus::Completed, 3, 0.9, {}});
  ASSERT_TRUE(QTest::qWaitFor([&] { return rows().rowCount() == 4; }, kPollWaitMs));
  EXPECT_EQ(column(Column::NameColumn).first(), "late-run");
  EXPECT_EQ(column(Column::TestAccuracyColumn).first(), "90.00%");
  EXPECT_EQ(reloaded.count(), 1);
  EXPECT_EQ(reloaded.at(0).at(0).toInt(), 4);
  // The reload keeps the user's selection on the same run, which moved down a row.
  EXPECT_EQ(table()->currentIndex().row(), 3);
}

TEST_F(RunsPlaceTest, UnchangedStoreIsNotReadAgain) {
  addThreeRuns();
  openWindow(m_store.path());
  auto* timer = child<QTimer>(*page(), "runsPollTimer");
  ASSERT_TRUE(timer->isActive());
  QSignalSpy ticks(timer, &QTimer::timeout);
  QSignalSpy reloaded(page(), &RunsPage::runsReloaded);
  ASSERT_TRUE(QTest::qWaitFor([&] { return ticks.count() >= 2; }, kPollWaitMs));
  EXPECT_EQ(reloaded.count(), 0);
}

// "Open Model" on a run's details puts exactly the model that run trained in the Model place.
TEST_F(RunsPlaceTest, OpenModelLoadsTheRunsModelInTheEditor) {
  QFile file(QStringLiteral(LAYERLAB_SOURCE_DIR "/resources/templates/residual_cnn.layerlab.json"));
  ASSERT_TRUE(file.open(QIODevice::ReadOnly));
  const std::string stored = file.readAll().toStdString();
  const int64_t id = m_store.addRun({"residual", RunStatus::Completed, 2, 0.9, {}, stored});
  openWindow(m_store.path());
  page()->showRunDetail(id);
  QTest::mouseClick(child<QPushButton>(*m_window, "openRunModel"), Qt::LeftButton);
  EXPECT_EQ(m_window->currentPlace(), Place::Model);
  nlohmann::json opened = engine::toJson(m_window->modelPage()->currentModel());
  nlohmann::json expected = engine::toJson(*engine::parseModelSpec(stored).spec);
  opened.erase("editor");
  expected.erase("editor");
  EXPECT_EQ(opened, expected);
  EXPECT_FALSE(m_window->modelPage()->hasUnsavedChanges());
}

TEST_F(RunsPlaceTest, DoubleClickShowsTheEpochsOfARun) {
  addThreeRuns();
  openWindow(m_store.path());
  auto* detail = child<QWidget>(*m_window, "runDetail");
  EXPECT_FALSE(detail->isVisible());

  doubleClickRow(2);  // mlp-sgd, five epochs
  ASSERT_TRUE(detail->isVisible());
  EXPECT_TRUE(child<QLabel>(*detail, "runDetailTitle")->text().contains("mlp-sgd"));
  const QAbstractItemModel& epochs = *child<QTableView>(*detail, "epochTable")->model();
  ASSERT_EQ(epochs.rowCount(), 5);
  QStringList firstEpoch;
  for (int c = 0; c < epochs.columnCount(); ++c)
    firstEpoch << epochs.index(0, c).data().toString();
  EXPECT_EQ(firstEpoch, QStringList({"1", "1.0000", "51.00%", "1.5000", "46.00%"}));
  EXPECT_FALSE(child<QLabel>(*detail, "runDetailError")->isVisible());

  doubleClickRow(1);  // cnn-adam, failed
  EXPECT_EQ(epochs.rowCount(), 2);
  auto* error = child<QLabel>(*detail, "runDetailError");
  EXPECT_TRUE(error->isVisible());
  EXPECT_EQ(error->text(), "loss became NaN");

  QTest::mouseClick(child<QWidget>(*detail, "runDetailClose"), Qt::LeftButton);
  EXPECT_FALSE(detail->isVisible());
}

TEST_F(RunsPlaceTest, EmptyStoreSaysHowToStartARun) {
  openWindow(m_store.path());
  auto* empty = child<QWidget>(*m_window, "runsEmptyState");
  ASSERT_TRUE(empty->isVisible());
  QStringList texts;
  for (const QLabel* label : empty->findChildren<QLabel*>())
    texts << label->text();
  const QString all = texts.join(' ');
  EXPECT_TRUE(all.contains("No runs yet.")) << all.toStdString();
  EXPECT_TRUE(all.contains("layerlab-cli train")) << all.toStdString();
  EXPECT_FALSE(table()->isVisible());
  EXPECT_FALSE(child<QLineEdit>(*m_window, "runsFilter")->isVisible());

  // The first run replaces the empty state without any action from the user.
  addRunFromAnotherConnection(m_store.path(), {"first", RunStatus::Running, 0, {}, {}});
  ASSERT_TRUE(QTest::qWaitFor([&] { return table()->isVisible(); }, kPollWaitMs));
  EXPECT_EQ(column(Column::NameColumn), QStringList({"first"}));
}

TEST_F(RunsPlaceTest, BrokenStoreFileShowsTheErrorInsteadOfCrashing) {
  const QString broken = m_store.file(QStringLiteral("broken.db"));
  QFile file(broken);
  ASSERT_TRUE(file.open(QIODevice::WriteOnly));
  QByteArray garbage;
  for (int i = 0; i < 8192; ++i)
    garbage.append(static_cast<char>((i * 131 + 7) % 251));
  file.write(garbage);
  file.close();

  openWindow(broken);
  auto* message = child<QLabel>(*m_window, "runsErrorText");
  ASSERT_TRUE(message->isVisible());
  EXPECT_FALSE(message->text().isEmpty());
  EXPECT_EQ(message->text(), page()->errorText());
  EXPECT_FALSE(table()->isVisible());
  EXPECT_TRUE(child<QLabel>(*m_window, "storeLabel")->text().endsWith("broken.db"));

  // Trying again fails the same way and says so again; the window stays usable.
  QSignalSpy failed(page(), &RunsPage::storeFailed);
  QTest::mouseClick(child<QPushButton>(*m_window, "runsRetryButton"), Qt::LeftButton);
  EXPECT_EQ(failed.count(), 1);
  EXPECT_TRUE(message->isVisible());
  clickPlace(*m_window, Place::Data);
  EXPECT_EQ(m_window->currentPlace(), Place::Data);
}

TEST_F(RunsPlaceTest, OpeningAnotherStoreReplacesTheList) {
  TestStore other;
  other.addRun({"elsewhere", RunStatus::Cancelled, 1, std::nullopt, {}});
  addThreeRuns();
  openWindow(m_store.path());
  m_window->openStore(other.path());
  EXPECT_EQ(column(Column::NameColumn), QStringList({"elsewhere"}));
  EXPECT_EQ(column(Column::StatusColumn), QStringList({"Cancelled"}));
  EXPECT_EQ(child<QLabel>(*m_window, "storeLabel")->text(), "Store: " + other.path());
}

}  // namespace
}  // namespace layerlab::ui
