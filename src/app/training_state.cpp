// Packing and restoring the full training state (see training_state.h).
#include "descent/app/training_state.h"

#include <fmt/format.h>

#include <optional>

#include "descent/autograd/ops.h"

namespace descent::app {
namespace {

constexpr std::string_view kKind = "training-state";
constexpr std::string_view kModelPrefix = "model.";
constexpr std::string_view kOptimPrefix = "optim.";

[[noreturn]] void fail(const std::string& what) {
  throw CheckpointError("training state: " + what);
}

nlohmann::json rng_to_json(const Generator::State& s) {
  return {{"seed", s.seed},
          {"counter", s.counter},
          {"used", s.used},
          {"block", s.block},
          {"has_spare_normal", s.has_spare_normal},
          {"spare_normal", s.spare_normal}};
}

// Reads the generator state with exact types: a float or a negative number where an unsigned
// counter belongs must not be converted silently.
Generator::State rng_from_json(const nlohmann::json& j) {
  auto bad = [](const std::string& what) { fail("rng " + what); };
  if (!j.is_object()) bad("state is not a JSON object");
  auto u64 = [&](const char* key, uint64_t max) {
    if (!j.contains(key) || !j[key].is_number_unsigned() || j[key].get<uint64_t>() > max) {
      bad(fmt::format("\"{}\" is missing or not an integer in [0, {}]", key, max));
    }
    return j[key].get<uint64_t>();
  };
  Generator::State s;
  s.seed = u64("seed", UINT64_MAX);
  s.counter = u64("counter", UINT64_MAX);
  s.used = static_cast<uint32_t>(u64("used", 4));
  const nlohmann::json* block = j.contains("block") ? &j["block"] : nullptr;
  if (!block || !block->is_array() || block->size() != 4) bad("\"block\" is not 4 integers");
  for (size_t i = 0; i < 4; ++i) {
    const nlohmann::json& w = (*block)[i];
    if (!w.is_number_unsigned() || w.get<uint64_t>() > UINT32_MAX) {
      bad(fmt::format("\"block\"[{}] is not a 32-bit unsigned integer", i));
    }
    s.block[i] = static_cast<uint32_t>(w.get<uint64_t>());
  }
  if (!j.contains("has_spare_normal") || !j["has_spare_normal"].is_boolean()) {
    bad("\"has_spare_normal\" is missing or not a boolean");
  }
  if (!j.contains("spare_normal") || !j["spare_normal"].is_number()) {
    bad("\"spare_normal\" is missing or not a number");
  }
  s.has_spare_normal = j["has_spare_normal"].get<bool>();
  s.spare_normal = j["spare_normal"].get<double>();
  return s;
}

const nlohmann::json& member(const nlohmann::json& j, const char* key, const char* where) {
  if (!j.is_object() || !j.contains(key)) fail(fmt::format("{} lacks \"{}\"", where, key));
  return j[key];
}

// The parts of a checkpoint, checked for shape but not yet against the objects.
struct Parts {
  nn::StateDict model;
  optim::OptimizerState optimizer;
  std::optional<nlohmann::json> scheduler;
  Generator::State rng;
  nlohmann::json extra;
};

Parts split(const Checkpoint& checkpoint) {
  const nlohmann::json& meta = checkpoint.metadata;
  if (!meta.is_object() || !meta.contains("kind") || meta["kind"] != kKind) {
    fail(fmt::format("metadata lacks \"kind\": \"{}\" (not a training checkpoint)", kKind));
  }
  for (const auto& [key, value] : meta.items()) {
    if (key != "kind" && key != "optimizer" && key != "scheduler" && key != "rng" &&
        key != "extra") {
      fail(fmt::format("metadata has the unknown key \"{}\"", key));
    }
  }
  Parts parts;
  const nlohmann::json& opt = member(meta, "optimizer", "metadata");
  const nlohmann::json& name = member(opt, "name", "optimizer metadata");
  if (!name.is_string()) fail("optimizer name is not a string");
  parts.optimizer.optimizer = name.get<std::string>();
  parts.optimizer.param_groups = member(opt, "param_groups", "optimizer metadata");
  parts.optimizer.scalars = member(opt, "scalars", "optimizer metadata");
  if (!parts.optimizer.scalars.is_object()) fail("optimizer scalars are not a JSON object");
  const nlohmann::json& sched = member(meta, "scheduler", "metadata");
  if (!sched.is_null()) parts.scheduler = sched;
  parts.rng = rng_from_json(member(meta, "rng", "metadata"));
  parts.extra = member(meta, "extra", "metadata");

  for (const auto& [key, tensor] : checkpoint.tensors) {
    if (key.starts_with(kModelPrefix)) {
      parts.model.insert(key.substr(kModelPrefix.size()), tensor);
    } else if (key.starts_with(kOptimPrefix)) {
      parts.optimizer.tensors[key.substr(kOptimPrefix.size())] = tensor;
    } else {
      fail(fmt::format("tensor '{}' belongs to neither \"model.\" nor \"optim.\"", key));
    }
  }
  return parts;
}

}  // namespace

Checkpoint pack_training_state(const nn::Module& model, const optim::Optimizer& optimizer,
                               const optim::LRScheduler* scheduler, const Generator& generator,
                               const nlohmann::json& extra) {
  Checkpoint out;
  // clone(): state_dict() views share storage with the model, and the checkpoint is a snapshot.
  for (const auto& [name, tensor] : model.state_dict()) {
    out.tensors.emplace_back(std::string(kModelPrefix) + name, clone(tensor));
  }
  optim::OptimizerState opt = optimizer.state_dict();  // already copies
  for (auto& [key, tensor] : opt.tensors) {
    out.tensors.emplace_back(std::string(kOptimPrefix) + key, std::move(tensor));
  }
  out.metadata = {{"kind", kKind},
                  {"optimizer",
                   {{"name", opt.optimizer},
                    {"param_groups", std::move(opt.param_groups)},
                    {"scalars", std::move(opt.scalars)}}},
                  {"scheduler", scheduler ? scheduler->state_dict() : nlohmann::json(nullptr)},
                  {"rng", rng_to_json(generator.state())},
                  {"extra", extra}};
  return out;
}

nlohmann::json restore_training_state(const Checkpoint& checkpoint, nn::Module& model,
                                      optim::Optimizer& optimizer, optim::LRScheduler* scheduler,
                                      Generator& generator) {
  Parts parts = split(checkpoint);
  if (parts.scheduler.has_value() != (scheduler != nullptr)) {
    fail(parts.scheduler ? "the checkpoint has scheduler state but no scheduler was given"
                         : "a scheduler was given but the checkpoint has no scheduler state");
  }
  // Each load below checks before it writes, except the scheduler's, so a failure leaves the
  // failing part unchanged; the parts restored before it are put back from these snapshots.
  const nn::StateDict model_before = model.state_dict().clone();
  const optim::OptimizerState optimizer_before = optimizer.state_dict();
  const nlohmann::json scheduler_before = scheduler ? scheduler->state_dict() : nlohmann::json();
  int restored = 0;  // 1: model, 2: + optimizer, 3: + scheduler (possibly partly)
  try {
    try {
      model.load_state_dict(parts.model, /*strict=*/true);
    } catch (const Error& e) {
      fail(fmt::format("model: {}", e.what()));
    }
    restored = 1;
    try {
      optimizer.load_state_dict(parts.optimizer);
    } catch (const Error& e) {
      fail(fmt::format("optimizer: {}", e.what()));
    }
    restored = 2;
    if (scheduler) {
      restored = 3;
      try {
        scheduler->load_state_dict(*parts.scheduler);
      } catch (const Error& e) {
        fail(fmt::format("scheduler: {}", e.what()));
      }
    }
  } catch (...) {
    // Undo in reverse order: the scheduler writes lrs into the optimizer, which is restored
    // after it.
    if (restored >= 3) scheduler->load_state_dict(scheduler_before);
    if (restored >= 2) optimizer.load_state_dict(optimizer_before);
    if (restored >= 1) model.load_state_dict(model_before);
    throw;
  }
  generator.set_state(parts.rng);  // validated by rng_from_json; cannot fail
  return parts.extra;
}

}  // namespace descent::app
