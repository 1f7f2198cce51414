#pragma once
// A normaliser turns one query's row of raw scores into weights, over the visible keys only;
// masked keys get weight exactly 0. `scores` and `weights` may be the same buffer.
// `visible` is null when every key is visible (MaskSpec::isTrivial()): the engine then skips
// building the per-row mask and the normaliser its per-key test, so the row vectorises.
#include "Mechanism.h"

#include <cstdint>
#include <memory>

namespace attn {

struct RowOutcome {
    enum Kind { Ok, FullyMasked, NegativeScore, ZeroSum } kind = Ok;
    int key = -1;       // the offending key for NegativeScore
    float value = 0.0f; // its score
};

class Normaliser {
public:
    virtual ~Normaliser() = default;
    virtual RowOutcome normaliseRow(
        const float* scores, const uint8_t* visible, float* weights, int n, float temperature) const = 0;

    static std::unique_ptr<Normaliser> create(NormKind kind);
};

} // namespace attn
