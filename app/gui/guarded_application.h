// The GUI's QApplication, with the top of app/core/error_policy.h for the GUI thread: an
// exception that leaves an event handler (a slot, a paint, a timer) is caught here instead of
// ending the program. The user sees it in a dialog, stderr gets one line, and the application
// goes on; the widget whose handler failed may be left as it was before the event.
//
// Threads: the GUI thread only (notify() runs there for the widgets). Work on other threads has
// its own top level (ui::Worker, TrainingSession).
#pragma once

#include <QApplication>
#include <QString>

namespace layerlab::app {

class GuardedApplication : public QApplication {
  Q_OBJECT

 public:
  GuardedApplication(int& argc, char** argv);

  bool notify(QObject* receiver, QEvent* event) override;

  // The description of the last exception caught, empty when there was none.
  QString lastError() const { return m_lastError; }

 Q_SIGNALS:
  // Emitted (queued) after an exception was caught, with its description.
  void errorCaught(const QString& message);

 private:
  void report(const QString& message);

  QString m_lastError;
  bool m_dialogOpen = false;
};

}  // namespace layerlab::app
