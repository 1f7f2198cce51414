#pragma once
#include "Types.h"

#include <string>
#include <vector>

namespace attn {

// A sequence of N vectors of dimension d (rows are elements), one label per row.
struct Sequence {
    Matrix values;
    std::vector<std::string> labels;
};

} // namespace attn
