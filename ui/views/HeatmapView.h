#pragma once
// The attention map of one head (or the mean of a layer's heads) as a colour map with token
// labels on both axes (queries down, keys across) and a colour scale. Hover shows the exact
// weight, raw score and mask state; a click selects a query row; wheel zooms, drag pans,
// double-click resets. QCustomPlot stays behind this class.
#include "Computation.h"

#include <QWidget>

#include <memory>
#include <optional>
#include <utility>
#include <vector>

class QCustomPlot;
class QCPColorMap;
class QCPColorMapData;
class QCPColorScale;
class QCPItemRect;
class QCPItemText;
class QMouseEvent;
class QTimer;

class HeatmapView : public QWidget {
    Q_OBJECT
public:
    enum class RangeMode { PerHead, Fixed, Shared, Log };
    static constexpr int kMeanHead = -1;
    // Above this many cells per side the map is drawn through a level-of-detail image: the
    // visible region max-pooled to the plot's pixel size, refreshed after zoom and pan.
    static constexpr int kLodSide = 1024;

    explicit HeatmapView(QWidget* parent = nullptr);
    ~HeatmapView() override;

    void setComputation(ComputationPtr computation);
    // Difference mode: shows a - b on the diverging map, symmetric around 0.
    void setDifference(ComputationPtr a, ComputationPtr b);
    bool isDifference() const { return m_other != nullptr; }
    void setHead(int layer, int head);
    void setColorMap(const QString& name);
    void setRangeMode(RangeMode mode);
    void setColorScaleVisible(bool visible);
    void setLabelsVisible(bool visible);
    void setTitle(const QString& title);

    int layer() const { return m_layer; }
    int head() const { return m_head; }
    RangeMode rangeMode() const { return m_rangeMode; }
    QString colorMapName() const { return m_colorMap; }
    ComputationPtr computation() const { return m_computation; }

    // The value of a cell (NaN for masked cells): straight from the plot's data, or from the
    // exact map when a level-of-detail image is shown.
    double cellValue(int query, int key) const;
    // The tooltip text for a cell, as hover shows it.
    QString tooltipText(int query, int key) const;
    // Cell under a widget position, as (query, key).
    std::optional<std::pair<int, int>> cellAt(const QPoint& pos) const;
    QPoint cellCenter(int query, int key) const;
    int selectedQuery() const { return m_selectedQuery; }
    void selectQuery(int query);

    void zoomIn();
    void zoomOut();
    void resetZoom();

    QCustomPlot* plot() const { return m_plot; }
    bool isLevelOfDetail() const { return m_lod; }
    // Cells per side of the image currently given to the plot.
    QSize plotDataSize() const;
    // Render time of the last replot, in milliseconds.
    double lastRenderMilliseconds() const { return m_renderMs; }
    // A long prompt (maps on demand): a head not in the maps' cache, or the mean of heads, is made on a
    // worker while the plot says so; isMapPending() until it arrives (mapReady). finishMap() makes it
    // now, in this thread (exports, tests). Over kLodSide tokens a head's image is made straight from
    // its queries and keys (AttentionMaps::regionImage), never its exact map: the whole map's image
    // first, a zoomed region's on a worker when the view stops moving (the previous image, stretched,
    // until it comes); hover reads the exact weight from q·k.
    bool isMapPending() const { return m_pending.has_value(); }
    void finishMap();
    // The current head is drawn from its queries and keys, without its map (see above).
    bool isDrawnFromQueriesAndKeys() const { return m_fromQk; }
    // A zoomed region's image is being made on a worker (regionReady when it is shown).
    bool isRegionPending() const { return m_regionPending; }

signals:
    void querySelected(int query);
    void cellHovered(int query, int key);
    // The current head's map could not be made (a long prompt's map over the memory budget).
    void failed(const QString& message);
    // A long prompt's map (or mean of heads) made on a worker has arrived and is shown.
    void mapReady();
    // The image of a zoomed region of a long prompt's head, made on a worker, is shown.
    void regionReady();

private:
    void rebuild();
    void updateLevelOfDetail();
    void showWholeMap(); // axis ranges only, no replot
    void timedReplot();  // replot now, its time in lastRenderMilliseconds()
    void applyRange();
    const float* currentMap() const;
    // The engine's block maxima of the current map (AttentionResult::lodMax), or null.
    const float* engineLod() const;
    void onMouseMove(QMouseEvent* event);
    void onMousePress(QMouseEvent* event);

    QCustomPlot* m_plot = nullptr;
    QCPColorMap* m_map = nullptr;
    QCPColorScale* m_scale = nullptr;
    QCPItemRect* m_selection = nullptr;
    QCPItemText* m_note = nullptr; // "making the map of …" while a worker makes it
    ComputationPtr m_computation;
    std::vector<float> m_mean;
    attn::AttentionResult::HeadMap m_headMap; // the current head's map (held, or made on demand)
    // Maps on demand: what a worker made for (computation, layer, head), taken by the next rebuild.
    struct Prepared {
        const attn::AttentionResult* result = nullptr;
        int layer = 0;
        int head = 0;
        attn::AttentionResult::HeadMap map; // a head
        std::vector<float> mean;            // the mean of heads
        bool fromQk = false;                // a head over kLodSide tokens: only its image, from q and k
        float minPositive = 0.0f;           // fromQk: the head's smallest positive weight (log range)
        QString error;
        // The whole map's level-of-detail image (max-pooled, with its min and max), made beside it.
        std::vector<float> pooled;
        int pooledRows = 0;
        int pooledCols = 0;
        std::pair<float, float> pooledMinMax;
        // Those cells already in the plot's own form (doubles, its size and range): 8-32 MB of
        // fresh memory filled on the worker, handed to the plot without a copy.
        std::unique_ptr<QCPColorMapData> cells;
    };
    struct WholePooled {
        const float* map = nullptr; // the map it was pooled from
        int rows = 0;
        int cols = 0;
        std::vector<float> data;
        std::pair<float, float> minMax;
        std::unique_ptr<QCPColorMapData> cells; // data as the plot's cells, until the plot takes them
    };
    std::optional<WholePooled> m_wholePooled;
    ComputationPtr m_builtFor; // the computation the last rebuild showed
    std::optional<Prepared> m_prepared;
    std::optional<std::pair<int, int>> m_pending; // (layer, head) a worker is making
    quint64 m_prepareGeneration = 0;
    bool takePrepared(const attn::AttentionResult& r);
    void prepareOnWorker(const attn::AttentionResult& r);
    // fromQk: queries [y0, y1) x keys [x0, x1) pooled to rows x cols on a worker, then shown.
    void requestRegion(int x0, int x1, int y0, int y1, int rows, int cols);
    static Prepared prepare(const attn::AttentionResult& r, int layer, int head, int pooledRows, int pooledCols);
    // The plot's cells for pooled (rows x cols) covering queries [y0, y1) x keys [x0, x1); cell by
    // cell (exact) masked cells are NaN unless keepMasked.
    static void fillCells(QCPColorMapData& cells, const std::vector<float>& pooled, int rows, int cols, int x0, int x1,
        int y0, int y1, const attn::AttentionResult& r, bool keepMasked);
    // The size updateLevelOfDetail gives the whole map's image in the current plot area.
    QSize wholeImageSize(int queries, int keys) const;
    ComputationPtr m_other;    // difference mode: the subtrahend
    std::vector<float> m_diff;
    int m_layer = 0;
    int m_head = 0;
    int m_selectedQuery = -1;
    RangeMode m_rangeMode = RangeMode::PerHead;
    QString m_colorMap = QStringLiteral("viridis");
    bool m_labelsVisible = true;
    double m_renderMs = 0.0;
    bool m_lod = false;
    std::optional<std::pair<float, float>> m_wholeMinMax; // of the current map, from its level-of-detail pass
    float m_wholeMinPositive = 0.0f;                      // fromQk: its smallest positive weight
    bool m_fromQk = false;
    bool m_regionPending = false;
    quint64 m_regionGeneration = 0;
    QTimer* m_lodTimer = nullptr;
};
