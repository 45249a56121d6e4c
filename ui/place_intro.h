// The opening view of a place whose tools are not in this version yet: what the place is for,
// what it will let the user do, and what already works instead. Plain text, no fake content.
#pragma once

#include <QString>
#include <QStringList>
#include <QWidget>

namespace layerlab::ui {

struct PlaceIntroText {
  QString title;
  QString lead;       // one sentence: what this place is for
  QStringList plans;  // what it will let the user do, one line each
  QString note;       // what works today instead
};

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
