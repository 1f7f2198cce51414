#pragma once
// Finds what a model path stands for: a llama2.c checkpoint (.bin) with its tokenizer beside it, a
// Hugging Face folder / .safetensors / index file with config.json and the tokenizer files beside it,
// or a GGUF file (.gguf, or a folder holding exactly one), which carries its own tokenizer.
// Errors say what was looked for.
#include "Expected.h"

#include <string>

namespace attn {

struct ModelFiles {
    std::string checkpoint; // llama2.c .bin, a .safetensors file or model.safetensors.index.json
    std::string tokenizer;  // llama2.c: the tokenizer .bin; Hugging Face: the folder of its tokenizer files
    std::string config;     // Hugging Face: config.json; empty for llama2.c
    bool gguf = false;      // checkpoint is a .gguf file (config and tokenizer empty)
    bool isHuggingFace() const { return !config.empty(); }
};

class ModelLocator {
public:
    static Expected<ModelFiles> locate(const std::string& path);
};

} // namespace attn
