#include "HeadGridView.h"

#include "BackgroundPool.h"
#include "HeadStatistics.h"
#include "HeadThumbnails.h"
#include "MapImage.h"
#include "TokenFont.h"

#include <QApplication>
#include <QMouseEvent>
#include <QPainter>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

#include <cmath>

HeadGridView::HeadGridView(QWidget* parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumSize(200, 150);
}

HeadGridView::~HeadGridView()
{
    if (m_cancelTiles)
        m_cancelTiles->store(true);
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
    // Supersede a running tile job: its layers are dropped when they arrive.
    if (m_cancelTiles)
        m_cancelTiles->store(true);
    m_cancelTiles.reset();
    ++m_tileGeneration;
    m_tiles.clear();
    m_pendingLayers = 0;
    if (!m_computation) {
        setMinimumSize(0, 0);
        update();
        return;
    }
    const auto& r = *m_computation->result;
    // The tiles and their numbers first (a long prompt's statistics were streamed during the forward
    // pass, so ranking and captions need no map), the pictures per layer after.
    if (m_ranking) {
        for (const auto& ranked : attn::HeadRanking::rank(r, m_ranking->statistic, m_ranking->ascending, m_ranking->filter)) {
            const auto stats = attn::HeadStatistics::forHead(r, ranked.layer, ranked.head);
            m_tiles.push_back({ranked.layer, ranked.head, QImage(), stats.entropy, stats.maxWeight, ranked.value});
        }
    } else {
        for (int l = 0; l < r.layers; ++l) {
            for (int h = 0; h < r.heads; ++h) {
                const auto stats = attn::HeadStatistics::forHead(r, l, h);
                m_tiles.push_back({l, h, QImage(), stats.entropy, stats.maxWeight});
            }
            m_tiles.push_back({l, kMean, QImage(), 0.0, 0.0}); // its statistics come with its picture
        }
    }
    setMinimumSize(minimumGridSize()); // a scroll area shows the rest
    std::vector<LayerRequest> requests = layerRequests();
    if (!r.mapsOnDemand()) {
        for (const LayerRequest& q : requests)
            applyLayer(q.layer, renderLayer(*m_computation, q, m_colors, nullptr));
        update();
        return;
    }
    // A long prompt: every head's map is made from the trace's queries and keys (about 12 ms a head
    // at 4 096 tokens), on a worker, a layer at a time; the grid fills in as layers arrive.
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    m_cancelTiles = cancel;
    m_pendingLayers = static_cast<int>(requests.size());
    const quint64 generation = m_tileGeneration;
    QPointer<HeadGridView> self(this);
    (void)BackgroundPool::run([self, generation, cancel, computation = m_computation, requests, colors = m_colors] {
        for (const LayerRequest& q : requests) {
            if (cancel->load())
                return;
            LayerTiles tiles = renderLayer(*computation, q, colors, cancel.get());
            if (cancel->load())
                return;
            QMetaObject::invokeMethod(
                qApp,
                [self, generation, layer = q.layer, tiles = std::move(tiles)]() mutable {
                    if (!self || self->m_tileGeneration != generation)
                        return;
                    self->applyLayer(layer, std::move(tiles));
                    --self->m_pendingLayers;
                    self->update();
                    if (self->m_pendingLayers == 0)
                        emit self->tilesReady();
                },
                Qt::QueuedConnection);
        }
    });
    update();
}

void HeadGridView::finishTiles()
{
    if (!m_computation || m_pendingLayers == 0)
        return;
    if (m_cancelTiles)
        m_cancelTiles->store(true);
    m_cancelTiles.reset();
    ++m_tileGeneration; // whatever the worker still delivers is dropped
    for (const LayerRequest& q : layerRequests()) {
        const bool missing = std::any_of(
            m_tiles.begin(), m_tiles.end(), [&q](const Tile& t) { return t.layer == q.layer && t.image.isNull(); });
        if (missing)
            applyLayer(q.layer, renderLayer(*m_computation, q, m_colors, nullptr));
    }
    m_pendingLayers = 0;
    update();
    emit tilesReady();
}

std::vector<HeadGridView::LayerRequest> HeadGridView::layerRequests() const
{
    std::vector<LayerRequest> out;
    if (!m_computation)
        return out;
    for (int l = 0; l < m_computation->result->layers; ++l) {
        LayerRequest q{l, {}, false};
        for (const Tile& t : m_tiles)
            if (t.layer == l) {
                if (t.head == kMean)
                    q.mean = true;
                else
                    q.heads.push_back(t.head);
            }
        if (!q.heads.empty() || q.mean)
            out.push_back(std::move(q));
    }
    return out;
}

HeadGridView::LayerTiles HeadGridView::renderLayer(
    const Computation& c, const LayerRequest& q, const ColorMap& colors, const std::atomic<bool>* cancel)
{
    const auto& r = *c.result;
    LayerTiles out;
    const auto thumbs = attn::HeadThumbnails::compute(r, q.layer, q.heads, q.mean, kTileSide, cancel);
    if (!thumbs)
        return out;
    // Exact cells (a map no larger than a tile) keep the mask's colour, as MapImage::render does.
    const bool exact = thumbs->rows == r.queryCount && thumbs->cols == r.keyCount;
    for (size_t k = 0; k < q.heads.size(); ++k) {
        const double hi = std::max(attn::HeadStatistics::forHead(r, q.layer, q.heads[k]).maxWeight, 1e-12);
        out.heads.emplace_back(q.heads[k],
            MapImage::render(thumbs->heads[k].data(), thumbs->rows, thumbs->cols, exact ? &r.mask : nullptr, colors, 0.0, hi, kTileSide));
    }
    if (q.mean) {
        out.mean = MapImage::render(thumbs->mean.data(), thumbs->rows, thumbs->cols, exact ? &r.mask : nullptr, colors, 0.0,
            std::max(thumbs->meanStats.maxWeight, 1e-12), kTileSide);
        out.meanStats = thumbs->meanStats;
    }
    return out;
}

void HeadGridView::applyLayer(int layer, LayerTiles tiles)
{
    for (Tile& t : m_tiles) {
        if (t.layer != layer)
            continue;
        if (t.head == kMean) {
            t.image = tiles.mean;
            t.entropy = tiles.meanStats.entropy;
            t.maxWeight = tiles.meanStats.maxWeight;
            continue;
        }
        for (auto& [head, image] : tiles.heads)
            if (head == t.head)
                t.image = image;
    }
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

QSize HeadGridView::minimumGridSize() const
{
    // The tile pitch of tileRect: side + margin across, side + caption + margin down.
    constexpr int margin = 8, caption = 18;
    return {margin + columns() * (kMinTileSide + margin), margin + rowsCount() * (kMinTileSide + caption + margin)};
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

QString HeadGridView::captionFor(const Tile& t, const QFontMetrics& metrics, int width) const
{
    // The fullest caption that fits the tile's width: "L3 h2  H=5.90", then "L3h2 5.90" (a long
    // prompt's 56 px tiles), then that one cut.
    const auto& r = *m_computation->result;
    const bool layered = r.layers > 1;
    QStringList candidates;
    if (m_ranking) {
        const QString value = QString::number(t.value, 'f', 2);
        candidates << QStringLiteral("L%1.H%2  %3=%4")
                          .arg(t.layer)
                          .arg(t.head)
                          .arg(QLatin1String(attn::HeadRanking::name(m_ranking->statistic)), value)
                   << QStringLiteral("L%1.H%2 %3").arg(t.layer).arg(t.head).arg(value);
    } else {
        const QString who = t.head == kMean ? tr("mean") : (layered ? tr("h%1") : tr("head %1")).arg(t.head);
        const QString entropy = QString::number(t.entropy, 'f', 2);
        const QString layer = layered ? tr("L%1").arg(t.layer) : QString();
        candidates << (layered ? layer + QLatin1Char(' ') : QString()) + who + QStringLiteral("  H=") + entropy
                   << layer + who + QLatin1Char(' ') + entropy;
    }
    for (const QString& c : candidates)
        if (metrics.horizontalAdvance(c) <= width)
            return c;
    return metrics.elidedText(candidates.back(), Qt::ElideRight, width);
}

QString HeadGridView::captionAt(int layer, int head, int width) const
{
    for (const Tile& t : m_tiles)
        if (t.layer == layer && t.head == head)
            return captionFor(t, QFontMetrics(TokenFont::font(8)), width);
    return {};
}

void HeadGridView::paint(QPainter& p, const QRect& area) const
{
    p.fillRect(area, Qt::white);
    if (!m_computation) {
        p.drawText(area, Qt::AlignCenter, tr("No attention computed yet"));
        return;
    }
    p.setFont(TokenFont::font(8));
    if (m_tiles.empty())
        p.drawText(area, Qt::AlignCenter, tr("No head passes the filter"));
    for (const Tile& t : m_tiles) {
        const QRect rect = tileRect(area, t.layer, t.head);
        if (t.image.isNull()) { // still being made (a long prompt's maps, on a worker)
            p.fillRect(rect, QColor(0xee, 0xee, 0xee));
            p.setPen(QColor(0x80, 0x80, 0x80));
            p.drawText(rect, Qt::AlignCenter, QStringLiteral("…"));
        } else {
            p.drawImage(rect, t.image);
        }
        const bool current = t.layer == m_currentLayer && t.head == m_currentHead;
        p.setPen(current ? QPen(QColor(0xd6, 0x27, 0x28), 3) : QPen(QColor(0x60, 0x60, 0x60), 1));
        p.drawRect(rect.adjusted(0, 0, -1, -1));
        const QString caption = captionFor(t, p.fontMetrics(), rect.width());
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
