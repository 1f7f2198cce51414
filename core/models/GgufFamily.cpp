#include "GgufFamily.h"

#include "ModelLimits.h"

#include <cmath>
#include <optional>

namespace attn {

namespace {

using namespace limits;

// Reads "<arch>.<key>" values with one message shape, keeping the first problem.
class Keys {
public:
    Keys(const GgufFile& file, std::string arch)
        : m_file(file)
        , m_arch(std::move(arch))
    {
    }
    std::optional<Error> error;

    const GgufValue* find(const std::string& key) const { return m_file.find(m_arch + "." + key); }

    int integer(const std::string& key, int64_t low, int64_t high, std::optional<int64_t> fallback = std::nullopt)
    {
        if (error)
            return 0;
        const std::string full = m_arch + "." + key;
        const GgufValue* v = m_file.find(full);
        if (!v) {
            if (fallback)
                return static_cast<int>(*fallback);
            fail("'" + full + "' is missing");
            return 0;
        }
        if (v->isArray()) {
            fail("'" + full + "' is an array (a value per layer); only one value for every layer is supported");
            return 0;
        }
        const auto i = v->asInt();
        if (!i) {
            fail("'" + full + "' is a " + v->typeName() + "; it must be a whole number");
            return 0;
        }
        if (*i < low || *i > high) {
            fail("'" + full + "' is " + std::to_string(*i) + "; it must be between " + std::to_string(low) + " and "
                + std::to_string(high));
            return 0;
        }
        return static_cast<int>(*i);
    }
    double number(const std::string& key, double low, double high, double fallback)
    {
        if (error)
            return fallback;
        const std::string full = m_arch + "." + key;
        const GgufValue* v = m_file.find(full);
        if (!v)
            return fallback;
        const auto f = v->asFloat();
        if (!f || !std::isfinite(*f) || *f < low || *f > high) {
            fail("'" + full + "' is " + v->display() + "; it must be a number between " + std::to_string(low)
                + " and " + std::to_string(high));
            return fallback;
        }
        return *f;
    }
    std::string text(const std::string& key)
    {
        const GgufValue* v = find(key);
        return v && v->asString() ? *v->asString() : std::string();
    }
    void fail(const std::string& message)
    {
        if (!error)
            error = makeError(m_file.sourceName() + ": " + message);
    }

private:
    const GgufFile& m_file;
    std::string m_arch;
};

} // namespace

Expected<TransformerSpec> GgufFamily::spec(const GgufFile& file)
{
    const std::string source = file.sourceName() + ": ";
    const GgufValue* archValue = file.find("general.architecture");
    if (!archValue || !archValue->asString())
        return makeError(source + "no 'general.architecture' string; supported: " + supportedList());
    const std::string arch = *archValue->asString();
    if (arch != "llama" && arch != "qwen2" && arch != "gemma2" && arch != "phi3")
        return makeError(source + "unsupported architecture '" + arch + "'; supported: " + supportedList());

    Keys k(file, arch);
    TransformerSpec s;
    s.family = arch;
    if (k.integer("expert_count", 0, 1 << 20, 0) > 0)
        return makeError(source + "a mixture-of-experts model ('" + arch + ".expert_count' is set) is not supported");
    s.layers = k.integer("block_count", 1, kMaxLayers);
    s.hidden = k.integer("embedding_length", 1, kMaxHidden);
    s.intermediate = k.integer("feed_forward_length", 1, kMaxIntermediate);
    s.heads = k.integer("attention.head_count", 1, kMaxHeads);
    s.kvHeads = k.integer("attention.head_count_kv", 1, kMaxHeads, s.heads);
    s.maxPositions = k.integer("context_length", 1, kMaxPositions);
    const int defaultHeadDim = s.heads ? s.hidden / s.heads : 0;
    s.headDim = k.integer("attention.key_length", 2, kMaxHidden, defaultHeadDim);
    const int valueDim = k.integer("attention.value_length", 2, kMaxHidden, s.headDim);
    s.normEps = k.number("attention.layer_norm_rms_epsilon", 0.0, 1.0, 1e-5);
    s.rope.theta = k.number("rope.freq_base", 1.0, 1e12, 10000.0);
    const int rotary = k.integer("rope.dimension_count", 2, kMaxHidden, s.headDim);
    if (k.error)
        return *k.error;
    if (valueDim != s.headDim)
        return makeError(source + "'" + arch + ".attention.value_length' (" + std::to_string(valueDim)
            + ") differs from the key length (" + std::to_string(s.headDim) + "); this is not supported");
    if (s.heads % s.kvHeads != 0)
        return makeError(source + "the " + std::to_string(s.heads) + " attention heads are not a multiple of the "
            + std::to_string(s.kvHeads) + " key/value heads");
    if (s.headDim % 2 != 0 || rotary % 2 != 0 || rotary > s.headDim)
        return makeError(source + "rotary dimensions " + std::to_string(rotary) + " of a head of "
            + std::to_string(s.headDim) + ": both must be even, the first at most the second");
    if (rotary != s.headDim)
        s.rope.rotaryDims = rotary;

    const GgufTensorInfo* embedding = file.tensor("token_embd.weight");
    if (!embedding || embedding->dims.size() != 2)
        return makeError(source + "no 2-D 'token_embd.weight' tensor (the token embedding)");
    if (embedding->dims[1] > static_cast<uint64_t>(kMaxVocab))
        return makeError(source + "'token_embd.weight' has " + std::to_string(embedding->dims[1])
            + " rows; at most " + std::to_string(kMaxVocab) + " tokens are supported");
    s.vocab = static_cast<int>(embedding->dims[1]);

    const std::string scaling = k.text("rope.scaling.type");
    if (scaling == "linear") {
        s.rope.scaling = RopeScaling::Linear;
        s.rope.factor = k.number("rope.scaling.factor", 1e-3, 1e6, 1.0);
    } else if (!scaling.empty() && scaling != "none") {
        return makeError(source + "RoPE scaling '" + scaling + "' ('" + arch + ".rope.scaling.type') is not supported");
    }
    if (file.tensor("rope_factors_long.weight") || file.tensor("rope_factors_short.weight"))
        return makeError(source + "LongRoPE (rope_factors_long / rope_factors_short tensors) is not supported");
    if (const GgufTensorInfo* freqs = file.tensor("rope_freqs.weight")) {
        if (freqs->dims.size() != 1 || freqs->dims[0] != static_cast<uint64_t>(rotary / 2))
            return makeError(source + "'rope_freqs.weight' must hold " + std::to_string(rotary / 2)
                + " values (one per rotary frequency)");
        auto values = file.dequantize(*freqs);
        if (!values)
            return values.takeError();
        for (float v : *values) {
            if (!(v > 0.0f))
                return makeError(source + "'rope_freqs.weight' holds " + std::to_string(v)
                    + "; its factors must be positive");
            s.rope.frequencyDivisors.push_back(v);
        }
    }

    // What every architecture here shares.
    s.norm = NormType::RmsNorm;
    s.placement = NormPlacement::Pre;
    s.causal = true;
    s.mlp = MlpKind::SwiGlu;
    s.hasHead = true;
    s.tiedHead = file.tensor("output.weight") == nullptr;
    s.positions = PositionKind::RopeHalf; // llama's Q and K are read back unpermuted
    s.slidingWindow = k.integer("attention.sliding_window", 0, kMaxPositions, 0);
    s.slidingLayers = SlidingLayers::All;

    if (arch == "qwen2") {
        s.qkvBias = true;
    } else if (arch == "gemma2") {
        s.mlp = MlpKind::GeGluTanh;
        s.embeddingScale = std::sqrt(static_cast<float>(s.hidden));
        s.sandwichNorm = true;
        s.slidingLayers = SlidingLayers::Even;
        // convert_hf_to_gguf.py writes all three for every Gemma 2; llama.cpp would silently assume 50, 30
        // and 4096 for a file without them, a model that may not be the one meant: refused by name instead.
        for (const char* key : { "attn_logit_softcapping", "final_logit_softcapping", "attention.sliding_window" })
            if (!k.find(key))
                return makeError(source + "'gemma2." + key
                    + "' is missing (llama.cpp's converter writes it for every Gemma 2 model)");
        s.attentionSoftCap = static_cast<float>(k.number("attn_logit_softcapping", 1e-3, 1e6, 0.0));
        s.finalSoftCap = static_cast<float>(k.number("final_logit_softcapping", 1e-3, 1e6, 0.0));
        s.queryScale = s.layers == 46 ? 1.0 / std::sqrt(static_cast<double>(s.hidden / s.heads))
                                      : 1.0 / std::sqrt(static_cast<double>(s.headDim));
        if (k.error)
            return *k.error;
    }
    const GgufValue* eos = file.find("tokenizer.ggml.eos_token_id");
    if (eos && eos->asInt() && *eos->asInt() >= 0 && *eos->asInt() < s.vocab)
        s.stopTokens.push_back(static_cast<int>(*eos->asInt()));
    const GgufValue* eot = file.find("tokenizer.ggml.eot_token_id");
    if (eot && eot->asInt() && *eot->asInt() >= 0 && *eot->asInt() < s.vocab)
        s.stopTokens.push_back(static_cast<int>(*eot->asInt()));
    return s;
}

TensorNameTable GgufFamily::tensorNames(const TransformerSpec& s)
{
    TensorNameTable t;
    t.tokenEmbedding = "token_embd.weight";
    const std::string p = "blk.{L}.";
    t.attnNormWeight = p + "attn_norm.weight";
    if (s.family == "phi3") {
        t.qkv = p + "attn_qkv.weight";
        t.gateUp = p + "ffn_up.weight";
    } else {
        t.q = p + "attn_q.weight";
        t.k = p + "attn_k.weight";
        t.v = p + "attn_v.weight";
        t.qBias = p + "attn_q.bias";
        t.kBias = p + "attn_k.bias";
        t.vBias = p + "attn_v.bias";
        t.gate = p + "ffn_gate.weight";
        t.up = p + "ffn_up.weight";
    }
    t.o = p + "attn_output.weight";
    t.mlpNormWeight = p + "ffn_norm.weight";
    t.down = p + "ffn_down.weight";
    if (s.sandwichNorm) {
        t.postAttnNorm = p + "post_attention_norm.weight";
        t.postMlpNorm = p + "post_ffw_norm.weight";
    }
    t.finalNormWeight = "output_norm.weight";
    t.head = "output.weight";
    return t;
}

} // namespace attn
