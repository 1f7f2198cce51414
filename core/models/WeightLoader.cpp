#include "WeightLoader.h"

namespace attn {

namespace {

std::string forLayer(const std::string& pattern, int layer)
{
    std::string name = pattern;
    const auto at = name.find("{L}");
    if (at != std::string::npos)
        name.replace(at, 3, std::to_string(layer));
    return name;
}

// Reads the tensors of one table into weights, keeping them there.
class SlotReader {
public:
    SlotReader(TensorReader& reader, TransformerWeights& weights, bool transposed)
        : m_reader(reader)
        , m_weights(weights)
        , m_transposed(transposed)
    {
    }
    // A linear weight [out, in] (stored [in, out] when transposed).
    const Matrix* linear(const std::string& name, int out, int in)
    {
        if (name.empty())
            return nullptr;
        if (!m_transposed)
            return m_weights.keep(m_reader.matrix(name, out, in));
        Matrix stored = m_reader.matrix(name, in, out);
        return m_weights.keep(Matrix(stored.transpose()));
    }
    // A table [rows, cols], never transposed (embeddings).
    const Matrix* table(const std::string& name, int rows, int cols)
    {
        return name.empty() ? nullptr : m_weights.keep(m_reader.matrix(name, rows, cols));
    }
    const Vector* vector(const std::string& name, int size)
    {
        return name.empty() ? nullptr : m_weights.keep(m_reader.vector(name, size));
    }
    // A fused weight [sum of parts, in] split into row blocks.
    std::vector<const Matrix*> fused(const std::string& name, const std::vector<int>& parts, int in)
    {
        int out = 0;
        for (int p : parts)
            out += p;
        const Matrix* whole = linear(name, out, in);
        std::vector<const Matrix*> split;
        int row = 0;
        for (int p : parts) {
            split.push_back(m_weights.keep(whole->rows() ? Matrix(whole->middleRows(row, p)) : Matrix()));
            row += p;
        }
        return split;
    }
    std::vector<const Vector*> fusedBias(const std::string& name, const std::vector<int>& parts)
    {
        int out = 0;
        for (int p : parts)
            out += p;
        const Vector* whole = vector(name, out);
        std::vector<const Vector*> split;
        int at = 0;
        for (int p : parts) {
            split.push_back(m_weights.keep(whole->size() ? Vector(whole->segment(at, p)) : Vector()));
            at += p;
        }
        return split;
    }

private:
    TensorReader& m_reader;
    TransformerWeights& m_weights;
    bool m_transposed;
};

} // namespace

std::string WeightLoader::prefixOf(const TensorNameTable& names, const TensorSource& checkpoint)
{
    for (const std::string& prefix : names.prefixes)
        if (checkpoint.has(prefix + names.probe))
            return prefix;
    return "";
}

TransformerLayerWeights WeightLoader::loadLayer(
    const TransformerSpec& s, const TensorNameTable& n, TensorReader& reader, TransformerWeights& w, int l)
{
    SlotReader r(reader, w, n.transposed);
    const int D = s.hidden;
    const int I = s.intermediate;
    const bool pre = s.placement == NormPlacement::Pre;
    auto name = [&](const std::string& pattern) { return pattern.empty() ? pattern : forLayer(pattern, l); };
    // Biases the spec does not have are not read, whatever the table names.
    auto bias = [&](const std::string& pattern, bool present) { return present ? name(pattern) : std::string(); };
    TransformerLayerWeights layer;
    if (pre) {
        layer.attnNormWeight = r.vector(name(n.attnNormWeight), D);
        layer.attnNormBias = r.vector(name(n.attnNormBias), D);
    }
    if (!n.qkv.empty()) {
        const auto parts = r.fused(name(n.qkv), { s.qDim(), s.kvDim(), s.kvDim() }, D);
        layer.wq = parts[0];
        layer.wk = parts[1];
        layer.wv = parts[2];
        if (!bias(n.qkvBias, s.qkvBias).empty()) {
            const auto biases = r.fusedBias(bias(n.qkvBias, s.qkvBias), { s.qDim(), s.kvDim(), s.kvDim() });
            layer.bq = biases[0];
            layer.bk = biases[1];
            layer.bv = biases[2];
        }
    } else if (n.weightsBeforeBiases) {
        layer.wq = r.linear(name(n.q), s.qDim(), D);
        layer.wk = r.linear(name(n.k), s.kvDim(), D);
        layer.wv = r.linear(name(n.v), s.kvDim(), D);
        layer.bq = r.vector(bias(n.qBias, s.qkvBias), s.qDim());
        layer.bk = r.vector(bias(n.kBias, s.qkvBias), s.kvDim());
        layer.bv = r.vector(bias(n.vBias, s.qkvBias), s.kvDim());
    } else {
        layer.wq = r.linear(name(n.q), s.qDim(), D);
        layer.bq = r.vector(bias(n.qBias, s.qkvBias), s.qDim());
        layer.wk = r.linear(name(n.k), s.kvDim(), D);
        layer.bk = r.vector(bias(n.kBias, s.qkvBias), s.kvDim());
        layer.wv = r.linear(name(n.v), s.kvDim(), D);
        layer.bv = r.vector(bias(n.vBias, s.qkvBias), s.kvDim());
    }
    layer.wo = r.linear(name(n.o), D, s.qDim());
    layer.bo = r.vector(bias(n.oBias, s.outputBias), D);
    if (!pre) {
        layer.attnNormWeight = r.vector(name(n.attnNormWeight), D);
        layer.attnNormBias = r.vector(name(n.attnNormBias), D);
    }
    layer.postAttnNormWeight = r.vector(name(n.postAttnNorm), D);
    if (pre) {
        layer.mlpNormWeight = r.vector(name(n.mlpNormWeight), D);
        layer.mlpNormBias = r.vector(name(n.mlpNormBias), D);
    }
    if (!n.gateUp.empty()) {
        const auto parts = r.fused(name(n.gateUp), { I, I }, D);
        layer.gate = parts[0];
        layer.up = parts[1];
    } else {
        layer.gate = r.linear(name(n.gate), I, D);
        layer.up = r.linear(name(n.up), I, D);
    }
    layer.upBias = r.vector(bias(n.upBias, s.mlpBias), I);
    layer.down = r.linear(name(n.down), D, I);
    layer.downBias = r.vector(bias(n.downBias, s.mlpBias), D);
    if (!pre) {
        layer.mlpNormWeight = r.vector(name(n.mlpNormWeight), D);
        layer.mlpNormBias = r.vector(name(n.mlpNormBias), D);
    }
    layer.postMlpNormWeight = r.vector(name(n.postMlpNorm), D);
    return layer;
}

Expected<TransformerWeights> WeightLoader::load(
    const TransformerSpec& s, const TensorNameTable& n, const TensorSource& checkpoint, bool lazyLayers)
{
    TransformerWeights w;
    TensorReader reader(checkpoint, prefixOf(n, checkpoint));
    SlotReader r(reader, w, n.transposed);
    const int D = s.hidden;
    w.tokenEmbedding = r.table(n.tokenEmbedding, s.vocab, D);
    w.positionEmbedding = r.table(n.positionEmbedding, s.maxPositions + s.positionOffset, D);
    if (!n.tokenTypeEmbedding.empty()) {
        // Only token type 0 is used; the table has type_vocab_size rows.
        const Matrix* types = nullptr;
        if (!reader.error())
            types = r.table(n.tokenTypeEmbedding, s.tokenTypeRows, D);
        if (types && types->rows() > 0)
            w.tokenType = w.keep(Vector(types->row(0).transpose()));
    }
    w.embedNormWeight = r.vector(n.embedNormWeight, D);
    w.embedNormBias = r.vector(n.embedNormBias, D);
    for (int l = 0; l < s.layers && !reader.error(); ++l) {
        if (lazyLayers) {
            TransformerWeights checked;
            loadLayer(s, n, reader, checked, l);
        } else {
            w.layers.push_back(loadLayer(s, n, reader, w, l));
        }
    }
    w.finalNormWeight = r.vector(n.finalNormWeight, D);
    w.finalNormBias = r.vector(n.finalNormBias, D);
    if (reader.error())
        return *reader.error();
    if (s.hasHead) {
        if (s.tiedHead) {
            w.head = w.tokenEmbedding;
        } else {
            // The head is read without the prefix (Llama's lm_head sits beside model.*).
            auto head = checkpoint.matrix(n.head, s.vocab, D);
            if (!head)
                return head.takeError();
            w.head = w.keep(std::move(*head));
        }
    }
    return w;
}

} // namespace attn
