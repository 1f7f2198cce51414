#pragma once
// Runs a llama2.c checkpoint natively in float32 on the TransformerStack (Llama2cFamily has the
// arithmetic: run.c's), capturing every layer's per-head attention. A whole prompt is processed as
// one block of matrix products; generation reuses a KV cache.
#include "ComputeControl.h"
#include "Expected.h"
#include "Llama2cCheckpoint.h"
#include "Llama2cTokenizer.h"
#include "ModelAttention.h"
#include "TransformerStack.h"

#include <memory>
#include <string>
#include <vector>

namespace attn {

struct LlamaRunOptions {
    bool keepQueriesKeys = false;
    const Llama2cTokenizer* tokenizer = nullptr; // for tokenLabels
};

class LlamaModel {
public:
    explicit LlamaModel(Llama2cCheckpoint checkpoint);

    const Llama2cCheckpoint& checkpoint() const { return *m_checkpoint; }
    const Llama2cConfig& config() const { return m_checkpoint->config(); }
    const TransformerStack& stack() const { return m_stack; }

    // The forward pass over tokens (1 <= N <= seq_len, ids in the vocabulary) capturing every
    // layer's and head's attention. Progress is reported once per layer; a cancel gives the error
    // "cancelled". The attention maps must fit the memory budget of `control`.
    Expected<ModelAttention> forward(const std::vector<int>& tokens, const LlamaRunOptions& options = {},
        const ComputeControl& control = {}) const;

    // Greedy (argmax) continuation of prompt (non-empty, e.g. {1} for BOS alone): up to `steps` new
    // token ids, stopping before a BOS (1) or EOS (2) token, as run.c does, and when the sequence
    // reaches seq_len. Uses a KV cache. Progress is reported per generated token.
    Expected<std::vector<int>> generateGreedy(
        const std::vector<int>& prompt, int steps, const ComputeControl& control = {}) const
    {
        return m_stack.generateGreedy(prompt, steps, control);
    }

private:
    std::unique_ptr<const Llama2cCheckpoint> m_checkpoint; // the stack borrows its weights
    TransformerStack m_stack;
};

} // namespace attn
