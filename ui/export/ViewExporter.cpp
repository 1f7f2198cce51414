#include "ViewExporter.h"

#include "AtomicFileWriter.h"
#include "DiffView.h"
#include "EmbeddingView.h"
#include "HeadGridView.h"
#include "HeatmapView.h"
#include "LinesView.h"
#include "MermaidParser.h"
#include "NpyFile.h"
#include "OverlayView.h"
#include "PipelineDiagram.h"
#include "PipelineView.h"
#include "PngWriter.h"
#include "StageBinder.h"
#include "ResultExport.h"

#include <qcustomplot.h>

#include <QBuffer>
#include <QComboBox>
#include <QFileInfo>
#include <QImage>
#include <QPdfWriter>
#include <QSvgGenerator>

#include <functional>

namespace {
using PaintFn = std::function<void(QCPPainter&, const QRect&)>;

HeatmapView::RangeMode rangeOf(const QString& name)
{
    if (name == QLatin1String("fixed"))
        return HeatmapView::RangeMode::Fixed;
    if (name == QLatin1String("shared"))
        return HeatmapView::RangeMode::Shared;
    if (name == QLatin1String("log"))
        return HeatmapView::RangeMode::Log;
    return HeatmapView::RangeMode::PerHead;
}

QByteArray paintTo(ViewExporter::Format format, const ExportOptions& o, QString* error, const PaintFn& paint)
{
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    const QRect area(0, 0, o.width, o.height);
    switch (format) {
    case ViewExporter::Format::Png: {
        QImage image(o.width, o.height, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::white);
        const int dotsPerMeter = qRound(o.dpi / 0.0254);
        image.setDotsPerMeterX(dotsPerMeter);
        image.setDotsPerMeterY(dotsPerMeter);
        {
            QCPPainter painter(&image);
            painter.setRenderHint(QPainter::Antialiasing);
            paint(painter, area);
        }
        // libpng directly (PngWriter): Qt's writer tries every row filter, most of the export's time.
        const QString problem = PngWriter::write(image, bytes);
        if (!problem.isEmpty()) {
            if (error)
                *error = QStringLiteral("PNG: %1").arg(problem);
            return {};
        }
        break;
    }
    case ViewExporter::Format::Svg: {
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
        svg.setSize(area.size());
        svg.setViewBox(area);
        svg.setResolution(96);
        svg.setTitle(QStringLiteral("AttnScope %1").arg(o.view));
        QCPPainter painter;
        painter.begin(&svg);
        paint(painter, area);
        painter.end();
        break;
    }
    case ViewExporter::Format::Pdf: {
        QPdfWriter pdf(&buffer);
        pdf.setCreator(QStringLiteral("AttnScope"));
        pdf.setTitle(QStringLiteral("AttnScope %1").arg(o.view));
        pdf.setResolution(96);
        pdf.setPageSize(QPageSize(QSizeF(o.width * 72.0 / 96.0, o.height * 72.0 / 96.0), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        QCPPainter painter;
        painter.begin(&pdf);
        paint(painter, area);
        painter.end();
        break;
    }
    case ViewExporter::Format::Unknown:
        break;
    }
    return bytes;
}
} // namespace

ViewExporter::Format ViewExporter::formatOf(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return Format::Png;
    if (suffix == QLatin1String("svg"))
        return Format::Svg;
    if (suffix == QLatin1String("pdf"))
        return Format::Pdf;
    return Format::Unknown;
}

QByteArray ViewExporter::render(Format format, const ComputationPtr& computation, const ComputationPtr& comparison,
    const ExportOptions& o, QString* error)
{
    auto fail = [error](const QString& message) {
        if (error)
            *error = message;
        return QByteArray();
    };
    if (!computation)
        return fail(QStringLiteral("nothing to export: no computation"));
    if (o.width < 16 || o.height < 16 || o.width > 20000 || o.height > 20000)
        return fail(QStringLiteral("the export size %1 x %2 is outside 16..20000 pixels").arg(o.width).arg(o.height));
    const auto& r = *computation->result;
    if (o.head >= r.heads || o.head < -1 || o.layer < 0 || o.layer >= r.layers)
        return fail(QStringLiteral("there is no head %1 in layer %2 (the result has %3 layer(s) of %4 head(s))")
                        .arg(o.head)
                        .arg(o.layer)
                        .arg(r.layers)
                        .arg(r.heads));

    if (o.view == QLatin1String("heatmap")) {
        HeatmapView view;
        view.setComputation(computation);
        view.setHead(o.layer, o.head);
        view.finishMap(); // a long prompt's map: made now, not left to a worker
        view.setColorMap(o.colormap);
        view.setRangeMode(rangeOf(o.range));
        view.setLabelsVisible(o.labels);
        if (!o.colorBar)
            view.setColorScaleVisible(false);
        return paintTo(format, o, error, [&](QCPPainter& p, const QRect& area) {
            view.plot()->toPainter(&p, area.width(), area.height());
        });
    }
    if (o.view == QLatin1String("heads")) {
        HeadGridView view;
        view.setColorMap(o.colormap);
        view.setComputation(computation);
        view.finishTiles(); // a long prompt's tiles: made now, not left to a worker
        view.setCurrent(-100, -100); // no highlight in exports
        return paintTo(format, o, error, [&](QCPPainter& p, const QRect& area) { view.paint(p, area); });
    }
    if (o.view == QLatin1String("lines")) {
        LinesView view;
        view.setComputation(computation);
        view.setLayer(o.layer);
        return paintTo(format, o, error, [&](QCPPainter& p, const QRect& area) { view.paint(p, area); });
    }
    if (o.view == QLatin1String("diff")) {
        if (!comparison)
            return fail(QStringLiteral("the diff view needs a second computation"));
        DiffView view;
        view.setColorMap(o.colormap);
        view.setComputations(computation, comparison);
        view.setHead(o.layer, o.head);
        return paintTo(format, o, error, [&](QCPPainter& p, const QRect& area) { view.render(p, area); });
    }
    if (o.view == QLatin1String("pipeline")) {
        // The given Mermaid source, or the engine's own diagram of this mechanism.
        const std::string source = o.mermaid.isEmpty()
                                       ? attn::PipelineDiagram::fromMechanism(computation->mechanism, r.cross)
                                       : o.mermaid.toStdString();
        auto graph = attn::MermaidParser::parse(source);
        if (!graph)
            return fail(QStringLiteral("the pipeline diagram: %1").arg(QString::fromStdString(graph.error())));
        PipelineView view;
        view.setMarkUnbound(false); // the diagram as written
        view.setSynchronousLayout(true);
        view.setDiagram(*graph, attn::StageBinder::bind(*graph, r.stageNames()));
        return paintTo(format, o, error, [&](QCPPainter& p, const QRect& area) { view.paint(p, area); });
    }
    if (o.view == QLatin1String("qk")) {
        if (o.head < 0)
            return fail(QStringLiteral("the Q/K view shows one head: choose a head, not the mean of heads"));
        EmbeddingView view;
        view.setSynchronous(true);
        view.layoutBox()->setCurrentIndex(o.qkTsne ? 1 : 0);
        view.setColorMap(o.colormap);
        view.setComputation(computation);
        view.setHead(o.layer, o.head);
        view.setFigureDecorations(true, o.labels);
        if (!view.points())
            return fail(QStringLiteral("the Q/K view: %1").arg(view.message()));
        return paintTo(format, o, error, [&](QCPPainter& p, const QRect& area) {
            view.plot()->toPainter(&p, area.width(), area.height());
        });
    }
    if (o.view == QLatin1String("overlay")) {
        if (r.gridRows <= 0)
            return fail(QStringLiteral("the overlay view needs an image input (--image F)"));
        const auto mode = OverlayView::parseMode(o.overlayMode);
        if (!mode)
            return fail(QStringLiteral("unknown overlay mode '%1' (query, received, spatial, rollout)").arg(o.overlayMode));
        if (!OverlayView::isModeAvailable(*mode, r))
            return fail(*mode == OverlayView::Mode::Rollout
                            ? QStringLiteral("the rollout overlay needs several layers and the rollout engine")
                            : QStringLiteral("this computation has no spatial attention map"));
        if (o.query >= r.queryCount)
            return fail(QStringLiteral("there is no query patch %1,%2 in the %3 x %4 grid")
                            .arg(o.query / r.gridCols)
                            .arg(o.query % r.gridCols)
                            .arg(r.gridRows)
                            .arg(r.gridCols));
        OverlayView view;
        view.setComputation(computation);
        view.setHead(o.layer, o.head);
        view.setColorMap(o.colormap);
        view.setMode(*mode);
        view.selectQuery(o.query);
        view.setOpacity(o.opacity);
        view.setGridVisible(o.grid);
        view.setCaptionVisible(o.labels);
        view.setColorBarVisible(o.colorBar);
        return paintTo(format, o, error, [&](QCPPainter& p, const QRect& area) { view.paint(p, QRectF(area)); });
    }
    return fail(QStringLiteral("unknown view '%1' (%2)").arg(o.view, viewNames().join(QStringLiteral(", "))));
}

QString ViewExporter::exportView(
    const QString& path, const ComputationPtr& computation, const ComputationPtr& comparison, const ExportOptions& o)
{
    const Format format = formatOf(path);
    if (format == Format::Unknown)
        return QStringLiteral("'%1': choose a .png, .svg or .pdf file name").arg(path);
    QString error;
    const QByteArray bytes = render(format, computation, comparison, o, &error);
    if (!error.isEmpty())
        return error;
    if (bytes.isEmpty())
        return QStringLiteral("rendering '%1' produced no data").arg(path);
    return AtomicFileWriter::write(path, bytes);
}

uint64_t ViewExporter::matrixNpyBytes(const ComputationPtr& computation)
{
    if (!computation)
        return 0;
    const auto& r = *computation->result;
    const std::vector<int64_t> shape {r.layers, r.heads, r.queryCount, r.keyCount};
    return attn::NpyFile::header(shape).size() + r.allMapsBytes();
}

QString ViewExporter::exportMatrix(
    const QString& path, const ComputationPtr& computation, int layer, int head, const MatrixExportControl* control)
{
    if (!computation)
        return QStringLiteral("nothing to export: no computation");
    const auto& r = *computation->result;
    const QString suffix = QFileInfo(path).suffix().toLower();
    std::string bytes;
    auto cancelled = [control] { return control && control->cancel && control->cancel->load(); };
    const QString cancelMessage = QStringLiteral("export of '%1' cancelled: nothing was written").arg(path);
    if (suffix == QLatin1String("npy")) {
        // Streamed, a tile of rows at a time: a long prompt's maps (made on demand) never sit in memory.
        const uint64_t total = matrixNpyBytes(computation);
        return AtomicFileWriter::writeStreamed(path, [&](const AtomicFileWriter::Sink& sink) -> QString {
            uint64_t written = 0, reported = 0;
            bool stopped = false;
            attn::ResultExport::streamWeightsNpy(r, {}, {}, [&](const char* data, size_t size) {
                if (cancelled()) {
                    stopped = true;
                    return false;
                }
                if (!sink(QByteArrayView(data, static_cast<qsizetype>(size))))
                    return false;
                written += size;
                // About 200 reports over the file, and the last one.
                if (control && control->progress && (written - reported >= total / 200 || written == total)) {
                    control->progress(written, total);
                    reported = written;
                }
                return true;
            });
            return stopped ? cancelMessage : QString();
        });
    }
    if (control && control->progress)
        control->progress(0, 0); // one piece: no steps to report
    if (suffix == QLatin1String("csv")) {
        bytes = attn::ResultExport::weightsCsv(r, layer, std::max(0, std::min(head, r.heads - 1)));
    } else if (suffix == QLatin1String("json")) {
        if (r.mapsOnDemand() && attn::ResultExport::jsonBytes(r) > r.maps->budgetBytes())
            return QStringLiteral("'%1': a JSON export of every map (%2 layers x %3 heads, %4 x %4 tokens) needs about "
                                  "%5 MB, more than the memory budget of %6 MB: export .npy (written head by head) "
                                  "or one head as .csv")
                .arg(path)
                .arg(r.layers)
                .arg(r.heads)
                .arg(r.queryCount)
                .arg(static_cast<double>(attn::ResultExport::jsonBytes(r)) / (1024.0 * 1024.0), 0, 'f', 1)
                .arg(static_cast<double>(r.maps->budgetBytes()) / (1024.0 * 1024.0), 0, 'f', 1);
        bytes = attn::ResultExport::json(r);
    } else {
        return QStringLiteral("'%1': choose a .csv, .npy or .json file name").arg(path);
    }
    if (cancelled())
        return cancelMessage;
    return AtomicFileWriter::write(path, QByteArray::fromStdString(bytes));
}
