#include "ModelFamily.h"

#include "BertFamily.h"
#include "DeitFamily.h"
#include "DistilBertFamily.h"
#include "Gemma2Family.h"
#include "Gpt2Family.h"
#include "LlamaFamily.h"
#include "Phi3Family.h"
#include "Qwen2Family.h"
#include "RobertaFamily.h"
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
    static const ModelFamily roberta { &RobertaFamily::spec, &RobertaFamily::tensorNames };
    static const ModelFamily distilbert { &DistilBertFamily::spec, &DistilBertFamily::tensorNames };
    static const ModelFamily gpt2 { &Gpt2Family::spec, &Gpt2Family::tensorNames };
    static const ModelFamily llama { &LlamaFamily::spec, &LlamaFamily::tensorNames };
    static const ModelFamily qwen2 { &Qwen2Family::spec, &Qwen2Family::tensorNames };
    static const ModelFamily gemma2 { &Gemma2Family::spec, &Gemma2Family::tensorNames };
    static const ModelFamily phi3 { &Phi3Family::spec, &Phi3Family::tensorNames };
    static const ModelFamily vit { &VitFamily::spec, &VitFamily::tensorNames };
    static const ModelFamily deit { &DeitFamily::spec, &DeitFamily::tensorNames };
    switch (architecture) {
    case HfArchitecture::Bert:
        return &bert;
    case HfArchitecture::Roberta:
        return &roberta;
    case HfArchitecture::DistilBert:
        return &distilbert;
    case HfArchitecture::Gpt2:
        return &gpt2;
    case HfArchitecture::Llama:
    case HfArchitecture::Mistral: // Llama's tensors and spec; the window is in its config
        return &llama;
    case HfArchitecture::Qwen2:
        return &qwen2;
    case HfArchitecture::Gemma2:
        return &gemma2;
    case HfArchitecture::Phi3:
        return &phi3;
    case HfArchitecture::Vit:
        return &vit;
    case HfArchitecture::Deit:
        return &deit;
    }
    return nullptr;
}

} // namespace attn
