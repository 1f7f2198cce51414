#include "HeadGridView.h"

#include "HeadStatistics.h"
#include "MapImage.h"
#include "TokenFont.h"

#include <QMouseEvent>
#include <QPainter>

#include <cmath>

HeadGridView::HeadGridView(QWidget* parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumSize(200, 150);
}

void HeadGridView::setComputation(ComputationPtr computation)
{
    m_computation = std::move(computation);
    rebuild();
}

void HeadGridView::setColorMap(const QString& name)
{
    m_colors = ColorMap::byName(name);
    rebuild();
}

void HeadGridView::setCurrent(int layer, int head)
{
    m_currentLayer = layer;
    m_currentHead = head;
    update();
}

void HeadGridView::setRanking(std::optional<Ranking> ranking)
{
    m_ranking = std::move(ranking);
    rebuild();
}

std::vector<std::pair<int, int>> HeadGridView::tileOrder() const
{
    std::vector<std::pair<int, int>> out;
    for (const Tile& t : m_tiles)
        out.emplace_back(t.layer, t.head);
    return out;
}

std::vector<double> HeadGridView::tileValues() const
{
    std::vector<double> out;
    for (const Tile& t : m_tiles)
        out.push_back(t.value);
    return out;
}

int HeadGridView::tileIndex(int layer, int head) const
{
    for (size_t i = 0; i < m_tiles.size(); ++i)
        if (m_tiles[i].layer == layer && m_tiles[i].head == head)
            return static_cast<int>(i);
    return -1;
}

void HeadGridView::rebuild()
{
    m_tiles.clear();
    if (m_computation && m_ranking) {
        const auto& r = *m_computation->result;
        for (const auto& ranked : attn::HeadRanking::rank(r, m_ranking->statistic, m_ranking->ascending, m_ranking->filter)) {
            const float* map = r.weightRow(ranked.layer, ranked.head, 0);
            const auto stats = attn::HeadStatistics::compute(map, r.queryCount, r.keyCount);
            m_tiles.push_back({ranked.layer, ranked.head,
                MapImage::render(map, r.queryCount, r.keyCount, &r.mask, m_colors, 0.0, std::max(stats.maxWeight, 1e-12), 256),
                stats.entropy, stats.maxWeight, ranked.value});
        }
    } else if (m_computation) {
        const auto& r = *m_computation->result;
        for (int l = 0; l < r.layers; ++l) {
            for (int h = 0; h < r.heads; ++h) {
                const float* map = r.weightRow(l, h, 0);
                const auto stats = attn::HeadStatistics::compute(map, r.queryCount, r.keyCount);
                m_tiles.push_back({l, h, MapImage::render(map, r.queryCount, r.keyCount, &r.mask, m_colors, 0.0,
                                             std::max(stats.maxWeight, 1e-12), 256),
                    stats.entropy, stats.maxWeight});
            }
            const auto mean = attn::HeadStatistics::meanOfHeads(r, l);
            const auto stats = attn::HeadStatistics::compute(mean.data(), r.queryCount, r.keyCount);
            m_tiles.push_back({l, kMean, MapImage::render(mean.data(), r.queryCount, r.keyCount, &r.mask, m_colors,
                                                   0.0, std::max(stats.maxWeight, 1e-12), 256),
                stats.entropy, stats.maxWeight});
        }
    }
    update();
}

int HeadGridView::columns() const
{
    if (!m_computation)
        return 1;
    const auto& r = *m_computation->result;
    if (m_ranking) {
        const int count = std::max(1, static_cast<int>(m_tiles.size()));
        return std::min(count, std::max(r.heads, static_cast<int>(std::ceil(std::sqrt(static_cast<double>(count))))));
    }
    if (r.layers > 1)
        return r.heads + 1;
    return std::max(1, static_cast<int>(std::ceil(std::sqrt(static_cast<double>(r.heads + 1)))));
}

int HeadGridView::rowsCount() const
{
    if (!m_computation)
        return 1;
    const auto& r = *m_computation->result;
    if (m_ranking)
        return std::max(1, (static_cast<int>(m_tiles.size()) + columns() - 1) / columns());
    if (r.layers > 1)
        return r.layers;
    const int cols = columns();
    return (r.heads + 1 + cols - 1) / cols;
}

QRect HeadGridView::tileRect(const QRect& area, int layer, int head) const
{
    if (!m_computation)
        return {};
    const auto& r = *m_computation->result;
    const int cols = columns(), rows = rowsCount();
    int index = head == kMean ? r.heads : head;
    int row = 0, col = 0;
    if (m_ranking) {
        index = tileIndex(layer, head);
        if (index < 0)
            return {};
        row = index / cols;
        col = index % cols;
    } else if (r.layers > 1) {
        row = layer;
        col = index;
    } else {
        row = index / cols;
        col = index % cols;
    }
    const int margin = 8, caption = 18;
    const int cellW = (area.width() - margin) / cols;
    const int cellH = (area.height() - margin) / rows;
    const int side = std::max(8, std::min(cellW, cellH - caption) - margin);
    // Pack the tiles at their own pitch (no gaps when the area is taller or wider than needed).
    const int pitchX = side + margin, pitchY = side + caption + margin;
    return QRect(area.left() + margin + col * pitchX, area.top() + margin + row * pitchY + caption, side, side);
}

void HeadGridView::paint(QPainter& p, const QRect& area) const
{
    p.fillRect(area, Qt::white);
    if (!m_computation) {
        p.drawText(area, Qt::AlignCenter, tr("No attention computed yet"));
        return;
    }
    p.setFont(TokenFont::font(8));
    const auto& r = *m_computation->result;
    if (m_tiles.empty())
        p.drawText(area, Qt::AlignCenter, tr("No head passes the filter"));
    for (const Tile& t : m_tiles) {
        const QRect rect = tileRect(area, t.layer, t.head);
        p.drawImage(rect, t.image);
        const bool current = t.layer == m_currentLayer && t.head == m_currentHead;
        p.setPen(current ? QPen(QColor(0xd6, 0x27, 0x28), 3) : QPen(QColor(0x60, 0x60, 0x60), 1));
        p.drawRect(rect.adjusted(0, 0, -1, -1));
        QString caption = t.head == kMean ? tr("mean") : (r.layers > 1 ? tr("h%1") : tr("head %1")).arg(t.head);
        if (r.layers > 1)
            caption = tr("L%1 ").arg(t.layer) + caption;
        if (m_ranking)
            caption = QStringLiteral("L%1.H%2  %3=%4")
                          .arg(t.layer)
                          .arg(t.head)
                          .arg(QLatin1String(attn::HeadRanking::name(m_ranking->statistic)))
                          .arg(t.value, 0, 'f', 2);
        else
            caption += QStringLiteral("  H=%1").arg(t.entropy, 0, 'f', 2);
        caption = p.fontMetrics().elidedText(caption, Qt::ElideRight, rect.width());
        p.setPen(Qt::black);
        p.drawText(QRect(rect.left(), rect.top() - 17, rect.width(), 16), Qt::AlignLeft | Qt::AlignVCenter, caption);
    }
}

void HeadGridView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    paint(p, rect());
}

void HeadGridView::mousePressEvent(QMouseEvent* event)
{
    for (const Tile& t : m_tiles)
        if (tileRect(rect(), t.layer, t.head).contains(event->pos())) {
            setCurrent(t.layer, t.head);
            emit headActivated(t.layer, t.head);
            return;
        }
}
