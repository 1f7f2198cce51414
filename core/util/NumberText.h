#pragma once
// Numbers in messages: a double with nine significant digits ("%.9g"), enough to tell any two
// floats apart, e.g. "element 3 (3.40282347e+38) is outside the float32 range".
#include <string>

namespace attn {

class NumberText {
public:
    static std::string nineDigits(double v);
};

} // namespace attn
