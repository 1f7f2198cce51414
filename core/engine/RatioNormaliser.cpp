#include "RatioNormaliser.h"

namespace attn {

RowOutcome RatioNormaliser::normaliseRow(
    const float* scores, const uint8_t* visible, float* weights, int n, float) const
{
    double sum = 0.0;
    bool any = false;
    for (int j = 0; j < n; ++j) {
        if (visible && !visible[j])
            continue;
        any = true;
        if (scores[j] < 0.0f)
            return {RowOutcome::NegativeScore, j, scores[j]};
        sum += scores[j];
    }
    if (!any) {
        for (int j = 0; j < n; ++j)
            weights[j] = 0.0f;
        return {RowOutcome::FullyMasked};
    }
    if (sum <= 0.0)
        return {RowOutcome::ZeroSum};
    const double inv = 1.0 / sum;
    for (int j = 0; j < n; ++j)
        weights[j] = !visible || visible[j] ? static_cast<float>(scores[j] * inv) : 0.0f;
    return {};
}

} // namespace attn
