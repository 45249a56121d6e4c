// The reader side of the experiment store.
//
// Threads: a RunQuery owns one read-only SQLite connection; use it from one thread (the GUI
// thread). It never blocks a writer: reads are short transactions in WAL mode, and each call
// ends its transaction before it returns.
//
// Live view: by default every read shows the run as it stands — metrics that a resume superseded
// are hidden (see RunStore::beginResume). A run left `running` by a process on this host that is
// gone is reported as interrupted at once, before any writer marks it so in the file.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/run_filter.h"
#include "storage/run_types.h"
#include "storage/store_error.h"

namespace layerlab::storage {

class Database;

class RunQuery {
 public:
  // Opens the store at `path` for reading. A missing file is created empty (with the schema) so
  // that a fresh install shows an empty list rather than an error; commands that must not create
  // anything pass existingStoreOptions(). A file
  // this machine has not opened before (copied from elsewhere, restored) is checked with SQLite's
  // quick_check first and refused with StoreErrorKind::Corrupt when damaged. Throws StoreError.
  explicit RunQuery(const std::string& path);
  RunQuery(const std::string& path, const StoreOptions& options);
  ~RunQuery();
  RunQuery(const RunQuery&) = delete;
  RunQuery& operator=(const RunQuery&) = delete;

  // All runs, newest first.
  std::vector<RunSummary> listRuns() const;

  // One page of the runs that pass `request.filter`, in its order, and how many pass in all.
  // Throws std::invalid_argument for an unknown sort key.
  RunPage listRuns(const RunListRequest& request) const;

  // One run with its documents, final metrics, parameters, attempts and artifacts; nullopt when
  // there is no such id.
  std::optional<RunDetail> run(int64_t runId) const;

  // The per-epoch values of a run, in epoch order (then attempt order when superseded epochs are
  // included).
  std::vector<EpochMetrics> epochs(int64_t runId) const;
  std::vector<EpochMetrics> epochs(int64_t runId, bool includeSuperseded) const;

  // The per-batch samples of one training metric (split "train"), in step order.
  std::vector<BatchSample> batchSamples(int64_t runId, const std::string& name) const;

  // The series asked for, one per run and metric that has points, each optionally reduced (see
  // SeriesRequest). All are read in one snapshot.
  std::vector<MetricSeries> series(const SeriesRequest& request) const;

  // The metrics a run has of `kind`, sorted.
  std::vector<MetricKey> metricKeys(int64_t runId, MetricKind kind) const;

  // The flattened parameters of a run, sorted by key.
  std::vector<Param> params(int64_t runId) const;

  // The parameters whose values differ between the runs (a key missing from some runs differs),
  // sorted by key; with `includeSame`, every key. Values follow the order of `runIds`.
  std::vector<ParamDiffRow> paramDiff(const std::vector<int64_t>& runIds,
                                      bool includeSame = false) const;

  // The values of `keys` for every run that has any of them (run id → key → value), in one read:
  // the parameter columns of the runs table.
  std::map<int64_t, std::map<std::string, ParamValue>> paramColumns(
      const std::vector<std::string>& keys) const;

  // For every run with epoch values of `metric`: the best one (the highest for accuracies, F1,
  // R², precision and recall, else the lowest; NaN is never best) and its epoch. The latest
  // attempt's values only.
  std::map<int64_t, BestEpoch> bestEpochs(const MetricKey& metric) const;

  // Every tag in the store with the number of runs that carry it, sorted by tag.
  std::vector<std::pair<std::string, int64_t>> tags() const;

  // The run's attempts, first to last.
  std::vector<AttemptRecord> attempts(int64_t runId) const;

  // The run's recorded files, by kind then file name, with absolute paths resolved.
  std::vector<ArtifactRecord> artifacts(int64_t runId) const;
  // The most recent artifact of `kind`, if any.
  std::optional<ArtifactRecord> artifact(int64_t runId, const std::string& kind) const;

  // The confusion matrix of one split / all splits of a run.
  std::optional<ConfusionMatrix> confusionMatrix(int64_t runId, const std::string& split) const;
  std::vector<ConfusionMatrix> confusionMatrices(int64_t runId) const;

  // Changes whenever another connection commits to the store, and when a running run's process
  // on this host is found gone; cheap to call on a timer. Compare for equality only.
  int64_t dataVersion() const;

  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
  std::unique_ptr<Database> m_db;
  mutable std::vector<int64_t> m_orphans;  // the runs seen orphaned by the last dataVersion()
  mutable int64_t m_orphanChanges = 0;
};

// True when the file at `artifact.path` has the recorded size and SHA-256.
bool verifyArtifact(const ArtifactRecord& artifact);

// `artifact.path` when the file matches its record; otherwise throws StoreError saying the file
// is missing (NotFound) or has changed since it was saved (Corrupt). Call it before loading a
// checkpoint.
std::string verifiedArtifactPath(const ArtifactRecord& artifact);

// The default store: $XDG_DATA_HOME/LayerLab/runs.db, else ~/.local/share/LayerLab/runs.db.
std::string defaultStorePath();

}  // namespace layerlab::storage
