#include "AttentionComputer.h"

#include "AttentionEngine.h"
#include "InputBuilder.h"
#include "ModelRunner.h"

namespace attn {

Expected<AttentionResult> AttentionComputer::compute(
    const InputSpec& spec, const Mechanism& mechanism, const ComputeControl& control)
{
    if (spec.kind == InputKind::Model)
        return ModelRunner::run(spec, control);
    if (spec.kind == InputKind::Image && !spec.modelPath.empty()) {
        if (!spec.image || !spec.image->isValid())
            return makeError("no decoded image for '" + spec.path + "'");
        return ModelRunner::runImage(spec.modelPath, *spec.image, control);
    }
    auto input = InputBuilder::build(spec, mechanism.dim);
    if (!input)
        return input.takeError();
    return AttentionEngine::compute(*input, mechanism, control);
}

} // namespace attn
