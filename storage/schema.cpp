#include "storage/schema.h"

#include <array>
#include <string>

#include "storage/database.h"
#include "storage/param_codec.h"
#include "storage/sha256.h"
#include "storage/store_rows.h"

namespace layerlab::storage {

namespace {

constexpr std::string_view kOpenAction = "cannot open store";

struct Migration {
  int version;  // the user_version once this step has run
  const char* sql;
  void (*moveData)(Database& db) = nullptr;  // runs after `sql`
  const char* sqlAfter = nullptr;            // runs after moveData
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

// Version 2: models stored once by content hash, flattened parameters, tags, notes, artifacts,
// confusion matrices, resume attempts (metrics carry their attempt and a superseded flag) and an
// owner token that survives pid reuse. The model documents move out of `runs` in moveModels().
constexpr const char* kSchemaV2 = R"sql(
CREATE TABLE models (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL DEFAULT '',
  json TEXT NOT NULL,
  created_at REAL NOT NULL
);
ALTER TABLE runs ADD COLUMN model_id INTEGER REFERENCES models (id);
ALTER TABLE runs ADD COLUMN parent_run_id INTEGER REFERENCES runs (id) ON DELETE SET NULL;
ALTER TABLE runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
ALTER TABLE runs ADD COLUMN owner_token TEXT;
ALTER TABLE runs ADD COLUMN notes TEXT NOT NULL DEFAULT '';
-- The GUI polls for running runs whose owner died; this keeps that off the big rows.
CREATE INDEX runs_by_status ON runs (status);
CREATE INDEX runs_by_parent ON runs (parent_run_id);
CREATE INDEX runs_by_model ON runs (model_id);
-- Metrics are rebuilt rather than altered: version 1's IN-list checks cost more per inserted row
-- than the row itself, and batch rows need not be in the index by kind.
CREATE TABLE metrics_v2 (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL DEFAULT 1,
  step INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  split TEXT NOT NULL,
  name TEXT NOT NULL,
  value REAL,
  special TEXT CHECK (special = 'nan' OR special = 'inf' OR special = '-inf'),
  wall_time REAL NOT NULL,
  kind TEXT NOT NULL CHECK (kind = 'batch' OR kind = 'epoch' OR kind = 'final'),
  superseded INTEGER NOT NULL DEFAULT 0 CHECK (superseded = 0 OR superseded = 1),
  CHECK ((value IS NULL) <> (special IS NULL))
);
INSERT INTO metrics_v2 (rowid, run_id, step, epoch, split, name, value, special, wall_time, kind)
  SELECT rowid, run_id, step, epoch, split, name, value, special, wall_time, kind FROM metrics;
DROP TABLE metrics;
ALTER TABLE metrics_v2 RENAME TO metrics;
CREATE INDEX metrics_by_run_name_step ON metrics (run_id, name, step);
-- Readers of epoch and final rows add "kind <> 'batch'" to their conditions to use this index.
CREATE INDEX metrics_by_run_kind_epoch ON metrics (run_id, kind, epoch) WHERE kind <> 'batch';
CREATE TABLE run_attempts (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  attempt INTEGER NOT NULL,
  started_at REAL NOT NULL,
  from_step INTEGER NOT NULL DEFAULT 0,
  from_epoch INTEGER NOT NULL DEFAULT 0,
  owner_pid INTEGER,
  owner_host TEXT,
  PRIMARY KEY (run_id, attempt)
) WITHOUT ROWID;
-- `value` has no declared type, so each value keeps the type it was bound with (a text "1e-3"
-- stays text) while numbers still compare as numbers.
CREATE TABLE params (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value,
  type TEXT NOT NULL CHECK (type IN ('null', 'bool', 'integer', 'real', 'text', 'json')),
  PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE INDEX params_by_key_value ON params (key, value);
CREATE TABLE tags (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (run_id, tag)
) WITHOUT ROWID;
CREATE INDEX tags_by_tag ON tags (tag);
CREATE TABLE artifacts (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  file_name TEXT NOT NULL,
  rel_path TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  created_at REAL NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 1,
  metadata_json TEXT NOT NULL DEFAULT '',
  UNIQUE (run_id, kind, file_name)
);
CREATE TABLE confusion_matrices (
  run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  split TEXT NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 1,
  labels_json TEXT NOT NULL,
  counts_json TEXT NOT NULL,
  created_at REAL NOT NULL,
  PRIMARY KEY (run_id, split)
) WITHOUT ROWID;
CREATE TABLE store_meta (
  key TEXT PRIMARY KEY,
  value
) WITHOUT ROWID;
INSERT INTO run_attempts (run_id, attempt, started_at, owner_pid, owner_host)
  SELECT id, 1, COALESCE(started_at, created_at), owner_pid, owner_host FROM runs;
)sql";

// Version 3: series are found by (run, name, split): a split's values are one index range in
// step order (no scan past the other splits' rows, no sort), and the keys a run has are found by
// seeking from one (name, split) to the next. What the runs list shows of a run's metrics is
// kept in `run_results`, one row per run, refreshed by the writer (refreshRunResults()).
constexpr const char* kSchemaV3 = R"sql(
DROP INDEX metrics_by_run_name_step;
CREATE INDEX metrics_by_run_name_split_step ON metrics (run_id, name, split, step);
CREATE TABLE run_results (
  run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  epochs_done INTEGER NOT NULL DEFAULT 0,
  test_accuracy REAL,
  test_accuracy_special TEXT,
  best_val_accuracy REAL,
  best_val_accuracy_epoch INTEGER,
  test_loss REAL,
  test_loss_special TEXT,
  best_val_loss REAL,
  best_val_loss_epoch INTEGER
);
)sql";

// Dropped only once moveModels() has copied every model document.
constexpr const char* kSchemaV2After = "ALTER TABLE runs DROP COLUMN model_json;";

// Gives every version-1 run its model row and flattened parameters.
void moveModels(Database& db) {
  Statement select(db,
                   "SELECT id, model_json, config_json, dataset_json, dataset_fingerprint, device, "
                   "app_version, created_at FROM runs");
  Statement link(db, "UPDATE runs SET model_id = ?1 WHERE id = ?2");
  while (select.step()) {
    NewRun run;
    run.modelJson = select.text(1);
    run.configJson = select.text(2);
    run.datasetJson = select.text(3);
    run.datasetFingerprint = select.text(4);
    run.device = select.text(5);
    run.appVersion = select.text(6);
    const int64_t runId = select.integer(0);
    link.bind(1, storeModel(db, run.modelJson, select.real(7))).bind(2, runId);
    link.run();
    link.reset();
    writeParams(db, runId, flattenRunParams(run, sha256Hex(run.modelJson)));
  }
}

// Version 4: a training run's pause. paused_at is when its training thread began waiting in a
// pause (NULL while it trains); paused_seconds sums the pauses that ended, so a run's duration can
// leave them out. Stores of version 3 gain both columns with "never paused".
constexpr const char* kSchemaV4 = R"sql(
ALTER TABLE runs ADD COLUMN paused_at REAL;
ALTER TABLE runs ADD COLUMN paused_seconds REAL NOT NULL DEFAULT 0;
)sql";

// Version 5: experiments. An experiment keeps its whole definition (base documents, search
// space, strategy, budget, objective, early stopping) as one JSON document; each trial is a row
// with its parameters and, once its process has created it, the run that trains it. A trial is
// claimed by exactly one process (owner_pid/owner_host/owner_token, as for runs), so a queue that
// is killed and started again never runs a trial twice.
constexpr const char* kSchemaV5 = R"sql(
CREATE TABLE experiments (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'paused', 'completed', 'cancelled')),
  priority INTEGER NOT NULL DEFAULT 0,
  created_at REAL NOT NULL,
  finished_at REAL,
  spec_json TEXT NOT NULL
);
CREATE TABLE trials (
  experiment_id INTEGER NOT NULL REFERENCES experiments (id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  params_json TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN
    ('queued', 'running', 'completed', 'failed', 'stopped_early', 'cancelled')),
  run_id INTEGER REFERENCES runs (id) ON DELETE SET NULL,
  objective REAL,
  created_at REAL NOT NULL,
  started_at REAL,
  finished_at REAL,
  owner_pid INTEGER,
  owner_host TEXT,
  owner_token TEXT,
  error_text TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (experiment_id, number)
) WITHOUT ROWID;
CREATE INDEX trials_by_run ON trials (run_id);
)sql";

// Append new steps at the end; never edit a step that has shipped.
const std::array kMigrations{
    Migration{1, kSchemaV1},
    Migration{2, kSchemaV2, moveModels, kSchemaV2After},
    Migration{3, kSchemaV3, fillRunResults},
    Migration{4, kSchemaV4},
    Migration{5, kSchemaV5},
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

void refuseForeignFile(Database& db) {
  checkOwnership(db, db.integerPragma("user_version"));
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
    if (migration.moveData) migration.moveData(db);
    if (migration.sqlAfter) db.exec(migration.sqlAfter, "cannot upgrade store");
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
