// What the Runs place reads and edits of a run store, so that ui/ never opens a store connection
// of its own: the application gives RunsPage a catalog (app/gui StoreRunCatalog over
// layerlab_storage; tests use the same one on scratch stores).
//
// RunReader holds the reads. They are short (one run, one list page, one metric) and answer
// synchronously; a failure throws std::exception with a message fit to show.
//
// RunCatalog adds opening a store and the edits. Edits and the metrics export run on a thread of
// their own (ui/worker) so a store locked by a training run or by layerlab-cli never freezes the
// window; each reports through its `done`, called on the GUI thread with the failure as text
// (empty when it succeeded). A `done` still pending when the catalog is destroyed is not called:
// the catalog waits for its work and drops the reports.
//
// Threads: a catalog and the readers it hands out are made, used and destroyed on the GUI
// thread, except a reader from openAnother(), which belongs to the one thread that uses it.
#pragma once

#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/run_filter.h"
#include "storage/run_types.h"

namespace layerlab::ui {

class RunReader {
 public:
  virtual ~RunReader() = default;

  // Changes whenever any connection commits to the store; cheap, for polling.
  virtual int64_t dataVersion() const = 0;
  virtual storage::RunPage listRuns(const storage::RunListRequest& request) const = 0;
  // The values of `keys` for every run that has any (run id → key → value): the table's columns.
  virtual std::map<int64_t, std::map<std::string, storage::ParamValue>> paramColumns(
      const std::vector<std::string>& keys) const = 0;
  virtual std::optional<storage::RunDetail> run(int64_t runId) const = 0;
  virtual std::vector<storage::EpochMetrics> epochs(int64_t runId) const = 0;
  virtual std::vector<storage::MetricSeries> series(
      const storage::SeriesRequest& request) const = 0;
  virtual std::vector<storage::MetricKey> metricKeys(int64_t runId,
                                                     storage::MetricKind kind) const = 0;
  virtual std::vector<storage::ParamDiffRow> paramDiff(const std::vector<int64_t>& runIds,
                                                       bool includeSame) const = 0;
  virtual std::optional<storage::ConfusionMatrix> confusionMatrix(
      int64_t runId, const std::string& split) const = 0;
  virtual std::vector<storage::ConfusionMatrix> confusionMatrices(int64_t runId) const = 0;

  // A reader of the same store with a connection of its own, for one other thread (a long read
  // on a Worker). Call it on the GUI thread; the result is independent of this reader.
  virtual std::unique_ptr<RunReader> openAnother() const = 0;
};

class RunCatalog : public RunReader {
 public:
  // The failure of an edit as text, empty when it succeeded. Called on the GUI thread.
  using Done = std::function<void(const QString& error)>;

  // Closes the current store and opens the one at `path` (which must exist). Throws with a
  // message naming the file when it cannot be opened or is no LayerLab store.
  virtual void open(const QString& path) = 0;
  // Whether a store is open: reads throw while none is.
  virtual bool isOpen() const = 0;

  virtual void renameRun(int64_t runId, const QString& name, Done done) = 0;
  virtual void addTags(const std::vector<int64_t>& runIds, const QStringList& tags, Done done) = 0;
  virtual void setNotes(int64_t runId, const QString& notes, Done done) = 0;
  // Deletes the runs with their metrics and files.
  virtual void deleteRuns(const std::vector<int64_t>& runIds, Done done) = 0;
  // Writes every metric of the runs as one CSV file.
  virtual void exportMetrics(const std::vector<int64_t>& runIds, const QString& path,
                             Done done) = 0;
  // Whether an edit or export is still running.
  virtual bool isBusy() const = 0;
};

}  // namespace layerlab::ui
