#pragma once
// Builds ProjectionWeights for a mechanism: identity (Q = K = V = X), random (seeded
// Xavier-uniform from PCG32, bit-identical on every machine), or read from a safetensors file
// holding torch.nn.MultiheadAttention's state_dict (in_proj_weight [3E,E], in_proj_bias [3E],
// out_proj.weight [E,E], out_proj.bias [E]).
#include "Expected.h"
#include "Mechanism.h"
#include "ProjectionWeights.h"

namespace attn {

class ProjectionBuilder {
public:
    static Expected<ProjectionWeights> build(const Mechanism& mechanism, int inputDim);
    // Xavier-uniform [rows, cols] matrix: U(-a, a), a = sqrt(6 / (rows + cols)), drawn row by row.
    static Matrix xavier(class Pcg32& rng, int rows, int cols);
};

} // namespace attn
