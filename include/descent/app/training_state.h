#pragma once
// Training state: everything needed to stop a run and continue it bit for bit, packed into one
// Checkpoint (checkpoint.h) and restored from it.
//
// Tensors:  "model.<name>"  every parameter and buffer of Module::state_dict()
//           "optim.<key>"   every tensor of Optimizer::state_dict() (moment estimates, ...)
// Metadata: {"kind": "training-state",
//            "optimizer": {"name", "param_groups", "scalars"},   (OptimizerState minus tensors)
//            "scheduler": LRScheduler::state_dict() or null,
//            "rng": {"seed", "counter", "used", "block", "has_spare_normal", "spare_normal"},
//            "extra": caller's JSON (step, epoch, loader position, config, ...)}
//
// The model's train/eval mode and the options of the scheduler are not saved: restore into
// objects built the same way (same architecture, optimizer kind and groups, scheduler kind).
#include <nlohmann/json.hpp>

#include "descent/app/checkpoint.h"
#include "descent/core/rng.h"
#include "descent/nn/module.h"
#include "descent/optim/optimizer.h"
#include "descent/optim/scheduler.h"

namespace descent::app {

// Snapshots the state (tensors are copied, so later steps do not change the checkpoint).
// `scheduler` may be null. `extra` must hold only finite numbers.
Checkpoint pack_training_state(const nn::Module& model, const optim::Optimizer& optimizer,
                               const optim::LRScheduler* scheduler, const Generator& generator,
                               const nlohmann::json& extra = nlohmann::json::object());

// Restores the state into `model`, `optimizer`, `scheduler` (null exactly when the checkpoint
// has no scheduler state) and `generator`, and returns the caller's "extra" JSON.
//
// All or nothing: the metadata and tensor names are validated first, the model (strictly: no
// missing or unexpected keys, same shapes and dtypes) and the optimizer check their parts
// before writing, and should a later part still fail, the parts already restored are put back.
// On failure nothing has changed and CheckpointError says which part was wrong and why.
nlohmann::json restore_training_state(const Checkpoint& checkpoint, nn::Module& model,
                                      optim::Optimizer& optimizer, optim::LRScheduler* scheduler,
                                      Generator& generator);

}  // namespace descent::app
