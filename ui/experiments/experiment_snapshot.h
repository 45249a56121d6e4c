// What the Experiments place shows, read from the store in one go: the experiments with their
// progress, and for the selected one its definition, trials and per-epoch objective curves. Plain
// data (no widgets), so it is read on a ui::Worker and handed to the GUI thread whole.
//
// Threads: readExperimentSnapshot and the store edits below open their own connection and may run
// on any thread; a SpecCache is used by one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/experiment/experiment_spec.h"
#include "storage/experiment_store.h"

namespace layerlab::ui {

struct ExperimentEntry {
  int64_t id = 0;
  std::string name;
  storage::ExperimentStatus status = storage::ExperimentStatus::Queued;
  int finished = 0;  // trials that have ended
  int budget = 0;    // engine::trialBudget, or the document's trials when it cannot be read
};

struct TrialEntry {
  storage::TrialRow row;
  nlohmann::json params;      // key → value
  int epochs = 0;             // the trial's epochs (searched or the base's)
  std::vector<double> curve;  // the objective's metric after each epoch; NaN where none
  int epochsDone() const;     // epochs with a stored value
};

struct ExperimentSnapshot {
  std::vector<ExperimentEntry> experiments;
  std::optional<storage::ExperimentRow> selected;
  std::optional<engine::ExperimentSpec> spec;  // the selected experiment's, when it reads
  std::string specError;                       // why it does not
  std::vector<TrialEntry> trials;
  std::optional<int> bestNumber;  // the trial with the best objective

  const TrialEntry* trial(int number) const;
  const TrialEntry* best() const { return bestNumber ? trial(*bestNumber) : nullptr; }
};

// Parsed definitions keyed by experiment id, reused while the stored text is the same (parsing
// checks every key against the base model, which is too slow to repeat twice a second).
struct SpecCache {
  struct Entry {
    std::string json;
    std::optional<engine::ExperimentSpec> spec;
    std::string error;
  };
  std::map<int64_t, Entry> entries;
  const Entry& get(int64_t id, const std::string& json);
};

// Reads the store at `path`; `selectedId` 0 selects nothing. Throws storage::StoreError.
ExperimentSnapshot readExperimentSnapshot(const std::string& path, int64_t selectedId,
                                          SpecCache& cache);

// The trial's documents: the base with its parameters applied, `epochs` scaled by
// `epochFactor`. Throws std::invalid_argument when they cannot be made.
engine::ExperimentBase trialDocuments(const engine::ExperimentSpec& spec, const TrialEntry& trial,
                                      int epochFactor = 1);

// Store edits, as `layerlab-cli experiment pause|resume|cancel|add` make them.
void setExperimentStatus(const std::string& path, int64_t id, storage::ExperimentStatus status);
void cancelExperiment(const std::string& path, int64_t id);
void addTrials(const std::string& path, int64_t id, int more);

}  // namespace layerlab::ui
