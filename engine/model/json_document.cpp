#include "engine/model/json_document.h"

#include <fstream>
#include <stdexcept>

#include "engine/model/model_summary.h"

namespace layerlab::engine {
namespace {

// The offset of the first bracket that opens level maxDepth + 1, or npos. Brackets inside strings
// do not count. Malformed text needs no care here: the parser reports it, and the nesting it
// would build can only be shallower than the brackets counted.
size_t tooDeepAt(std::string_view text, int maxDepth) {
  int depth = 0;
  bool inString = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (inString) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        inString = false;
      }
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > maxDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::string describeTextOffset(std::string_view text, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

JsonParseOutcome parseJsonBounded(std::string_view text, const JsonLimits& limits) {
  JsonParseOutcome out;
  if (text.size() > limits.maxBytes) {
    out.error = "the document is " + formatBytes(static_cast<int64_t>(text.size())) +
                ", more than the " + formatBytes(static_cast<int64_t>(limits.maxBytes)) +
                " a LayerLab document may have; is it the right file?";
    return out;
  }
  if (const size_t at = tooDeepAt(text, limits.maxDepth); at != std::string_view::npos) {
    out.error = "the JSON nests deeper than " + std::to_string(limits.maxDepth) + " levels (at " +
                describeTextOffset(text, at) +
                "); LayerLab documents need a few levels: is it the right file?";
    return out;
  }
  try {
    out.value = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& error) {
    out.value = nullptr;
    out.error =
        "not valid JSON at " + describeTextOffset(text, error.byte > 0 ? error.byte - 1 : 0);
  } catch (const nlohmann::json::exception& error) {
    // Valid syntax nlohmann cannot hold, such as a number beyond double's range.
    out.value = nullptr;
    out.error = std::string("not usable JSON: ") + error.what();
  }
  return out;
}

nlohmann::json parseJsonDocument(std::string_view text, const std::string& name,
                                 const JsonLimits& limits) {
  JsonParseOutcome parsed = parseJsonBounded(text, limits);
  if (!parsed.ok()) throw std::invalid_argument(name + ": " + parsed.error);
  return std::move(parsed.value);
}

std::string readDocumentFile(const std::string& path, size_t maxBytes) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw std::invalid_argument(path +
                                ": cannot open the file (does it exist, and may it be read?)");
  }
  // Read in chunks, stopping one byte past the limit: a file of any size (or a pipe that never
  // ends) costs at most the limit.
  std::string text;
  char chunk[1 << 16];
  while (text.size() <= maxBytes && file.read(chunk, sizeof chunk).gcount() > 0)
    text.append(chunk, static_cast<size_t>(file.gcount()));
  if (text.size() > maxBytes) {
    throw std::invalid_argument(path + ": larger than the " +
                                formatBytes(static_cast<int64_t>(maxBytes)) +
                                " a LayerLab document may have; is it the right file?");
  }
  return text;
}

}  // namespace layerlab::engine
