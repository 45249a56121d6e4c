// A running run's pause as the training job records it: marked while the training thread waits,
// its length added to the run's paused seconds when it ends, and ended by finishRun.
#include <gtest/gtest.h>

#include <string>

#include "storage/run_query.h"
#include "storage/run_store.h"
#include "store_test_support.h"

namespace layerlab::storage {
namespace {

using testing::RawConnection;
using testing::sampleRun;
using testing::ScratchFolder;

class RunPauseTest : public ::testing::Test {
 protected:
  RunSummary summary(int64_t id) const { return RunQuery(m_path).run(id)->summary; }
  // Moves the start of the pause being marked `seconds` into the past.
  void pauseBeganEarlier(int64_t id, int seconds) {
    RawConnection(m_path).exec("UPDATE runs SET paused_at = paused_at - " +
                               std::to_string(seconds) + " WHERE id = " + std::to_string(id));
  }

  ScratchFolder m_folder;
  std::string m_path = m_folder.file("runs.db");
  RunStore m_store{m_path};
};

TEST_F(RunPauseTest, APauseIsMarkedWhileItLastsAndCountedWhenItEnds) {
  const int64_t id = m_store.createRun(sampleRun());
  EXPECT_FALSE(summary(id).pausedAt.has_value());
  EXPECT_EQ(summary(id).pausedSeconds, 0.0);

  m_store.setPaused(id, true);
  ASSERT_TRUE(summary(id).pausedAt.has_value());
  pauseBeganEarlier(id, 10);
  const double began = *summary(id).pausedAt;
  m_store.setPaused(id, true);  // already paused: the start stays
  EXPECT_EQ(summary(id).pausedAt, began);

  m_store.setPaused(id, false);
  EXPECT_FALSE(summary(id).pausedAt.has_value());
  EXPECT_GE(summary(id).pausedSeconds, 10.0);
  EXPECT_LT(summary(id).pausedSeconds, 11.0);
  m_store.setPaused(id, false);  // not paused: nothing more is added
  EXPECT_LT(summary(id).pausedSeconds, 11.0);
}

TEST_F(RunPauseTest, FinishingAPausedRunEndsItsPause) {
  const int64_t id = m_store.createRun(sampleRun());
  m_store.setPaused(id, true);
  pauseBeganEarlier(id, 5);
  m_store.finishRun(id, RunStatus::Cancelled, {});
  const RunSummary finished = summary(id);
  EXPECT_EQ(finished.status, RunStatus::Cancelled);
  EXPECT_FALSE(finished.pausedAt.has_value());
  EXPECT_GE(finished.pausedSeconds, 5.0);
  EXPECT_LT(finished.pausedSeconds, 6.0);
  EXPECT_ANY_THROW(m_store.setPaused(id, true)) << "only a running run can pause";
}

}  // namespace
}  // namespace layerlab::storage
