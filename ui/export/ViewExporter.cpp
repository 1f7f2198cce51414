#include "ViewExporter.h"

#include "AtomicFileWriter.h"
#include "ExportScene.h"
#include "NpyFile.h"
#include "PngWriter.h"
#include "ResultExport.h"

#include <qcustomplot.h>

#include <QBuffer>
#include <QFileInfo>
#include <QImage>
#include <QPdfWriter>
#include <QSvgGenerator>

namespace {
QImage blankImage(const ExportOptions& o)
{
    QImage image(o.width, o.height, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    const int dotsPerMeter = qRound(o.dpi / 0.0254);
    image.setDotsPerMeterX(dotsPerMeter);
    image.setDotsPerMeterY(dotsPerMeter);
    return image;
}
} // namespace

QImage ViewExporter::paintImage(ExportScene& scene)
{
    QImage image = blankImage(scene.options());
    {
        QCPPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        scene.paint(painter, image.rect());
    }
    return image;
}

QByteArray ViewExporter::encodePng(const QImage& image, QString* error)
{
    // libpng directly (PngWriter): Qt's writer tries every row filter, most of the export's time.
    QByteArray bytes;
    const QString problem = PngWriter::write(image, bytes);
    if (!problem.isEmpty()) {
        if (error)
            *error = QStringLiteral("PNG: %1").arg(problem);
        return {};
    }
    return bytes;
}

QByteArray ViewExporter::paintVector(Format format, ExportScene& scene)
{
    const ExportOptions& o = scene.options();
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    const QRect area(0, 0, o.width, o.height);
    if (format == Format::Svg) {
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
        svg.setSize(area.size());
        svg.setViewBox(area);
        svg.setResolution(96);
        svg.setTitle(QStringLiteral("AttnScope %1").arg(o.view));
        QCPPainter painter;
        painter.begin(&svg);
        scene.paint(painter, area);
        painter.end();
    } else if (format == Format::Pdf) {
        QPdfWriter pdf(&buffer);
        pdf.setCreator(QStringLiteral("AttnScope"));
        pdf.setTitle(QStringLiteral("AttnScope %1").arg(o.view));
        pdf.setResolution(96);
        pdf.setPageSize(QPageSize(QSizeF(o.width * 72.0 / 96.0, o.height * 72.0 / 96.0), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        QCPPainter painter;
        painter.begin(&pdf);
        scene.paint(painter, area);
        painter.end();
    }
    return bytes;
}

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
    ExportScene scene(computation, comparison, o);
    scene.finish(); // a long prompt's map or tiles: made now, in this thread
    if (!scene.error().isEmpty()) {
        if (error)
            *error = scene.error();
        return {};
    }
    if (format == Format::Png)
        return encodePng(paintImage(scene), error);
    return paintVector(format, scene);
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
