// The runs' folders beside the store, resolved and walked without following symbolic links.
// Private to the storage module.
//
// Why: a store and its files folder may come from someone else. A run folder that is a link
// (runs.files/<uuid> -> ../../..) or a record whose rel_path names another file must never make
// LayerLab read or delete anything outside "<stem>.files/<uuid>/". Every walk here opens each
// folder with O_NOFOLLOW | O_DIRECTORY relative to its parent and looks at entries with
// fstatat(AT_SYMLINK_NOFOLLOW), so a link is seen as a link, never as what it points to.
//
// Threads: plain file-system calls; any thread.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace layerlab::storage {

// What a removal did, and what it refused to touch (each entry "<path>: <why>").
struct FileSweep {
  int64_t filesRemoved = 0;
  int64_t bytesRemoved = 0;
  int64_t foldersRemoved = 0;
  std::vector<std::string> refused;
};

// Where an artifact record of run `uuid` points: `path` is set when the record names exactly one
// plain file directly inside the run's own folder ("<stem>.files/<uuid>/<name>") and none of the
// files folder, the run folder or the file is a symbolic link or something other than a folder /
// regular file. Otherwise `refusal` says why and `path` is empty. A file that does not exist is
// not refused: the caller reports it as missing.
struct ArtifactLocation {
  std::string path;
  std::string refusal;
};
ArtifactLocation locateArtifact(const std::string& storePath, const std::string& uuid,
                                const std::string& relativePath);

// Empty when the files folder and the run folder of `uuid` are real folders or absent; otherwise
// why files must not be written there.
std::string runFolderRefusal(const std::string& storePath, const std::string& uuid);

// Removes the folder of run `uuid` with the regular files in it. A symbolic link in it (or the
// run folder itself being one) is removed as a link, its target left alone; sub-folders and
// other special files are left alone and reported.
void removeRunFolder(const std::string& storePath, const std::string& uuid, FileSweep& sweep);

// In the run folder of `uuid`, removes the regular files whose names are not in `keep` (what a
// crash left behind); links and special files are left alone and reported.
void removeUnrecordedFiles(const std::string& storePath, const std::string& uuid,
                           const std::set<std::string>& keep, FileSweep& sweep);

// The names in the files folder that look like run folders (well-formed uuids), whatever their
// type. Empty when there is no files folder; a files folder that is a link is reported.
std::vector<std::string> runFolderNames(const std::string& storePath, FileSweep& sweep);

}  // namespace layerlab::storage
