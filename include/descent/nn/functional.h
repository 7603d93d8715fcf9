#pragma once
// Functional forms of the layers, as torch.nn.functional: stateless functions of tensors that
// the modules call. All are composites of differentiable primitives (autograd/ops.h), so they
// need no backward rule of their own and can be differentiated to any order (the tests run
// gradcheck and gradgradcheck on each in float64).
#include <cstdint>

#include "descent/autograd/ops.h"
#include "descent/core/rng.h"
#include "descent/core/shape.h"
#include "descent/core/tensor.h"

namespace descent::nn {

// --- linear ---

// y = x Wᵀ + b for x [..., in], W [out, in] (PyTorch's layout), b [out] or undefined: the
// engine's fused primitive (autograd/ops.h), named here too.
using descent::linear;

// --- activations (relu, leaky_relu, sigmoid and tanh are primitives in autograd/ops.h) ---

// The error function erf(x) = (2/√π) ∫₀ˣ e^{−t²} dt and its complement erfc(x) = 1 − erf(x).
//
// descent has no erf primitive yet, so these are composites: the rational approximations of
// Cephes (S. Moshier, ndtr.c; after W. J. Cody) evaluated with tensor ops on three ranges
//   |x| ≤ 1:      erf(x)  = x·T(x²)/U(x²)
//   1 < |x| < 8:  erfc(|x|) = e^{−x²}·P(|x|)/Q(|x|)
//   |x| ≥ 8:      erfc(|x|) = e^{−x²}·R(|x|)/S(|x|)
// and joined with `where`. Each range reads a clamped copy of x, so the unused ranges stay
// finite and `where` gives them a zero gradient (no 0·∞); e^{−x²} is computed with x split in
// a high and a low part so that it keeps full precision in the tails. Measured against the C
// library in float64: erf within 4.4e−16 relative, erfc within 1.5e−15 relative (wherever
// erfc(x) > 1e−300); the derivative, that of the approximation, is within 6e−14 relative of
// the true (2/√π)e^{−x²}. It costs ~70 elementwise ops: prefer the tanh GELU in hot loops
// until an erf primitive exists.
Tensor erf(const Tensor& x);
Tensor erfc(const Tensor& x);

enum class GeluApproximate {
  None,  // exact: x·Φ(x) = x·½·erfc(−x/√2) (PyTorch's default "none")
  Tanh,  // ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (PyTorch's approximate="tanh")
};

// GELU (Hendrycks & Gimpel, 2016). The default here is the tanh approximation, not PyTorch's
// exact form, because the exact one is a slow composite until erf becomes a primitive (see
// above); both match PyTorch to float64 rounding when asked for by name.
Tensor gelu(const Tensor& x, GeluApproximate approximate = GeluApproximate::Tanh);

// softplus(x) = (1/β)·log(1 + e^{βx}), and x itself where βx > threshold (as PyTorch, so the
// result is exactly linear far out). Computed stably with the two branches
//   βx > 0:  βx + log1p(e^{−βx})        βx ≤ 0:  log1p(e^{βx})
// so e^{·} never overflows; log1p of tiny arguments uses its series, so the result keeps its
// relative accuracy for very negative x too. β must be positive (ValueError otherwise).
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);

// --- dropout ---

// Inverted dropout: while `training`, each element is zeroed with probability p and the
// survivors are scaled by 1/(1 − p), so the expectation is unchanged and evaluation needs no
// rescaling. Not training (or p = 0): x itself. p = 1: x·0 (zeros). p outside [0, 1]: ValueError.
// The mask is drawn from `gen` (uniform u < 1 − p keeps an element).
Tensor dropout(const Tensor& x, double p, bool training, Generator& gen);
inline Tensor dropout(const Tensor& x, double p = 0.5, bool training = true) {
  return dropout(x, p, training, default_generator());
}

// --- normalization ---

// Batch normalization (Ioffe & Szegedy, 2015) over every dimension but the channel dimension 1
// of x [N, C, *]:
//   training:  μ = mean(x), σ² = mean((x − μ)²) (biased), over N and *;
//              y = (x − μ)/√(σ² + eps)·weight + bias.
//              The gradient flows through μ and σ², because they are computed with
//              differentiable ops (double backward works). When running_mean/var are given
//              they are updated in place, outside autograd, with the unbiased variance:
//                r_μ ← (1 − momentum)·r_μ + momentum·μ,   r_σ² ← (1 − momentum)·r_σ² +
//                momentum·σ²·n/(n − 1)
//              where n = N·prod(*). n = 1 is a ValueError (no variance to speak of), as PyTorch.
//   not training: y = (x − r_μ)/√(r_σ² + eps)·weight + bias; the running statistics are needed.
// weight, bias, running_mean and running_var are [C] or undefined.
Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum = 0.1,
                  double eps = 1e-5);

// Layer normalization (Ba, Kiros & Hinton, 2016) over the trailing dimensions given by
// normalized_shape: y = (x − μ)/√(σ² + eps)·weight + bias, μ and σ² (biased) per leading
// index. weight and bias have shape normalized_shape, or are undefined.
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = Tensor(),
                  const Tensor& bias = Tensor(), double eps = 1e-5);

}  // namespace descent::nn
