// The export dialog and the "Try it" panel on a run trained by layerlab-cli (an mlp on 600
// Fashion-MNIST samples, one epoch), through the application's RunToolsImpl: the dialog writes
// the ONNX file, summarises it and records it with the run; the panel predicts the classes that
// `layerlab-cli predict --json` prints for the same samples. A stand-in RunTools that holds the
// export shows that the work happens off the GUI thread.
#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPixmap>
#include <QPushButton>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <future>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "app/gui/run_tools_impl.h"
#include "gui_test_support.h"
#include "storage/run_query.h"
#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"
#include "ui/export/export_dialog.h"
#include "ui/export/try_it_panel.h"

namespace layerlab::ui {
namespace {

using nlohmann::json;
using testing::child;
using testing::waitUntil;

const std::string kCli = LAYERLAB_CLI_PATH;
const std::string kTemplates = LAYERLAB_SOURCE_DIR "/resources/templates/";
constexpr int kWorkTimeoutMs = 120000;

class ExportTools : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    s_dir = std::make_unique<test::TempDir>();
    const test::ProcessResult train = test::runProcess(
        kCli,
        {"train", "--model", kTemplates + "mlp.layerlab.json", "--data", "fashion-mnist", "--limit",
         "600", "--epochs", "1", "--threads", "1", "--name", "tiny mlp", "--db", db()},
        {"OMP_NUM_THREADS=1"});
    ASSERT_EQ(train.exitCode, 0) << train.err;
  }
  static void TearDownTestSuite() { s_dir.reset(); }
  static std::string db() { return s_dir->file("runs.db"); }
  static std::string file(const std::string& name) { return s_dir->file(name); }

  // `layerlab-cli predict --json` on the first `limit` test samples of run 1.
  static json cliPredict(int64_t limit) {
    const test::ProcessResult result =
        test::runProcess(kCli,
                         {"predict", "--run", "1", "--split", "test", "--limit",
                          std::to_string(limit), "--json", "--db", db()},
                         {"OMP_NUM_THREADS=1"});
    EXPECT_EQ(result.exitCode, 0) << result.err;
    return result.exitCode == 0 ? json::parse(result.out) : json::object();
  }

  static std::unique_ptr<test::TempDir> s_dir;
  app::RunToolsImpl m_tools{db()};
};

std::unique_ptr<test::TempDir> ExportTools::s_dir;

TEST_F(ExportTools, DialogWritesTheFileSummarisesItAndRecordsTheArtifact) {
  ExportDialog dialog(1, QStringLiteral("tiny mlp"), m_tools);
  dialog.show();
  auto* path = child<QLineEdit>(dialog, "exportPath");
  auto* checkpoint = child<QComboBox>(dialog, "exportCheckpoint");
  auto* button = child<QPushButton>(dialog, "exportButton");
  ASSERT_TRUE(path && checkpoint && button);
  EXPECT_TRUE(path->text().endsWith(QStringLiteral("/tiny_mlp.onnx")))
      << path->text().toStdString();

  const std::string target = file("from-dialog.onnx");
  path->setText(QString::fromStdString(target));
  checkpoint->setCurrentIndex(checkpoint->findData(QStringLiteral("last")));
  QSignalSpy exported(&dialog, &ExportDialog::exported);
  QTest::mouseClick(button, Qt::LeftButton);
  EXPECT_TRUE(dialog.exporting());
  EXPECT_FALSE(button->isEnabled()) << "no second export while one runs";
  ASSERT_TRUE(waitUntil([&] { return !dialog.exporting(); }, kWorkTimeoutMs));

  ASSERT_EQ(exported.count(), 1) << child<QLabel>(dialog, "exportError")->text().toStdString();
  EXPECT_EQ(exported.at(0).at(1).toString().toStdString(), target);
  ASSERT_TRUE(std::filesystem::exists(target));
  const auto bytes = static_cast<int64_t>(std::filesystem::file_size(target));
  EXPECT_TRUE(button->isEnabled());
  EXPECT_FALSE(child<QLabel>(dialog, "exportError")->isVisible());
  auto* summary = child<QLabel>(dialog, "exportSummary");
  ASSERT_TRUE(summary->isVisible());
  const std::string text = summary->text().toStdString();
  for (const std::string& expected : std::vector<std::string>{
           "opset 17", "<b>input</b>", "[N, 1, 28, 28]", "<b>output</b>", "[N, 10]",
           QLocale().toString(static_cast<qint64>(bytes)).toStdString() + " bytes", target}) {
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " in " << text;
  }
  EXPECT_NE(child<QLabel>(dialog, "exportStatus")->text().toStdString().find("last checkpoint"),
            std::string::npos);

  const storage::RunQuery query(db());
  const std::optional<storage::ArtifactRecord> artifact = query.artifact(1, "onnx");
  ASSERT_TRUE(artifact.has_value());
  EXPECT_EQ(artifact->bytes, bytes);
  EXPECT_TRUE(storage::verifyArtifact(*artifact));
  EXPECT_NE(artifact->metadataJson.find(target), std::string::npos) << artifact->metadataJson;
  EXPECT_NE(text.find(artifact->sha256.substr(0, 12)), std::string::npos) << text;
}

TEST_F(ExportTools, DialogShowsWhyAnExportCannotHappen) {
  ExportDialog dialog(99, QStringLiteral("gone"), m_tools);
  dialog.show();
  auto* error = child<QLabel>(dialog, "exportError");
  QSignalSpy failed(&dialog, &ExportDialog::exportFailed);

  // Caught before any work starts.
  dialog.setPath(QString::fromStdString(file("missing-folder/model.onnx")));
  EXPECT_FALSE(dialog.startExport());
  EXPECT_TRUE(error->isVisible());
  EXPECT_TRUE(error->text().contains(QStringLiteral("does not exist")))
      << error->text().toStdString();

  // Refused by the worker: there is no run 99.
  dialog.setPath(QString::fromStdString(file("gone.onnx")));
  QTest::mouseClick(child<QPushButton>(dialog, "exportButton"), Qt::LeftButton);
  ASSERT_TRUE(waitUntil([&] { return failed.count() == 1; }, kWorkTimeoutMs));
  EXPECT_TRUE(error->isVisible());
  EXPECT_TRUE(error->text().contains(QStringLiteral("no run 99"))) << error->text().toStdString();
  EXPECT_FALSE(child<QLabel>(dialog, "exportSummary")->isVisible());
  EXPECT_FALSE(std::filesystem::exists(file("gone.onnx")));
}

// Holds every export until the test lets it go, noting the thread it ran on.
class HeldTools : public RunTools {
 public:
  ExportResult exportOnnx(int64_t, const std::string& path, const std::string&) override {
    thread = QThread::currentThread();
    entered = true;
    release.get_future().wait();
    ExportResult result;
    result.path = path;
    result.opset = 17;
    return result;
  }
  PredictionResult predict(const PredictRequest&) override { return {}; }

  std::atomic<QThread*> thread{nullptr};
  std::atomic<bool> entered{false};
  std::promise<void> release;
};

TEST(ExportDialogThreads, TheExportRunsOffTheGuiThreadWhichKeepsServingEvents) {
  HeldTools tools;
  ExportDialog dialog(1, QStringLiteral("held"), tools);
  // Let a held export go even when an assertion returns early: the dialog waits for it.
  bool released = false;
  const auto releaseOnExit = qScopeGuard([&] {
    if (!released) tools.release.set_value();
  });
  dialog.setPath(QDir::temp().filePath(QStringLiteral("held.onnx")));
  ASSERT_TRUE(dialog.startExport());
  ASSERT_TRUE(waitUntil([&] { return tools.entered.load(); }));
  // The export is held on its worker, yet the GUI thread still runs timers and queued calls.
  bool served = false;
  QMetaObject::invokeMethod(
      &dialog, [&served] { served = true; }, Qt::QueuedConnection);
  EXPECT_TRUE(waitUntil([&] { return served; }));
  EXPECT_TRUE(dialog.exporting());
  EXPECT_NE(tools.thread.load(), QThread::currentThread());
  tools.release.set_value();
  released = true;
  EXPECT_TRUE(waitUntil([&] { return !dialog.exporting(); }));
}

TEST(ExportDialogNames, TheSuggestedFolderExistsOnAMachineWithoutDocuments) {
  QTemporaryDir home;
  const QByteArray previous = qgetenv("HOME");
  qputenv("HOME", home.path().toUtf8());
  ASSERT_FALSE(QDir(home.filePath(QStringLiteral("Documents"))).exists());
  {
    HeldTools tools;
    ExportDialog dialog(7, QStringLiteral("no documents"), tools);
    const QString path = dialog.findChild<QLineEdit*>(QStringLiteral("exportPath"))->text();
    EXPECT_TRUE(QFileInfo(path).dir().exists()) << path.toStdString();
    EXPECT_EQ(QFileInfo(path).dir().absolutePath(), QDir(home.path()).absolutePath());
  }
  qputenv("HOME", previous);
}

TEST(ExportDialogNames, DefaultFileNameComesFromTheRunName) {
  EXPECT_EQ(ExportDialog::defaultFileName(QStringLiteral("mlp"), 3), QStringLiteral("mlp.onnx"));
  EXPECT_EQ(ExportDialog::defaultFileName(QStringLiteral(" cnn (lr 0.01) "), 3),
            QStringLiteral("cnn_lr_0_01.onnx"));
  EXPECT_EQ(ExportDialog::defaultFileName(QStringLiteral("../.."), 7),
            QStringLiteral("run_7.onnx"));
}

TEST(TryItProbabilities, SoftmaxOfSeveralLogitsSigmoidOfOne) {
  const std::vector<double> p = classProbabilities({1.0F, 2.0F, 3.0F});
  ASSERT_EQ(p.size(), 3U);
  const double sum = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  EXPECT_NEAR(p[2], std::exp(3.0) / sum, 1e-12);
  EXPECT_NEAR(p[0] + p[1] + p[2], 1.0, 1e-12);
  const std::vector<double> binary = classProbabilities({0.0F});
  ASSERT_EQ(binary.size(), 2U);
  EXPECT_NEAR(binary[1], 0.5, 1e-12);
  EXPECT_TRUE(classProbabilities({}).empty());
}

// The rows the panel shows: sample index, predicted class, its probability, true class.
struct ShownRow {
  int64_t index, predicted, truth;
  double probability;
  bool markedWrong;
  bool hasThumbnail;
};

std::vector<ShownRow> shownRows(const TryItPanel& panel) {
  auto* table = child<QTableWidget>(panel, "tryResults");
  std::vector<ShownRow> rows;
  for (int row = 0; table && row < table->rowCount(); ++row) {
    auto value = [&](int column) { return table->item(row, column)->data(Qt::UserRole); };
    rows.push_back({value(TryItPanel::SampleColumn).toLongLong(),
                    value(TryItPanel::PredictedColumn).toLongLong(),
                    value(TryItPanel::TrueColumn).toLongLong(),
                    value(TryItPanel::ProbabilityColumn).toDouble(),
                    table->item(row, TryItPanel::VerdictColumn)->text().contains(u'\u2717'),
                    !table->item(row, TryItPanel::SampleColumn)
                         ->data(Qt::DecorationRole)
                         .value<QPixmap>()
                         .isNull()});
  }
  return rows;
}

// Each row against the command line's prediction of the same sample.
void expectRowsMatch(const std::vector<ShownRow>& rows, const json& cli) {
  for (const ShownRow& row : rows) {
    SCOPED_TRACE("sample " + std::to_string(row.index));
    const auto at = static_cast<size_t>(row.index);
    ASSERT_LT(at, cli["predicted"].size());
    EXPECT_EQ(row.predicted, cli["predicted"][at].get<int64_t>());
    EXPECT_EQ(row.truth, static_cast<int64_t>(cli["targets"][at].get<double>()));
    EXPECT_EQ(row.markedWrong, row.predicted != row.truth);
    EXPECT_TRUE(row.hasThumbnail);
    const std::vector<float> outputs = cli["outputs"][at].get<std::vector<float>>();
    EXPECT_NEAR(row.probability, classProbabilities(outputs)[static_cast<size_t>(row.predicted)],
                1e-4);
  }
}

TEST_F(ExportTools, TryItPredictsWhatTheCommandLinePredicts) {
  TryItPanel panel(m_tools);
  QSignalSpy shown(&panel, &TryItPanel::predictionsShown);
  panel.showRun(1);
  EXPECT_EQ(shown.count(), 0) << "a hidden panel predicts nothing";
  panel.show();  // the first samples once visible
  ASSERT_TRUE(waitUntil([&] { return shown.count() == 1; }, kWorkTimeoutMs));
  ASSERT_NE(panel.result(), nullptr) << child<QLabel>(panel, "tryError")->text().toStdString();
  std::vector<ShownRow> first = shownRows(panel);
  ASSERT_EQ(first.size(), 16U);
  EXPECT_EQ(first.front().index, 0);
  EXPECT_EQ(first.back().index, 15);
  const int64_t splitSize = panel.result()->splitSize;
  ASSERT_GT(splitSize, 40);

  // The user's own range.
  child<QSpinBox>(panel, "tryStart")->setValue(20);
  child<QSpinBox>(panel, "tryCount")->setValue(9);
  QTest::mouseClick(child<QPushButton>(panel, "tryPredict"), Qt::LeftButton);
  ASSERT_TRUE(waitUntil([&] { return shown.count() == 2; }, kWorkTimeoutMs));
  const std::vector<ShownRow> range = shownRows(panel);
  ASSERT_EQ(range.size(), 9U);
  EXPECT_EQ(range.front().index, 20);
  EXPECT_EQ(range.back().index, 28);

  // Random samples, anywhere in the split.
  QTest::mouseClick(child<QPushButton>(panel, "tryRandom"), Qt::LeftButton);
  ASSERT_TRUE(waitUntil([&] { return shown.count() == 3; }, kWorkTimeoutMs));
  const std::vector<ShownRow> random = shownRows(panel);
  ASSERT_EQ(random.size(), 9U);
  std::set<int64_t> distinct;
  for (const ShownRow& row : random)
    distinct.insert(row.index);
  EXPECT_EQ(distinct.size(), 9U);

  const json cli = cliPredict(splitSize);
  ASSERT_EQ(cli["predicted"].size(), static_cast<size_t>(splitSize));
  expectRowsMatch(first, cli);
  expectRowsMatch(range, cli);
  expectRowsMatch(random, cli);
  int wrong = 0;
  for (const ShownRow& row : first)
    wrong += row.markedWrong ? 1 : 0;
  EXPECT_NE(child<QLabel>(panel, "tryStatus")->text().toStdString().find("of 9 right"),
            std::string::npos);
  std::cout << "[          ] first 16 test samples: " << 16 - wrong << " right\n";
}

TEST_F(ExportTools, TryItSaysWhySamplesCannotBePredicted) {
  TryItPanel panel(m_tools);
  QSignalSpy shown(&panel, &TryItPanel::predictionsShown);
  panel.showRun(1);
  ASSERT_TRUE(panel.predictRange(1'000'000, 2));
  ASSERT_TRUE(waitUntil([&] { return shown.count() == 1; }, kWorkTimeoutMs));
  EXPECT_EQ(panel.result(), nullptr);
  auto* error = child<QLabel>(panel, "tryError");
  EXPECT_TRUE(error->text().contains(QStringLiteral("not in the test part")))
      << error->text().toStdString();
  EXPECT_EQ(child<QTableWidget>(panel, "tryResults")->rowCount(), 0);

  panel.showRun(99);
  ASSERT_TRUE(panel.predictRange(0, 2));
  ASSERT_TRUE(waitUntil([&] { return shown.count() == 2; }, kWorkTimeoutMs));
  EXPECT_TRUE(error->text().contains(QStringLiteral("no run 99"))) << error->text().toStdString();
}

TEST_F(ExportTools, ToolsFollowTheStoreTheyAreGiven) {
  app::RunToolsImpl tools(file("other.db"));
  PredictRequest request;
  request.runId = 1;
  request.indices = {3};
  EXPECT_THROW(tools.predict(request), std::exception) << "no run 1 in another store";
  tools.setStorePath(db());  // the user opened the store with the run
  const PredictionResult result = tools.predict(request);
  ASSERT_EQ(result.samples.size(), 1U);
  EXPECT_EQ(result.samples[0].index, 3);
  EXPECT_EQ(result.samples[0].pixels.size(), 28U * 28U);
  EXPECT_TRUE(result.images && result.classification);
}

}  // namespace
}  // namespace layerlab::ui
