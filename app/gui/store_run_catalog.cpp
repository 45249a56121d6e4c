#include "app/gui/store_run_catalog.h"

#include <QFile>
#include <QThread>

#include <stdexcept>
#include <utility>

#include "storage/metrics_csv.h"
#include "storage/run_query.h"
#include "storage/run_store.h"
#include "ui/worker.h"

namespace layerlab::app {
namespace {

std::string localPath(const QString& path) {
  return QFile::encodeName(path).toStdString();
}

// A reader with a connection of its own, for the thread that asked for it.
class OwnReader : public ui::RunReader {
 public:
  explicit OwnReader(const std::string& path) : m_query(path, storage::existingStoreOptions()) {}

  int64_t dataVersion() const override { return m_query.dataVersion(); }
  storage::RunPage listRuns(const storage::RunListRequest& request) const override {
    return m_query.listRuns(request);
  }
  std::map<int64_t, std::map<std::string, storage::ParamValue>> paramColumns(
      const std::vector<std::string>& keys) const override {
    return m_query.paramColumns(keys);
  }
  std::optional<storage::RunDetail> run(int64_t runId) const override { return m_query.run(runId); }
  std::vector<storage::EpochMetrics> epochs(int64_t runId) const override {
    return m_query.epochs(runId);
  }
  std::vector<storage::MetricSeries> series(const storage::SeriesRequest& request) const override {
    return m_query.series(request);
  }
  std::vector<storage::MetricKey> metricKeys(int64_t runId,
                                             storage::MetricKind kind) const override {
    return m_query.metricKeys(runId, kind);
  }
  std::vector<storage::ParamDiffRow> paramDiff(const std::vector<int64_t>& runIds,
                                               bool includeSame) const override {
    return m_query.paramDiff(runIds, includeSame);
  }
  std::optional<storage::ConfusionMatrix> confusionMatrix(int64_t runId,
                                                          const std::string& split) const override {
    return m_query.confusionMatrix(runId, split);
  }
  std::vector<storage::ConfusionMatrix> confusionMatrices(int64_t runId) const override {
    return m_query.confusionMatrices(runId);
  }
  std::unique_ptr<ui::RunReader> openAnother() const override {
    return std::make_unique<OwnReader>(m_query.path());
  }

 private:
  storage::RunQuery m_query;
};

}  // namespace

StoreRunCatalog::StoreRunCatalog(storage::StoreOptions writeOptions)
    : m_writeOptions(std::move(writeOptions)) {
  m_writeOptions.createIfMissing = false;  // an edit never brings a deleted store back
}

StoreRunCatalog::~StoreRunCatalog() = default;

void StoreRunCatalog::open(const QString& path) {
  m_query.reset();
  m_path = localPath(path);
  // Opening creates a missing store, as the first start of the application needs.
  m_query = std::make_unique<storage::RunQuery>(m_path);
}

const storage::RunQuery& StoreRunCatalog::query() const {
  if (!m_query) throw std::runtime_error("No run store is open.");
  return *m_query;
}

int64_t StoreRunCatalog::dataVersion() const {
  return query().dataVersion();
}

storage::RunPage StoreRunCatalog::listRuns(const storage::RunListRequest& request) const {
  return query().listRuns(request);
}

std::map<int64_t, std::map<std::string, storage::ParamValue>> StoreRunCatalog::paramColumns(
    const std::vector<std::string>& keys) const {
  return query().paramColumns(keys);
}

std::optional<storage::RunDetail> StoreRunCatalog::run(int64_t runId) const {
  return query().run(runId);
}

std::vector<storage::EpochMetrics> StoreRunCatalog::epochs(int64_t runId) const {
  return query().epochs(runId);
}

std::vector<storage::MetricSeries> StoreRunCatalog::series(
    const storage::SeriesRequest& request) const {
  return query().series(request);
}

std::vector<storage::MetricKey> StoreRunCatalog::metricKeys(int64_t runId,
                                                            storage::MetricKind kind) const {
  return query().metricKeys(runId, kind);
}

std::vector<storage::ParamDiffRow> StoreRunCatalog::paramDiff(const std::vector<int64_t>& runIds,
                                                              bool includeSame) const {
  return query().paramDiff(runIds, includeSame);
}

std::optional<storage::ConfusionMatrix> StoreRunCatalog::confusionMatrix(
    int64_t runId, const std::string& split) const {
  return query().confusionMatrix(runId, split);
}

std::vector<storage::ConfusionMatrix> StoreRunCatalog::confusionMatrices(int64_t runId) const {
  return query().confusionMatrices(runId);
}

std::unique_ptr<ui::RunReader> StoreRunCatalog::openAnother() const {
  return std::make_unique<OwnReader>(query().path());
}

void StoreRunCatalog::runOffThread(std::function<void()> work, Done done) {
  const int id = m_nextWorker++;
  auto finished = [this, id, done = std::move(done)](const QString& error) {
    // Copied out first: erasing the Worker destroys this closure.
    const Done report = done;
    const QString failure = error;
    m_workers.erase(id);
    if (report) report(failure);
  };
  m_workers.emplace(id, std::make_unique<ui::Worker>(
                            &m_context, std::move(work),
                            QObject::tr("the store reported an unknown error"), finished));
}

void StoreRunCatalog::renameRun(int64_t runId, const QString& name, Done done) {
  runOffThread(
      [path = query().path(), options = m_writeOptions, runId, name = name.toStdString()] {
        storage::RunStore(path, options).renameRun(runId, name);
      },
      std::move(done));
}

void StoreRunCatalog::addTags(const std::vector<int64_t>& runIds, const QStringList& tags,
                              Done done) {
  std::vector<std::string> words;
  for (const QString& tag : tags)
    if (!tag.trimmed().isEmpty()) words.push_back(tag.trimmed().toStdString());
  runOffThread(
      [path = query().path(), options = m_writeOptions, runIds, words] {
        storage::RunStore store(path, options);
        for (const int64_t id : runIds)
          store.addTags(id, words);
      },
      std::move(done));
}

void StoreRunCatalog::setNotes(int64_t runId, const QString& notes, Done done) {
  runOffThread(
      [path = query().path(), options = m_writeOptions, runId, notes = notes.toStdString()] {
        storage::RunStore(path, options).setNotes(runId, notes);
      },
      std::move(done));
}

void StoreRunCatalog::deleteRuns(const std::vector<int64_t>& runIds, Done done) {
  runOffThread(
      [path = query().path(), options = m_writeOptions, runIds] {
        storage::RunStore store(path, options);
        for (const int64_t id : runIds) {
          if (QThread::currentThread()->isInterruptionRequested()) break;
          store.deleteRun(id);
        }
      },
      std::move(done));
}

void StoreRunCatalog::exportMetrics(const std::vector<int64_t>& runIds, const QString& path,
                                    Done done) {
  runOffThread(
      [store = query().path(), runIds, file = localPath(path)] {
        const storage::RunQuery reader(store, storage::existingStoreOptions());
        std::vector<storage::RunSummary> runs;
        for (const int64_t id : runIds)
          if (const auto run = reader.run(id)) runs.push_back(run->summary);
        storage::writeMetricsCsvFile(
            file, reader, runs,
            {storage::MetricKind::Batch, storage::MetricKind::Epoch, storage::MetricKind::Final},
            false);
      },
      std::move(done));
}

}  // namespace layerlab::app
