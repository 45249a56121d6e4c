// RunStore: what the user edits and cleans up — names, notes, tags, deleting, recovering and
// vacuuming.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>

#include "storage/artifact_paths.h"
#include "storage/database.h"
#include "storage/process_identity.h"
#include "storage/run_folders.h"
#include "storage/run_rows.h"
#include "storage/run_store.h"
#include "storage/store_open.h"
#include "storage/store_rows.h"

namespace layerlab::storage {

namespace {

namespace fs = std::filesystem;

void updateRunText(Database& db, int64_t runId, const char* sql, const std::string& text) {
  WriteTransaction transaction(db);
  requireRun(db, kWriteAction, runId);
  CachedStatement update = db.cached(sql);
  update->bind(1, text).bind(2, runId);
  update->run();
  transaction.commit();
}

int64_t sizeOrZero(const fs::path& path) {
  std::error_code error;
  const auto size = fs::file_size(path, error);
  return error ? 0 : static_cast<int64_t>(size);
}

// The records of a run that point anywhere but a plain file in its own folder: reported, and
// never followed (the run's folder is removed as a whole, whatever the records say).
std::vector<std::string> refusedRecordsOf(Database& db, const std::string& storePath, int64_t runId,
                                          const std::string& uuid) {
  std::vector<std::string> refused;
  CachedStatement select = db.cached("SELECT rel_path FROM artifacts WHERE run_id = ?1");
  select->bind(1, runId);
  while (select->step()) {
    const ArtifactLocation location = locateArtifact(storePath, uuid, select->text(0));
    if (!location.refusal.empty()) refused.push_back("record: " + location.refusal);
  }
  return refused;
}

void checkDeletable(Database& db, const RunRow& row) {
  if (row.status == "running" && ownerLiveness(row.owner) != Liveness::Gone) {
    db.fail("cannot delete from store", "run " + std::to_string(row.id) + " is running in " +
                                            describeOwner(row.owner) +
                                            "; stop it before deleting it");
  }
}

// Deletes up to `rows` metric rows of the run in one short write transaction; returns how many
// went. Metrics are nearly all of a run's rows: deleting a run of millions of them in one
// transaction would hold the write lock for seconds and fail a training writing meanwhile.
int64_t deleteMetricSlice(Database& db, int64_t runId, int64_t rows) {
  WriteTransaction transaction(db);
  CachedStatement remove = db.cached(
      "DELETE FROM metrics WHERE rowid IN "
      "(SELECT rowid FROM metrics WHERE run_id = ?1 LIMIT ?2)");
  remove->bind(1, runId).bind(2, rows);
  remove->run();
  const int64_t deleted = db.changes();
  transaction.commit();
  return deleted;
}

double millisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

void deleteMetricsInSlices(Database& db, int64_t runId, const DeleteProgress& progress,
                           DeleteReport& report) {
  const int64_t sliceRows = std::max<int64_t>(1, db.options().deleteSliceRows);
  for (;;) {
    const auto start = std::chrono::steady_clock::now();
    const int64_t deleted = deleteMetricSlice(db, runId, sliceRows);
    report.longestLockMs = std::max(report.longestLockMs, millisecondsSince(start));
    report.metricRowsDeleted += deleted;
    ++report.transactions;
    if (deleted < sliceRows) return;
    if (progress) progress(report.metricRowsDeleted);
  }
}

struct RunFolderState {
  bool exists = false;
  bool running = false;
  std::set<std::string> recordedNames;  // file names in the folder that a record points to
};

RunFolderState folderStateOf(Database& db, const std::string& uuid) {
  RunFolderState state;
  CachedStatement run = db.cached("SELECT id, status FROM runs WHERE uuid = ?1");
  run->bind(1, uuid);
  if (!run->step()) return state;
  state.exists = true;
  state.running = run->text(1) == "running";
  CachedStatement files = db.cached("SELECT rel_path FROM artifacts WHERE run_id = ?1");
  files->bind(1, run->integer(0));
  while (files->step())
    state.recordedNames.insert(fs::path(files->text(0)).filename().string());
  return state;
}

// Removes what no record needs: folders of deleted runs, and in the folders of runs that are not
// running (so no save is under way) temporary and unrecorded files left by a crash. Nothing is
// followed through a link (see run_folders.h).
void sweepFiles(Database& db, const std::string& storePath, VacuumReport& report) {
  FileSweep deletedRuns;  // whole folders of runs that no longer exist
  FileSweep leftovers;    // unrecorded files in the folders of runs that do
  for (const std::string& uuid : runFolderNames(storePath, leftovers)) {
    const RunFolderState state = folderStateOf(db, uuid);
    if (!state.exists) {
      removeRunFolder(storePath, uuid, deletedRuns);
    } else if (!state.running) {
      removeUnrecordedFiles(storePath, uuid, state.recordedNames, leftovers);
    }
  }
  report.foldersRemoved = deletedRuns.foldersRemoved;
  report.filesRemoved = leftovers.filesRemoved;
  report.refused = std::move(leftovers.refused);
  report.refused.insert(report.refused.end(), deletedRuns.refused.begin(),
                        deletedRuns.refused.end());
}

int64_t storeBytes(const std::string& storePath) {
  return sizeOrZero(storePath) + sizeOrZero(storePath + "-wal");
}

std::string minutesText(double seconds) {
  // Heartbeats are read through storedTime(), so this fits; the bound keeps the cast defined.
  const double minutes = std::clamp(seconds / 60, 0.0, 1e12);
  return std::to_string(static_cast<int64_t>(minutes)) + " min";
}

}  // namespace

void RunStore::renameRun(int64_t runId, const std::string& name) {
  updateRunText(*m_db, runId, "UPDATE runs SET name = ?1 WHERE id = ?2", name);
}

void RunStore::setNotes(int64_t runId, const std::string& notes) {
  updateRunText(*m_db, runId, "UPDATE runs SET notes = ?1 WHERE id = ?2", notes);
}

void RunStore::addTags(int64_t runId, const std::vector<std::string>& tags) {
  WriteTransaction transaction(*m_db);
  requireRun(*m_db, kWriteAction, runId);
  writeTags(*m_db, runId, tags);
  transaction.commit();
}

void RunStore::removeTags(int64_t runId, const std::vector<std::string>& tags) {
  WriteTransaction transaction(*m_db);
  requireRun(*m_db, kWriteAction, runId);
  CachedStatement remove = m_db->cached("DELETE FROM tags WHERE run_id = ?1 AND tag = ?2");
  for (const std::string& tag : tags) {
    remove->bind(1, runId).bind(2, tag);
    remove->run();
    remove->reset();
  }
  transaction.commit();
}

DeleteReport RunStore::deleteRun(int64_t runId, const DeleteProgress& progress) {
  const RunRow row = requireRun(*m_db, "cannot delete from store", runId);
  checkDeletable(*m_db, row);
  DeleteReport report{runId, 0, 0};
  report.refused = refusedRecordsOf(*m_db, m_path, runId, row.uuid);
  deleteMetricsInSlices(*m_db, runId, progress, report);
  const auto start = std::chrono::steady_clock::now();
  {
    WriteTransaction transaction(*m_db);
    // Checked again: the run may have been resumed between the slices.
    checkDeletable(*m_db, requireRun(*m_db, "cannot delete from store", runId));
    CachedStatement remove = m_db->cached("DELETE FROM runs WHERE id = ?1");
    remove->bind(1, runId);
    remove->run();
    // A model no run uses any more goes with its last run.
    m_db->exec(
        "DELETE FROM models WHERE id NOT IN (SELECT model_id FROM runs "
        "WHERE model_id IS NOT NULL)",
        "cannot delete from store");
    transaction.commit();
  }
  report.longestLockMs = std::max(report.longestLockMs, millisecondsSince(start));
  ++report.transactions;
  // Files go after the commit: a crash in between leaves files without a run, which vacuum()
  // removes, never a run whose files are gone.
  FileSweep sweep;
  removeRunFolder(m_path, row.uuid, sweep);
  report.filesRemoved = sweep.filesRemoved;
  report.bytesRemoved = sweep.bytesRemoved;
  report.refused.insert(report.refused.end(), sweep.refused.begin(), sweep.refused.end());
  return report;
}

std::vector<RecoveredRun> RunStore::recoverRuns(std::optional<double> staleAfterSeconds) {
  const double now = nowSeconds();
  std::vector<RecoveredRun> recovered;
  WriteTransaction transaction(*m_db);
  {
    CachedStatement select =
        m_db->cached("SELECT id FROM runs WHERE status = 'running' ORDER BY id");
    std::vector<int64_t> running;
    while (select->step())
      running.push_back(select->integer(0));
    for (const int64_t runId : running) {
      const RunRow row = requireRun(*m_db, kWriteAction, runId);
      const Liveness liveness = ownerLiveness(row.owner);
      if (liveness == Liveness::Gone) {
        recovered.push_back({runId, row.name, "its " + describeOwner(row.owner) + " is gone"});
      } else if (liveness == Liveness::Unknown && staleAfterSeconds &&
                 now - row.heartbeatAt > *staleAfterSeconds) {
        recovered.push_back(
            {runId, row.name, "no heartbeat for " + minutesText(now - row.heartbeatAt)});
      }
    }
  }
  CachedStatement update = m_db->cached(
      "UPDATE runs SET status = 'interrupted', "
      "finished_at = COALESCE(heartbeat_at, started_at, created_at) WHERE id = ?1");
  for (const RecoveredRun& run : recovered) {
    update->bind(1, run.runId);
    update->run();
    update->reset();
  }
  transaction.commit();
  return recovered;
}

VacuumReport RunStore::vacuum() {
  VacuumReport report;
  report.bytesBefore = storeBytes(m_path);
  sweepFiles(*m_db, m_path, report);
  m_db->exec("VACUUM", "cannot vacuum store");
  m_db->checkpoint(true);
  report.bytesAfter = storeBytes(m_path);
  return report;
}

}  // namespace layerlab::storage
