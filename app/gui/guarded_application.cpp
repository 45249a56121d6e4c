#include "app/gui/guarded_application.h"

#include <QMessageBox>
#include <QTimer>

#include <cstdio>

#include "app/core/error_policy.h"

namespace layerlab::app {

GuardedApplication::GuardedApplication(int& argc, char** argv) : QApplication(argc, argv) {}

bool GuardedApplication::notify(QObject* receiver, QEvent* event) {
  try {
    return QApplication::notify(receiver, event);
  } catch (...) {
    report(QString::fromStdString(describeCurrentError().message));
    return false;
  }
}

void GuardedApplication::report(const QString& message) {
  m_lastError = message;
  std::fprintf(stderr, "layerlab: error: %s\n", qPrintable(message));
  // Shown after the failed handler has unwound, from the event loop; while one dialog is open,
  // further errors go to stderr only, so a handler failing on every paint cannot stack dialogs.
  QTimer::singleShot(0, this, [this, message] {
    Q_EMIT errorCaught(message);
    if (m_dialogOpen) return;
    m_dialogOpen = true;
    auto* box = new QMessageBox(QMessageBox::Warning, tr("LayerLab"),
                                tr("Something went wrong, and LayerLab stopped what it was "
                                   "doing:\n\n%1")
                                    .arg(message));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QDialog::finished, this, [this] { m_dialogOpen = false; });
    box->open();
  });
}

}  // namespace layerlab::app
