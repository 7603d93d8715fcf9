// Parity with torch.optim (1.13): every optimizer, with several option sets, on the Rosenbrock
// function and on a small tanh MLP, in float64, against trajectories recorded by
// tools/make_optim_fixtures.py (tests/data/optim/trajectories.json). The optimizer is built
// from the same spec string the fixture names, so the spec parser is exercised too.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "descent/descent.h"
#include "descent/optim/spec.h"
#include "parity_problems.h"

namespace descent::optim {
namespace {

using nlohmann::json;
using parity::make_parity_problem;
using parity::ParityProblem;

const json& trajectory_fixtures() {
  static const json data = parity::load_fixture("optim/trajectories.json");
  return data;
}

TEST(OptimParity, MatchesTorchTrajectories) {
  const json& data = trajectory_fixtures();
  const int64_t steps = data["steps"].get<int64_t>();
  ASSERT_GE(data["cases"].size(), 30u);
  for (const json& c : data["cases"]) {
    const std::string spec = c["spec"].get<std::string>();
    SCOPED_TRACE(c["problem"].get<std::string>() + " " + spec);
    const std::string problem = c["problem"].get<std::string>();
    ParityProblem pb = make_parity_problem(problem, data["problems"][problem]);
    std::unique_ptr<Optimizer> opt = make_optimizer(spec, pb.params);
    size_t next = 0;
    const json& traj = c["trajectory"];
    double worst = 0.0;
    for (int64_t step = 0; step <= steps; ++step) {
      if (step > 0) {
        opt->zero_grad();
        pb.loss().backward();
        opt->step();
      }
      if (next < traj.size() && traj[next]["step"].get<int64_t>() == step) {
        const json& want = traj[next]["params"];
        for (size_t i = 0; i < pb.params.size(); ++i) {
          const std::vector<double> got = pb.params[i].to_vector<double>();
          const std::vector<double> ref = want[i].get<std::vector<double>>();
          ASSERT_EQ(got.size(), ref.size());
          for (size_t k = 0; k < got.size(); ++k) {
            const double err = std::abs(got[k] - ref[k]);
            worst = std::max(worst, err / (1e-10 * std::abs(ref[k]) + 1e-12));
            ASSERT_LE(err, 1e-10 * std::abs(ref[k]) + 1e-12)
                << "step " << step << " param " << i << "[" << k << "]: got " << got[k]
                << ", torch " << ref[k];
          }
        }
        ++next;
      }
    }
    EXPECT_EQ(next, traj.size());
    // DESCENT_PARITY_VERBOSE=1 prints how close each case comes to the tolerance.
    if (std::getenv("DESCENT_PARITY_VERBOSE"))
      std::printf("%-70s worst err/tolerance %.3g\n", spec.c_str(), worst);
  }
}

}  // namespace
}  // namespace descent::optim
