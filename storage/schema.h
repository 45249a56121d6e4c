// The store's schema and its forward-only migrations, private to the storage module.
#pragma once

#include <cstdint>

namespace layerlab::storage {

class Database;

// The schema version this build writes and reads (PRAGMA user_version).
int latestSchemaVersion();

// Marks the file as a LayerLab store (PRAGMA application_id), so another program's SQLite file is
// never mistaken for an empty store.
inline constexpr int64_t kApplicationId = 0x4C4C6162;  // "LLab"

// Brings the schema of `db` up to latestSchemaVersion(); all missing steps run in one write
// transaction, so a failed upgrade leaves the file as it was.
// Throws StoreError when the file was made by a newer LayerLab or belongs to another program.
void migrate(Database& db);

// Throws StoreError when the file was made by a newer LayerLab or belongs to another program
// (a SQLite file with tables but without LayerLab's application_id). Only reads: called before
// anything is written, so a refused file is left exactly as it was.
void refuseForeignFile(Database& db);

}  // namespace layerlab::storage
