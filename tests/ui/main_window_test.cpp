#include "ui/main_window.h"
#include "ui/help_dialog.h"

#include <QAction>
#include <QLabel>
#include <QSettings>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTest>

#include <gtest/gtest.h>

#include <memory>

#include "gui_test_support.h"
#include "qt_printers.h"
#include "test_store.h"

namespace layerlab::ui {
namespace {

using testing::child;
using testing::clickPlace;
using testing::TestStore;

class MainWindowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_window = std::make_unique<MainWindow>(m_store.path());
    m_window->show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(m_window.get()));
  }

  QString currentPageName() const {
    return child<QStackedWidget>(*m_window, "placeStack")->currentWidget()->objectName();
  }

  TestStore m_store;
  std::unique_ptr<MainWindow> m_window;
};

TEST_F(MainWindowTest, TitleAndStatusBarNameTheStoreAndTheDevice) {
  // The model being drawn names the window: its name, its file (none yet) and the application.
  EXPECT_EQ(m_window->windowTitle(), QString::fromUtf8("mlp \u2014 not saved[*] \u2014 LayerLab"));
  EXPECT_EQ(child<QLabel>(*m_window, "storeLabel")->text(), "Store: " + m_store.path());
  EXPECT_EQ(child<QLabel>(*m_window, "deviceLabel")->text(), "Device: CPU");
  m_window->setDevice(QStringLiteral("CUDA:0"));
  EXPECT_EQ(child<QLabel>(*m_window, "deviceLabel")->text(), "Device: CUDA:0");
}

TEST_F(MainWindowTest, NavigationListSwitchesBetweenTheFivePlaces) {
  QSignalSpy changed(m_window.get(), &MainWindow::placeChanged);
  const struct {
    Place place;
    const char* page;
    const char* action;
  } places[] = {{Place::Data, "dataPage", "viewDataAction"},
                {Place::Model, "modelPage", "viewModelAction"},
                {Place::Train, "trainPage", "viewTrainAction"},
                {Place::Runs, "runsPage", "viewRunsAction"},
                {Place::Experiments, "experimentsPage", "viewExperimentsAction"}};
  for (const auto& expected : places) {
    clickPlace(*m_window, expected.place);
    EXPECT_EQ(m_window->currentPlace(), expected.place);
    EXPECT_EQ(currentPageName(), expected.page);
    EXPECT_TRUE(child<QAction>(*m_window, expected.action)->isChecked());
  }
  // The window opens on Runs, which is left first: every click is a change.
  EXPECT_EQ(changed.count(), 5);
}

TEST_F(MainWindowTest, ControlDigitShortcutsSwitchPlaces) {
  m_window->activateWindow();
  ASSERT_TRUE(QTest::qWaitForWindowActive(m_window.get()));
  const Place order[] = {Place::Data, Place::Model, Place::Train, Place::Runs, Place::Experiments};
  for (int i = 4; i >= 0; --i) {
    QTest::keyClick(m_window.get(), static_cast<Qt::Key>(Qt::Key_1 + i), Qt::ControlModifier);
    EXPECT_EQ(m_window->currentPlace(), order[i]) << "Ctrl+" << i + 1;
  }
}

TEST_F(MainWindowTest, MenusOfferStoreQuitAndAbout) {
  EXPECT_EQ(child<QAction>(*m_window, "openStoreAction")->text(), "&Open Store\u2026");
  EXPECT_EQ(child<QAction>(*m_window, "aboutAction")->text(), "&About LayerLab");
  QAction* quit = child<QAction>(*m_window, "quitAction");
  EXPECT_EQ(quit->shortcut(), QKeySequence(QStringLiteral("Ctrl+Q")));
  quit->trigger();
  EXPECT_FALSE(m_window->isVisible());
}

TEST_F(MainWindowTest, HelpWalksANewUserThroughThePlacesAndListsTheShortcuts) {
  child<QAction>(*m_window, "gettingStartedAction")->trigger();
  auto* started = child<HelpDialog>(*m_window, "gettingStarted");
  ASSERT_NE(started, nullptr);
  EXPECT_TRUE(started->isVisible());
  EXPECT_FALSE(started->isModal()) << "the user keeps working with it open";
  // The places in the order a first run goes through them, the GUI first and the CLI last.
  const QString text = started->text();
  const qsizetype data = text.indexOf(QStringLiteral("<b>Data</b>"));
  const qsizetype model = text.indexOf(QStringLiteral("<b>Model</b>"));
  const qsizetype train = text.indexOf(QStringLiteral("<b>Train</b>"));
  const qsizetype runs = text.indexOf(QStringLiteral("<b>Runs</b>"));
  EXPECT_TRUE(data >= 0 && data < model && model < train && train < runs);
  EXPECT_GT(text.indexOf(QStringLiteral("layerlab-cli")), runs);
  child<QAction>(*m_window, "shortcutsAction")->trigger();
  auto* keys = child<HelpDialog>(*m_window, "shortcuts");
  ASSERT_NE(keys, nullptr);
  // Every place shortcut the View menu has is listed.
  EXPECT_TRUE(keys->text().contains(QStringLiteral("Ctrl+1")));
  EXPECT_TRUE(
      keys->text().contains(child<QAction>(*m_window, "openStoreAction")->shortcut().toString()));
}

TEST_F(MainWindowTest, NoPlaceShowsPlaceholderText) {
  const auto* train = child<QWidget>(*m_window, "trainPage");
  EXPECT_TRUE(child<QLabel>(*train, "trainStatus")->text().contains("press Start"));
  for (const char* page : {"dataPage", "modelPage", "trainPage"}) {
    const auto* widget = child<QWidget>(*m_window, page);
    const QList<QLabel*> labels = widget->findChildren<QLabel*>();
    EXPECT_GE(labels.size(), 3) << page;
    for (const QLabel* label : labels) {
      EXPECT_FALSE(label->text().contains("TODO", Qt::CaseInsensitive)) << page;
      EXPECT_FALSE(label->text().contains("placeholder", Qt::CaseInsensitive)) << page;
    }
  }
}

TEST(MainWindowSettings, RemembersTheLastPlaceOnlyWhenAskedTo) {
  TestStore store;
  QSettings().clear();
  {
    MainWindow remembering(store.path());
    remembering.restoreSettings();
    remembering.showPlace(Place::Train);
    remembering.close();
  }
  {
    // A window that never restored its settings (a screenshot) must not overwrite them.
    MainWindow forgetful(store.path());
    forgetful.showPlace(Place::Model);
    forgetful.close();
  }
  MainWindow reopened(store.path());
  EXPECT_EQ(reopened.currentPlace(), Place::Runs);
  reopened.restoreSettings();
  EXPECT_EQ(reopened.currentPlace(), Place::Train);
}

}  // namespace
}  // namespace layerlab::ui
