#pragma once
// Runs a real checkpoint over a prompt and returns its attention as an AttentionResult with
// every layer and head ([L][H][N][N]), so that every view works on models as on the engine.
// Today: llama2.c checkpoints (a .bin with its tokenizer.bin / tok*.bin). `path` is the
// checkpoint file or the folder holding it; the prompt gets the BOS token first, as llama2.c does.
// The last loaded model is cached (by path, size and modification time), so editing the prompt
// in the GUI does not reload it.
#include "AttentionResult.h"
#include "ComputeControl.h"
#include "Expected.h"
#include "InputSpec.h"

#include <string>
#include <vector>

namespace attn {

struct ModelFiles {
    std::string checkpoint;
    std::string tokenizer;
};

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
};

} // namespace attn
