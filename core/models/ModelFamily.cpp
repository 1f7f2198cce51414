#include "ModelFamily.h"

#include "BertFamily.h"
#include "Gpt2Family.h"
#include "LlamaFamily.h"
#include "VitFamily.h"

namespace attn {

TransformerSpec ModelFamily::sizedFrom(const HfConfig& c)
{
    TransformerSpec s;
    s.family = c.modelType;
    s.layers = c.layers;
    s.hidden = c.hiddenSize;
    s.heads = c.heads;
    s.kvHeads = c.kvHeads;
    s.headDim = c.headDim;
    s.intermediate = c.intermediateSize;
    s.vocab = c.vocabSize;
    s.maxPositions = c.maxPositions;
    s.normEps = c.normEps;
    return s;
}

const ModelFamily* ModelFamily::forArchitecture(HfArchitecture architecture)
{
    static const ModelFamily bert { &BertFamily::spec, &BertFamily::tensorNames };
    static const ModelFamily gpt2 { &Gpt2Family::spec, &Gpt2Family::tensorNames };
    static const ModelFamily llama { &LlamaFamily::spec, &LlamaFamily::tensorNames };
    static const ModelFamily vit { &VitFamily::spec, &VitFamily::tensorNames };
    switch (architecture) {
    case HfArchitecture::Bert:
        return &bert;
    case HfArchitecture::Gpt2:
        return &gpt2;
    case HfArchitecture::Llama:
        return &llama;
    case HfArchitecture::Vit:
        return &vit;
    }
    return nullptr;
}

} // namespace attn
