#include "app/cli/progress_line.h"

#include <cmath>

#include "engine/model/model_summary.h"
#include "series/duration.h"

namespace layerlab::cli {
namespace {

constexpr int kBarWidth = 30;

std::string bar(int64_t done, int64_t total) {
  const int filled = total > 0 ? static_cast<int>(kBarWidth * done / total) : kBarWidth;
  std::string text = "[";
  for (int i = 0; i < kBarWidth; ++i) {
    text += i < filled ? '=' : (i == filled ? '>' : '.');
  }
  return text + "]";
}

// NaN marks a metric that does not apply (accuracy in regression): it is left out.
std::string metric(const char* name, double value) {
  if (std::isnan(value)) return {};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, " - %s: %.4f", name, value);
  return buffer;
}

std::string counter(int64_t done, int64_t total) {
  const std::string totalText = std::to_string(total);
  std::string doneText = std::to_string(done);
  return std::string(totalText.size() - std::min(totalText.size(), doneText.size()), ' ') +
         doneText + "/" + totalText;
}

}  // namespace

void ProgressLine::printHeader(int epoch, int epochs) {
  if (m_headerEpoch == epoch) return;
  m_headerEpoch = epoch;
  std::fprintf(m_out, "Epoch %d/%d\n", epoch, epochs);
}

void ProgressLine::onBatch(const engine::BatchProgress& p) {
  m_batchesPerEpoch = p.batchesPerEpoch;
  if (!m_live) return;
  printHeader(p.epoch, p.epochs);
  const double perBatch = p.epochSeconds / static_cast<double>(p.batch);
  const double eta = perBatch * static_cast<double>(p.batchesPerEpoch - p.batch);
  std::string line = counter(p.batch, p.batchesPerEpoch) + " " + bar(p.batch, p.batchesPerEpoch) +
                     " - ETA: " + series::formatDuration(eta) + metric("loss", p.epochLoss) +
                     metric("accuracy", p.epochAccuracy);
  std::fprintf(m_out, "\r%s\033[K", line.c_str());
  std::fflush(m_out);
}

void ProgressLine::onEpoch(const engine::EpochSummary& s) {
  printHeader(s.epoch, s.epochs);
  const double perStep = m_batchesPerEpoch > 0 ? s.seconds / m_batchesPerEpoch : 0;
  std::string line = counter(m_batchesPerEpoch, m_batchesPerEpoch) + " " + bar(1, 1) + " - " +
                     series::formatDuration(s.seconds) + " " + series::formatDuration(perStep) +
                     "/step" + metric("loss", s.trainLoss) + metric("accuracy", s.trainAccuracy);
  line += metric("val_loss", s.valLoss) + metric("val_accuracy", s.valAccuracy);
  line += " - " + engine::formatThousands(std::llround(s.samplesPerSecond)) + " samples/s";
  std::fprintf(m_out, m_live ? "\r%s\033[K\n" : "%s\n", line.c_str());
  std::fflush(m_out);
}

}  // namespace layerlab::cli
