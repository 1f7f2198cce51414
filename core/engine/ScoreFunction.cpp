#include "ScoreFunction.h"

#include "AdditiveScore.h"
#include "BilinearScore.h"
#include "CosineScore.h"
#include "DotScore.h"
#include "ScaledDotScore.h"

namespace attn {

std::unique_ptr<ScoreFunction> ScoreFunction::create(ScoreKind kind, const ProjectionWeights& w)
{
    switch (kind) {
    case ScoreKind::Dot:
        return std::make_unique<DotScore>();
    case ScoreKind::ScaledDot:
        return std::make_unique<ScaledDotScore>();
    case ScoreKind::Additive:
        return std::make_unique<AdditiveScore>(w.additiveWq, w.additiveWk, w.additiveV);
    case ScoreKind::Bilinear:
        return std::make_unique<BilinearScore>(w.bilinear);
    case ScoreKind::Cosine:
        return std::make_unique<CosineScore>();
    }
    return nullptr;
}

} // namespace attn
