// Opening a store file safely, shared by the writer and the reader. Private to the storage
// module.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "storage/run_types.h"

namespace layerlab::storage {

class Database;

// Creates the parent folders, opens and configures the connection, checks a file this machine
// has not checked before with PRAGMA quick_check (a copy from elsewhere, a restored backup) and
// brings the schema up to date. A damaged file is refused with StoreErrorKind::Corrupt and left
// as it is. Throws StoreError.
std::unique_ptr<Database> openStore(const std::string& path, const StoreOptions& options);

// The problems SQLite finds in the file (PRAGMA integrity_check, or quick_check when not `full`),
// at most `limit` of them; empty when the file is sound.
std::vector<std::string> integrityProblems(Database& db, bool full, int limit = 20);

// The folder that holds the runs' files: "<folder of the store>/<store stem>.files".
std::string filesFolderOf(const std::string& storePath);

}  // namespace layerlab::storage
