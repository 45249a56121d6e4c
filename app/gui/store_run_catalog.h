// The Runs place's catalog over layerlab_storage: reads through one storage::RunQuery connection
// on the GUI thread; edits and the metrics export each on a ui::Worker with a connection of their
// own (storage::RunStore), so a store another program holds locked delays nothing but the edit.
//
// Threads: GUI thread only (see ui/runs/run_catalog.h). Destroying the catalog stops and waits
// for the edits still running and drops their reports.
#pragma once

#include <QObject>

#include <map>
#include <memory>

#include "storage/run_types.h"
#include "ui/runs/run_catalog.h"

namespace layerlab::storage {
class RunQuery;
}

namespace layerlab::ui {
class Worker;
}

namespace layerlab::app {

class StoreRunCatalog : public ui::RunCatalog {
 public:
  // `writeOptions` are the edits' connection options (tests shorten the busy timeout).
  explicit StoreRunCatalog(storage::StoreOptions writeOptions = {});
  ~StoreRunCatalog() override;

  void open(const QString& path) override;
  bool isOpen() const override { return m_query != nullptr; }

  int64_t dataVersion() const override;
  storage::RunPage listRuns(const storage::RunListRequest& request) const override;
  std::map<int64_t, std::map<std::string, storage::ParamValue>> paramColumns(
      const std::vector<std::string>& keys) const override;
  std::optional<storage::RunDetail> run(int64_t runId) const override;
  std::vector<storage::EpochMetrics> epochs(int64_t runId) const override;
  std::vector<storage::MetricSeries> series(const storage::SeriesRequest& request) const override;
  std::vector<storage::MetricKey> metricKeys(int64_t runId,
                                             storage::MetricKind kind) const override;
  std::vector<storage::ParamDiffRow> paramDiff(const std::vector<int64_t>& runIds,
                                               bool includeSame) const override;
  std::optional<storage::ConfusionMatrix> confusionMatrix(int64_t runId,
                                                          const std::string& split) const override;
  std::vector<storage::ConfusionMatrix> confusionMatrices(int64_t runId) const override;
  std::unique_ptr<ui::RunReader> openAnother() const override;

  void renameRun(int64_t runId, const QString& name, Done done) override;
  void addTags(const std::vector<int64_t>& runIds, const QStringList& tags, Done done) override;
  void setNotes(int64_t runId, const QString& notes, Done done) override;
  void deleteRuns(const std::vector<int64_t>& runIds, Done done) override;
  void exportMetrics(const std::vector<int64_t>& runIds, const QString& path, Done done) override;
  bool isBusy() const override { return !m_workers.empty(); }

 private:
  const storage::RunQuery& query() const;
  // Runs `work` on a Worker; `done` gets its failure on the GUI thread.
  void runOffThread(std::function<void()> work, Done done);

  storage::StoreOptions m_writeOptions;
  std::string m_path;
  std::unique_ptr<storage::RunQuery> m_query;
  QObject m_context;  // where the workers' reports are delivered (the GUI thread)
  int m_nextWorker = 0;
  std::map<int, std::unique_ptr<ui::Worker>> m_workers;  // last: stopped first
};

}  // namespace layerlab::app
