#include "DotScore.h"

namespace attn {

void DotScore::compute(const Matrix& q, const Matrix& k, int, ScoreMap out) const
{
    out.noalias() = q * k.transpose();
}

} // namespace attn
