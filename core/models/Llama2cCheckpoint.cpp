#include "Llama2cCheckpoint.h"

#include "MemoryBudget.h"
#include "FileBytes.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

namespace attn {

namespace {

constexpr int64_t kCheckpointMaxDim = 65536;
constexpr int64_t kCheckpointMaxHidden = 1 << 20;
constexpr int64_t kCheckpointMaxLayers = 1024;
constexpr int64_t kCheckpointMaxVocab = 10'000'000;
constexpr int64_t kCheckpointMaxSeqLen = 1 << 20;
// llama2.c's newer export formats (version 1, 2) start with this uint32 ("ak42" as written by export.py).
constexpr uint32_t kExportMagic = 0x616b3432u;

// "1056540 bytes" or, when large, "1056540 bytes (1.0 MB)".
std::string bytesText(uint64_t n)
{
    return std::to_string(n) + (n == 1 ? " byte" : " bytes");
}

std::string humanBytes(uint64_t n)
{
    static const char* const units[] = { "bytes", "KB", "MB", "GB", "TB", "PB", "EB" };
    int unit = 0;
    double scaled = static_cast<double>(n);
    while (unit + 1 < 7 && scaled >= 1024.0) {
        scaled /= 1024.0;
        ++unit;
    }
    char buffer[64];
    if (unit == 0)
        std::snprintf(buffer, sizeof buffer, "%llu bytes", static_cast<unsigned long long>(n));
    else
        std::snprintf(buffer, sizeof buffer, "%.1f %s", scaled, units[unit]);
    return buffer;
}

int32_t readInt32(const char* p)
{
    uint32_t u = 0;
    for (int i = 3; i >= 0; --i)
        u = (u << 8) | static_cast<unsigned char>(p[i]);
    int32_t v;
    std::memcpy(&v, &u, sizeof v);
    return v;
}

float readFloat(const char* p)
{
    uint32_t u = 0;
    for (int i = 3; i >= 0; --i)
        u = (u << 8) | static_cast<unsigned char>(p[i]);
    float f;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

// Overflow-checked accumulation of the float count the header implies.
class SizeCounter {
public:
    void add(uint64_t a, uint64_t b = 1, uint64_t c = 1)
    {
        uint64_t ab = 0;
        uint64_t abc = 0;
        if (__builtin_mul_overflow(a, b, &ab) || __builtin_mul_overflow(ab, c, &abc)
            || __builtin_add_overflow(m_floats, abc, &m_floats))
            m_overflow = true;
    }
    bool overflow() const { return m_overflow; }
    uint64_t floats() const { return m_floats; }

private:
    uint64_t m_floats = 0;
    bool m_overflow = false;
};

std::string headerText(const int32_t h[7])
{
    return "dim " + std::to_string(h[0]) + ", hidden_dim " + std::to_string(h[1]) + ", n_layers "
        + std::to_string(h[2]) + ", n_heads " + std::to_string(h[3]) + ", n_kv_heads " + std::to_string(h[4])
        + ", vocab_size " + std::to_string(h[5]) + ", seq_len " + std::to_string(h[6]);
}

std::string sizeMismatch(const std::string& name, const int32_t h[7], uint64_t expected, uint64_t have)
{
    const std::string sizes = "expected " + bytesText(expected) + ", file has " + bytesText(have);
    if (have < expected)
        return name + ": truncated: " + sizes + " (the header, " + headerText(h) + ", implies " + humanBytes(expected)
            + ")";
    return name + ": " + std::to_string(have - expected) + " bytes too many for a llama2.c checkpoint: " + sizes
        + " (the header, " + headerText(h) + ", implies " + humanBytes(expected)
        + "; not a llama2.c checkpoint, or a different export format?)";
}

// Sequential reader over the validated weight bytes; checks every value is finite.
class WeightReader {
public:
    WeightReader(const std::string& bytes, const std::string& name)
        : m_bytes(bytes)
        , m_name(name)
        , m_offset(Llama2cCheckpoint::kHeaderBytes)
    {
    }

    // Fills `out` (count floats) from the file, naming the tensor in the error for a non-finite value.
    Status read(float* out, uint64_t count, const std::string& tensor)
    {
        const char* p = m_bytes.data() + m_offset;
        for (uint64_t i = 0; i < count; ++i) {
            const float v = readFloat(p + 4 * i);
            if (!std::isfinite(v))
                return makeError(m_name + ": weight " + tensor + " has " + (std::isnan(v) ? "a NaN" : "an infinite")
                    + " value at element " + std::to_string(i) + " (byte offset " + std::to_string(m_offset + 4 * i)
                    + ")");
            out[i] = v;
        }
        m_offset += 4 * count;
        return success();
    }

    Status read(Matrix& m, int rows, int cols, const std::string& tensor)
    {
        m.resize(rows, cols);
        return read(m.data(), static_cast<uint64_t>(rows) * static_cast<uint64_t>(cols), tensor);
    }
    Status read(Vector& v, int n, const std::string& tensor)
    {
        v.resize(n);
        return read(v.data(), static_cast<uint64_t>(n), tensor);
    }

    void skip(uint64_t floats) { m_offset += 4 * floats; }
    uint64_t offset() const { return m_offset; }

private:
    const std::string& m_bytes;
    const std::string& m_name;
    uint64_t m_offset;
};

std::string layerTensor(const char* tensor, int layer)
{
    return std::string("'") + tensor + "' of layer " + std::to_string(layer);
}

} // namespace

Expected<uint64_t> Llama2cCheckpoint::expectedFileSize(const int32_t h[7], const std::string& name)
{
    if (static_cast<uint32_t>(h[0]) == kExportMagic)
        return makeError(name + ": this is a llama2.c checkpoint in export format version " + std::to_string(h[1])
            + " (magic \"ak42\"); only the legacy version-0 format (run.c's) is supported: export it with "
              "`python export.py --version 0`");

    struct Field {
        const char* name;
        int64_t value;
        int64_t max;
    };
    const int64_t vocab = h[5] < 0 ? -static_cast<int64_t>(h[5]) : static_cast<int64_t>(h[5]);
    const Field fields[] = {
        { "dim", h[0], kCheckpointMaxDim },
        { "hidden_dim", h[1], kCheckpointMaxHidden },
        { "n_layers", h[2], kCheckpointMaxLayers },
        { "n_heads", h[3], kCheckpointMaxDim },
        { "n_kv_heads", h[4], kCheckpointMaxDim },
        { "vocab_size", vocab, kCheckpointMaxVocab },
        { "seq_len", h[6], kCheckpointMaxSeqLen },
    };
    for (const Field& f : fields) {
        if (f.value <= 0)
            return makeError(name + ": not a valid llama2.c checkpoint: header field " + f.name + " is "
                + std::to_string(f.name == std::string("vocab_size") ? static_cast<int64_t>(h[5]) : f.value)
                + (f.name == std::string("vocab_size") ? " (must be non-zero)" : " (must be positive)") + "; header: "
                + headerText(h));
        if (f.value > f.max)
            return makeError(name + ": not a valid llama2.c checkpoint: header field " + f.name + " is "
                + std::to_string(f.value) + ", more than the supported maximum " + std::to_string(f.max)
                + "; header: " + headerText(h));
    }
    const int64_t dim = h[0], heads = h[3], kvHeads = h[4];
    if (dim % heads != 0)
        return makeError(name + ": not a valid llama2.c checkpoint: n_heads " + std::to_string(heads)
            + " does not divide dim " + std::to_string(dim));
    if (kvHeads > heads || heads % kvHeads != 0)
        return makeError(name + ": not a valid llama2.c checkpoint: n_kv_heads " + std::to_string(kvHeads)
            + " does not divide n_heads " + std::to_string(heads));
    const int64_t headSize = dim / heads;
    if (headSize % 2 != 0)
        return makeError(name + ": not a valid llama2.c checkpoint: the head size dim / n_heads = "
            + std::to_string(headSize) + " is odd; rotary embeddings need an even head size");

    const uint64_t L = static_cast<uint64_t>(h[2]);
    const uint64_t D = static_cast<uint64_t>(dim);
    const uint64_t F = static_cast<uint64_t>(h[1]);
    const uint64_t V = static_cast<uint64_t>(vocab);
    const uint64_t S = static_cast<uint64_t>(h[6]);
    const uint64_t KV = static_cast<uint64_t>(kvHeads * headSize);
    SizeCounter n;
    n.add(V, D);          // token_embedding
    n.add(L, D);          // rms_att
    n.add(L, D, D);       // wq
    n.add(L, KV, D);      // wk
    n.add(L, KV, D);      // wv
    n.add(L, D, D);       // wo
    n.add(L, D);          // rms_ffn
    n.add(L, F, D);       // w1
    n.add(L, D, F);       // w2
    n.add(L, F, D);       // w3
    n.add(D);             // rms_final
    n.add(S, static_cast<uint64_t>(headSize / 2), 2); // freq_cis_real, freq_cis_imag
    if (h[5] < 0)
        n.add(V, D);      // wcls
    uint64_t bytes = 0;
    if (n.overflow() || __builtin_mul_overflow(n.floats(), uint64_t { 4 }, &bytes)
        || __builtin_add_overflow(bytes, uint64_t { kHeaderBytes }, &bytes))
        return makeError(name + ": not a valid llama2.c checkpoint: the header implies a size beyond 2^64 bytes; header: "
            + headerText(h));
    return bytes;
}

Expected<Llama2cCheckpoint> Llama2cCheckpoint::fromBytes(const std::string& bytes, const std::string& name)
{
    if (bytes.size() < static_cast<size_t>(kHeaderBytes))
        return makeError(name + ": truncated: expected at least " + std::to_string(kHeaderBytes)
            + " bytes (the llama2.c header), file has " + std::to_string(bytes.size()));
    int32_t h[7];
    for (int i = 0; i < 7; ++i)
        h[i] = readInt32(bytes.data() + 4 * i);
    auto expected = expectedFileSize(h, name);
    if (!expected)
        return expected.takeError();
    const uint64_t have = bytes.size();
    if (have != *expected)
        return makeError(sizeMismatch(name, h, *expected, have));

    Llama2cCheckpoint c;
    c.m_name = name;
    Llama2cConfig& cfg = c.m_config;
    cfg.dim = h[0];
    cfg.hiddenDim = h[1];
    cfg.layers = h[2];
    cfg.heads = h[3];
    cfg.kvHeads = h[4];
    cfg.vocabSize = h[5] < 0 ? -h[5] : h[5];
    cfg.seqLen = h[6];
    cfg.sharedClassifier = h[5] > 0;

    const int D = cfg.dim, F = cfg.hiddenDim, KV = cfg.kvDim(), L = cfg.layers;
    WeightReader r(bytes, name);
    if (auto st = r.read(c.m_tokenEmbedding, cfg.vocabSize, D, "'token_embedding'"); !st)
        return st.takeError();
    c.m_layers.resize(static_cast<size_t>(L));
    // The file stores each tensor for all layers together: one pass per tensor kind.
    for (int l = 0; l < L; ++l)
        if (auto st = r.read(c.m_layers[l].rmsAtt, D, layerTensor("rms_att", l)); !st)
            return st.takeError();
    for (int l = 0; l < L; ++l)
        if (auto st = r.read(c.m_layers[l].wq, D, D, layerTensor("wq", l)); !st)
            return st.takeError();
    for (int l = 0; l < L; ++l)
        if (auto st = r.read(c.m_layers[l].wk, KV, D, layerTensor("wk", l)); !st)
            return st.takeError();
    for (int l = 0; l < L; ++l)
        if (auto st = r.read(c.m_layers[l].wv, KV, D, layerTensor("wv", l)); !st)
            return st.takeError();
    for (int l = 0; l < L; ++l)
        if (auto st = r.read(c.m_layers[l].wo, D, D, layerTensor("wo", l)); !st)
            return st.takeError();
    for (int l = 0; l < L; ++l)
        if (auto st = r.read(c.m_layers[l].rmsFfn, D, layerTensor("rms_ffn", l)); !st)
            return st.takeError();
    for (int l = 0; l < L; ++l)
        if (auto st = r.read(c.m_layers[l].w1, F, D, layerTensor("w1", l)); !st)
            return st.takeError();
    for (int l = 0; l < L; ++l)
        if (auto st = r.read(c.m_layers[l].w2, D, F, layerTensor("w2", l)); !st)
            return st.takeError();
    for (int l = 0; l < L; ++l)
        if (auto st = r.read(c.m_layers[l].w3, F, D, layerTensor("w3", l)); !st)
            return st.takeError();
    if (auto st = r.read(c.m_rmsFinal, D, "'rms_final'"); !st)
        return st.takeError();
    r.skip(static_cast<uint64_t>(cfg.seqLen) * static_cast<uint64_t>(cfg.headSize())); // freq_cis real + imag
    if (!cfg.sharedClassifier)
        if (auto st = r.read(c.m_classifier, cfg.vocabSize, D, "'wcls'"); !st)
            return st.takeError();
    if (r.offset() != have) // cannot happen: the size was checked against the same layout
        return makeError(name + ": internal error: read " + std::to_string(r.offset()) + " of "
            + std::to_string(have) + " bytes");
    return c;
}

Expected<Llama2cCheckpoint> Llama2cCheckpoint::readFile(const std::string& path, uint64_t maxBytes)
{
    auto size = FileBytes::size(path);
    if (!size)
        return size.takeError();
    if (*size < static_cast<uint64_t>(kHeaderBytes))
        return makeError(path + ": truncated: expected at least " + std::to_string(kHeaderBytes)
            + " bytes (the llama2.c header), file has " + std::to_string(*size));
    auto header = FileBytes::readRange(path, 0, kHeaderBytes);
    if (!header)
        return header.takeError();
    int32_t h[7];
    for (int i = 0; i < 7; ++i)
        h[i] = readInt32(header->data() + 4 * i);
    auto expected = expectedFileSize(h, path);
    if (!expected)
        return expected.takeError();
    if (*size != *expected)
        return makeError(sizeMismatch(path, h, *expected, *size));
    const uint64_t limit = maxBytes ? maxBytes : defaultMemoryLimit() / 2;
    if (*size > limit)
        return makeError(path + ": the model is " + bytesText(*size) + " (" + humanBytes(*size) + "), more than the "
            + bytesText(limit) + " (" + humanBytes(limit) + ") this program accepts for a checkpoint");
    auto bytes = FileBytes::read(path, *size);
    if (!bytes)
        return bytes.takeError();
    return fromBytes(*bytes, path);
}

uint64_t Llama2cCheckpoint::parameterCount() const
{
    uint64_t n = static_cast<uint64_t>(m_tokenEmbedding.size()) + static_cast<uint64_t>(m_rmsFinal.size())
        + static_cast<uint64_t>(m_classifier.size());
    for (const Layer& l : m_layers)
        n += static_cast<uint64_t>(l.rmsAtt.size() + l.wq.size() + l.wk.size() + l.wv.size() + l.wo.size()
            + l.rmsFfn.size() + l.w1.size() + l.w2.size() + l.w3.size());
    return n;
}

} // namespace attn
