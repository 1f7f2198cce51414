#pragma once
// The Overlay view of an image input: the picture with one value per patch drawn over it as a
// translucent heat layer (the shared ColorMap; t = value / max value, so the largest value gets
// the map's brightest colour), optional grid lines, a caption and a colour bar. Modes:
//   Query     the selected query patch's row of weights: a_qj for every key patch j (click a patch
//             to make it the query; masked keys are left uncoloured)
//   Received  the attention each patch receives, the column sums over queries: sum_i a_ij
//   Spatial   seed 003's spatial attention map (AttentionResult::spatialMap, one weight per patch);
//             a sigmoid whose values sit close together, so its colours span [min, max] instead
//   Rollout   attention rollout through the layers (checkpoints with several layers, e.g. a ViT;
//             core AttentionRollout by default, another provider can be installed)
// The head (or the mean of heads, -1) and layer follow the ViewControls. paint() serves the widget
// and the exporters alike: the picture is an image element, patches are rectangles and grid lines
// are vectors in SVG/PDF.
#include "ColorMap.h"
#include "Computation.h"

#include <QImage>
#include <QWidget>

#include <functional>
#include <optional>
#include <vector>

class OverlayView : public QWidget {
    Q_OBJECT
public:
    enum class Mode { Query, Received, Spatial, Rollout };
    // Rollout for one query patch (row-major over the grid); empty when it cannot be computed.
    using RolloutProvider = std::function<std::vector<float>(const attn::AttentionResult&, int head, int query)>;
    static void setRolloutProvider(RolloutProvider provider);
    // The core's rollout (AttentionRollout: mean of heads, no discard), cached for the last result.
    static RolloutProvider defaultRolloutProvider();
    static bool hasRolloutProvider();
    // Tokens before the patches: 1 for a ViT's CLS token, 2 for DeiT's CLS and distillation tokens,
    // 0 for the engine's grids. Queries (selectQuery, querySelected) are token indices; cells are
    // patch indices.
    int firstPatch() const;

    explicit OverlayView(QWidget* parent = nullptr);

    void setComputation(ComputationPtr computation);
    ComputationPtr computation() const { return m_computation; }
    void setHead(int layer, int head);
    void setColorMap(const QString& name);
    void setOpacity(double opacity); // 0..1
    double opacity() const { return m_opacity; }
    void setGridVisible(bool visible);
    bool isGridVisible() const { return m_grid; }
    void setCaptionVisible(bool visible) { m_caption = visible; update(); }
    void setColorBarVisible(bool visible) { m_colorBar = visible; update(); }
    void setMode(Mode mode);
    Mode mode() const { return m_mode; }
    static bool isModeAvailable(Mode mode, const attn::AttentionResult& result);
    static std::optional<Mode> parseMode(const QString& name); // query, received, spatial, rollout
    static QString modeName(Mode mode);

    // The query patch, row-major (r * cols + c); -1 picks the centre patch.
    void selectQuery(int index);
    int selectedQuery() const { return m_query; }
    // The value drawn for each patch in the current mode (row-major, rows * cols; empty: nothing).
    std::vector<float> cellValues() const;
    // The patch under a point of `area` as laid out by paint(); -1 outside the grid.
    int cellAt(const QPointF& point, const QRectF& area) const;
    QString tooltipFor(int cell) const; // "patch r,c — weight 0.01234"
    QRectF cellRect(int cell, const QRectF& area) const;

    void paint(QPainter& painter, const QRectF& area) const;

signals:
    void querySelected(int index);
    void cellHovered(int index);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    struct Layout {
        QRectF picture; // where the working image is drawn
        double scale = 1.0; // screen units per image pixel
        QRectF grid;    // the gridRows x gridCols cells
        QRectF bar;     // colour bar (empty when hidden)
        QRectF caption;
    };
    Layout layoutFor(const QRectF& area) const;
    QString caption() const;
    bool hasGrid() const;

    ComputationPtr m_computation;
    QImage m_picture;
    ColorMap m_colors = ColorMap::byName(QStringLiteral("viridis"));
    Mode m_mode = Mode::Query;
    int m_layer = 0;
    int m_head = 0;
    int m_query = -1;
    int m_hover = -1;
    double m_opacity = 0.6;
    bool m_grid = true;
    bool m_caption = true;
    bool m_colorBar = true;
};
