#include "engine/data/content_hash.h"

#include <cstdio>

namespace layerlab::engine {
namespace {

constexpr uint64_t kMultiplier = 0x9e3779b97f4a7c15ULL;

uint64_t rotateLeft(uint64_t value, int bits) {
  return (value << bits) | (value >> (64 - bits));
}

uint64_t step(uint64_t state, uint64_t word) {
  return (rotateLeft(state, 23) ^ word) * kMultiplier;
}

// SplitMix64's finaliser: every input bit reaches every output bit.
uint64_t mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

void ContentHash::add(const void* data, size_t size) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word = 0;
    for (int b = 7; b >= 0; --b)
      word = (word << 8) | bytes[i + b];
    m_state = step(m_state, word);
  }
  uint64_t tail = 0;
  for (size_t b = size; b > i; --b)
    tail = (tail << 8) | bytes[b - 1];
  // Mixing the chunk's length in keeps "ab" + "c" apart from "a" + "bc".
  m_state = step(step(m_state, tail), size);
  m_length += size;
}

void ContentHash::add(const std::string& text) {
  add(text.data(), text.size());
}

void ContentHash::add(int64_t value) {
  uint8_t bytes[8];
  for (int b = 0; b < 8; ++b)
    bytes[b] = static_cast<uint8_t>(static_cast<uint64_t>(value) >> (8 * b));
  add(bytes, sizeof bytes);
}

uint64_t ContentHash::value() const {
  return mix(m_state ^ m_length);
}

std::string ContentHash::hex() const {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(value()));
  return buffer;
}

}  // namespace layerlab::engine
