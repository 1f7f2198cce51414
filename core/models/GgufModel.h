#pragma once
// A GGUF checkpoint ready to run: the architecture's spec (GgufFamily), weights made layer by layer
// (GgufLazyWeights) on the one TransformerStack, and the tokenizer from the file's metadata
// (GgufTokenizer). load() checks everything first: every tensor's shape against the metadata and
// every value for being finite (one pass, one layer at a time), and that one layer as float32
// fits the memory budget. The summary is what the Model tab shows.
#include "ComputeControl.h"
#include "Expected.h"
#include "GgufCheckpoint.h"
#include "GgufTokenizer.h"
#include "TransformerStack.h"

#include <memory>
#include <string>

namespace attn {

struct GgufSummary {
    std::string architecture; // general.architecture
    std::string name;         // general.name ("" when absent)
    std::string quantisation; // "Q4_K_M" from general.file_type, else the most common tensor type
    std::string tensorTypes;  // "Q4_K x 97, Q6_K x 17, F32 x 33"
    uint64_t parameters = 0;
    int contextLength = 0;
    uint32_t version = 0;
    std::string text() const; // "llama, Q4_K_M, 1.24 B parameters, context 131072"
};

class GgufModel {
public:
    static Expected<std::unique_ptr<GgufModel>> load(const std::string& path, const ComputeControl& control = {});
    // The summary alone, from the header and metadata (the file is mapped, no tensor is read): what
    // the Model tab shows as soon as a .gguf is chosen.
    static Expected<GgufSummary> inspect(const std::string& path);

    const TransformerStack& stack() const { return *m_stack; }
    const GgufTokenizer& tokenizer() const { return *m_tokenizer; }
    const GgufSummary& summary() const { return m_summary; }
    const GgufFile& file() const { return m_checkpoint->file(); }

    // The tokenizer alone (it is moved into LoadedModel, which holds tokenizers behind HfTokenizer).
    std::unique_ptr<GgufTokenizer> takeTokenizer() { return std::move(m_tokenizer); }

    // The tokenizer of a file's "tokenizer.ggml.*" metadata alone (no tensor is read); messages start
    // with the file's name.
    static Expected<std::unique_ptr<GgufTokenizer>> readTokenizer(const GgufFile& file);

    // llama.cpp's LLAMA_FTYPE names of general.file_type; "" for an unknown value.
    static std::string fileTypeName(int64_t fileType);

private:
    GgufModel() = default;
    static GgufSummary summarise(const GgufFile& file, const TransformerSpec& spec);
    std::shared_ptr<GgufCheckpoint> m_checkpoint;
    std::unique_ptr<TransformerStack> m_stack;
    std::unique_ptr<GgufTokenizer> m_tokenizer;
    GgufSummary m_summary;
};

} // namespace attn
