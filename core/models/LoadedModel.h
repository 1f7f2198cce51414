#pragma once
// A checkpoint loaded with its tokenizer, and what running it needs from the tokenizer: the prompt's
// ids and labels, the text of generated tokens, which ids are special. load() caches the last model
// (by the paths, sizes and modification times of its files), so editing the prompt does not reload it.
#include "ComputeControl.h"
#include "Expected.h"
#include "GgufModel.h"
#include "HfConfig.h"
#include "HfTextModel.h"
#include "HfTokenizer.h"
#include "Llama2cTokenizer.h"
#include "LlamaModel.h"
#include "ModelLocator.h"
#include "TransformerStack.h"
#include "VitModel.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace attn {

struct LoadedModel {
    ModelFiles files;
    std::string key;
    // llama2.c
    std::unique_ptr<LlamaModel> model;
    std::unique_ptr<Llama2cTokenizer> tokenizer;
    // Hugging Face: a text model with its tokenizer, or a ViT
    HfConfig config;
    std::unique_ptr<HfTextModel> text;
    std::unique_ptr<VitModel> vit;
    std::unique_ptr<HfTokenizer> hfTokenizer; // also a GGUF file's tokenizer
    // GGUF: the model (its tokenizer moved to hfTokenizer)
    std::unique_ptr<GgufModel> gguf;
    std::set<int> specialIds; // BOS, EOS, [CLS], [SEP], padding, ...

    static Expected<std::shared_ptr<const LoadedModel>> load(const std::string& path, const ComputeControl& control = {});

    // The text model's stack (nullptr for a ViT).
    const TransformerStack* stack() const;
    // The prompt as the model's tokenizer splits it: BOS first for causal LMs, [CLS] ... [SEP] for BERT.
    Expected<TokenizedText> encode(const std::string& prompt) const;
    // The displayed text of the token a model predicts next.
    std::string nextTokenLabel(int id) const;
    // The text of each generated token after the prompt's ids.
    std::vector<std::string> generatedPieces(const std::vector<int>& prompt, const std::vector<int>& generated) const;
    // "model.safetensors (gpt2, 2 layers x 4 heads)".
    std::string sourceDescription() const;
};

} // namespace attn
