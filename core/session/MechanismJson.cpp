#include "MechanismJson.h"

#include <nlohmann/json.hpp>

#include <set>

namespace attn {

using nlohmann::json;

namespace {

Status checkKeys(const json& j, const std::set<std::string>& allowed, const std::string& where)
{
    if (!j.is_object())
        return makeError(where + " must be a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it)
        if (!allowed.count(it.key()))
            return makeError(where + ": unknown key '" + it.key() + "'");
    return success();
}

template <class T>
Status readValue(const json& j, const char* key, T& out, const std::string& where)
{
    if (!j.contains(key))
        return success();
    const json& v = j.at(key);
    if constexpr (std::is_same_v<T, bool>) {
        if (!v.is_boolean())
            return makeError(where + "." + key + " must be true or false");
        out = v.get<bool>();
    } else if constexpr (std::is_integral_v<T>) {
        if (!v.is_number_integer())
            return makeError(where + "." + key + " must be a whole number");
        out = v.get<T>();
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!v.is_number())
            return makeError(where + "." + key + " must be a number");
        out = v.get<T>();
    } else {
        if (!v.is_string())
            return makeError(where + "." + key + " must be a string");
        out = v.get<std::string>();
    }
    return success();
}

template <class E>
Status readEnum(const json& j, const char* key, E& out, std::optional<E> (*parse)(const std::string&),
    const char* choices, const std::string& where)
{
    std::string text;
    if (!j.contains(key))
        return success();
    if (auto st = readValue(j, key, text, where); !st)
        return st;
    const auto v = parse(text);
    if (!v)
        return makeError(where + "." + key + ": '" + text + "' is not one of " + choices);
    out = *v;
    return success();
}

std::optional<ProjectionKind> parseProjection(const std::string& s)
{
    if (s == "identity")
        return ProjectionKind::Identity;
    if (s == "random")
        return ProjectionKind::Random;
    if (s == "file")
        return ProjectionKind::File;
    return std::nullopt;
}

std::optional<InputKind> parseInputKind(const std::string& s)
{
    for (InputKind k :
        {InputKind::Text, InputKind::TextFile, InputKind::Sequence, InputKind::SequenceFile, InputKind::Model,
            InputKind::Image})
        if (s == toString(k))
            return k;
    return std::nullopt;
}

std::optional<TokenizerKind> parseTokenizer(const std::string& s)
{
    if (s == "word")
        return TokenizerKind::Word;
    if (s == "character")
        return TokenizerKind::Character;
    return std::nullopt;
}

} // namespace

json MechanismJson::toJson(const Mechanism& m)
{
    json j;
    j["score"] = toString(m.score);
    j["norm"] = toString(m.norm);
    j["temperature"] = m.temperature;
    j["scope"] = toString(m.scope);
    j["window"] = m.window;
    j["global_tokens"] = m.globalTokens;
    j["causal"] = m.causal;
    j["padded_keys"] = m.paddedKeys;
    j["heads"] = m.heads;
    j["dim"] = m.dim;
    j["projection"] = toString(m.projection);
    if (m.projection == ProjectionKind::File)
        j["projection_file"] = m.projectionFile;
    j["seed"] = m.seed;
    j["dynamic"] = toString(m.dynamic);
    j["combine"] = toString(m.combine);
    j["top_k"] = m.topK;
    j["keep_scores"] = m.keepScores;
    return j;
}

Expected<Mechanism> MechanismJson::fromJson(const json& j, const Mechanism& defaults)
{
    const std::string where = "mechanism";
    if (auto st = checkKeys(j,
            {"score", "norm", "temperature", "scope", "window", "global_tokens", "causal", "padded_keys", "heads",
                "dim", "projection", "projection_file", "seed", "dynamic", "combine", "top_k", "keep_scores"},
            where);
        !st)
        return st.takeError();
    Mechanism m = defaults;
    Status st = success();
    auto all = [&](Status s) {
        if (st.ok() && !s.ok())
            st = s;
    };
    all(readEnum(j, "score", m.score, &parseScoreKind, "dot, scaled-dot, additive, bilinear, cosine", where));
    all(readEnum(j, "norm", m.norm, &parseNormKind, "softmax, sigmoid, ratio", where));
    all(readValue(j, "temperature", m.temperature, where));
    all(readEnum(j, "scope", m.scope, &parseScopeKind, "global, local, hybrid", where));
    all(readValue(j, "window", m.window, where));
    all(readValue(j, "global_tokens", m.globalTokens, where));
    all(readValue(j, "causal", m.causal, where));
    all(readValue(j, "heads", m.heads, where));
    all(readValue(j, "dim", m.dim, where));
    all(readEnum(j, "projection", m.projection, &parseProjection, "identity, random, file", where));
    all(readValue(j, "projection_file", m.projectionFile, where));
    all(readValue(j, "seed", m.seed, where));
    all(readEnum(j, "dynamic", m.dynamic, &parseDynamicKind, "none, gate, temperature", where));
    all(readEnum(j, "combine", m.combine, &parseCombineKind, "weighted-sum, element-wise, soft-selection", where));
    all(readValue(j, "top_k", m.topK, where));
    all(readValue(j, "keep_scores", m.keepScores, where));
    if (j.contains("padded_keys")) {
        const json& p = j.at("padded_keys");
        if (!p.is_array())
            all(makeError(where + ".padded_keys must be a list of key indices"));
        else {
            m.paddedKeys.clear();
            for (const json& v : p) {
                if (!v.is_number_integer()) {
                    all(makeError(where + ".padded_keys must be a list of key indices"));
                    break;
                }
                m.paddedKeys.push_back(v.get<int>());
            }
        }
    }
    if (!st)
        return st.takeError();
    return m;
}

json MechanismJson::inputToJson(const InputSpec& in)
{
    json j;
    j["type"] = toString(in.kind);
    if (in.kind == InputKind::Text || in.kind == InputKind::Sequence || in.kind == InputKind::Model)
        j["text"] = in.text;
    if (in.kind != InputKind::Text && in.kind != InputKind::Sequence)
        j["path"] = in.path;
    if (in.kind == InputKind::Text || in.kind == InputKind::TextFile) {
        j["tokenizer"] = toString(in.tokenizer);
        j["positions"] = in.positions;
    }
    if (in.kind == InputKind::Image) { // the path only: the pixels are decoded again on opening
        j["encoding"] = toString(in.imageOptions.encoding);
        j["patch"] = in.imageOptions.patch;
        j["fit"] = toString(in.imageOptions.fit);
        j["positions"] = in.imageOptions.positions;
        j["patch_pixels"] = in.imageOptions.patchPixels;
        if (!in.modelPath.empty())
            j["model"] = in.modelPath;
    }
    if (in.isCross()) {
        json q;
        q["type"] = toString(in.queryKind);
        if (!in.queryPath.empty())
            q["path"] = in.queryPath;
        else
            q["text"] = in.queryText;
        j["queries"] = q;
    }
    return j;
}

Expected<InputSpec> MechanismJson::inputFromJson(const json& j)
{
    const std::string where = "input";
    if (auto st = checkKeys(j,
            {"type", "text", "path", "tokenizer", "positions", "queries", "encoding", "patch", "fit", "patch_pixels", "model"},
            where);
        !st)
        return st.takeError();
    InputSpec in;
    if (!j.contains("type"))
        return makeError("input.type is missing (text, text-file, sequence, sequence-file, model or image)");
    Status st = success();
    auto all = [&](Status s) {
        if (st.ok() && !s.ok())
            st = s;
    };
    all(readEnum(j, "type", in.kind, &parseInputKind, "text, text-file, sequence, sequence-file, model, image", where));
    all(readValue(j, "text", in.text, where));
    all(readValue(j, "path", in.path, where));
    all(readEnum(j, "tokenizer", in.tokenizer, &parseTokenizer, "word, character", where));
    if (st && in.kind == InputKind::Image) {
        // Pictures: "positions" is ImageOptions::positions (on unless set to false).
        ImageOptions& o = in.imageOptions;
        all(readValue(j, "positions", o.positions, where));
        all(readEnum(j, "encoding", o.encoding, &parseImageEncoding, "patches, features", where));
        all(readEnum(j, "fit", o.fit, &parseImageFit, "crop, pad", where));
        all(readValue(j, "patch", o.patch, where));
        all(readValue(j, "patch_pixels", o.patchPixels, where));
        all(readValue(j, "model", in.modelPath, where));
        if (st && o.patch < 1)
            all(makeError(where + ".patch must be at least 1 (got " + std::to_string(o.patch) + ")"));
        if (st && (o.patchPixels < 0 || o.patchPixels > o.patch))
            all(makeError(where + ".patch_pixels must be between 0 (all pixels) and the patch size " +
                          std::to_string(o.patch) + " (got " + std::to_string(o.patchPixels) + ")"));
    } else {
        all(readValue(j, "positions", in.positions, where));
        for (const char* key : {"encoding", "patch", "fit", "patch_pixels", "model"})
            if (st && j.contains(key))
                all(makeError(where + "." + key + " applies only to \"type\": \"image\""));
    }
    if (st && j.contains("queries")) {
        const json& q = j.at("queries");
        all(checkKeys(q, {"type", "text", "path"}, "input.queries"));
        if (st) {
            all(readEnum(q, "type", in.queryKind, &parseInputKind, "text, text-file, sequence, sequence-file",
                "input.queries"));
            all(readValue(q, "text", in.queryText, "input.queries"));
            all(readValue(q, "path", in.queryPath, "input.queries"));
        }
    }
    if (!st)
        return st.takeError();
    return in;
}

} // namespace attn
