#pragma once
// Device selection for `--gpu`, and the hot loops with a CPU path and (in `make CUDA=1` builds) a CUDA path.
#include <span>
#include <string>

#include "field/field.hpp"

namespace zkm31::gpu {

// True when this build has CUDA support and a device is present.
bool available();
// Describes the device or why there is none ("this build has no CUDA support", "no CUDA device").
std::string describe();
// For `--gpu`: throws NotSupported with the reason when no device can be used.
void require();

// out[j] = fold_pair(in[2j], in[2j+1], r); in.size() = 2·out.size(). On the device when use_device.
void fold_lowest(std::span<const QM31> in, QM31 r, std::span<QM31> out, bool use_device = false);
// Σ_j deg2_round_terms over the pairs of a and b: the round polynomial at 0 and 2.
void deg2_round(std::span<const QM31> a, std::span<const QM31> b, QM31& at0, QM31& at2, bool use_device = false);

}  // namespace zkm31::gpu
