#include "ui/runs/runs_page_states.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QVBoxLayout>
#include <QWidget>

#include "ui/place_intro.h"

namespace layerlab::ui {
namespace {

// Centres `content` a little above the middle of a page, as the other places do.
QWidget* centred(QWidget* content, QWidget* parent) {
  auto* page = new QWidget(parent);
  auto* row = new QHBoxLayout;
  row->addStretch(1);
  row->addWidget(content, 3);
  row->addStretch(1);
  auto* layout = new QVBoxLayout(page);
  layout->addStretch(2);
  layout->addLayout(row);
  layout->addStretch(3);
  return page;
}

}  // namespace

QWidget* makeRunsEmptyState(QWidget* parent) {
  auto* content = new QWidget(parent);
  content->setObjectName(QStringLiteral("runsEmptyState"));
  content->setMaximumWidth(620);
  QLabel* heading = scaledLabel(QObject::tr("No runs yet."), 1.5, true, content);
  QLabel* body = scaledLabel(
      QObject::tr("Start in the <b>Data</b> place: open a CSV file or an image folder, or pick "
                  "the Fashion-MNIST demo. Then press Train in the <b>Train</b> place; the run "
                  "appears here as it trains."),
      1.1, false, content);
  body->setObjectName(QStringLiteral("runsEmptyBody"));
  QLabel* hint =
      scaledLabel(QObject::tr("Runs started from the command line "
                              "(<code>layerlab-cli train \u2026</code>) appear here too, "
                              "within a second of starting."),
                  1.0, false, content);
  hint->setObjectName(QStringLiteral("runsEmptyHint"));
  hint->setForegroundRole(QPalette::PlaceholderText);

  auto* layout = new QVBoxLayout(content);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(12);
  layout->addWidget(heading);
  layout->addWidget(body);
  layout->addWidget(hint);
  return centred(content, parent);
}

RunsErrorState makeRunsErrorState(QWidget* parent) {
  auto* content = new QWidget(parent);
  content->setObjectName(QStringLiteral("runsErrorState"));
  content->setMaximumWidth(620);
  auto* icon = new QLabel(content);
  icon->setPixmap(QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(32, 32));
  QLabel* heading = scaledLabel(QObject::tr("This store could not be opened."), 1.5, true, content);
  heading->setObjectName(QStringLiteral("runsErrorHeading"));

  RunsErrorState state;
  state.message = scaledLabel({}, 1.0, false, content);
  state.message->setObjectName(QStringLiteral("runsErrorText"));
  state.message->setTextFormat(Qt::PlainText);
  state.message->setTextInteractionFlags(Qt::TextSelectableByMouse);

  QLabel* hint =
      scaledLabel(QObject::tr("Choose another store with File \u203a Open Store\u2026, or "
                              "try again once the file is fixed."),
                  1.0, false, content);
  hint->setForegroundRole(QPalette::PlaceholderText);

  state.retry = new QPushButton(QObject::tr("Try Again"), content);
  state.retry->setObjectName(QStringLiteral("runsRetryButton"));

  auto* titleRow = new QHBoxLayout;
  titleRow->setSpacing(12);
  titleRow->addWidget(icon);
  titleRow->addWidget(heading, 1);
  auto* layout = new QVBoxLayout(content);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(12);
  layout->addLayout(titleRow);
  layout->addWidget(state.message);
  layout->addWidget(hint);
  layout->addWidget(state.retry, 0, Qt::AlignLeft);
  state.page = centred(content, parent);
  return state;
}

}  // namespace layerlab::ui
