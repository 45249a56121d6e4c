// What a stored run keeps for later use: its documents (model, data, config) and the kinds of its
// checkpoint files. Shared by resuming (training_job) and by predictions and exports
// (trained_run). No torch, no Qt.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/core/training_job.h"
#include "engine/data/dataset_spec.h"
#include "storage/run_query.h"

namespace layerlab::app {

// Artifact kinds of the checkpoints a training job saves: after every epoch, and at the best one.
inline constexpr const char* kLastCheckpointKind = "checkpoint-last";
inline constexpr const char* kBestCheckpointKind = "checkpoint-best";

struct StoredRunDocuments {
  engine::ModelSpec model;
  engine::DatasetSpec dataset;
  engine::TrainConfig config;
  // Written beside the dataset spec when the run started.
  std::vector<std::string> classNames;  // empty for regression
  engine::Preprocessing preprocessing;
};

// Parses the documents stored with `run`. Throws JobInputError naming the run when they cannot
// be read.
StoredRunDocuments readRunDocuments(const storage::RunDetail& run);

// The path of the run's checkpoint of `kind` after checking the file against its record.
// Throws JobInputError when there is none (`missing` says what to do) or the file is damaged.
std::string verifiedCheckpoint(const storage::RunQuery& query, int64_t runId,
                               const std::string& kind, const std::string& missing);

}  // namespace layerlab::app
