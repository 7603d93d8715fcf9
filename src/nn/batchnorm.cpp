#include "descent/nn/batchnorm.h"

#include <string>

#include "descent/autograd/grad_mode.h"
#include "descent/core/error.h"
#include "descent/nn/functional.h"
#include "repr_number.h"

namespace descent::nn {

BatchNorm1d::BatchNorm1d(int64_t num_features, BatchNormOptions opts)
    : num_features(num_features), options(opts) {
  if (num_features < 0)
    throw ValueError("BatchNorm1d: num_features must be non-negative, got " +
                     std::to_string(num_features));
  if (!is_floating(opts.dtype))
    throw DTypeError("BatchNorm1d: dtype must be floating, got " +
                     std::string(dtype_name(opts.dtype)));
  if (!(opts.eps >= 0.0))
    throw ValueError("BatchNorm1d: eps must be non-negative, got " + std::to_string(opts.eps));
  if (opts.affine) {
    weight = register_parameter("weight", ones({num_features}, opts.dtype));
    bias = register_parameter("bias", zeros({num_features}, opts.dtype));
  }
  if (opts.track_running_stats) {
    running_mean = register_buffer("running_mean", zeros({num_features}, opts.dtype));
    running_var = register_buffer("running_var", ones({num_features}, opts.dtype));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, DType::Int64));
  }
}

void BatchNorm1d::reset_running_stats() {
  if (!options.track_running_stats) return;
  NoGradGuard no_grad;
  running_mean.zero_();
  running_var.fill_(1.0);
  num_batches_tracked.zero_();
}

Tensor BatchNorm1d::forward(const Tensor& input) {
  if (!input.defined()) throw ValueError("BatchNorm1d: input is undefined");
  if (input.dim() != 2 && input.dim() != 3)
    throw ShapeError("BatchNorm1d: expected 2-D [N, C] or 3-D [N, C, L] input, got shape " +
                     input.shape().str());
  if (input.size(1) != num_features)
    throw ShapeError("BatchNorm1d: input of shape " + input.shape().str() + " has " +
                     std::to_string(input.size(1)) + " channels in dimension 1, expected " +
                     std::to_string(num_features));

  const bool use_batch_stats = is_training() || !options.track_running_stats;
  // Checked here too (batch_norm checks it) so that a failing call changes no buffer.
  if (use_batch_stats && input.numel() == num_features && num_features > 0)
    throw ValueError(
        "BatchNorm1d: expected more than 1 value per channel when training, got "
        "input of shape " +
        input.shape().str());

  double factor = 0.0;  // weight of this batch in the running statistics
  if (is_training() && options.track_running_stats) {
    NoGradGuard no_grad;
    num_batches_tracked.add_(ones({}, DType::Int64));
    factor = options.momentum ? *options.momentum
                              : 1.0 / static_cast<double>(num_batches_tracked.item());
  }
  // Running statistics are passed only when they are read (evaluation) or updated (training).
  const bool pass_running = options.track_running_stats;
  return batch_norm(input, pass_running ? running_mean : Tensor(),
                    pass_running ? running_var : Tensor(), weight, bias, use_batch_stats, factor,
                    options.eps);
}

std::string BatchNorm1d::extra_repr() const {
  return std::to_string(num_features) + ", eps=" + detail::repr_number(options.eps) +
         ", momentum=" + (options.momentum ? detail::repr_number(*options.momentum) : "None") +
         ", affine=" + (options.affine ? "True" : "False") +
         ", track_running_stats=" + (options.track_running_stats ? "True" : "False");
}

}  // namespace descent::nn
