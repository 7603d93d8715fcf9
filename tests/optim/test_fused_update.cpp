// The fused update kernels (one pass over memory, vectorized, split over threads) against a
// reference that does the same equations with separate tensor ops, one rounding per op, in
// PyTorch's order (torch.optim's single-tensor path). The optimizer sources are compiled
// without floating-point contraction, so the two must agree bit for bit: for every option
// combination, in float32 and float64, on a small tensor, on a small one whose gradient is a
// non-contiguous view, and on one large enough to be split across threads.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "descent/descent.h"
#include "descent/kernels/parallel.h"
#include "descent/optim/adam.h"
#include "descent/optim/rmsprop.h"
#include "descent/optim/sgd.h"

namespace descent::optim {
namespace {

constexpr int kSteps = 3;

// A Python scalar applied to a tensor: rounded to the tensor's dtype, as the kernels do.
Tensor k(double v, DType dt) {
  return scalar_tensor(v, dt);
}

// Where the gradient comes from and how big the parameter is.
struct Layout {
  const char* name;
  Shape shape;
  bool transposed_grad;  // the gradient is transpose() of a contiguous tensor
};

const std::vector<Layout>& layouts() {
  static const std::vector<Layout> all = {
      {"small", Shape{7, 5}, false},
      {"non-contiguous grad", Shape{7, 5}, true},
      // 140,000 elements: more than twice the update grain (65,536), so the loop is split
      // over the pool.
      {"large", Shape{400, 350}, false},
  };
  return all;
}

// The gradient of step `step`: random values, laid out as the layout says.
Tensor make_grad(const Layout& lay, DType dt, Generator& gen) {
  if (!lay.transposed_grad) return randn(lay.shape, gen, dt);
  const Tensor base = randn(Shape{lay.shape[1], lay.shape[0]}, gen, dt);
  const Tensor g = transpose(base, 0, 1);
  EXPECT_FALSE(g.is_contiguous());
  return g;
}

// The first index where a and b differ in their bits, or -1.
int64_t first_difference(const Tensor& a, const Tensor& b) {
  const Tensor ca = contiguous(a), cb = contiguous(b);
  const size_t width = dtype_size(ca.dtype());
  const char* pa = static_cast<const char*>(ca.raw_data());
  const char* pb = static_cast<const char*>(cb.raw_data());
  for (int64_t i = 0; i < ca.numel(); ++i)
    if (std::memcmp(pa + i * width, pb + i * width, width) != 0) return i;
  return -1;
}

void expect_bitwise(const Tensor& fused, const Tensor& reference, const std::string& what) {
  ASSERT_TRUE(fused.defined()) << what;
  ASSERT_TRUE(reference.defined()) << what;
  ASSERT_EQ(fused.shape(), reference.shape()) << what;
  ASSERT_EQ(fused.dtype(), reference.dtype()) << what;
  const int64_t i = first_difference(fused, reference);
  EXPECT_EQ(i, -1) << what << ": element " << i << " is "
                   << fused.to_vector<double>()[static_cast<size_t>(i)] << " (fused), "
                   << reference.to_vector<double>()[static_cast<size_t>(i)] << " (tensor ops)";
}

// Runs `Opt` and a reference side by side for kSteps steps on every layout and dtype;
// `reference_step(param, grad)` advances the reference, `compare(opt, param)` checks
// everything. Two threads, so that the large layout really is split.
template <typename Opt, typename Options, typename RefState, typename RefStep, typename Compare>
void run_case(const Options& options, const std::string& label, RefStep reference_step,
              Compare compare) {
  const int saved_threads = kernels::num_threads();
  kernels::set_num_threads(2);
  for (const DType dt : {DType::Float32, DType::Float64}) {
    for (const Layout& lay : layouts()) {
      SCOPED_TRACE(label + ", " + std::string(dtype_name(dt)) + ", " + lay.name);
      Generator gen(7);
      Tensor p = randn(lay.shape, gen, dt);
      p.set_requires_grad();
      Tensor ref_p = clone(p.detach());
      RefState ref_state;
      Opt opt({p}, options);
      for (int s = 0; s < kSteps; ++s) {
        const Tensor g = make_grad(lay, dt, gen);
        p.set_grad(g);
        opt.step();
        reference_step(ref_p, g, ref_state);
        expect_bitwise(p, ref_p, "param after step " + std::to_string(s + 1));
        compare(*opt.state(0, 0), ref_state);
      }
    }
  }
  kernels::set_num_threads(saved_threads);
}

// --- SGD -----------------------------------------------------------------------------------

struct SGDReference {
  Tensor buffer;
};

// torch.optim.SGD's _single_tensor_sgd, one tensor op per rounding.
void sgd_reference(Tensor& p, const Tensor& grad, SGDReference& st, const SGDOptions& o) {
  const DType dt = p.dtype();
  Tensor d = o.maximize ? neg(grad) : grad;
  if (o.weight_decay != 0.0) d = d + k(o.weight_decay, dt) * p;
  if (o.momentum != 0.0) {
    st.buffer = st.buffer.defined() ? st.buffer * k(o.momentum, dt) + k(1.0 - o.dampening, dt) * d
                                    : contiguous(d);
    d = o.nesterov ? d + k(o.momentum, dt) * st.buffer : st.buffer;
  }
  p = p + k(-o.lr, dt) * d;
}

TEST(FusedUpdate, SGDMatchesTensorOpsBitwise) {
  int cases = 0;
  for (const bool maximize : {false, true})
    for (const double wd : {0.0, 0.1})
      for (const double momentum : {0.0, 0.9})
        for (const double dampening : {0.0, 0.3})
          for (const bool nesterov : {false, true}) {
            if (momentum == 0.0 && (dampening != 0.0 || nesterov)) continue;
            if (nesterov && dampening != 0.0) continue;  // not allowed
            const SGDOptions o{.lr = 0.05,
                               .momentum = momentum,
                               .dampening = dampening,
                               .weight_decay = wd,
                               .nesterov = nesterov,
                               .maximize = maximize};
            const std::string label =
                "sgd maximize=" + std::to_string(maximize) + " wd=" + std::to_string(wd) +
                " momentum=" + std::to_string(momentum) +
                " dampening=" + std::to_string(dampening) + " nesterov=" + std::to_string(nesterov);
            run_case<SGD, SGDOptions, SGDReference>(
                o, label,
                [&](Tensor& p, const Tensor& g, SGDReference& st) { sgd_reference(p, g, st, o); },
                [&](const SGDState& fused, const SGDReference& ref) {
                  if (momentum != 0.0) expect_bitwise(fused.momentum_buffer, ref.buffer, "buffer");
                });
            ++cases;
          }
  EXPECT_EQ(cases, 16);
}

// --- Adam / AdamW --------------------------------------------------------------------------

struct AdamReference {
  int64_t step = 0;
  Tensor m, v, vmax;
};

// torch.optim.Adam / AdamW's _single_tensor_adam(w), one tensor op per rounding.
template <typename O>
void adam_reference(Tensor& p, Tensor g, AdamReference& st, const O& o, bool decoupled) {
  const DType dt = p.dtype();
  if (!st.m.defined()) {
    st.m = zeros(p.shape(), dt);
    st.v = zeros(p.shape(), dt);
    st.vmax = zeros(p.shape(), dt);
  }
  ++st.step;
  const double b1 = o.betas[0], b2 = o.betas[1];
  const double bc1 = 1.0 - std::pow(b1, static_cast<double>(st.step));
  const double bc2 = 1.0 - std::pow(b2, static_cast<double>(st.step));
  if (o.maximize) g = neg(g);
  if (decoupled) {
    p = p * k(1.0 - o.lr * o.weight_decay, dt);
  } else if (o.weight_decay != 0.0) {
    g = g + k(o.weight_decay, dt) * p;
  }
  st.m = st.m * k(b1, dt) + k(1.0 - b1, dt) * g;
  st.v = st.v * k(b2, dt) + k(1.0 - b2, dt) * g * g;
  Tensor v_used = st.v;
  if (o.amsgrad) {
    st.vmax = maximum(st.vmax, st.v);
    v_used = st.vmax;
  }
  const Tensor denom = sqrt(v_used) / k(std::sqrt(bc2), dt) + k(o.eps, dt);
  p = p + k(-(o.lr / bc1), dt) * st.m / denom;
}

template <typename Opt, typename O>
void check_adam(bool decoupled, const char* name) {
  int cases = 0;
  for (const bool maximize : {false, true})
    for (const bool amsgrad : {false, true})
      for (const double wd : {0.0, 0.05}) {
        const O o{.lr = 0.01,
                  .betas = {0.8, 0.95},
                  .eps = 1e-6,
                  .weight_decay = wd,
                  .amsgrad = amsgrad,
                  .maximize = maximize};
        const std::string label = std::string(name) + " maximize=" + std::to_string(maximize) +
                                  " amsgrad=" + std::to_string(amsgrad) +
                                  " wd=" + std::to_string(wd);
        run_case<Opt, O, AdamReference>(
            o, label,
            [&](Tensor& p, const Tensor& g, AdamReference& st) {
              adam_reference(p, g, st, o, decoupled);
            },
            [&](const AdamState& fused, const AdamReference& ref) {
              EXPECT_EQ(fused.step, ref.step);
              expect_bitwise(fused.exp_avg, ref.m, "exp_avg");
              expect_bitwise(fused.exp_avg_sq, ref.v, "exp_avg_sq");
              if (amsgrad) expect_bitwise(fused.max_exp_avg_sq, ref.vmax, "max_exp_avg_sq");
            });
        ++cases;
      }
  EXPECT_EQ(cases, 8);
}

TEST(FusedUpdate, AdamMatchesTensorOpsBitwise) {
  check_adam<Adam, AdamOptions>(/*decoupled=*/false, "adam");
}

TEST(FusedUpdate, AdamWMatchesTensorOpsBitwise) {
  check_adam<AdamW, AdamWOptions>(/*decoupled=*/true, "adamw");
}

// --- RMSprop -------------------------------------------------------------------------------

struct RMSpropReference {
  Tensor square_avg, buffer, grad_avg;
};

// torch.optim.RMSprop's _single_tensor_rmsprop, one tensor op per rounding.
void rmsprop_reference(Tensor& p, Tensor g, RMSpropReference& st, const RMSpropOptions& o) {
  const DType dt = p.dtype();
  if (!st.square_avg.defined()) {
    st.square_avg = zeros(p.shape(), dt);
    st.buffer = zeros(p.shape(), dt);
    st.grad_avg = zeros(p.shape(), dt);
  }
  if (o.maximize) g = neg(g);
  if (o.weight_decay != 0.0) g = g + k(o.weight_decay, dt) * p;
  st.square_avg = st.square_avg * k(o.alpha, dt) + k(1.0 - o.alpha, dt) * g * g;
  Tensor avg;
  if (o.centered) {
    st.grad_avg = st.grad_avg * k(o.alpha, dt) + k(1.0 - o.alpha, dt) * g;
    avg = sqrt(st.square_avg + k(-1.0, dt) * st.grad_avg * st.grad_avg);
  } else {
    avg = sqrt(st.square_avg);
  }
  avg = avg + k(o.eps, dt);
  if (o.momentum > 0.0) {
    st.buffer = st.buffer * k(o.momentum, dt) + g / avg;
    p = p + k(-o.lr, dt) * st.buffer;
  } else {
    p = p + k(-o.lr, dt) * g / avg;
  }
}

TEST(FusedUpdate, RMSpropMatchesTensorOpsBitwise) {
  int cases = 0;
  for (const bool maximize : {false, true})
    for (const double wd : {0.0, 0.1})
      for (const bool centered : {false, true})
        for (const double momentum : {0.0, 0.5}) {
          const RMSpropOptions o{.lr = 0.01,
                                 .alpha = 0.9,
                                 .eps = 1e-6,
                                 .weight_decay = wd,
                                 .momentum = momentum,
                                 .centered = centered,
                                 .maximize = maximize};
          const std::string label =
              "rmsprop maximize=" + std::to_string(maximize) + " wd=" + std::to_string(wd) +
              " centered=" + std::to_string(centered) + " momentum=" + std::to_string(momentum);
          run_case<RMSprop, RMSpropOptions, RMSpropReference>(
              o, label,
              [&](Tensor& p, const Tensor& g, RMSpropReference& st) {
                rmsprop_reference(p, g, st, o);
              },
              [&](const RMSpropState& fused, const RMSpropReference& ref) {
                expect_bitwise(fused.square_avg, ref.square_avg, "square_avg");
                if (momentum > 0.0) expect_bitwise(fused.momentum_buffer, ref.buffer, "buffer");
                if (centered) expect_bitwise(fused.grad_avg, ref.grad_avg, "grad_avg");
              });
          ++cases;
        }
  EXPECT_EQ(cases, 16);
}

// The split over threads must not change a bit: the same large update with 1 and 2 threads.
TEST(FusedUpdate, ThreadCountDoesNotChangeTheResult) {
  const int saved_threads = kernels::num_threads();
  std::vector<Tensor> results;
  for (const int threads : {1, 2}) {
    kernels::set_num_threads(threads);
    Generator gen(3);
    Tensor p = randn(Shape{1000, 300}, gen);
    p.set_requires_grad();
    Adam opt({p}, {.lr = 0.01, .weight_decay = 0.01, .amsgrad = true});
    for (int s = 0; s < kSteps; ++s) {
      p.set_grad(randn(p.shape(), gen));
      opt.step();
    }
    results.push_back(p.detach());
  }
  kernels::set_num_threads(saved_threads);
  expect_bitwise(results[0], results[1], "param with 1 vs 2 threads");
}

}  // namespace
}  // namespace descent::optim
