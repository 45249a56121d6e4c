// The Runs place's heading row: the title, the run count and the filter box.
//
// The filter box takes words (storage::parseRunFilterText). A complete expression is split into
// what the store answers (statuses, tags, parameter conditions) and the words that filter the
// rows by any column's text. An expression that does not parse (an incomplete "lr<" while the
// user types) filters nothing: the box gets a red border and the parse message as its tooltip, and
// the list shows every run until the expression reads again.
//
// Threads: GUI thread only. filterChanged() fires whenever what is asked changes.
#pragma once

#include <QString>
#include <QWidget>

#include "storage/run_filter.h"

class QLabel;
class QLineEdit;

namespace layerlab::ui {

class RunsFilterBar : public QWidget {
  Q_OBJECT

 public:
  explicit RunsFilterBar(QWidget* parent = nullptr);

  // "3 runs", "1 of 3 runs"; hides count and filter when the store has no runs at all.
  void setCounts(int shown, int64_t all);
  // Hides count and filter (the store could not be read).
  void hideFilter();

  const storage::RunFilter& storeFilter() const { return m_storeFilter; }
  const QString& textFilter() const { return m_textFilter; }
  // What is wrong with the expression typed, empty when it reads (or the box is empty).
  QString errorText() const { return m_error; }

 Q_SIGNALS:
  // The store's part of the filter (`storeChanged`) or the text part changed.
  void filterChanged(bool storeChanged);

 private:
  void applyText();
  void showError(const QString& message);

  QLabel* m_count = nullptr;
  QLineEdit* m_filter = nullptr;
  QString m_tip;
  QString m_error;
  storage::RunFilter m_storeFilter;
  QString m_textFilter;
};

}  // namespace layerlab::ui
