#pragma once
// A Hugging Face checkpoint family: how its config becomes a TransformerSpec and what its tensors
// are called. Adding a family is one small file with these two functions and a line in
// ModelFamily::forArchitecture.
#include "HfConfig.h"
#include "TensorNameTable.h"
#include "TransformerSpec.h"

namespace attn {

struct ModelFamily {
    TransformerSpec (*spec)(const HfConfig&) = nullptr;
    TensorNameTable (*tensorNames)() = nullptr;

    // A spec with the sizes every Hugging Face config gives (layers, hidden, heads, kv heads, head
    // size, MLP width, vocabulary, context, norm epsilon); the family sets the rest.
    static TransformerSpec sizedFrom(const HfConfig& config);
    // The family of a config's architecture; nullptr for one the stack cannot run.
    static const ModelFamily* forArchitecture(HfArchitecture architecture);
};

} // namespace attn
