#include "storage/schema.h"

#include <array>
#include <string>

#include "storage/database.h"

namespace layerlab::storage {

namespace {

constexpr std::string_view kOpenAction = "cannot open store";

struct Migration {
  int version;  // the user_version once this step has run
  const char* sql;
};

// Version 1: runs and their metrics in long form. Metric values that SQLite cannot hold as REAL
// (a bound NaN becomes NULL) are stored as a NULL value plus their name in `special`.
constexpr const char* kSchemaV1 = R"sql(
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN
    ('queued', 'running', 'completed', 'failed', 'cancelled', 'interrupted')),
  created_at REAL NOT NULL,
  started_at REAL,
  finished_at REAL,
  heartbeat_at REAL,
  owner_pid INTEGER,
  owner_host TEXT,
  app_version TEXT NOT NULL DEFAULT '',
  device TEXT NOT NULL DEFAULT '',
  seed INTEGER NOT NULL DEFAULT 0,
  model_json TEXT NOT NULL DEFAULT '',
  config_json TEXT NOT NULL DEFAULT '',
  dataset_json TEXT NOT NULL DEFAULT '',
  dataset_fingerprint TEXT NOT NULL DEFAULT '',
  error_text TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_created ON runs (created_at);
CREATE TABLE metrics (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  split TEXT NOT NULL,
  name TEXT NOT NULL,
  value REAL,
  special TEXT CHECK (special IN ('nan', 'inf', '-inf')),
  wall_time REAL NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('batch', 'epoch', 'final')),
  CHECK ((value IS NULL) <> (special IS NULL))
);
CREATE INDEX metrics_by_run_name_step ON metrics (run_id, name, step);
-- The runs list counts epochs and reads final values per run; this keeps it off the batch rows.
CREATE INDEX metrics_by_run_kind_epoch ON metrics (run_id, kind, epoch);
)sql";

// Append new steps at the end; never edit a step that has shipped.
constexpr std::array kMigrations{
    Migration{1, kSchemaV1},
};

bool hasTables(Database& db) {
  Statement statement(db, "SELECT count(*) FROM sqlite_master");
  return statement.step() && statement.integer(0) > 0;
}

// Refuses files this build must not touch. Runs inside the migration transaction so that the
// answer cannot change before the schema is written.
void checkOwnership(Database& db, int64_t version) {
  if (version > latestSchemaVersion()) {
    db.fail(kOpenAction, "it was made by a newer LayerLab (schema version " +
                             std::to_string(version) + "; this build knows up to " +
                             std::to_string(latestSchemaVersion()) + ")");
  }
  const int64_t applicationId = db.integerPragma("application_id");
  const bool foreign =
      version == 0 ? (applicationId != 0 || hasTables(db)) : applicationId != kApplicationId;
  if (foreign) {
    db.fail(kOpenAction, "it is a SQLite database but not a LayerLab store");
  }
}

}  // namespace

int latestSchemaVersion() {
  return kMigrations.back().version;
}

void migrate(Database& db) {
  // The common case reads two pragmas and takes no write lock, so readers never queue behind a
  // running training.
  const int64_t seen = db.integerPragma("user_version");
  if (seen == latestSchemaVersion()) {
    checkOwnership(db, seen);
    return;
  }
  WriteTransaction transaction(db);
  const int64_t version = db.integerPragma("user_version");
  checkOwnership(db, version);
  for (const Migration& migration : kMigrations) {
    if (migration.version <= version) continue;
    db.exec(migration.sql, "cannot upgrade store");
    // Pragmas take no parameters; the version is this build's own constant.
    const std::string setVersion = "PRAGMA user_version = " + std::to_string(migration.version);
    db.exec(setVersion.c_str(), "cannot upgrade store");
  }
  if (version == 0) {
    const std::string setOwner = "PRAGMA application_id = " + std::to_string(kApplicationId);
    db.exec(setOwner.c_str(), "cannot upgrade store");
  }
  transaction.commit();
}

}  // namespace layerlab::storage
