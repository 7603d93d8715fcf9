#pragma once
// Everything of the engine in one include.
#include "descent/autograd/engine.h"
#include "descent/autograd/grad_mode.h"
#include "descent/autograd/gradcheck.h"
#include "descent/autograd/ops.h"
#include "descent/core/dtype.h"
#include "descent/core/error.h"
#include "descent/core/rng.h"
#include "descent/core/shape.h"
#include "descent/core/tensor.h"
