// descent: the command-line entry point. Subcommands are registered from cli/cmd_<name>.cpp.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "commands.h"

#ifndef DESCENT_VERSION
#define DESCENT_VERSION "unknown"
#endif

int main(int argc, char** argv) {
  CLI::App app{"descent: a laboratory for the optimization of neural networks", "descent"};
  app.set_version_flag("--version", "descent " DESCENT_VERSION);
  app.require_subcommand(1);

  descent::cli::register_demo(app);
  descent::cli::register_linear(app);
  descent::cli::register_race(app);
  descent::cli::register_train(app);
  descent::cli::register_compare(app);
  descent::cli::register_eval(app);
  descent::cli::register_dynamics(app);
  descent::cli::register_taylor(app);
  descent::cli::register_landscape(app);
  descent::cli::register_hessian(app);
  descent::cli::register_pathology(app);
  descent::cli::register_serve(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Also --help, --version, and CLI::RuntimeError, which a failed subcommand throws after
    // saying why (exit() prints nothing for it and returns its code).
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "descent: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
