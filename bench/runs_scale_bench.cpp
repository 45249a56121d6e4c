// The Runs place at scale, offscreen: a store of 2,000 runs (each with parameters and 20 epochs)
// and 20 runs of 100,000 logged training-loss values each, written through the store's writer.
// Prints how long the table takes to read and show the store, to filter by a parameter and to
// sort by the best validation metric; and how long the comparison of the 20 long runs takes to
// open and to redraw after a change of smoothing, of x axis and of metric, with each figure's
// ratio to the 100 ms a person still perceives as instant.
//
//   runs_scale_bench [--runs N] [--points N] [--store FILE] [--image FILE.png]
//
// Defaults: 2,000 runs, 100,000 points, a temporary store. With --store, the store is filled
// only when the file does not exist yet, and kept, so later invocations skip the filling. With
// --image, the comparison as it is left (training loss, smoothed, log scale) is saved to look at.
#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHeaderView>
#include <QLineEdit>
#include <QTableView>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "storage/run_store.h"
#include "ui/runs/compare_view.h"
#include "ui/runs/runs_page.h"
#include "ui/runs/runs_table_model.h"

namespace {

using namespace layerlab;

constexpr int kCompared = 20;

void fill(const std::string& db, int runs, int points) {
  storage::RunStore store(db);
  for (int i = 0; i < runs; ++i) {
    storage::NewRun run;
    run.name = "run-" + std::to_string(i);
    run.modelJson = R"({"format":"layerlab.model","version":1,"name":"bench"})";
    run.configJson = nlohmann::json{
        {"format", "layerlab.train"},
        {"version", 1},
        {"learning_rate", 0.0001 * (i % 50 + 1)},
        {"optimizer", i % 2 == 0 ? "adam" : "sgd"},
        {"batch_size",
         32 << (i % 3)}}.dump();
    run.datasetJson = R"({"format":"layerlab.dataset","version":1,"source":"bench"})";
    run.device = "cpu";
    const int64_t id = store.createRun(run);
    const bool longRun = i < kCompared;
    const int epochs = 20;
    const int perEpoch = longRun ? points / epochs : 0;
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      for (int b = 1; b <= perEpoch; ++b) {
        const int64_t step = static_cast<int64_t>(epoch - 1) * perEpoch + b;
        const double x = static_cast<double>(step);
        store.bufferBatchSample(
            id, {step,
                 epoch,
                 x * 0.01,
                 {{"train", "loss", 2.0 / (1 + x / 5000) + 0.1 * std::sin(x * 0.37 + i)}}});
      }
      const double n = epoch;
      store.appendEpoch(id, {epoch,
                             static_cast<int64_t>(epoch) * std::max(perEpoch, 1),
                             n,
                             {{"val", "loss", 1.5 / n + 0.001 * i},
                              {"val", "accuracy", 0.5 + n / 100 + 0.0001 * i}}});
    }
    store.finishRun(id, storage::RunStatus::Completed, {{"test", "accuracy", 0.8}}, "");
  }
}

template <typename Step>
double timed(Step step) {
  QElapsedTimer timer;
  timer.start();
  step();
  QApplication::processEvents();
  return static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

void report(const char* what, double ms) {
  std::printf("%-52s %9.1f ms   %5.2f x 100 ms\n", what, ms, ms / 100.0);
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 2000, points = 100000;
  QString kept, image;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--runs") == 0) runs = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--points") == 0) points = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--store") == 0) kept = QString::fromLocal8Bit(argv[i + 1]);
    if (std::strcmp(argv[i], "--image") == 0) image = QString::fromLocal8Bit(argv[i + 1]);
  }
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QTemporaryDir dir;
  const QString db = kept.isEmpty() ? dir.filePath(QStringLiteral("runs.db")) : kept;
  if (QFileInfo::exists(db)) {
    std::printf("store: %s, filled by an earlier invocation\n\n", qPrintable(db));
  } else {
    QElapsedTimer filling;
    filling.start();
    fill(db.toStdString(), runs, points);
    std::printf("store: %d runs, %d of them with %d training-loss points (written in %.1f s)\n\n",
                runs, kCompared, points, filling.elapsed() / 1000.0);
  }

  ui::RunsPage* page = nullptr;
  report("table: open the store and show every run", timed([&] {
           page = new ui::RunsPage(db);
           page->resize(1400, 900);
           page->show();
         }));
  auto* table = page->findChild<QTableView*>(QStringLiteral("runsTable"));
  std::printf("%50s %d rows\n", "", table->model()->rowCount());
  auto* filter = page->findChild<QLineEdit*>(QStringLiteral("runsFilter"));
  report("table: filter lr<0.001 optimizer=adam",
         timed([&] { filter->setText(QStringLiteral("lr<0.001 optimizer=adam")); }));
  std::printf("%50s %d rows\n", "", table->model()->rowCount());
  report("table: clear the filter", timed([&] { filter->clear(); }));
  report("table: sort by best validation accuracy", timed([&] {
           table->sortByColumn(ui::RunsTableModel::BestValColumn, Qt::DescendingOrder);
         }));
  report("table: reload after a change in the store (rename)",
         timed([&] { page->renameRun(2, QStringLiteral("renamed")); }));
  report("table: open a run's detail", timed([&] { page->showRunDetail(1); }));

  std::vector<int64_t> ids;
  for (int i = 1; i <= kCompared; ++i)
    ids.push_back(i);
  ui::CompareView* view = page->compareView();
  report("compare: open 20 runs (validation loss)", timed([&] { page->compareRuns(ids); }));
  {
    // Read on a worker thread: how soon the view answers, how long until the lines are drawn,
    // and the longest the event loop went without running meanwhile.
    QElapsedTimer timer;
    timer.start();
    view->setMetric(QStringLiteral("train"), QStringLiteral("loss"));
    const double answered = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    double longestStall = 0, last = answered;
    while (view->isReading()) {
      QApplication::processEvents(QEventLoop::WaitForMoreEvents, 20);
      const double now = static_cast<double>(timer.nsecsElapsed()) / 1e6;
      longestStall = std::max(longestStall, now - last);
      last = now;
    }
    QApplication::processEvents();
    report("compare: to training loss, the view answers", answered);
    report("compare: ... 2,000,000 values read and drawn",
           static_cast<double>(timer.nsecsElapsed()) / 1e6);
    report("compare: ... longest event-loop stall meanwhile", longestStall);
  }
  report("compare: change the smoothing", timed([&] { view->setSmoothing(0.95); }));
  report("compare: x axis to wall time",
         timed([&] { view->setXAxis(ui::CompareView::XAxis::WallTime); }));
  report("compare: log scale", timed([&] { view->setLogScale(true); }));
  report("compare: hover readout", timed([&] { (void)view->readoutAt(points / 2.0); }));
  report("compare: metric to val accuracy (read lazily)",
         timed([&] { view->setMetric(QStringLiteral("val"), QStringLiteral("accuracy")); }));
  report("compare: back to training loss (kept in memory)",
         timed([&] { view->setMetric(QStringLiteral("train"), QStringLiteral("loss")); }));
  if (!image.isEmpty()) view->grab().save(image);
  report("compare: the store changes (a rename), series kept",
         timed([&] { page->renameRun(3, QStringLiteral("renamed too")); }));
  size_t drawn = 0;
  for (size_t r = 0; r < ids.size(); ++r)
    drawn += view->drawnPoints(r, true).size() + view->drawnPoints(r, false).size();
  std::printf("\ncompare: %zu points drawn for %zu stored (reduced per pixel column)\n", drawn,
              static_cast<size_t>(kCompared) * static_cast<size_t>(points) * 2);
  delete page;
  return 0;
}
