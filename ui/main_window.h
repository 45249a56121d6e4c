// The application window: a navigation list on the left choosing one of the places (Data,
// Model, Train, Runs, Experiments), a menu bar, and a status bar naming the store and the compute
// device.
//
// Threads: GUI thread only.
#pragma once

#include <QMainWindow>
#include <QString>

#include <array>

#include "ui/place.h"

class QAction;
class QMenu;
class QLabel;
class QListWidget;
class QStackedWidget;

namespace layerlab::ui {

class DataPage;
class ExperimentsPage;
class ModelPage;
class RunsPage;
class TrainPage;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  // Opens the run store at `storePath` for the Runs place. A store that cannot be opened does
  // not stop the window: the Runs place says why.
  explicit MainWindow(const QString& storePath, QWidget* parent = nullptr);
  ~MainWindow() override;

  // The device training runs on, shown in the status bar ("Device: CPU").
  void setDevice(const QString& device);
  QString device() const { return m_device; }

  // Switches the Runs place (and the status bar) to the store at `path`.
  void openStore(const QString& path);
  QString storePath() const;

  DataPage* dataPage() const { return m_dataPage; }
  TrainPage* trainPage() const { return m_trainPage; }
  ModelPage* modelPage() const { return m_modelPage; }
  ExperimentsPage* experimentsPage() const { return m_experimentsPage; }

  // Opens a data file or folder in the Data place (as File ▸ Open Data and a drop do).
  bool openData(const QString& path);
  // Data files opened lately, newest first, those that no longer exist left out.
  QStringList recentFiles() const;

  void showPlace(Place place);
  Place currentPlace() const;

  // Restores the window geometry and the last place from QSettings and saves them again when the
  // window closes. Without this call the window leaves the user's settings alone, which is what
  // screenshots and tests want.
  void restoreSettings();

 Q_SIGNALS:
  void placeChanged(layerlab::ui::Place place);

 protected:
  // With a run training, asks whether to stop it; if so the window closes once the run has
  // stopped and is stored as cancelled.
  void closeEvent(QCloseEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void buildPlaces(const QString& storePath);
  void connectModelPlace();
  void connectDataPlace();
  void connectRunsPlace();
  void connectExperimentsPlace();
  QWidget* buildNavigation();
  void buildMenus();
  void buildStatusBar();
  void showStorePath();
  void onPlaceRowChanged(int row);
  void chooseStore();
  void showAbout();
  void saveSettings() const;
  void rememberRecentFile(const QString& path);
  void fillRecentMenu();

  QString m_device;
  bool m_savesSettings = false;
  bool m_closingAfterStop = false;
  QListWidget* m_placeList = nullptr;
  QStackedWidget* m_placeStack = nullptr;
  RunsPage* m_runsPage = nullptr;
  DataPage* m_dataPage = nullptr;
  TrainPage* m_trainPage = nullptr;
  ModelPage* m_modelPage = nullptr;
  ExperimentsPage* m_experimentsPage = nullptr;
  QMenu* m_recentMenu = nullptr;
  QLabel* m_storeLabel = nullptr;
  QLabel* m_deviceLabel = nullptr;
  std::array<QAction*, kAllPlaces.size()> m_placeActions{};
};

}  // namespace layerlab::ui
