// The `layerlab` desktop application.
//
//   layerlab [--db FILE] [--place data|model|train|runs] [--screenshot FILE.png]
//
// --screenshot renders the window once it is shown and laid out, saves it, and quits; it uses a
// fixed window size and leaves the user's saved settings alone, so the picture depends only on
// the store and the version.
#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "app/gui/training_session.h"
#include "app/version.h"
#include "storage/run_query.h"
#include "ui/data/data_page.h"
#include "ui/main_window.h"
#include "ui/place.h"
#include "ui/training/train_page.h"

namespace {

using layerlab::ui::Place;

struct GuiOptions {
  QString storePath;
  std::optional<Place> place;
  QString screenshotPath;
};

const QSize kScreenshotWindowSize(1200, 760);

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
      QCoreApplication::translate("main", "The place to show: data, model, train or runs."),
      QStringLiteral("PLACE"));
  const QCommandLineOption screenshot(
      QStringLiteral("screenshot"),
      QCoreApplication::translate("main", "Save a picture of the window to FILE and quit."),
      QStringLiteral("FILE"));
  parser.addOptions({db, place, screenshot});
  parser.process(app);

  GuiOptions options;
  options.storePath = parser.isSet(db)
                          ? parser.value(db)
                          : QString::fromStdString(layerlab::storage::defaultStorePath());
  options.screenshotPath = parser.value(screenshot);
  if (parser.isSet(place)) {
    options.place = layerlab::ui::parsePlace(parser.value(place));
    if (!options.place) {
      std::fprintf(stderr, "layerlab: unknown place '%s' (use data, model, train or runs)\n",
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

// Qt aborts with a long plugin message when there is no display; say it plainly instead.
bool haveDisplay() {
  for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (!haveDisplay()) {
    std::fprintf(stderr,
                 "layerlab: no display (DISPLAY is not set). Start it from a desktop session, "
                 "under xvfb-run, or with QT_QPA_PLATFORM=offscreen.\n");
    return 1;
  }
  QApplication app(argc, argv);
  QCoreApplication::setOrganizationName(QStringLiteral("LayerLab"));
  QCoreApplication::setApplicationName(QStringLiteral("LayerLab"));
  QCoreApplication::setApplicationVersion(QString::fromUtf8(layerlab::kAppVersion));

  const std::optional<GuiOptions> options = parseOptions(app);
  if (!options) return 2;

  layerlab::ui::MainWindow window(options->storePath);
  layerlab::app::TrainingSession session;
  window.trainPage()->setBackend(&session);
  window.setDevice(session.deviceDescription());
  const bool takingScreenshot = !options->screenshotPath.isEmpty();
  if (takingScreenshot) {
    window.resize(kScreenshotWindowSize);
  } else {
    window.restoreSettings();
  }
  if (options->place) window.showPlace(*options->place);
  window.show();

  if (takingScreenshot) {
    // A zero timer fires once the event loop has handled what show() queued (layout, polish),
    // so the grab sees the finished window; the Data place first finishes reading its preview.
    auto grabSoon = [&window, path = options->screenshotPath] {
      QTimer::singleShot(0, &window, [&window, path] { saveScreenshot(window, path); });
    };
    if (window.dataPage()->loading()) {
      QObject::connect(window.dataPage(), &layerlab::ui::DataPage::previewReady, &window, grabSoon,
                       Qt::SingleShotConnection);
    } else {
      grabSoon();
    }
  }
  return app.exec();
}
