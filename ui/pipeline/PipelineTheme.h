#pragma once
// The pipeline view's look: Mermaid's default theme (lavender nodes, dark links, pale yellow
// subgraphs), so a seed's diagram looks as its author saw it; styles in the diagram override it.
// Fonts are sized in pixels so that exports at any DPI keep text and shapes in proportion.
#include <QColor>
#include <QFont>

class PipelineTheme {
public:
    static QColor nodeFill() { return QColor(0xEC, 0xEC, 0xFF); }
    static QColor nodeStroke() { return QColor(0x93, 0x70, 0xDB); }
    static QColor text() { return QColor(0x33, 0x33, 0x33); }
    static QColor edge() { return QColor(0x33, 0x33, 0x33); }
    static QColor edgeLabelBackground() { return QColor(0xE8, 0xE8, 0xE8, 0xE0); }
    static QColor clusterFill() { return QColor(0xFF, 0xFF, 0xDE); }
    static QColor clusterStroke() { return QColor(0xAA, 0xAA, 0x33); }
    static QColor selection() { return QColor(0xFF, 0x8C, 0x00); }
    static constexpr double nodeStrokeWidth = 1.2;
    static constexpr double edgeWidth = 1.5;
    static constexpr double thickEdgeWidth = 3.5;

    static QFont nodeFont();
    static QFont edgeLabelFont();
    static QFont titleFont();
};
