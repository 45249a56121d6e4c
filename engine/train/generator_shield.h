// The process-wide CPU generator is shared: a training's dropout draws from it on the training
// thread while the GUI may build another model for Try It or export, whose weight initialisation
// draws from it too. The trainer holds generatorDrawMutex() while a batch goes forward; whoever
// draws from the generator outside a training holds a GeneratorShield, which waits for that forward
// pass to end and puts the generator back as it found it, so a running training draws exactly the
// values it would have drawn alone.
//
// Threads: any. A GeneratorShield must not be held across a call that trains (it would deadlock).
#pragma once

#include <memory>
#include <mutex>

namespace layerlab::engine {

std::mutex& generatorDrawMutex();

class GeneratorShield {
 public:
  GeneratorShield();
  ~GeneratorShield();
  GeneratorShield(const GeneratorShield&) = delete;
  GeneratorShield& operator=(const GeneratorShield&) = delete;

 private:
  struct SavedState;
  std::unique_lock<std::mutex> m_lock;
  std::unique_ptr<SavedState> m_saved;
};

}  // namespace layerlab::engine
