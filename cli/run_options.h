#pragma once
// Options and outcome reporting shared by the run commands (train, compare).
#include <descent/app/run.h>

#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace descent::cli {

// The exit code of a run that diverged (non-finite loss or gradient).
inline constexpr int kExitDiverged = 3;

// --set key.path=value (repeatable) and --print-config.
void add_config_options(CLI::App& sub, std::vector<std::string>& sets, bool& print_config);
// --progress auto|bar|plain|none.
void add_progress_option(CLI::App& sub, std::string& progress);

// Prints where the run lives and how it ended; a diverged run exits with kExitDiverged.
void print_run_outcome(const app::RunDir& dir, const app::RunSummary& summary);

// Runs `body`, turning a DivergenceError into exit code kExitDiverged.
void run_guarded(const std::function<void()>& body);

}  // namespace descent::cli
