#include "engine/data/stored_dataset.h"

namespace layerlab::engine {

StoredDataset readStoredDataset(nlohmann::json doc) {
  StoredDataset stored;
  stored.classNames = doc.value("classes", std::vector<std::string>{});
  if (doc.contains("preprocessing")) stored.preprocessing = doc.at("preprocessing");
  for (const char* extra : {"description", "classes", "preprocessing"})
    doc.erase(extra);
  stored.spec = datasetSpecFromJson(doc);
  return stored;
}

}  // namespace layerlab::engine
