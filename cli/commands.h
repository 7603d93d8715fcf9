#pragma once
// Subcommands of the `descent` binary. Each lives in its own file cli/cmd_<name>.cpp and exposes
// one function that adds itself to the app; main() calls every register_<name> once.
// A subcommand parses its options and calls into the library (later: the app/ layer); it holds
// no training logic of its own beyond what it prints.

namespace CLI {
class App;
}

namespace descent::cli {

// `descent demo`: trains a tiny MLP on a 2-D spiral and prints the loss falling.
void register_demo(CLI::App& app);

// `descent linear`: the lecture's linear classifier table, losses, gradients and descent.
void register_linear(CLI::App& app);

// `descent race`: optimizers racing on a 2-D test function; prints their trajectories.
void register_race(CLI::App& app);

// `descent train`: one run of an experiment config (or --resume of a run directory).
void register_train(CLI::App& app);

// `descent compare`: one config, several optimizers from the same start, one report.
void register_compare(CLI::App& app);

// `descent eval`: a checkpoint's loss and accuracy on its data.
void register_eval(CLI::App& app);

// `descent dynamics`: closed-form GD / momentum dynamics on a quadratic vs a real run.
void register_dynamics(CLI::App& app);

// `descent taylor`: Taylor polynomials of a scalar function by nested autodiff.
void register_taylor(CLI::App& app);

// `descent landscape`: loss along a line between checkpoints, or on a 2-D slice.
void register_landscape(CLI::App& app);

// `descent hessian`: Hessian eigenvalues, trace and spectral density of a checkpoint's loss.
void register_hessian(CLI::App& app);

// `descent pathology`: plateaux and high curvature, the lecture's pathologies, as experiments.
void register_pathology(CLI::App& app);

// `descent serve`: the web lab (serve/), a local HTTP server with a page per lecture demo.
void register_serve(CLI::App& app);

}  // namespace descent::cli
