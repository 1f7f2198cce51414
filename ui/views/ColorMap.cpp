#include "ColorMap.h"

#include <qcustomplot.h>

#include <algorithm>

namespace {
QVector<QPair<double, QColor>> evenStops(std::initializer_list<const char*> hex)
{
    QVector<QPair<double, QColor>> stops;
    const int n = static_cast<int>(hex.size());
    int i = 0;
    for (const char* h : hex)
        stops.append({static_cast<double>(i++) / (n - 1), QColor(QLatin1String(h))});
    return stops;
}
} // namespace

ColorMap::ColorMap(QString name, QVector<QPair<double, QColor>> stops)
    : m_name(std::move(name))
    , m_stops(std::move(stops))
{
    m_table.resize(256);
    for (int k = 0; k < 256; ++k) {
        const double t = k / 255.0;
        int s = 0;
        while (s + 2 < m_stops.size() && t > m_stops[s + 1].first)
            ++s;
        const auto& [t0, c0] = m_stops[s];
        const auto& [t1, c1] = m_stops[s + 1];
        const double f = t1 > t0 ? std::clamp((t - t0) / (t1 - t0), 0.0, 1.0) : 0.0;
        m_table[k] = qRgb(qRound(c0.red() + f * (c1.red() - c0.red())), qRound(c0.green() + f * (c1.green() - c0.green())),
            qRound(c0.blue() + f * (c1.blue() - c0.blue())));
    }
}

QStringList ColorMap::names()
{
    return {QStringLiteral("viridis"), QStringLiteral("magma"), QStringLiteral("inferno"), QStringLiteral("cividis"),
        QStringLiteral("grayscale")};
}

bool ColorMap::isKnown(const QString& name) { return names().contains(name); }

ColorMap ColorMap::byName(const QString& name)
{
    if (name == QLatin1String("magma"))
        return ColorMap(name,
            evenStops({"#000004", "#1c1044", "#4f127b", "#812581", "#b5367a", "#e55964", "#fb8761", "#fec287", "#fcfdbf"}));
    if (name == QLatin1String("inferno"))
        return ColorMap(name,
            evenStops({"#000004", "#1f0c48", "#550f6d", "#88226a", "#ba3655", "#e35933", "#f98e09", "#f9cb35", "#fcffa4"}));
    if (name == QLatin1String("cividis"))
        return ColorMap(name,
            evenStops({"#00224e", "#123570", "#3b496c", "#575d6d", "#707173", "#8a8779", "#a69d75", "#c4b56c", "#fee838"}));
    if (name == QLatin1String("grayscale"))
        return ColorMap(name, evenStops({"#ffffff", "#000000"}));
    return ColorMap(QStringLiteral("viridis"),
        evenStops({"#440154", "#472c7a", "#3b518b", "#2c718e", "#21908d", "#27ad81", "#5cc863", "#aadc32", "#fde725"}));
}

ColorMap ColorMap::diverging()
{
    return ColorMap(QStringLiteral("diverging"),
        evenStops({"#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b"}));
}

QCPColorGradient ColorMap::gradient() const
{
    QCPColorGradient g;
    g.clearColorStops();
    for (const auto& [t, c] : m_stops)
        g.setColorStopAt(t, c);
    g.setColorInterpolation(QCPColorGradient::ciRGB);
    g.setLevelCount(256);
    g.setNanHandling(QCPColorGradient::nhNanColor);
    g.setNanColor(maskedColor());
    return g;
}

QRgb ColorMap::color(double t) const
{
    const int k = std::clamp(static_cast<int>(t * 255.0 + 0.5), 0, 255);
    return m_table[k];
}
