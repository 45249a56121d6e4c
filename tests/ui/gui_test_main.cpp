// The GUI tests need one QApplication for the whole process, made before the first test, so they
// have their own main instead of gtest_main.
#include <QApplication>
#include <QStandardPaths>

#include <gtest/gtest.h>

#ifdef LAYERLAB_GUARDED_APPLICATION
#include "app/gui/guarded_application.h"
using TestApplication = layerlab::app::GuardedApplication;  // the application's own top level
#else
using TestApplication = QApplication;
#endif

namespace {

QtMessageHandler defaultHandler = nullptr;

// The offscreen platform warns about every top-level window it cannot size from its hints; the
// line says nothing about the code under test and buries the messages that do.
void quietenOffscreenNoise(QtMsgType type, const QMessageLogContext& context,
                           const QString& message) {
  if (message == QLatin1String("This plugin does not support propagateSizeHints()")) return;
  defaultHandler(type, context, message);
}

}  // namespace

int main(int argc, char** argv) {
  // Widgets draw into memory, so the tests run on machines without a display. An explicit
  // QT_QPA_PLATFORM (e.g. xcb, to watch them) still wins.
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  // QSettings then write under ~/.qttest, and the names differ from the app's, so no test can
  // touch the user's own settings.
  QStandardPaths::setTestModeEnabled(true);
  defaultHandler = qInstallMessageHandler(quietenOffscreenNoise);
  TestApplication app(argc, argv);
  QCoreApplication::setOrganizationName(QStringLiteral("LayerLab Tests"));
  QCoreApplication::setApplicationName(QStringLiteral("LayerLab GUI Tests"));

  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
