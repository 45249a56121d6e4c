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

// The absolute path of a recorded relative path, or nullopt when the record could point outside
// the store's folder (an absolute path, a ".." part): a store from elsewhere must not make this
// program read or delete other files.
std::optional<std::string> resolveInStore(const std::string& storePath,
                                          const std::string& relativePath);

// fsync of a file or a folder (after a rename, so the new name survives a power cut). Throws
// StoreError naming the path.
void syncPath(const std::string& path, bool isFolder);

// A plain file name: not empty, no '/' or NUL, not "." or "..", not starting with '.' (the
// temporary files do), at most 200 bytes.
bool isPlainFileName(const std::string& name);

}  // namespace layerlab::storage
