#pragma once
// A score function turns one head's queries (Nq x d_k) and keys (Nk x d_k) into raw scores
// (Nq x Nk, rows are queries). One subclass per score the seeds name.
// The engine calls it once per (head, block of query rows), with q and k as views into the
// [N, E] Q and K matrices (no per-head copies) and `out` as that block's rows of the map.
#include "Mechanism.h"
#include "ProjectionWeights.h"
#include "Types.h"

#include <memory>

namespace attn {

using ScoreMap = Eigen::Map<Matrix>;
// A head's columns of Q or K (or a block of its rows): row-major with the stride of the full matrix.
using ConstMatrixRef = Eigen::Ref<const Matrix, 0, Eigen::OuterStride<>>;

class ScoreFunction {
public:
    virtual ~ScoreFunction() = default;
    virtual void compute(ConstMatrixRef q, ConstMatrixRef k, int head, ScoreMap out) const = 0;

    static std::unique_ptr<ScoreFunction> create(ScoreKind kind, const ProjectionWeights& weights);
};

} // namespace attn
