// The CSV reader on the committed corpus (tests/data/csv/good and bad), on the tokenizer's rules
// and on progress and cancellation.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <set>

#include "engine/data/csv_reader.h"
#include "engine/data/csv_tokenizer.h"

namespace layerlab::engine {
namespace {

std::string csvPath(const std::string& name) {
  return std::string(LAYERLAB_SOURCE_DIR) + "/tests/data/csv/" + name;
}

CsvOptions options(const std::string& json) {
  DatasetSpec spec =
      datasetSpecFromJson(nlohmann::json::parse(R"({"format": "layerlab.dataset", "source": "csv",
                                                     "path": "x", "csv": )" +
                                                json + "}"));
  return spec.csv;
}

std::string errorOf(const std::string& path, const CsvOptions& csv) {
  try {
    readCsv(path, {csv, {}});
  } catch (const DataError& error) {
    return error.what();
  }
  return "no error";
}

struct GoodCsv {
  const char* file;
  const char* options;
  int64_t rows;
  std::vector<std::string> features;
  std::vector<std::string> classes;  // empty: regression
  std::vector<float> firstRow;
  char delimiter;
  bool header;
};

TEST(CsvReader, ReadsEveryGoodFile) {
  const std::vector<GoodCsv> cases = {
      {"header_comma.csv",
       "{}",
       5,
       {"sepal_length", "sepal_width"},
       {"setosa", "versicolor", "virginica"},
       {5.1F, 3.5F},
       ',',
       true},
      {"no_header.csv", "{}", 4, {"column 1", "column 2"}, {"0", "1"}, {1, 2}, ',', false},
      {"semicolon_decimal_comma.csv",
       "{}",
       3,
       {"länge", "breite"},
       {"a", "b"},
       {1.5F, 2.25F},
       ';',
       true},
      {"tab.tsv", "{}", 3, {"x", "y"}, {"cat", "dog"}, {1, 10}, '\t', true},
      {"quoted.csv",
       "{}",
       4,
       {"a", "b, with comma"},
       {"Smith, \"Jr\"", "plain", "two\nlines"},
       {1.5F, 2},
       ',',
       true},
      {"bom_crlf.csv", "{}", 3, {"a", "b"}, {"x", "y"}, {1, 2}, ',', true},
      {"regression.csv", "{}", 22, {"rooms", "age"}, {}, {3, 10}, ',', true},
      {"regression.csv",
       R"({"label": "rooms", "ignore": [1]})",
       22,
       {"price"},
       {"1", "2", "3", "4", "5", "6", "7"},
       {250.5F},
       ',',
       true},
      {"skip_rows.csv",
       R"({"skip_rows": 1})",
       4,
       {"column 1", "column 2"},
       {"0", "1"},
       {1, 2},
       ',',
       false},
      {"header_comma.csv",
       R"({"label": 0, "header": "yes", "delimiter": ","})",
       5,
       {"sepal_width", "species"},
       {},
       {},
       ',',
       true},
  };
  for (const GoodCsv& c : cases) {
    SCOPED_TRACE(std::string(c.file) + " " + c.options);
    const CsvOptions csv = options(c.options);
    if (c.firstRow.empty()) {  // the text column 'species' is not a feature: refused
      EXPECT_NE(
          errorOf(csvPath(std::string("good/") + c.file), csv).find("'setosa' is not a number"),
          std::string::npos);
      continue;
    }
    const CsvTable table = readCsv(csvPath(std::string("good/") + c.file), {csv, {}});
    EXPECT_EQ(table.rows, c.rows);
    EXPECT_EQ(table.featureNames, c.features);
    EXPECT_EQ(table.classNames, c.classes);
    EXPECT_EQ(table.task, c.classes.empty() ? "regression" : "classification");
    EXPECT_EQ(table.delimiter, c.delimiter);
    EXPECT_EQ(table.hasHeader, c.header);
    ASSERT_EQ(table.features.size(), static_cast<size_t>(c.rows) * c.features.size());
    for (size_t i = 0; i < c.firstRow.size(); ++i)
      EXPECT_FLOAT_EQ(table.features[i], c.firstRow[i]) << "feature " << i;
    EXPECT_EQ(table.classes.size() + table.targets.size(), static_cast<size_t>(c.rows));
    EXPECT_TRUE(table.warnings.empty()) << table.warnings.front();
  }
}

TEST(CsvReader, KeepsLabelsAndTargetsInFileOrder) {
  const CsvTable text = readCsv(csvPath("good/header_comma.csv"));
  EXPECT_EQ(text.classes, (std::vector<int64_t>{0, 1, 0, 2, 1}));
  const CsvTable quoted = readCsv(csvPath("good/quoted.csv"));
  EXPECT_EQ(quoted.classes, (std::vector<int64_t>{0, 1, 0, 2}));
  EXPECT_FLOAT_EQ(quoted.features[3], 4.0F);  // " 4 " quoted: spaces around a number are fine
  const CsvTable regression = readCsv(csvPath("good/regression.csv"));
  ASSERT_EQ(regression.targets.size(), 22U);
  EXPECT_FLOAT_EQ(regression.targets[1], 310.25F);
  // Numeric classes are ordered by value, not by first appearance.
  const CsvTable numeric = readCsv(csvPath("good/no_header.csv"));
  EXPECT_EQ(numeric.classes, (std::vector<int64_t>{0, 1, 1, 0}));
}

TEST(CsvReader, TaskFollowsTheLabelsOrTheOption) {
  const std::string path = csvPath("good/no_header.csv");
  EXPECT_EQ(readCsv(path, {options(R"({"task": "regression"})"), {}}).task, "regression");
  EXPECT_EQ(readCsv(path, {options(R"({"task": "classification", "label": 1})"), {}}).classNames,
            (std::vector<std::string>{"2", "4", "6", "8"}));
  // More than kMaxAutoClasses distinct integers: a regression.
  std::string many = "x,y\n";
  for (int i = 0; i <= kMaxAutoClasses; ++i)
    many += std::to_string(i) + "," + std::to_string(i * 3) + "\n";
  EXPECT_EQ(parseCsv(many, "many.csv").task, "regression");
  EXPECT_EQ(parseCsv("x,y\n1,2\n3,4\n", "few.csv").task, "classification");
}

TEST(CsvReader, MissingValuesFollowThePolicy) {
  const std::string path = csvPath("good/missing.csv");
  EXPECT_NE(errorOf(path, options("{}")).find("line 2, column 2 'b': missing value ''"),
            std::string::npos);
  const CsvTable dropped = readCsv(path, {options(R"({"missing": "drop"})"), {}});
  EXPECT_EQ(dropped.rows, 2);  // rows 2, 4 and 5 lack a feature or the label
  EXPECT_EQ(dropped.features, (std::vector<float>{2, 20, 5, 50}));
  ASSERT_EQ(dropped.warnings.size(), 1U);
  EXPECT_NE(dropped.warnings[0].find("dropped 3 row(s)"), std::string::npos);
  const CsvTable filled = readCsv(path, {options(R"({"missing": "mean"})"), {}});
  EXPECT_EQ(filled.rows, 4);  // only the row without a label goes
  EXPECT_TRUE(std::isnan(filled.features[1]));
  EXPECT_TRUE(std::isnan(filled.features[4]));
  EXPECT_EQ(filled.classNames, (std::vector<std::string>{"x", "y"}));
}

struct BadCsv {
  const char* file;
  const char* options;
  const char* message;  // must appear after "<path>: "
};

TEST(CsvReader, EveryBadFileGivesAClearMessage) {
  const std::vector<BadCsv> cases = {
      {"ragged_short.csv", "{}", "line 4, column 3 'label': the row has 2 fields, expected 3"},
      {"ragged_long.csv", "{}", "line 3, column 4: the row has 4 fields, expected 3"},
      {"ragged_crlf.csv", "{}", "line 4, column 3 'label': the row has 2 fields"},
      {"text_in_number.csv", "{}", "line 5, column 2 'b': 'abc' is not a number"},
      {"text_after_quotes.csv", "{}", "line 2, column 2: text after the closing quote"},
      {"unclosed_quote.csv", "{}", "line 3, column 2: a quoted field is never closed"},
      {"quoted_newline_then_text.csv", "{}", "line 5, column 2 'b': 'six' is not a number"},
      {"empty.csv", "{}", "the file is empty"},
      {"blank_lines_only.csv", "{}", "the file is empty"},
      {"only_header.csv", "{}", "header line but no data rows"},
      {"bom_only_header.csv", "{}", "header line but no data rows"},
      {"bom_text_in_number.csv", "{}", "line 2, column 2 'b': 'x' is not a number"},
      {"missing_value.csv", "{}", "line 4, column 1 'a': missing value 'NA'"},
      {"missing_label.csv", "{}", "line 3, column 3 'label': missing value ''"},
      {"utf16.csv", "{}", "UTF-16"},
      {"infinite_number.csv", "{}", "line 3, column 1 'a': '1e999' is not a number"},
      {"single_column.csv", "{}", "no feature columns"},
      {"binary.csv", "{}", "line 1, column "},
      {"regression_text_label.csv", R"({"task": "regression"})",
       "line 3, column 3 'price': 'cheap' is not a number, but the task is regression"},
      {"unknown_label_name.csv", R"({"label": "nope"})", "no column is named 'nope'"},
      {"label_index_out_of_range.csv", R"({"label": 7})", "there is no label column 7"},
      {"all_rows_missing.csv", R"({"missing": "drop"})", "every row has a missing value"},
      {"named_label_without_header.csv", R"({"label": "c"})", "the file has no header line"},
      {"huge_field.csv.gz", "{}", "line 2, column 2: a field longer than 1 MiB"},
      {"huge_unclosed_quote.csv.gz", "{}", "line 2, column 2: a quoted field longer than 1 MiB"},
  };
  std::set<std::string> covered;
  for (const BadCsv& c : cases) {
    SCOPED_TRACE(c.file);
    covered.insert(c.file);
    const std::string path = csvPath(std::string("bad/") + c.file);
    const std::string message = errorOf(path, options(c.options));
    EXPECT_EQ(message.rfind(path + ": ", 0), 0U) << message;
    EXPECT_NE(message.find(c.message), std::string::npos) << message;
  }
  for (const auto& entry : std::filesystem::directory_iterator(csvPath("bad"))) {
    EXPECT_EQ(covered.count(entry.path().filename().string()), 1U)
        << entry.path() << " has no expected message in this table";
  }
}

TEST(CsvTokenizer, FollowsTheQuotingAndLineRules) {
  struct Case {
    const char* text;
    char delimiter;
    std::vector<std::vector<std::string>> records;
    std::vector<int64_t> lines;
  };
  const std::vector<Case> cases = {
      {"a,b\rc,d\r", ',', {{"a", "b"}, {"c", "d"}}, {1, 2}},
      {"\"x\r\ny\",1\n\n  \nz,2", ',', {{"x\ny", "1"}, {"z", "2"}}, {1, 5}},
      {" a , \"b \" ,\n", ',', {{"a", "b ", ""}}, {1}},
      {"1   2 3\n  4 5   6  \n", ' ', {{"1", "2", "3"}, {"4", "5", "6"}}, {1, 2}},
      {"a\t\tb\n", '\t', {{"a", "", "b"}}, {1}},
      {"\"\"\"\",\"\"", ',', {{"\"", ""}}, {1}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    CsvTokenizer tokenizer(c.text, c.delimiter, "t.csv");
    std::vector<CsvField> fields;
    for (size_t r = 0; r < c.records.size(); ++r) {
      ASSERT_TRUE(tokenizer.next(fields));
      std::vector<std::string> texts;
      for (const CsvField& field : fields)
        texts.push_back(field.text);
      EXPECT_EQ(texts, c.records[r]);
      EXPECT_EQ(tokenizer.recordLine(), c.lines[r]);
    }
    EXPECT_FALSE(tokenizer.next(fields));
  }
}

TEST(CsvTokenizer, DetectsTheDelimiter) {
  EXPECT_EQ(detectCsvDelimiter("a,b,c\n1,2,3\n", 0), ',');
  EXPECT_EQ(detectCsvDelimiter("a;b\n1,5;2,5\n", 0), ';');
  EXPECT_EQ(detectCsvDelimiter("a\tb,c\n1\t2,3\n", 0), '\t');
  EXPECT_EQ(detectCsvDelimiter("\"a;b\",c\n\"1;2\",3\n", 0), ',');
  EXPECT_EQ(detectCsvDelimiter("count;line\na,b\n1,2\n", 1), ',');
  EXPECT_EQ(detectCsvDelimiter("single\n1\n", 0), ',');
  EXPECT_EQ(detectCsvDelimiter("a;b;c\n1;2\n", 0), ';');  // ragged: the most fields wins
}

TEST(CsvReader, ParsesNumberCellsStrictly) {
  double value = 0;
  EXPECT_TRUE(parseNumberCell(" +1.5e2 ", false, value));
  EXPECT_DOUBLE_EQ(value, 150);
  EXPECT_TRUE(parseNumberCell("-0,25", true, value));
  EXPECT_DOUBLE_EQ(value, -0.25);
  for (const char* bad : {"1,5", "", "+-1", "1.2.3", "inf", "nan", "1e39", "0x10", "1 2", "--1"}) {
    EXPECT_FALSE(parseNumberCell(bad, false, value)) << bad;
  }
  EXPECT_FALSE(parseNumberCell("1,000,5", true, value));
  for (const char* missing : {"", "NA", "n/a", "NaN", "null", "None", "?"})
    EXPECT_TRUE(isMissingCell(missing)) << missing;
  EXPECT_FALSE(isMissingCell("0"));
}

TEST(CsvReader, ReportsProgressForwardAndCanBeCancelled) {
  std::string text = "a,b,label\n";
  for (int i = 0; i < 20000; ++i)
    text += std::to_string(i) + ",1.25," + (i % 3 == 0 ? "x" : "y") + "\n";
  std::vector<int64_t> seen;
  const CsvTable all =
      parseCsv(text, "big.csv", {{}, [&](int64_t done, int64_t total) {
                                   EXPECT_EQ(total, static_cast<int64_t>(text.size()));
                                   seen.push_back(done);
                                   return true;
                                 }});
  EXPECT_FALSE(all.cancelled);
  EXPECT_EQ(all.rows, 20000);
  ASSERT_GE(seen.size(), 3U);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(seen.back(), static_cast<int64_t>(text.size()));
  int calls = 0;
  const CsvTable part =
      parseCsv(text, "big.csv", {{}, [&](int64_t, int64_t) { return ++calls < 2; }});
  EXPECT_TRUE(part.cancelled);
  EXPECT_GT(part.rows, 0);
  EXPECT_LT(part.rows, 20000);
}

TEST(CsvReader, HashesTheContentNotTheName) {
  const CsvTable a = parseCsv("x,y\n1,2\n3,4\n", "a.csv");
  EXPECT_EQ(parseCsv("x,y\n1,2\n3,4\n", "b.csv").contentHash, a.contentHash);
  EXPECT_NE(parseCsv("x,y\n1,2\n3,5\n", "a.csv").contentHash, a.contentHash);
}

}  // namespace
}  // namespace layerlab::engine
