#include "torch_session.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <string>
#include <vector>

#include "torch_runner.h"

extern char** environ;

namespace descent::bench {

TorchSession::TorchSession(const std::string& python, const std::string& script, bool quick) {
  // A child that dies leaves a closed pipe: writing to it must fail, not kill the bench.
  std::signal(SIGPIPE, SIG_IGN);
  int to_child[2], from_child[2];
  if (::pipe2(to_child, O_CLOEXEC) != 0) return;
  if (::pipe2(from_child, O_CLOEXEC) != 0) {
    ::close(to_child[0]), ::close(to_child[1]);
    return;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, to_child[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, from_child[1], STDOUT_FILENO);
  std::vector<std::string> args = {python, script, "--serve"};
  if (quick) args.emplace_back("--quick");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, python.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(to_child[0]);
  ::close(from_child[1]);
  if (rc != 0) {
    ::close(to_child[1]), ::close(from_child[0]);
    return;
  }
  pid_ = pid;
  to_child_ = ::fdopen(to_child[1], "w");
  from_child_ = ::fdopen(from_child[0], "r");
  if (!to_child_ || !from_child_) stop();
}

TorchSession::~TorchSession() {
  stop();
}

void TorchSession::stop() {
  // Closing its input ends the child's loop; then it is reaped.
  if (to_child_) std::fclose(to_child_);
  if (from_child_) std::fclose(from_child_);
  to_child_ = from_child_ = nullptr;
  if (pid_ > 0) {
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  pid_ = -1;
}

std::optional<double> TorchSession::measure(const std::string& workload, int threads) {
  if (!ok()) return std::nullopt;
  std::fprintf(to_child_, "%s %d\n", workload.c_str(), threads);
  std::fflush(to_child_);
  std::string line, name;
  TorchResult r;
  if (read_line(from_child_, line) && parse_torch_line(line, name, r) && name == workload)
    return r.value;
  stop();  // the child ended, or answered with an error or out of step
  return std::nullopt;
}

}  // namespace descent::bench
