#pragma once
// A checkpoint family described as data: everything in which BERT, GPT-2, Llama, llama2.c, ViT (and
// the families after them) differ, for the one TransformerStack that runs them all. A family file
// (BertFamily, Gpt2Family, ...) fills one of these from its config and names its tensors in a
// TensorNameTable; it never writes a forward pass of its own.
//
// One block, with placement Pre (GPT-2, Llama, ViT):
//   h = norm_attn(x); q, k, v = h W^T (+ b); rotary on q, k; a = attention(q, k, v) W_o^T (+ b_o)
//   x += sandwich ? norm_post_attn(a) : a
//   h = norm_mlp(x);  m = mlp(h);  x += sandwich ? norm_post_mlp(m) : m
// and with placement Post (BERT): x = norm_attn(x + a(x)); x = norm_mlp(x + mlp(x)).
// attention per head h, kv head g = h / (heads / kvHeads):
//   s = (q_h k_g^T) * queryScale;  s = cap * tanh(s / cap) when softCap > 0;
//   keys after the query (causal) or outside the sliding window get weight exactly 0; softmax.
// The sliding window W (Hugging Face's sliding_window, llama.cpp's n_swa) counts the query's own
// position: query i sees key j iff 0 <= i - j < W, and a key with i - j >= W is masked.
#include <string>
#include <vector>

namespace attn {

enum class NormType {
    LayerNorm, // (x - mean) / sqrt(var + eps) * w + b
    RmsNorm,   // x / sqrt(mean(x^2) + eps) * w   (or * (1 + w) with normAddOne: Gemma)
};

enum class NormPlacement {
    Pre,  // the norm before each sub-layer, the residual around it
    Post, // the norm after the residual sum (BERT)
};

enum class PositionKind {
    None,            // positions come from elsewhere (or none at all)
    Learned,         // a learned absolute table added to the embeddings (BERT, GPT-2, ViT)
    RopeInterleaved, // rotary on (2i, 2i + 1) pairs (llama2.c, GGUF's llama layout)
    RopeHalf,        // rotary on (i, i + d/2) pairs (Hugging Face's rotate_half)
};

enum class MlpKind {
    GeluErf,  // W2 gelu_erf(W1 x + b1) + b2 (BERT, ViT)
    GeluTanh, // W2 gelu_tanh(W1 x + b1) + b2 (GPT-2 "gelu_new")
    SwiGlu,   // down(silu(gate x) * up x) (Llama)
    GeGluTanh, // down(gelu_tanh(gate x) * up x) (Gemma "gelu_pytorch_tanh")
};

enum class RopeScaling {
    None,
    Linear, // positions divided by factor
    Llama3, // Llama 3.1's frequency-dependent scaling (factor, low/high frequency factors, original context)
};

struct RopeSpec {
    double theta = 10000.0;
    int rotaryDims = 0; // how many dimensions of each head rotate (0: all of them)
    RopeScaling scaling = RopeScaling::None;
    double factor = 1.0;
    double lowFrequencyFactor = 1.0;
    double highFrequencyFactor = 4.0;
    int originalContext = 8192;
    // Per-frequency divisors stored with the weights (GGUF's rope_freqs tensor, which llama.cpp's
    // converter writes for Llama 3.1+ instead of the scaling parameters); empty: none.
    std::vector<double> frequencyDivisors;
};

enum class SlidingLayers {
    All, // every layer's attention is windowed (Mistral)
    Even, // layers 0, 2, 4, ... are windowed, the others global (Gemma 2)
    Listed, // the layers marked in slidingLayerMask (HF layer_types, Qwen2 max_window_layers)
};

struct TransformerSpec {
    std::string family; // "bert", "gpt2", "llama", "llama2.c", "vit", "gemma2", ... (the model_type)

    // Sizes.
    int layers = 0;
    int hidden = 0;
    int heads = 0;
    int kvHeads = 0;
    int headDim = 0;
    int intermediate = 0;
    int vocab = 0;        // 0: the stack takes embeddings, not token ids (ViT)
    int maxPositions = 0; // context length

    // Normalisation.
    NormType norm = NormType::LayerNorm;
    NormPlacement placement = NormPlacement::Pre;
    double normEps = 1e-5;
    bool normAddOne = false;    // RMSNorm scales by (1 + w)
    bool embeddingNorm = false; // a norm right after the embeddings (BERT)
    bool sandwichNorm = false;  // extra norms on each sub-layer's output before the residual add (Gemma 2)
    bool finalNorm = true;      // a norm before the head

    // Embeddings and positions.
    PositionKind positions = PositionKind::None;
    int positionOffset = 0;    // learned table row of position p: p + offset (RoBERTa: padding_idx + 1)
    bool tokenTypeZero = false; // add token type 0's embedding (BERT)
    int tokenTypeRows = 0;      // rows of the token type table (type_vocab_size)
    float embeddingScale = 1.0f; // the embeddings are multiplied by this (Gemma: sqrt(hidden))
    RopeSpec rope;

    // Attention.
    bool qkvBias = false; // q, k and v projections have biases
    bool outputBias = false;
    bool causal = false;
    int slidingWindow = 0; // W: query i sees key j iff i - j < W (0: no window)
    SlidingLayers slidingLayers = SlidingLayers::All;
    std::vector<bool> slidingLayerMask; // SlidingLayers::Listed: true for each windowed layer
    float attentionSoftCap = 0.0f; // 0: none
    double queryScale = 0.0;       // 0: 1 / sqrt(headDim)

    // MLP.
    MlpKind mlp = MlpKind::GeluErf;
    bool mlpBias = false;

    // Head (causal LMs): logits = final_norm(x_last) head^T, capped like the scores when finalSoftCap > 0.
    bool hasHead = false;
    bool tiedHead = false; // the head is the token embedding
    float finalSoftCap = 0.0f;
    std::vector<int> stopTokens; // greedy generation stops before any of these

    double scoreScale() const;
    bool windowedLayer(int layer) const
    {
        if (slidingWindow <= 0)
            return false;
        switch (slidingLayers) {
        case SlidingLayers::All:
            return true;
        case SlidingLayers::Even:
            return layer % 2 == 0;
        case SlidingLayers::Listed:
            return layer >= 0 && static_cast<size_t>(layer) < slidingLayerMask.size()
                && slidingLayerMask[static_cast<size_t>(layer)];
        }
        return false;
    }
    int qDim() const { return heads * headDim; }
    int kvDim() const { return kvHeads * headDim; }
    bool gated() const { return mlp == MlpKind::SwiGlu || mlp == MlpKind::GeGluTanh; }
};

} // namespace attn
