#pragma once
// Seed 003 §4.2's spatial attention over a feature grid (x: C channels on a rows x cols grid,
// zero-based cell (r, c) = row r * cols + c of `features`), as the seed's Attention module:
//   x1 = conv1x1(x)                    C -> C channels:  x1[o](r,c) = b1[o] + sum_i W1[o][i] x[i](r,c)
//   z  = conv7x7(concat(x, x1))        2C -> 1 channel, zero padding 3, stride 1:
//        z(r,c) = b2 + sum_{ch < 2C} sum_{dy,dx in 0..6} W2[ch][dy][dx] * concat[ch](r + dy - 3, c + dx - 3)
//   a  = sigmoid(z)                    one weight in (0, 1) per cell: the spatial map
//   y  = a * x                         the re-weighted features (each cell's vector times its weight)
// No activation between the two convolutions (the seed has none). The seed sums a*x over
// channels into a "context" and concatenates x1 again for its classifier; here the map and
// the re-weighted features are the results to show.
//
// Kernels are fixed: not trained, drawn once from PCG32 (seed kSeed = 3, for seed 003; stream
// kStream) with PyTorch's default Conv2d initialisation, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for
// weights and biases, fan_in = C for the 1x1 and 2C * 49 for the 7x7, drawn in the order W1
// (row-major [o][i]), b1, W2 ([ch][dy][dx]), b2. So the map is bit-identical on every machine
// and the same for a picture whatever the mechanism; it shows where the fixed filters respond,
// a picture of the mechanism, not of a trained model's judgement.
#include "Types.h"

#include <cstdint>
#include <vector>

namespace attn {

struct SpatialKernels {
    int channels = 0; // C
    Matrix w1; // [C, C]
    Vector b1; // [C]
    std::vector<float> w2; // [2C][7][7]
    float b2 = 0.0f;

    float conv(int channel, int dy, int dx) const
    {
        return w2[(static_cast<size_t>(channel) * 7 + dy) * 7 + dx];
    }
};

struct SpatialAttention {
    int rows = 0;
    int cols = 0;
    Matrix conv1; // x1 [cells, C]
    std::vector<float> logits; // z [cells]
    std::vector<float> map; // a = sigmoid(z) [cells]
    Matrix reweighted; // y = a * x [cells, C]
};

class SpatialAttentionMap {
public:
    static constexpr int kKernel = 7;
    static constexpr uint64_t kSeed = 3;
    static constexpr uint64_t kStream = 0x5eed003ULL;

    static SpatialKernels kernels(int channels);
    // features: [rows * cols, C] with rows * cols > 0 (a programmer error otherwise).
    static SpatialAttention compute(const Matrix& features, int rows, int cols);
    static SpatialAttention compute(
        const Matrix& features, int rows, int cols, const SpatialKernels& kernels);
};

} // namespace attn
