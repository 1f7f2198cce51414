#include "GgufModel.h"

#include "GgufFamily.h"
#include "GgufLazyWeights.h"
#include "MemoryBudget.h"
#include "WeightLoader.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace attn {

namespace {

std::string megabytesText(uint64_t bytes)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return text;
}

// Dequantises a whole tensor in blocks of rows, for its finite-value check, without keeping it.
Status checkValues(const GgufFile& file, const GgufTensorInfo& info)
{
    const uint64_t rowsPerBlock = std::max<uint64_t>(1, (uint64_t { 1 } << 22) / info.rowLength());
    std::vector<float> block;
    for (uint64_t first = 0; first < info.rows(); first += rowsPerBlock) {
        const uint64_t n = std::min(rowsPerBlock, info.rows() - first);
        block.resize(static_cast<size_t>(n * info.rowLength()));
        if (auto st = file.dequantizeRows(info, first, n, block.data()); !st)
            return st;
    }
    return success();
}

} // namespace

Expected<std::unique_ptr<GgufTokenizer>> GgufModel::readTokenizer(const GgufFile& file)
{
    const std::string source = file.sourceName();
    auto text = [&](const char* key) {
        const GgufValue* v = file.find(key);
        return v && v->asString() ? *v->asString() : std::string();
    };
    GgufVocabulary v;
    v.model = text("tokenizer.ggml.model");
    if (v.model.empty())
        return makeError(source + ": no tokenizer ('tokenizer.ggml.model' is missing); AttnScope needs the "
            "tokenizer inside the GGUF file");
    v.pre = text("tokenizer.ggml.pre");
    const GgufValue* tokens = file.find("tokenizer.ggml.tokens");
    if (!tokens || !tokens->isArray() || tokens->elementType() != GgufValueType::String)
        return makeError(source + ": 'tokenizer.ggml.tokens' must be an array of strings");
    v.tokens = tokens->strings();
    if (const GgufValue* scores = file.find("tokenizer.ggml.scores")) {
        if (!scores->isArray() || scores->elementType() != GgufValueType::Float32)
            return makeError(source + ": 'tokenizer.ggml.scores' must be an array of float32");
        for (uint64_t i = 0; i < scores->size(); ++i)
            v.scores.push_back(static_cast<float>(*scores->floatAt(i)));
    }
    if (const GgufValue* types = file.find("tokenizer.ggml.token_type")) {
        if (!types->isArray() || (types->size() > 0 && !types->intAt(0).has_value()))
            return makeError(source + ": 'tokenizer.ggml.token_type' must be an array of integers");
        for (uint64_t i = 0; i < types->size(); ++i)
            v.types.push_back(static_cast<int>(types->intAt(i).value_or(1)));
    }
    if (const GgufValue* merges = file.find("tokenizer.ggml.merges")) {
        if (!merges->isArray() || merges->elementType() != GgufValueType::String)
            return makeError(source + ": 'tokenizer.ggml.merges' must be an array of strings");
        v.merges = merges->strings();
    }
    auto id = [&](const char* key) -> int {
        const GgufValue* value = file.find(key);
        if (!value || !value->asInt())
            return -1;
        return *value->asInt() < 0 || *value->asInt() > INT32_MAX ? INT32_MAX : static_cast<int>(*value->asInt());
    };
    v.bos = id("tokenizer.ggml.bos_token_id");
    v.eos = id("tokenizer.ggml.eos_token_id");
    v.unk = id("tokenizer.ggml.unknown_token_id");
    auto flag = [&](const char* key, bool fallback) {
        const GgufValue* value = file.find(key);
        return value && value->asBool() ? *value->asBool() : fallback;
    };
    v.addBos = flag("tokenizer.ggml.add_bos_token", v.model == "llama");
    v.addSpacePrefix = flag("tokenizer.ggml.add_space_prefix", v.model == "llama");
    auto built = GgufTokenizer::build(std::move(v), source);
    if (!built)
        return built.takeError();
    return std::move(*built);
}

std::string GgufModel::fileTypeName(int64_t t)
{
    static const std::map<int64_t, const char*> names { { 0, "F32" }, { 1, "F16" }, { 2, "Q4_0" }, { 3, "Q4_1" },
        { 7, "Q8_0" }, { 8, "Q5_0" }, { 9, "Q5_1" }, { 10, "Q2_K" }, { 11, "Q3_K_S" }, { 12, "Q3_K_M" },
        { 13, "Q3_K_L" }, { 14, "Q4_K_S" }, { 15, "Q4_K_M" }, { 16, "Q5_K_S" }, { 17, "Q5_K_M" }, { 18, "Q6_K" },
        { 21, "Q2_K_S" }, { 32, "BF16" } };
    const auto it = names.find(t);
    return it == names.end() ? std::string() : std::string(it->second);
}

std::string GgufSummary::text() const
{
    char params[32];
    if (parameters >= 1'000'000'000)
        std::snprintf(params, sizeof params, "%.2f B", static_cast<double>(parameters) / 1e9);
    else if (parameters >= 1'000'000)
        std::snprintf(params, sizeof params, "%.1f M", static_cast<double>(parameters) / 1e6);
    else
        std::snprintf(params, sizeof params, "%.1f K", static_cast<double>(parameters) / 1e3);
    return architecture + ", " + quantisation + ", " + params + " parameters, context " + std::to_string(contextLength);
}

GgufSummary GgufModel::summarise(const GgufFile& file, const TransformerSpec& s)
{
    GgufSummary summary;
    summary.architecture = s.family;
    summary.contextLength = s.maxPositions;
    summary.version = file.version();
    if (const GgufValue* name = file.find("general.name"); name && name->asString())
        summary.name = *name->asString();
    std::map<std::string, int> typeCounts;
    for (const GgufTensorInfo& t : file.tensors()) {
        summary.parameters += t.elements;
        ++typeCounts[GgmlTypeInfo::name(t.type)];
    }
    std::vector<std::pair<std::string, int>> sorted(typeCounts.begin(), typeCounts.end());
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [type, count] : sorted)
        summary.tensorTypes += (summary.tensorTypes.empty() ? "" : ", ") + type + " x " + std::to_string(count);
    if (const GgufValue* ft = file.find("general.file_type"); ft && ft->asInt())
        summary.quantisation = fileTypeName(*ft->asInt());
    if (summary.quantisation.empty()) {
        // The most common type among the 2-D tensors.
        std::map<std::string, int> matrices;
        for (const GgufTensorInfo& t : file.tensors())
            if (t.dims.size() >= 2)
                ++matrices[GgmlTypeInfo::name(t.type)];
        int best = 0;
        for (const auto& [type, count] : matrices)
            if (count > best) {
                best = count;
                summary.quantisation = type;
            }
    }

    return summary;
}

Expected<GgufSummary> GgufModel::inspect(const std::string& path)
{
    auto file = GgufFile::open(path);
    if (!file)
        return file.takeError();
    auto spec = GgufFamily::spec(*file);
    if (!spec)
        return spec.takeError();
    return summarise(*file, *spec);
}

Expected<std::unique_ptr<GgufModel>> GgufModel::load(const std::string& path, const ComputeControl& control)
{
    auto checkpoint = GgufCheckpoint::open(path);
    if (!checkpoint)
        return checkpoint.takeError();
    GgufCheckpoint& ckpt = **checkpoint;
    const GgufFile& file = ckpt.file();
    auto spec = GgufFamily::spec(file);
    if (!spec)
        return spec.takeError();
    const TransformerSpec& s = *spec;
    const TensorNameTable names = GgufFamily::tensorNames(s);
    if (GgufFamily::permutesQueryKey(s.family))
        for (int l = 0; l < s.layers; ++l) {
            const std::string p = "blk." + std::to_string(l) + ".";
            ckpt.unpermute(p + "attn_q.weight", s.heads);
            ckpt.unpermute(p + "attn_k.weight", s.kvHeads);
            ckpt.unpermute(p + "attn_q.bias", s.heads);
            ckpt.unpermute(p + "attn_k.bias", s.kvHeads);
        }

    // One layer as float32 must fit the budget (the rest stays quantised in the mapped file).
    const uint64_t layerFloats = uint64_t { 2 } * s.hidden * (s.qDim() + s.kvDim())
        + uint64_t { 3 } * s.hidden * s.intermediate + uint64_t { 8 } * s.hidden;
    const uint64_t limit = memoryLimitOr(control.memoryLimitBytes);
    if (layerFloats * 4 > limit)
        return makeError(file.sourceName() + ": one layer needs " + megabytesText(layerFloats * 4)
            + " as float32, more than the memory budget of " + megabytesText(limit));

    // Shapes and values, all of them, before anything runs.
    auto embedding = ckpt.find(names.tokenEmbedding, { s.vocab, s.hidden });
    if (!embedding)
        return embedding.takeError();
    if (auto st = checkValues(file, **embedding); !st)
        return st.takeError();
    if (!s.tiedHead) {
        auto head = ckpt.find(names.head, { s.vocab, s.hidden });
        if (!head)
            return head.takeError();
        if (auto st = checkValues(file, **head); !st)
            return st.takeError();
    }
    TransformerWeights weights;
    TensorReader reader(ckpt, "");
    for (int l = 0; l < s.layers && !reader.error(); ++l) {
        if (control.cancelled())
            return makeError("cancelled");
        TransformerWeights scratch;
        WeightLoader::loadLayer(s, names, reader, scratch, l);
    }
    weights.finalNormWeight = weights.keep(reader.vector(names.finalNormWeight, s.hidden));
    if (reader.error())
        return *reader.error();

    auto tokenizer = readTokenizer(file);
    if (!tokenizer)
        return tokenizer.takeError();
    if ((*tokenizer)->vocabSize() > s.vocab)
        return makeError(file.sourceName() + ": the tokenizer has " + std::to_string((*tokenizer)->vocabSize())
            + " tokens but 'token_embd.weight' only " + std::to_string(s.vocab) + " rows");

    std::unique_ptr<GgufModel> model(new GgufModel());
    model->m_summary = summarise(file, s);
    weights.lazy = std::make_shared<GgufLazyWeights>(*checkpoint, s, names);
    model->m_checkpoint = *checkpoint;
    model->m_stack = std::make_unique<TransformerStack>(s, std::move(weights));
    model->m_tokenizer = std::move(*tokenizer);
    return model;
}

} // namespace attn
