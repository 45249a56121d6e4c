// Small helpers shared by the tests that drive the real main window.
#pragma once

#include <QAbstractItemModel>
#include <QListWidget>
#include <QStringList>
#include <QTest>

#include <gtest/gtest.h>

#include "ui/main_window.h"
#include "ui/place.h"

namespace layerlab::ui::testing {

// Clicks the place's entry in the navigation list, as a user would.
inline void clickPlace(MainWindow& window, Place place) {
  auto* list = window.findChild<QListWidget*>(QStringLiteral("placeList"));
  QListWidgetItem* item = list->item(placeIndex(place));
  QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(item).center());
}

// The display text of one column, top to bottom, as the view shows it.
inline QStringList columnTexts(const QAbstractItemModel& model, int column) {
  QStringList texts;
  for (int row = 0; row < model.rowCount(); ++row) {
    texts << model.index(row, column).data().toString();
  }
  return texts;
}

// Processes events until `condition` holds or `timeoutMs` pass; true when it holds. Use with
// ASSERT_TRUE / EXPECT_TRUE: Qt's QTRY_* macros report to QTest, which GoogleTest never hears.
template <typename Condition>
bool waitUntil(Condition condition, int timeoutMs = 5000) {
  return QTest::qWaitFor(condition, timeoutMs);
}

// The widget `name` inside `window`, or a failed test when there is none.
template <typename Widget>
Widget* child(const QWidget& window, const char* name) {
  auto* widget = window.findChild<Widget*>(QString::fromLatin1(name));
  if (!widget) ADD_FAILURE() << "no widget named " << name;
  return widget;
}

}  // namespace layerlab::ui::testing
