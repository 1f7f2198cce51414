#pragma once
// A parsed Mermaid flowchart (`graph` / `flowchart`), as plain data: what MermaidParser produces,
// what StageBinder binds to engine stages and what the pipeline view draws. Follows Mermaid's
// own model: a node mentioned several times is one node (the last explicit label and shape win),
// edges keep their source order (linkStyle indices refer to it).
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace attn {

enum class FlowDirection { TD, TB, BT, LR, RL };

enum class NodeShape {
    Rect,             // A[text]
    Round,            // A(text)
    Stadium,          // A([text])
    Subroutine,       // A[[text]]
    Cylinder,         // A[(text)]
    Circle,           // A((text))
    Asymmetric,       // A>text]
    Diamond,          // A{text}
    Hexagon,          // A{{text}}
    Parallelogram,    // A[/text/]
    ParallelogramAlt, // A[\text\]
    Trapezoid,        // A[/text\]
    TrapezoidAlt,     // A[\text/]
    DoubleCircle,     // A(((text)))
};

struct MermaidNode {
    std::string id;
    std::string label;                // the id when no label was given; "<br/>" becomes "\n"
    NodeShape shape = NodeShape::Rect;
    std::vector<std::string> classes; // from `class`, `:::`, in order, without duplicates
    std::string style;                // from `style` statements, joined with ','
    int line = 0;                     // 1-based position of the first mention
    int column = 0;                   // 1-based, in Unicode code points
    std::string subgraph;             // id of the innermost subgraph that owns it, "" at top level
};

enum class EdgeLine { Solid, Dotted, Thick, Invisible };
enum class EdgeHead { None, Arrow, Circle, Cross };

struct MermaidEdge {
    std::string from;
    std::string to;
    EdgeLine line = EdgeLine::Solid;
    EdgeHead startHead = EdgeHead::None; // set for the two-headed forms <-->, o--o, x--x
    EdgeHead endHead = EdgeHead::Arrow;
    std::string label;
    int length = 1;    // Mermaid's rank length: 1 for -->, ---, -.->, ==>, ~~~; 2 for --->, -..->, ====>...
    std::string style; // from `linkStyle <index>`; when empty, MermaidGraph::defaultLinkStyle applies
    int index = 0;     // position in MermaidGraph::edges, the index linkStyle uses
    int sourceLine = 0;
    int sourceColumn = 0; // where the link operator starts
};

struct MermaidSubgraph {
    std::string id;      // given id, or "subGraphN" (Mermaid's generated id) for `subgraph Title with spaces`
    std::string title;
    std::optional<FlowDirection> direction; // `direction LR` inside the subgraph
    std::string parent;  // enclosing subgraph id, "" at top level
    std::vector<std::string> nodeIds; // nodes it owns directly (not those of nested subgraphs)
    int line = 0;
};

struct MermaidGraph {
    FlowDirection direction = FlowDirection::TD;
    std::vector<MermaidNode> nodes; // in order of first appearance
    std::vector<MermaidEdge> edges; // in source order
    std::vector<MermaidSubgraph> subgraphs; // in order of their `subgraph` line
    std::map<std::string, std::string> classDefs; // class name -> style string
    std::string defaultLinkStyle;                 // `linkStyle default ...`, for links without their own
    // Valid but probably unintended constructs, each a full sentence with its line and column:
    // a node defined again with another label or shape (the later one wins, as in Mermaid), an
    // edge from a node to itself, a cycle (a pipeline normally flows one way; the layout reverses
    // one of its edges). At most kMaxWarnings, the last saying how many more there were.
    std::vector<std::string> warnings;
    static constexpr int kMaxWarnings = 20;

    const MermaidNode* findNode(const std::string& id) const;
    const MermaidSubgraph* findSubgraph(const std::string& id) const;
};

// Stable names, used in JSON and by the UI.
const char* toString(FlowDirection);
const char* toString(NodeShape);   // "rect", "round", ..., "parallelogram-alt", "double-circle"
const char* toString(EdgeLine);    // "solid", "dotted", "thick", "invisible"
const char* toString(EdgeHead);    // "none", "arrow", "circle", "cross"
// The edge's kind, named after its arrow text:
//   "arrow" -->   "open" ---   "dotted-arrow" -.->   "dotted" -.-   "thick-arrow" ==>   "thick" ===
//   "bidirectional" <--> (also <-.->, <==>)   "circle" --o (any line)   "cross" --x (any line)
//   "invisible" ~~~
std::string edgeKind(const MermaidEdge&);

} // namespace attn
