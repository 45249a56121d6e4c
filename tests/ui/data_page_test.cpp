// The Data place and the CSV import dialog on real files: Fashion-MNIST from Debian's package,
// tables and image folders written by the tests.
#include <QApplication>
#include <QCheckBox>
#include <QColor>
#include <QDialogButtonBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QDropEvent>
#include <QFile>
#include <QImage>
#include <QListView>
#include <QMimeData>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QUrl>

#include <gtest/gtest.h>

#include "engine/data/dataset_spec.h"
#include "tests/ui/gui_test_support.h"
#include "ui/data/csv_import_dialog.h"
#include "ui/data/data_page.h"
#include "ui/main_window.h"
#include "ui/training/train_page.h"

namespace layerlab::ui {
namespace {

constexpr int kLoadTimeoutMs = 60000;

QString writeFile(const QTemporaryDir& dir, const QString& name, const QByteArray& text) {
  const QString path = dir.filePath(name);
  QFile file(path);
  EXPECT_TRUE(file.open(QIODevice::WriteOnly));
  file.write(text);
  return path;
}

bool waitForPreview(DataPage& page) {
  return testing::waitUntil([&] { return !page.loading(); }, kLoadTimeoutMs);
}

TEST(DataPageTest, FashionMnistShowsLabelledImagesAndBalancedClasses) {
  DataPage page;
  ASSERT_TRUE(waitForPreview(page));
  EXPECT_TRUE(page.errorText().isEmpty()) << page.errorText().toStdString();
  EXPECT_EQ(page.previewCount(), 60000);
  ASSERT_EQ(page.classNames().size(), 10);
  EXPECT_EQ(page.classNames().front(), QStringLiteral("T-shirt/top"));
  for (int64_t count : page.classCounts())
    EXPECT_EQ(count, 6000);
  EXPECT_TRUE(page.statisticsText().contains(QStringLiteral("60,000 images")));
  auto* grid = page.findChild<QListView*>(QStringLiteral("imageGrid"));
  ASSERT_NE(grid, nullptr);
  // The first training image of Fashion-MNIST is an ankle boot; its thumbnail is drawn on demand.
  const QModelIndex first = grid->model()->index(0, 0);
  EXPECT_EQ(first.data(Qt::DisplayRole).toString(), QStringLiteral("Ankle boot"));
  const QPixmap thumbnail = first.data(Qt::DecorationRole).value<QPixmap>();
  EXPECT_FALSE(thumbnail.isNull());
  // Paging to the far end is as quick as the start: the last image is there too.
  const QModelIndex last = grid->model()->index(59999, 0);
  grid->scrollTo(last);
  EXPECT_FALSE(last.data(Qt::DecorationRole).value<QPixmap>().isNull());
  EXPECT_EQ(page.datasetSpec().source, engine::kFashionMnist);
}

TEST(CsvImportDialogTest, ABadLineIsNamedHighlightedAndRefused) {
  QTemporaryDir dir;
  const QString path =
      writeFile(dir, QStringLiteral("bad.csv"), "a,b,label\n1,2,x\n3,4,y\n5,oops,x\n7,8,y\n");
  CsvImportDialog dialog(path);
  EXPECT_FALSE(dialog.acceptable());
  EXPECT_EQ(dialog.errorLine(), 4) << dialog.errorText().toStdString();
  EXPECT_TRUE(dialog.errorText().contains(QStringLiteral("bad.csv")));
  EXPECT_TRUE(dialog.errorText().contains(QStringLiteral("column 2")))
      << dialog.errorText().toStdString();
  auto* lines = dialog.findChild<QTableWidget*>(QStringLiteral("csvLines"));
  ASSERT_NE(lines, nullptr);
  EXPECT_NE(lines->item(3, 0)->background(), QBrush());
  EXPECT_EQ(lines->item(1, 0)->background(), QBrush());
  auto* ok = dialog.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok);
  EXPECT_FALSE(ok->isEnabled());

  // Dropping rows with missing values does not excuse text in a number: still refused.
  engine::CsvOptions options = dialog.options();
  options.missing = "drop";
  dialog.setOptions(options);
  EXPECT_FALSE(dialog.acceptable());
}

TEST(CsvImportDialogTest, OptionsChangeTheLivePreview) {
  QTemporaryDir dir;
  const QString path =
      writeFile(dir, QStringLiteral("semi.csv"), "# exported\nkind;x;y\nb;1;2\na;3;4\nb;5;6\n");
  CsvImportDialog dialog(path);
  EXPECT_FALSE(dialog.acceptable()) << "the comment line makes the header wrong";
  engine::CsvOptions options;
  options.skipRows = 1;
  options.label = std::string("kind");
  dialog.setOptions(options);
  EXPECT_TRUE(dialog.acceptable()) << dialog.errorText().toStdString();
  EXPECT_TRUE(dialog.summaryText().contains(QStringLiteral("3 rows")))
      << dialog.summaryText().toStdString();
  EXPECT_TRUE(dialog.summaryText().contains(QStringLiteral("2 classes (b, a)")))
      << dialog.summaryText().toStdString();
  EXPECT_EQ(std::get<std::string>(dialog.options().label), "kind");
}

TEST(DataPageTest, ACsvTableShowsItsRowsClassesAndKeepsTheSpec) {
  QTemporaryDir dir;
  QByteArray text = "kind,f1,f2\n";
  for (int i = 0; i < 30; ++i)
    text += (i % 3 == 0 ? "owl," : "cat,") + QByteArray::number(i) + "," +
            QByteArray::number(i * 2) + "\n";
  const QString path = writeFile(dir, QStringLiteral("animals.csv"), text);
  DataPage page;
  ASSERT_TRUE(waitForPreview(page));
  QSignalSpy changed(&page, &DataPage::datasetChanged);
  engine::CsvOptions options;
  options.label = std::string("kind");
  ASSERT_TRUE(page.openCsv(path, options));
  ASSERT_TRUE(waitForPreview(page));
  EXPECT_TRUE(page.errorText().isEmpty()) << page.errorText().toStdString();
  EXPECT_EQ(page.previewCount(), 30);
  EXPECT_EQ(page.classNames(), QStringList({"owl", "cat"}));
  EXPECT_EQ(page.classCounts(), std::vector<int64_t>({10, 20}));
  EXPECT_TRUE(page.statisticsText().contains(QStringLiteral("30 rows")));
  ASSERT_GE(changed.count(), 1);
  const engine::DatasetSpec spec = page.datasetSpec();
  EXPECT_EQ(spec.source, engine::kCsvSource);
  EXPECT_EQ(std::get<std::string>(spec.csv.label), "kind");
  EXPECT_EQ(engine::datasetSpecFromJson(engine::toJson(spec)), spec);

  // A preparation control changes the spec at once.
  auto* flip = page.findChild<QCheckBox*>();
  ASSERT_NE(flip, nullptr);
  const int before = changed.count();
  page.findChild<QDoubleSpinBox*>(QStringLiteral("valFraction"))->setValue(0.2);
  EXPECT_GT(changed.count(), before);
  EXPECT_EQ(page.datasetSpec().valFraction, 0.2);
}

TEST(DataPageTest, AnImageFolderPreviewsItsClasses) {
  QTemporaryDir dir;
  for (const char* cls : {"cat", "dog"}) {
    ASSERT_TRUE(QDir(dir.path()).mkpath(QString::fromLatin1(cls)));
    for (int i = 0; i < 3; ++i) {
      QImage image(12, 10, QImage::Format_RGB32);
      image.fill(QColor(40 * i, cls[0] == 'c' ? 200 : 20, 90));
      ASSERT_TRUE(image.save(dir.filePath(QStringLiteral("%1/%2.png").arg(cls).arg(i))));
    }
  }
  DataPage page;
  ASSERT_TRUE(waitForPreview(page));
  QSignalSpy opened(&page, &DataPage::fileOpened);
  ASSERT_TRUE(page.openPath(dir.path()));
  ASSERT_TRUE(waitForPreview(page));
  EXPECT_TRUE(page.errorText().isEmpty()) << page.errorText().toStdString();
  EXPECT_EQ(page.previewCount(), 6);
  EXPECT_EQ(page.classNames(), QStringList({"cat", "dog"}));
  EXPECT_TRUE(page.statisticsText().contains(QStringLiteral("10×12 RGB")))
      << page.statisticsText().toStdString();
  EXPECT_EQ(opened.count(), 1);
  EXPECT_EQ(page.datasetSpec().source, engine::kImageFolderSource);
}

TEST(DataPageTest, AMissingOrDamagedSourceSaysWhy) {
  QTemporaryDir dir;
  DataPage page;
  ASSERT_TRUE(waitForPreview(page));
  EXPECT_FALSE(page.openPath(dir.filePath(QStringLiteral("nothing.csv"))));
  EXPECT_TRUE(page.errorText().contains(QStringLiteral("nothing.csv")));

  ASSERT_TRUE(QDir(dir.path()).mkpath(QStringLiteral("broken/cls")));
  ASSERT_TRUE(QDir(dir.path()).mkpath(QStringLiteral("broken/other")));
  writeFile(dir, QStringLiteral("broken/cls/a.png"), "not a png at all");
  QImage fine(8, 8, QImage::Format_RGB32);
  fine.fill(Qt::blue);
  ASSERT_TRUE(fine.save(dir.filePath(QStringLiteral("broken/other/b.png"))));
  ASSERT_TRUE(page.openPath(dir.filePath(QStringLiteral("broken"))));
  ASSERT_TRUE(waitForPreview(page));
  EXPECT_TRUE(page.errorText().contains(QStringLiteral("a.png"))) << page.errorText().toStdString();
  EXPECT_EQ(page.previewCount(), 0);
}

TEST(MainWindowDataTest, DroppingAFolderOpensItInTheDataPlace) {
  QTemporaryDir dir;
  for (const char* shape : {"round", "square"}) {
    ASSERT_TRUE(QDir(dir.path()).mkpath(QStringLiteral("shapes/%1").arg(shape)));
    QImage image(8, 8, QImage::Format_RGB32);
    image.fill(Qt::red);
    ASSERT_TRUE(image.save(dir.filePath(QStringLiteral("shapes/%1/a.png").arg(shape))));
  }
  MainWindow window(dir.filePath(QStringLiteral("runs.db")));
  window.showPlace(Place::Runs);
  ASSERT_TRUE(waitForPreview(*window.dataPage()));
  QMimeData mime;
  mime.setUrls({QUrl::fromLocalFile(dir.filePath(QStringLiteral("shapes")))});
  QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  QApplication::sendEvent(&window, &enter);
  EXPECT_TRUE(enter.isAccepted()) << "the window takes dropped files";
  QDropEvent drop(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
  ASSERT_TRUE(QApplication::sendEvent(&window, &drop));
  EXPECT_TRUE(drop.isAccepted());
  ASSERT_TRUE(testing::waitUntil([&] { return window.currentPlace() == Place::Data; }));
  ASSERT_TRUE(waitForPreview(*window.dataPage()));
  EXPECT_EQ(window.dataPage()->classNames(), QStringList({"round", "square"}));
  EXPECT_EQ(window.trainPage()->dataset().source, engine::kImageFolderSource);
  EXPECT_TRUE(
      window.recentFiles().contains(QDir(dir.filePath(QStringLiteral("shapes"))).absolutePath()));
}

}  // namespace
}  // namespace layerlab::ui
