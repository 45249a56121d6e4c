// TrainingSession: runs one training job at a time on its own QThread with the same code path as
// `layerlab-cli train` (app::runTrainingJob), so a run started here is stored exactly like one
// started from a terminal.
//
// The worker thread never touches Qt objects of the GUI: the trainer's callbacks append to a
// mutex-guarded staging buffer, and a ~40 ms timer on the GUI thread drains it into one
// updated() signal. Stop and pause are atomics the trainer polls between batches. Exceptions
// never leave the worker: they end the run as failed (or refused, when nothing was stored) and
// reach the GUI as the result's error text.
//
// Threads: construct, call and destroy on the GUI thread. Destroying a session with a run in
// progress stops the run and waits for the worker.
#pragma once

#include <memory>

#include "ui/training/training_backend.h"

class QThread;
class QTimer;

namespace layerlab::app {

class TrainingSession : public ui::TrainingBackend {
  Q_OBJECT

 public:
  // How often the GUI thread takes over what the worker reported.
  static constexpr int kDrainIntervalMs = 40;

  explicit TrainingSession(QObject* parent = nullptr);
  ~TrainingSession() override;

  bool start(const ui::TrainingRequest& request) override;
  void pause() override;
  void resume() override;
  void stop() override;
  bool active() const override;
  bool paused() const override;
  // Automatic, the CPU with the threads a run gets, and the CUDA device when LibTorch sees one.
  std::vector<ui::DeviceChoice> devices() const override;

  // True while a paused run is actually held between two batches.
  bool holding() const;
  // True while the worker has reported something the next drain has not handed over yet.
  bool reportsPending() const;

  // Where runs train by default, for the status bar: "CPU (8 threads)", "CUDA:0".
  static QString deviceDescription();

  // What the worker and the GUI thread share (defined in the .cpp).
  struct Shared;

 private:
  void drain();

  std::shared_ptr<Shared> m_shared;
  QThread* m_thread = nullptr;
  QTimer* m_drainTimer = nullptr;
};

}  // namespace layerlab::app
