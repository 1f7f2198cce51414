#pragma once
// Colour maps for attention weights, built from colour stops (QCustomPlot 2.1 has no viridis):
// viridis (default), magma, inferno, cividis (matplotlib's perceptually uniform maps, sampled at
// nine stops) and grayscale, plus a diverging blue-white-red map for differences. One object
// serves both QCustomPlot (gradient()) and our own painters (color(), a 256-entry table).
#include <QColor>
#include <QString>
#include <QStringList>
#include <QVector>

class QCPColorGradient;

class ColorMap {
public:
    static ColorMap byName(const QString& name); // unknown names give viridis
    static QStringList names();                  // viridis, magma, inferno, cividis, grayscale
    static ColorMap diverging();
    static bool isKnown(const QString& name);

    const QString& name() const { return m_name; }
    QCPColorGradient gradient() const;
    // t in [0, 1] (clamped) -> colour, from a 256-entry lookup table.
    QRgb color(double t) const;
    // The neutral colour of masked cells: not any colour of the map.
    static QColor maskedColor() { return QColor(0xd9, 0xd9, 0xd9); }

private:
    ColorMap(QString name, QVector<QPair<double, QColor>> stops);
    QString m_name;
    QVector<QPair<double, QColor>> m_stops;
    QVector<QRgb> m_table;
};
