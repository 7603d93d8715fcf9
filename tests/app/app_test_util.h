#pragma once
// Helpers for app-layer tests: a scratch directory removed at the end of the test, the error a
// config is refused with, and bitwise equality of two models' states.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "descent/app/config.h"
#include "descent/app/experiment_data.h"
#include "descent/autograd/ops.h"
#include "descent/core/error.h"
#include "descent/nn/module.h"

namespace descent::app::testing {

// A fresh empty directory under the system temp dir, unique per process and test.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("descent-" + std::string(info->test_suite_name()) + "-" + info->name() + "-" +
             std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The message parse_config refuses `config` with, or "no error".
inline std::string config_error_of(const nlohmann::json& config) {
  try {
    parse_config(config);
  } catch (const ValueError& e) {
    return e.what();
  }
  return "no error";
}

// Bitwise equality of every parameter and buffer.
inline void expect_same_state(nn::Module& a, nn::Module& b) {
  const auto sa = a.state_dict();
  const auto sb = b.state_dict();
  ASSERT_EQ(sa.size(), sb.size());
  for (const auto& [key, ta] : sa) {
    const Tensor ca = contiguous(ta), cb = contiguous(sb.at(key));
    ASSERT_EQ(ca.shape(), cb.shape()) << key;
    EXPECT_EQ(std::memcmp(ca.raw_data(), cb.raw_data(),
                          static_cast<size_t>(ca.numel()) * dtype_size(ca.dtype())),
              0)
        << key;
  }
}

// The data a config names, in the config's dtype.
inline data::Split data_for(const ExperimentConfig& c) {
  return prepare_data(c.data, c.seed, c.dtype == "float64" ? DType::Float64 : DType::Float32);
}

}  // namespace descent::app::testing
