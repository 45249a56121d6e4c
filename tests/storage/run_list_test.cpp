// The runs list: filters, sorting, paging, literal search and the live status of dead owners.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>
#include <string>

#include "storage/run_query.h"
#include "storage/run_store.h"
#include "store_test_support.h"

namespace layerlab::storage {
namespace {

using testing::metric;
using testing::RawConnection;
using testing::sampleRun;
using testing::ScratchFolder;

struct RunSpec {
  std::string name;
  double lr;
  std::string optimizer;
  int batchSize;
  std::vector<std::string> tags;
  std::string notes;
  std::vector<double> valAccuracy;  // one epoch each
  RunStatus status;
};

NewRun newRun(const RunSpec& spec) {
  NewRun run = sampleRun(spec.name);
  run.configJson = R"({"format":"layerlab.train","version":1,"learning_rate":)" +
                   std::to_string(spec.lr) + R"(,"optimizer":")" + spec.optimizer +
                   R"(","batch_size":)" + std::to_string(spec.batchSize) + "}";
  run.tags = spec.tags;
  run.notes = spec.notes;
  return run;
}

class RunListTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const RunSpec specs[] = {
        {"alpha", 0.1, "sgd", 32, {"baseline"}, "first try", {0.5, 0.6}, RunStatus::Completed},
        {"beta", 0.001, "adam", 64, {"baseline", "wide"}, "", {0.7, 0.9}, RunStatus::Completed},
        {"gamma", 0.005, "adam", 128, {}, "lr sweep", {0.8}, RunStatus::Failed},
        {"delta", 0.02, "adamw", 64, {"wide"}, "", {}, RunStatus::Cancelled},
    };
    for (const RunSpec& spec : specs) {
      const int64_t id = m_store.createRun(newRun(spec));
      int epoch = 0;
      for (double accuracy : spec.valAccuracy) {
        ++epoch;
        m_store.appendEpoch(id, EpochRecord{epoch,
                                            epoch * 10,
                                            1.0 * epoch,
                                            {metric("val", "accuracy", accuracy),
                                             metric("val", "loss", 1.0 - accuracy)}});
      }
      m_store.finishRun(id, spec.status, {});
      m_ids[spec.name] = id;
    }
  }

  std::vector<std::string> names(const RunListRequest& request) {
    std::vector<std::string> result;
    for (const RunSummary& run : m_query.listRuns(request).runs)
      result.push_back(run.name);
    return result;
  }

  std::vector<std::string> names(const RunFilter& filter) {
    RunListRequest request;
    request.filter = filter;
    request.sortBy = "name";
    request.descending = false;
    return names(request);
  }

  ScratchFolder m_folder;
  std::string m_path = m_folder.file("runs.db");
  RunStore m_store{m_path};
  RunQuery m_query{m_path};
  std::map<std::string, int64_t> m_ids;
};

struct FilterCase {
  const char* label;
  RunFilter filter;
  std::vector<std::string> expected;  // by name, ascending
};

TEST_F(RunListTest, FiltersCombineStatusTagsTextAndParameters) {
  auto where = [](std::vector<std::string> predicates) {
    RunFilter filter;
    for (const std::string& text : predicates)
      filter.params.push_back(parseParamPredicate(text));
    return filter;
  };
  const FilterCase cases[] = {
      {"nothing", {}, {"alpha", "beta", "delta", "gamma"}},
      {"completed", {.statuses = {RunStatus::Completed}}, {"alpha", "beta"}},
      {"failed or cancelled",
       {.statuses = {RunStatus::Failed, RunStatus::Cancelled}},
       {"delta", "gamma"}},
      {"tag", {.tags = {"wide"}}, {"beta", "delta"}},
      {"both tags", {.tags = {"wide", "baseline"}}, {"beta"}},
      {"tag is exact", {.tags = {"wid"}}, {}},
      {"text in name", {.text = "ALP"}, {"alpha"}},
      {"text in notes", {.text = "sweep"}, {"gamma"}},
      {"text in tags", {.text = "basel"}, {"alpha", "beta"}},
      {"lr below", where({"lr<0.01"}), {"beta", "gamma"}},
      {"lr at most", where({"lr <= 0.02"}), {"beta", "delta", "gamma"}},
      {"optimizer", where({"optimizer=adam"}), {"beta", "gamma"}},
      {"optimizer differs", where({"optimizer != adam"}), {"alpha", "delta"}},
      {"contains", where({"optimizer~ADAM"}), {"beta", "delta", "gamma"}},
      {"integer", where({"batch_size>=64"}), {"beta", "delta", "gamma"}},
      {"full key", where({"config.batch_size=64"}), {"beta", "delta"}},
      {"two conditions", where({"optimizer=adam", "batch_size=64"}), {"beta"}},
      {"number is not text", where({"optimizer>1"}), {}},
      {"quoted number is text", where({R"(batch_size="64")"}), {}},
      {"unknown key", where({"dropout>0"}), {}},
      {"all parts",
       {.statuses = {RunStatus::Completed},
        .tags = {"baseline"},
        .text = "e",
        .params = {parseParamPredicate("lr<0.5")}},
       {"alpha", "beta"}},
  };
  for (const FilterCase& c : cases) {
    EXPECT_EQ(names(c.filter), c.expected) << c.label;
    EXPECT_EQ(m_query.listRuns({c.filter}).total, static_cast<int64_t>(c.expected.size()))
        << c.label;
  }
}

TEST_F(RunListTest, SortsByAnyColumnAndByTheBestValidationMetric) {
  for (const std::string& key : runSortKeys()) {
    for (bool descending : {true, false}) {
      RunListRequest request;
      request.sortBy = key;
      request.descending = descending;
      EXPECT_EQ(m_query.listRuns(request).runs.size(), 4u) << key;
    }
  }
  RunListRequest request;
  request.sortBy = "best_val_accuracy";
  EXPECT_EQ(names(request), (std::vector<std::string>{"beta", "gamma", "alpha", "delta"}));
  request.descending = false;  // runs without a value stay last
  EXPECT_EQ(names(request), (std::vector<std::string>{"alpha", "gamma", "beta", "delta"}));
  request.sortBy = "best:val_loss";  // lower is better for a loss
  EXPECT_EQ(names(request), (std::vector<std::string>{"beta", "gamma", "alpha", "delta"}));
  request.sortBy = "param:lr";
  EXPECT_EQ(names(request), (std::vector<std::string>{"beta", "gamma", "delta", "alpha"}));
  request.sortBy = "epochs";
  request.descending = true;
  EXPECT_EQ(names(request).front(), "beta");
  request.sortBy = "name";
  EXPECT_EQ(names(request), (std::vector<std::string>{"gamma", "delta", "beta", "alpha"}));

  for (const char* bad :
       {"name; DROP TABLE runs", "r.id", "best:", "best:val", "param:", "created_at", ""}) {
    request.sortBy = bad;
    EXPECT_THROW(m_query.listRuns(request), std::invalid_argument) << bad;
  }
  EXPECT_EQ(RawConnection(m_path).integer("SELECT count(*) FROM runs"), 4);
}

TEST_F(RunListTest, PagesCoverEveryRunOnceAndCountTheTotal) {
  for (int i = 0; i < 21; ++i)
    m_store.createRun(sampleRun("extra " + std::to_string(i)));
  RunListRequest request;
  request.limit = 10;
  std::set<int64_t> seen;
  for (int64_t offset : {0, 10, 20}) {
    request.offset = offset;
    const RunPage page = m_query.listRuns(request);
    EXPECT_EQ(page.total, 25);
    EXPECT_EQ(page.runs.size(), offset < 20 ? 10u : 5u);
    for (const RunSummary& run : page.runs)
      EXPECT_TRUE(seen.insert(run.id).second) << "run " << run.id << " on two pages";
  }
  EXPECT_EQ(seen.size(), 25u);
  request.offset = 100;
  EXPECT_TRUE(m_query.listRuns(request).runs.empty());
}

TEST_F(RunListTest, SummariesCarryTagsNotesAndLinks) {
  NewRun child = sampleRun("child");
  child.parentRunId = m_ids["beta"];
  const int64_t id = m_store.createRun(child);
  const RunSummary summary = m_query.run(id)->summary;
  EXPECT_EQ(summary.parentRunId, m_ids["beta"]);
  EXPECT_EQ(summary.uuid.size(), 36u);
  const RunSummary beta = m_query.run(m_ids["beta"])->summary;
  EXPECT_EQ(beta.tags, (std::vector<std::string>{"baseline", "wide"}));
  EXPECT_EQ(beta.bestValAccuracy, 0.9);
  EXPECT_DOUBLE_EQ(beta.bestValLoss.value(), 0.1);
  EXPECT_EQ(m_query.run(m_ids["alpha"])->summary.notes, "first try");
}

// Search text, tags and parameter values are data, never SQL or patterns.
TEST_F(RunListTest, HostileTextIsStoredAndSearchedLiterally) {
  const std::string longName = std::string(30000, 'z') + "needle" + std::string(30000, 'z');
  const std::vector<std::string> hostile = {"100% done",
                                            "100 done",
                                            "a_b",
                                            "aXb",
                                            "back\\slash",
                                            "it's",
                                            "\"quoted\"",
                                            "x'); DROP TABLE runs; --",
                                            "; DELETE FROM tags; --",
                                            longName};
  for (const std::string& name : hostile) {
    NewRun run = sampleRun(name);
    run.tags = {name};
    run.notes = "note: " + name;
    m_store.createRun(run);
  }
  auto search = [&](const std::string& text) {
    RunFilter filter;
    filter.text = text;
    std::set<std::string> found;
    for (const std::string& name : names(filter))
      found.insert(name);
    return found;
  };
  EXPECT_EQ(search("%"), (std::set<std::string>{"100% done"}));
  EXPECT_EQ(search("_"), (std::set<std::string>{"a_b"}));
  EXPECT_EQ(search("a_b"), (std::set<std::string>{"a_b"}));
  EXPECT_EQ(search("\\"), (std::set<std::string>{"back\\slash"}));
  EXPECT_EQ(search("'"), (std::set<std::string>{"it's", "x'); DROP TABLE runs; --"}));
  EXPECT_EQ(search("\""), (std::set<std::string>{"\"quoted\""}));
  EXPECT_EQ(search("DROP TABLE runs; --"), (std::set<std::string>{"x'); DROP TABLE runs; --"}));
  EXPECT_EQ(search("needle"), (std::set<std::string>{longName}));
  EXPECT_EQ(search(longName.substr(100, 50000)), (std::set<std::string>{longName}));
  EXPECT_TRUE(search("zz%zz").empty());
  for (const std::string& name : hostile) {
    RunFilter byTag;
    byTag.tags = {name};
    EXPECT_EQ(names(byTag), std::vector<std::string>{name}) << name.substr(0, 40);
  }
  RunFilter pattern;
  pattern.params = {parseParamPredicate("optimizer ~ %")};
  EXPECT_TRUE(names(pattern).empty());
  pattern.params = {parseParamPredicate("optimizer = it's'; --")};
  EXPECT_TRUE(names(pattern).empty());
  RawConnection raw(m_path);
  EXPECT_EQ(raw.integer("SELECT count(*) FROM runs"), 4 + static_cast<int64_t>(hostile.size()));
  EXPECT_EQ(raw.integer("SELECT count(*) FROM tags"), 4 + static_cast<int64_t>(hostile.size()));
}

// A trainer killed outright commits nothing; readers must still see that it stopped.
TEST(RunListLiveness, ARunWhoseProcessDiedShowsInterruptedWithoutAnyWrite) {
  ScratchFolder folder;
  const std::string path = folder.file("runs.db");
  RunQuery query(path);
  int ready[2], go[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(go), 0);
  const pid_t child = fork();
  if (child == 0) {
    RunStore store(path);
    store.createRun(sampleRun("doomed"));
    char byte = 1;
    (void)!write(ready[1], &byte, 1);
    (void)!read(go[0], &byte, 1);
    _exit(0);  // as SIGKILL would: no finishRun
  }
  char byte = 0;
  ASSERT_EQ(read(ready[0], &byte, 1), 1);
  ASSERT_EQ(query.listRuns().at(0).status, RunStatus::Running);
  const int64_t before = query.dataVersion();
  ASSERT_EQ(write(go[1], &byte, 1), 1);
  int status = 0;
  waitpid(child, &status, 0);
  for (int fd : {ready[0], ready[1], go[0], go[1]})
    close(fd);

  EXPECT_NE(query.dataVersion(), before);
  const int64_t after = query.dataVersion();
  EXPECT_EQ(query.dataVersion(), after);  // stable until something else changes
  EXPECT_EQ(query.listRuns().at(0).status, RunStatus::Interrupted);
  RunFilter interrupted;
  interrupted.statuses = {RunStatus::Interrupted};
  EXPECT_EQ(query.listRuns({interrupted}).total, 1);
  EXPECT_EQ(RawConnection(path).text("SELECT status FROM runs"), "running");  // not written
}

}  // namespace
}  // namespace layerlab::storage
