#pragma once
// What every exported picture must be, checked from its bytes (shared by the export and pipeline
// tests): a PNG of exactly width x height that is not (nearly) uniform and is compressed; an SVG
// that QSvgRenderer accepts, with a width x height viewBox, the given labels as text, and an
// embedded bitmap exactly when `svgBitmap` (colour maps are bitmaps; lines, diagrams and scatter
// plots pure vectors); a one-page PDF of width x height at 96 dpi (in points). QtTest macros:
// call it from a test function and it returns at the first failure.
#include "ViewExporter.h"

#include <QFile>
#include <QImage>
#include <QRectF>
#include <QSet>
#include <QStringList>
#include <QSvgRenderer>
#include <QtTest>

inline void checkExportedFile(const QString& path, int width, int height, const QStringList& labels, bool svgBitmap)
{
    QFile f(path);
    QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(path));
    const QByteArray bytes = f.readAll();
    switch (ViewExporter::formatOf(path)) {
    case ViewExporter::Format::Png: {
        QImage image;
        QVERIFY(image.loadFromData(bytes, "PNG"));
        QCOMPARE(image.width(), width);
        QCOMPARE(image.height(), height);
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 3)
            for (int x = 0; x < image.width(); x += 3)
                colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() > 8, "the PNG is (nearly) uniform");
        QVERIFY(bytes.size() < width * height * 2); // compressed
        break;
    }
    case ViewExporter::Format::Svg: {
        QSvgRenderer renderer(bytes);
        QVERIFY(renderer.isValid());
        // Sized in mm for 96 dpi (width * 25.4 / 96), drawn in a width x height viewBox.
        QCOMPARE(renderer.viewBoxF(), QRectF(0, 0, width, height));
        const QString text = QString::fromUtf8(bytes);
        QVERIFY(text.contains(QLatin1String("<svg")));
        for (const QString& label : labels)
            QVERIFY2(text.contains(QLatin1String(">") + label.toHtmlEscaped()), qPrintable(QStringLiteral("SVG lacks label ") + label));
        QCOMPARE(text.contains(QLatin1String("<image")), svgBitmap);
        break;
    }
    case ViewExporter::Format::Pdf: {
        QVERIFY(bytes.startsWith("%PDF-"));
        QVERIFY(bytes.contains("/Type /Page\n") || bytes.contains("/Type /Page "));
        QVERIFY(bytes.contains("%%EOF"));
        // Page size in points: width * 72 / 96.
        const QByteArray box = QStringLiteral("/MediaBox [0 0 %1 %2]").arg(width * 72.0 / 96, 0, 'f', 6).arg(height * 72.0 / 96, 0, 'f', 6).toLatin1();
        QVERIFY2(bytes.contains(box), box.constData());
        break;
    }
    default:
        QFAIL("unknown format");
    }
}
