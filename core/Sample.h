#pragma once
#include "InputSpec.h"
#include "Mechanism.h"

#include <string>

namespace attn {

// A bundled example: an input and the mechanism that shows it best (resources/samples/*.json).
struct Sample {
    std::string name;        // short and stable: "seed000-cross"
    std::string kind;        // seed, text, sequence (later: image, diagram)
    std::string title;       // for menus
    std::string description; // one line
    InputSpec input;
    Mechanism mechanism;
};

} // namespace attn
