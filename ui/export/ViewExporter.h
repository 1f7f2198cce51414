#pragma once
// Renders a view to PNG (raster at the requested size), SVG or PDF (vector; the colour map
// itself is a bitmap inside them) and writes it atomically. The GUI's Export dialog and the
// headless `attnscope export` share this one path.
#include "Computation.h"
#include "ExportOptions.h"

#include <QByteArray>
#include <QImage>
#include <QString>
#include <QStringList>

#include <atomic>
#include <cstdint>
#include <functional>

// What a long matrix export reports and obeys (MatrixExportJob): bytes written of the total, and a
// flag that stops it — the file is then not written at all (a file already there stays as it was).
struct MatrixExportControl {
    const std::atomic<bool>* cancel = nullptr;
    std::function<void(uint64_t written, uint64_t total)> progress;
};

class ExportScene;

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
    // With control: progress as the .npy is streamed, and a cancel flag checked between tiles.
    static QString exportMatrix(const QString& path, const ComputationPtr& computation, int layer, int head,
        const MatrixExportControl* control = nullptr);
    // The bytes exportMatrix writes for an .npy of every map (its header and L x H x N x N floats).
    static uint64_t matrixNpyBytes(const ComputationPtr& computation);
    static QByteArray render(Format format, const ComputationPtr& computation, const ComputationPtr& comparison,
        const ExportOptions& options, QString* error = nullptr);

    // render's steps, for ViewExportJob: a ready scene drawn into a white image of the options' size
    // and dpi (GUI thread), that image as a PNG file's bytes (any thread), or the scene drawn as an
    // SVG or PDF file's bytes (GUI thread).
    static QImage paintImage(ExportScene& scene);
    static QByteArray encodePng(const QImage& image, QString* error = nullptr);
    static QByteArray paintVector(Format format, ExportScene& scene);
};
