// Text for the terminal: nothing read from a store, a document or a data file reaches it raw, so a
// crafted run or class name cannot move the cursor, retitle the window or hide output.
#include <cstdio>
#include <string>

#include "app/cli/commands.h"

namespace layerlab::cli {
namespace {

void appendEscaped(std::string& out, const char* format, unsigned value) {
  char escaped[12];
  std::snprintf(escaped, sizeof escaped, format, value);
  out += escaped;
}

std::string escapeControls(const std::string& text, bool keepLineBreaks) {
  std::string shown;
  shown.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const bool lineBreak = byte == '\n' || byte == '\t';
    if (lineBreak && keepLineBreaks) {
      shown += text[i];
    } else if (byte == '\n') {
      shown += "\\n";
    } else if (byte == '\t') {
      shown += "\\t";
    } else if (byte < 0x20 || byte == 0x7F) {
      appendEscaped(shown, "\\x%02x", byte);
    } else if (byte == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
      appendEscaped(shown, "\\u%04x", static_cast<unsigned char>(text[++i]));
    } else {
      shown += text[i];
    }
  }
  return shown;
}

}  // namespace

std::string displayText(const std::string& text) {
  return escapeControls(text, false);
}

std::string displayLines(const std::string& text) {
  return escapeControls(text, true);
}

std::string oneLineJson(const nlohmann::json& doc) {
  // ASCII only: JSON escapes C0 controls itself, and \u escapes keep C1 ones off the terminal.
  return doc.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
}

}  // namespace layerlab::cli
