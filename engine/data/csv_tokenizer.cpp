#include "engine/data/csv_tokenizer.h"

#include <algorithm>
#include <array>

#include "engine/data/idx_reader.h"

namespace layerlab::engine {
namespace {

bool isBlank(char c) {
  return c == ' ' || c == '\t';
}

}  // namespace

CsvTokenizer::CsvTokenizer(std::string_view text, char delimiter, std::string name)
    : m_text(text), m_delimiter(delimiter), m_name(std::move(name)) {}

bool CsvTokenizer::atLineEnd() const {
  return !atEnd() && (m_text[m_pos] == '\n' || m_text[m_pos] == '\r');
}

void CsvTokenizer::consumeLineEnd() {
  if (m_text[m_pos] == '\r' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '\n') ++m_pos;
  ++m_pos;
  ++m_line;
}

// Spaces and tabs before a field, except the delimiter itself.
void CsvTokenizer::skipSpaces() {
  while (!atEnd() && isBlank(m_text[m_pos]) && m_text[m_pos] != m_delimiter)
    ++m_pos;
}

void CsvTokenizer::skipLines(int64_t count) {
  for (int64_t i = 0; i < count && !atEnd(); ++i) {
    while (!atEnd() && !atLineEnd())
      ++m_pos;
    if (!atEnd()) consumeLineEnd();
  }
}

void CsvTokenizer::fail(int64_t line, size_t column, const std::string& problem) const {
  throw DataError(m_name + ": line " + std::to_string(line) + ", column " +
                  std::to_string(column + 1) + ": " + problem);
}

void CsvTokenizer::readQuoted(CsvField& field, size_t column) {
  field.quoted = true;
  ++m_pos;  // the opening quote
  while (true) {
    if (atEnd()) {
      fail(field.line, column,
           "a quoted field is never closed (it runs to the end of the file); close the quote "
           "or write a quote inside a quoted field twice (\"\")");
    }
    const char c = m_text[m_pos];
    if (c == '"') {
      if (m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '"') {
        field.text += '"';
        m_pos += 2;
        continue;
      }
      ++m_pos;
      break;
    }
    if (c == '\r' || c == '\n') {
      consumeLineEnd();
      field.text += '\n';
    } else {
      field.text += c;
      ++m_pos;
    }
    if (field.text.size() > kMaxCsvFieldBytes) {
      fail(field.line, column,
           "a quoted field longer than 1 MiB; is a quote left open? (close it, or write a "
           "quote inside a quoted field twice)");
    }
  }
  skipSpaces();
  if (!atEnd() && !atLineEnd() && m_text[m_pos] != m_delimiter) {
    fail(m_line, column,
         "text after the closing quote; inside a quoted field write a quote twice (\"\")");
  }
}

void CsvTokenizer::readPlain(CsvField& field, size_t column) {
  const size_t start = m_pos;
  while (!atEnd() && !atLineEnd() && m_text[m_pos] != m_delimiter)
    ++m_pos;
  size_t end = m_pos;
  while (end > start && isBlank(m_text[end - 1]))
    --end;
  if (end - start > kMaxCsvFieldBytes) {
    fail(field.line, column,
         "a field longer than 1 MiB; is this a table? (or choose the delimiter explicitly)");
  }
  field.text.assign(m_text.substr(start, end - start));
}

bool CsvTokenizer::skipBlankLines() {
  while (true) {
    size_t probe = m_pos;
    while (probe < m_text.size() && isBlank(m_text[probe]))
      ++probe;
    if (probe >= m_text.size()) {
      m_pos = probe;
      return false;
    }
    if (m_text[probe] != '\n' && m_text[probe] != '\r') return true;
    m_pos = probe;
    consumeLineEnd();
  }
}

// After a field: true when the record goes on with another field.
bool CsvTokenizer::moreFields() {
  if (atEnd()) return false;
  if (atLineEnd()) {
    consumeLineEnd();
    return false;
  }
  ++m_pos;  // the delimiter
  if (m_delimiter != ' ') return true;
  // Aligned columns: a run of spaces is one delimiter, and trailing spaces end the line.
  while (!atEnd() && isBlank(m_text[m_pos]))
    ++m_pos;
  if (atEnd()) return false;
  if (atLineEnd()) {
    consumeLineEnd();
    return false;
  }
  return true;
}

bool CsvTokenizer::next(std::vector<CsvField>& fields) {
  fields.clear();
  if (!skipBlankLines()) return false;
  m_recordLine = m_line;
  do {
    CsvField& field = fields.emplace_back();
    if (fields.size() > kMaxCsvColumns) {
      fail(m_line, fields.size() - 1, "more than 1,048,576 fields in one row");
    }
    while (m_delimiter == ' ' && !atEnd() && m_text[m_pos] == ' ')
      ++m_pos;
    skipSpaces();
    field.line = m_line;
    if (!atEnd() && m_text[m_pos] == '"') {
      readQuoted(field, fields.size() - 1);
    } else {
      readPlain(field, fields.size() - 1);
    }
  } while (moreFields());
  return true;
}

char detectCsvDelimiter(std::string_view text, int64_t skipLines) {
  constexpr std::array<char, 3> kCandidates = {'\t', ';', ','};
  constexpr int kSampleRecords = 20;
  std::array<size_t, 3> firstCounts{};
  for (size_t i = 0; i < kCandidates.size(); ++i) {
    CsvTokenizer tokenizer(text, kCandidates[i], "");
    tokenizer.skipLines(skipLines);
    std::vector<CsvField> fields;
    std::vector<size_t> counts;
    try {
      while (counts.size() < kSampleRecords && tokenizer.next(fields))
        counts.push_back(fields.size());
    } catch (const DataError&) {
      // A broken field ends the sample; the records before it still vote.
    }
    if (counts.empty()) continue;
    firstCounts[i] = counts.front();
    const bool same = std::all_of(counts.begin(), counts.end(),
                                  [&](size_t count) { return count == counts.front(); });
    if (same && counts.front() >= 2) return kCandidates[i];
  }
  const auto best = std::max_element(firstCounts.rbegin(), firstCounts.rend());
  if (*best < 2) return ',';
  return kCandidates[static_cast<size_t>(firstCounts.rend() - best) - 1];
}

std::string quoteCell(std::string_view text) {
  constexpr size_t kShown = 40;
  size_t cut = std::min(text.size(), kShown);
  // Never cut a UTF-8 sequence in half.
  while (cut < text.size() && cut > 0 && (static_cast<uint8_t>(text[cut]) & 0xC0) == 0x80)
    --cut;
  std::string out = "'";
  for (size_t i = 0; i < cut; ++i) {
    const auto c = static_cast<uint8_t>(text[i]);
    out += c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c);
  }
  return out + (cut < text.size() ? "…'" : "'");
}

}  // namespace layerlab::engine
