// A real run store in a scratch folder, filled through storage::RunStore the way training
// fills it, for tests that open the GUI on it.
#pragma once

#include <QString>
#include <QTemporaryDir>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "storage/run_store.h"
#include "storage/run_types.h"

namespace layerlab::ui::testing {

struct TestRun {
  std::string name;
  storage::RunStatus status = storage::RunStatus::Completed;
  int epochs = 0;
  std::optional<double> testAccuracy;  // written as the final "test" "accuracy" when set
  std::string errorText;
  std::string modelJson;  // the model document; a bare header when empty
};

class TestStore {
 public:
  TestStore();
  ~TestStore();

  // The store file; it exists (with its schema) once the constructor returns.
  QString path() const;
  // Another file in the same scratch folder.
  QString file(const QString& name) const;

  // Writes `run` through this store's own writer connection and returns its id. Epoch n gets
  // train loss 1/n, train accuracy 0.5 + n/100, val loss 1.5/n and val accuracy 0.45 + n/100.
  int64_t addRun(const TestRun& run);

 private:
  QTemporaryDir m_folder;
  std::unique_ptr<storage::RunStore> m_writer;
};

// Adds `run` to the store at `path` through a writer connection of its own, as another program
// (layerlab-cli) would.
int64_t addRunFromAnotherConnection(const QString& path, const TestRun& run);

}  // namespace layerlab::ui::testing
