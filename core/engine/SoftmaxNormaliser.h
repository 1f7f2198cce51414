#pragma once
// a_j = exp(s_j / T) / sum_k exp(s_k / T) over visible keys, computed as exp((s_j - max) / T)
// so that large scores cannot overflow.
#include "Normaliser.h"

namespace attn {

class SoftmaxNormaliser final : public Normaliser {
public:
    RowOutcome normaliseRow(const float* scores, const uint8_t* visible, float* weights, int n,
        float temperature) const override;
};

} // namespace attn
