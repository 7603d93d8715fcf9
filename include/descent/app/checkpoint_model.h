#pragma once
// A checkpoint written by `descent train` brought back to life: its run config, the data that
// config names (or the same kind of data at another path), and a Trainer holding the model
// with the checkpoint's weights. What `descent eval` and `descent hessian` start from.
#include <filesystem>
#include <string>

#include "descent/app/config.h"
#include "descent/app/trainer.h"
#include "descent/data/dataset.h"

namespace descent::app {

class CheckpointModel {
 public:
  // CheckpointError when the file is missing or invalid, or holds no run config; the config's
  // own errors otherwise. `data_path` (when not empty) replaces the config's data path; a
  // ValueError when the checkpoint's dataset is generated, so there is no file to replace.
  CheckpointModel(const std::filesystem::path& checkpoint, const std::string& data_path);
  CheckpointModel(const CheckpointModel&) = delete;
  CheckpointModel& operator=(const CheckpointModel&) = delete;

  const ExperimentConfig& config() const { return config_; }
  const data::Split& data() const { return data_; }
  Trainer& trainer() { return *trainer_; }
  nn::Sequential& model() { return trainer_->model(); }

 private:
  ExperimentConfig config_;
  data::Split data_;
  std::unique_ptr<Trainer> trainer_;  // refers to data_
};

// The run's dtype (config "dtype").
DType experiment_dtype(const ExperimentConfig& config);

}  // namespace descent::app
