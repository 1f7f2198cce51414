#pragma once
// A score function turns one head's queries (Nq x d_k) and keys (Nk x d_k) into raw scores
// (Nq x Nk, rows are queries). One subclass per score the seeds name.
#include "Mechanism.h"
#include "ProjectionWeights.h"
#include "Types.h"

#include <memory>

namespace attn {

using ScoreMap = Eigen::Map<Matrix>;

class ScoreFunction {
public:
    virtual ~ScoreFunction() = default;
    virtual void compute(const Matrix& q, const Matrix& k, int head, ScoreMap out) const = 0;

    static std::unique_ptr<ScoreFunction> create(ScoreKind kind, const ProjectionWeights& weights);
};

} // namespace attn
