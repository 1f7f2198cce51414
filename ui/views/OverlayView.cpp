#include "OverlayView.h"

#include "AttentionRollout.h"
#include "HeadStatistics.h"
#include "ImageDecoder.h"

#include <QMouseEvent>
#include <QLinearGradient>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <limits>

namespace {
// Rollout with the core's defaults (mean fusion, no discard), cached for the last result.
std::vector<float> coreRollout(const attn::AttentionResult& r, int, int query)
{
    // Keyed by address and a fingerprint of the weights, so a new result that happens to be
    // allocated where an old one was is not mistaken for it.
    static std::pair<const void*, double> cachedFor{nullptr, 0.0};
    static std::vector<float> cached;
    double fingerprint = static_cast<double>(r.weights.size()) + r.computeMilliseconds;
    const size_t step = std::max<size_t>(1, r.weights.size() / 64);
    for (size_t k = 0; k < r.weights.size(); k += step)
        fingerprint += static_cast<double>(r.weights[k]) * static_cast<double>(k + 1);
    if (cachedFor != std::make_pair(static_cast<const void*>(r.weights.data()), fingerprint)) {
        auto rollout = attn::AttentionRollout::compute(r);
        cached = rollout ? std::move(*rollout) : std::vector<float>();
        cachedFor = {r.weights.data(), fingerprint};
    }
    const int n = r.keyCount;
    if (cached.size() != static_cast<size_t>(n) * n || query < 0 || query >= n)
        return {};
    return std::vector<float>(cached.begin() + static_cast<std::ptrdiff_t>(query) * n,
        cached.begin() + static_cast<std::ptrdiff_t>(query + 1) * n);
}

OverlayView::RolloutProvider& rolloutProvider()
{
    static OverlayView::RolloutProvider provider = coreRollout;
    return provider;
}
constexpr double kCaptionHeight = 26.0;
constexpr double kBarWidth = 70.0;
} // namespace

void OverlayView::setRolloutProvider(RolloutProvider provider) { rolloutProvider() = std::move(provider); }
OverlayView::RolloutProvider OverlayView::defaultRolloutProvider() { return coreRollout; }
bool OverlayView::hasRolloutProvider() { return static_cast<bool>(rolloutProvider()); }

OverlayView::OverlayView(QWidget* parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumSize(200, 160);
}

void OverlayView::setComputation(ComputationPtr computation)
{
    const bool sameGrid = m_computation && computation &&
                          m_computation->result->gridRows == computation->result->gridRows &&
                          m_computation->result->gridCols == computation->result->gridCols;
    m_computation = std::move(computation);
    m_picture = m_computation && m_computation->input.image ? ImageDecoder::toQImage(*m_computation->input.image) : QImage();
    if (!sameGrid)
        m_query = -1;
    m_hover = -1;
    if (m_computation && !isModeAvailable(m_mode, *m_computation->result))
        m_mode = Mode::Query;
    selectQuery(m_query);
}

void OverlayView::setHead(int layer, int head)
{
    m_layer = layer;
    m_head = head;
    update();
}

void OverlayView::setColorMap(const QString& name)
{
    m_colors = ColorMap::byName(name);
    update();
}

void OverlayView::setOpacity(double opacity)
{
    m_opacity = std::clamp(opacity, 0.0, 1.0);
    update();
}

void OverlayView::setGridVisible(bool visible)
{
    m_grid = visible;
    update();
}

void OverlayView::setMode(Mode mode)
{
    m_mode = mode;
    update();
}

bool OverlayView::isModeAvailable(Mode mode, const attn::AttentionResult& r)
{
    switch (mode) {
    case Mode::Query:
    case Mode::Received:
        return r.gridRows > 0;
    case Mode::Spatial:
        return r.gridRows > 0 && r.spatialMap.size() == static_cast<size_t>(r.gridRows) * r.gridCols;
    case Mode::Rollout:
        return r.gridRows > 0 && r.layers > 1 && hasRolloutProvider();
    }
    return false;
}

std::optional<OverlayView::Mode> OverlayView::parseMode(const QString& name)
{
    for (Mode m : {Mode::Query, Mode::Received, Mode::Spatial, Mode::Rollout})
        if (name == modeName(m))
            return m;
    return std::nullopt;
}

QString OverlayView::modeName(Mode mode)
{
    switch (mode) {
    case Mode::Query:
        return QStringLiteral("query");
    case Mode::Received:
        return QStringLiteral("received");
    case Mode::Spatial:
        return QStringLiteral("spatial");
    case Mode::Rollout:
        return QStringLiteral("rollout");
    }
    return {};
}

bool OverlayView::hasGrid() const
{
    if (!m_computation)
        return false;
    const auto& r = *m_computation->result;
    const int cells = r.gridRows * r.gridCols;
    // Up to two tokens before the patches: a ViT's CLS token, DeiT's CLS and distillation tokens.
    return r.gridRows > 0 && r.gridCols > 0 && r.gridPatch > 0 && r.keyCount >= cells && r.keyCount - cells <= 2
           && r.queryCount == r.keyCount;
}

int OverlayView::firstPatch() const
{
    if (!hasGrid())
        return 0;
    const auto& r = *m_computation->result;
    return r.keyCount - r.gridRows * r.gridCols;
}

void OverlayView::selectQuery(int index)
{
    if (!hasGrid()) {
        m_query = -1;
        update();
        return;
    }
    const auto& r = *m_computation->result;
    if (index < 0 || index >= r.queryCount) // a ViT's CLS token, else the centre patch
        index = firstPatch() > 0 ? 0 : std::min(r.queryCount - 1, (r.gridRows / 2) * r.gridCols + r.gridCols / 2);
    m_query = index;
    update();
}

std::vector<float> OverlayView::cellValues() const
{
    if (!hasGrid() || !isModeAvailable(m_mode, *m_computation->result))
        return {};
    const auto& r = *m_computation->result;
    const int n = r.keyCount;
    const int layer = std::clamp(m_layer, 0, r.layers - 1);
    const int first = firstPatch();
    auto patchesOnly = [first](std::vector<float> tokens) {
        if (first > 0 && !tokens.empty())
            tokens.erase(tokens.begin(), tokens.begin() + first); // the CLS token has no place on the picture
        return tokens;
    };
    if (m_mode == Mode::Spatial)
        return r.spatialMap;
    if (m_mode == Mode::Rollout)
        return patchesOnly(rolloutProvider()(r, m_head, std::max(m_query, 0)));
    std::vector<float> mean;
    attn::AttentionResult::HeadMap held;
    const float* map = nullptr;
    if (m_head < 0 || m_head >= r.heads) {
        mean = attn::HeadStatistics::meanOfHeads(r, layer);
        map = mean.empty() ? nullptr : mean.data();
    } else if (auto m = r.headMap(layer, m_head)) {
        held = *m;
        map = held.get();
    }
    if (!map)
        return {};
    std::vector<float> values(static_cast<size_t>(n), 0.0f);
    if (m_mode == Mode::Query) {
        if (m_query < 0 || m_query >= r.queryCount)
            return {};
        std::copy_n(map + static_cast<size_t>(m_query) * n, n, values.begin());
        return patchesOnly(std::move(values));
    }
    for (int i = 0; i < r.queryCount; ++i) { // Received: column sums
        const float* row = map + static_cast<size_t>(i) * n;
        for (int j = 0; j < n; ++j)
            values[j] += row[j];
    }
    return patchesOnly(std::move(values));
}

OverlayView::Layout OverlayView::layoutFor(const QRectF& area) const
{
    Layout l;
    QRectF content = area.adjusted(6, 6, -6, -6);
    if (m_caption) {
        l.caption = QRectF(content.left(), content.top(), content.width(), kCaptionHeight);
        content.setTop(content.top() + kCaptionHeight);
    }
    if (m_colorBar) {
        l.bar = QRectF(content.right() - kBarWidth + 12, content.top() + 8, 16, content.height() - 16);
        content.setRight(content.right() - kBarWidth);
    }
    if (!hasGrid())
        return l;
    const auto& r = *m_computation->result;
    const QSizeF picture = m_picture.isNull() ? QSizeF(r.gridWidth, r.gridHeight) : QSizeF(m_picture.size());
    // The grid's extent in picture pixels: C x P by R x P for the engine's encoders (it may reach
    // past the picture with Pad: fit the union of both); a ViT's grid covers the whole picture
    // it resized to its input size (gridWidth x gridHeight).
    const QSizeF gridSize(r.gridWidth > 0 ? r.gridWidth : r.gridCols * r.gridPatch,
        r.gridHeight > 0 ? r.gridHeight : r.gridRows * r.gridPatch);
    const QSizeF extent(std::max<double>(picture.width(), gridSize.width()), std::max<double>(picture.height(), gridSize.height()));
    l.scale = std::max(1e-6, std::min(content.width() / extent.width(), content.height() / extent.height()));
    const QPointF origin(content.left() + (content.width() - extent.width() * l.scale) / 2.0,
        content.top() + (content.height() - extent.height() * l.scale) / 2.0);
    l.picture = QRectF(origin, picture * l.scale);
    l.grid = QRectF(origin, gridSize * l.scale);
    if (m_colorBar)
        l.bar = QRectF(l.grid.right() + 16, l.grid.top(), 16, l.grid.height());
    return l;
}

QRectF OverlayView::cellRect(int cell, const QRectF& area) const
{
    if (!hasGrid() || cell < 0)
        return {};
    const auto& r = *m_computation->result;
    const Layout l = layoutFor(area);
    const double w = l.grid.width() / r.gridCols, h = l.grid.height() / r.gridRows;
    return QRectF(l.grid.left() + (cell % r.gridCols) * w, l.grid.top() + (cell / r.gridCols) * h, w, h);
}

int OverlayView::cellAt(const QPointF& point, const QRectF& area) const
{
    if (!hasGrid())
        return -1;
    const auto& r = *m_computation->result;
    const QRectF grid = layoutFor(area).grid;
    if (!grid.contains(point))
        return -1;
    const int c = std::clamp(static_cast<int>((point.x() - grid.left()) / grid.width() * r.gridCols), 0, r.gridCols - 1);
    const int row = std::clamp(static_cast<int>((point.y() - grid.top()) / grid.height() * r.gridRows), 0, r.gridRows - 1);
    return row * r.gridCols + c;
}

QString OverlayView::tooltipFor(int cell) const
{
    const auto values = cellValues();
    if (!hasGrid() || cell < 0 || cell >= static_cast<int>(values.size()))
        return {};
    const int cols = m_computation->result->gridCols;
    const QString what = m_mode == Mode::Received ? tr("received") : m_mode == Mode::Spatial ? tr("spatial weight")
                                                                                            : tr("weight");
    QString text = tr("patch %1,%2 — %3 %4")
                       .arg(cell / cols)
                       .arg(cell % cols)
                       .arg(what)
                       .arg(QString::number(static_cast<double>(values[static_cast<size_t>(cell)]), 'f', 5));
    if (m_mode == Mode::Query && m_query >= 0 && m_computation->result->isMasked(m_query, cell + firstPatch()))
        text += tr(" (masked)");
    return text;
}

QString OverlayView::caption() const
{
    if (!hasGrid())
        return {};
    const auto& r = *m_computation->result;
    const QString head = m_head < 0 ? tr("mean of heads") : tr("head %1").arg(m_head);
    const int cell = m_query - firstPatch();
    const QString who = cell < 0 ? (m_query == 0 ? tr("the CLS token") : tr("the distillation token"))
                                 : tr("patch %1,%2").arg(cell / r.gridCols).arg(cell % r.gridCols);
    const QString layer = r.layers > 1 ? tr("layer %1, ").arg(m_layer) : QString();
    switch (m_mode) {
    case Mode::Query:
        return tr("Attention of %1 (%2%3)").arg(who, layer, head);
    case Mode::Received:
        return tr("Attention received by each patch, summed over queries (%1%2)").arg(layer, head);
    case Mode::Spatial:
        return tr("Spatial attention map (seed 003), one weight per patch");
    case Mode::Rollout:
        return tr("Attention rollout to %1 through %2 layers").arg(who).arg(r.layers);
    }
    return {};
}

void OverlayView::paint(QPainter& p, const QRectF& area) const
{
    p.save();
    if (!hasGrid()) {
        p.setPen(QColor(0x55, 0x55, 0x55));
        p.drawText(area, Qt::AlignCenter | Qt::TextWordWrap,
            tr("The overlay shows attention over a picture: open an image (Input ▸ Image)."));
        p.restore();
        return;
    }
    const auto& r = *m_computation->result;
    const Layout l = layoutFor(area);
    if (m_caption) {
        p.setPen(QColor(0x22, 0x22, 0x22));
        p.drawText(l.caption, Qt::AlignLeft | Qt::AlignVCenter, caption());
    }
    if (!m_picture.isNull()) {
        p.setRenderHint(QPainter::SmoothPixmapTransform);
        p.drawImage(l.picture, m_picture);
    } else {
        p.fillRect(l.picture, QColor(0x80, 0x80, 0x80));
    }

    const auto values = cellValues();
    // Weights: colour = w / max w (0 is the bottom of the map). The spatial map is a sigmoid
    // whose values sit close together (0.45..0.56 on the samples): it spans its own [min, max].
    float maxValue = 0.0f;
    float minValue = m_mode == Mode::Spatial ? std::numeric_limits<float>::infinity() : 0.0f;
    for (float v : values)
        if (std::isfinite(v)) {
            maxValue = std::max(maxValue, v);
            minValue = std::min(minValue, v);
        }
    if (!std::isfinite(minValue) || minValue >= maxValue)
        minValue = 0.0f;
    const double cw = l.grid.width() / r.gridCols, ch = l.grid.height() / r.gridRows;
    if (values.size() == static_cast<size_t>(r.gridRows) * r.gridCols) {
        // Patches as rectangles (vectors in SVG/PDF); no antialiasing, so no seams between them.
        p.setRenderHint(QPainter::Antialiasing, false);
        p.setPen(Qt::NoPen);
        const int alpha = static_cast<int>(std::lround(m_opacity * 255.0));
        for (int cell = 0; cell < static_cast<int>(values.size()); ++cell) {
            if (m_mode == Mode::Query && r.isMasked(m_query, cell + firstPatch()))
                continue;
            const double t = maxValue > minValue ? (values[static_cast<size_t>(cell)] - minValue) / (maxValue - minValue) : 0.0;
            QColor c = QColor::fromRgb(m_colors.color(t));
            c.setAlpha(alpha);
            const int row = cell / r.gridCols, col = cell % r.gridCols;
            // Edges from the cell index: neighbours share them exactly.
            const QRectF rect(QPointF(l.grid.left() + col * cw, l.grid.top() + row * ch),
                QPointF(l.grid.left() + (col + 1) * cw, l.grid.top() + (row + 1) * ch));
            p.fillRect(rect, c);
        }
    }
    if (m_grid) {
        p.setRenderHint(QPainter::Antialiasing, true);
        p.setPen(QPen(QColor(255, 255, 255, 140), 0));
        const int step = std::max(1, static_cast<int>(std::ceil(3.0 / std::max(cw, 1e-6))));
        for (int c = 0; c <= r.gridCols; c += step)
            p.drawLine(QPointF(l.grid.left() + c * cw, l.grid.top()), QPointF(l.grid.left() + c * cw, l.grid.bottom()));
        for (int row = 0; row <= r.gridRows; row += step)
            p.drawLine(QPointF(l.grid.left(), l.grid.top() + row * ch), QPointF(l.grid.right(), l.grid.top() + row * ch));
    }
    p.setBrush(Qt::NoBrush);
    const int queryCell = m_query - firstPatch(); // -1: the CLS token, drawn nowhere
    if ((m_mode == Mode::Query || m_mode == Mode::Rollout) && queryCell >= 0 && queryCell < r.gridRows * r.gridCols) {
        const QRectF q(l.grid.left() + (queryCell % r.gridCols) * cw, l.grid.top() + (queryCell / r.gridCols) * ch, cw, ch);
        p.setPen(QPen(Qt::black, 3));
        p.drawRect(q);
        p.setPen(QPen(Qt::white, 1.5));
        p.drawRect(q);
    }
    if (m_hover >= 0 && m_hover < r.keyCount) {
        p.setPen(QPen(QColor(255, 80, 80), 1.5));
        p.drawRect(QRectF(l.grid.left() + (m_hover % r.gridCols) * cw, l.grid.top() + (m_hover / r.gridCols) * ch, cw, ch));
    }
    if (m_colorBar && !l.bar.isEmpty()) {
        QLinearGradient gradient(l.bar.bottomLeft(), l.bar.topLeft());
        for (int i = 0; i <= 16; ++i)
            gradient.setColorAt(i / 16.0, QColor::fromRgb(m_colors.color(i / 16.0)));
        p.fillRect(l.bar, gradient);
        p.setPen(QColor(0x33, 0x33, 0x33));
        p.drawRect(l.bar);
        const QRectF top(l.bar.right() + 4, l.bar.top() - 8, kBarWidth, 16);
        const QRectF bottom(l.bar.right() + 4, l.bar.bottom() - 8, kBarWidth, 16);
        p.drawText(top, Qt::AlignLeft | Qt::AlignVCenter, QString::number(static_cast<double>(maxValue), 'g', 3));
        p.drawText(bottom, Qt::AlignLeft | Qt::AlignVCenter, QString::number(static_cast<double>(minValue), 'g', 3));
    }
    p.restore();
}

void OverlayView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), Qt::white);
    p.setRenderHint(QPainter::Antialiasing);
    paint(p, QRectF(rect()));
}

void OverlayView::mouseMoveEvent(QMouseEvent* event)
{
    const int cell = cellAt(event->position(), QRectF(rect()));
    if (cell != m_hover) {
        m_hover = cell;
        update();
        emit cellHovered(cell);
    }
    if (cell >= 0)
        QToolTip::showText(event->globalPosition().toPoint(), tooltipFor(cell), this);
    else
        QToolTip::hideText();
}

void OverlayView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() != Qt::LeftButton)
        return;
    const int cell = cellAt(event->position(), QRectF(rect()));
    if (cell < 0 || !m_computation || cell + firstPatch() >= m_computation->result->queryCount)
        return;
    selectQuery(cell + firstPatch()); // queries are tokens: a ViT's patches come after its CLS token
    emit querySelected(cell + firstPatch());
}

void OverlayView::leaveEvent(QEvent*)
{
    if (m_hover >= 0) {
        m_hover = -1;
        update();
        emit cellHovered(-1);
    }
}
