// Values a crafted store or a user can put in front of the reader: a parameter condition longer
// than SQLite's LIKE pattern limit, and times that no date can represent (±1e300, ±infinity).
#include <gtest/gtest.h>

#include <string>

#include "../store_test_support.h"
#include "storage/run_query.h"
#include "storage/run_store.h"

namespace layerlab::storage {
namespace {

using testing::RawConnection;
using testing::sampleRun;
using testing::ScratchFolder;

class StoreValuesSecurityTest : public ::testing::Test {
 protected:
  int64_t runWithNote(const std::string& note) {
    NewRun run = sampleRun(note.substr(0, 8));
    run.configJson = R"({"format":"layerlab.train","epochs":2,"note":")" + note + R"("})";
    return m_store.createRun(run);
  }

  std::vector<int64_t> idsMatching(const std::string& filterText) {
    RunListRequest request;
    request.filter = parseRunFilterText(filterText);
    std::vector<int64_t> ids;
    for (const RunSummary& run : RunQuery(m_path).listRuns(request).runs)
      ids.push_back(run.id);
    return ids;
  }

  ScratchFolder m_folder;
  std::string m_path = m_folder.file("runs.db");
  RunStore m_store{m_path};
};

TEST_F(StoreValuesSecurityTest, AContainsConditionPastTheLikeLimitStillMatches) {
  const std::string longText(60'000, 'x');
  const int64_t match = runWithNote("a" + longText + "b");
  runWithNote("short");
  EXPECT_EQ(idsMatching("note~" + longText), std::vector<int64_t>{match});
  // Case-insensitive (ASCII) as the short form is.
  EXPECT_EQ(idsMatching("note~" + std::string(60'000, 'X')), std::vector<int64_t>{match});
  EXPECT_TRUE(idsMatching("note~" + longText + "c").empty());
  // Special characters are literal in both forms.
  EXPECT_TRUE(idsMatching("note~%" + longText).empty());
}

TEST_F(StoreValuesSecurityTest, TimesNoDateCanHoldReadAsUnknown) {
  const int64_t id = m_store.createRun(sampleRun());
  m_store.finishRun(id, RunStatus::Completed, {});
  RawConnection raw(m_path);
  for (const char* value : {"1e300", "-1e300", "1e999", "-1e999", "253402300800"}) {
    SCOPED_TRACE(value);
    raw.exec(std::string("UPDATE runs SET created_at = ") + value + ", started_at = " + value +
             ", finished_at = " + value + ", heartbeat_at = " + value);
    raw.exec(std::string("UPDATE run_attempts SET started_at = ") + value);
    const std::optional<RunDetail> run = RunQuery(m_path).run(id);
    ASSERT_TRUE(run);
    EXPECT_EQ(run->summary.createdAt, 0.0);
    EXPECT_EQ(run->summary.startedAt, 0.0);
    EXPECT_EQ(run->summary.finishedAt, 0.0);
    EXPECT_EQ(run->summary.heartbeatAt, 0.0);
    ASSERT_FALSE(run->attempts.empty());
    EXPECT_EQ(run->attempts.front().startedAt, 0.0);
    EXPECT_EQ(RunQuery(m_path).listRuns().front().startedAt, 0.0);
  }
  raw.exec("UPDATE runs SET started_at = 1700000000");
  EXPECT_EQ(RunQuery(m_path).run(id)->summary.startedAt, 1700000000.0);
}

}  // namespace
}  // namespace layerlab::storage
