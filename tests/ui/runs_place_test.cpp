// The Runs place's frictions, each on a real store: an edit the store refuses, a stray tab bar,
// the first start, the per-class results, an incomplete filter and the confusion difference.
#include <QDateTime>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTest>

#include <gtest/gtest.h>

#include <memory>

#include "gui_test_support.h"
#include "qt_printers.h"
#include "run_catalog_support.h"
#include "storage/database.h"
#include "storage/run_store.h"
#include "test_store.h"
#include "ui/main_window.h"
#include "ui/runs/class_metrics_table.h"
#include "ui/runs/compare_view.h"
#include "ui/runs/run_detail_panel.h"
#include "ui/runs/run_format.h"
#include "ui/runs/runs_page.h"
#include "ui/runs/runs_table_model.h"

namespace layerlab::ui {
namespace {

using storage::RunStatus;
using testing::child;
using testing::columnTexts;
using testing::editAndWait;
using testing::TestStore;
using testing::withStoreCatalog;
using Column = RunsTableModel::Column;

// Three classes; row = true class. Class "b" is never predicted.
const std::vector<std::string> kLabels = {"a", "b", "c"};
const std::vector<int64_t> kCounts = {8, 0, 2,  //
                                      3, 0, 1,  //
                                      0, 0, 6};

class RunsPlaceFrictionTest : public ::testing::Test {
 protected:
  void open(RunsPage& page) {
    withStoreCatalog(page, m_writeOptions);
    page.resize(1100, 800);
    page.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&page));
  }
  void saveMatrix(int64_t runId, const std::vector<int64_t>& counts) {
    storage::RunStore(m_store.path().toStdString())
        .saveConfusionMatrix(runId, "test", kLabels, counts);
  }
  QStringList visibleTabBars(const QWidget& page) const {
    QStringList shown;
    for (const QTabBar* bar : page.findChildren<QTabBar*>())
      if (bar->isVisible()) shown << bar->parentWidget()->objectName();
    return shown;
  }

  TestStore m_store;
  storage::StoreOptions m_writeOptions;
};

TEST_F(RunsPlaceFrictionTest, AnEditTheLockedStoreRefusesSaysSoAndLeavesTheList) {
  const int64_t id = m_store.addRun({"mlp-sgd", RunStatus::Completed, 2, 0.8, {}});
  m_writeOptions.busyTimeoutMs = 100;
  RunsPage page(m_store.path());
  open(page);
  // Another program holds the store's write lock for as long as the edit waits.
  storage::Database holder(m_store.path().toStdString());
  auto lock = std::make_unique<storage::WriteTransaction>(holder);
  const QString error = editAndWait(page, [&] { return page.renameRun(id, "renamed"); });
  EXPECT_FALSE(error.isEmpty());
  EXPECT_TRUE(error.contains(QStringLiteral("Rename failed"))) << error.toStdString();
  EXPECT_EQ(page.editErrorText(), error);
  auto* table = child<QTableView>(page, "runsTable");
  EXPECT_EQ(columnTexts(*table->model(), Column::NameColumn), QStringList{"mlp-sgd"});

  lock.reset();  // the lock is released: the same edit now goes through and the message goes
  EXPECT_EQ(editAndWait(page, [&] { return page.renameRun(id, "renamed"); }), QString());
  EXPECT_EQ(columnTexts(*table->model(), Column::NameColumn), QStringList{"renamed"});
  EXPECT_TRUE(page.editErrorText().isEmpty());
}

TEST_F(RunsPlaceFrictionTest, APausedRunSaysPausedAndItsDurationStandsStill) {
  // A writer of its own owns the running run, as the training job does.
  storage::RunStore writer(m_store.path().toStdString());
  storage::NewRun run;
  run.name = "training";
  run.modelJson = R"({"format":"layerlab.model","version":1})";
  const int64_t id = writer.createRun(run);
  RunsPage page(m_store.path());
  open(page);
  auto* model = page.findChild<RunsTableModel*>();
  ASSERT_NE(model, nullptr);
  double now = static_cast<double>(QDateTime::currentMSecsSinceEpoch()) / 1000.0 + 60.0;
  model->setClock([&now] { return now; });
  auto status = [&] { return model->index(0, Column::StatusColumn).data().toString(); };
  auto duration = [&] { return runDuration(model->runs().front(), now); };
  EXPECT_EQ(status(), "Running");

  writer.setPaused(id, true);
  ASSERT_TRUE(testing::waitUntil([&] { return status() == "Paused"; }));
  ASSERT_TRUE(model->runs().front().pausedAt.has_value());
  const std::optional<double> atPause = duration();
  now += 3600.0;  // an hour in a pause adds nothing
  EXPECT_EQ(duration(), atPause);
  EXPECT_EQ(model->index(0, Column::DurationColumn).data().toString(), formatDuration(atPause));

  writer.setPaused(id, false);
  ASSERT_TRUE(testing::waitUntil([&] { return status() == "Running"; }));
  EXPECT_GT(model->runs().front().pausedSeconds, 0.0);
  const storage::RunSummary& resumed = model->runs().front();
  EXPECT_DOUBLE_EQ(*duration(), now - resumed.startedAt - resumed.pausedSeconds)
      << "the pause is not counted once it is over";
  EXPECT_LT(*duration(), now - resumed.startedAt);
}

TEST_F(RunsPlaceFrictionTest, NoStrayTabBarSitsOverTheHeading) {
  m_store.addRun({"mlp-sgd", RunStatus::Completed, 2, 0.8, {}});
  RunsPage page(m_store.path());
  open(page);
  EXPECT_EQ(visibleTabBars(page), QStringList());
  // Nor in the error state.
  page.openStore(QStringLiteral("/proc/version"));
  ASSERT_FALSE(page.errorText().isEmpty());
  EXPECT_EQ(visibleTabBars(page), QStringList());
}

TEST_F(RunsPlaceFrictionTest, AFirstStartOpensOnTheDataAndSuggestsTheWindowFirst) {
  MainWindow window(m_store.path());
  withStoreCatalog(window);
  window.show();
  ASSERT_TRUE(QTest::qWaitForWindowExposed(&window));
  EXPECT_EQ(window.currentPlace(), Place::Data);
  const QString body = child<QLabel>(window, "runsEmptyBody")->text();
  EXPECT_TRUE(body.contains(QStringLiteral("Data"))) << body.toStdString();
  EXPECT_FALSE(body.contains(QStringLiteral("layerlab-cli"))) << body.toStdString();
  EXPECT_TRUE(child<QLabel>(window, "runsEmptyHint")->text().contains("layerlab-cli"));

  // With a run in the store, the window opens on Runs as before.
  m_store.addRun({"mlp-sgd", RunStatus::Completed, 2, 0.8, {}});
  MainWindow again(m_store.path());
  withStoreCatalog(again);
  EXPECT_EQ(again.currentPlace(), Place::Runs);
}

TEST_F(RunsPlaceFrictionTest, TheDetailShowsPrecisionRecallAndF1PerClass) {
  const int64_t id = m_store.addRun({"mlp-sgd", RunStatus::Completed, 2, 0.7, {}});
  saveMatrix(id, kCounts);
  RunsPage page(m_store.path());
  open(page);
  page.showRunDetail(id);
  auto* table = page.findChild<ClassMetricsTable*>();
  ASSERT_NE(table, nullptr);
  ASSERT_EQ(table->rowCount(), 3);
  auto cell = [&](int row, int column) { return table->item(row, column)->text(); };
  // a: 8 right of 11 predicted, 8 of 10 found; b: never predicted; c: 6 of 9, 6 of 6.
  EXPECT_EQ(cell(0, ClassMetricsTable::ClassColumn), "a");
  EXPECT_EQ(cell(0, ClassMetricsTable::PrecisionColumn), "0.727");
  EXPECT_EQ(cell(0, ClassMetricsTable::RecallColumn), "0.800");
  EXPECT_EQ(cell(0, ClassMetricsTable::F1Column), "0.762");
  EXPECT_EQ(cell(0, ClassMetricsTable::SupportColumn), "10");
  EXPECT_EQ(cell(1, ClassMetricsTable::PrecisionColumn), QStringLiteral("\u2014"));
  EXPECT_EQ(cell(1, ClassMetricsTable::RecallColumn), "0.000");
  EXPECT_EQ(cell(1, ClassMetricsTable::SupportColumn), "4");
  EXPECT_EQ(cell(2, ClassMetricsTable::PrecisionColumn), "0.667");
  EXPECT_EQ(cell(2, ClassMetricsTable::RecallColumn), "1.000");
  EXPECT_EQ(cell(2, ClassMetricsTable::SupportColumn), "6");
}

TEST_F(RunsPlaceFrictionTest, AnIncompleteFilterFiltersNothingAndSaysWhy) {
  m_store.addRun({"alpha", RunStatus::Completed, 2, 0.8, {}});
  m_store.addRun({"beta", RunStatus::Completed, 2, 0.8, {}});
  RunsPage page(m_store.path());
  open(page);
  auto* table = child<QTableView>(page, "runsTable");
  auto* filter = child<QLineEdit>(page, "runsFilter");
  QTest::keyClicks(filter, "alpha");
  EXPECT_EQ(columnTexts(*table->model(), Column::NameColumn), QStringList{"alpha"});
  QTest::keyClicks(filter, " lr<");
  EXPECT_EQ(table->model()->rowCount(), 2) << "half a condition must not filter";
  EXPECT_FALSE(page.filterError().isEmpty());
  EXPECT_TRUE(filter->styleSheet().contains(QStringLiteral("border")))
      << filter->styleSheet().toStdString();
  EXPECT_TRUE(filter->toolTip().contains(page.filterError())) << filter->toolTip().toStdString();
  QTest::keyClicks(filter, "0.5");  // complete again: it filters, and the complaint goes
  EXPECT_TRUE(page.filterError().isEmpty());
  EXPECT_TRUE(filter->styleSheet().isEmpty());
}

TEST_F(RunsPlaceFrictionTest, TheConfusionDifferenceNamesWhichRunIsSubtracted) {
  const int64_t first = m_store.addRun({"baseline", RunStatus::Completed, 2, 0.7, {}});
  const int64_t second = m_store.addRun({"wider", RunStatus::Completed, 2, 0.8, {}});
  saveMatrix(first, kCounts);
  saveMatrix(second, {9, 0, 1, 2, 1, 1, 0, 0, 6});
  RunsPage page(m_store.path());
  open(page);
  page.compareRuns({first, second});
  const CompareView& view = *page.compareView();
  const QString caption = view.confusionCaption();
  EXPECT_TRUE(caption.contains(QStringLiteral("A \u2212 B"))) << caption.toStdString();
  EXPECT_TRUE(caption.contains(QStringLiteral("A = run %1 wider").arg(second)))
      << caption.toStdString();
  EXPECT_TRUE(caption.contains(QStringLiteral("B = run %1 baseline").arg(first)))
      << caption.toStdString();
  EXPECT_EQ(view.confusionTable()->item(0, 0)->text(), "+1");  // A's 9 against B's 8
  auto* tabs = view.findChild<QTabWidget*>(QStringLiteral("compareTabs"));
  EXPECT_TRUE(tabs->tabText(3).contains(QStringLiteral("A \u2212 B")));
}

}  // namespace
}  // namespace layerlab::ui
