// The Data place's per-data-set settings and the defaults it derives from the data: a sample
// limit or image size does not follow to the next data set, grayscale folders have one channel,
// a CSV's label is stored by name as layerlab-cli stores it (so Compare sees the same data), and
// the batch size suits the training rows. Real files and real runs of layerlab-cli.
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "app/gui/store_run_catalog.h"
#include "engine/data/dataset_spec.h"
#include "engine/data/stored_dataset.h"
#include "storage/run_query.h"
#include "tests/support/child_process.h"
#include "tests/ui/gui_test_support.h"
#include "ui/data/data_page.h"
#include "ui/main_window.h"
#include "ui/runs/compare_view.h"
#include "ui/training/train_page.h"

namespace layerlab::ui {
namespace {

constexpr int kLoadTimeoutMs = 60000;
const std::string kCli = LAYERLAB_CLI_PATH;
const std::string kTemplates = std::string(LAYERLAB_SOURCE_DIR) + "/resources/templates/";

bool waitForPreview(DataPage& page) {
  return testing::waitUntil([&] { return !page.loading(); }, kLoadTimeoutMs);
}

// 150 rows of three flower kinds, the label last and named "species", like iris.
QString writeFlowers(const QTemporaryDir& dir, const QString& name, int rows = 150) {
  QByteArray text = "sepal_length,sepal_width,petal_length,petal_width,species\n";
  for (int i = 0; i < rows; ++i) {
    const int kind = i % 3;
    text += QByteArray::number(4.5 + kind + (i % 7) * 0.1) + "," +
            QByteArray::number(3.0 + (i % 5) * 0.1) + "," + QByteArray::number(1.5 + 2 * kind) +
            "," + QByteArray::number(0.2 + kind + (i % 3) * 0.1) + "," +
            (kind == 0   ? "setosa"
             : kind == 1 ? "versicolor"
                         : "virginica") +
            "\n";
  }
  const QString path = dir.filePath(name);
  QFile file(path);
  EXPECT_TRUE(file.open(QIODevice::WriteOnly));
  file.write(text);
  return path;
}

void writeImages(const QString& folder, QImage::Format format, int width, int height) {
  for (const char* cls : {"left", "right"}) {
    ASSERT_TRUE(QDir(folder).mkpath(QString::fromLatin1(cls)));
    for (int i = 0; i < 3; ++i) {
      QImage image(width, height, format);
      image.fill(QColor(30 * i, 30 * i, 30 * i));
      ASSERT_TRUE(image.save(QStringLiteral("%1/%2/%3.png").arg(folder).arg(cls).arg(i)));
    }
  }
}

TEST(DataPageDefaultsTest, ASampleLimitBelongsToItsDataSet) {
  QTemporaryDir dir;
  DataPage page;
  ASSERT_TRUE(waitForPreview(page));
  ASSERT_TRUE(page.openCsv(writeFlowers(dir, QStringLiteral("a.csv")), {}));
  ASSERT_TRUE(waitForPreview(page));
  auto* limit = page.findChild<QSpinBox*>(QStringLiteral("sampleLimit"));
  ASSERT_NE(limit, nullptr);
  limit->setValue(60);
  EXPECT_EQ(page.datasetSpec().limit, 60);
  EXPECT_EQ(page.trainingRows(), 60 - 9 - 9);
  ASSERT_TRUE(page.openCsv(writeFlowers(dir, QStringLiteral("b.csv"), 90), {}));
  ASSERT_TRUE(waitForPreview(page));
  EXPECT_EQ(page.datasetSpec().limit, 0) << "the limit of a.csv cut b.csv";
  EXPECT_EQ(limit->value(), 0);
  EXPECT_EQ(page.trainingRows(), 90 - 13 - 13);
}

TEST(DataPageDefaultsTest, AGrayscaleFolderHasOneChannelAndItsOwnSize) {
  QTemporaryDir dir;
  writeImages(dir.filePath(QStringLiteral("gray")), QImage::Format_Grayscale8, 40, 30);
  writeImages(dir.filePath(QStringLiteral("colour")), QImage::Format_RGB32, 12, 10);
  DataPage page;
  ASSERT_TRUE(waitForPreview(page));
  ASSERT_TRUE(page.openPath(dir.filePath(QStringLiteral("gray"))));
  ASSERT_TRUE(waitForPreview(page));
  ASSERT_TRUE(page.errorText().isEmpty()) << page.errorText().toStdString();
  EXPECT_EQ(page.sampleShape(), (engine::Shape{1, 30, 40}));
  EXPECT_TRUE(page.statisticsText().contains(QStringLiteral("grayscale")));
  auto* width = page.findChild<QSpinBox*>(QStringLiteral("imageWidth"));
  auto* height = page.findChild<QSpinBox*>(QStringLiteral("imageHeight"));
  ASSERT_TRUE(width != nullptr && height != nullptr);
  EXPECT_EQ(width->value(), 40) << "the size control starts at the images' own size";
  EXPECT_EQ(height->value(), 30);
  EXPECT_EQ(page.datasetSpec().image.height, 0) << "the own size is not a stated size";

  // A new size reads the folder again, resized, and goes into the spec.
  QSignalSpy ready(&page, &DataPage::previewReady);
  width->setValue(20);
  height->setValue(16);
  ASSERT_TRUE(waitForPreview(page));
  ASSERT_TRUE(ready.count() >= 1 || ready.wait(kLoadTimeoutMs));
  EXPECT_EQ(page.datasetSpec().image.width, 20);
  EXPECT_EQ(page.datasetSpec().image.height, 16);
  EXPECT_EQ(page.sampleShape(), (engine::Shape{1, 16, 20}));

  // The size was this folder's: the next one starts from its own images.
  ASSERT_TRUE(page.openPath(dir.filePath(QStringLiteral("colour"))));
  ASSERT_TRUE(waitForPreview(page));
  EXPECT_EQ(page.datasetSpec().image, engine::ImageOptions{});
  EXPECT_EQ(page.sampleShape(), (engine::Shape{3, 10, 12}));
  EXPECT_EQ(width->value(), 12);
}

nlohmann::json cliJson(const std::vector<std::string>& args) {
  const test::ProcessResult result = test::runProcess(kCli, args);
  EXPECT_EQ(result.exitCode, 0) << result.err;
  return result.exitCode == 0 ? nlohmann::json::parse(result.out) : nlohmann::json();
}

// The run the GUI makes trains on the page's spec as it is (TrainPage hands it to the training
// job); here the same spec reaches the same job through --data-spec.
TEST(DataPageDefaultsTest, AnIrisTableIsTheSameDataFromTheGuiAndTheCli) {
  QTemporaryDir dir;
  const QString csv = writeFlowers(dir, QStringLiteral("iris.csv"));
  DataPage page;
  ASSERT_TRUE(waitForPreview(page));
  ASSERT_TRUE(page.openCsv(csv, {}));  // the import dialog's default: the last column
  ASSERT_TRUE(waitForPreview(page));
  const engine::DatasetSpec gui = page.datasetSpec();
  EXPECT_EQ(gui.csv.label, engine::ColumnRef(std::string("species")));

  const std::string db = dir.filePath(QStringLiteral("runs.db")).toStdString();
  const std::string specPath = dir.filePath(QStringLiteral("gui.dataset.json")).toStdString();
  std::ofstream(specPath) << engine::toJson(gui).dump();
  const std::string model = kTemplates + "tabular_mlp.layerlab.json";
  for (const std::vector<std::string>& data :
       {std::vector<std::string>{"--data-spec", specPath},
        {"--data", csv.toStdString(), "--label-column", "species"}}) {
    std::vector<std::string> args = {"train", "--model", model, "--epochs", "1", "--db", db};
    args.insert(args.end(), data.begin(), data.end());
    const test::ProcessResult train = test::runProcess(kCli, args, {"OMP_NUM_THREADS=1"});
    ASSERT_EQ(train.exitCode, 0) << train.err;
  }
  const nlohmann::json first = cliJson({"runs", "show", "1", "--db", db, "--json"});
  const nlohmann::json second = cliJson({"runs", "show", "2", "--db", db, "--json"});
  EXPECT_EQ(engine::readStoredDataset(second["dataset"]).spec, gui) << second["dataset"].dump();
  EXPECT_EQ(first["dataset_fingerprint"], second["dataset_fingerprint"]);

  app::StoreRunCatalog catalog;
  catalog.open(QString::fromStdString(db));
  CompareView compare;
  compare.showRuns(catalog, {1, 2});
  compare.show();
  EXPECT_TRUE(compare.bannerText().isEmpty()) << compare.bannerText().toStdString();
}

TEST(DataPageDefaultsTest, TheBatchSizeSuitsTheTrainingRows) {
  QTemporaryDir dir;
  MainWindow window(dir.filePath(QStringLiteral("runs.db")));
  DataPage& page = *window.dataPage();
  ASSERT_TRUE(waitForPreview(page));
  auto* hint = window.trainPage()->findChild<QLabel*>(QStringLiteral("batchSizeHint"));
  ASSERT_NE(hint, nullptr);
  EXPECT_EQ(window.trainPage()->trainConfig().batchSize, 32) << "Fashion-MNIST: 54,000 rows";
  EXPECT_TRUE(hint->text().contains(QStringLiteral("54,000 training rows")))
      << hint->text().toStdString();
  ASSERT_TRUE(page.openCsv(writeFlowers(dir, QStringLiteral("iris.csv")), {}));
  ASSERT_TRUE(waitForPreview(page));
  EXPECT_EQ(page.trainingRows(), 106);
  EXPECT_EQ(window.trainPage()->trainConfig().batchSize, 8);
  EXPECT_EQ(hint->text(), QStringLiteral("8 — suits 106 training rows"));
  // A size the user chose stays when the data changes.
  window.trainPage()->setTrainConfig([&] {
    engine::TrainConfig config = window.trainPage()->trainConfig();
    config.batchSize = 24;
    return config;
  }());
  page.findChild<QSpinBox*>(QStringLiteral("sampleLimit"))->setValue(40);
  EXPECT_EQ(window.trainPage()->trainConfig().batchSize, 24);
  EXPECT_TRUE(hint->text().startsWith(QStringLiteral("2 — suits 28")))
      << hint->text().toStdString();
}

}  // namespace
}  // namespace layerlab::ui
