#pragma once
// The CSS-like style of a Mermaid node or link ("fill:#f96,stroke:#333,stroke-width:4px,
// color:#fff,stroke-dasharray: 5 5"), as the pipeline view draws it. Only what is given is set:
// styles cascade (classDef default, then the node's classes in order, then its `style`; for links
// linkStyle default, then the link's own), and the view's theme fills in the rest.
#include "MermaidGraph.h"

#include <QColor>
#include <QVector>

#include <optional>
#include <string>

class MermaidStyle {
public:
    std::optional<QColor> fill;
    std::optional<QColor> stroke;
    std::optional<QColor> color; // text
    std::optional<double> strokeWidth;
    std::optional<QVector<qreal>> dashes; // in pixels; empty: solid

    static MermaidStyle parse(const std::string& css);
    // Later styles win, property by property.
    void overrideWith(const MermaidStyle& later);

    static MermaidStyle forNode(const attn::MermaidGraph& graph, const attn::MermaidNode& node);
    static MermaidStyle forEdge(const attn::MermaidGraph& graph, const attn::MermaidEdge& edge);
    // A CSS colour: #rgb, #rrggbb, #rrggbbaa, rgb(), rgba(), SVG names, none/transparent.
    static std::optional<QColor> parseColor(const QString& text);
};
