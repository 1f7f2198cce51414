#pragma once
// a_j = sigmoid(s_j / T): an independent gate per key (seed 004); the weights do not sum to 1.
#include "Normaliser.h"

namespace attn {

class SigmoidNormaliser final : public Normaliser {
public:
    RowOutcome normaliseRow(const float* scores, const uint8_t* visible, float* weights, int n,
        float temperature) const override;
};

} // namespace attn
