// The subcommands of layerlab-cli. Each adds itself to the parser and, when chosen, sets the
// process exit code: 0 success, 1 a failed run or store error, 2 bad input, 130 stopped by Ctrl-C.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace layerlab::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitInterrupted = 130;

void addTrainCommand(CLI::App& app, int& exitCode);
void addRunsCommand(CLI::App& app, int& exitCode);
void addSummaryCommand(CLI::App& app, int& exitCode);
void addPredictCommand(CLI::App& app, int& exitCode);
void addExportCommand(CLI::App& app, int& exitCode);

// Prints "layerlab-cli: error: <message>" on stderr.
void printError(const std::string& message);

// The --db option every store command takes, defaulting to the user's store.
CLI::Option* addStoreOption(CLI::App& command, std::string& path);

}  // namespace layerlab::cli
