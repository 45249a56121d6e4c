// The row at the top of the Data place: a button per kind of source (the built-in Fashion-MNIST,
// a CSV table, a folder of images, an IDX file) and the name of the source on show. It asks for
// a path with the platform's file dialog and hands it on; reading is the page's job.
//
// Threads: GUI thread only. Signals fire on the GUI thread when a button is used.
#pragma once

#include <QWidget>

class QLabel;

namespace layerlab::ui {

class SourcePicker : public QWidget {
  Q_OBJECT

 public:
  explicit SourcePicker(QWidget* parent = nullptr);

  // The source on show, in bold ("iris.csv", "Reading…", "No data loaded").
  void setSourceText(const QString& text);

 Q_SIGNALS:
  void fashionMnistRequested();
  // A CSV file, an image folder or an IDX images file the user chose.
  void pathChosen(const QString& path);

 private:
  void chooseCsv();
  void chooseFolder();
  void chooseIdx();

  QLabel* m_source = nullptr;
};

}  // namespace layerlab::ui
