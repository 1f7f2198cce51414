#pragma once
// Runs a real checkpoint over a prompt and returns its attention as an AttentionResult with
// every layer and head ([L][H][N][N]), so that every view works on models as on the engine.
//   llama2.c   a .bin checkpoint with tokenizer.bin / tok*.bin beside it
//   Hugging Face  a folder with config.json and model.safetensors or model.safetensors.index.json
//              (shards) plus its tokenizer files (tokenizer.json, vocab.json + merges.txt or vocab.txt),
//              or a .safetensors / index file with config.json beside it: bert, gpt2, llama, vit
// `path` is the checkpoint file or the folder holding it. A causal LM's prompt gets the BOS token
// first (as llama2.c and HF Llama do); BERT's gets [CLS] ... [SEP]. Per-head queries and keys are
// always captured (they cost head_dim / N of the maps). The last loaded model is cached (by the
// paths, sizes and modification times of its files), so editing the prompt does not reload it.
// The parts: ModelLocator (which files), LoadedModel (loading, caching, tokenising), the families'
// TransformerStack (running), ModelResultBuilder (the capture as an AttentionResult).
#include "AttentionResult.h"
#include "ComputeControl.h"
#include "Expected.h"
#include "HfConfig.h"
#include "ImageBuffer.h"
#include "InputSpec.h"
#include "ModelLocator.h"

#include <string>
#include <vector>

namespace attn {

struct GeneratedToken {
    int id;
    std::string piece; // decoded text of the token
};

class ModelRunner {
public:
    // Finds the checkpoint and tokenizer for a file or folder; errors say what was looked for.
    static Expected<ModelFiles> locate(const std::string& path);
    static Expected<AttentionResult> run(const InputSpec& spec, const ComputeControl& control = {});
    // Greedy continuation of the prompt (BOS first), up to `steps` new tokens.
    static Expected<std::vector<GeneratedToken>> generate(
        const std::string& path, const std::string& prompt, int steps, const ComputeControl& control = {});
    // Token labels of the prompt as the model's tokenizer splits it (BOS first).
    static Expected<std::vector<std::string>> tokenize(const std::string& path, const std::string& prompt);
    // A ViT (or DeiT) checkpoint over a picture: resized (bilinear, pixel centres aligned, no
    // antialiasing) to the config's image_size, scaled to [0, 1] and normalised per channel as the
    // family's HF image processor does by default (VitImagePreprocessor), then one forward pass. Tokens
    // "CLS" (DeiT: "CLS", "DIST"), then "r,c" row-major; the grid fields describe the patches (gridRows
    // x gridCols cells over the whole picture).
    // The config of the vision transformer at `path` (a file or folder as for run()); an error when
    // the path holds no model, or a model that is not a ViT. Reads config.json only, not the weights.
    static Expected<HfConfig> visionConfig(const std::string& path);
    static Expected<AttentionResult> runImage(
        const std::string& path, const ImageBuffer& image, const ComputeControl& control = {});
};

} // namespace attn
