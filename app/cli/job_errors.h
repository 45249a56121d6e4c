// The exit code of a command: every failure of `step` becomes one line on stderr and an exit
// code, as app/core/error_policy.h decides (the user's input 2, anything else 1).
#pragma once

#include "app/cli/commands.h"
#include "app/core/error_policy.h"

namespace layerlab::cli {

// Runs `step`, turning any exception into a message and an exit code.
template <typename Step>
int exitCodeOf(Step step) {
  try {
    return step();
  } catch (...) {
    const app::ErrorDescription error = app::describeCurrentError();
    printError(error.message);
    return app::exitCodeFor(error.kind);
  }
}

}  // namespace layerlab::cli
