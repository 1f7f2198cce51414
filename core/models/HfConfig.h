#pragma once
// A Hugging Face model's config.json, reduced to what the native forward passes need, with HF's key
// names and HF's defaults where its config classes have them:
//   bert     vocab_size hidden_size num_hidden_layers num_attention_heads intermediate_size
//            max_position_embeddings (512) type_vocab_size (2) layer_norm_eps (1e-12) hidden_act ("gelu")
//   roberta  bert's keys, and pad_token_id (1): learned positions start at padding_idx + 1, so the
//            context is max_position_embeddings - pad_token_id - 1
//   distilbert  vocab_size dim n_layers n_heads hidden_dim max_position_embeddings (512) activation ("gelu");
//            LayerNorm eps 1e-12 (fixed in modeling_distilbert.py), no token types
//   gpt2     vocab_size n_embd n_layer n_head n_inner (null: 4 n_embd) n_positions layer_norm_epsilon (1e-5)
//            activation_function ("gelu_new") bos_token_id eos_token_id (50256)
//   llama    vocab_size hidden_size intermediate_size num_hidden_layers num_attention_heads
//            num_key_value_heads (= heads) head_dim (hidden / heads) rms_norm_eps (1e-6) rope_theta (10000)
//            rope_scaling (null; or rope_type "llama3" with factor, low_freq_factor, high_freq_factor,
//            original_max_position_embeddings: Llama 3.1+) max_position_embeddings (2048)
//            tie_word_embeddings (false) bos/eos_token_id (1, 2; eos may be a list: every one stops)
//   mistral  llama's keys (rms_norm_eps 1e-6, max_position_embeddings 131072) and sliding_window (4096;
//            null: none) on every layer
//   qwen2    llama's keys (max_position_embeddings 32768, no bos/eos defaults); q/k/v biases;
//            sliding_window (4096) only when use_sliding_window, on layers >= max_window_layers (28)
//            or as layer_types says
//   gemma2   llama's keys with head_dim (256), hidden_activation ("gelu_pytorch_tanh"),
//            query_pre_attn_scalar (256), attn_logit_softcapping (50; null: none),
//            final_logit_softcapping (30; null: none), sliding_window (4096) on the layers layer_types
//            marks (default: 0, 2, 4, ...), tie_word_embeddings (true), bos/eos (2, 1), torch_dtype
//   phi3     llama's keys (rms_norm_eps 1e-5, max_position_embeddings 4096, bos/eos 1, 32000),
//            partial_rotary_factor (1.0), sliding_window (null) on every layer; fused qkv and gate_up
//   vit      hidden_size num_hidden_layers num_attention_heads intermediate_size image_size (224, at most
//            2048) patch_size (16) num_channels (3) layer_norm_eps (1e-12) qkv_bias (true)
//   deit     vit's keys; a distillation token after the CLS token
// Every size is validated (positive, bounded, heads divide the hidden size, kv heads divide heads,
// the image a whole number of patches) before a model allocates anything from it. Variants whose
// arithmetic differs (other RoPE scalings, relative positions, another activation, biases the family
// does not have) are refused by name.
#include "Expected.h"
#include "TransformerSpec.h"

#include <string>
#include <vector>

namespace attn {

enum class HfArchitecture { Bert, Roberta, DistilBert, Gpt2, Llama, Mistral, Qwen2, Gemma2, Phi3, Vit, Deit };

struct HfConfig {
    HfArchitecture architecture = HfArchitecture::Bert;
    std::string modelType; // config.json's model_type: "bert", "gpt2", "llama", "gemma2", "vit", ...
    int vocabSize = 0; // 0 for ViT
    int hiddenSize = 0;
    int layers = 0;
    int heads = 0;
    int kvHeads = 0;
    int headDim = 0;
    int intermediateSize = 0;
    int maxPositions = 0; // context length (ViT: patches + 1, DeiT: patches + 2)
    int typeVocabSize = 0;
    double normEps = 1e-12;
    double ropeTheta = 10000.0;
    bool tieWordEmbeddings = false;
    int bosTokenId = -1;
    int eosTokenId = -1; // the first of eosTokenIds (-1: none)
    std::vector<int> eosTokenIds; // every end token (Llama 3 lists several)
    std::string torchDtype; // "bfloat16", "float16", "float32", ... ("" when not given)
    int imageSize = 0;
    int patchSize = 0;
    int channels = 0;
    bool qkvBias = true;
    bool distillationToken = false; // DeiT: [CLS, distillation, patches]

    // Positions.
    int positionOffset = 0; // RoBERTa: the learned table row of position p is p + pad_token_id + 1
    RopeScaling ropeScaling = RopeScaling::None;
    double ropeFactor = 1.0; // llama3 scaling: factor, low/high_freq_factor, original context
    double ropeLowFrequencyFactor = 1.0;
    double ropeHighFrequencyFactor = 4.0;
    int ropeOriginalContext = 8192;
    int rotaryDims = 0; // int(head_dim * partial_rotary_factor) when below head_dim (0: all)

    // Attention.
    int slidingWindow = 0; // W: query i sees key j iff i - j < W (0: no window)
    std::vector<bool> slidingLayers; // per layer: windowed (empty when there is no window)
    double queryPreAttnScalar = 0.0; // Gemma 2: scores * query_pre_attn_scalar^-0.5 (0: head_dim)
    double attnSoftCap = 0.0; // Gemma 2: cap * tanh(score / cap) (0: none)
    double finalSoftCap = 0.0; // Gemma 2: the same on the logits

    bool isCausal() const
    {
        switch (architecture) {
        case HfArchitecture::Gpt2:
        case HfArchitecture::Llama:
        case HfArchitecture::Mistral:
        case HfArchitecture::Qwen2:
        case HfArchitecture::Gemma2:
        case HfArchitecture::Phi3:
            return true;
        default:
            return false;
        }
    }
    bool isVision() const
    {
        return architecture == HfArchitecture::Vit || architecture == HfArchitecture::Deit;
    }
    // Llama-like decoders: rotary positions, head_dim possibly given apart from hidden / heads.
    bool isRotary() const { return isCausal() && architecture != HfArchitecture::Gpt2; }
    int patchesPerSide() const { return patchSize ? imageSize / patchSize : 0; }

    // sourceName prefixes every message ("x/config.json: ...").
    static Expected<HfConfig> parse(const std::string& text, const std::string& sourceName);
    static Expected<HfConfig> readFile(const std::string& path);
};

} // namespace attn
