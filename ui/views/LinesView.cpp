#include "LinesView.h"

#include "HeadPalette.h"
#include "TokenFont.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

namespace {
constexpr int kMaxTokens = 512; // beyond this the lines are an unreadable fill
}

LinesView::LinesView(QWidget* parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setMinimumSize(300, 200);
}

void LinesView::setComputation(ComputationPtr computation)
{
    m_computation = std::move(computation);
    if (m_computation && m_layer >= m_computation->result->layers)
        m_layer = 0;
    m_focusSide = m_focusIndex = -1;
    loadLayer();
    update();
}

void LinesView::loadLayer()
{
    m_maps.clear();
    if (!m_computation || std::max(m_computation->result->queryCount, m_computation->result->keyCount) > kMaxTokens)
        return;
    const auto& r = *m_computation->result;
    for (int h = 0; h < r.heads; ++h) {
        auto map = r.headMap(m_layer, h);
        m_maps.push_back(map ? *map : nullptr);
    }
}

float LinesView::weightOf(int head, int i, int j) const
{
    const auto& r = *m_computation->result;
    const float* map = static_cast<size_t>(head) < m_maps.size() ? m_maps[static_cast<size_t>(head)].get() : nullptr;
    return map ? map[static_cast<size_t>(i) * r.keyCount + j] : 0.0f;
}

void LinesView::setLayer(int layer)
{
    const int chosen = m_computation ? std::clamp(layer, 0, m_computation->result->layers - 1) : std::max(layer, 0);
    if (chosen == m_layer && m_computation)
        return; // setComputation loaded this layer's maps
    m_layer = chosen;
    loadLayer();
    update();
}

void LinesView::setHeadEnabled(int head, bool enabled)
{
    if (enabled)
        m_disabled.remove(head);
    else
        m_disabled.insert(head);
    update();
}

void LinesView::setAllHeadsEnabled()
{
    m_disabled.clear();
    update();
}

void LinesView::setThreshold(double threshold)
{
    m_threshold = threshold;
    update();
}

void LinesView::setFocusToken(int side, int index)
{
    m_focusSide = side;
    m_focusIndex = index;
    update();
}

LinesView::Geometry LinesView::geometry(const QRect& area) const
{
    const auto& r = *m_computation->result;
    const int count = std::max(r.queryCount, r.keyCount);
    const int labelWidth = std::min(160, area.width() / 4);
    Geometry g;
    g.count = count;
    g.rowHeight = static_cast<double>(area.height() - 20) / std::max(count, 1);
    g.left = QRect(area.left() + 4, area.top() + 10, labelWidth, area.height() - 20);
    g.right = QRect(area.right() - labelWidth - 4, area.top() + 10, labelWidth, area.height() - 20);
    return g;
}

bool LinesView::lineVisible(int head, int i, int j) const
{
    if (m_disabled.contains(head))
        return false;
    if (m_focusSide == 0 && i != m_focusIndex)
        return false;
    if (m_focusSide == 1 && j != m_focusIndex)
        return false;
    const float w = weightOf(head, i, j);
    return w >= m_threshold && w > 0.0f;
}

int LinesView::visibleLineCount() const
{
    if (!m_computation)
        return 0;
    const auto& r = *m_computation->result;
    if (std::max(r.queryCount, r.keyCount) > kMaxTokens)
        return 0;
    int count = 0;
    for (int h = 0; h < r.heads; ++h)
        for (int i = 0; i < r.queryCount; ++i)
            for (int j = 0; j < r.keyCount; ++j)
                count += lineVisible(h, i, j) ? 1 : 0;
    return count;
}

void LinesView::paint(QPainter& p, const QRect& area) const
{
    p.fillRect(area, Qt::white);
    if (!m_computation) {
        p.drawText(area, Qt::AlignCenter, tr("No attention computed yet"));
        return;
    }
    const auto& r = *m_computation->result;
    if (std::max(r.queryCount, r.keyCount) > kMaxTokens) {
        p.drawText(area, Qt::AlignCenter,
            tr("%1 tokens: too many for the lines view (at most %2); use the heatmap").arg(std::max(r.queryCount, r.keyCount)).arg(kMaxTokens));
        return;
    }
    p.setRenderHint(QPainter::Antialiasing, true);
    const Geometry g = geometry(area);
    const double fontPx = std::clamp(g.rowHeight * 0.7, 4.0, 13.0);
    QFont font = TokenFont::font(9);
    font.setPixelSize(static_cast<int>(fontPx));
    p.setFont(font);
    auto rowY = [&](int index) { return g.left.top() + (index + 0.5) * g.rowHeight; };
    const double x0 = g.left.right() + 6, x1 = g.right.left() - 6;

    for (int h = 0; h < r.heads; ++h) {
        QColor c = HeadPalette::color(h);
        for (int i = 0; i < r.queryCount; ++i)
            for (int j = 0; j < r.keyCount; ++j) {
                if (!lineVisible(h, i, j))
                    continue;
                const double w = std::min(1.0f, weightOf(h, i, j));
                c.setAlphaF(std::clamp(w, 0.03, 1.0));
                p.setPen(QPen(c, 1.0 + 2.0 * w));
                p.drawLine(QPointF(x0, rowY(i)), QPointF(x1, rowY(j)));
            }
    }
    p.setPen(Qt::black);
    for (int i = 0; i < r.queryCount; ++i) {
        QFont f = font;
        f.setBold(m_focusSide == 0 && m_focusIndex == i);
        p.setFont(f);
        p.drawText(QRectF(g.left.left(), rowY(i) - g.rowHeight / 2, g.left.width(), g.rowHeight),
            Qt::AlignRight | Qt::AlignVCenter, QString::fromStdString(r.queryLabels[static_cast<size_t>(i)]));
    }
    for (int j = 0; j < r.keyCount; ++j) {
        QFont f = font;
        f.setBold(m_focusSide == 1 && m_focusIndex == j);
        p.setFont(f);
        p.drawText(QRectF(g.right.left(), rowY(j) - g.rowHeight / 2, g.right.width(), g.rowHeight),
            Qt::AlignLeft | Qt::AlignVCenter, QString::fromStdString(r.keyLabels[static_cast<size_t>(j)]));
    }
}

void LinesView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    paint(p, rect());
}

void LinesView::mouseMoveEvent(QMouseEvent* event)
{
    if (!m_computation)
        return;
    const Geometry g = geometry(rect());
    const QPoint pos = event->pos();
    const int index = static_cast<int>((pos.y() - g.left.top()) / std::max(g.rowHeight, 1e-9));
    const auto& r = *m_computation->result;
    int side = -1, focus = -1;
    if (pos.x() <= g.left.right() + 6 && index >= 0 && index < r.queryCount) {
        side = 0;
        focus = index;
    } else if (pos.x() >= g.right.left() - 6 && index >= 0 && index < r.keyCount) {
        side = 1;
        focus = index;
    }
    if (side != m_focusSide || focus != m_focusIndex)
        setFocusToken(side, focus);
}

void LinesView::leaveEvent(QEvent*)
{
    setFocusToken(-1, -1);
}
