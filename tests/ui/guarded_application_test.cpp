// The GUI's top level (app/gui/guarded_application.h): an exception that leaves an event handler
// or a slot is shown to the user and the application goes on.
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <c10/util/Exception.h>
#include <gtest/gtest.h>

#include <functional>
#include <new>

#include "app/core/training_job.h"
#include "app/gui/guarded_application.h"

namespace layerlab::app {
namespace {

GuardedApplication& application() {
  return *qobject_cast<GuardedApplication*>(qApp);
}

// A widget whose handler of a posted user event runs `raise`.
class ThrowingWidget : public QWidget {
 public:
  explicit ThrowingWidget(std::function<void()> raise) : m_raise(std::move(raise)) {}

 protected:
  bool event(QEvent* event) override {
    if (event->type() == QEvent::User) m_raise();
    return QWidget::event(event);
  }

 private:
  std::function<void()> m_raise;
};

QMessageBox* openErrorDialog() {
  for (QWidget* widget : QApplication::topLevelWidgets()) {
    auto* box = qobject_cast<QMessageBox*>(widget);
    if (box != nullptr && box->isVisible()) return box;
  }
  return nullptr;
}

// Posts a user event to a widget that throws, waits for the report, closes its dialog.
QString caughtFrom(std::function<void()> raise) {
  ThrowingWidget widget(std::move(raise));
  QSignalSpy caught(&application(), &GuardedApplication::errorCaught);
  QCoreApplication::postEvent(&widget, new QEvent(QEvent::User));
  if (!caught.wait(5000)) return QStringLiteral("(nothing caught)");
  QMessageBox* box = openErrorDialog();
  if (box == nullptr) return QStringLiteral("(no dialog)");
  const QString shown = box->text();
  box->close();
  EXPECT_TRUE(shown.contains(caught.first().first().toString())) << shown.toStdString();
  return caught.first().first().toString();
}

TEST(GuardedApplication, AnExceptionFromAnEventHandlerIsShownAndTheAppGoesOn) {
  const QString torch = caughtFrom([] { TORCH_CHECK(false, "weights of another shape"); });
  EXPECT_EQ(torch, QStringLiteral("weights of another shape"));
  const QString memory = caughtFrom([] { throw std::bad_alloc(); });
  EXPECT_TRUE(memory.startsWith(QStringLiteral("not enough memory"))) << memory.toStdString();
  const QString odd = caughtFrom([] { throw 7; });
  EXPECT_TRUE(odd.contains(QStringLiteral("unknown error"))) << odd.toStdString();
  EXPECT_EQ(application().lastError(), odd);

  // Still alive: the event loop runs a timer after all of that.
  bool ticked = false;
  QTimer::singleShot(0, &application(), [&ticked] { ticked = true; });
  EXPECT_TRUE(QTest::qWaitFor([&ticked] { return ticked; }, 5000));
}

TEST(GuardedApplication, AThrowingSlotBehindAClickIsCaught) {
  QPushButton button(QStringLiteral("Go"));
  button.show();
  QObject::connect(&button, &QPushButton::clicked, [] { throw JobInputError("a.csv: line 2"); });
  QSignalSpy caught(&application(), &GuardedApplication::errorCaught);
  QTest::mouseClick(&button, Qt::LeftButton);
  ASSERT_TRUE(caught.wait(5000));
  EXPECT_EQ(caught.first().first().toString(), QStringLiteral("a.csv: line 2"));
  QMessageBox* box = openErrorDialog();
  ASSERT_NE(box, nullptr);
  box->close();
}

TEST(GuardedApplication, ManyErrorsInARowOpenOneDialog) {
  ThrowingWidget widget([] { throw std::runtime_error("again"); });
  QSignalSpy caught(&application(), &GuardedApplication::errorCaught);
  for (int i = 0; i < 20; ++i)
    QCoreApplication::postEvent(&widget, new QEvent(QEvent::User));
  ASSERT_TRUE(QTest::qWaitFor([&caught] { return caught.count() == 20; }, 5000));
  int dialogs = 0;
  for (QWidget* top : QApplication::topLevelWidgets()) {
    if (qobject_cast<QMessageBox*>(top) != nullptr && top->isVisible()) ++dialogs;
  }
  EXPECT_EQ(dialogs, 1);
  openErrorDialog()->close();
}

}  // namespace
}  // namespace layerlab::app
