#pragma once
// A llama2.c checkpoint (Karpathy's run.c "legacy" / version-0 format): a header of seven int32
//   dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size (negative: separate classifier), seq_len
// followed by float32 tensors, little-endian, in this order:
//   token_embedding [vocab, dim], rms_att [L, dim], wq [L, dim, dim], wk [L, kv_dim, dim],
//   wv [L, kv_dim, dim], wo [L, dim, dim], rms_ffn [L, dim], w1 [L, hidden, dim], w2 [L, dim, hidden],
//   w3 [L, hidden, dim], rms_final [dim], freq_cis_real/imag [seq_len, head_size/2] (skipped: RoPE is
//   recomputed), wcls [vocab, dim] only when the classifier is not shared with the embedding.
// Everything is validated before any weight is allocated: every header field positive and within
// sane bounds, heads dividing dim, kv heads dividing heads, and the file size equal to the size the
// header implies (computed with overflow-checked arithmetic), so a hostile header claiming a
// terabyte model is refused without reading or allocating it. Weights must be finite.
// Every message starts with the file's name.
#include "Expected.h"
#include "Types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace attn {

struct Llama2cConfig {
    int dim = 0;
    int hiddenDim = 0;
    int layers = 0;
    int heads = 0;
    int kvHeads = 0;
    int vocabSize = 0; // always positive here; sharedClassifier holds the sign of the header field
    int seqLen = 0;
    bool sharedClassifier = true;

    int headSize() const { return heads > 0 ? dim / heads : 0; }
    int kvDim() const { return kvHeads * headSize(); }
};

class Llama2cCheckpoint {
public:
    // Weights of one transformer block; matrices are [out, in] as stored (y = W x).
    struct Layer {
        Vector rmsAtt;   // [dim]
        Matrix wq;       // [dim, dim]
        Matrix wk;       // [kv_dim, dim]
        Matrix wv;       // [kv_dim, dim]
        Matrix wo;       // [dim, dim]
        Vector rmsFfn;   // [dim]
        Matrix w1;       // [hidden, dim]
        Matrix w2;       // [dim, hidden]
        Matrix w3;       // [hidden, dim]
    };

    static constexpr int kHeaderBytes = 28;

    // Reads and validates a checkpoint file. The header is read and checked first; the rest of
    // the file is read only when its size matches exactly and is at most maxBytes
    // (0: a quarter of physical memory, since reading briefly holds the file twice).
    static Expected<Llama2cCheckpoint> readFile(const std::string& path, uint64_t maxBytes = 0);
    // The same from bytes in memory (used for tests and fuzzing); `name` is used in messages.
    static Expected<Llama2cCheckpoint> fromBytes(const std::string& bytes, const std::string& name);

    // Validates a header's fields (already decoded, vocabSize possibly negative) and returns the
    // exact file size it implies; the error names `name`.
    static Expected<uint64_t> expectedFileSize(const int32_t header[7], const std::string& name);

    const Llama2cConfig& config() const { return m_config; }
    const std::string& name() const { return m_name; }
    const Matrix& tokenEmbedding() const { return m_tokenEmbedding; } // [vocab, dim]
    const std::vector<Layer>& layers() const { return m_layers; }
    const Vector& rmsFinal() const { return m_rmsFinal; } // [dim]
    // [vocab, dim]: the token embedding when the classifier is shared.
    const Matrix& classifier() const { return m_config.sharedClassifier ? m_tokenEmbedding : m_classifier; }
    // Number of weights held (parameters, excluding the skipped RoPE tables).
    uint64_t parameterCount() const;

private:
    Llama2cConfig m_config;
    std::string m_name;
    Matrix m_tokenEmbedding;
    std::vector<Layer> m_layers;
    Vector m_rmsFinal;
    Matrix m_classifier; // empty when shared
};

} // namespace attn
