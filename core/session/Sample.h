#pragma once
#include "InputSpec.h"
#include "Mechanism.h"

#include <string>

namespace attn {

// A bundled example: an input and the mechanism that shows it best (resources/samples/*.json).
struct Sample {
    std::string name;        // short and stable: "seed000-cross"
    std::string kind;        // seed, text, sequence, image, model, diagram
    std::string title;       // for menus
    std::string description; // one line
    InputSpec input;
    Mechanism mechanism;
    // Kind "diagram": the Mermaid flowchart the pipeline view opens, relative to resources/
    // ("diagrams/seed000.mmd"); the input and mechanism above make its nodes bind. Else empty.
    std::string diagram;
    // Kind "image": the picture, relative to resources/ ("samples/images/shapes.png"); input.kind is
    // InputKind::Image and input.path the same string. The app decodes it (from its resources) into
    // input.image before computing: the core never decodes pictures. Else empty.
    std::string image;
    // An input of type "model" names its checkpoint relative to the data folder
    // ("models/stories260k"); the app resolves it (DataDirectory), the core never looks for it.
};

} // namespace attn
