#include "storage/store_rows.h"

#include <chrono>
#include <cmath>
#include <string>

#include "series/metric_direction.h"
#include "storage/database.h"
#include "storage/param_codec.h"
#include "storage/process_identity.h"
#include "storage/sha256.h"

namespace layerlab::storage {

double nowSeconds() {
  using Seconds = std::chrono::duration<double>;
  return std::chrono::duration_cast<Seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t storeModel(Database& db, const std::string& modelJson, double now) {
  const std::string sha = sha256Hex(modelJson);
  {
    CachedStatement insert = db.cached(
        "INSERT INTO models (sha256, name, json, created_at) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (sha256) DO NOTHING");
    insert->bind(1, sha).bind(2, modelNameOf(modelJson)).bind(3, modelJson).bind(4, now);
    insert->run();
  }
  CachedStatement select = db.cached("SELECT id FROM models WHERE sha256 = ?1");
  select->bind(1, sha);
  if (!select->step()) db.fail("cannot write to store", "the model row vanished while writing");
  return select->integer(0);
}

void writeParams(Database& db, int64_t runId, const std::vector<Param>& params) {
  {
    CachedStatement clear = db.cached("DELETE FROM params WHERE run_id = ?1");
    clear->bind(1, runId);
    clear->run();
  }
  CachedStatement insert =
      db.cached("INSERT INTO params (run_id, key, value, type) VALUES (?1, ?2, ?3, ?4)");
  for (const Param& param : params) {
    insert->bind(1, runId).bind(2, param.key);
    bindParamValue(*insert, 3, 4, param.value);
    insert->run();
    insert->reset();
  }
}

void writeTags(Database& db, int64_t runId, const std::vector<std::string>& tags) {
  CachedStatement insert = db.cached(
      "INSERT INTO tags (run_id, tag) VALUES (?1, ?2) ON CONFLICT (run_id, tag) DO NOTHING");
  for (const std::string& tag : tags) {
    insert->bind(1, runId).bind(2, tag);
    insert->run();
    insert->reset();
  }
}

std::vector<std::pair<int64_t, int64_t>> orphanedRuns(Database& db) {
  std::vector<std::pair<int64_t, int64_t>> orphans;
  CachedStatement select = db.cached(
      "SELECT id, owner_pid, owner_host, owner_token FROM runs "
      "WHERE status = 'running' AND owner_pid IS NOT NULL");
  while (select->step()) {
    const ProcessIdentity owner{select->integer(1), select->text(2), select->text(3)};
    if (ownerLiveness(owner) == Liveness::Gone) orphans.emplace_back(select->integer(0), owner.pid);
  }
  return orphans;
}

double storedTime(const Statement& row, int column) {
  constexpr double kYear10000 = 253402300800.0;
  if (row.isNull(column)) return 0.0;
  const double seconds = row.real(column);
  return std::isfinite(seconds) && seconds > 0.0 && seconds < kYear10000 ? seconds : 0.0;
}

bool isWellFormedUuid(const std::string& uuid) {
  if (uuid.size() != 36) return false;
  for (size_t i = 0; i < uuid.size(); ++i) {
    const char c = uuid[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

namespace {

// Epoch and final rows through their partial index; batch rows are never read here.
constexpr const char* kCurrentRows =
    " FROM metrics m INDEXED BY metrics_by_run_kind_epoch WHERE m.run_id = r.id AND "
    "m.kind <> 'batch' AND m.superseded = 0 AND ";

std::string finalColumn(const char* column, const char* name) {
  return std::string("(SELECT m.") + column + kCurrentRows +
         "m.kind = 'final' AND m.split = 'test' AND m.name = '" + name +
         "' ORDER BY m.rowid DESC LIMIT 1)";
}

// The best validation value of `name` and the first epoch that reached it: series::bestEpoch's
// rule (only finite values, which are the non-NULL ones; ties keep the earlier epoch) in SQL, so
// run_results is filled without reading the metrics back.
std::string bestColumns(const char* name, bool higherIsBetter) {
  const std::string rows = std::string(kCurrentRows) +
                           "m.kind = 'epoch' AND m.split = 'val' AND m.name = '" + name + "'";
  return std::string("(SELECT ") + (higherIsBetter ? "MAX" : "MIN") + "(m.value)" + rows +
         "), (SELECT m.epoch" + rows + " AND m.value IS NOT NULL ORDER BY m.value " +
         (higherIsBetter ? "DESC" : "ASC") + ", m.epoch LIMIT 1)";
}

std::string runResultsInsert() {
  return "INSERT OR REPLACE INTO run_results (run_id, epochs_done, test_accuracy, "
         "test_accuracy_special, best_val_accuracy, best_val_accuracy_epoch, test_loss, "
         "test_loss_special, best_val_loss, best_val_loss_epoch) SELECT r.id, "
         "(SELECT COUNT(DISTINCT m.epoch)" +
         std::string(kCurrentRows) + "m.kind = 'epoch'), " + finalColumn("value", "accuracy") +
         ", " + finalColumn("special", "accuracy") + ", " +
         bestColumns("accuracy", series::higherIsBetter("accuracy")) + ", " +
         finalColumn("value", "loss") + ", " + finalColumn("special", "loss") + ", " +
         bestColumns("loss", series::higherIsBetter("loss")) + " FROM runs r";
}

}  // namespace

void refreshRunResults(Database& db, int64_t runId) {
  CachedStatement refresh = db.cached(runResultsInsert() + " WHERE r.id = ?1");
  refresh->bind(1, runId);
  refresh->run();
}

void fillRunResults(Database& db) {
  Statement fill(db, runResultsInsert());
  fill.run();
}

const char* kindWord(MetricKind kind) {
  switch (kind) {
    case MetricKind::Batch:
      return "batch";
    case MetricKind::Epoch:
      return "epoch";
    case MetricKind::Final:
      return "final";
  }
  return "epoch";
}

}  // namespace layerlab::storage
