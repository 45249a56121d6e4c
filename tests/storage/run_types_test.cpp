#include <gtest/gtest.h>

#include "storage/run_types.h"

namespace layerlab::storage {
namespace {

TEST(RunTypes, StatusNamesRoundTrip) {
  const std::pair<RunStatus, std::string_view> cases[] = {
      {RunStatus::Queued, "queued"},       {RunStatus::Running, "running"},
      {RunStatus::Completed, "completed"}, {RunStatus::Failed, "failed"},
      {RunStatus::Cancelled, "cancelled"}, {RunStatus::Interrupted, "interrupted"},
  };
  for (const auto& [status, name] : cases) {
    EXPECT_EQ(toString(status), name);
    EXPECT_EQ(parseRunStatus(name), status) << name;
  }
}

TEST(RunTypes, UnknownStatusTextIsRejected) {
  for (std::string_view text : {"", "Running", "done", "running ", "interrupt"}) {
    EXPECT_EQ(parseRunStatus(text), std::nullopt) << '"' << text << '"';
  }
}

}  // namespace
}  // namespace layerlab::storage
