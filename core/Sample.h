#pragma once
#include "InputSpec.h"
#include "Mechanism.h"

#include <string>

namespace attn {

// A bundled example: an input and the mechanism that shows it best (resources/samples/*.json).
struct Sample {
    std::string name;        // short and stable: "seed000-cross"
    std::string kind;        // seed, text, sequence, diagram (later: image)
    std::string title;       // for menus
    std::string description; // one line
    InputSpec input;
    Mechanism mechanism;
    // Kind "diagram": the Mermaid flowchart the pipeline view opens, relative to resources/
    // ("diagrams/seed000.mmd"); the input and mechanism above make its nodes bind. Else empty.
    std::string diagram;
};

} // namespace attn
