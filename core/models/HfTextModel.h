#pragma once
// A Hugging Face text model (BertModel, Gpt2Model, HfLlamaModel) run natively in float32, behind one
// interface: load() picks the family from config.json's model_type, forward() runs token ids once and
// captures every layer's per-head attention (ModelAttention), generateGreedy() continues a causal
// LM's prompt by argmax with a KV cache (each layer's keys and values of the positions so far, so a
// new token costs one row through the network, not a re-run of the sequence).
#include "ComputeControl.h"
#include "Expected.h"
#include "HfCheckpoint.h"
#include "HfConfig.h"
#include "ModelAttention.h"
#include "Types.h"

#include <memory>
#include <vector>

namespace attn {

struct HfRunOptions {
    bool keepQueriesKeys = false; // fill ModelAttention::queries / keys
};

class HfTextModel {
public:
    virtual ~HfTextModel() = default;

    // Reads the weights of config.architecture (bert, gpt2 or llama) from the checkpoint, every shape
    // checked against the config; the checkpoint must fit the memory budget of `control`.
    static Expected<std::unique_ptr<HfTextModel>> load(
        const HfConfig& config, const HfCheckpoint& checkpoint, const ComputeControl& control = {});

    const HfConfig& config() const { return m_config; }

    // One pass over ids (1 <= N <= the context length, ids in the vocabulary). Progress once per
    // layer; a cancel gives "cancelled"; the capture must fit the memory budget. lastLogits is filled
    // for causal LMs.
    Expected<ModelAttention> forward(const std::vector<int>& ids, const HfRunOptions& options = {},
        const ComputeControl& control = {}) const;

    // Causal LMs only: up to `steps` greedy tokens after the prompt, stopping before the EOS token
    // and at the context length.
    Expected<std::vector<int>> generateGreedy(
        const std::vector<int>& prompt, int steps, const ComputeControl& control = {}) const;

protected:
    explicit HfTextModel(HfConfig config)
        : m_config(std::move(config))
    {
    }
    // Keys and values of every layer for positions 0 .. length - 1 (causal LMs; post-RoPE keys for Llama).
    struct KvCache {
        std::vector<Matrix> k; // per layer [capacity, H_kv * d]
        std::vector<Matrix> v;
        int length = 0;
        KvCache(int layers, int capacity, int kvDim)
            : k(static_cast<size_t>(layers), Matrix(capacity, kvDim))
            , v(static_cast<size_t>(layers), Matrix(capacity, kvDim))
        {
        }
    };
    // The family's forward over n validated ids at positions cache.length .. cache.length + n - 1,
    // appending their keys and values to the cache (causal LMs; BERT is only run whole, cache unused).
    // Fills capture's maps when capture is not null (then cache.length is 0) and the logits after the
    // last position when lastLogits is not null (causal LMs).
    virtual Status forwardBlock(const int* ids, int n, KvCache& cache, ModelAttention* capture,
        std::vector<float>* lastLogits, const ComputeControl& control) const = 0;

    HfConfig m_config;

private:
    Status validateTokens(const std::vector<int>& ids) const;
};

} // namespace attn
