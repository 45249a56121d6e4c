// The `layerlab` desktop application.
//
//   layerlab [--db FILE] [--place data|model|train|runs|experiments] [--model FILE] [--run ID]
//            [--compare ID,ID,...] [--train-slice N] [--screenshot FILE.png] [--first-paint]
//
// --run opens a stored run's detail in the Runs place; --compare selects runs there and compares
// them. --train-slice starts a 3-epoch run of the
// chosen template on the first N Fashion-MNIST images in the Train place (a demonstration; with
// --screenshot the picture is taken when it has finished).
// --screenshot renders the window once it is shown and laid out, saves it, and quits; it uses a
// fixed window size and leaves the user's saved settings alone, so the picture depends only on
// the store and the version.
// Errors follow app/core/error_policy.h: GuardedApplication catches what leaves an event handler
// and shows it; std::terminate prints a line instead of aborting.
// --first-paint prints how long the start took, from main() and by the monotonic clock, once the
// window has painted for the first time, and quits (bench/run times the start with it).
#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QScreen>
#include <QTimer>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <vector>

#include "app/core/error_policy.h"
#include "app/gui/guarded_application.h"
#include "app/gui/run_tools_impl.h"
#include "app/gui/store_run_catalog.h"
#include "app/gui/training_session.h"
#include "app/version.h"
#include "storage/run_query.h"
#include "ui/data/data_page.h"
#include "ui/editor/model_page.h"
#include "ui/experiments/experiments_page.h"
#include "ui/main_window.h"
#include "ui/place.h"
#include "ui/runs/runs_page.h"
#include "ui/training/train_page.h"

namespace {

using layerlab::ui::Place;

struct GuiOptions {
  QString storePath;
  std::optional<Place> place;
  QString screenshotPath;
  qint64 runId = 0;
  std::vector<int64_t> compareIds;
  int trainSlice = 0;
  QString modelPath;
  bool firstPaint = false;
};

// Parses the command line; prints the problem and returns nullopt when it is not usable.
std::optional<GuiOptions> parseOptions(const QApplication& app) {
  QCommandLineParser parser;
  parser.setApplicationDescription(
      QCoreApplication::translate("main", "LayerLab: a desktop workbench for deep learning."));
  parser.addHelpOption();
  parser.addVersionOption();
  const QCommandLineOption db(QStringLiteral("db"),
                              QCoreApplication::translate("main", "The run store to open."),
                              QStringLiteral("FILE"));
  const QCommandLineOption place(
      QStringLiteral("place"),
      QCoreApplication::translate("main",
                                  "The place to show: data, model, train, runs or experiments."),
      QStringLiteral("PLACE"));
  const QCommandLineOption screenshot(
      QStringLiteral("screenshot"),
      QCoreApplication::translate("main", "Save a picture of the window to FILE and quit."),
      QStringLiteral("FILE"));
  const QCommandLineOption run(
      QStringLiteral("run"),
      QCoreApplication::translate("main", "Open the stored run ID in the Runs place."),
      QStringLiteral("ID"));
  const QCommandLineOption compare(
      QStringLiteral("compare"),
      QCoreApplication::translate("main", "Compare the stored runs IDS (comma-separated)."),
      QStringLiteral("IDS"));
  const QCommandLineOption trainSlice(
      QStringLiteral("train-slice"),
      QCoreApplication::translate("main", "Start a short demonstration run on N images."),
      QStringLiteral("N"));
  const QCommandLineOption model(
      QStringLiteral("model"),
      QCoreApplication::translate("main", "Open a *.layerlab.json model in the Model place."),
      QStringLiteral("FILE"));
  const QCommandLineOption firstPaint(
      QStringLiteral("first-paint"),
      QCoreApplication::translate("main", "Print the start-up time at the first paint and quit."));
  parser.addOptions({db, place, screenshot, run, compare, trainSlice, model, firstPaint});
  parser.process(app);

  GuiOptions options;
  options.storePath = parser.isSet(db)
                          ? parser.value(db)
                          : QString::fromStdString(layerlab::storage::defaultStorePath());
  options.screenshotPath = parser.value(screenshot);
  options.runId = parser.value(run).toLongLong();
  for (const QString& id : parser.value(compare).split(QLatin1Char(','), Qt::SkipEmptyParts))
    options.compareIds.push_back(id.toLongLong());
  options.trainSlice = parser.value(trainSlice).toInt();
  options.modelPath = parser.value(model);
  options.firstPaint = parser.isSet(firstPaint);
  if (parser.isSet(place)) {
    options.place = layerlab::ui::parsePlace(parser.value(place));
    if (!options.place) {
      std::fprintf(stderr,
                   "layerlab: unknown place '%s' (use data, model, train, runs or experiments)\n",
                   qPrintable(parser.value(place)));
      return std::nullopt;
    }
  }
  return options;
}

// Saves the window as it is drawn now and ends the event loop with the outcome.
void saveScreenshot(QWidget& window, const QString& path) {
  // Layouts settle in a chain of posted requests (child, parent, window): let them all run.
  for (int round = 0; round < 3; ++round)
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
  const bool saved = window.grab().save(path);
  if (!saved) std::fprintf(stderr, "layerlab: could not write %s\n", qPrintable(path));
  QCoreApplication::exit(saved ? 0 : 1);
}

// Watches the application's paint events; after the first one of `window` has been handled,
// prints the time since `sinceMain` started and the monotonic clock, then quits.
class FirstPaintReporter : public QObject {
 public:
  FirstPaintReporter(QWidget* window, const QElapsedTimer& sinceMain)
      : QObject(window), m_window(window), m_sinceMain(sinceMain) {}

  bool eventFilter(QObject* watched, QEvent* event) override {
    if (m_seen || event->type() != QEvent::Paint || !watched->isWidgetType() ||
        static_cast<QWidget*>(watched)->window() != m_window)
      return false;
    m_seen = true;
    QTimer::singleShot(0, this, [this] {  // after the whole frame is drawn
      QElapsedTimer now;
      now.start();
      std::printf("first_paint_ms=%.1f\nfirst_paint_clock_ms=%lld\n",
                  static_cast<double>(m_sinceMain.nsecsElapsed()) / 1e6,
                  static_cast<long long>(now.msecsSinceReference()));
      std::fflush(stdout);
      QCoreApplication::exit(0);
    });
    return false;
  }

 private:
  QWidget* m_window;
  QElapsedTimer m_sinceMain;
  bool m_seen = false;
};

// Qt aborts with a long plugin message when there is no display; say it plainly instead.
bool haveDisplay() {
  for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return true;
  }
  return false;
}

// The Runs place lists the store's runs through a catalog and exports and tries them through
// `runTools`, which is pointed at the page's store whenever the page reloads it.
void setUpRunsPage(layerlab::ui::MainWindow& window, layerlab::app::RunToolsImpl& runTools) {
  auto* runsPage = window.findChild<layerlab::ui::RunsPage*>();
  runsPage->setCatalog(std::make_unique<layerlab::app::StoreRunCatalog>());
  runsPage->setRunTools(&runTools);
  QObject::connect(runsPage, &layerlab::ui::RunsPage::runsReloaded, runsPage,
                   [&runTools, runsPage] {
                     runTools.setStorePath(QFile::encodeName(runsPage->storePath()).toStdString());
                   });
}

// The window's size and place before it is shown. A screenshot leaves the user's saved settings
// alone, so the picture depends only on the store and the version.
void applyWindowOptions(layerlab::ui::MainWindow& window, const GuiOptions& options) {
  if (!options.screenshotPath.isEmpty()) {
    // The whole screen: the script picks the screen size (1280×720, 1920×1080).
    window.resize(window.screen()->availableSize());
  } else {
    window.restoreSettings();
  }
  if (options.place) window.showPlace(*options.place);
}

// Opens the model file, the run and the comparison the command line names, in that order;
// false when the model file cannot be opened.
bool openRequested(layerlab::ui::MainWindow& window, const GuiOptions& options) {
  if (!options.modelPath.isEmpty()) {
    window.showPlace(layerlab::ui::Place::Model);
    if (!window.modelPage()->openModelFile(options.modelPath)) return false;
  }
  if (options.runId > 0) {
    window.showPlace(layerlab::ui::Place::Runs);
    window.findChild<layerlab::ui::RunsPage*>()->showRunDetail(options.runId);
  }
  if (!options.compareIds.empty()) {
    window.showPlace(layerlab::ui::Place::Runs);
    auto* runs = window.findChild<layerlab::ui::RunsPage*>();
    runs->selectRuns(options.compareIds);
    runs->compareRuns(options.compareIds);
  }
  return true;
}

// --train-slice: a 3-epoch run on the first `trainSlice` images (none when it is 0). True when
// the run started.
bool startDemoRun(layerlab::ui::MainWindow& window, int trainSlice) {
  if (trainSlice <= 0) return false;
  layerlab::ui::TrainPage* page = window.trainPage();
  layerlab::engine::DatasetSpec data;
  data.limit = trainSlice;
  page->setDataset(data);
  layerlab::engine::TrainConfig config = page->trainConfig();
  config.epochs = 3;
  config.logEveryBatches = 5;
  page->setTrainConfig(config);
  window.showPlace(layerlab::ui::Place::Train);
  return page->startTraining();
}

// Saves the window to `path` once it shows what it is meant to: after the demonstration run when
// one is running, after the Data place's preview when that place is still reading it, after the
// Experiments place has read its newest experiment.
void grabWhenReady(layerlab::ui::MainWindow& window, const QString& path, bool demoRunning) {
  // A zero timer fires once the event loop has handled what show() queued (layout, polish),
  // so the grab sees the finished window; the Data place first finishes reading its preview.
  auto grabSoon = [&window, path] {
    QTimer::singleShot(0, &window, [&window, path] { saveScreenshot(window, path); });
  };
  if (demoRunning) {
    QObject::connect(window.trainPage(), &layerlab::ui::TrainPage::trainingFinished, &window,
                     grabSoon, Qt::SingleShotConnection);
  } else if (window.currentPlace() == layerlab::ui::Place::Experiments) {
    auto* page = window.experimentsPage();
    auto shown = std::make_shared<QMetaObject::Connection>();
    *shown = QObject::connect(page, &layerlab::ui::ExperimentsPage::refreshed, &window,
                              [page, shown, grabSoon] {
                                const auto& snapshot = page->snapshot();
                                if (!snapshot.selected && !snapshot.experiments.empty()) return;
                                QObject::disconnect(*shown);
                                grabSoon();
                              });
  } else if (window.dataPage()->loading() && window.currentPlace() == layerlab::ui::Place::Data) {
    QObject::connect(window.dataPage(), &layerlab::ui::DataPage::previewReady, &window, grabSoon,
                     Qt::SingleShotConnection);
  } else {
    grabSoon();
  }
}

}  // namespace

int main(int argc, char** argv) {
  QElapsedTimer sinceMain;
  sinceMain.start();
  if (!haveDisplay()) {
    std::fprintf(stderr,
                 "layerlab: no display (DISPLAY is not set). Start it from a desktop session, "
                 "under xvfb-run, or with QT_QPA_PLATFORM=offscreen.\n");
    return 1;
  }
  layerlab::app::installTerminateHandler("layerlab");
  layerlab::app::GuardedApplication app(argc, argv);
  QCoreApplication::setOrganizationName(QStringLiteral("LayerLab"));
  QCoreApplication::setApplicationName(QStringLiteral("LayerLab"));
  QCoreApplication::setApplicationVersion(QString::fromUtf8(layerlab::kAppVersion));

  const std::optional<GuiOptions> options = parseOptions(app);
  if (!options) return 2;

  // Export and "Try It" in the Runs place; they follow the store the window has open. Made before
  // the window, which waits for their work when it closes.
  layerlab::app::RunToolsImpl runTools(options->storePath.toStdString());
  layerlab::ui::MainWindow window(options->storePath);
  layerlab::app::TrainingSession session;
  window.trainPage()->setBackend(&session);
  setUpRunsPage(window, runTools);
  window.setDevice(session.deviceDescription());
  const bool takingScreenshot = !options->screenshotPath.isEmpty();
  applyWindowOptions(window, *options);
  if (options->firstPaint) app.installEventFilter(new FirstPaintReporter(&window, sinceMain));
  window.show();
  if (!openRequested(window, *options)) return 2;
  const bool demoRunning = startDemoRun(window, options->trainSlice);
  if (takingScreenshot) grabWhenReady(window, options->screenshotPath, demoRunning);
  return app.exec();
}
