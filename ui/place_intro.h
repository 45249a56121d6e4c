// The opening view of a place whose tools are not in this version yet: what the place is for,
// what it will let the user do, and what already works instead. Plain text, no fake content.
#pragma once

#include <QString>
#include <QStringList>
#include <QWidget>

class QLabel;

namespace layerlab::ui {

struct PlaceIntroText {
  QString title;
  QString lead;       // one sentence: what this place is for
  QStringList plans;  // what it will let the user do, one line each
  QString note;       // what works today instead
};

// A word-wrapped label in the widget font scaled by `scale` (bold or not): the headings and text
// of the places' intro and empty states.
QLabel* scaledLabel(const QString& text, double scale, bool bold, QWidget* parent);

class PlaceIntro : public QWidget {
  Q_OBJECT

 public:
  explicit PlaceIntro(const PlaceIntroText& text, QWidget* parent = nullptr);

 private:
  QWidget* buildHeading(const PlaceIntroText& text);
  QWidget* buildPlans(const QStringList& plans);
  QWidget* buildNote(const QString& note);
};

}  // namespace layerlab::ui
