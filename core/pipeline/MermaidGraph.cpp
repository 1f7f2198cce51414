#include "MermaidGraph.h"

namespace attn {

const MermaidNode* MermaidGraph::findNode(const std::string& id) const
{
    for (const MermaidNode& n : nodes)
        if (n.id == id)
            return &n;
    return nullptr;
}

const MermaidSubgraph* MermaidGraph::findSubgraph(const std::string& id) const
{
    for (const MermaidSubgraph& s : subgraphs)
        if (s.id == id)
            return &s;
    return nullptr;
}

const char* toString(FlowDirection d)
{
    switch (d) {
    case FlowDirection::TD: return "TD";
    case FlowDirection::TB: return "TB";
    case FlowDirection::BT: return "BT";
    case FlowDirection::LR: return "LR";
    case FlowDirection::RL: return "RL";
    }
    return "?";
}

const char* toString(NodeShape s)
{
    switch (s) {
    case NodeShape::Rect: return "rect";
    case NodeShape::Round: return "round";
    case NodeShape::Stadium: return "stadium";
    case NodeShape::Subroutine: return "subroutine";
    case NodeShape::Cylinder: return "cylinder";
    case NodeShape::Circle: return "circle";
    case NodeShape::Asymmetric: return "asymmetric";
    case NodeShape::Diamond: return "diamond";
    case NodeShape::Hexagon: return "hexagon";
    case NodeShape::Parallelogram: return "parallelogram";
    case NodeShape::ParallelogramAlt: return "parallelogram-alt";
    case NodeShape::Trapezoid: return "trapezoid";
    case NodeShape::TrapezoidAlt: return "trapezoid-alt";
    case NodeShape::DoubleCircle: return "double-circle";
    }
    return "?";
}

const char* toString(EdgeLine l)
{
    switch (l) {
    case EdgeLine::Solid: return "solid";
    case EdgeLine::Dotted: return "dotted";
    case EdgeLine::Thick: return "thick";
    case EdgeLine::Invisible: return "invisible";
    }
    return "?";
}

const char* toString(EdgeHead h)
{
    switch (h) {
    case EdgeHead::None: return "none";
    case EdgeHead::Arrow: return "arrow";
    case EdgeHead::Circle: return "circle";
    case EdgeHead::Cross: return "cross";
    }
    return "?";
}

std::string edgeKind(const MermaidEdge& e)
{
    if (e.line == EdgeLine::Invisible)
        return "invisible";
    if (e.endHead == EdgeHead::Circle)
        return "circle";
    if (e.endHead == EdgeHead::Cross)
        return "cross";
    if (e.endHead == EdgeHead::Arrow && e.startHead == EdgeHead::Arrow)
        return "bidirectional";
    const bool arrow = e.endHead == EdgeHead::Arrow;
    switch (e.line) {
    case EdgeLine::Solid: return arrow ? "arrow" : "open";
    case EdgeLine::Dotted: return arrow ? "dotted-arrow" : "dotted";
    case EdgeLine::Thick: return arrow ? "thick-arrow" : "thick";
    case EdgeLine::Invisible: break;
    }
    return "invisible";
}

} // namespace attn
