#include "DeitFamily.h"

#include "VitFamily.h"

namespace attn {

TransformerSpec DeitFamily::spec(const HfConfig& c)
{
    return VitFamily::spec(c); // the distillation token is an input token (VitModel), not arithmetic
}

TensorNameTable DeitFamily::tensorNames()
{
    TensorNameTable t = VitFamily::tensorNames();
    t.prefixes = { "deit." };
    return t;
}

} // namespace attn
