#pragma once
// A Hugging Face text model (BertModel, Gpt2Model, HfLlamaModel) run natively in float32, behind one
// interface: load() picks the family from config.json's model_type, forward() runs token ids once and
// captures every layer's per-head attention (ModelAttention), generateGreedy() continues a causal
// LM's prompt by argmax. Generation re-runs the whole sequence for every new token (no KV cache):
// simple and exact, and fast enough for the small models this tool inspects (stories-sized, GPT-2 small
// at short lengths); the cost grows with the square of the length.
#include "ComputeControl.h"
#include "Expected.h"
#include "HfCheckpoint.h"
#include "HfConfig.h"
#include "ModelAttention.h"

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
    Expected<ModelAttention> forward(
        const std::vector<int>& ids, const HfRunOptions& options = {}, const ComputeControl& control = {}) const;

    // Causal LMs only: up to `steps` greedy tokens after the prompt, stopping before the EOS token
    // and at the context length.
    Expected<std::vector<int>> generateGreedy(
        const std::vector<int>& prompt, int steps, const ComputeControl& control = {}) const;

protected:
    explicit HfTextModel(HfConfig config)
        : m_config(std::move(config))
    {
    }
    // The family's forward over validated ids: fills capture's maps when capture is not null and
    // the logits after the last position when lastLogits is not null (causal LMs).
    virtual Status run(const std::vector<int>& ids, ModelAttention* capture, std::vector<float>* lastLogits,
        const ComputeControl& control) const = 0;

    HfConfig m_config;

private:
    Status validateTokens(const std::vector<int>& ids) const;
};

} // namespace attn
