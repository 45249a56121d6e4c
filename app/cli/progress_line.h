// The Keras-like console lines of `layerlab-cli train`:
//   Epoch 2/5
//   844/844 [==============================] - 4s 5ms/step - loss: 0.41 - accuracy: 0.85 - …
#pragma once

#include <cstdio>
#include <string>

#include "engine/train/training_events.h"

namespace layerlab::cli {

class ProgressLine {
 public:
  // `live`: redraw the line in place on every batch report (a terminal); otherwise print one line
  // per epoch only, which keeps logs and pipes clean.
  ProgressLine(std::FILE* out, bool live) : m_out(out), m_live(live) {}

  void onBatch(const engine::BatchProgress& progress);
  void onEpoch(const engine::EpochSummary& summary);

 private:
  std::FILE* m_out;
  bool m_live;
  int m_headerEpoch = 0;
  int64_t m_batchesPerEpoch = 0;

  void printHeader(int epoch, int epochs);
};

}  // namespace layerlab::cli
