#include "RobertaFamily.h"

#include "BertFamily.h"

namespace attn {

TransformerSpec RobertaFamily::spec(const HfConfig& c)
{
    TransformerSpec s = BertFamily::spec(c);
    s.positionOffset = c.positionOffset;
    return s;
}

TensorNameTable RobertaFamily::tensorNames()
{
    TensorNameTable t = BertFamily::tensorNames();
    t.prefixes = { "roberta." };
    return t;
}

} // namespace attn
