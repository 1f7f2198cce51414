#pragma once
// The heatmap's axes: a token's label at a tick, as many ticks as fit the axis's length in pixels
// for the range in view (so a 4 096-token prompt shows every 100th token whole, and zooming in
// shows every token), at multiples of 1, 2 or 5 × 10^k tokens. Labels longer than 18 characters
// are cut (hover shows them whole).
#include <qcustomplot.h>

#include <QString>
#include <QVector>

#include <string>
#include <vector>

class TokenAxisTicker : public QCPAxisTicker {
public:
    // `axis` is the axis this ticker is set on (its length decides how many labels fit);
    // `spacingPixels` the least distance between two labels along it.
    TokenAxisTicker(const std::vector<std::string>& labels, const QCPAxis* axis, int spacingPixels);

    // The step in tokens between ticks for `range` on an axis `pixels` long (tests).
    static int stepFor(double rangeSize, int pixels, int spacingPixels);

protected:
    double getTickStep(const QCPRange& range) override;
    int getSubTickCount(double tickStep) override;
    QString getTickLabel(double tick, const QLocale& locale, QChar formatChar, int precision) override;
    QVector<double> createTickVector(double tickStep, const QCPRange& range) override;

private:
    QVector<QString> m_labels;
    const QCPAxis* m_axis;
    int m_spacing;
    int m_lastViewport = 0; // the plot's length along this axis when the ticks were last made
};
