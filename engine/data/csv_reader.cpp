#include "engine/data/csv_reader.h"

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

#include "engine/data/content_hash.h"
#include "engine/data/csv_tokenizer.h"
#include "engine/model/memory_budget.h"
#include "engine/model/model_summary.h"

namespace layerlab::engine {
namespace {

constexpr size_t kProgressEveryBytes = 64 * 1024;
constexpr int kHeaderSampleRecords = 20;

// The text a table may have once inflated: it is held whole while it is parsed, next to its
// values as float32, so a gzip bomb (a few megabytes inflating to gigabytes) stops here.
int64_t csvTextCap() {
  return std::min(kMaxCsvTextBytes, dataBudgetBytes() / 2);
}

// Inflates in chunks and stops one chunk past the cap: a file of any size costs at most the cap.
std::string readWholeFile(const std::string& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw DataError(path + ": cannot open the file (does it exist?)");
  const int64_t cap = csvTextCap();
  std::string text;
  char buffer[1 << 16];
  // Room for the cap at once (address space only until written): growing by doubling would copy
  // the text and, near the cap, hold twice of it.
  text.reserve(static_cast<size_t>(cap) + sizeof buffer);
  int n = 0;
  while ((n = gzread(file, buffer, sizeof buffer)) > 0) {
    text.append(buffer, static_cast<size_t>(n));
    if (static_cast<int64_t>(text.size()) > cap) {
      const bool gzipped = gzdirect(file) == 0;
      gzclose(file);
      throw DataError(
          path + ": the table's text is more than " + formatBytes(cap) +
          (gzipped ? " once inflated" : "") + ", the most LayerLab reads from one CSV file (" +
          formatBytes(kMaxCsvTextBytes) + ", or half of the data budget); use a smaller file");
    }
  }
  int errnum = 0;
  gzerror(file, &errnum);
  gzclose(file);
  if (n < 0 || (errnum != Z_OK && errnum != Z_STREAM_END)) {
    throw DataError(path + ": cannot read the file (a damaged gzip stream?)");
  }
  return text;
}

std::string_view withoutByteOrderMark(std::string_view text, const std::string& name) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") return text.substr(3);
  if (text.substr(0, 2) == "\xFF\xFE" || text.substr(0, 2) == "\xFE\xFF") {
    throw DataError(name + ": the file is UTF-16 text; save it as UTF-8 (or plain ASCII) CSV");
  }
  return text;
}

std::string headerName(const CsvField& field, size_t column) {
  std::string name = field.text;
  // Some exports quote names with apostrophes ('age'); the quotes are not part of the name.
  if (!field.quoted && name.size() >= 2 && name.front() == '\'' && name.back() == '\'') {
    name = name.substr(1, name.size() - 2);
  }
  return name.empty() ? "column " + std::to_string(column + 1) : name;
}

std::string formatClassValue(double value) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

using Record = std::pair<int64_t, std::vector<CsvField>>;  // (line, fields)

// One pass over the records: the header, then every row into the table.
class CsvTableReader {
 public:
  CsvTableReader(std::string_view text, std::string name, const CsvReadConfig& config)
      : m_name(std::move(name)),
        m_config(config),
        m_options(config.options),
        m_text(text),
        m_tokenizer(text, chooseDelimiter(text), m_name) {}

  CsvTable read() {
    m_table.delimiter = m_tokenizer.delimiter();
    m_tokenizer.skipLines(m_options.skipRows);
    std::vector<Record> pending = readSample();
    if (pending.empty()) failEmpty();
    m_table.hasHeader = decideHeader(pending);
    if (m_table.hasHeader) {
      m_names.clear();
      for (size_t i = 0; i < pending.front().second.size(); ++i)
        m_names.push_back(headerName(pending.front().second[i], i));
      pending.erase(pending.begin());
    }
    planColumns(m_headerWidth);
    for (const Record& record : pending)
      addRow(record.first, record.second);
    std::vector<CsvField> fields;
    while (!m_table.cancelled && m_tokenizer.next(fields)) {
      addRow(m_tokenizer.recordLine(), fields);
      reportProgress();
    }
    finish();
    return std::move(m_table);
  }

 private:
  char chooseDelimiter(std::string_view text) const {
    if (m_options.delimiter != "auto" && m_options.delimiter.size() == 1) {
      return m_options.delimiter[0];
    }
    return detectCsvDelimiter(text, m_options.skipRows);
  }

  [[noreturn]] void fail(int64_t line, size_t column, const std::string& problem) const {
    throw DataError(m_name + ": line " + std::to_string(line) + ", " + describeColumn(column) +
                    ": " + problem);
  }

  std::string describeColumn(size_t column) const {
    std::string text = "column " + std::to_string(column + 1);
    if (m_table.hasHeader && column < m_names.size()) text += " " + quoteCell(m_names[column]);
    return text;
  }

  std::vector<Record> readSample() {
    std::vector<Record> sample;
    std::vector<CsvField> fields;
    const int wanted = m_options.header == "auto" ? kHeaderSampleRecords + 1 : 1;
    while (static_cast<int>(sample.size()) < wanted && m_tokenizer.next(fields))
      sample.emplace_back(m_tokenizer.recordLine(), fields);
    return sample;
  }

  [[noreturn]] void failEmpty() const {
    if (m_text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
      throw DataError(m_name + ": the file is empty; a table needs a row per sample");
    }
    throw DataError(m_name + ": nothing left after skipping " + std::to_string(m_options.skipRows) +
                    " line(s); lower csv.skip_rows");
  }

  // A first row is a header when one of its cells is text in a column whose other sampled
  // cells are numbers, or when it is the only row and holds any text.
  bool decideHeader(const std::vector<Record>& sample) {
    const std::vector<CsvField>& first = sample.front().second;
    m_headerWidth = first.size();
    if (m_options.header != "auto") return m_options.header == "yes";
    double ignored = 0;
    const auto isText = [&](const std::string& cell) {
      return !isMissingCell(cell) && !parseNumberCell(cell, decimalComma(), ignored);
    };
    for (size_t column = 0; column < first.size(); ++column) {
      if (!isText(first[column].text)) continue;
      if (sample.size() == 1) return true;
      bool numbersBelow = false, textBelow = false;
      for (size_t row = 1; row < sample.size(); ++row) {
        const std::vector<CsvField>& fields = sample[row].second;
        if (column >= fields.size()) continue;
        if (isText(fields[column].text)) {
          textBelow = true;
        } else if (!isMissingCell(fields[column].text)) {
          numbersBelow = true;
        }
      }
      if (numbersBelow && !textBelow) return true;
    }
    return false;
  }

  bool decimalComma() const { return m_tokenizer.delimiter() != ','; }

  size_t resolve(const ColumnRef& column, size_t count, const char* role) const {
    if (const auto* index = std::get_if<int64_t>(&column)) {
      const int64_t resolved = *index < 0 ? static_cast<int64_t>(count) + *index : *index;
      if (resolved < 0 || resolved >= static_cast<int64_t>(count)) {
        throw DataError(m_name + ": there is no " + role + " column " + std::to_string(*index) +
                        ": the table has " + std::to_string(count) + " columns (0 to " +
                        std::to_string(count - 1) + ", or -1 for the last)");
      }
      return static_cast<size_t>(resolved);
    }
    const std::string& name = std::get<std::string>(column);
    if (!m_table.hasHeader) {
      throw DataError(m_name + ": the " + role + " column is named " + quoteCell(name) +
                      " but the file has no header line; give the column's index instead, or "
                      "set csv.header to yes");
    }
    const auto matches = std::count(m_names.begin(), m_names.end(), name);
    if (matches != 1) {
      std::string list;
      for (size_t i = 0; i < m_names.size() && i < 12; ++i)
        list += (i == 0 ? "" : ", ") + quoteCell(m_names[i]);
      if (m_names.size() > 12) list += ", …";
      throw DataError(m_name + ": " +
                      (matches == 0 ? "no column is named " + quoteCell(name) +
                                          " (the header has: " + list + ")"
                                    : std::to_string(matches) + " columns are named " +
                                          quoteCell(name) + "; give the column's index instead"));
    }
    return static_cast<size_t>(std::find(m_names.begin(), m_names.end(), name) - m_names.begin());
  }

  void planColumns(size_t count) {
    if (!m_table.hasHeader) {
      m_names.clear();
      for (size_t i = 0; i < count; ++i)
        m_names.push_back("column " + std::to_string(i + 1));
    }
    m_columns = m_names.size();
    m_table.columnNames = m_names;
    m_label = resolve(m_options.label, m_columns, "label");
    m_ignored.assign(m_columns, false);
    for (const ColumnRef& column : m_options.ignore)
      m_ignored[resolve(column, m_columns, "ignored")] = true;
    if (m_ignored[m_label]) throw DataError(m_name + ": the label column is also ignored");
    for (size_t i = 0; i < m_columns; ++i) {
      if (i != m_label && !m_ignored[i]) m_table.featureNames.push_back(m_names[i]);
    }
    m_table.labelName = m_names[m_label];
    if (m_table.featureNames.empty()) {
      throw DataError(m_name + ": no feature columns: besides the label " +
                      quoteCell(m_table.labelName) +
                      " the table needs at least one numeric column (is the delimiter right?)");
    }
    warnAboutDuplicateNames();
  }

  void warnAboutDuplicateNames() {
    std::map<std::string, int> seen;
    for (const std::string& name : m_names) {
      if (++seen[name] == 2 && m_table.hasHeader) {
        m_table.warnings.push_back(m_name + ": more than one column is named " + quoteCell(name));
      }
    }
  }

  [[noreturn]] void failRagged(int64_t line, size_t got) const {
    const size_t column = std::min(got, m_columns);
    const std::string expected = std::to_string(m_columns) +
                                 (m_table.hasHeader ? " (as the header)" : " (as the first row)");
    fail(line, column,
         "the row has " + std::to_string(got) + " fields, expected " + expected +
             "; quote values that contain the delimiter '" +
             (m_tokenizer.delimiter() == '\t' ? std::string("tab")
                                              : std::string(1, m_tokenizer.delimiter())) +
             "', or fix the row");
  }

  void failMissing(int64_t line, size_t column, const std::string& cell) const {
    fail(line, column,
         "missing value " + quoteCell(cell) +
             "; fill it in, or choose what to do with missing values (csv.missing: drop the "
             "row, or mean for features)");
  }

  void addRow(int64_t line, const std::vector<CsvField>& fields) {
    if (fields.size() != m_columns) failRagged(line, fields.size());
    m_rowValues.clear();
    bool dropRow = false;
    for (size_t column = 0; column < m_columns; ++column) {
      if (m_ignored[column] || column == m_label) continue;
      const std::string& cell = fields[column].text;
      double value = 0;
      if (isMissingCell(cell)) {
        if (m_options.missing == "error") failMissing(line, column, cell);
        dropRow = dropRow || m_options.missing == "drop";
        value = std::numeric_limits<double>::quiet_NaN();
        ++m_missingFeatures;
      } else if (!parseNumberCell(cell, decimalComma(), value)) {
        fail(line, column,
             quoteCell(cell) +
                 " is not a number; every column but the label must be numeric (list text "
                 "columns in csv.ignore, or fix the cell)");
      }
      m_rowValues.push_back(static_cast<float>(value));
    }
    const std::string& label = fields[m_label].text;
    if (isMissingCell(label)) {
      if (m_options.missing == "error") failMissing(line, m_label, label);
      dropRow = true;
    }
    if (dropRow) {
      if (m_droppedRows++ == 0) m_firstDroppedLine = line;
      return;
    }
    addLabel(line, label);
    m_table.features.insert(m_table.features.end(), m_rowValues.begin(), m_rowValues.end());
    ++m_table.rows;
  }

  void addLabel(int64_t line, const std::string& label) {
    double value = 0;
    if (parseNumberCell(label, decimalComma(), value)) {
      m_labelValues.push_back(value);
    } else {
      m_labelValues.push_back(std::numeric_limits<double>::quiet_NaN());
      if (m_firstTextLabelLine == 0) {
        m_firstTextLabelLine = line;
        m_firstTextLabel = label;
      }
    }
    m_labelTexts.push_back(label);
  }

  void reportProgress() {
    if (!m_config.progress || m_tokenizer.offset() < m_nextProgress) return;
    m_nextProgress = m_tokenizer.offset() + kProgressEveryBytes;
    const auto total = static_cast<int64_t>(m_text.size());
    if (!m_config.progress(static_cast<int64_t>(m_tokenizer.offset()), total)) {
      m_table.cancelled = true;
    }
  }

  void finish() {
    if (m_table.cancelled) return;
    if (m_config.progress) {
      const auto total = static_cast<int64_t>(m_text.size());
      m_table.cancelled = !m_config.progress(total, total);
    }
    if (m_table.rows == 0) {
      if (m_droppedRows > 0) {
        throw DataError(m_name + ": every row has a missing value, so dropping them left nothing");
      }
      throw DataError(m_name + ": the file has a header line but no data rows");
    }
    chooseTask();
    if (m_droppedRows > 0) {
      m_table.warnings.push_back(m_name + ": dropped " + std::to_string(m_droppedRows) +
                                 " row(s) with missing values (the first at line " +
                                 std::to_string(m_firstDroppedLine) + ")");
    }
    if (m_missingFeatures > 0 && m_options.missing == "mean") {
      m_table.warnings.push_back(m_name + ": " + std::to_string(m_missingFeatures) +
                                 " missing value(s) take their column's mean");
    }
    m_labelTexts.clear();
    m_labelValues.clear();
  }

  void chooseTask() {
    const bool numeric = m_firstTextLabelLine == 0;
    std::string task = m_options.task;
    if (task == "auto") task = !numeric || fewIntegers() ? "classification" : "regression";
    if (task == "regression" && !numeric) {
      fail(m_firstTextLabelLine, m_label,
           quoteCell(m_firstTextLabel) +
               " is not a number, but the task is regression (a regression target must be "
               "numeric; choose classification for text labels)");
    }
    m_table.task = task;
    if (task == "regression") {
      m_table.targets.assign(m_labelValues.begin(), m_labelValues.end());
    } else if (numeric) {
      numericClasses();
    } else {
      textClasses();
    }
    const auto classes = static_cast<int64_t>(m_table.classNames.size());
    if (task == "classification" && classes > 50 && classes * 2 > m_table.rows) {
      m_table.warnings.push_back(m_name + ": the label column " + quoteCell(m_table.labelName) +
                                 " has " + std::to_string(classes) + " different values in " +
                                 std::to_string(m_table.rows) + " rows; is it the right column?");
    }
  }

  bool fewIntegers() const {
    std::map<double, int> distinct;
    for (double value : m_labelValues) {
      if (value != std::floor(value)) return false;
      distinct[value] = 0;
      if (static_cast<int64_t>(distinct.size()) > kMaxAutoClasses) return false;
    }
    return true;
  }

  void numericClasses() {
    std::map<double, int64_t> index;
    for (double value : m_labelValues)
      index[value] = 0;
    for (auto& [value, position] : index) {
      position = static_cast<int64_t>(m_table.classNames.size());
      m_table.classNames.push_back(formatClassValue(value));
    }
    for (double value : m_labelValues)
      m_table.classes.push_back(index[value]);
  }

  void textClasses() {
    std::unordered_map<std::string, int64_t> index;
    for (const std::string& text : m_labelTexts) {
      const auto [it, added] = index.emplace(text, static_cast<int64_t>(index.size()));
      if (added) m_table.classNames.push_back(text);
      m_table.classes.push_back(it->second);
    }
  }

  std::string m_name;
  const CsvReadConfig& m_config;
  const CsvOptions& m_options;
  std::string_view m_text;
  CsvTokenizer m_tokenizer;
  CsvTable m_table;
  std::vector<std::string> m_names;
  size_t m_headerWidth = 0;
  size_t m_columns = 0;
  size_t m_label = 0;
  std::vector<bool> m_ignored;
  std::vector<float> m_rowValues;
  std::vector<std::string> m_labelTexts;
  std::vector<double> m_labelValues;  // NaN where the label is text
  int64_t m_firstTextLabelLine = 0;
  std::string m_firstTextLabel;
  int64_t m_droppedRows = 0;
  int64_t m_firstDroppedLine = 0;
  int64_t m_missingFeatures = 0;
  size_t m_nextProgress = 0;
};

}  // namespace

bool isMissingCell(std::string_view cell) {
  if (cell.size() > 4) return false;
  std::string lower;
  for (char c : cell)
    lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return lower.empty() || lower == "na" || lower == "n/a" || lower == "nan" || lower == "null" ||
         lower == "none" || lower == "?";
}

bool parseNumberCell(std::string_view cell, bool decimalComma, double& value) {
  while (!cell.empty() && (cell.front() == ' ' || cell.front() == '\t'))
    cell.remove_prefix(1);
  while (!cell.empty() && (cell.back() == ' ' || cell.back() == '\t'))
    cell.remove_suffix(1);
  if (!cell.empty() && cell.front() == '+') {
    cell.remove_prefix(1);
    if (!cell.empty() && (cell.front() == '-' || cell.front() == '+')) return false;
  }
  if (cell.empty()) return false;
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (error == std::errc() && end == cell.data() + cell.size()) {
    return std::isfinite(value) && std::abs(value) <= std::numeric_limits<float>::max();
  }
  const size_t comma = cell.find(',');
  if (!decimalComma || comma == std::string_view::npos ||
      cell.find('.') != std::string_view::npos ||
      cell.find(',', comma + 1) != std::string_view::npos) {
    return false;
  }
  std::string withDot(cell);
  withDot[comma] = '.';
  return parseNumberCell(withDot, false, value);
}

CsvTable parseCsv(std::string_view text, const std::string& name, const CsvReadConfig& config) {
  ContentHash hash;
  hash.add(text.data(), text.size());
  CsvTableReader reader(withoutByteOrderMark(text, name), name, config);
  CsvTable table = reader.read();
  table.contentHash = hash.hex();
  return table;
}

CsvTable readCsv(const std::string& path, const CsvReadConfig& config) {
  const std::string text = readWholeFile(path);
  return parseCsv(text, path, config);
}

namespace {

ColumnRef byName(const CsvTable& table, const ColumnRef& column) {
  const auto count = static_cast<int64_t>(table.columnNames.size());
  const auto* index = std::get_if<int64_t>(&column);
  if (!table.hasHeader || index == nullptr) return column;
  const int64_t at = *index < 0 ? count + *index : *index;
  if (at < 0 || at >= count) return column;  // the reader names the problem
  const std::string& name = table.columnNames[static_cast<size_t>(at)];
  const bool unique = std::count(table.columnNames.begin(), table.columnNames.end(), name) == 1;
  return unique ? ColumnRef(name) : column;
}

}  // namespace

CsvOptions columnsByName(const CsvTable& table, const CsvOptions& options) {
  CsvOptions named = options;
  named.label = byName(table, options.label);
  for (ColumnRef& column : named.ignore)
    column = byName(table, column);
  return named;
}

CsvOptions columnsByName(const std::string& path, const CsvOptions& options) {
  CsvReadConfig config;
  config.options = options;
  // The header and the columns are known before the first progress report: stop there.
  config.progress = [](int64_t, int64_t) { return false; };
  try {
    return columnsByName(readCsv(path, config), options);
  } catch (const DataError&) {
    return options;
  }
}

}  // namespace layerlab::engine
