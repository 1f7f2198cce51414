#include "BilinearScore.h"

namespace attn {

void BilinearScore::compute(ConstMatrixRef q, ConstMatrixRef k, int head, ScoreMap out) const
{
    const Matrix qw = q * m_wa[static_cast<size_t>(head)];
    out.noalias() = qw * k.transpose();
}

} // namespace attn
