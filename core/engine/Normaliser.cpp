#include "Normaliser.h"

#include "RatioNormaliser.h"
#include "SigmoidNormaliser.h"
#include "SoftmaxNormaliser.h"

namespace attn {

std::unique_ptr<Normaliser> Normaliser::create(NormKind kind)
{
    switch (kind) {
    case NormKind::Softmax:
        return std::make_unique<SoftmaxNormaliser>();
    case NormKind::Sigmoid:
        return std::make_unique<SigmoidNormaliser>();
    case NormKind::Ratio:
        return std::make_unique<RatioNormaliser>();
    }
    return nullptr;
}

} // namespace attn
