#include "ProjectionCache.h"

#include "ProjectionBuilder.h"

#include <mutex>
#include <tuple>

namespace attn {

namespace {
// Every Mechanism field ProjectionBuilder::build reads for random projections.
using Key = std::tuple<uint64_t, int, int, int, ScoreKind, DynamicKind>;

Key keyOf(const Mechanism& m, int inputDim)
{
    return {static_cast<uint64_t>(m.seed), inputDim, m.dim, m.heads, m.score, m.dynamic};
}
} // namespace

Expected<std::shared_ptr<const ProjectionWeights>> ProjectionCache::get(const Mechanism& mech, int inputDim)
{
    static std::mutex mutex;
    static Key lastKey;
    static std::shared_ptr<const ProjectionWeights> last;

    const bool cacheable = mech.projection == ProjectionKind::Random;
    if (cacheable) {
        const std::lock_guard lock(mutex);
        if (last && lastKey == keyOf(mech, inputDim))
            return last;
    }
    auto built = ProjectionBuilder::build(mech, inputDim);
    if (!built)
        return built.takeError();
    auto shared = std::make_shared<const ProjectionWeights>(std::move(*built));
    if (cacheable) {
        const std::lock_guard lock(mutex);
        lastKey = keyOf(mech, inputDim);
        last = shared;
    }
    return shared;
}

} // namespace attn
