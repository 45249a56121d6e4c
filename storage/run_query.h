// The reader side of the experiment store.
//
// Threads: a RunQuery owns one read-only SQLite connection; use it from one thread (the GUI
// thread). It never blocks a writer: reads are short transactions in WAL mode.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/run_types.h"
#include "storage/store_error.h"

namespace layerlab::storage {

class Database;

class RunQuery {
 public:
  // Opens the store at `path` for reading. A missing file is created empty (with the schema) so
  // that a fresh install shows an empty list rather than an error. Throws StoreError.
  explicit RunQuery(const std::string& path);
  ~RunQuery();
  RunQuery(const RunQuery&) = delete;
  RunQuery& operator=(const RunQuery&) = delete;

  // All runs, newest first.
  std::vector<RunSummary> listRuns() const;

  // One run with its documents and final metrics; nullopt when there is no such id.
  std::optional<RunDetail> run(int64_t runId) const;

  // The per-epoch values of a run, in epoch order.
  std::vector<EpochMetrics> epochs(int64_t runId) const;

  // The per-batch samples of one training metric (split "train"), in step order.
  std::vector<BatchSample> batchSamples(int64_t runId, const std::string& name) const;

  // Changes whenever another connection commits to the store; cheap to call on a timer.
  int64_t dataVersion() const;

  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
  std::unique_ptr<Database> m_db;
};

// The default store: $XDG_DATA_HOME/LayerLab/runs.db, else ~/.local/share/LayerLab/runs.db.
std::string defaultStorePath();

}  // namespace layerlab::storage
