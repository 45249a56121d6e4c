// Work that runs on a thread of its own while the GUI thread goes on: an ONNX export, the
// predictions of Try It, a comparison's long read.
//
// Threads: a Worker is made and destroyed on the GUI thread. `work` runs on the worker thread;
// `done` runs afterwards on `receiver`'s thread with what `work` threw, as text (empty when it
// returned; `unknownError` for a throw that is no std::exception). Destroying a Worker asks the
// work to stop (QThread::isInterruptionRequested()) and waits for it, so whatever `work` uses may
// be destroyed right after it, and `done` is then not called. `done` may destroy the Worker it
// was called for.
#pragma once

#include <QString>

#include <functional>
#include <memory>

class QObject;
class QThread;

namespace layerlab::ui {

class Worker {
 public:
  Worker(QObject* receiver, std::function<void()> work, QString unknownError,
         std::function<void(const QString& error)> done);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

 private:
  struct State {
    QString error;         // written by the worker before it finishes
    bool dropped = false;  // the Worker is gone (GUI thread only)
  };
  std::shared_ptr<State> m_state;
  std::unique_ptr<QThread> m_thread;
};

}  // namespace layerlab::ui
