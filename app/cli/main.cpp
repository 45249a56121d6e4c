// layerlab-cli: train, inspect and list runs without a GUI, into the same store as the app.
// Errors follow app/core/error_policy.h: each subcommand turns its failures into one message and
// an exit code (exitCodeOf), main() catches whatever a subcommand did not, and std::terminate
// prints a line instead of aborting.
#include <cstdio>

#include "app/cli/commands.h"
#include "app/core/error_policy.h"
#include "app/version.h"
#include "storage/run_query.h"

namespace layerlab::cli {

void printError(const std::string& message) {
  std::fprintf(stderr, "layerlab-cli: error: %s\n", displayLines(message).c_str());
}

CLI::Option* addStoreOption(CLI::App& command, std::string& path) {
  path = storage::defaultStorePath();
  return command.add_option("--db", path, "The store file (SQLite)")->capture_default_str();
}

}  // namespace layerlab::cli

int main(int argc, char** argv) {
  using namespace layerlab::cli;
  layerlab::app::installTerminateHandler("layerlab-cli");
  CLI::App app{"LayerLab: train and compare deep-learning experiments", "layerlab-cli"};
  app.set_version_flag("--version", std::string("layerlab-cli ") + layerlab::kAppVersion);
  app.require_subcommand(1);
  int exitCode = kExitOk;
  addTrainCommand(app, exitCode);
  addRunsCommand(app, exitCode);
  addSummaryCommand(app, exitCode);
  addPredictCommand(app, exitCode);
  addExportCommand(app, exitCode);
  addExperimentCommand(app, exitCode);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    printError(std::string(e.what()) + " (see layerlab-cli --help)");
    return kExitBadInput;
  } catch (...) {  // what a subcommand did not turn into an exit code itself
    const layerlab::app::ErrorDescription error = layerlab::app::describeCurrentError();
    printError(error.message);
    return layerlab::app::exitCodeFor(error.kind);
  }
  return exitCode;
}
