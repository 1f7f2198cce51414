#include "TokenView.h"

#include "WordAggregation.h"

namespace attn {

Expected<AttentionResult> TokenView::apply(const AttentionResult& result, const TokenViewOptions& options)
{
    if (!options.filter.any())
        return options.mergeWords ? WordAggregation::apply(result) : Expected<AttentionResult>(result);
    auto filtered = TokenFilter::apply(result, options.filter);
    if (!filtered || !options.mergeWords)
        return filtered;
    return WordAggregation::apply(*filtered);
}

} // namespace attn
