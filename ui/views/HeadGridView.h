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

#include <QImage>
#include <QWidget>

class HeadGridView : public QWidget {
    Q_OBJECT
public:
    static constexpr int kMean = -1;
    explicit HeadGridView(QWidget* parent = nullptr);

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

signals:
    void headActivated(int layer, int head); // head kMean: mean of heads

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
    int tileIndex(int layer, int head) const;
    void rebuild();

    ComputationPtr m_computation;
    ColorMap m_colors = ColorMap::byName(QStringLiteral("viridis"));
    std::vector<Tile> m_tiles;
    int m_currentLayer = 0;
    int m_currentHead = 0;
    std::optional<Ranking> m_ranking;
};
