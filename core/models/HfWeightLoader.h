#pragma once
// Reads a family's tensors from a Hugging Face checkpoint into the stack's weights: every name of
// the family's TensorNameTable, with the shape the spec implies (the stored shape: [in, out] for
// transposed tables), in the table's order; fused q/k/v and gate/up tensors are split, transposed
// ones turned to [out, in]. The first missing or misshapen tensor is the error.
#include "Expected.h"
#include "HfCheckpoint.h"
#include "TensorNameTable.h"
#include "TransformerSpec.h"
#include "TransformerWeights.h"

namespace attn {

class HfWeightLoader {
public:
    static Expected<TransformerWeights> load(
        const TransformerSpec& spec, const TensorNameTable& names, const HfCheckpoint& checkpoint);
    // The prefix the table's probe tensor is found under ("" when none matches).
    static std::string prefixOf(const TensorNameTable& names, const HfCheckpoint& checkpoint);
};

} // namespace attn
