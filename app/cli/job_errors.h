// The exit code of a command that runs a stored or new training job: the job's expected failures
// become one line on stderr and an exit code (bad input 2, a store that cannot be used 1).
#pragma once

#include "app/cli/commands.h"
#include "app/core/training_job.h"
#include "storage/store_error.h"

namespace layerlab::cli {

// Runs `step`, turning the job's expected failures into a message and an exit code.
template <typename Step>
int exitCodeOf(Step step) {
  try {
    return step();
  } catch (const app::JobInputError& error) {
    printError(error.what());
    return kExitBadInput;
  } catch (const storage::StoreError& error) {
    printError(error.what());
    return kExitFailed;
  }
}

}  // namespace layerlab::cli
