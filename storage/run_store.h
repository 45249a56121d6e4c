// The writer side of the experiment store.
//
// Threads: a RunStore owns one SQLite connection and must be used from one thread only (the
// training thread in the GUI, the main thread in the CLI). Readers use RunQuery on their own
// connection.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "storage/run_types.h"
#include "storage/store_error.h"

namespace layerlab::storage {

class Database;

class RunStore {
 public:
  // Opens (creating if needed) the store at `path` and brings its schema up to date. Parent
  // folders are created. Runs left `running` by a process that no longer exists on this host
  // become `interrupted`. Throws StoreError.
  explicit RunStore(const std::string& path);
  ~RunStore();
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;

  // appendEpoch(), heartbeat() and finishRun() accept only a run whose status is `running`; for
  // any other (or an unknown id) they throw StoreError and drop the samples buffered for it.

  // Creates a run in status `running`, owned by this process, and returns its id.
  int64_t createRun(const NewRun& run);

  // Buffers a batch sample in memory; it is written with the next appendEpoch() or finishRun().
  // Values with an empty split are stored as "train".
  void bufferBatchSample(int64_t runId, const BatchSample& sample);

  // Writes the buffered batch samples and the epoch's values in one transaction and refreshes the
  // run's heartbeat.
  void appendEpoch(int64_t runId, const EpochRecord& epoch);

  // Refreshes the heartbeat without writing metrics (for long epochs).
  void heartbeat(int64_t runId);

  // Ends the run: writes what is still buffered, the final metrics (split "test"), the status and
  // the error text (empty unless failed), in one transaction. Final values with an empty split are
  // stored as "test". `status` must be completed, failed, cancelled or interrupted; anything else
  // throws std::invalid_argument.
  void finishRun(int64_t runId, RunStatus status, const std::vector<MetricValue>& finalMetrics,
                 const std::string& errorText = {});

  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
  std::unique_ptr<Database> m_db;
  std::vector<std::pair<int64_t, BatchSample>> m_pendingSamples;
};

}  // namespace layerlab::storage
