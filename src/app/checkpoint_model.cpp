// Loading a checkpoint's config, data and model together.
#include "descent/app/checkpoint_model.h"

#include <fmt/core.h>

#include "descent/app/checkpoint.h"
#include "descent/app/experiment_data.h"

namespace descent::app {
namespace {

ExperimentConfig config_of(const Checkpoint& checkpoint, const std::filesystem::path& path) {
  const nlohmann::json* config_json = nullptr;
  try {
    config_json = &checkpoint.metadata.at("extra").at("caller").at("config");
  } catch (const nlohmann::json::exception&) {
    throw CheckpointError(
        fmt::format("{}: holds no run config (not written by descent train)", path.string()));
  }
  return parse_config(*config_json);
}

}  // namespace

DType experiment_dtype(const ExperimentConfig& config) {
  return config.dtype == "float64" ? DType::Float64 : DType::Float32;
}

CheckpointModel::CheckpointModel(const std::filesystem::path& path, const std::string& data_path) {
  const Checkpoint checkpoint = read_checkpoint(path);
  config_ = config_of(checkpoint, path);
  if (!data_path.empty()) {
    if (!config_.data.reads_files())
      throw ValueError(fmt::format(
          "data path {}: the checkpoint's dataset \"{}\" is generated and reads no file", data_path,
          config_.data.dataset));
    config_.data.path = data_path;
  }
  data_ = prepare_data(config_.data, config_.seed, experiment_dtype(config_));
  trainer_ = std::make_unique<Trainer>(config_, data_);
  trainer_->restore(checkpoint);
}

}  // namespace descent::app
