// Reading Fashion-MNIST the way a run does (engine::loadDataset: the gzipped IDX files, the split,
// z-score normalisation and the content fingerprint), timed in the process after start-up.
// Prints `load_seconds=…` and the part sizes; bench/run sets it against numpy doing the same
// reading, split and normalisation (bench/pytorch_reference.py load).
#include <chrono>
#include <cstdio>
#include <exception>

#include "engine/data/dataset.h"

int main() {
  try {
    const auto start = std::chrono::steady_clock::now();
    const layerlab::engine::LoadedData data = layerlab::engine::loadDataset({});
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("train=%lld val=%lld test=%lld\n", static_cast<long long>(data.train.size()),
                static_cast<long long>(data.val.size()), static_cast<long long>(data.test.size()));
    std::printf("load_seconds=%.4f\n", seconds);
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "data_load_bench: %s\n", error.what());
    return 1;
  }
}
