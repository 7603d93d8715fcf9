#pragma once
// Everything of the nn layer (modules, initializers, functional forms, losses) in one include.
#include "descent/nn/activations.h"
#include "descent/nn/batchnorm.h"
#include "descent/nn/dropout.h"
#include "descent/nn/functional.h"
#include "descent/nn/init.h"
#include "descent/nn/layernorm.h"
#include "descent/nn/linear.h"
#include "descent/nn/losses.h"
#include "descent/nn/module.h"
#include "descent/nn/penalty.h"
#include "descent/nn/sequential.h"
#include "descent/nn/state_dict.h"
