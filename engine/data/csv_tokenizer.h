// Splits CSV text into records and fields (RFC 4180 with the usual liberties): fields may be
// quoted, a quote inside quotes is doubled, quoted fields may hold delimiters and line breaks;
// lines end in LF, CRLF or CR; blank lines are skipped; unquoted fields are trimmed. With a space
// as the delimiter, runs of spaces separate fields (aligned columns). Torch-free.
//
// Used by the CSV reader (csv_reader.h); separate so that the rules of the format can be tested
// on their own.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace layerlab::engine {

// A field longer than this is refused: it is almost always a quote that was never closed.
inline constexpr size_t kMaxCsvFieldBytes = size_t{1} << 20;
// More fields than this in one record are refused.
inline constexpr size_t kMaxCsvColumns = size_t{1} << 20;

struct CsvField {
  std::string text;  // unquoted, and trimmed unless it was quoted
  int64_t line = 0;  // the 1-based line where the field starts
  bool quoted = false;
};

class CsvTokenizer {
 public:
  // `name` stands for the file in messages. `text` must outlive the tokenizer.
  CsvTokenizer(std::string_view text, char delimiter, std::string name);

  // Skips `count` physical lines, quotes or not (a preamble before the table).
  void skipLines(int64_t count);

  // Reads the next record that is not blank into `fields`; false at the end of the text.
  // Throws DataError naming the line and column of a field that is never closed, has text after
  // its closing quote, or is longer than kMaxCsvFieldBytes.
  bool next(std::vector<CsvField>& fields);

  int64_t recordLine() const { return m_recordLine; }  // where the last record started
  size_t offset() const { return m_pos; }              // bytes consumed so far
  char delimiter() const { return m_delimiter; }

 private:
  bool atEnd() const { return m_pos >= m_text.size(); }
  bool atLineEnd() const;
  void consumeLineEnd();
  void skipSpaces();
  bool skipBlankLines();  // false at the end of the text
  bool moreFields();
  void readQuoted(CsvField& field, size_t column);
  void readPlain(CsvField& field, size_t column);
  [[noreturn]] void fail(int64_t line, size_t column, const std::string& problem) const;

  std::string_view m_text;
  char m_delimiter;
  std::string m_name;
  size_t m_pos = 0;
  int64_t m_line = 1;
  int64_t m_recordLine = 0;
};

// The delimiter of `text` among tab, ';' and ',' (in that order of preference): the first that
// splits the first records (after `skipLines`) into the same number of fields, at least two.
// When none does, the one giving the most fields on the first record; ',' for a single column.
char detectCsvDelimiter(std::string_view text, int64_t skipLines);

// "'abc'" for messages: at most 40 characters, control bytes shown as '?'.
std::string quoteCell(std::string_view text);

}  // namespace layerlab::engine
