#pragma once
// A Hugging Face text model (BERT, RoBERTa, DistilBERT, GPT-2, Llama, Mistral, Qwen2, Gemma 2, Phi-3)
// run natively in float32 on the TransformerStack: load() picks the family from config.json's
// model_type (ModelFamily), reads its tensors into the stack (WeightLoader); forward() runs token ids
// once and captures every layer's per-head attention (ModelAttention); generateGreedy() continues a
// causal LM's prompt by argmax with a KV cache.
#include "ComputeControl.h"
#include "Expected.h"
#include "HfCheckpoint.h"
#include "HfConfig.h"
#include "ModelAttention.h"
#include "TransformerStack.h"

#include <memory>
#include <vector>

namespace attn {

struct HfLoadOptions {
    // Layers whose float32 weights exceed this many bytes in all are read layer by layer as the
    // forward needs them (HfLazyWeights) instead of being held: a BF16 checkpoint then costs its
    // embedding plus one layer in float32. 0: always held.
    uint64_t lazyLayersAbove = uint64_t { 512 } << 20;
};

struct HfRunOptions {
    bool keepQueriesKeys = false; // fill ModelAttention::queries / keys / values
};

class HfTextModel {
public:
    // Reads the weights of config.architecture from the checkpoint, every shape checked against the
    // config; the checkpoint must fit the memory budget of `control`.
    static Expected<std::unique_ptr<HfTextModel>> load(
        const HfConfig& config, const HfCheckpoint& checkpoint, const ComputeControl& control = {});
    // The same, keeping the checkpoint for layers read as needed (options.lazyLayersAbove).
    static Expected<std::unique_ptr<HfTextModel>> load(const HfConfig& config,
        std::shared_ptr<const HfCheckpoint> checkpoint, const ComputeControl& control, const HfLoadOptions& options);
    bool lazyLayers() const { return m_stack.weights().lazy != nullptr; }

    const HfConfig& config() const { return m_config; }
    const TransformerStack& stack() const { return m_stack; }

    // One pass over ids (1 <= N <= the context length, ids in the vocabulary). Progress once per
    // layer; a cancel gives "cancelled"; the capture must fit the memory budget. lastLogits is filled
    // for causal LMs.
    Expected<ModelAttention> forward(const std::vector<int>& ids, const HfRunOptions& options = {},
        const ComputeControl& control = {}) const
    {
        return m_stack.forward(ids, options.keepQueriesKeys, control);
    }

    // Causal LMs only: up to `steps` greedy tokens after the prompt, stopping before the EOS token
    // and at the context length.
    Expected<std::vector<int>> generateGreedy(
        const std::vector<int>& prompt, int steps, const ComputeControl& control = {}) const
    {
        return m_stack.generateGreedy(prompt, steps, control);
    }

private:
    HfTextModel(HfConfig config, TransformerStack stack)
        : m_config(std::move(config))
        , m_stack(std::move(stack))
    {
    }
    HfConfig m_config;
    TransformerStack m_stack;
};

} // namespace attn
