#include "HfConfig.h"

#include "ModelLimits.h"

#include "FileBytes.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>

namespace attn {

namespace {

using json = nlohmann::json;

constexpr uint64_t kMaxConfigBytes = 4 * 1024 * 1024;
using namespace limits;

const char* const kSupported
    = "supported: bert, roberta, distilbert, gpt2, llama, mistral, qwen2, gemma2, phi3, "
      "vit, deit (and llama2.c .bin checkpoints)";

// Reads config fields with one message shape for every problem.
class Fields {
public:
    Fields(const json& object, std::string prefix)
        : m_object(object)
        , m_prefix(std::move(prefix))
    {
    }

    std::optional<Error> error;

    const std::string& prefix() const { return m_prefix; }
    // The value of `key`, nullptr when absent or null.
    const json* find(const char* key) const
    {
        const auto it = m_object.find(key);
        return it == m_object.end() || it->is_null() ? nullptr : &*it;
    }
    bool isNull(const char* key) const
    {
        const auto it = m_object.find(key);
        return it != m_object.end() && it->is_null();
    }

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
    // A finite number in [low, high]; `fallback` when absent or null (nullopt: required).
    double number(const char* key, double low, double high, std::optional<double> fallback)
    {
        if (error)
            return fallback.value_or(0.0);
        const auto it = m_object.find(key);
        if (it == m_object.end() || it->is_null()) {
            if (!fallback)
                fail(std::string("'") + key + "' is missing");
            return fallback.value_or(0.0);
        }
        if (!it->is_number()) {
            fail(std::string("'") + key + "' must be a number, not " + it->dump());
            return fallback.value_or(0.0);
        }
        const double v = it->get<double>();
        if (!std::isfinite(v) || v < low || v > high) {
            fail(std::string("'") + key + "' is " + it->dump() + "; it must be between " + json(low).dump()
                + " and " + json(high).dump());
            return fallback.value_or(0.0);
        }
        return v;
    }
    // A number > 0 and <= high; `fallback` when absent (nullopt: required), `whenNull` when null.
    double positive(const char* key, double high, std::optional<double> fallback, double whenNull)
    {
        if (error)
            return 0.0;
        if (isNull(key))
            return whenNull;
        const auto it = m_object.find(key);
        if (it == m_object.end()) {
            if (!fallback)
                fail(std::string("'") + key + "' is missing");
            return fallback.value_or(0.0);
        }
        if (!it->is_number()) {
            fail(std::string("'") + key + "' must be a number, not " + it->dump());
            return 0.0;
        }
        const double v = it->get<double>();
        if (!std::isfinite(v) || v <= 0.0 || v > high) {
            fail(std::string("'") + key + "' is " + it->dump() + "; it must be above 0 and at most "
                + json(high).dump());
            return 0.0;
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
        const std::vector<int> ids = tokenIds(key, fallback, vocab);
        return ids.empty() ? -1 : ids.front();
    }
    // Token ids given as one id or a list of them, each in the vocabulary; {fallback} when absent
    // (none when the fallback is negative or outside the vocabulary).
    std::vector<int> tokenIds(const char* key, int fallback, int vocab)
    {
        if (error)
            return {};
        auto it = m_object.find(key);
        if (it == m_object.end() || it->is_null())
            return fallback >= 0 && fallback < vocab ? std::vector<int> { fallback } : std::vector<int> {};
        std::vector<const json*> values;
        if (it->is_array())
            for (const json& v : *it)
                values.push_back(&v);
        else
            values.push_back(&*it);
        std::vector<int> ids;
        for (const json* value : values) {
            if (!value->is_number_integer() || value->get<int64_t>() < 0 || value->get<int64_t>() >= vocab) {
                ids.clear();
                break;
            }
            ids.push_back(static_cast<int>(value->get<int64_t>()));
        }
        if (ids.empty())
            fail(std::string("'") + key + "' is " + it->dump() + "; it must be a token id in 0.."
                + std::to_string(vocab - 1));
        return ids;
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

// rope_scaling: null, rope_type "default" (none) or "llama3" with its four parameters, as
// modeling_rope_utils validates them; every other type is refused by name.
void readHfRopeScaling(Fields& f, HfConfig& c)
{
    const json* scaling = f.find("rope_scaling");
    if (f.error || !scaling)
        return;
    if (!scaling->is_object()) {
        f.fail("'rope_scaling' must be an object or null, not " + scaling->dump());
        return;
    }
    Fields r(*scaling, f.prefix() + "rope_scaling: ");
    const char* typeKey = r.find("rope_type") ? "rope_type" : "type";
    if (!r.find(typeKey)) {
        f.fail("'rope_scaling' has no 'rope_type' (" + scaling->dump() + ")");
        return;
    }
    if (r.choice(typeKey, { "default", "llama3" }) == "llama3") {
        c.ropeScaling = RopeScaling::Llama3;
        c.ropeFactor = r.number("factor", 1.0, 1e6, std::nullopt);
        c.ropeLowFrequencyFactor = r.positive("low_freq_factor", 1e6, std::nullopt, 0.0);
        c.ropeHighFrequencyFactor = r.positive("high_freq_factor", 1e6, std::nullopt, 0.0);
        c.ropeOriginalContext = r.integer("original_max_position_embeddings", 1, kMaxPositions);
        if (!r.error && c.ropeHighFrequencyFactor <= c.ropeLowFrequencyFactor)
            r.fail("high_freq_factor " + json(c.ropeHighFrequencyFactor).dump()
                + " must be greater than low_freq_factor " + json(c.ropeLowFrequencyFactor).dump());
    }
    if (r.error && !f.error)
        f.error = r.error;
}

// layer_types (Gemma 2, Qwen2): per layer "sliding_attention" or "full_attention"; nullopt when absent.
std::optional<std::vector<bool>> readHfLayerTypes(Fields& f, int layers)
{
    const json* types = f.find("layer_types");
    if (f.error || !types)
        return std::nullopt;
    std::vector<bool> sliding;
    if (types->is_array() && types->size() == static_cast<size_t>(layers))
        for (const json& t : *types) {
            if (t == "sliding_attention")
                sliding.push_back(true);
            else if (t == "full_attention")
                sliding.push_back(false);
            else
                break;
        }
    if (sliding.size() != static_cast<size_t>(layers)) {
        f.fail("'layer_types' must list " + std::to_string(layers)
            + " entries (one per layer), each \"sliding_attention\" or \"full_attention\", not "
            + types->dump());
        return std::nullopt;
    }
    return sliding;
}

// The defaults in which the Llama-like decoders' config classes differ.
struct HfDecoderDefaults {
    int maxPositions = 2048;
    double normEps = 1e-6;
    bool tied = false;
    int bos = -1;
    int eos = -1;
    std::optional<int64_t> headDim; // nullopt: hidden_size / num_attention_heads
};

void readHfDecoder(Fields& f, HfConfig& c, const HfDecoderDefaults& d)
{
    c.vocabSize = f.integer("vocab_size", 1, kMaxVocab);
    c.hiddenSize = f.integer("hidden_size", 1, kMaxHidden);
    c.intermediateSize = f.integer("intermediate_size", 1, kMaxIntermediate);
    c.layers = f.integer("num_hidden_layers", 1, kMaxLayers);
    c.heads = f.integer("num_attention_heads", 1, kMaxHeads);
    c.kvHeads = f.integer("num_key_value_heads", 1, kMaxHeads, c.heads);
    c.headDim = f.integer(
        "head_dim", 2, kMaxHidden, d.headDim ? *d.headDim : (c.heads ? c.hiddenSize / c.heads : 0));
    c.maxPositions = f.integer("max_position_embeddings", 1, kMaxPositions, d.maxPositions);
    c.normEps = f.number("rms_norm_eps", 0.0, 1.0, d.normEps);
    c.ropeTheta = f.number("rope_theta", 1.0, 1e12, 10000.0);
    c.tieWordEmbeddings = f.boolean("tie_word_embeddings", d.tied);
    readHfRopeScaling(f, c);
    c.bosTokenId = f.tokenId("bos_token_id", d.bos, c.vocabSize);
    c.eosTokenIds = f.tokenIds("eos_token_id", d.eos, c.vocabSize);
}

// sliding_window on every layer (Mistral, Phi-3): a positive window, null for none.
void readHfWindowEveryLayer(Fields& f, HfConfig& c, std::optional<int64_t> fallback)
{
    if (f.isNull("sliding_window") || (!f.find("sliding_window") && !fallback))
        return;
    c.slidingWindow = f.integer("sliding_window", 1, kMaxPositions, fallback);
    c.slidingLayers.assign(static_cast<size_t>(c.layers), true);
}

void readHfBertLike(Fields& f, HfConfig& c)
{
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
}

void readHfVitLike(Fields& f, HfConfig& c)
{
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
}

const std::pair<const char*, HfArchitecture> kHfModelTypes[] = {
    { "bert", HfArchitecture::Bert },
    { "roberta", HfArchitecture::Roberta },
    { "distilbert", HfArchitecture::DistilBert },
    { "gpt2", HfArchitecture::Gpt2 },
    { "llama", HfArchitecture::Llama },
    { "mistral", HfArchitecture::Mistral },
    { "qwen2", HfArchitecture::Qwen2 },
    { "gemma2", HfArchitecture::Gemma2 },
    { "phi3", HfArchitecture::Phi3 },
    { "vit", HfArchitecture::Vit },
    { "deit", HfArchitecture::Deit },
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
    const auto known = std::find_if(std::begin(kHfModelTypes), std::end(kHfModelTypes),
        [&](const auto& entry) { return c.modelType == entry.first; });
    if (known == std::end(kHfModelTypes))
        return makeError("unsupported architecture '" + c.modelType + "' in config.json; " + kSupported);
    c.architecture = known->second;
    for (const char* key : { "torch_dtype", "dtype" })
        if (const auto it = root.find(key); it != root.end() && it->is_string() && c.torchDtype.empty())
            c.torchDtype = it->get<std::string>();

    Fields f(root, prefix + c.modelType + " config: ");
    switch (c.architecture) {
    case HfArchitecture::Bert:
        readHfBertLike(f, c);
        break;
    case HfArchitecture::Roberta: {
        readHfBertLike(f, c);
        // RobertaEmbeddings: position ids padding_idx + 1, + 2, ... (create_position_ids_from_input_ids)
        const int pad = f.integer("pad_token_id", 0, kMaxPositions, 1);
        if (!f.error && pad + 1 >= c.maxPositions)
            f.fail("max_position_embeddings " + std::to_string(c.maxPositions)
                + " leaves no positions: RoBERTa's start at pad_token_id + 1 = " + std::to_string(pad + 1));
        c.positionOffset = pad + 1;
        c.maxPositions -= c.positionOffset;
        c.bosTokenId = f.tokenId("bos_token_id", 0, c.vocabSize);
        c.eosTokenIds = f.tokenIds("eos_token_id", 2, c.vocabSize);
        break;
    }
    case HfArchitecture::DistilBert:
        c.vocabSize = f.integer("vocab_size", 1, kMaxVocab);
        c.hiddenSize = f.integer("dim", 1, kMaxHidden);
        c.layers = f.integer("n_layers", 1, kMaxLayers);
        c.heads = f.integer("n_heads", 1, kMaxHeads);
        c.intermediateSize = f.integer("hidden_dim", 1, kMaxIntermediate);
        c.maxPositions = f.integer("max_position_embeddings", 1, kMaxPositions, 512);
        c.normEps = 1e-12; // nn.LayerNorm(eps=1e-12) in modeling_distilbert.py, not a config key
        f.choice("activation", { "gelu" });
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
        c.eosTokenIds = f.tokenIds("eos_token_id", 50256, c.vocabSize);
        break;
    case HfArchitecture::Llama:
        readHfDecoder(f, c,
            { .maxPositions = 2048,
                .normEps = 1e-6,
                .tied = false,
                .bos = 1,
                .eos = 2,
                .headDim = std::nullopt });
        f.choice("hidden_act", { "silu" });
        f.requireAbsent("attention_bias", "a bias on the attention projections");
        f.requireAbsent("mlp_bias", "a bias on the MLP");
        break;
    case HfArchitecture::Mistral:
        readHfDecoder(f, c,
            { .maxPositions = 4096 * 32,
                .normEps = 1e-6,
                .tied = false,
                .bos = 1,
                .eos = 2,
                .headDim = std::nullopt });
        f.choice("hidden_act", { "silu" });
        readHfWindowEveryLayer(f, c, 4096);
        break;
    case HfArchitecture::Qwen2: {
        readHfDecoder(f, c,
            { .maxPositions = 32768,
                .normEps = 1e-6,
                .tied = false,
                .bos = -1,
                .eos = -1,
                .headDim = std::nullopt });
        f.choice("hidden_act", { "silu" });
        // configuration_qwen2: sliding_window = sliding_window if use_sliding_window else None; the
        // layers from max_window_layers on are windowed unless layer_types says otherwise.
        const bool windowed = f.boolean("use_sliding_window", false);
        const auto types = readHfLayerTypes(f, c.layers);
        if (windowed) {
            if (f.isNull("sliding_window"))
                f.fail("'use_sliding_window' is true but 'sliding_window' is null");
            c.slidingWindow = f.integer("sliding_window", 1, kMaxPositions, 4096);
            const int first = f.integer("max_window_layers", 0, kMaxLayers, 28);
            if (types)
                c.slidingLayers = *types;
            else
                for (int l = 0; l < c.layers; ++l)
                    c.slidingLayers.push_back(l >= first);
        } else if (types && std::find(types->begin(), types->end(), true) != types->end()) {
            f.fail("'layer_types' has sliding_attention layers but 'use_sliding_window' is false");
        }
        break;
    }
    case HfArchitecture::Gemma2: {
        readHfDecoder(f, c,
            { .maxPositions = 8192, .normEps = 1e-6, .tied = true, .bos = 2, .eos = 1, .headDim = 256 });
        f.choice("hidden_activation", { "gelu_pytorch_tanh" });
        f.requireAbsent("attention_bias", "a bias on the attention projections");
        c.queryPreAttnScalar = f.positive("query_pre_attn_scalar", 1e9, 256.0, 0.0);
        if (f.isNull("query_pre_attn_scalar"))
            f.fail("'query_pre_attn_scalar' is null; Gemma 2 scales the scores by its inverse square root");
        c.attnSoftCap = f.positive("attn_logit_softcapping", 1e6, 50.0, 0.0);
        c.finalSoftCap = f.positive("final_logit_softcapping", 1e6, 30.0, 0.0);
        // layer_types default: sliding_attention if (i + 1) % 2, i.e. layers 0, 2, 4, ...
        const auto types = readHfLayerTypes(f, c.layers);
        if (f.isNull("sliding_window"))
            f.fail("'sliding_window' is null; Gemma 2's sliding layers need a window");
        c.slidingWindow = f.integer("sliding_window", 1, kMaxPositions, 4096);
        if (types)
            c.slidingLayers = *types;
        else
            for (int l = 0; l < c.layers; ++l)
                c.slidingLayers.push_back(l % 2 == 0);
        break;
    }
    case HfArchitecture::Phi3: {
        readHfDecoder(f, c,
            { .maxPositions = 4096,
                .normEps = 1e-5,
                .tied = false,
                .bos = 1,
                .eos = 32000,
                .headDim = std::nullopt });
        f.choice("hidden_act", { "silu" });
        f.requireAbsent("attention_bias", "a bias on the attention projections");
        readHfWindowEveryLayer(f, c, std::nullopt);
        const double partial = f.number("partial_rotary_factor", 0.0, 1.0, 1.0);
        // Phi3: rotary_ndims = int(head_dim * partial_rotary_factor), also the exponent's denominator
        const int rotary = static_cast<int>(c.headDim * partial);
        if (!f.error && (rotary < 2 || rotary % 2 != 0))
            f.fail("partial_rotary_factor " + json(partial).dump() + " of head_dim "
                + std::to_string(c.headDim) + " gives " + std::to_string(rotary)
                + " rotary dimensions; rotary embeddings need an even number, at least 2");
        if (rotary < c.headDim)
            c.rotaryDims = rotary;
        break;
    }
    case HfArchitecture::Vit:
        readHfVitLike(f, c);
        break;
    case HfArchitecture::Deit:
        readHfVitLike(f, c);
        c.distillationToken = true;
        break;
    }
    if (f.error)
        return *f.error;
    c.eosTokenId = c.eosTokenIds.empty() ? -1 : c.eosTokenIds.front();
    if (!c.isRotary())
        c.headDim = c.hiddenSize / c.heads;
    if (c.kvHeads == 0)
        c.kvHeads = c.heads;
    const std::string where = prefix + c.modelType + " config: ";
    if (!c.isRotary() && c.hiddenSize % c.heads != 0)
        return makeError(where + "the hidden size " + std::to_string(c.hiddenSize)
            + " is not divisible by the " + std::to_string(c.heads) + " attention heads");
    if (c.heads % c.kvHeads != 0)
        return makeError(where + "the " + std::to_string(c.heads)
            + " attention heads are not a multiple of the " + std::to_string(c.kvHeads) + " key/value heads");
    if (c.isRotary() && c.headDim < 2)
        return makeError(where + "the head size hidden_size / num_attention_heads = "
            + std::to_string(c.headDim) + " is too small; rotary embeddings need at least 2");
    if (c.isRotary() && c.rotaryDims == 0 && c.headDim % 2 != 0)
        return makeError(
            where + "head_dim " + std::to_string(c.headDim) + " is odd; rotary embeddings need it even");
    if (int64_t { c.heads } * c.headDim > kMaxHidden)
        return makeError(where + "heads x head_dim = " + std::to_string(int64_t { c.heads } * c.headDim)
            + " exceeds " + std::to_string(kMaxHidden));
    if (c.isVision()) {
        if (c.imageSize % c.patchSize != 0)
            return makeError(where + "image_size " + std::to_string(c.imageSize)
                + " is not a multiple of patch_size " + std::to_string(c.patchSize));
        c.maxPositions = c.patchesPerSide() * c.patchesPerSide() + (c.distillationToken ? 2 : 1);
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
