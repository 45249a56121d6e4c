#include "storage/store_rows.h"

#include <chrono>

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

bool isWellFormedUuid(const std::string& uuid) {
  if (uuid.size() != 36) return false;
  for (size_t i = 0; i < uuid.size(); ++i) {
    const char c = uuid[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
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
