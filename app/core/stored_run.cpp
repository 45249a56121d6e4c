#include "app/core/stored_run.h"

#include <nlohmann/json.hpp>

#include "engine/data/stored_dataset.h"
#include "engine/model/json_document.h"

namespace layerlab::app {
namespace {

engine::Preprocessing preprocessingFromJson(const nlohmann::json& doc) {
  engine::Preprocessing out;
  out.scale = doc.value("scale", 1.0);
  out.mean = doc.value("mean", std::vector<double>{});
  out.std = doc.value("std", std::vector<double>{});
  return out;
}

}  // namespace

StoredRunDocuments readRunDocuments(const storage::RunDetail& run) {
  StoredRunDocuments docs;
  try {
    const engine::ModelParseResult model = engine::parseModelSpec(run.modelJson);
    if (!model.spec) throw std::invalid_argument("its model: " + model.problems.front().describe());
    docs.model = *model.spec;
    docs.config = engine::trainConfigFromJson(
        engine::parseJsonDocument(run.configJson, "its training config"));
    engine::StoredDataset dataset = engine::readStoredDataset(
        engine::parseJsonDocument(run.datasetJson, "its dataset document"));
    docs.classNames = std::move(dataset.classNames);
    if (!dataset.preprocessing.is_null())
      docs.preprocessing = preprocessingFromJson(dataset.preprocessing);
    docs.dataset = std::move(dataset.spec);
  } catch (const std::exception& error) {
    throw JobInputError("the documents stored with run " + std::to_string(run.summary.id) +
                        " cannot be read: " + error.what());
  }
  return docs;
}

std::string verifiedCheckpoint(const storage::RunQuery& query, int64_t runId,
                               const std::string& kind, const std::string& missing) {
  const std::optional<storage::ArtifactRecord> checkpoint = query.artifact(runId, kind);
  if (!checkpoint) throw JobInputError(missing);
  try {
    return storage::verifiedArtifactPath(*checkpoint);
  } catch (const storage::StoreError& error) {
    throw JobInputError(std::string("the checkpoint cannot be used: ") + error.what());
  }
}

}  // namespace layerlab::app
