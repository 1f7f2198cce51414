#include "SigmoidNormaliser.h"

#include <cmath>

namespace attn {

RowOutcome SigmoidNormaliser::normaliseRow(
    const float* scores, const uint8_t* visible, float* weights, int n, float temperature) const
{
    const float invT = 1.0f / temperature;
    bool any = false;
    for (int j = 0; j < n; ++j) {
        if (!visible[j]) {
            weights[j] = 0.0f;
            continue;
        }
        any = true;
        const float x = scores[j] * invT;
        // Two branches so that exp never overflows.
        weights[j] = x >= 0.0f ? 1.0f / (1.0f + std::exp(-x)) : std::exp(x) / (1.0f + std::exp(x));
    }
    return {any ? RowOutcome::Ok : RowOutcome::FullyMasked};
}

} // namespace attn
