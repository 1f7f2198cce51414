#pragma once
// Renders a view to PNG (raster at the requested size), SVG or PDF (vector; the colour map
// itself is a bitmap inside them) and writes it atomically. The GUI's Export dialog and the
// headless `attnscope export` share this one path.
#include "Computation.h"
#include "ExportOptions.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

class ViewExporter {
public:
    enum class Format { Png, Svg, Pdf, Unknown };
    static Format formatOf(const QString& path);
    static QStringList viewNames()
    {
        return {QStringLiteral("heatmap"), QStringLiteral("heads"), QStringLiteral("lines"), QStringLiteral("diff"),
            QStringLiteral("pipeline"), QStringLiteral("qk"), QStringLiteral("overlay")};
    }

    // `comparison` is mechanism B's computation for the diff view (ignored otherwise).
    // Returns an empty string on success, else the error.
    static QString exportView(const QString& path, const ComputationPtr& computation, const ComputationPtr& comparison,
        const ExportOptions& options);
    // The weights of one head (-1: every head for NPY/JSON) as CSV, NPY or JSON by extension.
    static QString exportMatrix(const QString& path, const ComputationPtr& computation, int layer, int head);
    static QByteArray render(Format format, const ComputationPtr& computation, const ComputationPtr& comparison,
        const ExportOptions& options, QString* error = nullptr);
};
