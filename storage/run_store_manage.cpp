// RunStore: what the user edits and cleans up — names, notes, tags, deleting, recovering and
// vacuuming.
#include <filesystem>
#include <set>

#include "storage/artifact_paths.h"
#include "storage/database.h"
#include "storage/process_identity.h"
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

// The recorded files of a run, resolved; records that point outside the store are left alone.
std::vector<std::string> artifactPathsOf(Database& db, const std::string& storePath,
                                         int64_t runId) {
  std::vector<std::string> paths;
  CachedStatement select = db.cached("SELECT rel_path FROM artifacts WHERE run_id = ?1");
  select->bind(1, runId);
  while (select->step()) {
    if (auto path = resolveInStore(storePath, select->text(0))) paths.push_back(*path);
  }
  return paths;
}

void removeFiles(const std::vector<std::string>& paths, const std::string& runFolder,
                 DeleteReport& report) {
  std::error_code error;
  for (const std::string& path : paths) {
    const int64_t bytes = sizeOrZero(path);
    if (fs::remove(path, error)) {
      ++report.filesRemoved;
      report.bytesRemoved += bytes;
    }
  }
  if (runFolder.empty() || !fs::is_directory(runFolder, error)) return;
  for (const auto& entry : fs::recursive_directory_iterator(runFolder, error)) {
    if (!entry.is_regular_file(error)) continue;
    ++report.filesRemoved;
    report.bytesRemoved += sizeOrZero(entry.path());
  }
  fs::remove_all(runFolder, error);
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
// running (so no save is under way) temporary and unrecorded files left by a crash.
void sweepFiles(Database& db, const std::string& storePath, VacuumReport& report) {
  const fs::path filesFolder = filesFolderOf(storePath);
  std::error_code error;
  if (!fs::is_directory(filesFolder, error)) return;
  for (const auto& folder : fs::directory_iterator(filesFolder, error)) {
    const std::string uuid = folder.path().filename().string();
    if (!folder.is_directory(error) || !isWellFormedUuid(uuid)) continue;  // not ours
    const RunFolderState state = folderStateOf(db, uuid);
    if (!state.exists) {
      fs::remove_all(folder.path(), error);
      ++report.foldersRemoved;
      continue;
    }
    if (state.running) continue;
    for (const auto& file : fs::directory_iterator(folder.path(), error)) {
      if (!file.is_regular_file(error)) continue;
      if (state.recordedNames.contains(file.path().filename().string())) continue;
      if (fs::remove(file.path(), error)) ++report.filesRemoved;
    }
  }
}

int64_t storeBytes(const std::string& storePath) {
  return sizeOrZero(storePath) + sizeOrZero(storePath + "-wal");
}

std::string minutesText(double seconds) {
  return std::to_string(static_cast<int64_t>(seconds / 60)) + " min";
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

DeleteReport RunStore::deleteRun(int64_t runId) {
  std::vector<std::string> files;
  std::string uuid;
  {
    WriteTransaction transaction(*m_db);
    const RunRow row = requireRun(*m_db, "cannot delete from store", runId);
    if (row.status == "running" && ownerLiveness(row.owner) != Liveness::Gone) {
      m_db->fail("cannot delete from store", "run " + std::to_string(runId) + " is running in " +
                                                 describeOwner(row.owner) +
                                                 "; stop it before deleting it");
    }
    files = artifactPathsOf(*m_db, m_path, runId);
    uuid = row.uuid;
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
  // Files go after the commit: a crash in between leaves files without a run, which vacuum()
  // removes, never a run whose files are gone.
  DeleteReport report{runId, 0, 0};
  const std::string folder =
      isWellFormedUuid(uuid)
          ? (fs::path(storeFolderOf(m_path)) / relativeRunFolder(m_path, uuid)).string()
          : std::string();
  removeFiles(files, folder, report);
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
