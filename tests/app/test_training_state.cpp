// Training state: a run stopped, saved to disk, restored into freshly built objects and
// continued ends bitwise where the uninterrupted run ends; a restore that fails changes nothing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <filesystem>
#include <memory>

#include "checkpoint_test_util.h"
#include "descent/app/training_state.h"
#include "descent/autograd/ops.h"
#include "descent/nn.h"
#include "descent/optim/adam.h"
#include "descent/optim/schedulers.h"
#include "descent/optim/sgd.h"

namespace descent::app {
namespace {

using ckpt_test::bitwise_equal;
using ::testing::HasSubstr;

constexpr int64_t kSamples = 64, kBatch = 16;

// A fixed classification dataset: 4 features, 3 classes.
struct Data {
  Tensor x, y;
  Data() {
    Generator g(123);
    x = randn({kSamples, 4}, g);
    y = randint(0, 3, {kSamples}, g);
  }
};

// Everything one training run owns. The Dropout layer and the batch sampler draw from `gen`,
// so the run's randomness is all in one restorable generator. Not movable: Dropout keeps a
// reference to `gen`.
struct TrainingRun {
  Generator init_gen;
  Generator gen;
  std::shared_ptr<nn::Sequential> model;
  std::unique_ptr<optim::Adam> opt;
  std::unique_ptr<optim::LRScheduler> sched;
  int64_t steps = 0;

  explicit TrainingRun(uint64_t seed, int64_t hidden = 16) : init_gen(seed), gen(seed + 1000) {
    model = std::make_shared<nn::Sequential>(
        nn::Linear(4, hidden, true, init_gen), nn::BatchNorm1d(hidden), nn::ReLU(),
        nn::Dropout(0.25, gen), nn::Linear(hidden, 3, true, init_gen));
    opt = std::make_unique<optim::Adam>(model->parameters(),
                                        optim::AdamOptions{.lr = 0.02, .weight_decay = 1e-3});
    sched = std::make_unique<optim::CosineAnnealingLR>(*opt,
                                                       optim::CosineAnnealingLROptions{.T_max = 9});
  }
  TrainingRun(const TrainingRun&) = delete;

  void train(const Data& data, int64_t n) {
    for (int64_t i = 0; i < n; ++i, ++steps) {
      const Tensor idx = randint(0, kSamples, {kBatch}, gen);
      const Tensor loss = nn::cross_entropy(model->forward(index_select(data.x, 0, idx)),
                                            index_select(data.y, 0, idx));
      opt->zero_grad();
      loss.backward();
      opt->step();
      sched->step();
    }
  }

  Checkpoint pack() const {
    return pack_training_state(*model, *opt, sched.get(), gen,
                               {{"step", steps}, {"config", {{"batch", kBatch}}}});
  }
};

// A snapshot of everything restore may change, to compare before and after.
struct Snapshot {
  nn::StateDict model;
  optim::OptimizerState opt;
  nlohmann::json sched;
  std::vector<uint32_t> next_draws;

  explicit Snapshot(const TrainingRun& r)
      : model(r.model->state_dict().clone()),
        opt(r.opt->state_dict()),
        sched(r.sched->state_dict()) {
    Generator copy = r.gen;  // draws from a copy, leaving the run's generator as it is
    for (int i = 0; i < 4; ++i) next_draws.push_back(copy.next_u32());
  }

  void expect_equal(const Snapshot& o) const {
    ASSERT_EQ(model.keys(), o.model.keys());
    for (const auto& [key, t] : model) EXPECT_TRUE(bitwise_equal(t, o.model.at(key))) << key;
    EXPECT_EQ(opt.param_groups, o.opt.param_groups);
    EXPECT_EQ(opt.scalars, o.opt.scalars);
    ASSERT_EQ(opt.tensors.size(), o.opt.tensors.size());
    for (const auto& [key, t] : opt.tensors) {
      EXPECT_TRUE(bitwise_equal(t, o.opt.tensors.at(key))) << key;
    }
    EXPECT_EQ(sched, o.sched);
    EXPECT_EQ(next_draws, o.next_draws);
  }
};

std::filesystem::path temp_file(const char* name) {
  return std::filesystem::temp_directory_path() /
         (std::string("descent-ts-") + std::to_string(::getpid()) + "-" + name);
}

TEST(TrainingState, ResumeIsBitwiseEqualToNeverStopping) {
  const Data data;
  TrainingRun reference(1);
  reference.train(data, 13);

  TrainingRun first(1);
  first.train(data, 5);
  const auto path = temp_file("resume.ckpt");
  write_checkpoint(path, first.pack());

  TrainingRun resumed(
      2);  // other initial weights and generator: everything must come from the file
  EXPECT_FALSE(bitwise_equal(resumed.model->parameters()[0], first.model->parameters()[0]));
  const nlohmann::json extra = restore_training_state(
      read_checkpoint(path), *resumed.model, *resumed.opt, resumed.sched.get(), resumed.gen);
  std::filesystem::remove(path);
  EXPECT_EQ(extra["step"], 5);
  EXPECT_EQ(extra["config"]["batch"], kBatch);
  Snapshot(resumed).expect_equal(Snapshot(first));
  resumed.steps = extra["step"].get<int64_t>();
  resumed.train(data, 8);

  Snapshot(resumed).expect_equal(Snapshot(reference));
  EXPECT_EQ(resumed.opt->lr(), reference.opt->lr());
}

TEST(TrainingState, PackIsASnapshot) {
  const Data data;
  TrainingRun run(1);
  run.train(data, 2);
  const Checkpoint c = run.pack();
  const Tensor saved = clone(c.at("model.0.weight"));
  run.train(data, 1);
  EXPECT_TRUE(bitwise_equal(c.at("model.0.weight"), saved));
  EXPECT_NE(c.find("model.1.running_mean"), nullptr);  // buffers too
  EXPECT_NE(c.find("optim.state.0.0.exp_avg"), nullptr);
  EXPECT_EQ(c.metadata["optimizer"]["name"], "Adam");
  EXPECT_EQ(c.metadata["scheduler"]["scheduler"], "CosineAnnealingLR");
}

// Restores `c` into `target` expecting a CheckpointError with `message`, and checks that
// nothing in `target` changed.
void expect_refused(const Checkpoint& c, TrainingRun& target, optim::Optimizer& opt,
                    optim::LRScheduler* sched, const std::string& message) {
  const Snapshot before(target);
  try {
    restore_training_state(c, *target.model, opt, sched, target.gen);
    ADD_FAILURE() << "restored without error; expected " << message;
  } catch (const CheckpointError& e) {
    EXPECT_THAT(e.what(), HasSubstr(message));
  }
  Snapshot(target).expect_equal(before);
}

TEST(TrainingState, WrongModelChangesNothing) {
  const Data data;
  TrainingRun saved(1), other(2, /*hidden=*/17);
  saved.train(data, 3);
  other.train(data, 1);
  expect_refused(saved.pack(), other, *other.opt, other.sched.get(), "training state: model:");
}

// The model loads first and succeeds; the optimizer then fails and the model is put back.
TEST(TrainingState, WrongOptimizerRollsBackTheModel) {
  const Data data;
  TrainingRun saved(1), other(2);
  saved.train(data, 3);
  other.train(data, 1);
  optim::SGD sgd(other.model->parameters(), {.lr = 0.1});
  optim::CosineAnnealingLR sched(sgd, {.T_max = 9});
  expect_refused(saved.pack(), other, sgd, &sched, "training state: optimizer: ");
}

TEST(TrainingState, WrongSchedulerRollsBackModelAndOptimizer) {
  const Data data;
  TrainingRun saved(1), other(2);
  saved.train(data, 3);
  other.train(data, 1);
  other.sched = std::make_unique<optim::StepLR>(*other.opt, optim::StepLROptions{.step_size = 2});
  expect_refused(saved.pack(), other, *other.opt, other.sched.get(), "training state: scheduler:");
}

TEST(TrainingState, SchedulerPresenceMustMatch) {
  const Data data;
  TrainingRun saved(1), other(2);
  saved.train(data, 2);
  expect_refused(saved.pack(), other, *other.opt, nullptr, "has scheduler state but no scheduler");
  const Checkpoint without =
      pack_training_state(*saved.model, *saved.opt, nullptr, saved.gen, nlohmann::json::object());
  expect_refused(without, other, *other.opt, other.sched.get(), "no scheduler state");
}

TEST(TrainingState, MalformedMetadataAndNames) {
  const Data data;
  TrainingRun saved(1), other(2);
  saved.train(data, 2);
  const Checkpoint good = saved.pack();
  auto edited = [&](auto edit) {
    Checkpoint c = good;
    edit(c);
    return c;
  };
  expect_refused(edited([](Checkpoint& c) { c.metadata.erase("kind"); }), other, *other.opt,
                 other.sched.get(), "not a training checkpoint");
  expect_refused(edited([](Checkpoint& c) { c.metadata["rng"]["used"] = 5; }), other, *other.opt,
                 other.sched.get(), "rng \"used\" is missing or not an integer in [0, 4]");
  expect_refused(edited([](Checkpoint& c) { c.metadata["rng"]["seed"] = -1; }), other, *other.opt,
                 other.sched.get(), "rng \"seed\"");
  expect_refused(edited([](Checkpoint& c) {
                   c.metadata["rng"]["block"] = {1, 2, 3};
                 }),
                 other, *other.opt, other.sched.get(), "\"block\" is not 4 integers");
  expect_refused(edited([](Checkpoint& c) { c.metadata["optimizer"].erase("scalars"); }), other,
                 *other.opt, other.sched.get(), "optimizer metadata lacks \"scalars\"");
  expect_refused(edited([](Checkpoint& c) { c.metadata["surprise"] = 1; }), other, *other.opt,
                 other.sched.get(), "unknown key \"surprise\"");
  expect_refused(edited([](Checkpoint& c) { c.tensors.emplace_back("stray", zeros({1})); }), other,
                 *other.opt, other.sched.get(), "tensor 'stray' belongs to neither");
  expect_refused(
      edited([](Checkpoint& c) { c.tensors.emplace_back("optim.state.9.0.x", zeros({1})); }), other,
      *other.opt, other.sched.get(), "training state: optimizer:");
  expect_refused(edited([](Checkpoint& c) { c.tensors.erase(c.tensors.begin()); }), other,
                 *other.opt, other.sched.get(), "training state: model:");
}

}  // namespace
}  // namespace descent::app
