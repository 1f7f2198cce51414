#pragma once
// Every head of every layer as a small heatmap with its index and entropy, plus a "mean of
// heads" tile per layer. Clicking a tile emits headActivated (the window opens it in the
// Heatmap view). Painted by paint(), shared by the widget and the exporters, so SVG/PDF
// exports are vectors around the tile bitmaps. With a ranking (HeadRanking: a statistic, an order
// and an optional threshold) the tiles are laid out in that order, filtered, without mean tiles,
// each captioned "L<layer>.H<head> <statistic>=<value>".
#include "ColorMap.h"
#include "Computation.h"
#include "HeadRanking.h"

#include <QFontMetrics>
#include <QImage>
#include <QWidget>

#include <atomic>
#include <memory>
#include <vector>

class HeadGridView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMean = -1;
    explicit HeadGridView(QWidget* parent = nullptr);
    ~HeadGridView() override;

    void setComputation(ComputationPtr computation);
    void setColorMap(const QString& name);
    void setCurrent(int layer, int head);

    struct Ranking {
        attn::HeadStatistic statistic = attn::HeadStatistic::FirstTokenMass;
        bool ascending = false;
        std::optional<attn::HeadThreshold> filter;
    };
    void setRanking(std::optional<Ranking> ranking);
    const std::optional<Ranking>& ranking() const { return m_ranking; }
    // The tiles in display order as (layer, head) and the ranking value shown on each (0 unranked).
    std::vector<std::pair<int, int>> tileOrder() const;
    std::vector<double> tileValues() const;

    void paint(QPainter& painter, const QRect& area) const;
    // Tile geometry for an area (tests click the centre of a tile).
    QRect tileRect(const QRect& area, int layer, int head) const;
    QRect tileRect(int layer, int head) const { return tileRect(rect(), layer, head); }
    int columns() const;
    int rowsCount() const;
    QSize sizeHint() const override { return {800, 600}; }
    // The least size at which every tile is kMinTileSide pixels (24 layers x 15 tiles: 968 x 1976);
    // set as the widget's minimum, so the Heads page scrolls rather than shrinking tiles to dots.
    QSize minimumGridSize() const;
    // The caption drawn above a tile `width` pixels wide (tests); empty when there is no such tile.
    QString captionAt(int layer, int head, int width) const;
    static constexpr int kMinTileSide = 56;

    // Whether every tile has its picture (a long prompt's are made on a worker, a layer at a time);
    // finishTiles() makes the missing ones now, in this thread (exports, tests).
    bool tilesPending() const { return m_pendingLayers > 0; }
    void finishTiles();

signals:
    void headActivated(int layer, int head); // head kMean: mean of heads
    void tilesReady(); // the last layer of a worker's tiles arrived

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    struct Tile {
        int layer;
        int head;
        QImage image;
        double entropy;
        double maxWeight;
        double value = 0.0;
    };
    QString captionFor(const Tile& tile, const QFontMetrics& metrics, int width) const;
    static constexpr int kTileSide = 256;
    struct LayerRequest {
        int layer;
        std::vector<int> heads;
        bool mean;
    };
    struct LayerTiles {
        std::vector<std::pair<int, QImage>> heads;
        QImage mean;
        attn::HeadStats meanStats;
    };
    int tileIndex(int layer, int head) const;
    void rebuild();
    std::vector<LayerRequest> layerRequests() const;
    static LayerTiles renderLayer(
        const Computation& computation, const LayerRequest& request, const ColorMap& colors, const std::atomic<bool>* cancel);
    void applyLayer(int layer, LayerTiles tiles);

    ComputationPtr m_computation;
    ColorMap m_colors = ColorMap::byName(QStringLiteral("viridis"));
    std::vector<Tile> m_tiles;
    int m_currentLayer = 0;
    int m_currentHead = 0;
    std::optional<Ranking> m_ranking;
    std::shared_ptr<std::atomic<bool>> m_cancelTiles;
    quint64 m_tileGeneration = 0;
    int m_pendingLayers = 0;
};
