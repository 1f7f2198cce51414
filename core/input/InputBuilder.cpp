#include "InputBuilder.h"

#include "FileBytes.h"
#include "ImageFeatureEncoder.h"
#include "ImagePatchEncoder.h"
#include "SequenceParser.h"
#include "SpatialAttentionMap.h"
#include "TextEmbedder.h"

namespace attn {

namespace {
struct Part {
    Matrix values;
    std::vector<std::string> labels;
    std::vector<int> padded;
};

Expected<Part> fromText(const std::string& text, const InputSpec& spec, int dim, const std::string& what)
{
    Part part;
    part.labels = TextTokenizer::tokenize(text, spec.tokenizer);
    if (part.labels.empty())
        return makeError(what + " has no tokens (it is empty or only whitespace)");
    part.values = TextEmbedder::embed(part.labels, dim, spec.positions);
    for (size_t i = 0; i < part.labels.size(); ++i)
        if (TextTokenizer::isPadding(part.labels[i]))
            part.padded.push_back(static_cast<int>(i));
    return part;
}

Expected<Part> buildPart(InputKind kind, const std::string& text, const std::string& path, const InputSpec& spec,
    int dim, const std::string& what)
{
    switch (kind) {
    case InputKind::Text:
        return fromText(text, spec, dim, "the " + what + " text");
    case InputKind::TextFile: {
        auto bytes = FileBytes::read(path, InputBuilder::kMaxTextBytes);
        if (!bytes)
            return bytes.takeError();
        return fromText(*bytes, spec, dim, "'" + path + "'");
    }
    case InputKind::Sequence: {
        auto seq = SequenceParser::parseInline(text);
        if (!seq)
            return makeError("the " + what + " sequence: " + seq.error());
        return Part{std::move(seq->values), std::move(seq->labels), {}};
    }
    case InputKind::SequenceFile: {
        auto seq = SequenceParser::readFile(path);
        if (!seq)
            return seq.takeError();
        return Part{std::move(seq->values), std::move(seq->labels), {}};
    }
    case InputKind::Model:
        return makeError("a model input is run by ModelRunner, not encoded as a sequence");
    case InputKind::Image:
        return makeError("the " + what + " cannot be a picture: a picture attends over itself (no cross-attention)");
    }
    return makeError("unknown input kind");
}

Expected<AttentionInput> fromImage(const InputSpec& spec)
{
    if (spec.isCross())
        return makeError("cross-attention with a picture is not supported: a picture attends over itself "
                         "(remove the queries)");
    if (!spec.image) {
        // A missing file gives the same message as any other missing input file.
        if (!spec.path.empty())
            if (auto size = FileBytes::size(spec.path); !size)
                return size.takeError();
        return makeError("no decoded image" + (spec.path.empty() ? std::string() : " for '" + spec.path + "'") +
                         ": pictures are decoded by the application (PNG, JPEG, ...) before they are encoded");
    }
    const ImageBuffer& image = *spec.image;
    const ImageOptions& options = spec.imageOptions;
    auto input = options.encoding == ImageEncoding::Patches ? ImagePatchEncoder::encode(image, options)
                                                            : ImageFeatureEncoder::encode(image, options);
    if (!input)
        return input.takeError();
    ImageOptions plain = options;
    plain.positions = false;
    if (options.encoding == ImageEncoding::Features && !options.positions) {
        input->spatialMap = SpatialAttentionMap::compute(input->keys, input->gridRows, input->gridCols).map;
    } else {
        auto features = ImageFeatureEncoder::encode(image, plain);
        if (!features)
            return features.takeError();
        input->spatialMap = SpatialAttentionMap::compute(features->keys, features->gridRows, features->gridCols).map;
    }
    return input;
}
} // namespace

const char* toString(InputKind k)
{
    switch (k) {
    case InputKind::Text:
        return "text";
    case InputKind::TextFile:
        return "text-file";
    case InputKind::Sequence:
        return "sequence";
    case InputKind::SequenceFile:
        return "sequence-file";
    case InputKind::Model:
        return "model";
    case InputKind::Image:
        return "image";
    }
    return "?";
}

Expected<AttentionInput> InputBuilder::build(const InputSpec& spec, int embeddingDim)
{
    if (spec.kind == InputKind::Image)
        return fromImage(spec);
    const int dim = embeddingDim > 0 ? embeddingDim : 64;
    auto keys = buildPart(spec.kind, spec.text, spec.path, spec, dim, "input");
    if (!keys)
        return keys.takeError();
    AttentionInput input;
    input.keys = std::move(keys->values);
    input.keyLabels = std::move(keys->labels);
    input.paddedKeys = std::move(keys->padded);
    if (spec.isCross()) {
        auto queries = buildPart(spec.queryKind, spec.queryText, spec.queryPath, spec, dim, "query");
        if (!queries)
            return queries.takeError();
        input.queries = std::move(queries->values);
        input.queryLabels = std::move(queries->labels);
    }
    return input;
}

} // namespace attn
