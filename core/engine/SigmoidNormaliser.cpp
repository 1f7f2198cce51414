#include "SigmoidNormaliser.h"

#include <Eigen/Core>

#include <algorithm>

namespace attn {

RowOutcome SigmoidNormaliser::normaliseRow(
    const float* scores, const uint8_t* visible, float* weights, int n, float temperature) const
{
    // Vectorised in chunks held on the stack: scores and weights may be the same buffer, so x
    // must be read before the chunk's weights are written.
    constexpr int kChunk = 256;
    using Chunk = Eigen::Array<float, Eigen::Dynamic, 1, 0, kChunk, 1>;
    const float invT = 1.0f / temperature;
    for (int j0 = 0; j0 < n; j0 += kChunk) {
        const int m = std::min(kChunk, n - j0);
        const Chunk x = Eigen::Map<const Eigen::ArrayXf>(scores + j0, m) * invT;
        // e = exp(-|x|) <= 1 never overflows: sigma(x) = 1 / (1 + e) for x >= 0, e / (1 + e) below.
        const Chunk e = (-x.abs()).exp();
        Eigen::Map<Eigen::ArrayXf>(weights + j0, m) = (x >= 0.0f).select((1.0f + e).inverse(), e / (1.0f + e));
    }
    if (!visible)
        return {};
    bool any = false;
    for (int j = 0; j < n; ++j) {
        if (visible[j])
            any = true;
        else
            weights[j] = 0.0f;
    }
    return {any ? RowOutcome::Ok : RowOutcome::FullyMasked};
}

} // namespace attn
