#pragma once
// Reads a family's tensors from a TensorSource (a Hugging Face checkpoint or a GGUF file) into the
// stack's weights: every name of the family's TensorNameTable, with the shape the spec implies (the
// stored shape: [in, out] for transposed tables), in the table's order; fused q/k/v and gate/up
// tensors are split, transposed ones turned to [out, in]. The first missing or misshapen tensor is
// the error. loadLayer() reads one layer alone, for weights made layer by layer (GGUF).
#include "Expected.h"
#include "TensorNameTable.h"
#include "TensorReader.h"
#include "TransformerSpec.h"
#include "TransformerWeights.h"

namespace attn {

class WeightLoader {
public:
    // lazyLayers: every layer is read and checked but not kept (weights.layers stays empty; the caller
    // sets weights.lazy to a source that reads them again as the forward needs them).
    static Expected<TransformerWeights> load(const TransformerSpec& spec, const TensorNameTable& names,
        const TensorSource& source, bool lazyLayers = false);
    // Layer `layer`'s tensors, kept in `store`; errors land in the reader.
    static TransformerLayerWeights loadLayer(const TransformerSpec& spec, const TensorNameTable& names,
        TensorReader& reader, TransformerWeights& store, int layer);
    // The prefix the table's probe tensor is found under ("" when none matches).
    static std::string prefixOf(const TensorNameTable& names, const TensorSource& source);
};

} // namespace attn
