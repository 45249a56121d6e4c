// Crafting hostile checkpoints for tests: a checkpoint file split into its index (JSON) and its
// data region, changed by the test and written back in the same layout. No torch.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace layerlab::test {

struct CraftedCheckpoint {
  std::string header;  // the 24 header bytes; the index length is rewritten on save
  nlohmann::json index;
  std::string data;

  static CraftedCheckpoint read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    const std::string bytes{std::istreambuf_iterator<char>(in), {}};
    if (bytes.size() < 24) throw std::runtime_error(path + " is no checkpoint");
    uint64_t indexBytes = 0;
    for (int i = 0; i < 8; ++i)
      indexBytes |= uint64_t{static_cast<uint8_t>(bytes[16 + i])} << (8 * i);
    CraftedCheckpoint out;
    out.header = bytes.substr(0, 24);
    out.index = nlohmann::json::parse(bytes.substr(24, indexBytes));
    out.data = bytes.substr(24 + indexBytes);
    return out;
  }

  // The index written as given (`indexText` replaces it when not empty).
  void write(const std::string& path, const std::string& indexText = {}) const {
    const std::string text = indexText.empty() ? index.dump() : indexText;
    std::string head = header.substr(0, 16);
    for (int i = 0; i < 8; ++i)
      head.push_back(static_cast<char>((uint64_t{text.size()} >> (8 * i)) & 0xFF));
    std::ofstream(path, std::ios::binary | std::ios::trunc) << head << text << data;
  }

  nlohmann::json& tensor(const std::string& name) {
    for (nlohmann::json& t : index["tensors"]) {
      if (t["name"] == name) return t;
    }
    throw std::runtime_error("no tensor " + name);
  }
  // The first tensor whose name starts with `prefix`.
  nlohmann::json& first(const std::string& prefix) {
    for (nlohmann::json& t : index["tensors"]) {
      if (t["name"].get<std::string>().rfind(prefix, 0) == 0) return t;
    }
    throw std::runtime_error("no tensor named " + prefix + "…");
  }
};

}  // namespace layerlab::test
