#pragma once
// The primitive ops' table entries, defined beside their forwards in ops_*.cpp and listed
// together in op_table.cpp.
#include "descent/autograd/node.h"

namespace descent::autograd::defs {

// elementwise binary
extern const OpDef kAdd, kSub, kMul, kDiv, kPow, kMaximum, kMinimum;
// with a scalar
extern const OpDef kAddScalar, kMulScalar, kPowScalar, kRSubScalar;
// elementwise unary
extern const OpDef kNeg, kExp, kLog, kSqrt, kAbs, kTanh, kSigmoid, kRelu, kLeakyRelu, kClamp,
    kWhere, kCast;
// reductions
extern const OpDef kSum, kMean, kMax, kMin;
// linear algebra
extern const OpDef kMatmul, kLinear;
// shape
extern const OpDef kReshape, kPermute, kExpand, kSlice, kEmbedSlice, kConcat, kContiguous;
// indexing
extern const OpDef kIndexSelect, kIndexAdd, kGather, kScatterAdd;
// softmax
extern const OpDef kLogSoftmax;
// normalization
extern const OpDef kBatchNorm, kLayerNorm;

}  // namespace descent::autograd::defs
