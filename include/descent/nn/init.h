#pragma once
// Parameter initialization with the names and semantics of torch.nn.init.
//
// Every function overwrites `tensor` in place (hence the trailing underscore, as in PyTorch),
// under NoGradGuard, so it works on parameters that require gradients; it returns the tensor.
// Random ones draw from `gen` (the process-wide default_generator() when not given), so a seed
// reproduces them, and need a float32 or float64 tensor (DTypeError otherwise). A tensor with
// no elements is left alone. Bad names (nonlinearity, mode) and bad values are ValueErrors.
//
// Fans follow PyTorch's _calculate_fan_in_and_fan_out: for a tensor [out, in, k1, k2, …],
// fan_in = in·k1·k2·… and fan_out = out·k1·k2·… (a Linear weight [out, in] has fan_in = in);
// fewer than 2 dimensions is a ValueError.
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <utility>

#include "descent/core/rng.h"
#include "descent/core/tensor.h"

namespace descent::nn {

// The recommended gain for a nonlinearity (PyTorch's table):
//   linear, conv1d/2d/3d, conv_transpose1d/2d/3d, sigmoid → 1;   tanh → 5/3;   relu → √2;
//   leaky_relu → √(2/(1 + slope²)) with slope = param (default 0.01);   selu → 3/4.
// Anything else is a ValueError naming it.
double calculate_gain(std::string_view nonlinearity, std::optional<double> param = std::nullopt);

struct Fans {
  int64_t fan_in;
  int64_t fan_out;
};
Fans calculate_fan_in_and_fan_out(const Tensor& tensor);

// --- deterministic ---
Tensor& constant_(Tensor& tensor, double value);
Tensor& zeros_(Tensor& tensor);
Tensor& ones_(Tensor& tensor);
// The identity matrix (ones on the main diagonal of a possibly rectangular 2-D tensor).
Tensor& eye_(Tensor& tensor);

// --- random, plain ---
// U(a, b): values in [a, b).
Tensor& uniform_(Tensor& tensor, double a = 0.0, double b = 1.0,
                 Generator& gen = default_generator());
// N(mean, std²).
Tensor& normal_(Tensor& tensor, double mean = 0.0, double std = 1.0,
                Generator& gen = default_generator());
// N(mean, std²) truncated to [a, b] (absolute bounds, as PyTorch), by the inverse-CDF method:
// u ~ U(Φ(α), Φ(β)) with α = (a − mean)/std, β = (b − mean)/std, then mean + std·Φ⁻¹(u).
// Intervals in the right tail are sampled as their mirror image in the left tail, where Φ is
// accurate. Needs std > 0 and a < b.
Tensor& trunc_normal_(Tensor& tensor, double mean = 0.0, double std = 1.0, double a = -2.0,
                      double b = 2.0, Generator& gen = default_generator());

// --- scaled by the fans (Glorot & Bengio, 2010; He et al., 2015; LeCun et al., 1998) ---
// U(−r, r) with r = gain·√(6/(fan_in + fan_out)).
Tensor& xavier_uniform_(Tensor& tensor, double gain = 1.0, Generator& gen = default_generator());
// N(0, σ²) with σ = gain·√(2/(fan_in + fan_out)).
Tensor& xavier_normal_(Tensor& tensor, double gain = 1.0, Generator& gen = default_generator());
// U(−r, r) with r = √3·gain/√fan, gain = calculate_gain(nonlinearity, a), fan = fan_in or
// fan_out by `mode` ("fan_in" keeps the forward variance, "fan_out" the backward one).
Tensor& kaiming_uniform_(Tensor& tensor, double a = 0.0, std::string_view mode = "fan_in",
                         std::string_view nonlinearity = "leaky_relu",
                         Generator& gen = default_generator());
// N(0, σ²) with σ = gain/√fan.
Tensor& kaiming_normal_(Tensor& tensor, double a = 0.0, std::string_view mode = "fan_in",
                        std::string_view nonlinearity = "leaky_relu",
                        Generator& gen = default_generator());
// N(0, 1/fan_in) (LeCun; the init SELU networks expect). PyTorch has no lecun_normal_; this is
// kaiming_normal_(tensor, 0, "fan_in", "linear"). JAX's lecun_normal truncates at 2σ instead.
Tensor& lecun_normal_(Tensor& tensor, Generator& gen = default_generator());

// A (semi-)orthogonal matrix (Saxe et al., 2013), as PyTorch: the tensor is seen as
// rows = size(0) by cols = numel/rows; a Gaussian matrix of that shape (transposed if
// rows < cols) is QR-factorized by Householder reflections in float64, Q's columns are
// multiplied by the signs of R's diagonal (so the result is uniformly distributed), and the
// result times `gain` is written back. Rows are orthonormal when rows ≤ cols, columns when
// rows ≥ cols. Needs at least 2 dimensions.
Tensor& orthogonal_(Tensor& tensor, double gain = 1.0, Generator& gen = default_generator());

}  // namespace descent::nn
