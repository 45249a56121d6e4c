// Where a run's files live beside the store, and the file-system steps that make saving them
// crash-safe. Private to the storage module.
#pragma once

#include <optional>
#include <string>

namespace layerlab::storage {

// The folder holding the store file.
std::string storeFolderOf(const std::string& storePath);

// "<store stem>.files/<uuid>", relative to the store's folder.
std::string relativeRunFolder(const std::string& storePath, const std::string& uuid);

// Recorded paths are resolved by locateArtifact() (run_folders.h), which also refuses links.

// fsync of a file or a folder (after a rename, so the new name survives a power cut). Throws
// StoreError naming the path.
void syncPath(const std::string& path, bool isFolder);

// A plain file name: not empty, no '/' or NUL, not "." or "..", not starting with '.' (the
// temporary files do), at most 200 bytes.
bool isPlainFileName(const std::string& name);

}  // namespace layerlab::storage
