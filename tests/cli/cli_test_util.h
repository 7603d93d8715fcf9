#pragma once
// Running the built `descent` binary (DESCENT_CLI_PATH) from tests.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace descent::cli_test {

struct Result {
  int status = -1;  // exit code; -1 when killed by a signal
  std::string out;  // stdout (and stderr when merged)
};

// Runs `descent <args>`; stderr is merged into stdout when `merge` (args are trusted strings).
inline Result run_cli(const std::string& args, bool merge = false) {
  const std::string cmd =
      std::string("'") + DESCENT_CLI_PATH + "' " + args + (merge ? " 2>&1" : " 2>/dev/null");
  Result r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  const int st = pclose(pipe);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

// run_cli with stderr merged into the output.
inline Result run_cli_merged(const std::string& args) {
  return run_cli(args, /*merge=*/true);
}

// A file in the system's temporary directory, named after this process and `name`, holding
// `text`; returns its path.
inline std::string temp_file(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("descent_test_" + std::to_string(::getpid()) + "_" + name);
  std::ofstream(path) << text;
  return path.string();
}

inline std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

}  // namespace descent::cli_test
