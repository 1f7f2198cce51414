#include "MechanismOptions.h"

#include "ImageDecoder.h"
#include "SampleCatalog.h"

#include <QCommandLineParser>

namespace {

using attn::InputKind;

CliError parseInt(const QCommandLineParser& p, const QString& name, int& out, int minimum)
{
    if (!p.isSet(name))
        return {};
    bool ok = false;
    const int v = p.value(name).toInt(&ok);
    if (!ok)
        return CliError::usage(QStringLiteral("--%1: '%2' is not a whole number").arg(name, p.value(name)));
    if (v < minimum)
        return CliError::usage(QStringLiteral("--%1 must be at least %2 (got %3)").arg(name).arg(minimum).arg(v));
    out = v;
    return {};
}

template <class E>
CliError parseEnum(const QCommandLineParser& p, const QString& name, E& out,
    std::optional<E> (*parse)(const std::string&), const char* choices)
{
    if (!p.isSet(name))
        return {};
    const auto v = parse(p.value(name).toStdString());
    if (!v)
        return CliError::usage(QStringLiteral("--%1: '%2' is not one of %3")
                                   .arg(name, p.value(name), QString::fromLatin1(choices)));
    out = *v;
    return {};
}

} // namespace

CliError MechanismOptions::parseScope(const QString& option, const QString& text, attn::Mechanism& m)
{
    const QStringList parts = text.split(QLatin1Char(':'));
    const auto kind = attn::parseScopeKind(parts.front().toStdString());
    const QString usage = QStringLiteral("--%1: '%2' is not global, local:W or hybrid:W:G").arg(option, text);
    if (!kind)
        return CliError::usage(usage);
    m.scope = *kind;
    auto number = [&](int index, int& out) {
        bool ok = false;
        out = parts[index].toInt(&ok);
        return ok;
    };
    switch (*kind) {
    case attn::ScopeKind::Global:
        if (parts.size() != 1)
            return CliError::usage(usage);
        break;
    case attn::ScopeKind::Local:
        if (parts.size() != 2 || !number(1, m.window))
            return CliError::usage(usage);
        break;
    case attn::ScopeKind::Hybrid:
        if (parts.size() != 3 || !number(1, m.window) || !number(2, m.globalTokens))
            return CliError::usage(usage);
        break;
    }
    return {};
}

void MechanismOptions::addTo(QCommandLineParser& p)
{
    p.addOptions({
        {QStringLiteral("sample"), QStringLiteral("A bundled sample (see 'attnscope samples')."), QStringLiteral("NAME")},
        {QStringLiteral("model"), QStringLiteral("A checkpoint or its folder (llama2.c .bin; Hugging Face bert, gpt2, llama .safetensors with config.json); --text is the prompt."), QStringLiteral("PATH")},
        {QStringLiteral("text"), QStringLiteral("Text to attend over."), QStringLiteral("STR")},
        {QStringLiteral("text-file"), QStringLiteral("A UTF-8 text file."), QStringLiteral("F")},
        {QStringLiteral("sequence"), QStringLiteral("Numbers: '1,2,3' or vectors '1,2;2,3'."), QStringLiteral("STR")},
        {QStringLiteral("sequence-file"), QStringLiteral("A CSV file, one element per row."), QStringLiteral("F.csv")},
        {QStringLiteral("npy"), QStringLiteral("A .npy array (N or N x d, float32/float64)."), QStringLiteral("F.npy")},
        {QStringLiteral("queries-sequence"), QStringLiteral("Cross-attention: queries as a sequence."), QStringLiteral("STR")},
        {QStringLiteral("queries-npy"), QStringLiteral("Cross-attention: queries from a .npy array."), QStringLiteral("F.npy")},
        {QStringLiteral("queries-text"), QStringLiteral("Cross-attention: queries from text."), QStringLiteral("STR")},
        {QStringLiteral("tokenizer"), QStringLiteral("word (default) or character."), QStringLiteral("KIND")},
        {QStringLiteral("positions"), QStringLiteral("Add sinusoidal positions to text embeddings.")},
        {QStringLiteral("image"), QStringLiteral("A picture (png, jpeg, bmp, gif, webp, tiff); downscaled to 1024 px."),
            QStringLiteral("F")},
        {QStringLiteral("patch"), QStringLiteral("Image: the patch size P in pixels (default 16)."), QStringLiteral("P")},
        {QStringLiteral("encoding"), QStringLiteral("Image: patches (ViT, default) or features (CNN-like)."),
            QStringLiteral("E")},
        {QStringLiteral("fit"), QStringLiteral("Image: crop (default) or pad to whole patches."), QStringLiteral("FIT")},
        {QStringLiteral("no-positions"), QStringLiteral("Image: leave out the 2-D sinusoidal positions.")},
        {QStringLiteral("score"), QStringLiteral("dot|scaled-dot|additive|bilinear|cosine"), QStringLiteral("S")},
        {QStringLiteral("norm"), QStringLiteral("softmax|sigmoid|ratio"), QStringLiteral("N")},
        {QStringLiteral("scope"), QStringLiteral("global|local:W|hybrid:W:G"), QStringLiteral("SCOPE")},
        {QStringLiteral("causal"), QStringLiteral("Mask keys after the query.")},
        {QStringLiteral("heads"), QStringLiteral("Number of heads H (must divide the dimension)."), QStringLiteral("H")},
        {QStringLiteral("dim"), QStringLiteral("Text embedding / random projection dimension."), QStringLiteral("D")},
        {QStringLiteral("temperature"), QStringLiteral("Softmax/sigmoid temperature T > 0."), QStringLiteral("T")},
        {QStringLiteral("seed"), QStringLiteral("Seed of random projections and gates."), QStringLiteral("S")},
        {QStringLiteral("projection"), QStringLiteral("identity|random|FILE.safetensors"), QStringLiteral("P")},
        {QStringLiteral("dynamic"), QStringLiteral("none|gate|temperature (dynamic attention)."), QStringLiteral("D")},
        {QStringLiteral("combine"), QStringLiteral("weighted-sum|element-wise|soft-selection"), QStringLiteral("C")},
        {QStringLiteral("top-k"), QStringLiteral("k for soft selection."), QStringLiteral("K")},
        {QStringLiteral("memory-limit"), QStringLiteral("Memory budget in MB for attention maps (default: half of RAM)."),
            QStringLiteral("MB")},
    });
}

CliError MechanismOptions::read(const QCommandLineParser& p, attn::InputSpec& in, attn::Mechanism& m)
{
    const QStringList sources{QStringLiteral("sample"), QStringLiteral("text"), QStringLiteral("text-file"),
        QStringLiteral("sequence"), QStringLiteral("sequence-file"), QStringLiteral("npy"), QStringLiteral("image")};
    if (p.isSet(QStringLiteral("model")) && p.isSet(QStringLiteral("image"))) {
        // A picture through a vision transformer (ViT): every layer and head over CLS + patches.
        for (const QString& s : sources)
            if (s != QLatin1String("image") && p.isSet(s))
                return CliError::usage(QStringLiteral("--model with --image takes no --%1").arg(s));
        for (const QString& o : {QStringLiteral("patch"), QStringLiteral("encoding"), QStringLiteral("fit"),
                 QStringLiteral("no-positions")})
            if (p.isSet(o))
                return CliError::usage(
                    QStringLiteral("--%1 does not apply to a ViT checkpoint (its config.json fixes the patches)").arg(o));
        in.kind = InputKind::Image;
        in.path = p.value(QStringLiteral("image")).toStdString();
        in.modelPath = p.value(QStringLiteral("model")).toStdString();
        if (const QString error = ImageDecoder::ensureDecoded(in); !error.isEmpty())
            return CliError::badInput(error);
        return {};
    }
    if (p.isSet(QStringLiteral("model"))) {
        // A checkpoint: the prompt is --text (BOS is added; an empty prompt is BOS alone).
        for (const QString& s : sources)
            if (s != QLatin1String("text") && p.isSet(s))
                return CliError::usage(QStringLiteral("--model takes its prompt from --text, not --%1").arg(s));
        in.kind = InputKind::Model;
        in.path = p.value(QStringLiteral("model")).toStdString();
        in.text = p.value(QStringLiteral("text")).toStdString();
        return {};
    }
    QStringList given;
    for (const QString& s : sources)
        if (p.isSet(s))
            given << s;
    if (given.isEmpty())
        return CliError::usage(QStringLiteral(
            "no input: give one of --sample, --text, --text-file, --sequence, --sequence-file, --npy, --image, --model"));
    if (given.size() > 1)
        return CliError::usage(QStringLiteral("give only one input, not --%1").arg(given.join(QStringLiteral(" and --"))));

    const QString source = given.front();
    const QString value = p.value(source);
    if (source == QLatin1String("sample")) {
        const auto sample = SampleCatalog::find(value);
        if (!sample)
            return CliError::usage(QStringLiteral("unknown sample '%1'; 'attnscope samples' lists them: %2")
                                       .arg(value, SampleCatalog::names().join(QStringLiteral(", "))));
        in = sample->input;
        m = sample->mechanism;
    } else if (source == QLatin1String("text")) {
        in.kind = InputKind::Text;
        in.text = value.toStdString();
    } else if (source == QLatin1String("text-file")) {
        in.kind = InputKind::TextFile;
        in.path = value.toStdString();
    } else if (source == QLatin1String("image")) {
        in.kind = InputKind::Image;
        in.path = value.toStdString();
    } else if (source == QLatin1String("sequence")) {
        in.kind = InputKind::Sequence;
        in.text = value.toStdString();
    } else {
        in.kind = InputKind::SequenceFile;
        in.path = value.toStdString();
    }

    const int queries = int(p.isSet(QStringLiteral("queries-sequence"))) + int(p.isSet(QStringLiteral("queries-npy"))) +
                        int(p.isSet(QStringLiteral("queries-text")));
    if (queries > 1)
        return CliError::usage(QStringLiteral("give only one of --queries-sequence, --queries-npy, --queries-text"));
    if (p.isSet(QStringLiteral("queries-sequence"))) {
        in.queryKind = InputKind::Sequence;
        in.queryText = p.value(QStringLiteral("queries-sequence")).toStdString();
        in.queryPath.clear();
    } else if (p.isSet(QStringLiteral("queries-npy"))) {
        in.queryKind = InputKind::SequenceFile;
        in.queryPath = p.value(QStringLiteral("queries-npy")).toStdString();
        in.queryText.clear();
    } else if (p.isSet(QStringLiteral("queries-text"))) {
        in.queryKind = InputKind::Text;
        in.queryText = p.value(QStringLiteral("queries-text")).toStdString();
        in.queryPath.clear();
    }
    if (p.isSet(QStringLiteral("tokenizer"))) {
        const QString t = p.value(QStringLiteral("tokenizer"));
        if (t == QLatin1String("word"))
            in.tokenizer = attn::TokenizerKind::Word;
        else if (t == QLatin1String("character"))
            in.tokenizer = attn::TokenizerKind::Character;
        else
            return CliError::usage(QStringLiteral("--tokenizer: '%1' is not one of word, character").arg(t));
    }
    if (p.isSet(QStringLiteral("positions")))
        in.positions = true;

    CliError e;
    auto first = [&e](CliError next) {
        if (!e.failed())
            e = std::move(next);
    };
    first(readImageOptions(p, in));
    first(parseEnum(p, QStringLiteral("score"), m.score, &attn::parseScoreKind,
        "dot, scaled-dot, additive, bilinear, cosine"));
    first(parseEnum(p, QStringLiteral("norm"), m.norm, &attn::parseNormKind, "softmax, sigmoid, ratio"));
    first(parseEnum(p, QStringLiteral("dynamic"), m.dynamic, &attn::parseDynamicKind, "none, gate, temperature"));
    first(parseEnum(p, QStringLiteral("combine"), m.combine, &attn::parseCombineKind,
        "weighted-sum, element-wise, soft-selection"));
    if (p.isSet(QStringLiteral("scope")))
        first(parseScope(QStringLiteral("scope"), p.value(QStringLiteral("scope")), m));
    if (p.isSet(QStringLiteral("causal")))
        m.causal = true;
    first(parseInt(p, QStringLiteral("heads"), m.heads, 1));
    first(parseInt(p, QStringLiteral("dim"), m.dim, 1));
    first(parseInt(p, QStringLiteral("top-k"), m.topK, 1));
    if (p.isSet(QStringLiteral("temperature"))) {
        bool ok = false;
        m.temperature = p.value(QStringLiteral("temperature")).toDouble(&ok);
        if (!ok)
            first(CliError::usage(
                QStringLiteral("--temperature: '%1' is not a number").arg(p.value(QStringLiteral("temperature")))));
    }
    if (p.isSet(QStringLiteral("seed"))) {
        bool ok = false;
        m.seed = p.value(QStringLiteral("seed")).toULongLong(&ok);
        if (!ok)
            first(CliError::usage(
                QStringLiteral("--seed: '%1' is not a non-negative whole number").arg(p.value(QStringLiteral("seed")))));
    }
    if (p.isSet(QStringLiteral("projection"))) {
        const QString proj = p.value(QStringLiteral("projection"));
        if (proj == QLatin1String("identity")) {
            m.projection = attn::ProjectionKind::Identity;
        } else if (proj == QLatin1String("random")) {
            m.projection = attn::ProjectionKind::Random;
        } else {
            m.projection = attn::ProjectionKind::File;
            m.projectionFile = proj.toStdString();
        }
    }
    if (!e.failed() && in.kind == InputKind::Image)
        if (const QString error = ImageDecoder::ensureDecoded(in); !error.isEmpty())
            return CliError::badInput(error);
    return e;
}

CliError MechanismOptions::readImageOptions(const QCommandLineParser& p, attn::InputSpec& in)
{
    const QStringList imageOnly{QStringLiteral("patch"), QStringLiteral("encoding"), QStringLiteral("fit"),
        QStringLiteral("no-positions")};
    if (in.kind != InputKind::Image) {
        for (const QString& o : imageOnly)
            if (p.isSet(o))
                return CliError::usage(QStringLiteral("--%1 is for image inputs (--image F)").arg(o));
        return {};
    }
    if (CliError e = parseInt(p, QStringLiteral("patch"), in.imageOptions.patch, 1); e.failed())
        return e;
    if (p.isSet(QStringLiteral("encoding"))) {
        const QString v = p.value(QStringLiteral("encoding"));
        if (v == QLatin1String("patches"))
            in.imageOptions.encoding = attn::ImageEncoding::Patches;
        else if (v == QLatin1String("features"))
            in.imageOptions.encoding = attn::ImageEncoding::Features;
        else
            return CliError::usage(QStringLiteral("--encoding: '%1' is not one of patches, features").arg(v));
    }
    if (p.isSet(QStringLiteral("fit"))) {
        const QString v = p.value(QStringLiteral("fit"));
        if (v == QLatin1String("crop"))
            in.imageOptions.fit = attn::ImageFit::Crop;
        else if (v == QLatin1String("pad"))
            in.imageOptions.fit = attn::ImageFit::Pad;
        else
            return CliError::usage(QStringLiteral("--fit: '%1' is not one of crop, pad").arg(v));
    }
    if (p.isSet(QStringLiteral("no-positions")))
        in.imageOptions.positions = false;
    return {};
}

CliError MechanismOptions::readControl(const QCommandLineParser& p, attn::ComputeControl& control)
{
    if (!p.isSet(QStringLiteral("memory-limit")))
        return {};
    bool ok = false;
    const qulonglong mb = p.value(QStringLiteral("memory-limit")).toULongLong(&ok);
    if (!ok || mb < 1)
        return CliError::usage(QStringLiteral("--memory-limit: '%1' is not a positive number of megabytes")
                                   .arg(p.value(QStringLiteral("memory-limit"))));
    control.memoryLimitBytes = static_cast<uint64_t>(mb) << 20;
    return {};
}
