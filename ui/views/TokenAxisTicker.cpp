#include "TokenAxisTicker.h"

#include <algorithm>
#include <cmath>

TokenAxisTicker::TokenAxisTicker(const std::vector<std::string>& labels, const QCPAxis* axis, int spacingPixels)
    : m_axis(axis)
    , m_spacing(std::max(1, spacingPixels))
{
    m_labels.reserve(static_cast<qsizetype>(labels.size()));
    for (const std::string& l : labels) {
        QString label = QString::fromStdString(l);
        if (label.size() > 18) // long labels (vectors, long words) would crowd the axis
            label = label.left(17) + QStringLiteral("…");
        m_labels.push_back(label);
    }
}

int TokenAxisTicker::stepFor(double rangeSize, int pixels, int spacingPixels)
{
    const int fit = std::max(1, pixels / std::max(1, spacingPixels));
    const double wanted = std::max(1.0, rangeSize / fit);
    // The smallest of 1, 2, 5, 10, 20, 50, … that is at least `wanted`.
    for (long long decade = 1;; decade *= 10)
        for (int m : {1, 2, 5})
            if (static_cast<double>(m * decade) >= wanted - 1e-9)
                return static_cast<int>(std::min<long long>(m * decade, 1'000'000'000));
}

double TokenAxisTicker::getTickStep(const QCPRange& range)
{
    const QCPAxisRect* rect = m_axis ? m_axis->axisRect() : nullptr;
    if (!rect)
        return stepFor(range.size(), 600, m_spacing);
    const bool horizontal = m_axis->orientation() == Qt::Horizontal;
    const QRect viewport = m_axis->parentPlot()->viewport();
    const int length = horizontal ? viewport.width() : viewport.height();
    const int laidOut = horizontal ? rect->width() : rect->height();
    // QCustomPlot makes the ticks before it lays the axis rect out for a new size (a resize, an
    // export drawn at 1600 x 1200): the rect is still the previous layout's, so its margins are
    // taken from that layout and the new length estimated from them.
    int pixels = laidOut;
    if (m_lastViewport > 0 && m_lastViewport != length)
        pixels = length - (m_lastViewport - laidOut);
    else if (laidOut <= 1)
        pixels = length * 7 / 10; // never laid out yet
    m_lastViewport = length;
    return stepFor(range.size(), std::max(1, pixels), m_spacing);
}

int TokenAxisTicker::getSubTickCount(double) { return 0; }

QString TokenAxisTicker::getTickLabel(double tick, const QLocale&, QChar, int)
{
    const long long i = std::llround(tick);
    return i >= 0 && i < m_labels.size() ? m_labels[static_cast<qsizetype>(i)] : QString();
}

QVector<double> TokenAxisTicker::createTickVector(double tickStep, const QCPRange& range)
{
    QVector<double> ticks;
    const double step = std::max(1.0, tickStep);
    const double last = std::min(range.upper, static_cast<double>(m_labels.size() - 1));
    for (double t = std::ceil(std::max(0.0, range.lower) / step) * step; t <= last; t += step)
        ticks.push_back(t);
    return ticks;
}
