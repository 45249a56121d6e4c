// RunTools over app::TrainedRun: the export dialog's and the "Try it" panel's way to a stored
// run's trained model, with the same code as `layerlab-cli export` and `predict`, so the GUI
// writes the same file and predicts the same classes as the command line.
//
// Threads: any; every call opens the store and loads the checkpoint itself, so calls from two
// threads at once are fine. Construct it on the GUI thread and keep it alive as long as any
// ExportDialog or TryItPanel that uses it (their destructors wait for their workers).
// setStorePath() (when the user opens another store) affects the calls that start after it.
// Errors: every failure leaves as a std::runtime_error whose text is app/core/error_policy.h's
// description (no LibTorch backtrace), ready for the dialog that shows it.
#pragma once

#include <mutex>
#include <string>

#include "ui/export/run_tools.h"

namespace layerlab::app {

class RunToolsImpl : public ui::RunTools {
 public:
  explicit RunToolsImpl(std::string storePath);

  void setStorePath(std::string storePath);
  std::string storePath() const;

  ui::ExportResult exportOnnx(int64_t runId, const std::string& path,
                              const std::string& checkpoint) override;
  ui::PredictionResult predict(const ui::PredictRequest& request) override;

 private:
  ui::ExportResult exportRun(int64_t runId, const std::string& path, const std::string& checkpoint);
  ui::PredictionResult predictSamples(const ui::PredictRequest& request);

  mutable std::mutex m_mutex;  // guards m_storePath
  std::string m_storePath;
};

}  // namespace layerlab::app
