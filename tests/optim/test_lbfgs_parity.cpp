// Parity with torch.optim.LBFGS (1.13): fixed steps and the strong-Wolfe line search, several
// history sizes, on Rosenbrock and the small tanh MLP, in float64, against
// tools/make_lbfgs_fixtures.py (tests/data/optim/lbfgs_trajectories.json). Every step's
// parameters, returned loss, func_evals and n_iter must agree (parameters to 1e-10 relative).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "descent/optim/lbfgs.h"
#include "descent/optim/spec.h"
#include "parity_problems.h"

namespace descent::optim {
namespace {

using nlohmann::json;

TEST(LBFGSParity, MatchesTorchTrajectories) {
  const json data = parity::load_fixture("optim/lbfgs_trajectories.json");
  ASSERT_GE(data["cases"].size(), 8u);
  for (const json& c : data["cases"]) {
    const std::string spec = c["spec"].get<std::string>();
    const std::string problem = c["problem"].get<std::string>();
    SCOPED_TRACE(problem + " " + spec);
    parity::ParityProblem pb = parity::make_parity_problem(problem, data["problems"][problem]);
    std::unique_ptr<Optimizer> opt = make_optimizer(spec, pb.params);
    ASSERT_TRUE(opt->requires_closure());
    const Closure closure = make_closure(*opt, pb.loss);
    const auto& lbfgs = dynamic_cast<const LBFGS&>(*opt);
    const json& traj = c["trajectory"];
    ASSERT_GE(traj.size(), 21u);
    double worst = 0.0;
    for (size_t step = 0; step < traj.size(); ++step) {
      const json& want = traj[step];
      ASSERT_EQ(want["step"].get<size_t>(), step);
      if (step > 0) {
        const double loss = opt->step(closure);
        const double ref = want["loss"].get<double>();
        EXPECT_NEAR(loss, ref, 1e-10 * std::abs(ref) + 1e-14) << "step " << step;
        EXPECT_EQ(lbfgs.state().func_evals, want["func_evals"].get<int64_t>()) << "step " << step;
        EXPECT_EQ(lbfgs.state().n_iter, want["n_iter"].get<int64_t>()) << "step " << step;
      }
      const double ratio = parity::worst_ratio(pb.params, want["params"]);
      worst = std::max(worst, ratio);
      if (std::getenv("DESCENT_PARITY_STEPS")) std::printf("  step %zu ratio %.3g\n", step, ratio);
      EXPECT_LE(ratio, 1.0) << "step " << step << ": parameters differ from torch's by more "
                            << "than 1e-10 relative";
    }
    if (std::getenv("DESCENT_PARITY_VERBOSE"))
      std::printf("%-12s %-80s worst err/tolerance %.3g\n", problem.c_str(), spec.c_str(), worst);
  }
}

}  // namespace
}  // namespace descent::optim
