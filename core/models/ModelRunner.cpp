#include "ModelRunner.h"

#include "LoadedModel.h"
#include "MemoryBudget.h"
#include "ModelResultBuilder.h"
#include "VitImagePreprocessor.h"

#include <algorithm>
#include <chrono>

namespace attn {

namespace {

double millisecondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

Expected<ModelFiles> ModelRunner::locate(const std::string& path)
{
    return ModelLocator::locate(path);
}

Expected<std::vector<std::string>> ModelRunner::tokenize(const std::string& path, const std::string& prompt)
{
    auto loaded = LoadedModel::load(path);
    if (!loaded)
        return loaded.takeError();
    auto tokens = (*loaded)->encode(prompt);
    if (!tokens)
        return tokens.takeError();
    return tokens->labels;
}

Expected<AttentionResult> ModelRunner::run(const InputSpec& spec, const ComputeControl& control)
{
    const auto start = std::chrono::steady_clock::now();
    auto loaded = LoadedModel::load(spec.path, control);
    if (!loaded)
        return loaded.takeError();
    const LoadedModel& m = **loaded;
    if (control.cancelled())
        return makeError("cancelled");
    auto tokens = m.encode(spec.text);
    if (!tokens)
        return tokens.takeError();
    const TransformerStack& stack = *m.stack();
    AttentionResult r;
    std::vector<float> lastLogits;
    const TransformerSpec& shape = stack.spec();
    const uint64_t capturedBytes = static_cast<uint64_t>(shape.layers) * static_cast<uint64_t>(shape.heads)
        * static_cast<uint64_t>(tokens->ids.size()) * static_cast<uint64_t>(tokens->ids.size()) * sizeof(float);
    const bool onDemand = spec.mapCapture == InputSpec::MapCapture::OnDemand
        || (spec.mapCapture == InputSpec::MapCapture::Automatic
            && (capturedBytes > InputSpec::kAutomaticOnDemandBytes || capturedBytes > memoryLimitOr(control.memoryLimitBytes)));
    if (onDemand) {
        auto trace = stack.trace(tokens->ids, control);
        if (!trace)
            return trace.takeError();
        trace->tokenLabels = tokens->labels;
        lastLogits = std::move(trace->lastLogits);
        r = ModelResultBuilder::build(std::move(*trace), stack.spec().hidden, stack.spec().causal, m.files.checkpoint,
            memoryLimitOr(control.memoryLimitBytes));
    } else {
        auto attention = stack.forward(tokens->ids, true, control);
        if (!attention)
            return attention.takeError();
        attention->tokenLabels = tokens->labels;
        lastLogits = std::move(attention->lastLogits);
        r = ModelResultBuilder::build(*attention, stack.spec().hidden, stack.spec().causal, m.files.checkpoint);
    }
    r.source = m.sourceDescription();
    for (int id : r.tokenIds)
        r.specialTokens.push_back(m.specialIds.count(id) ? 1 : 0);
    if (!lastLogits.empty()) {
        const auto [id, probability] = ModelResultBuilder::argmaxWithProbability(lastLogits);
        r.nextToken = m.nextTokenLabel(id);
        r.nextTokenProbability = probability;
    }
    r.computeMilliseconds = millisecondsSince(start);
    return r;
}

Expected<HfConfig> ModelRunner::visionConfig(const std::string& path)
{
    auto files = locate(path);
    if (!files)
        return files.takeError();
    if (!files->isHuggingFace())
        return makeError("'" + files->checkpoint + "' is a llama2.c language model, not a vision transformer");
    auto config = HfConfig::readFile(files->config);
    if (!config)
        return config.takeError();
    if (!config->isVision())
        return makeError("'" + files->checkpoint + "' is a " + config->modelType + " model, not a vision transformer (ViT)");
    return config;
}

Expected<AttentionResult> ModelRunner::runImage(
    const std::string& path, const ImageBuffer& image, const ComputeControl& control)
{
    const auto start = std::chrono::steady_clock::now();
    if (!image.isValid())
        return makeError("the picture '" + image.sourceName + "' has no pixels (or its buffer does not match " +
                         std::to_string(image.width) + " x " + std::to_string(image.height) + " RGB)");
    auto loaded = LoadedModel::load(path, control);
    if (!loaded)
        return loaded.takeError();
    const LoadedModel& m = **loaded;
    if (!m.vit)
        return makeError("'" + m.files.checkpoint + "' is not a vision transformer (" +
                         (m.gguf ? "GGUF " + m.gguf->summary().architecture : m.files.isHuggingFace() ? m.config.modelType : std::string("llama2.c")) +
                         "): give it a text prompt, or open the picture with a ViT model");
    const HfConfig& c = m.config;
    if (c.channels != 3)
        return makeError("this ViT takes " + std::to_string(c.channels) + " channels; pictures are RGB (3)");
    const auto normalisation = VitImagePreprocessor::normalisationFor(c.architecture);
    auto attention = m.vit->forward(
        VitImagePreprocessor::pixels(image, c.imageSize, normalisation), c.imageSize, true, control);
    if (!attention)
        return attention.takeError();
    AttentionResult r = ModelResultBuilder::build(*attention, c.hiddenSize, false, m.files.checkpoint);
    r.source = m.sourceDescription();
    r.specialTokens.assign(static_cast<size_t>(r.queryCount), 0);
    std::fill_n(r.specialTokens.begin(), m.vit->leadingTokens(), uint8_t { 1 }); // CLS (DeiT: and DIST)
    r.gridRows = r.gridCols = c.patchesPerSide();
    r.gridPatch = c.patchSize;
    r.gridWidth = image.width;
    r.gridHeight = image.height;
    r.computeMilliseconds = millisecondsSince(start);
    return r;
}

Expected<std::vector<GeneratedToken>> ModelRunner::generate(
    const std::string& path, const std::string& prompt, int steps, const ComputeControl& control)
{
    if (steps < 1)
        return makeError("the number of steps must be at least 1 (got " + std::to_string(steps) + ")");
    auto loaded = LoadedModel::load(path, control);
    if (!loaded)
        return loaded.takeError();
    const LoadedModel& m = **loaded;
    auto tokens = m.encode(prompt);
    if (!tokens)
        return tokens.takeError();
    auto generated = m.stack()->generateGreedy(tokens->ids, steps, control);
    if (!generated)
        return generated.takeError();
    const std::vector<std::string> pieces = m.generatedPieces(tokens->ids, *generated);
    std::vector<GeneratedToken> out;
    for (size_t i = 0; i < generated->size(); ++i)
        out.push_back({ (*generated)[i], pieces[i] });
    return out;
}

} // namespace attn
