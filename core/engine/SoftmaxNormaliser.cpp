#include "SoftmaxNormaliser.h"

#include <Eigen/Core>

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
    const Eigen::Map<const Eigen::ArrayXf> s(scores, n);
    Eigen::Map<Eigen::ArrayXf> w(weights, n);

    float maxScore = kNoMax;
    if (visible) {
        for (int j = 0; j < n; ++j)
            if (visible[j] && scores[j] > maxScore)
                maxScore = scores[j];
    } else {
        maxScore = s.maxCoeff();
    }
    if (maxScore == kNoMax) {
        w.setZero();
        return {RowOutcome::FullyMasked};
    }
    const float invT = 1.0f / temperature;
    w = ((s - maxScore) * invT).exp(); // coefficient-wise, so s and w may alias
    if (visible) {
        // Masked keys must be exactly 0 (the vectorised exp never returns 0), and a masked
        // key's score may exceed the visible maximum, where exp could be inf.
        for (int j = 0; j < n; ++j)
            if (!visible[j])
                weights[j] = 0.0f;
    }
    const float sum = w.sum(); // >= 1: the maximum contributes exp(0)
    w *= 1.0f / sum;
    return {};
}

} // namespace attn
