// The same training run through the GUI's TrainingSession (offscreen, with the event loop
// serving a 10 ms timer probe and the Train place's staging drain) and through `layerlab-cli
// train`, in one invocation on the same machine: per-epoch times from each run's stored epoch
// wall times, their ratio, and the GUI event loop's latency while the run trains.
//
//   gui_session_bench [--epochs N] [--limit N] [--model FILE] [--batch-size N] [--log-every N]
//                     [--threads N] [--gui-store FILE]
//
// Defaults: the mlp template, 3 epochs, 12,000 images, batch 32, a sample every 20 batches, every
// core. With --gui-store the GUI's run is kept in FILE and the CLI run is left out (bench/run
// times the CLI itself, interleaved with its other runs).
#include <QApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "app/gui/training_session.h"
#include "engine/model/model_spec.h"
#include "storage/run_query.h"

namespace {

using namespace layerlab;

struct Options {
  int epochs = 3;
  int64_t limit = 12000;
  QString model = QStringLiteral(LAYERLAB_SOURCE_DIR "/resources/templates/mlp.layerlab.json");
  int64_t batchSize = 32;
  int logEvery = 20;
  int threads = 0;
  QString guiStore;  // set: GUI run only, stored here
};

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(p * (values.size() - 1))];
}

// Mean seconds per epoch after the first (which pays for warm-up), from the stored wall times.
double secondsPerEpoch(const std::string& store) {
  const storage::RunQuery query(store);
  const std::vector<storage::RunSummary> runs = query.listRuns();
  if (runs.empty()) return 0;
  const std::vector<storage::EpochMetrics> epochs = query.epochs(runs.front().id);
  if (epochs.size() < 2) return epochs.empty() ? 0 : epochs.front().wallTime;
  return (epochs.back().wallTime - epochs.front().wallTime) /
         static_cast<double>(epochs.size() - 1);
}

engine::TrainConfig config(const Options& options) {
  engine::TrainConfig c;
  c.epochs = options.epochs;
  c.batchSize = options.batchSize;
  c.logEveryBatches = options.logEvery;
  c.threads = options.threads;
  return c;
}

int run(const Options& options) {
  QTemporaryDir dir;
  const std::string model = options.model.toStdString();
  const std::string guiStore = options.guiStore.isEmpty()
                                   ? dir.filePath(QStringLiteral("gui.db")).toStdString()
                                   : options.guiStore.toStdString();
  const std::string cliStore = dir.filePath(QStringLiteral("cli.db")).toStdString();

  // The GUI's path: a TrainingSession drained on the event loop, a probe measuring its latency.
  app::TrainingSession session;
  ui::TrainingRequest request;
  request.model = *engine::loadModelSpec(model).spec;
  request.dataset.limit = options.limit;
  request.config = config(options);
  request.storePath = QString::fromStdString(guiStore);
  std::vector<double> lateMs;
  QElapsedTimer clock;
  clock.start();
  qint64 last = -1;
  QTimer probe;
  probe.setTimerType(Qt::PreciseTimer);
  probe.setInterval(10);
  QObject::connect(&probe, &QTimer::timeout, [&] {
    const qint64 now = clock.nsecsElapsed();
    if (last >= 0) lateMs.push_back((now - last) / 1e6 - 10.0);
    last = now;
  });
  QString status;
  QObject::connect(&session, &ui::TrainingBackend::finished, [&](const ui::TrainingResult& r) {
    status = r.status + (r.error.isEmpty() ? QString() : QStringLiteral(": ") + r.error);
    QCoreApplication::quit();
  });
  probe.start();
  session.start(request);
  QCoreApplication::exec();
  probe.stop();
  if (!status.startsWith(QStringLiteral("completed"))) {
    std::fprintf(stderr, "gui_session_bench: the GUI run ended %s\n", qPrintable(status));
    return 1;
  }
  std::printf("event loop while training: p50 %.2f ms, p99 %.2f ms, max %.2f ms late (%zu ticks)\n",
              percentile(lateMs, 0.5), percentile(lateMs, 0.99), percentile(lateMs, 1.0),
              lateMs.size());
  if (!options.guiStore.isEmpty()) {
    std::printf("gui_seconds_per_epoch=%.4f\n", secondsPerEpoch(guiStore));
    return 0;
  }

  // The CLI's path, with the same model, data and config.
  QProcess cli;
  cli.start(
      QStringLiteral(LAYERLAB_CLI_PATH),
      {QStringLiteral("train"), QStringLiteral("--model"), QString::fromStdString(model),
       QStringLiteral("--limit"), QString::number(options.limit), QStringLiteral("--epochs"),
       QString::number(options.epochs), QStringLiteral("--batch-size"),
       QString::number(options.batchSize), QStringLiteral("--log-every"),
       QString::number(options.logEvery), QStringLiteral("--threads"),
       QString::number(options.threads), QStringLiteral("--db"), QString::fromStdString(cliStore)});
  if (!cli.waitForFinished(-1) || cli.exitCode() != 0) {
    std::fprintf(stderr, "gui_session_bench: the CLI run failed: %s\n",
                 cli.readAllStandardError().constData());
    return 1;
  }
  const double gui = secondsPerEpoch(guiStore), cliSeconds = secondsPerEpoch(cliStore);
  std::printf("%s, Fashion-MNIST %lld images, %d epochs, batch %lld\n", qPrintable(options.model),
              static_cast<long long>(options.limit), options.epochs,
              static_cast<long long>(options.batchSize));
  std::printf("per epoch: GUI session %.3f s, CLI %.3f s\n", gui, cliSeconds);
  std::printf("RATIO gui_vs_cli=%.3f\n", cliSeconds > 0 ? gui / cliSeconds : 0.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  Options options;
  const QStringList args = QCoreApplication::arguments();
  for (int i = 1; i + 1 < args.size(); i += 2) {
    if (args[i] == QStringLiteral("--epochs")) options.epochs = args[i + 1].toInt();
    if (args[i] == QStringLiteral("--limit")) options.limit = args[i + 1].toLongLong();
    if (args[i] == QStringLiteral("--model")) options.model = args[i + 1];
    if (args[i] == QStringLiteral("--batch-size")) options.batchSize = args[i + 1].toLongLong();
    if (args[i] == QStringLiteral("--log-every")) options.logEvery = args[i + 1].toInt();
    if (args[i] == QStringLiteral("--threads")) options.threads = args[i + 1].toInt();
    if (args[i] == QStringLiteral("--gui-store")) options.guiStore = args[i + 1];
  }
  return run(options);
}
