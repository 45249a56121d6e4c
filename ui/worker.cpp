#include "ui/worker.h"

#include <QObject>
#include <QThread>

#include <exception>
#include <utility>

namespace layerlab::ui {

Worker::Worker(QObject* receiver, std::function<void()> work, QString unknownError,
               std::function<void(const QString& error)> done) {
  // Shared with the thread and with the queued call of `done`, which may outlive this Worker.
  m_state = std::make_shared<State>();
  m_thread.reset(QThread::create(
      [work = std::move(work), unknownError = std::move(unknownError), state = m_state] {
        try {
          work();
        } catch (const std::exception& thrown) {
          state->error = QString::fromStdString(thrown.what());
        } catch (...) {
          state->error = unknownError;
        }
      }));
  QObject::connect(m_thread.get(), &QThread::finished, receiver,
                   [done = std::move(done), state = m_state] {
                     if (!state->dropped) done(state->error);
                   });
  m_thread->start();
}

Worker::~Worker() {
  m_state->dropped = true;  // a `done` already queued is not called
  m_thread->requestInterruption();
  m_thread->wait();
}

}  // namespace layerlab::ui
