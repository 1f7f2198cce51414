#include "SoftmaxNormaliser.h"

#include <cmath>
#include <limits>

namespace attn {

RowOutcome SoftmaxNormaliser::normaliseRow(
    const float* scores, const uint8_t* visible, float* weights, int n, float temperature) const
{
    float maxScore = -std::numeric_limits<float>::infinity();
    for (int j = 0; j < n; ++j)
        if (visible[j] && scores[j] > maxScore)
            maxScore = scores[j];
    if (maxScore == -std::numeric_limits<float>::infinity()) {
        for (int j = 0; j < n; ++j)
            weights[j] = 0.0f;
        return {RowOutcome::FullyMasked};
    }
    const float invT = 1.0f / temperature;
    float sum = 0.0f;
    for (int j = 0; j < n; ++j) {
        const float e = visible[j] ? std::exp((scores[j] - maxScore) * invT) : 0.0f;
        weights[j] = e;
        sum += e;
    }
    const float inv = 1.0f / sum; // sum >= 1: the maximum contributes exp(0)
    for (int j = 0; j < n; ++j)
        weights[j] *= inv;
    return {};
}

} // namespace attn
