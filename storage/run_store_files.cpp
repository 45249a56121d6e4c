// RunStore: the runs' files (artifacts), confusion matrices, deleting runs and vacuuming.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <stdexcept>

#include "storage/artifact_paths.h"
#include "storage/database.h"
#include "storage/run_folders.h"
#include "storage/run_rows.h"
#include "storage/run_store.h"
#include "storage/sha256.h"
#include "storage/store_open.h"
#include "storage/store_rows.h"

namespace layerlab::storage {

namespace {

namespace fs = std::filesystem;

std::string randomHex(int digits) {
  std::random_device device;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (int i = 0; i < digits; ++i)
    text += kHex[device() & 0x0F];
  return text;
}

// "last.pt" with digest "1f2e3d4c5b6a…" → "last.1f2e3d4c5b6a.pt": a new content never takes the
// name of a recorded file, so the record and its file always agree.
std::string storedNameOf(const std::string& fileName, const std::string& sha256) {
  const fs::path name(fileName);
  return name.stem().string() + "." + sha256.substr(0, 12) + name.extension().string();
}

void checkArtifactRequest(const std::string& kind, const std::string& fileName,
                          const std::string& metadataJson) {
  if (kind.empty()) throw std::invalid_argument("an artifact needs a kind");
  if (!isPlainFileName(fileName)) {
    throw std::invalid_argument("'" + fileName +
                                "' is not a plain file name (no folders, no leading '.')");
  }
  if (!metadataJson.empty() && !nlohmann::json::accept(metadataJson)) {
    throw std::invalid_argument("the metadata of artifact '" + kind + "' is not JSON");
  }
}

// Runs the caller's writer on a temporary file, syncs it and moves it to its final, content-named
// place. Returns the final absolute path and its digest.
std::pair<std::string, FileDigest> writeIntoFolder(
    const std::string& folder, const std::string& fileName,
    const std::function<void(const std::string&)>& writeFile) {
  const std::string temp = (fs::path(folder) / ("." + fileName + "." + randomHex(12) + ".tmp"));
  try {
    writeFile(temp);
    if (!fs::is_regular_file(temp)) {
      throw StoreError("the artifact writer did not create " + temp);
    }
    syncPath(temp, false);
    const FileDigest digest = sha256File(temp);
    const std::string final = (fs::path(folder) / storedNameOf(fileName, digest.sha256)).string();
    fs::rename(temp, final);
    syncPath(folder, true);
    return {final, digest};
  } catch (...) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    throw;
  }
}

// Makes the run's folder (and the store's files folder) exist durably.
std::string ensureRunFolder(const std::string& storePath, const std::string& uuid) {
  const std::string relative = relativeRunFolder(storePath, uuid);
  const fs::path folder = fs::path(storeFolderOf(storePath)) / relative;
  // A link here would send the run's files (and later deletes) somewhere else.
  if (const std::string refusal = runFolderRefusal(storePath, uuid); !refusal.empty()) {
    throw StoreError("cannot save a file of run " + uuid + ": " + refusal +
                         "; move it away so the store can make a real folder there",
                     StoreErrorKind::Corrupt);
  }
  if (fs::is_directory(folder)) return folder.string();
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) {
    throw StoreError("cannot create the folder " + folder.string() + ": " + error.message(),
                     error.value() == ENOSPC ? StoreErrorKind::Full : StoreErrorKind::Io);
  }
  syncPath(folder.parent_path().string(), true);
  syncPath(folder.parent_path().parent_path().string(), true);
  return folder.string();
}

std::optional<std::string> recordedPath(Database& db, int64_t runId, const std::string& kind,
                                        const std::string& fileName) {
  CachedStatement select = db.cached(
      "SELECT rel_path FROM artifacts WHERE run_id = ?1 AND kind = ?2 AND file_name = ?3");
  select->bind(1, runId).bind(2, kind).bind(3, fileName);
  if (!select->step()) return std::nullopt;
  return select->text(0);
}

ArtifactRecord recordArtifact(Database& db, const ArtifactRecord& artifact) {
  CachedStatement upsert = db.cached(
      "INSERT INTO artifacts (run_id, kind, file_name, rel_path, bytes, sha256, created_at, "
      "attempt, metadata_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
      "ON CONFLICT (run_id, kind, file_name) DO UPDATE SET rel_path = excluded.rel_path, "
      "bytes = excluded.bytes, sha256 = excluded.sha256, created_at = excluded.created_at, "
      "attempt = excluded.attempt, metadata_json = excluded.metadata_json "
      "RETURNING id");
  upsert->bind(1, artifact.runId).bind(2, artifact.kind).bind(3, artifact.fileName);
  upsert->bind(4, artifact.relativePath).bind(5, artifact.bytes).bind(6, artifact.sha256);
  upsert->bind(7, artifact.createdAt).bind(8, artifact.attempt).bind(9, artifact.metadataJson);
  ArtifactRecord stored = artifact;
  if (upsert->step()) stored.id = upsert->integer(0);
  while (upsert->step()) {
  }
  return stored;
}

void removeQuietly(const std::string& path) {
  std::error_code ignored;
  fs::remove(path, ignored);
}

}  // namespace

ArtifactRecord RunStore::saveArtifact(int64_t runId, const std::string& kind,
                                      const std::string& fileName,
                                      const std::function<void(const std::string&)>& writeFile,
                                      const std::string& metadataJson) {
  checkArtifactRequest(kind, fileName, metadataJson);
  const RunRow row = requireRun(*m_db, kWriteAction, runId);
  if (!isWellFormedUuid(row.uuid)) {
    m_db->fail(kWriteAction, "run " + std::to_string(runId) + " has a malformed uuid");
  }
  const std::string folder = ensureRunFolder(m_path, row.uuid);
  const auto [finalPath, digest] = writeIntoFolder(folder, fileName, writeFile);
  ArtifactRecord artifact;
  artifact.runId = runId;
  artifact.kind = kind;
  artifact.fileName = fileName;
  artifact.relativePath =
      (fs::path(relativeRunFolder(m_path, row.uuid)) / fs::path(finalPath).filename()).string();
  artifact.path = finalPath;
  artifact.bytes = digest.bytes;
  artifact.sha256 = digest.sha256;
  artifact.createdAt = nowSeconds();
  artifact.metadataJson = metadataJson;
  std::optional<std::string> replaced;
  try {
    WriteTransaction transaction(*m_db);
    artifact.attempt = requireRun(*m_db, kWriteAction, runId).attempt;
    replaced = recordedPath(*m_db, runId, kind, fileName);
    artifact = recordArtifact(*m_db, artifact);
    transaction.commit();
  } catch (...) {
    // Same content saved again has the same name: that file is still the recorded one.
    if (!replaced || *replaced != artifact.relativePath) removeQuietly(finalPath);
    throw;
  }
  if (replaced && *replaced != artifact.relativePath) {
    const ArtifactLocation old = locateArtifact(m_path, row.uuid, *replaced);
    if (!old.path.empty()) removeQuietly(old.path);
  }
  return artifact;
}

void RunStore::saveConfusionMatrix(int64_t runId, const std::string& split,
                                   const std::vector<std::string>& labels,
                                   const std::vector<int64_t>& countsRowMajor) {
  if (countsRowMajor.size() != labels.size() * labels.size()) {
    throw std::invalid_argument("a confusion matrix of " + std::to_string(labels.size()) +
                                " labels needs " + std::to_string(labels.size() * labels.size()) +
                                " counts, not " + std::to_string(countsRowMajor.size()));
  }
  // Labels are UTF-8 class names; a byte sequence that is not UTF-8 is stored as U+FFFD.
  const std::string labelsJson =
      nlohmann::json(labels).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const std::string countsJson = nlohmann::json(countsRowMajor).dump();
  WriteTransaction transaction(*m_db);
  const RunRow row = requireRun(*m_db, kWriteAction, runId);
  CachedStatement upsert = m_db->cached(
      "INSERT INTO confusion_matrices (run_id, split, attempt, labels_json, counts_json, "
      "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (run_id, split) DO UPDATE SET "
      "attempt = excluded.attempt, labels_json = excluded.labels_json, "
      "counts_json = excluded.counts_json, created_at = excluded.created_at");
  upsert->bind(1, runId).bind(2, split).bind(3, row.attempt).bind(4, labelsJson);
  upsert->bind(5, countsJson).bind(6, nowSeconds());
  upsert->run();
  transaction.commit();
}

}  // namespace layerlab::storage
