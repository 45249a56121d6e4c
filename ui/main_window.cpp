#include "ui/main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QScreen>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTimer>
#include <QUrl>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/data/data_page.h"
#include "ui/editor/model_page.h"
#include "ui/experiments/experiments_page.h"
#include "ui/help_dialog.h"
#include "ui/runs/runs_page.h"
#include "ui/training/train_page.h"

namespace layerlab::ui {
namespace {

constexpr int kNavigationWidth = 176;
constexpr int kNavigationRowHeight = 40;
constexpr int kStoreLabelMaxWidth = 640;
const QSize kDefaultWindowSize(1180, 760);

const QString kGeometryKey = QStringLiteral("window/geometry");
const QString kPlaceKey = QStringLiteral("window/place");
const QString kRecentKey = QStringLiteral("data/recentFiles");
constexpr int kMaxRecentFiles = 10;

}  // namespace

MainWindow::MainWindow(const QString& storePath, QWidget* parent)
    : QMainWindow(parent), m_device(tr("CPU")) {
  setObjectName(QStringLiteral("mainWindow"));
  setAcceptDrops(true);
  buildPlaces(storePath);

  auto* divider = new QFrame(this);
  divider->setFrameShape(QFrame::VLine);
  divider->setFrameShadow(QFrame::Sunken);

  auto* central = new QWidget(this);
  auto* layout = new QHBoxLayout(central);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addWidget(buildNavigation());
  layout->addWidget(divider);
  layout->addWidget(m_placeStack, 1);
  setCentralWidget(central);

  buildMenus();
  buildStatusBar();
  // Never larger than the screen: a 1280×720 display shows the whole window.
  resize(kDefaultWindowSize.boundedTo(screen()->availableSize()));
  // Runs is the place with something in it from the first launch on.
  showPlace(Place::Runs);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildPlaces(const QString& storePath) {
  m_placeStack = new QStackedWidget(this);
  m_placeStack->setObjectName(QStringLiteral("placeStack"));
  m_runsPage = new RunsPage(storePath, m_placeStack);
  m_dataPage = new DataPage(m_placeStack);
  m_trainPage = new TrainPage(m_placeStack);
  m_trainPage->setStorePath(storePath);
  m_modelPage = new ModelPage(m_placeStack);
  m_experimentsPage = new ExperimentsPage(storePath, m_placeStack);
  // Added in Place order: a place's index is its page's index.
  for (QWidget* page : std::initializer_list<QWidget*>{m_dataPage, m_modelPage, m_trainPage,
                                                       m_runsPage, m_experimentsPage})
    m_placeStack->addWidget(page);
  connectModelPlace();
  connectDataPlace();
  connectRunsPlace();
  connectExperimentsPlace();
}

void MainWindow::connectModelPlace() {
  m_trainPage->setEditorModel(m_modelPage->currentModel());
  connect(m_modelPage, &ModelPage::modelChanged, this,
          [this] { m_trainPage->setEditorModel(m_modelPage->currentModel()); });
  // The model being drawn is the window's document: its name, file and unsaved mark.
  auto retitle = [this] {
    setWindowTitle(m_modelPage->documentTitle() + QStringLiteral(" \u2014 LayerLab"));
    setWindowModified(m_modelPage->hasUnsavedChanges());
  };
  connect(m_modelPage, &ModelPage::documentTitleChanged, this, retitle);
  retitle();
  connect(m_modelPage, &ModelPage::trainRequested, this, [this] {
    m_trainPage->useEditorModel();
    showPlace(Place::Train);
  });
}

void MainWindow::connectDataPlace() {
  m_trainPage->setDataset(m_dataPage->datasetSpec());
  connect(m_dataPage, &DataPage::datasetChanged, m_trainPage, &TrainPage::setDataset);
  // The batch size suits the data's size once the preview says how many rows it has.
  const auto suggestBatch = [this] {
    if (m_dataPage->loading()) return;
    m_trainPage->setSuggestedBatchSize(m_dataPage->suggestedBatchSize(),
                                       m_dataPage->batchSizeHint());
  };
  connect(m_dataPage, &DataPage::datasetChanged, this, suggestBatch);
  connect(m_dataPage, &DataPage::previewReady, this, suggestBatch);
  // The model's input follows the data once its preview says what one sample looks like.
  connect(m_dataPage, &DataPage::previewReady, this, [this] {
    const engine::Shape shape = m_dataPage->sampleShape();
    if (!shape.empty())
      m_modelPage->setDataShape(shape, static_cast<int>(m_dataPage->classNames().size()));
  });
  connect(m_dataPage, &DataPage::fileOpened, this, &MainWindow::rememberRecentFile);
}

void MainWindow::connectRunsPlace() {
  auto trainAgain = [this](bool resume) {
    return [this, resume](qint64 runId, const QString& model, const QString& dataset,
                          const QString& config) {
      showPlace(Place::Train);
      m_trainPage->rerun(runId, model, dataset, config, resume);
    };
  };
  connect(m_runsPage, &RunsPage::rerunRequested, this, trainAgain(false));
  connect(m_runsPage, &RunsPage::resumeRequested, this, trainAgain(true));
  connect(m_runsPage, &RunsPage::openModelRequested, this,
          [this](qint64 runId, const QString& modelJson) {
            if (m_modelPage->openRunModel(runId, modelJson)) showPlace(Place::Model);
          });
  connect(m_trainPage, &TrainPage::trainingFinished, this, [this] {
    if (m_closingAfterStop) close();
  });
  // A first start has no runs to show: it opens where a first run begins, on the data.
  connect(
      m_runsPage, &RunsPage::runsReloaded, this,
      [this](int runs) {
        if (runs == 0 && currentPlace() == Place::Runs) showPlace(Place::Data);
      },
      Qt::SingleShotConnection);
}

QWidget* MainWindow::buildNavigation() {
  m_placeList = new QListWidget(this);
  m_placeList->setObjectName(QStringLiteral("placeList"));
  m_placeList->setIconSize(QSize(24, 24));
  m_placeList->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  // The list sits on the window colour, not the white of an input field, so it reads as
  // navigation rather than as data; the padding keeps the icons off the highlight's edge.
  m_placeList->setStyleSheet(QStringLiteral(
      "QListWidget#placeList { background: palette(window); border: none; outline: none; }"
      "QListWidget#placeList::item { padding: 0px 8px; border-radius: 5px; }"
      "QListWidget#placeList::item:selected {"
      "  background: palette(highlight); color: palette(highlighted-text); }"
      "QListWidget#placeList::item:hover:!selected { background: palette(midlight); }"));

  QFont font = m_placeList->font();
  font.setPointSizeF(font.pointSizeF() * 1.08);
  for (Place place : kAllPlaces) {
    auto* item = new QListWidgetItem(placeIcon(place), placeTitle(place), m_placeList);
    item->setSizeHint(QSize(0, kNavigationRowHeight));
    item->setFont(font);
  }
  connect(m_placeList, &QListWidget::currentRowChanged, this, &MainWindow::onPlaceRowChanged);

  auto* panel = new QWidget(this);
  panel->setFixedWidth(kNavigationWidth);
  auto* layout = new QVBoxLayout(panel);
  layout->setContentsMargins(8, 12, 8, 8);
  layout->addWidget(m_placeList);
  return panel;
}

void MainWindow::buildMenus() {
  QMenu* fileMenu = menuBar()->addMenu(tr("&File"));
  QAction* openDataAction = fileMenu->addAction(tr("Open &Data\u2026"), this, [this] {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open data"), QString(),
        tr("Data (*.csv *.tsv *.txt *.gz *idx*-ubyte);;All files (*)"));
    if (!path.isEmpty()) openData(path);
  });
  openDataAction->setObjectName(QStringLiteral("openDataAction"));
  openDataAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
  m_recentMenu = fileMenu->addMenu(tr("Open &Recent"));
  m_recentMenu->setObjectName(QStringLiteral("recentMenu"));
  connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
  QAction* openStore = fileMenu->addAction(tr("&Open Store\u2026"), this, &MainWindow::chooseStore);
  openStore->setObjectName(QStringLiteral("openStoreAction"));
  openStore->setShortcut(QKeySequence::Open);
  fileMenu->addSeparator();
  QAction* quit = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setObjectName(QStringLiteral("quitAction"));
  quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
  quit->setMenuRole(QAction::QuitRole);

  QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
  auto* placeGroup = new QActionGroup(this);
  for (Place place : kAllPlaces) {
    const int index = placeIndex(place);
    QAction* action = viewMenu->addAction(placeIcon(place), placeTitle(place));
    action->setObjectName(QStringLiteral("view%1Action").arg(placeTitle(place)));
    action->setCheckable(true);
    action->setShortcut(QKeySequence(Qt::CTRL | static_cast<Qt::Key>(Qt::Key_1 + index)));
    action->setActionGroup(placeGroup);
    connect(action, &QAction::triggered, this, [this, place] { showPlace(place); });
    m_placeActions[static_cast<std::size_t>(index)] = action;
  }

  QMenu* helpMenu = menuBar()->addMenu(tr("&Help"));
  auto showHelp = [this](HelpPage page) {
    auto* dialog = new HelpDialog(page, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
  };
  helpMenu
      ->addAction(tr("&Getting Started"), this, [showHelp] { showHelp(HelpPage::GettingStarted); })
      ->setObjectName(QStringLiteral("gettingStartedAction"));
  helpMenu
      ->addAction(tr("&Keyboard Shortcuts"), this, [showHelp] { showHelp(HelpPage::Shortcuts); })
      ->setObjectName(QStringLiteral("shortcutsAction"));
  helpMenu->addSeparator();
  QAction* about = helpMenu->addAction(tr("&About LayerLab"), this, &MainWindow::showAbout);
  about->setObjectName(QStringLiteral("aboutAction"));
  about->setMenuRole(QAction::AboutRole);
}

void MainWindow::buildStatusBar() {
  m_storeLabel = new QLabel(this);
  m_storeLabel->setObjectName(QStringLiteral("storeLabel"));
  // A long path must not set the window's minimum width; it is elided instead.
  m_storeLabel->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
  m_deviceLabel = new QLabel(this);
  m_deviceLabel->setObjectName(QStringLiteral("deviceLabel"));
  statusBar()->setContentsMargins(6, 0, 6, 0);
  statusBar()->addWidget(m_storeLabel, 1);
  statusBar()->addPermanentWidget(m_deviceLabel);
  showStorePath();
  setDevice(m_device);
}

void MainWindow::setDevice(const QString& device) {
  m_device = device;
  m_deviceLabel->setText(tr("Device: %1").arg(device));
}

void MainWindow::openStore(const QString& path) {
  m_runsPage->openStore(path);
  m_trainPage->setStorePath(path);
  m_experimentsPage->openStore(path);
  showStorePath();
}

void MainWindow::showStorePath() {
  const QString shown = QDir::toNativeSeparators(storePath());
  const QString text = tr("Store: %1").arg(shown);
  m_storeLabel->setText(
      m_storeLabel->fontMetrics().elidedText(text, Qt::ElideMiddle, kStoreLabelMaxWidth));
  m_storeLabel->setToolTip(shown);
}

QString MainWindow::storePath() const {
  return m_runsPage->storePath();
}

void MainWindow::showPlace(Place place) {
  m_placeList->setCurrentRow(placeIndex(place));
}

Place MainWindow::currentPlace() const {
  return kAllPlaces[m_placeStack->currentIndex()];
}

void MainWindow::onPlaceRowChanged(int row) {
  if (row < 0 || row >= static_cast<int>(kAllPlaces.size())) return;
  m_placeStack->setCurrentIndex(row);
  m_placeActions[static_cast<std::size_t>(row)]->setChecked(true);
  Q_EMIT placeChanged(kAllPlaces[static_cast<std::size_t>(row)]);
}

void MainWindow::chooseStore() {
  const QString start = QFileInfo(storePath()).absolutePath();
  const QString path = QFileDialog::getOpenFileName(this, tr("Open Store"), start,
                                                    tr("LayerLab stores (*.db);;All files (*)"));
  if (path.isEmpty()) return;
  openStore(path);
  showPlace(Place::Runs);
}

void MainWindow::showAbout() {
  const QString text =
      tr("<h3>LayerLab %1</h3>"
         "<p>A desktop workbench for deep-learning experiments: load a dataset, draw a network, "
         "train it, and keep every run in one store.</p>"
         "<p>Store: %2<br>Device: %3</p>")
          .arg(QCoreApplication::applicationVersion().toHtmlEscaped(),
               QDir::toNativeSeparators(storePath()).toHtmlEscaped(), m_device.toHtmlEscaped());
  QMessageBox::about(this, tr("About LayerLab"), text);
}

bool MainWindow::openData(const QString& path) {
  showPlace(Place::Data);
  return m_dataPage->openPath(path);
}

QStringList MainWindow::recentFiles() const {
  QStringList files = QSettings().value(kRecentKey).toStringList();
  files.erase(std::remove_if(files.begin(), files.end(),
                             [](const QString& f) { return !QFileInfo::exists(f); }),
              files.end());
  return files;
}

void MainWindow::rememberRecentFile(const QString& path) {
  QStringList files = recentFiles();
  files.removeAll(path);
  files.prepend(path);
  while (files.size() > kMaxRecentFiles)
    files.removeLast();
  QSettings().setValue(kRecentKey, files);
}

void MainWindow::fillRecentMenu() {
  m_recentMenu->clear();
  const QStringList files = recentFiles();
  for (const QString& file : files) {
    m_recentMenu->addAction(QDir::toNativeSeparators(file), this, [this, file] { openData(file); });
  }
  if (files.isEmpty()) m_recentMenu->addAction(tr("No recent files"))->setEnabled(false);
  m_recentMenu->addSeparator();
  m_recentMenu->addAction(tr("Clear the List"), this, [] { QSettings().remove(kRecentKey); });
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  if (event->mimeData()->hasUrls() && event->mimeData()->urls().front().isLocalFile())
    event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const QList<QUrl> urls = event->mimeData()->urls();
  if (urls.isEmpty() || !urls.front().isLocalFile()) return;
  event->acceptProposedAction();
  const QString path = urls.front().toLocalFile();
  // After the drop has finished: opening a CSV shows a dialog of its own.
  QTimer::singleShot(0, this, [this, path] { openData(path); });
}

void MainWindow::restoreSettings() {
  const QSettings settings;
  const QByteArray geometry = settings.value(kGeometryKey).toByteArray();
  if (!geometry.isEmpty()) restoreGeometry(geometry);
  if (auto place = parsePlace(settings.value(kPlaceKey).toString())) showPlace(*place);
  m_savesSettings = true;
}

void MainWindow::saveSettings() const {
  QSettings settings;
  settings.setValue(kGeometryKey, saveGeometry());
  settings.setValue(kPlaceKey, placeKey(currentPlace()));
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (m_trainPage->trainingActive()) {
    event->ignore();
    if (m_closingAfterStop) return;  // already stopping; the window closes when it has
    const auto answer = QMessageBox::question(
        this, tr("Quit LayerLab"),
        tr("A run is training. Stop it and quit?\n\nThe run is stored as cancelled with every "
           "epoch it finished."),
        QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Yes) return;
    m_closingAfterStop = true;
    m_trainPage->requestStop();
    return;
  }
  if (!m_modelPage->confirmDiscard()) {
    event->ignore();
    return;
  }
  if (m_savesSettings) saveSettings();
  QMainWindow::closeEvent(event);
}

}  // namespace layerlab::ui
