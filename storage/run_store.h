// The writer side of the experiment store.
//
// Threads: a RunStore owns one SQLite connection and must be used from one thread only (the
// training thread in the GUI, the main thread in the CLI). Readers use RunQuery on their own
// connection. Several processes may write the same store: every write is one short
// BEGIN IMMEDIATE transaction, and a writer that finds the store locked waits up to
// StoreOptions::busyTimeoutMs (kBusyTimeoutMs; kTrainingBusyTimeoutMs for the training writer)
// before failing with StoreErrorKind::Busy.
//
// Files: a run's files (checkpoints, exports) live in "<store stem>.files/<run uuid>/" beside the
// store file, e.g. runs.db → runs.files/3f2a…/. They are written under a temporary name, synced
// and renamed, and recorded with their size and SHA-256.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/run_types.h"
#include "storage/store_error.h"

namespace layerlab::storage {

class Database;

// A run that recoverRuns() marked interrupted, and why.
struct RecoveredRun {
  int64_t runId = 0;
  std::string name;
  std::string reason;  // "its process 1234 on host x is gone", "no heartbeat for 20 min"
};

struct DeleteReport {
  int64_t runId = 0;
  int64_t filesRemoved = 0;
  int64_t bytesRemoved = 0;
  // What was not followed or not removed, one "<path or record>: <why>" each: records naming a
  // file outside the run's folder, links (removed as links, their targets untouched), folders
  // and special files inside the run's folder.
  std::vector<std::string> refused;
  int64_t metricRowsDeleted = 0;
  int64_t transactions = 0;    // write transactions the delete took (metrics go in slices)
  double longestLockMs = 0.0;  // the longest of them, from BEGIN IMMEDIATE to COMMIT
};

struct VacuumReport {
  int64_t bytesBefore = 0;  // the store file and its WAL
  int64_t bytesAfter = 0;
  int64_t foldersRemoved = 0;        // folders of runs that no longer exist
  int64_t filesRemoved = 0;          // temporary and unrecorded files of runs not running
  std::vector<std::string> refused;  // as in DeleteReport: links and special files left alone
};

// Called between the slices of a long delete with the number of metric rows deleted so far. No
// transaction is open then, so other writers (a training) get their turn.
using DeleteProgress = std::function<void(int64_t metricRowsDeleted)>;

class RunStore {
 public:
  // Opens (creating if needed) the store at `path` and brings its schema up to date. Parent
  // folders are created. A file this machine has not opened before is checked first (see
  // RunQuery). Runs left `running` by a process that no longer exists on this host become
  // `interrupted`. Throws StoreError.
  explicit RunStore(const std::string& path);
  RunStore(const std::string& path, const StoreOptions& options);
  ~RunStore();
  RunStore(const RunStore&) = delete;
  RunStore& operator=(const RunStore&) = delete;

  // appendEpoch(), heartbeat() and finishRun() accept only a run whose status is `running` and
  // that this process owns; for any other (or an unknown id) they throw StoreError and drop the
  // samples buffered for it. Metrics carry the run's current attempt.

  // Creates a run in status `running`, owned by this process, and returns its id. The model
  // document is stored once per content (SHA-256) and shared by the runs that use it; the config
  // and dataset documents are flattened into parameters (see Param). A parentRunId that names no
  // run throws StoreError (NotFound).
  int64_t createRun(const NewRun& run);

  // Buffers a batch sample in memory; it is written with the next appendEpoch() or finishRun().
  // Values with an empty split are stored as "train". Cheap: no I/O.
  void bufferBatchSample(int64_t runId, const BatchSample& sample);

  // Writes the buffered batch samples and the epoch's values in one transaction and refreshes the
  // run's heartbeat. When the write fails nothing of it is stored and the samples stay buffered,
  // so the call can be repeated (after freeing disk space, say).
  void appendEpoch(int64_t runId, const EpochRecord& epoch);

  // Refreshes the heartbeat without writing metrics (for long epochs).
  void heartbeat(int64_t runId);

  // Marks the training of a running run as waiting in a pause (`paused`) or going on again; the
  // time it waited is added to the run's paused seconds. Marking it as it already is changes
  // nothing. finishRun and beginResume end a pause that is still marked.
  void setPaused(int64_t runId, bool paused);

  // Ends the run: writes what is still buffered, the final metrics (split "test"), the status and
  // the error text (empty unless failed), in one transaction. Final values with an empty split are
  // stored as "test". `status` must be completed, failed, cancelled or interrupted; anything else
  // throws std::invalid_argument. When the disk is full and the status is not completed, the
  // buffered samples and final metrics are dropped so that the status itself still gets stored.
  void finishRun(int64_t runId, RunStatus status, const std::vector<MetricValue>& finalMetrics,
                 const std::string& errorText = {});

  // Takes over an interrupted, cancelled or failed run (or a `running` one whose process on this
  // host is gone) to continue it from a checkpoint taken at `fromStep` / `fromEpoch`: the attempt
  // goes up by one, the status becomes running, owned by this process, with a fresh heartbeat.
  // Metrics of earlier attempts after that point (step > fromStep, epochs > fromEpoch, and all
  // final values) become superseded: kept, but hidden from RunQuery's default reads. Returns the
  // new attempt. Throws StoreError for an unknown run, a completed one, or one still running in a
  // live process.
  int beginResume(int64_t runId, int64_t fromStep, int fromEpoch);

  // Saves a file of the run: calls `writeFile` with a temporary path in the run's folder, syncs
  // the file, computes its size and SHA-256, renames it into place and records it, replacing
  // the record with the same `kind` and `fileName` (the file it named is removed once the new
  // record is committed). `fileName` must be a plain file name ("last.pt"); on disk it gains
  // part of its hash ("last.1f2e3d4c5b6a.pt") so a crash at any moment leaves the old record and
  // its file intact. `metadataJson` is empty or a JSON document, e.g. {"epoch": 6, "step": 5064}.
  // Works for a run in any status. Exceptions from `writeFile` pass through after the temporary
  // file is removed; std::invalid_argument for a bad name or metadata; StoreError otherwise.
  ArtifactRecord saveArtifact(int64_t runId, const std::string& kind, const std::string& fileName,
                              const std::function<void(const std::string& tempPath)>& writeFile,
                              const std::string& metadataJson = {});

  // Stores the confusion matrix of `split` (row = true class, column = predicted), replacing an
  // earlier one of the same split. countsRowMajor must hold labels.size() squared values
  // (std::invalid_argument otherwise).
  void saveConfusionMatrix(int64_t runId, const std::string& split,
                           const std::vector<std::string>& labels,
                           const std::vector<int64_t>& countsRowMajor);

  // Editing what the user sees. Each throws StoreError (NotFound) for an unknown run.
  void renameRun(int64_t runId, const std::string& name);
  void setNotes(int64_t runId, const std::string& notes);
  void addTags(int64_t runId, const std::vector<std::string>& tags);
  void removeTags(int64_t runId, const std::vector<std::string>& tags);

  // Deletes the run, its metrics, parameters, tags and records, then its folder of files. A run
  // still running in a live process (or on another host) is refused. A model no other run uses
  // goes too. Metrics go first, StoreOptions::deleteSliceRows rows per write transaction, so the
  // write lock is never held for long; until the last transaction the run is still listed.
  // Files: only what is inside "<stem>.files/<uuid>/" is removed, without following links; what
  // the records name elsewhere is reported in DeleteReport::refused and left alone.
  DeleteReport deleteRun(int64_t runId, const DeleteProgress& progress = {});

  // Marks interrupted the runs left `running` whose process on this host is gone, and — when
  // `staleAfterSeconds` is set — those of other hosts without a heartbeat for that long.
  std::vector<RecoveredRun> recoverRuns(std::optional<double> staleAfterSeconds = {});

  // Removes the folders of deleted runs and the leftover files of runs not running (never through
  // a link; what is left alone is in VacuumReport::refused), rebuilds the
  // file without free pages (VACUUM) and empties the WAL. Takes the write lock for as long as
  // VACUUM runs.
  VacuumReport vacuum();

  // SQLite's integrity_check (or the faster quick_check); empty when the file is sound.
  std::vector<std::string> checkIntegrity(bool full = true);

  const std::string& path() const { return m_path; }

 private:
  void writeFinish(int64_t runId, RunStatus status, const std::vector<MetricValue>& finalMetrics,
                   const std::string& errorText, bool withMetrics);

  std::string m_path;
  std::unique_ptr<Database> m_db;
  std::vector<std::pair<int64_t, BatchSample>> m_pendingSamples;
};

}  // namespace layerlab::storage
