// Stop and pause for a running fit(). Set from any thread (the GUI thread, a signal handler);
// polled by the trainer between batches. Lock-free: requestStop() is safe in a signal handler.
#pragma once

#include <atomic>
#include <cstdint>

namespace layerlab::engine {

class TrainControl {
 public:
  void requestStop() { change(kStop, true); }
  void pause() { change(kPause, true); }
  void resume() { change(kPause, false); }

  bool stopRequested() const { return (m_flags.load() & kStop) != 0; }
  bool paused() const { return (m_flags.load() & kPause) != 0; }
  // True while the training thread is actually waiting in a pause (not merely asked to pause):
  // a GUI shows "Paused" only from then on.
  bool held() const { return (m_flags.load() & kHeld) != 0; }

  // Called by the training thread between batches: blocks while paused; returns at once on
  // resume or stop.
  void waitWhilePaused() const {
    uint32_t flags = m_flags.load();
    if ((flags & kPause) == 0 || (flags & kStop) != 0) return;
    change(kHeld, true);
    flags = m_flags.load();
    while ((flags & kPause) != 0 && (flags & kStop) == 0) {
      m_flags.wait(flags);
      flags = m_flags.load();
    }
    change(kHeld, false);
  }

  // Blocks until the training thread is held in a pause, or a stop was requested.
  void waitUntilHeld() const {
    uint32_t flags = m_flags.load();
    while ((flags & kHeld) == 0 && (flags & kStop) == 0) {
      m_flags.wait(flags);
      flags = m_flags.load();
    }
  }

 private:
  static constexpr uint32_t kStop = 1;
  static constexpr uint32_t kPause = 2;
  static constexpr uint32_t kHeld = 4;

  void change(uint32_t bit, bool on) const {
    if (on)
      m_flags.fetch_or(bit);
    else
      m_flags.fetch_and(~bit);
    m_flags.notify_all();
  }

  // One word for every flag, so that a waiter wakes on any change.
  mutable std::atomic<uint32_t> m_flags{0};
};

}  // namespace layerlab::engine
