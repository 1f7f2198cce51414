#include "NumberText.h"

#include <cstdio>

namespace attn {

std::string NumberText::nineDigits(double v)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.9g", v);
    return buffer;
}

} // namespace attn
