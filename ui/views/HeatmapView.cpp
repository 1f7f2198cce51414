#include "HeatmapView.h"

#include "BackgroundPool.h"
#include "ColorMap.h"
#include "HeadStatistics.h"
#include "MapDownsampler.h"
#include "TokenAxisTicker.h"
#include "TokenFont.h"

#include <qcustomplot.h>

#include <QApplication>
#include <QElapsedTimer>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

namespace {
// The least distance between two token labels along an axis: a 9 pt line (15 px) across the
// y axis; along the x axis the same line turned 60 degrees (15 / sin 60° ≈ 17 px).
constexpr int kXLabelSpacing = 17;
constexpr int kYLabelSpacing = 15;
} // namespace

HeatmapView::HeatmapView(QWidget* parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setMouseTracking(true);
    m_plot->axisRect()->setupFullAxesBox(true);
    m_plot->yAxis->setRangeReversed(true);
    m_plot->xAxis->setTickLabelRotation(60);
    m_plot->xAxis->setLabel(QStringLiteral("keys"));
    m_plot->yAxis->setLabel(QStringLiteral("queries"));
    for (QCPAxis* axis : {m_plot->xAxis, m_plot->yAxis}) {
        axis->setTickLabelFont(TokenFont::font(9));
        axis->grid()->setVisible(false);
        axis->setSubTicks(false);
    }
    m_plot->xAxis2->setTicks(false);
    m_plot->yAxis2->setTicks(false);

    m_map = new QCPColorMap(m_plot->xAxis, m_plot->yAxis);
    m_map->setInterpolate(false);
    m_map->setTightBoundary(false);
    m_scale = new QCPColorScale(m_plot);
    m_plot->plotLayout()->addElement(0, 1, m_scale);
    m_scale->setType(QCPAxis::atRight);
    m_scale->axis()->setLabel(QStringLiteral("weight"));
    m_map->setColorScale(m_scale);
    auto* group = new QCPMarginGroup(m_plot);
    m_plot->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    m_scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);

    m_selection = new QCPItemRect(m_plot);
    m_selection->setPen(QPen(Qt::white, 2));
    m_selection->setBrush(Qt::NoBrush);
    m_selection->setVisible(false);
    m_note = new QCPItemText(m_plot);
    m_note->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_note->position->setCoords(0.5, 0.5);
    m_note->setFont(TokenFont::font(11));
    m_note->setColor(QColor(0x50, 0x50, 0x50));
    m_note->setVisible(false);

    setColorMap(m_colorMap);
    m_lodTimer = new QTimer(this);
    m_lodTimer->setSingleShot(true);
    m_lodTimer->setInterval(30);
    connect(m_lodTimer, &QTimer::timeout, this, [this] {
        updateLevelOfDetail();
        m_plot->replot(QCustomPlot::rpQueuedReplot);
    });
    auto rangeMoved = [this] {
        if (m_lod)
            m_lodTimer->start();
    };
    connect(m_plot->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, rangeMoved);
    connect(m_plot->yAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this, rangeMoved);
    connect(m_plot, &QCustomPlot::mouseMove, this, &HeatmapView::onMouseMove);
    connect(m_plot, &QCustomPlot::mousePress, this, &HeatmapView::onMousePress);
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent*) { resetZoom(); });
}

HeatmapView::~HeatmapView() = default;

void HeatmapView::setDifference(ComputationPtr a, ComputationPtr b)
{
    m_other = std::move(b);
    m_map->setGradient(ColorMap::diverging().gradient());
    m_scale->axis()->setLabel(QStringLiteral("difference"));
    setComputation(std::move(a));
}

void HeatmapView::setComputation(ComputationPtr computation)
{
    m_computation = std::move(computation);
    if (m_computation) {
        const auto& r = *m_computation->result;
        if (m_head >= r.heads)
            m_head = 0;
        if (m_layer >= r.layers)
            m_layer = 0;
        if (m_selectedQuery >= r.queryCount)
            m_selectedQuery = -1;
    }
    rebuild();
}

void HeatmapView::setHead(int layer, int head)
{
    if (layer == m_layer && head == m_head && m_computation && m_computation == m_builtFor)
        return; // setComputation just showed this head
    m_layer = layer;
    m_head = head;
    rebuild();
}

void HeatmapView::setColorMap(const QString& name)
{
    m_colorMap = ColorMap::isKnown(name) ? name : QStringLiteral("viridis");
    if (m_other)
        return;
    m_map->setGradient(ColorMap::byName(m_colorMap).gradient());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapView::setRangeMode(RangeMode mode)
{
    m_rangeMode = mode;
    applyRange();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapView::setColorScaleVisible(bool visible)
{
    m_scale->setVisible(visible);
    if (visible && !m_plot->plotLayout()->hasElement(0, 1))
        m_plot->plotLayout()->addElement(0, 1, m_scale);
    else if (!visible)
        m_plot->plotLayout()->take(m_scale);
    m_plot->plotLayout()->simplify();
    m_plot->replot();
}

void HeatmapView::setLabelsVisible(bool visible)
{
    m_labelsVisible = visible;
    m_plot->xAxis->setTickLabels(visible);
    m_plot->yAxis->setTickLabels(visible);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapView::setTitle(const QString& title)
{
    // A title row above the plot (used by exports and the diff view).
    QCPTextElement* existing = nullptr;
    if (m_plot->plotLayout()->rowCount() > 1)
        existing = qobject_cast<QCPTextElement*>(m_plot->plotLayout()->element(0, 0));
    if (title.isEmpty()) {
        if (existing) {
            m_plot->plotLayout()->remove(existing);
            m_plot->plotLayout()->simplify();
        }
    } else if (existing) {
        existing->setText(title);
    } else {
        m_plot->plotLayout()->insertRow(0);
        auto* text = new QCPTextElement(m_plot, title, TokenFont::font(11, QFont::Bold));
        m_plot->plotLayout()->addElement(0, 0, text);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

const float* HeatmapView::currentMap() const
{
    if (!m_computation)
        return nullptr;
    if (m_other)
        return m_diff.data();
    if (m_head == kMeanHead)
        return m_mean.empty() ? nullptr : m_mean.data();
    return m_headMap.get();
}

void HeatmapView::rebuild()
{
    m_builtFor = m_computation;
    m_mean.clear();
    m_headMap.reset();
    m_wholePooled.reset();
    if (!m_computation || !m_computation->result->mapsOnDemand())
        m_pending.reset();
    m_wholeMinMax.reset();
    m_fromQk = false;
    m_regionPending = false;
    ++m_regionGeneration; // a region image on its way is for what was shown before
    if (!m_computation) {
        m_map->data()->clear();
        m_plot->replot();
        return;
    }
    const auto& r = *m_computation->result;
    // A head or layer chosen for another result (the diff view's B, a result with fewer heads)
    // falls back to the first one rather than reading past the map.
    if (m_head >= r.heads || m_head < kMeanHead)
        m_head = 0;
    if (m_layer >= r.layers || m_layer < 0)
        m_layer = 0;
    if (m_other) {
        m_diff = attn::HeadStatistics::difference(r, *m_other->result, m_layer, m_head);
        if (m_diff.empty()) {
            m_map->data()->clear();
            m_plot->replot();
            return;
        }
    } else if (r.mapsOnDemand()) {
        // A long prompt: a head in the maps' cache is shown at once; any other head, or the mean of
        // heads, is made on a worker (a fresh 4 096-token map is 64 MB of new memory) and shown when
        // it arrives, so the window never waits for it.
        if (!takePrepared(r) && m_head != kMeanHead)
            if (auto cached = r.maps->cached(m_layer, m_head))
                m_headMap = attn::AttentionResult::HeadMap(cached, cached->data());
        if (!currentMap() && !m_fromQk && !m_prepared) {
            prepareOnWorker(r);
            m_map->data()->clear();
            m_note->setText(m_head == kMeanHead ? tr("making the mean of layer %1's heads…").arg(m_layer)
                                                : tr("making the map of layer %1 head %2…").arg(m_layer).arg(m_head));
            m_note->setVisible(true);
            m_plot->replot();
            return;
        }
        m_prepared.reset();
    } else if (m_head == kMeanHead) {
        m_mean = attn::HeadStatistics::meanOfHeads(r, m_layer);
    } else if (auto made = r.headMap(m_layer, m_head)) { // a held map: a view
        m_headMap = *made;
    }
    m_pending.reset();
    m_note->setVisible(false);
    const float* map = currentMap();
    if (!map && !m_fromQk) {
        m_map->data()->clear();
        m_plot->replot();
        return;
    }
    const int nq = r.queryCount, nk = r.keyCount;
    m_lod = nq > kLodSide || nk > kLodSide;
    if (m_lod) {
        m_plot->xAxis->setTicker(QSharedPointer<TokenAxisTicker>::create(r.keyLabels, m_plot->xAxis, kXLabelSpacing));
        m_plot->yAxis->setTicker(QSharedPointer<TokenAxisTicker>::create(r.queryLabels, m_plot->yAxis, kYLabelSpacing));
        m_selection->setVisible(false);
        // One replot, after the image is built: replotting at the reset range first would paint
        // the previous image for nothing, and the range change's timer would pool the whole map
        // a second time 30 ms later.
        showWholeMap();
        updateLevelOfDetail(); // the whole map: also gives its min and max (one pass over it)
        m_lodTimer->stop();
        applyRange();
        timedReplot();
        return;
    }
    m_map->data()->setSize(nk, nq);
    m_map->data()->setRange(QCPRange(0, nk - 1), QCPRange(0, nq - 1));
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const bool trivialMask = r.mask.isTrivial();
    for (int i = 0; i < nq; ++i)
        for (int j = 0; j < nk; ++j)
            m_map->data()->setCell(j, i,
                (!trivialMask && r.isMasked(i, j) && (!m_other || m_other->result->isMasked(i, j)))
                    ? nan
                    : map[static_cast<size_t>(i) * nk + j]);
    m_plot->xAxis->setTicker(QSharedPointer<TokenAxisTicker>::create(r.keyLabels, m_plot->xAxis, kXLabelSpacing));
    m_plot->yAxis->setTicker(QSharedPointer<TokenAxisTicker>::create(r.queryLabels, m_plot->yAxis, kYLabelSpacing));
    m_plot->xAxis->setLabel(r.cross ? QStringLiteral("keys (inputs)") : QStringLiteral("keys"));
    m_plot->yAxis->setLabel(r.cross ? QStringLiteral("queries") : QStringLiteral("queries"));
    applyRange();
    if (m_selectedQuery >= 0 && m_selectedQuery < nq)
        selectQuery(m_selectedQuery);
    else
        m_selection->setVisible(false);
    resetZoom();
}

QSize HeatmapView::wholeImageSize(int queries, int keys) const
{
    const QRect area = m_plot->axisRect()->rect();
    // At least 1024 cells per side, so an export drawn larger than the window is still sharp.
    return QSize(std::min(keys, std::clamp(area.width(), 1024, 2048)), std::min(queries, std::clamp(area.height(), 1024, 2048)));
}

HeatmapView::Prepared HeatmapView::prepare(const attn::AttentionResult& r, int layer, int head, int pooledRows, int pooledCols)
{
    Prepared p;
    p.result = &r;
    p.layer = layer;
    p.head = head;
    if (head == kMeanHead) {
        p.mean = attn::HeadStatistics::meanOfHeads(r, layer);
        if (p.mean.empty())
            p.error = tr("the mean of layer %1's heads could not be made").arg(layer);
    } else if (r.mapsOnDemand() && pooledRows > 0 && pooledCols > 0) {
        // The whole map's image straight from the head's queries and keys: no 64 MB of fresh memory
        // for a map nothing else needs (zoom asks for its region's image, hover for one weight).
        auto image = r.maps->regionImage(layer, head, 0, r.queryCount, 0, r.keyCount, pooledRows, pooledCols);
        p.fromQk = true;
        p.pooledRows = image.rows;
        p.pooledCols = image.cols;
        p.pooledMinMax = {image.min, image.max};
        p.minPositive = image.minPositive;
        p.pooled = std::move(image.cells);
        p.cells = std::make_unique<QCPColorMapData>(1, 1, QCPRange(0, 1), QCPRange(0, 1));
        fillCells(*p.cells, p.pooled, p.pooledRows, p.pooledCols, 0, r.keyCount, 0, r.queryCount, r, false);
        return p;
    } else if (auto made = r.headMap(layer, head)) {
        p.map = *made;
    } else {
        p.error = QString::fromStdString(made.error());
    }
    const float* data = head == kMeanHead ? (p.mean.empty() ? nullptr : p.mean.data()) : p.map.get();
    if (data && pooledRows > 0 && pooledCols > 0) { // off the GUI thread too: a pass over 64 MB
        p.pooled = attn::MapDownsampler::maxPoolRegion(
            data, r.keyCount, 0, r.queryCount, 0, r.keyCount, pooledRows, pooledCols, &p.pooledMinMax);
        p.pooledRows = std::clamp(pooledRows, 1, r.queryCount);
        p.pooledCols = std::clamp(pooledCols, 1, r.keyCount);
        p.cells = std::make_unique<QCPColorMapData>(1, 1, QCPRange(0, 1), QCPRange(0, 1));
        fillCells(*p.cells, p.pooled, p.pooledRows, p.pooledCols, 0, r.keyCount, 0, r.queryCount, r, false);
    }
    return p;
}

bool HeatmapView::takePrepared(const attn::AttentionResult& r)
{
    if (!m_prepared || m_prepared->result != &r || m_prepared->layer != m_layer || m_prepared->head != m_head) {
        m_prepared.reset();
        return false;
    }
    m_headMap = m_prepared->map;
    m_mean = std::move(m_prepared->mean);
    m_fromQk = m_prepared->fromQk;
    if (m_fromQk) {
        m_wholeMinMax = m_prepared->pooledMinMax;
        m_wholeMinPositive = m_prepared->minPositive;
    }
    const float* map = m_head == kMeanHead ? (m_mean.empty() ? nullptr : m_mean.data()) : m_headMap.get();
    if ((map || m_fromQk) && !m_prepared->pooled.empty())
        m_wholePooled = WholePooled{map, m_prepared->pooledRows, m_prepared->pooledCols, std::move(m_prepared->pooled),
            m_prepared->pooledMinMax, std::move(m_prepared->cells)};
    if (!m_prepared->error.isEmpty())
        emit failed(m_prepared->error);
    return true; // m_prepared stays set until rebuild has used it (an error leaves no map to show)
}

void HeatmapView::prepareOnWorker(const attn::AttentionResult& r)
{
    const std::pair<int, int> wanted{m_layer, m_head};
    if (m_pending == wanted)
        return; // already being made
    m_pending = wanted;
    const quint64 generation = ++m_prepareGeneration;
    QPointer<HeatmapView> self(this);
    const bool lod = r.queryCount > kLodSide || r.keyCount > kLodSide;
    const QSize pooled = lod ? wholeImageSize(r.queryCount, r.keyCount) : QSize();
    (void)BackgroundPool::run([self, generation, computation = m_computation, wanted, pooled] {
        Prepared p = prepare(*computation->result, wanted.first, wanted.second, pooled.height(), pooled.width());
        QMetaObject::invokeMethod(
            qApp,
            [self, generation, computation, p = std::move(p)]() mutable {
                if (!self || self->m_prepareGeneration != generation || self->m_computation != computation)
                    return;
                self->m_pending.reset();
                self->m_prepared = std::move(p);
                self->rebuild();
                emit self->mapReady();
            },
            Qt::QueuedConnection);
    });
}

void HeatmapView::finishMap()
{
    if (!m_computation || !m_pending)
        return;
    ++m_prepareGeneration; // the worker's delivery is dropped
    const auto& r = *m_computation->result;
    const bool lod = r.queryCount > kLodSide || r.keyCount > kLodSide;
    const QSize pooled = lod ? wholeImageSize(r.queryCount, r.keyCount) : QSize();
    m_prepared = prepare(r, m_pending->first, m_pending->second, pooled.height(), pooled.width());
    m_pending.reset();
    rebuild();
}

void HeatmapView::applyRange()
{
    if (!m_computation || (!currentMap() && !m_fromQk))
        return;
    const auto& r = *m_computation->result;
    double lo = 0.0, hi = 1.0;
    // Smallest (0 when none) and largest (at least 0) value; positiveOnly: of the values > 0.
    auto scanMinMax = [this](const float* data, size_t n, bool positiveOnly) {
        // The level-of-detail pass over the whole current map already found them (drawn from q and k:
        // the pass that made its image, which found the smallest positive weight too).
        const bool known = data == currentMap() && m_wholeMinMax && (!positiveOnly || m_fromQk);
        const auto [mn, mx] = known ? std::make_pair(positiveOnly ? m_wholeMinPositive : m_wholeMinMax->first, m_wholeMinMax->second)
                                    : attn::MapDownsampler::minMax(data, n, positiveOnly);
        return std::make_pair(std::isfinite(mn) ? static_cast<double>(mn) : 0.0,
            std::isfinite(mx) ? std::max(0.0, static_cast<double>(mx)) : 0.0);
    };
    const size_t size = static_cast<size_t>(r.queryCount) * r.keyCount;
    m_scale->setDataScaleType(QCPAxis::stLinear);
    if (m_other) {
        const auto [mn, mx] = scanMinMax(currentMap(), size, false);
        const double extent = std::max({std::abs(mn), std::abs(mx), 1e-6});
        m_map->setDataRange(QCPRange(-extent, extent));
        return;
    }
    switch (m_rangeMode) {
    case RangeMode::Fixed:
        break;
    case RangeMode::PerHead: {
        const auto [mn, mx] = scanMinMax(currentMap(), size, false);
        lo = std::min(mn, 0.0);
        hi = mx > lo ? mx : lo + 1.0;
        break;
    }
    case RangeMode::Shared: {
        auto [mn, mx] = r.mapsOnDemand() ? std::make_pair(0.0, 0.0) : scanMinMax(r.weights.data(), r.weights.size(), false);
        if (r.mapsOnDemand()) // every head's largest weight was streamed during the forward pass
            for (int l = 0; l < r.layers; ++l)
                for (int h = 0; h < r.heads; ++h)
                    mx = std::max(mx, attn::HeadStatistics::forHead(r, l, h).maxWeight);
        lo = std::min(mn, 0.0);
        hi = mx > lo ? mx : lo + 1.0;
        break;
    }
    case RangeMode::Log: {
        const auto [mn, mx] = scanMinMax(currentMap(), size, true);
        lo = std::max(mn, 1e-9);
        hi = mx > lo ? mx : lo * 10.0;
        m_scale->setDataScaleType(QCPAxis::stLogarithmic);
        break;
    }
    }
    m_map->setDataRange(QCPRange(lo, hi));
}

double HeatmapView::cellValue(int query, int key) const
{
    if (!m_lod)
        return m_map->data()->cell(key, query);
    const auto& r = *m_computation->result;
    if (r.isMasked(query, key) && !m_other)
        return std::numeric_limits<double>::quiet_NaN();
    if (m_fromQk)
        return r.weightAt(m_layer, m_head, query, key);
    if (!currentMap())
        return std::numeric_limits<double>::quiet_NaN();
    return currentMap()[static_cast<size_t>(query) * r.keyCount + key];
}

const float* HeatmapView::engineLod() const
{
    // Only the engine's plain weights have it: not a mean of heads, not a difference.
    if (!m_computation || m_other || m_head == kMeanHead)
        return nullptr;
    const auto& r = *m_computation->result;
    if (r.lodBlock < 1)
        return nullptr;
    const size_t cells = static_cast<size_t>((r.queryCount + r.lodBlock - 1) / r.lodBlock) *
                         static_cast<size_t>((r.keyCount + r.lodBlock - 1) / r.lodBlock);
    const size_t head = static_cast<size_t>(m_layer) * r.heads + m_head;
    if (r.lodMax.size() < (head + 1) * cells || r.headMinWeight.size() <= head)
        return nullptr;
    return &r.lodMax[head * cells];
}

QSize HeatmapView::plotDataSize() const { return QSize(m_map->data()->keySize(), m_map->data()->valueSize()); }

void HeatmapView::updateLevelOfDetail()
{
    if (!m_computation || !m_lod || (!currentMap() && !m_fromQk))
        return;
    const auto& r = *m_computation->result;
    const QCPRange xr = m_plot->xAxis->range(), yr = m_plot->yAxis->range();
    const int x0 = std::clamp(static_cast<int>(std::floor(xr.lower + 0.5)), 0, r.keyCount - 1);
    const int x1 = std::clamp(static_cast<int>(std::ceil(xr.upper + 0.5)), x0 + 1, r.keyCount);
    const int y0 = std::clamp(static_cast<int>(std::floor(yr.lower + 0.5)), 0, r.queryCount - 1);
    const int y1 = std::clamp(static_cast<int>(std::ceil(yr.upper + 0.5)), y0 + 1, r.queryCount);
    const QRect area = m_plot->axisRect()->rect();
    // At least 1024 cells per side, so an export drawn larger than the window is still sharp.
    int outCols = std::min(x1 - x0, std::clamp(area.width(), 1024, 2048));
    int outRows = std::min(y1 - y0, std::clamp(area.height(), 1024, 2048));
    const bool whole = x0 == 0 && y0 == 0 && x1 == r.keyCount && y1 == r.queryCount;
    std::pair<float, float> minMax;
    std::vector<float> pooled;
    // The whole map from the engine's block maxima (B x B cells each): k x k blocks per image
    // cell, k the smallest that fits the size asked for. Each cell is still the exact maximum of
    // the map cells it covers, and nothing reads the map itself (1 GiB at N = 16 384). Not when
    // whole blocks would leave fewer than 1024 cells per side (then the map is pooled itself).
    const float* lod = whole ? engineLod() : nullptr;
    const int lodRows = lod ? (r.queryCount + r.lodBlock - 1) / r.lodBlock : 0;
    const int lodCols = lod ? (r.keyCount + r.lodBlock - 1) / r.lodBlock : 0;
    const int kr = lod ? (lodRows + outRows - 1) / outRows : 1, kc = lod ? (lodCols + outCols - 1) / outCols : 1;
    if (lod && std::min((lodRows + kr - 1) / kr, (lodCols + kc - 1) / kc) < std::min(1024, std::min(lodRows, lodCols)))
        lod = nullptr;
    if (lod) {
        outRows = (lodRows + kr - 1) / kr;
        outCols = (lodCols + kc - 1) / kc;
        pooled = attn::MapDownsampler::maxPoolRegion(lod, lodCols, 0, lodRows, 0, lodCols, outRows, outCols, &minMax);
        minMax.first = r.headMinWeight[static_cast<size_t>(m_layer) * r.heads + m_head];
    } else if (whole && m_wholePooled && m_wholePooled->map == currentMap() && m_wholePooled->rows == outRows
               && m_wholePooled->cols == outCols) {
        if (m_wholePooled->cells) {
            // Made by the worker beside the map, already as the plot's cells: the plot takes them.
            m_wholeMinMax = m_wholePooled->minMax;
            m_map->setData(m_wholePooled->cells.release(), false);
            return;
        }
        pooled = m_wholePooled->data; // made by the worker beside the map (same call, same cells)
        minMax = m_wholePooled->minMax;
    } else if (m_fromQk) {
        requestRegion(x0, x1, y0, y1, outRows, outCols); // the plot keeps the image it has until then
        return;
    } else {
        pooled = attn::MapDownsampler::maxPoolRegion(
            currentMap(), r.keyCount, y0, y1, x0, x1, outRows, outCols, whole ? &minMax : nullptr);
    }
    if (whole)
        m_wholeMinMax = minMax;
    fillCells(*m_map->data(), pooled, outRows, outCols, x0, x1, y0, y1, r, m_other != nullptr);
}

void HeatmapView::fillCells(QCPColorMapData& cells, const std::vector<float>& pooled, int rows, int cols, int x0, int x1,
    int y0, int y1, const attn::AttentionResult& r, bool keepMasked)
{
    cells.setSize(cols, rows);
    const double w = static_cast<double>(x1 - x0) / cols, h = static_cast<double>(y1 - y0) / rows;
    cells.setRange(QCPRange(x0 - 0.5 + w / 2, x1 - 0.5 - w / 2), QCPRange(y0 - 0.5 + h / 2, y1 - 0.5 - h / 2));
    const bool exact = cols == x1 - x0 && rows == y1 - y0;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) {
            const double v = pooled[static_cast<size_t>(i) * cols + j];
            // Cell by cell (zoomed in far enough) masked cells keep their colour.
            cells.setCell(j, i, exact && !keepMasked && r.isMasked(y0 + i, x0 + j) ? nan : v);
        }
}

void HeatmapView::requestRegion(int x0, int x1, int y0, int y1, int rows, int cols)
{
    const quint64 generation = ++m_regionGeneration;
    m_regionPending = true;
    QPointer<HeatmapView> self(this);
    (void)BackgroundPool::run([self, generation, computation = m_computation, layer = m_layer, head = m_head, x0, x1,
                                  y0, y1, rows, cols] {
        const auto& r = *computation->result;
        const auto image = r.maps->regionImage(layer, head, y0, y1, x0, x1, rows, cols);
        auto cells = std::make_unique<QCPColorMapData>(1, 1, QCPRange(0, 1), QCPRange(0, 1));
        fillCells(*cells, image.cells, image.rows, image.cols, x0, x1, y0, y1, r, false);
        QMetaObject::invokeMethod(
            qApp,
            [self, generation, cells = std::move(cells)]() mutable {
                if (!self || self->m_regionGeneration != generation)
                    return; // the view moved on, or shows another head
                self->m_regionPending = false;
                self->m_map->setData(cells.release(), false);
                self->m_plot->replot(QCustomPlot::rpQueuedReplot);
                emit self->regionReady();
            },
            Qt::QueuedConnection);
    });
}

QString HeatmapView::tooltipText(int i, int j) const
{
    if (!m_computation)
        return {};
    const auto& r = *m_computation->result;
    if (i < 0 || j < 0 || i >= r.queryCount || j >= r.keyCount)
        return {};
    const QString q = QString::fromStdString(r.queryLabels[static_cast<size_t>(i)]);
    const QString k = QString::fromStdString(r.keyLabels[static_cast<size_t>(j)]);
    QString text = QStringLiteral("query %1 “%2” → key %3 “%4”\n").arg(i).arg(q).arg(j).arg(k);
    if (r.isMasked(i, j))
        return text + QStringLiteral("masked (weight 0)");
    const float* map = currentMap();
    if (!map && !m_fromQk)
        return text;
    if (m_other) {
        const auto& o = *m_other->result;
        const int h = std::min(m_head, o.heads - 1);
        const double a = m_head == kMeanHead ? std::nan("") : r.weightAt(m_layer, std::min(m_head, r.heads - 1), i, j);
        const double b = m_head == kMeanHead ? std::nan("") : o.weightAt(m_layer, h, i, j);
        text += QStringLiteral("difference %1").arg(static_cast<double>(map[static_cast<size_t>(i) * r.keyCount + j]), 0, 'g', 7);
        if (m_head != kMeanHead)
            text += QStringLiteral("\nA %1 − B %2").arg(a, 0, 'g', 7).arg(b, 0, 'g', 7);
        return text;
    }
    const float weight = map ? map[static_cast<size_t>(i) * r.keyCount + j] : r.weightAt(m_layer, m_head, i, j);
    text += QStringLiteral("weight %1").arg(static_cast<double>(weight), 0, 'g', 7);
    if (m_head == kMeanHead)
        text += QStringLiteral(" (mean of %1 heads)").arg(r.heads);
    else if (r.hasScores())
        text += QStringLiteral("\nraw score %1").arg(static_cast<double>(r.score(m_layer, m_head, i, j)), 0, 'g', 7);
    return text;
}

std::optional<std::pair<int, int>> HeatmapView::cellAt(const QPoint& pos) const
{
    if (!m_computation || !m_plot->axisRect()->rect().contains(pos))
        return std::nullopt;
    const int key = static_cast<int>(std::lround(m_plot->xAxis->pixelToCoord(pos.x())));
    const int query = static_cast<int>(std::lround(m_plot->yAxis->pixelToCoord(pos.y())));
    const auto& r = *m_computation->result;
    if (query < 0 || key < 0 || query >= r.queryCount || key >= r.keyCount)
        return std::nullopt;
    return std::make_pair(query, key);
}

QPoint HeatmapView::cellCenter(int query, int key) const
{
    return QPoint(qRound(m_plot->xAxis->coordToPixel(key)), qRound(m_plot->yAxis->coordToPixel(query)));
}

void HeatmapView::selectQuery(int query)
{
    if (!m_computation)
        return;
    const auto& r = *m_computation->result;
    m_selectedQuery = query;
    m_selection->setVisible(query >= 0);
    if (query >= 0) {
        m_selection->topLeft->setCoords(-0.5, query - 0.5);
        m_selection->bottomRight->setCoords(r.keyCount - 0.5, query + 0.5);
    }
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapView::zoomIn()
{
    m_plot->xAxis->scaleRange(0.8);
    m_plot->yAxis->scaleRange(0.8);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapView::zoomOut()
{
    m_plot->xAxis->scaleRange(1.25);
    m_plot->yAxis->scaleRange(1.25);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void HeatmapView::resetZoom()
{
    showWholeMap();
    timedReplot();
}

void HeatmapView::showWholeMap()
{
    if (!m_computation)
        return;
    const auto& r = *m_computation->result;
    m_plot->xAxis->setRange(-0.5, r.keyCount - 0.5);
    m_plot->yAxis->setRange(-0.5, r.queryCount - 0.5);
}

void HeatmapView::timedReplot()
{
    QElapsedTimer timer;
    timer.start();
    m_plot->replot();
    m_renderMs = timer.nsecsElapsed() / 1e6;
}

void HeatmapView::onMouseMove(QMouseEvent* event)
{
    const auto cell = cellAt(event->pos());
    if (!cell) {
        QToolTip::hideText();
        return;
    }
    emit cellHovered(cell->first, cell->second);
    QToolTip::showText(event->globalPosition().toPoint(), tooltipText(cell->first, cell->second), m_plot);
}

void HeatmapView::onMousePress(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return;
    if (const auto cell = cellAt(event->pos())) {
        selectQuery(cell->first);
        emit querySelected(cell->first);
    }
}
