#include "ui/place_intro.h"

#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace layerlab::ui {
namespace {

constexpr int kColumnWidth = 620;

QLabel* makeText(const QString& text, double scale, bool bold, QWidget* parent) {
  QLabel* label = scaledLabel(text, scale, bold, parent);
  label->setTextFormat(Qt::PlainText);
  return label;
}

// Secondary text uses the palette's own muted colour so it stays readable in dark themes.
void mute(QLabel* label) {
  label->setForegroundRole(QPalette::PlaceholderText);
}

}  // namespace

QLabel* scaledLabel(const QString& text, double scale, bool bold, QWidget* parent) {
  auto* label = new QLabel(text, parent);
  QFont font = label->font();
  font.setPointSizeF(font.pointSizeF() * scale);
  font.setBold(bold);
  label->setFont(font);
  label->setWordWrap(true);
  return label;
}

PlaceIntro::PlaceIntro(const PlaceIntroText& text, QWidget* parent) : QWidget(parent) {
  auto* column = new QWidget(this);
  column->setMaximumWidth(kColumnWidth);
  auto* columnLayout = new QVBoxLayout(column);
  columnLayout->setContentsMargins(0, 0, 0, 0);
  columnLayout->setSpacing(18);
  columnLayout->addWidget(buildHeading(text));
  columnLayout->addWidget(buildPlans(text.plans));
  if (!text.note.isEmpty()) columnLayout->addWidget(buildNote(text.note));

  auto* row = new QHBoxLayout;
  row->addStretch(1);
  row->addWidget(column, 3);
  row->addStretch(1);

  // More room below than above puts the text slightly above the middle, where the eye lands.
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(32, 32, 32, 32);
  layout->addStretch(2);
  layout->addLayout(row);
  layout->addStretch(3);
}

QWidget* PlaceIntro::buildHeading(const PlaceIntroText& text) {
  auto* heading = new QWidget(this);
  QLabel* title = makeText(text.title, 2.0, true, heading);
  title->setObjectName(QStringLiteral("placeIntroTitle"));
  QLabel* lead = makeText(text.lead, 1.2, false, heading);
  lead->setObjectName(QStringLiteral("placeIntroLead"));

  auto* layout = new QVBoxLayout(heading);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(10);
  layout->addWidget(title);
  layout->addWidget(lead);
  return heading;
}

QWidget* PlaceIntro::buildPlans(const QStringList& plans) {
  auto* box = new QWidget(this);
  auto* layout = new QGridLayout(box);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setHorizontalSpacing(10);
  layout->setVerticalSpacing(8);

  QLabel* caption = makeText(tr("What you will do here"), 0.95, true, box);
  mute(caption);
  layout->addWidget(caption, 0, 0, 1, 2);
  for (int i = 0; i < plans.size(); ++i) {
    QLabel* bullet = makeText(QStringLiteral("\u2022"), 1.05, true, box);
    layout->addWidget(bullet, i + 1, 0, Qt::AlignTop);
    layout->addWidget(makeText(plans[i], 1.05, false, box), i + 1, 1);
  }
  layout->setColumnStretch(1, 1);
  return box;
}

QWidget* PlaceIntro::buildNote(const QString& note) {
  auto* box = new QWidget(this);
  auto* rule = new QFrame(box);
  rule->setFrameShape(QFrame::HLine);
  rule->setFrameShadow(QFrame::Sunken);

  QLabel* text = makeText(note, 1.0, false, box);
  text->setObjectName(QStringLiteral("placeIntroNote"));
  mute(text);

  auto* layout = new QVBoxLayout(box);
  layout->setContentsMargins(0, 4, 0, 0);
  layout->setSpacing(12);
  layout->addWidget(rule);
  layout->addWidget(text);
  return box;
}

}  // namespace layerlab::ui
