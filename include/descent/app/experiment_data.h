#pragma once
// The data of an experiment: the dataset a DataConfig names, split into train and test, limited
// and transformed (transforms fitted on the training split only) and converted to the run's
// dtype.
#include <cstdint>

#include "descent/app/config.h"
#include "descent/core/dtype.h"
#include "descent/data/dataset.h"

namespace descent::app {

// Synthetic sets are drawn from a Generator seeded with `seed`, so a config gives the same data
// on every machine.
data::Split prepare_data(const DataConfig& config, uint64_t seed, DType dtype);

}  // namespace descent::app
