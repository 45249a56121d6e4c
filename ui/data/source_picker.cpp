#include "ui/data/source_picker.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace layerlab::ui {

SourcePicker::SourcePicker(QWidget* parent) : QWidget(parent) {
  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  auto* fashion = new QPushButton(tr("Fashion-MNIST"), this);
  fashion->setToolTip(tr("The built-in set: 70,000 images of clothing in 10 classes"));
  auto* csv = new QPushButton(tr("Open CSV\u2026"), this);
  auto* folder = new QPushButton(tr("Open Image Folder\u2026"), this);
  auto* idx = new QPushButton(tr("Open IDX\u2026"), this);
  for (QPushButton* b : {fashion, csv, folder, idx})
    layout->addWidget(b);
  layout->addSpacing(12);
  m_source = new QLabel(this);
  m_source->setObjectName(QStringLiteral("dataSource"));
  QFont strong = m_source->font();
  strong.setBold(true);
  m_source->setFont(strong);
  layout->addWidget(m_source, 1);
  connect(fashion, &QPushButton::clicked, this, &SourcePicker::fashionMnistRequested);
  connect(csv, &QPushButton::clicked, this, &SourcePicker::chooseCsv);
  connect(folder, &QPushButton::clicked, this, &SourcePicker::chooseFolder);
  connect(idx, &QPushButton::clicked, this, &SourcePicker::chooseIdx);
}

void SourcePicker::setSourceText(const QString& text) {
  m_source->setText(text);
}

void SourcePicker::chooseCsv() {
  const QString path =
      QFileDialog::getOpenFileName(this, tr("Open a CSV table"), QString(),
                                   tr("Tables (*.csv *.tsv *.txt *.gz);;All files (*)"));
  if (!path.isEmpty()) Q_EMIT pathChosen(path);
}

void SourcePicker::chooseFolder() {
  const QString path = QFileDialog::getExistingDirectory(
      this, tr("Open a folder with one sub-folder of images per class"));
  if (!path.isEmpty()) Q_EMIT pathChosen(path);
}

void SourcePicker::chooseIdx() {
  const QString path = QFileDialog::getOpenFileName(this, tr("Open an IDX images file"), QString(),
                                                    tr("IDX files (*idx3* *.gz);;All files (*)"));
  if (!path.isEmpty()) Q_EMIT pathChosen(path);
}

}  // namespace layerlab::ui
