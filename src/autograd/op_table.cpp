#include "descent/autograd/op_table.h"

#include "op_defs.h"

namespace descent::autograd {

std::span<const OpDef* const> op_table() {
  using namespace defs;
  static const OpDef* const table[] = {
      &kAdd,         &kSub,       &kMul,       &kDiv,        &kPow,        &kMaximum,
      &kMinimum,     &kAddScalar, &kMulScalar, &kPowScalar,  &kRSubScalar, &kNeg,
      &kExp,         &kLog,       &kSqrt,      &kAbs,        &kTanh,       &kSigmoid,
      &kRelu,        &kLeakyRelu, &kClamp,     &kWhere,      &kCast,       &kSum,
      &kMean,        &kMax,       &kMin,       &kMatmul,     &kLinear,     &kReshape,
      &kPermute,     &kExpand,    &kSlice,     &kEmbedSlice, &kConcat,     &kContiguous,
      &kIndexSelect, &kIndexAdd,  &kGather,    &kScatterAdd, &kLogSoftmax, &kBatchNorm,
      &kLayerNorm,
  };
  return table;
}

}  // namespace descent::autograd
