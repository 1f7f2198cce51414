#pragma once
// What to export and how: one options struct for the Export dialog and `attnscope export`.
#include <QString>

struct ExportOptions {
    QString view = QStringLiteral("heatmap"); // heatmap, heads, lines, diff, pipeline, overlay
    int width = 1600;                          // pixels (SVG/PDF: 1 px = 1/96 inch)
    int height = 1200;
    int dpi = 96;                              // PNG metadata and the PDF's resolution
    bool colorBar = true;
    bool labels = true;
    int layer = 0;
    int head = 0;                              // -1: mean of heads
    QString colormap = QStringLiteral("viridis");
    QString range = QStringLiteral("per-head"); // per-head, fixed, shared, log
    QString mermaid;                           // pipeline: the diagram's source; empty: the mechanism's own
    QString overlayMode = QStringLiteral("query"); // overlay: query, received, spatial, rollout
    int query = -1;                            // overlay: the query patch, r * cols + c (-1: the centre patch)
    double opacity = 0.6;                      // overlay: the heat layer's opacity, 0..1
    bool grid = true;                          // overlay: grid lines
    bool qkTsne = false;                       // qk: t-SNE instead of PCA
};
