#include "SoftmaxNormaliser.h"

#include <Eigen/Core>

#include <algorithm>
#include <limits>

namespace attn {

// One query's row is at most a few KiB-16 KiB and was just written by the score product, so
// it is in L1/L2: the three short passes below (max, exp, scale) run at cache speed. Eigen's
// array exp is its vectorised polynomial (AVX-512/AVX2), accurate to a few ulp, instead of
// one libm call per key.
RowOutcome SoftmaxNormaliser::normaliseRow(
    const float* scores, const uint8_t* visible, float* weights, int n, float temperature) const
{
    constexpr float kNoMax = -std::numeric_limits<float>::infinity();
    float maxScore = kNoMax;
    if (visible) {
        for (int j = 0; j < n; ++j)
            if (visible[j] && scores[j] > maxScore)
                maxScore = scores[j];
    } else {
        maxScore = Eigen::Map<const Eigen::ArrayXf>(scores, n).maxCoeff(); // max is exact in any order
    }
    if (maxScore == kNoMax) {
        std::fill(weights, weights + n, 0.0f);
        return {RowOutcome::FullyMasked};
    }
    // exp and the sum run on aligned chunks held on the stack, never on the row in place: Eigen
    // starts its packets at the first aligned element of an unaligned row and does the elements
    // before it with scalar exp, so the same row at another address (the map is a std::vector)
    // would round differently, and a reopened session would not give bit-identical weights.
    // On an aligned chunk the split into packets depends only on the length.
    constexpr int kChunk = 256;
    using Chunk = Eigen::Array<float, Eigen::Dynamic, 1, 0, kChunk, 1>;
    const float invT = 1.0f / temperature;
    float sum = 0.0f;
    for (int j0 = 0; j0 < n; j0 += kChunk) {
        const int m = std::min(kChunk, n - j0);
        Chunk e = ((Eigen::Map<const Eigen::ArrayXf>(scores + j0, m) - maxScore) * invT).exp();
        if (visible) {
            // Masked keys must be exactly 0 (the vectorised exp never returns 0), and a masked
            // key's score may exceed the visible maximum, where exp could be inf.
            for (int j = 0; j < m; ++j)
                if (!visible[j0 + j])
                    e[j] = 0.0f;
        }
        sum += e.sum(); // >= 1 in all: the maximum contributes exp(0)
        Eigen::Map<Eigen::ArrayXf>(weights + j0, m) = e; // scores and weights may be the same buffer: read first
    }
    Eigen::Map<Eigen::ArrayXf>(weights, n) *= 1.0f / sum; // one product per element: exact in any order
    return {};
}

} // namespace attn
