// The Help menu's pages: getting started (the four places in the order a first run goes through
// them) and the keyboard shortcuts. Non-modal: the user keeps working with it open.
//
// Threads: GUI thread only.
#pragma once

#include <QDialog>

namespace layerlab::ui {

enum class HelpPage { GettingStarted, Shortcuts };

class HelpDialog : public QDialog {
  Q_OBJECT

 public:
  explicit HelpDialog(HelpPage page, QWidget* parent = nullptr);
  // The page's text (rich text), for tests.
  QString text() const { return m_text; }

 private:
  QString m_text;
};

}  // namespace layerlab::ui
