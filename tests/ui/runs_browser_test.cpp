// The Runs place as a browser and a comparison, on a store filled by real short training runs of
// layerlab-cli (Fashion-MNIST slices) plus synthetic runs written in bulk through the store's
// writer: filtering by text, tag and parameter, sorting by the best metric, comparing three runs
// (curves, smoothing, x axis, differing parameters, architecture and confusion differences),
// deleting with files, re-running with the same configuration, and following a live run.
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "app/gui/training_session.h"
#include "gui_test_support.h"
#include "run_catalog_support.h"
#include "storage/run_query.h"
#include "storage/run_store.h"
#include "tests/support/child_process.h"
#include "ui/main_window.h"
#include "ui/runs/compare_view.h"
#include "ui/runs/runs_page.h"
#include "ui/runs/runs_table_model.h"
#include "ui/training/train_page.h"

namespace layerlab::ui {
namespace {

using testing::child;
using testing::columnTexts;
using testing::editAndWait;
using testing::withStoreCatalog;
using Column = RunsTableModel::Column;

const std::string kCli = LAYERLAB_CLI_PATH;
const std::string kTemplates = LAYERLAB_SOURCE_DIR "/resources/templates/";
constexpr int kSyntheticRuns = 120;

struct RealRun {
  std::string name, optimizer, lr;
  int epochs;
};
const RealRun kRealRuns[] = {{"mlp-adam", "adam", "0.001", 2},
                             {"mlp-sgd", "sgd", "0.05", 2},
                             {"mlp-adam-fast", "adam", "0.004", 3}};

// A run with empty documents, for tests that write its metrics themselves.
storage::NewRun bareRun(const std::string& name) {
  storage::NewRun run;
  run.name = name;
  run.modelJson = R"({"format":"layerlab.model","version":1})";
  run.configJson = R"({"format":"layerlab.train","version":1})";
  run.datasetJson = R"({"format":"layerlab.dataset","version":1})";
  return run;
}

// Fills `dir` with the store every test starts from: three real runs, then the synthetic ones.
void prepareStore(const QString& dir) {
  const std::string db = (dir + QStringLiteral("/runs.db")).toStdString();
  for (const RealRun& run : kRealRuns) {
    test::ChildProcess cli(kCli,
                           {"train",
                            "--db",
                            db,
                            "--model",
                            kTemplates + "mlp.layerlab.json",
                            "--data",
                            "fashion-mnist",
                            "--limit",
                            "1500",
                            "--epochs",
                            std::to_string(run.epochs),
                            "--optimizer",
                            run.optimizer,
                            "--lr",
                            run.lr,
                            "--batch-size",
                            "50",
                            "--log-every",
                            "2",
                            "--name",
                            run.name},
                           {"OMP_NUM_THREADS=1"});
    const test::ProcessResult result = cli.wait();
    ASSERT_EQ(result.exitCode, 0) << result.err;
  }
  storage::RunStore store(db);
  QFile cnn(QString::fromStdString(kTemplates + "cnn.layerlab.json"));
  ASSERT_TRUE(cnn.open(QIODevice::ReadOnly));
  const std::string cnnModel = cnn.readAll().toStdString();
  for (int i = 0; i < kSyntheticRuns; ++i) {
    storage::NewRun run;
    run.name = "synthetic-" + std::to_string(i);
    run.modelJson = cnnModel;
    run.configJson = nlohmann::json{
        {"format", "layerlab.train"},
        {"version", 1},
        {"learning_rate", 0.0005 * (i % 7 + 1)},
        {"optimizer", i % 3 == 0 ? "sgd" : "adam"},
        {"batch_size",
         32 << (i % 3)}}.dump();
    run.datasetJson = R"({"format":"layerlab.dataset","version":1,"source":"synthetic"})";
    run.datasetFingerprint = "synthetic-data";
    run.device = "cpu";
    run.appVersion = "test";
    const int64_t id = store.createRun(run);
    for (int epoch = 1; epoch <= 4; ++epoch) {
      const double n = epoch;
      store.appendEpoch(
          id, {epoch,
               epoch * 10,
               n,
               {{"val", "accuracy", 0.3 + 0.001 * i + n / 100}, {"val", "loss", 2.0 / n}}});
    }
    store.finishRun(id, storage::RunStatus::Completed, {}, "");
  }
  QFile ready(dir + QStringLiteral("/ready"));
  ASSERT_TRUE(ready.open(QIODevice::WriteOnly));
}

// ctest runs this first (a fixture) so the tests, each in a process of its own, share one
// prepared store: LAYERLAB_RUNS_STORE names its folder.
TEST(RunsStoreSetup, Prepare) {
  const QString dir = qEnvironmentVariable("LAYERLAB_RUNS_STORE");
  if (dir.isEmpty()) GTEST_SKIP() << "LAYERLAB_RUNS_STORE is not set";
  QDir(dir).removeRecursively();
  ASSERT_TRUE(QDir().mkpath(dir));
  prepareStore(dir);
}

class RunsBrowserTest : public ::testing::Test {
 protected:
  // The shared store when ctest prepared one, else a store of this process's own.
  static void SetUpTestSuite() {
    const QString shared = qEnvironmentVariable("LAYERLAB_RUNS_STORE");
    if (!shared.isEmpty() && QFile::exists(shared + QStringLiteral("/ready"))) {
      s_base = shared;
      return;
    }
    s_own = new QTemporaryDir();
    s_base = s_own->path();
    prepareStore(s_base);
  }
  static void TearDownTestSuite() {
    delete s_own;
    s_own = nullptr;
  }

  // A copy of the prepared store for this test alone, opened in a window on the Runs place.
  void SetUp() override {
    namespace fs = std::filesystem;
    fs::copy(s_base.toStdString(), m_dir.path().toStdString(),
             fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    m_db = m_dir.filePath(QStringLiteral("runs.db"));
    m_window = std::make_unique<MainWindow>(m_db);
    withStoreCatalog(*m_window);
    m_window->trainPage()->setBackend(&m_session);
    m_window->show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->showPlace(Place::Runs);
  }

  RunsPage& page() const { return *child<RunsPage>(*m_window, "runsPage"); }
  QTableView& table() const { return *child<QTableView>(*m_window, "runsTable"); }
  QStringList column(Column which) const { return columnTexts(*table().model(), which); }
  void filter(const QString& text) {
    auto* box = child<QLineEdit>(*m_window, "runsFilter");
    box->selectAll();
    QTest::keyClick(box, Qt::Key_Backspace);
    QTest::keyClicks(box, text);
  }
  int64_t idOf(const std::string& name) const {
    for (const storage::RunSummary& run : storage::RunQuery(m_db.toStdString()).listRuns())
      if (run.name == name) return run.id;
    return -1;
  }

  static inline QString s_base;
  static inline QTemporaryDir* s_own = nullptr;
  QTemporaryDir m_dir;
  QString m_db;
  app::TrainingSession m_session;
  std::unique_ptr<MainWindow> m_window;
};

TEST_F(RunsBrowserTest, FiltersByTextTagAndParameter) {
  EXPECT_EQ(table().model()->rowCount(), kSyntheticRuns + 3);

  filter(QStringLiteral("mlp-adam"));
  QStringList names = column(Column::NameColumn);
  names.sort();
  EXPECT_EQ(names, QStringList({"mlp-adam", "mlp-adam-fast"}));

  ASSERT_EQ(
      editAndWait(page(),
                  [&] {
                    return page().tagRuns({idOf("mlp-sgd"), idOf("synthetic-5")}, {"baseline"});
                  }),
      QString());
  filter(QStringLiteral("tag:baseline"));
  names = column(Column::NameColumn);
  names.sort();
  EXPECT_EQ(names, QStringList({"mlp-sgd", "synthetic-5"}));

  // lr < 0.0012 and sgd: the real sgd run has lr 0.05, so only synthetic runs with i % 7 < 2
  // and i % 3 == 0.
  filter(QStringLiteral("lr<0.0012 optimizer=sgd"));
  std::set<QString> expected;
  for (int i = 0; i < kSyntheticRuns; ++i)
    if (i % 7 < 2 && i % 3 == 0) expected.insert(QStringLiteral("synthetic-%1").arg(i));
  const QStringList shown = column(Column::NameColumn);
  EXPECT_EQ(std::set<QString>(shown.begin(), shown.end()), expected);
  EXPECT_TRUE(page().filterError().isEmpty());
  EXPECT_TRUE(child<QLabel>(*m_window, "runsCount")
                  ->text()
                  .startsWith(QStringLiteral("%1 of ").arg(expected.size())));

  filter(QStringLiteral("lr<"));
  EXPECT_TRUE(page().filterError().contains(QStringLiteral("no value")))
      << page().filterError().toStdString();
  filter(QStringLiteral("status:done"));
  EXPECT_TRUE(page().filterError().contains(QStringLiteral("'done' is not a status")));
  filter(QString());
  EXPECT_EQ(table().model()->rowCount(), kSyntheticRuns + 3);
}

TEST_F(RunsBrowserTest, SortsByTheBestValidationMetric) {
  QHeaderView* header = table().horizontalHeader();
  QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                    QPoint(header->sectionViewportPosition(Column::BestValColumn) + 10, 8));
  if (header->sortIndicatorOrder() != Qt::DescendingOrder)
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                      QPoint(header->sectionViewportPosition(Column::BestValColumn) + 10, 8));
  std::vector<double> best;
  const storage::RunQuery query(m_db.toStdString());
  const auto bests = query.bestEpochs({"val", "accuracy"});
  for (int row = 0; row < table().model()->rowCount(); ++row) {
    const int64_t id = table().model()->index(row, 0).data(RunsTableModel::kRunIdRole).toLongLong();
    ASSERT_TRUE(bests.count(id)) << id;
    best.push_back(bests.at(id).value);
  }
  EXPECT_TRUE(std::is_sorted(best.rbegin(), best.rend())) << "highest first";
  // The cell says where the best came from.
  const QString top = table().model()->index(0, Column::BestValColumn).data().toString();
  EXPECT_TRUE(top.contains(QStringLiteral("(epoch "))) << top.toStdString();
}

TEST_F(RunsBrowserTest, ComparesThreeRunsWithTheirDifferences) {
  const std::vector<int64_t> ids = {idOf("mlp-adam"), idOf("mlp-sgd"), idOf("mlp-adam-fast")};
  ASSERT_EQ(page().selectRuns(ids), 3);
  auto* compare = m_window->findChild<QAction*>(QStringLiteral("compareRunsAction"));
  ASSERT_TRUE(compare->isEnabled());
  compare->trigger();
  CompareView& view = *page().compareView();
  ASSERT_TRUE(view.isVisible());
  std::vector<int64_t> shown = view.runIds();
  std::sort(shown.begin(), shown.end());
  EXPECT_EQ(shown, ids);
  EXPECT_TRUE(view.bannerText().isEmpty()) << "same data, no banner";

  // Validation accuracy per epoch: one point per epoch, the best epoch marked at its value.
  view.setMetric(QStringLiteral("val"), QStringLiteral("accuracy"));
  view.setSmoothing(0.0);
  view.setXAxis(CompareView::XAxis::Epoch);
  const storage::RunQuery query(m_db.toStdString());
  const auto bests = query.bestEpochs({"val", "accuracy"});
  for (size_t r = 0; r < 3; ++r) {
    const int64_t id = view.runIds()[r];
    const std::vector<QPointF> points = view.drawnPoints(r, true);
    ASSERT_EQ(points.size(), query.epochs(id).size()) << id;
    EXPECT_NEAR(points.back().x(), query.epochs(id).size(), 1e-9) << "epoch axis";
    ASSERT_TRUE(view.bestMarker(r));
    EXPECT_DOUBLE_EQ(view.bestMarker(r)->y(), bests.at(id).value);
  }

  // Training loss per logged batch: smoothing keeps the raw line and makes the strong one calmer.
  view.setMetric(QStringLiteral("train"), QStringLiteral("loss"));
  view.setXAxis(CompareView::XAxis::Step);
  const std::vector<QPointF> raw = view.drawnPoints(0, true);
  ASSERT_GT(raw.size(), 20U);
  auto wiggle = [](const std::vector<QPointF>& points) {
    double total = 0;
    for (size_t i = 1; i < points.size(); ++i)
      total += std::abs(points[i].y() - points[i - 1].y());
    return total;
  };
  view.setSmoothing(0.9);
  EXPECT_EQ(view.drawnPoints(0, false), raw) << "the raw values stay, faint";
  EXPECT_LT(wiggle(view.drawnPoints(0, true)), 0.7 * wiggle(raw));
  EXPECT_TRUE(
      view.readoutAt(raw[raw.size() / 2].x()).contains(QStringLiteral("run %1").arg(ids[1])));

  // Differences only: exactly the keys whose values differ, read independently here.
  std::map<std::string, std::set<std::string>> values;
  for (const int64_t id : ids)
    for (const storage::Param& param : query.params(id))
      values[param.key].insert(param.value.toString());
  std::set<std::string> differing;
  for (const auto& [key, seen] : values) {
    size_t runsWithKey = 0;
    for (const int64_t id : ids)
      for (const storage::Param& param : query.params(id))
        runsWithKey += param.key == key;
    if (seen.size() > 1 || runsWithKey != ids.size()) differing.insert(key);
  }
  view.setDifferencesOnly(true);
  QStringList keys = view.parameterKeys();
  EXPECT_EQ(std::set<QString>(keys.begin(), keys.end()).size(), differing.size());
  for (const std::string& key : differing)
    EXPECT_TRUE(keys.contains(QString::fromStdString(key))) << key;
  EXPECT_TRUE(keys.contains(QStringLiteral("config.optimizer")));
  EXPECT_FALSE(keys.contains(QStringLiteral("model.sha256"))) << "the same model";
  view.setDifferencesOnly(false);
  EXPECT_EQ(static_cast<size_t>(view.parameterKeys().size()), values.size());
}

TEST_F(RunsBrowserTest, TwoRunsShowTheirConfusionAndArchitectureDifferences) {
  const int64_t a = idOf("mlp-adam"), b = idOf("mlp-sgd");
  page().compareRuns({a, b});
  CompareView& view = *page().compareView();
  QTableWidget* confusion = view.confusionTable();
  ASSERT_EQ(confusion->rowCount(), 10);
  int64_t total = 0, diagonal = 0;
  const storage::RunQuery query(m_db.toStdString());
  const auto ma = query.confusionMatrix(a, "test"), mb = query.confusionMatrix(b, "test");
  for (int r = 0; r < 10; ++r)
    for (int c = 0; c < 10; ++c) {
      const int64_t delta = confusion->item(r, c)->text().toLongLong();
      const size_t at = static_cast<size_t>(r * 10 + c);
      EXPECT_EQ(delta, mb->counts[at] - ma->counts[at]);
      total += delta;
      if (r == c) diagonal += delta;
    }
  EXPECT_EQ(total, 0) << "both runs saw the same test samples";
  EXPECT_EQ(view.architectureTable()->item(1, 1)->text(), QStringLiteral("same layers"));

  // A run on other data with another model: the banner and the architecture say so.
  const int64_t other = idOf("synthetic-3");
  page().compareRuns({a, other});
  EXPECT_TRUE(view.bannerText().contains(QStringLiteral("not train on the same data")))
      << view.bannerText().toStdString();
  bool removed = false;
  for (int row = 0; row < view.architectureTable()->rowCount(); ++row)
    removed =
        removed || view.architectureTable()->item(row, 1)->text() == QStringLiteral("removed");
  EXPECT_TRUE(removed);
}

TEST_F(RunsBrowserTest, DeletingARunRemovesItsFiles) {
  const int64_t id = idOf("mlp-adam-fast");
  std::vector<std::string> files;
  for (const storage::ArtifactRecord& artifact :
       storage::RunQuery(m_db.toStdString()).artifacts(id))
    files.push_back(artifact.path);
  ASSERT_FALSE(files.empty()) << "checkpoints were saved";
  for (const std::string& file : files)
    ASSERT_TRUE(std::filesystem::exists(file)) << file;
  ASSERT_EQ(page().selectRuns({id}), 1);
  ASSERT_EQ(editAndWait(page(), [&] { return page().deleteRuns(page().selectedRunIds()); }),
            QString());
  for (const std::string& file : files)
    EXPECT_FALSE(std::filesystem::exists(file)) << file;
  EXPECT_FALSE(column(Column::NameColumn).contains(QStringLiteral("mlp-adam-fast")));
  EXPECT_FALSE(storage::RunQuery(m_db.toStdString()).run(id));
}

TEST_F(RunsBrowserTest, ReRunTrainsWithTheSameConfiguration) {
  const int64_t id = idOf("mlp-sgd");
  ASSERT_EQ(page().selectRuns({id}), 1);
  QSignalSpy finished(m_window->trainPage(), &TrainPage::trainingFinished);
  m_window->findChild<QAction*>(QStringLiteral("rerunAction"))->trigger();
  EXPECT_EQ(m_window->currentPlace(), Place::Train);
  ASSERT_TRUE(testing::waitUntil([&] { return finished.count() >= 1; }, 120000))
      << m_window->trainPage()->statusText().toStdString();
  EXPECT_EQ(finished.at(0).at(1).toString(), QStringLiteral("completed"));
  const qint64 again = finished.at(0).at(0).toLongLong();
  ASSERT_NE(again, id);
  const storage::RunQuery query(m_db.toStdString());
  const auto before = query.run(id), after = query.run(again);
  ASSERT_TRUE(before && after);
  EXPECT_EQ(nlohmann::json::parse(after->configJson), nlohmann::json::parse(before->configJson));
  EXPECT_EQ(nlohmann::json::parse(after->datasetJson), nlohmann::json::parse(before->datasetJson));
  EXPECT_EQ(after->modelSha256, before->modelSha256);
  EXPECT_EQ(after->datasetFingerprint, before->datasetFingerprint);
}

TEST_F(RunsBrowserTest, ARunWrittenByAnotherProcessUpdatesTheComparison) {
  // A run in progress, written through a connection of its own as another program would.
  storage::RunStore writer(m_db.toStdString());
  const int64_t b = writer.createRun(bareRun("live"));
  for (int epoch = 1; epoch <= 4; ++epoch)
    writer.appendEpoch(b, {epoch, epoch * 10, 1.0 * epoch, {{"val", "loss", 2.0 / epoch}}});
  ASSERT_TRUE(testing::waitUntil([&] { return page().selectRuns({b}) == 1; },
                                 5 * RunsPage::kPollIntervalMs));
  page().compareRuns({idOf("synthetic-1"), b});
  CompareView& view = *page().compareView();
  view.setMetric(QStringLiteral("val"), QStringLiteral("loss"));
  view.setSmoothing(0.0);
  ASSERT_EQ(view.drawnPoints(1, true).size(), 4U);
  writer.appendEpoch(b, {5, 50, 5.0, {{"val", "loss", 0.3}}});
  ASSERT_TRUE(testing::waitUntil([&] { return view.drawnPoints(1, true).size() == 5U; },
                                 5 * RunsPage::kPollIntervalMs));
  EXPECT_DOUBLE_EQ(view.drawnPoints(1, true).back().y(), 0.3);
  EXPECT_DOUBLE_EQ(view.bestMarker(1)->y(), 0.3) << "the new epoch is the best loss";
}

// Comparing runs whose training loss has more values than the view reads at once: the values are
// read on a worker thread while the view answers, then drawn; a page closed during such a read
// neither waits forever nor crashes.
TEST_F(RunsBrowserTest, ALongComparisonIsReadInTheBackground) {
  QTemporaryDir dir;
  const std::string db = dir.filePath(QStringLiteral("long.db")).toStdString();
  constexpr int kEpochs = 10, kPerEpoch = 7500;  // 3 runs x 75,000 values > kValuesReadAtOnce
  static_assert(3 * kEpochs * kPerEpoch > CompareView::kValuesReadAtOnce);
  std::vector<int64_t> ids;
  {
    storage::RunStore store(db);
    for (int r = 0; r < 3; ++r) {
      const int64_t id = store.createRun(bareRun("long-" + std::to_string(r)));
      for (int epoch = 1; epoch <= kEpochs; ++epoch) {
        for (int b = 1; b <= kPerEpoch; ++b) {
          const int64_t step = int64_t{epoch - 1} * kPerEpoch + b;
          store.bufferBatchSample(
              id, {step, epoch, 0.001 * step, {{"train", "loss", 1.0 / (r + 1) + 1.0 / step}}});
        }
        store.appendEpoch(
            id, {epoch, int64_t{epoch} * kPerEpoch, 1.0 * epoch, {{"val", "loss", 1.0 / epoch}}});
      }
      store.finishRun(id, storage::RunStatus::Completed, {}, "");
      ids.push_back(id);
    }
  }
  const storage::RunQuery query(db);
  {
    RunsPage page(QString::fromStdString(db));
    withStoreCatalog(page);
    page.resize(1200, 800);
    page.show();
    page.compareRuns(ids);
    CompareView& view = *page.compareView();
    view.setSmoothing(0.0);
    QSignalSpy drawn(&view, &CompareView::curvesRead);
    view.setMetric(QStringLiteral("train"), QStringLiteral("loss"));
    ASSERT_TRUE(view.isReading());
    EXPECT_TRUE(view.chartMessage().startsWith(QStringLiteral("Reading train loss of 3 runs")))
        << view.chartMessage().toStdString();
    ASSERT_TRUE(testing::waitUntil([&] { return !view.isReading(); }, 60000));
    EXPECT_EQ(drawn.count(), 1);
    EXPECT_TRUE(view.chartMessage().isEmpty()) << view.chartMessage().toStdString();
    for (size_t r = 0; r < ids.size(); ++r) {
      const std::vector<storage::BatchSample> stored = query.batchSamples(ids[r], "loss");
      ASSERT_EQ(stored.size(), size_t{kEpochs} * kPerEpoch);
      const std::vector<QPointF> points = view.drawnPoints(r, true);
      ASSERT_FALSE(points.empty());
      EXPECT_LT(points.size(), stored.size() / 10) << "reduced per pixel column";
      EXPECT_DOUBLE_EQ(points.front().x(), 1.0);
      EXPECT_DOUBLE_EQ(points.front().y(), stored.front().values[0].value);
      EXPECT_DOUBLE_EQ(points.back().x(), static_cast<double>(stored.back().step));
      EXPECT_DOUBLE_EQ(points.back().y(), stored.back().values[0].value);
    }
    // Kept: the metric shown again is drawn at once.
    view.setMetric(QStringLiteral("val"), QStringLiteral("loss"));
    view.setMetric(QStringLiteral("train"), QStringLiteral("loss"));
    EXPECT_FALSE(view.isReading());
    EXPECT_FALSE(view.drawnPoints(0, true).empty());

    // Another comparison starts a read; the page goes away in the middle of it.
    auto closing = std::make_unique<RunsPage>(QString::fromStdString(db));
    withStoreCatalog(*closing);
    closing->compareRuns(ids);
    closing->compareView()->setMetric(QStringLiteral("train"), QStringLiteral("loss"));
    ASSERT_TRUE(closing->compareView()->isReading());
    closing.reset();
  }
}

}  // namespace
}  // namespace layerlab::ui
