#pragma once
// a_j = s_j / sum_k s_k over visible keys (seed 002). Defined only for non-negative scores:
// a negative score or an all-zero row is reported, never silently clamped.
#include "Normaliser.h"

namespace attn {

class RatioNormaliser final : public Normaliser {
public:
    RowOutcome normaliseRow(const float* scores, const uint8_t* visible, float* weights, int n,
        float temperature) const override;
};

} // namespace attn
