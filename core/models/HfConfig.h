#pragma once
// A Hugging Face model's config.json, reduced to what the native forward passes need, with HF's key
// names and HF's defaults where its config classes have them:
//   bert   vocab_size hidden_size num_hidden_layers num_attention_heads intermediate_size
//          max_position_embeddings type_vocab_size layer_norm_eps (1e-12) hidden_act ("gelu")
//   gpt2   vocab_size n_embd n_layer n_head n_inner (null: 4 n_embd) n_positions layer_norm_epsilon (1e-5)
//          activation_function ("gelu_new") bos_token_id eos_token_id (50256)
//   llama  vocab_size hidden_size intermediate_size num_hidden_layers num_attention_heads
//          num_key_value_heads (= heads) head_dim (hidden / heads) rms_norm_eps (1e-6) rope_theta (10000)
//          max_position_embeddings (2048) tie_word_embeddings (false) bos/eos_token_id (1, 2)
//   vit    hidden_size num_hidden_layers num_attention_heads intermediate_size image_size (224, at most
//          2048) patch_size (16) num_channels (3) layer_norm_eps (1e-12) qkv_bias (true)
// Every size is validated (positive, bounded, heads divide the hidden size, kv heads divide heads,
// the image a whole number of patches) before a model allocates anything from it. Variants whose
// arithmetic differs (rope_scaling, relative positions, another activation) are refused by name.
#include "Expected.h"

#include <string>

namespace attn {

enum class HfArchitecture { Bert, Gpt2, Llama, Vit };

struct HfConfig {
    HfArchitecture architecture = HfArchitecture::Bert;
    std::string modelType; // "bert", "gpt2", "llama", "vit"
    int vocabSize = 0; // 0 for ViT
    int hiddenSize = 0;
    int layers = 0;
    int heads = 0;
    int kvHeads = 0;
    int headDim = 0;
    int intermediateSize = 0;
    int maxPositions = 0; // context length (ViT: patches + 1)
    int typeVocabSize = 0;
    double normEps = 1e-12;
    double ropeTheta = 10000.0;
    bool tieWordEmbeddings = false;
    int bosTokenId = -1;
    int eosTokenId = -1;
    int imageSize = 0;
    int patchSize = 0;
    int channels = 0;
    bool qkvBias = true;

    bool isCausal() const
    {
        return architecture == HfArchitecture::Gpt2 || architecture == HfArchitecture::Llama;
    }
    int patchesPerSide() const { return patchSize ? imageSize / patchSize : 0; }

    // sourceName prefixes every message ("x/config.json: ...").
    static Expected<HfConfig> parse(const std::string& text, const std::string& sourceName);
    static Expected<HfConfig> readFile(const std::string& path);
};

} // namespace attn
