#include "HfConfig.h"

#include "ModelLimits.h"

#include "FileBytes.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <optional>

namespace attn {

namespace {

using json = nlohmann::json;

constexpr uint64_t kMaxConfigBytes = 4 * 1024 * 1024;
using namespace limits;

const char* const kSupported = "supported: bert, gpt2, llama, vit (and llama2.c .bin checkpoints)";

// Reads config fields with one message shape for every problem.
class Fields {
public:
    Fields(const json& object, std::string prefix)
        : m_object(object)
        , m_prefix(std::move(prefix))
    {
    }

    std::optional<Error> error;

    // A whole number in [low, high]; `fallback` when the key is absent or null (nullopt: required).
    int integer(const char* key, int64_t low, int64_t high, std::optional<int64_t> fallback = std::nullopt)
    {
        if (error)
            return 0;
        const auto it = m_object.find(key);
        if (it == m_object.end() || it->is_null()) {
            if (fallback)
                return static_cast<int>(*fallback);
            fail(std::string("'") + key + "' is missing");
            return 0;
        }
        if (!it->is_number_integer()) {
            fail(std::string("'") + key + "' must be a whole number, not " + it->dump());
            return 0;
        }
        const int64_t v = it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)
            ? INT64_MAX
            : it->get<int64_t>();
        if (v < low || v > high) {
            fail(std::string("'") + key + "' is " + it->dump() + "; it must be between " + std::to_string(low)
                + " and " + std::to_string(high));
            return 0;
        }
        return static_cast<int>(v);
    }
    double number(const char* key, double low, double high, double fallback)
    {
        if (error)
            return fallback;
        const auto it = m_object.find(key);
        if (it == m_object.end() || it->is_null())
            return fallback;
        if (!it->is_number()) {
            fail(std::string("'") + key + "' must be a number, not " + it->dump());
            return fallback;
        }
        const double v = it->get<double>();
        if (!std::isfinite(v) || v < low || v > high) {
            fail(std::string("'") + key + "' is " + it->dump() + "; it must be between " + json(low).dump()
                + " and " + json(high).dump());
            return fallback;
        }
        return v;
    }
    bool boolean(const char* key, bool fallback)
    {
        if (error)
            return fallback;
        const auto it = m_object.find(key);
        if (it == m_object.end() || it->is_null())
            return fallback;
        if (!it->is_boolean()) {
            fail(std::string("'") + key + "' must be true or false, not " + it->dump());
            return fallback;
        }
        return it->get<bool>();
    }
    // A string that must be one of `accepted` (or absent: the first is the default).
    std::string choice(const char* key, std::initializer_list<const char*> accepted)
    {
        if (error)
            return {};
        const auto it = m_object.find(key);
        if (it == m_object.end() || it->is_null())
            return *accepted.begin();
        std::string list;
        for (const char* a : accepted)
            list += (list.empty() ? "'" : ", '") + std::string(a) + "'";
        if (it->is_string())
            for (const char* a : accepted)
                if (it->get<std::string>() == a)
                    return a;
        fail(std::string("'") + key + "' is " + it->dump() + "; this version computes only " + list);
        return {};
    }
    // A token id, possibly given as a list (HF allows several eos ids): the first one is used.
    int tokenId(const char* key, int fallback, int vocab)
    {
        if (error)
            return fallback;
        auto it = m_object.find(key);
        if (it == m_object.end() || it->is_null())
            return fallback < vocab ? fallback : -1;
        const json* value = &*it;
        if (value->is_array() && !value->empty())
            value = &(*value)[0];
        if (!value->is_number_integer() || value->get<int64_t>() < 0 || value->get<int64_t>() >= vocab) {
            fail(std::string("'") + key + "' is " + it->dump() + "; it must be a token id in 0.."
                + std::to_string(vocab - 1));
            return fallback;
        }
        return static_cast<int>(value->get<int64_t>());
    }
    void fail(const std::string& message)
    {
        if (!error)
            error = makeError(m_prefix + message);
    }
    void requireAbsent(const char* key, const char* why)
    {
        if (error)
            return;
        const auto it = m_object.find(key);
        if (it != m_object.end() && !it->is_null() && !(it->is_boolean() && !it->get<bool>()))
            fail(std::string("'") + key + "' is set (" + it->dump() + "): " + why + " is not supported");
    }

private:
    const json& m_object;
    std::string m_prefix;
};

} // namespace

Expected<HfConfig> HfConfig::parse(const std::string& text, const std::string& sourceName)
{
    const std::string prefix = sourceName + ": ";
    json root;
    try {
        root = json::parse(text);
    } catch (const json::parse_error& e) {
        return makeError(prefix + "not valid JSON (at byte " + std::to_string(e.byte) + ")");
    } catch (const json::exception& e) { // e.g. a number too large for a double: 1e400
        return makeError(prefix + "not valid JSON (" + e.what() + ")");
    }
    if (!root.is_object())
        return makeError(prefix + "the top level must be a JSON object");
    const auto type = root.find("model_type");
    if (type == root.end() || !type->is_string())
        return makeError(prefix + "no \"model_type\" string; " + kSupported);

    HfConfig c;
    c.modelType = type->get<std::string>();
    if (c.modelType == "bert")
        c.architecture = HfArchitecture::Bert;
    else if (c.modelType == "gpt2")
        c.architecture = HfArchitecture::Gpt2;
    else if (c.modelType == "llama")
        c.architecture = HfArchitecture::Llama;
    else if (c.modelType == "vit")
        c.architecture = HfArchitecture::Vit;
    else
        return makeError("unsupported architecture '" + c.modelType + "' in config.json; " + kSupported);

    Fields f(root, prefix + c.modelType + " config: ");
    switch (c.architecture) {
    case HfArchitecture::Bert:
        c.vocabSize = f.integer("vocab_size", 1, kMaxVocab);
        c.hiddenSize = f.integer("hidden_size", 1, kMaxHidden);
        c.layers = f.integer("num_hidden_layers", 1, kMaxLayers);
        c.heads = f.integer("num_attention_heads", 1, kMaxHeads);
        c.intermediateSize = f.integer("intermediate_size", 1, kMaxIntermediate);
        c.maxPositions = f.integer("max_position_embeddings", 1, kMaxPositions, 512);
        c.typeVocabSize = f.integer("type_vocab_size", 1, 1024, 2);
        c.normEps = f.number("layer_norm_eps", 0.0, 1.0, 1e-12);
        f.choice("hidden_act", { "gelu" });
        f.choice("position_embedding_type", { "absolute" });
        break;
    case HfArchitecture::Gpt2:
        c.vocabSize = f.integer("vocab_size", 1, kMaxVocab);
        c.hiddenSize = f.integer("n_embd", 1, kMaxHidden);
        c.layers = f.integer("n_layer", 1, kMaxLayers);
        c.heads = f.integer("n_head", 1, kMaxHeads);
        c.intermediateSize = f.integer("n_inner", 1, kMaxIntermediate, int64_t { c.hiddenSize } * 4);
        c.maxPositions = f.integer("n_positions", 1, kMaxPositions, 1024);
        c.normEps = f.number("layer_norm_epsilon", 0.0, 1.0, 1e-5);
        f.choice("activation_function", { "gelu_new" });
        if (!f.boolean("scale_attn_weights", true))
            f.fail("'scale_attn_weights' is false: unscaled attention is not supported");
        f.requireAbsent("scale_attn_by_inverse_layer_idx", "scaling by the inverse layer index");
        f.requireAbsent("reorder_and_upcast_attn", "reordered attention");
        c.tieWordEmbeddings = true;
        c.bosTokenId = f.tokenId("bos_token_id", 50256, c.vocabSize);
        c.eosTokenId = f.tokenId("eos_token_id", 50256, c.vocabSize);
        break;
    case HfArchitecture::Llama:
        c.vocabSize = f.integer("vocab_size", 1, kMaxVocab);
        c.hiddenSize = f.integer("hidden_size", 1, kMaxHidden);
        c.intermediateSize = f.integer("intermediate_size", 1, kMaxIntermediate);
        c.layers = f.integer("num_hidden_layers", 1, kMaxLayers);
        c.heads = f.integer("num_attention_heads", 1, kMaxHeads);
        c.kvHeads = f.integer("num_key_value_heads", 1, kMaxHeads, c.heads);
        c.headDim = f.integer("head_dim", 2, kMaxHidden, c.heads ? c.hiddenSize / c.heads : 0);
        c.maxPositions = f.integer("max_position_embeddings", 1, kMaxPositions, 2048);
        c.normEps = f.number("rms_norm_eps", 0.0, 1.0, 1e-6);
        c.ropeTheta = f.number("rope_theta", 1.0, 1e12, 10000.0);
        c.tieWordEmbeddings = f.boolean("tie_word_embeddings", false);
        f.choice("hidden_act", { "silu" });
        f.requireAbsent("rope_scaling", "RoPE scaling");
        f.requireAbsent("attention_bias", "a bias on the attention projections");
        f.requireAbsent("mlp_bias", "a bias on the MLP");
        c.bosTokenId = f.tokenId("bos_token_id", 1, c.vocabSize);
        c.eosTokenId = f.tokenId("eos_token_id", 2, c.vocabSize);
        break;
    case HfArchitecture::Vit:
        c.hiddenSize = f.integer("hidden_size", 1, kMaxHidden);
        c.layers = f.integer("num_hidden_layers", 1, kMaxLayers);
        c.heads = f.integer("num_attention_heads", 1, kMaxHeads);
        c.intermediateSize = f.integer("intermediate_size", 1, kMaxIntermediate);
        // 2048: a picture of 3 x 2048 x 2048 floats (48 MB) is the largest runImage prepares
        c.imageSize = f.integer("image_size", 1, 2048, 224);
        c.patchSize = f.integer("patch_size", 1, 2048, 16);
        c.channels = f.integer("num_channels", 1, 16, 3);
        c.normEps = f.number("layer_norm_eps", 0.0, 1.0, 1e-12);
        c.qkvBias = f.boolean("qkv_bias", true);
        f.choice("hidden_act", { "gelu" });
        break;
    }
    if (f.error)
        return *f.error;
    if (c.architecture != HfArchitecture::Llama)
        c.headDim = c.hiddenSize / c.heads;
    if (c.kvHeads == 0)
        c.kvHeads = c.heads;
    const std::string where = prefix + c.modelType + " config: ";
    if (c.architecture != HfArchitecture::Llama && c.hiddenSize % c.heads != 0)
        return makeError(where + "the hidden size " + std::to_string(c.hiddenSize)
            + " is not divisible by the " + std::to_string(c.heads) + " attention heads");
    if (c.heads % c.kvHeads != 0)
        return makeError(where + "the " + std::to_string(c.heads)
            + " attention heads are not a multiple of the " + std::to_string(c.kvHeads) + " key/value heads");
    if (c.architecture == HfArchitecture::Llama && c.headDim % 2 != 0)
        return makeError(
            where + "head_dim " + std::to_string(c.headDim) + " is odd; rotary embeddings need it even");
    if (int64_t { c.heads } * c.headDim > kMaxHidden)
        return makeError(where + "heads x head_dim = " + std::to_string(int64_t { c.heads } * c.headDim)
            + " exceeds " + std::to_string(kMaxHidden));
    if (c.architecture == HfArchitecture::Vit) {
        if (c.imageSize % c.patchSize != 0)
            return makeError(where + "image_size " + std::to_string(c.imageSize)
                + " is not a multiple of patch_size " + std::to_string(c.patchSize));
        c.maxPositions = c.patchesPerSide() * c.patchesPerSide() + 1;
    }
    return c;
}

Expected<HfConfig> HfConfig::readFile(const std::string& path)
{
    auto bytes = FileBytes::read(path, kMaxConfigBytes);
    if (!bytes)
        return bytes.takeError();
    return parse(*bytes, path);
}

} // namespace attn
