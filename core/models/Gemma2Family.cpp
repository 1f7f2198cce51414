#include "Gemma2Family.h"

#include "LlamaFamily.h"

#include <cmath>

namespace attn {

namespace {

// x rounded to nearest-even with `bits` significant bits (bfloat16: 8, float16: 11), as torch.tensor(x,
// dtype=...) stores it (x is between 1 and 2^16 here: no subnormals, no overflow).
float gemmaRoundToSignificantBits(double x, int bits)
{
    int exponent = 0;
    const double mantissa = std::frexp(x, &exponent); // [0.5, 1)
    return static_cast<float>(std::ldexp(std::nearbyint(std::ldexp(mantissa, bits)), exponent - bits));
}

float gemmaEmbeddingNormalizer(const HfConfig& c)
{
    const double root = std::sqrt(static_cast<double>(c.hiddenSize));
    if (c.torchDtype == "bfloat16")
        return gemmaRoundToSignificantBits(root, 8);
    if (c.torchDtype == "float16")
        return gemmaRoundToSignificantBits(root, 11);
    return static_cast<float>(root);
}

} // namespace

TransformerSpec Gemma2Family::spec(const HfConfig& c)
{
    TransformerSpec s = LlamaFamily::spec(c);
    s.normAddOne = true;
    s.sandwichNorm = true;
    s.embeddingScale = gemmaEmbeddingNormalizer(c);
    s.mlp = MlpKind::GeGluTanh;
    s.queryScale = 1.0 / std::sqrt(c.queryPreAttnScalar);
    s.attentionSoftCap = static_cast<float>(c.attnSoftCap);
    s.finalSoftCap = static_cast<float>(c.finalSoftCap);
    return s;
}

TensorNameTable Gemma2Family::tensorNames()
{
    TensorNameTable t = LlamaFamily::tensorNames();
    const std::string p = "layers.{L}.";
    t.postAttnNorm = p + "post_attention_layernorm.weight";
    t.mlpNormWeight = p + "pre_feedforward_layernorm.weight";
    t.postMlpNorm = p + "post_feedforward_layernorm.weight";
    return t;
}

} // namespace attn
