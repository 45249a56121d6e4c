// The one way LayerLab parses JSON that came from outside the process: model documents, training
// configs, dataset specs and the documents stored with runs, read from a file or from a store.
// A document may be written by anyone, so its size and its nesting are bounded before nlohmann
// builds a value: copying, printing or destroying a value recurses once per level, and a few
// hundred thousand levels overflow the stack.
//
// Plain data, no torch: the GUI includes this header. Pure functions: any thread.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace layerlab::engine {

// LayerLab's own documents nest a handful of levels (model, nodes, node, a kernel list) and
// weigh kilobytes; these limits leave room for generous editor data and refuse everything else.
inline constexpr size_t kMaxJsonDocumentBytes = size_t{16} << 20;
inline constexpr int kMaxJsonDepth = 64;

struct JsonLimits {
  size_t maxBytes = kMaxJsonDocumentBytes;
  int maxDepth = kMaxJsonDepth;
};

struct JsonParseOutcome {
  nlohmann::json value;
  // Empty on success; otherwise what is wrong and where ("nested deeper than 64 levels at line
  // 1, column 65"), without the document's name: callers put it in front.
  std::string error;

  bool ok() const { return error.empty(); }
};

// Parses `text` within `limits`. Never throws for any input.
JsonParseOutcome parseJsonBounded(std::string_view text, const JsonLimits& limits = {});

// The same, throwing std::invalid_argument("<name>: <error>") when the text is refused.
nlohmann::json parseJsonDocument(std::string_view text, const std::string& name,
                                 const JsonLimits& limits = {});

// Reads a document file of at most `maxBytes` without reading further than that. Throws
// std::invalid_argument naming `path` when it cannot be opened or is larger.
std::string readDocumentFile(const std::string& path, size_t maxBytes = kMaxJsonDocumentBytes);

// "line 3, column 14" for a byte offset into `text` (counted from 0).
std::string describeTextOffset(std::string_view text, size_t offset);

}  // namespace layerlab::engine
