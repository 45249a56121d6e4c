#include "ui/experiments/experiment_snapshot.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "storage/run_types.h"

namespace layerlab::ui {
namespace {

int baseEpochs(const engine::ExperimentSpec& spec) {
  return spec.base.train.value("epochs", 0);
}

int trialEpochs(const engine::ExperimentSpec& spec, const nlohmann::json& params) {
  const auto found = params.find("epochs");
  if (found != params.end() && found->is_number()) return found->get<int>();
  return baseEpochs(spec);
}

std::optional<int> bestTrial(const engine::ExperimentSpec& spec,
                             const std::vector<TrialEntry>& trials) {
  std::optional<int> best;
  std::optional<double> bestValue;
  for (const TrialEntry& trial : trials) {
    const std::optional<double>& value = trial.row.objective;
    if (!value || !std::isfinite(*value)) continue;
    if (!bestValue || engine::isBetter(*value, *bestValue, spec.objective.direction)) {
      best = trial.row.number;
      bestValue = value;
    }
  }
  return best;
}

void readSelected(storage::ExperimentStore& store, ExperimentSnapshot& snapshot,
                  const SpecCache::Entry& parsed) {
  snapshot.spec = parsed.spec;
  snapshot.specError = parsed.error;
  const int64_t id = snapshot.selected->id;
  for (storage::TrialRow& row : store.trials(id)) {
    TrialEntry entry;
    entry.params = nlohmann::json::parse(row.paramsJson, nullptr, false);
    if (!entry.params.is_object()) entry.params = nlohmann::json::object();
    entry.row = std::move(row);
    if (snapshot.spec) entry.epochs = trialEpochs(*snapshot.spec, entry.params);
    snapshot.trials.push_back(std::move(entry));
  }
  if (!snapshot.spec) return;
  const engine::ObjectiveSpec& objective = snapshot.spec->objective;
  for (storage::TrialCurve& curve : store.curves(id, objective.split(), objective.name())) {
    for (TrialEntry& trial : snapshot.trials)
      if (trial.row.number == curve.number) trial.curve = std::move(curve.values);
  }
  snapshot.bestNumber = bestTrial(*snapshot.spec, snapshot.trials);
}

}  // namespace

int TrialEntry::epochsDone() const {
  return static_cast<int>(
      std::count_if(curve.begin(), curve.end(), [](double v) { return std::isfinite(v); }));
}

const TrialEntry* ExperimentSnapshot::trial(int number) const {
  for (const TrialEntry& entry : trials)
    if (entry.row.number == number) return &entry;
  return nullptr;
}

const SpecCache::Entry& SpecCache::get(int64_t id, const std::string& json) {
  Entry& entry = entries[id];
  if (entry.json == json && (entry.spec || !entry.error.empty())) return entry;
  entry = Entry{json, std::nullopt, {}};
  try {
    entry.spec = engine::experimentSpecFromJson(nlohmann::json::parse(json));
  } catch (const std::exception& error) {
    entry.error = error.what();
  }
  return entry;
}

ExperimentSnapshot readExperimentSnapshot(const std::string& path, int64_t selectedId,
                                          SpecCache& cache) {
  storage::ExperimentStore store(path, storage::existingStoreOptions());
  ExperimentSnapshot snapshot;
  for (storage::ExperimentRow& row : store.experiments()) {
    const SpecCache::Entry& parsed = cache.get(row.id, row.specJson);
    ExperimentEntry entry{row.id, row.name, row.status, 0, 0};
    entry.budget = parsed.spec ? engine::trialBudget(*parsed.spec) : 0;
    // The list counts finished trials from the trials table; one query per experiment is cheap
    // next to the selected experiment's curves.
    for (const storage::TrialRow& trial : store.trials(row.id))
      entry.finished += storage::isFinished(trial.status) ? 1 : 0;
    if (row.id == selectedId) {
      snapshot.selected = std::move(row);
      readSelected(store, snapshot, parsed);
    }
    snapshot.experiments.push_back(std::move(entry));
  }
  return snapshot;
}

engine::ExperimentBase trialDocuments(const engine::ExperimentSpec& spec, const TrialEntry& trial,
                                      int epochFactor) {
  engine::ExperimentBase documents = engine::applyParams(spec.base, trial.params);
  const int epochs = documents.train.value("epochs", 1);
  documents.train["epochs"] = std::max(1, epochs * epochFactor);
  return documents;
}

void setExperimentStatus(const std::string& path, int64_t id, storage::ExperimentStatus status) {
  storage::ExperimentStore store(path, storage::existingStoreOptions());
  store.setStatus(id, status);
}

void cancelExperiment(const std::string& path, int64_t id) {
  storage::ExperimentStore store(path, storage::existingStoreOptions());
  store.setStatus(id, storage::ExperimentStatus::Cancelled);
  store.cancelQueuedTrials(id);
}

void addTrials(const std::string& path, int64_t id, int more) {
  storage::ExperimentStore store(path, storage::existingStoreOptions());
  const std::optional<storage::ExperimentRow> row = store.experiment(id);
  if (!row) throw std::invalid_argument("experiment " + std::to_string(id) + " is gone");
  engine::ExperimentSpec spec =
      engine::experimentSpecFromJson(nlohmann::json::parse(row->specJson));
  spec.trials = std::min(engine::kMaxTrials, spec.trials + more);
  store.updateSpec(id, engine::toJson(spec).dump());
  if (row->status == storage::ExperimentStatus::Completed)
    store.setStatus(id, storage::ExperimentStatus::Queued);
}

}  // namespace layerlab::ui
