#include "DotScore.h"

namespace attn {

void DotScore::compute(ConstMatrixRef q, ConstMatrixRef k, int, ScoreMap out) const
{
    out.noalias() = q * k.transpose();
}

} // namespace attn
