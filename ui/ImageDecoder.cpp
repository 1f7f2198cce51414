#include "ImageDecoder.h"

#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QImageReader>
#include <QPainter>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace {
QString fail(const QString& path, const QString& what)
{
    return QStringLiteral("cannot open image '%1': %2").arg(path, what);
}
// The size a PNG, GIF or BMP header states, read directly: Qt reports no size at all for a header
// it rejects (a 0 x 0 PNG), and the message should say what is wrong with it.
QSize statedSize(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QByteArray h = f.read(32);
    auto u8 = [&h](int i) { return static_cast<quint32>(static_cast<unsigned char>(h[i])); };
    if (h.size() >= 24 && h.startsWith("\x89PNG\r\n\x1a\n") && h.mid(12, 4) == "IHDR")
        return QSize(static_cast<int>(u8(16) << 24 | u8(17) << 16 | u8(18) << 8 | u8(19)),
            static_cast<int>(u8(20) << 24 | u8(21) << 16 | u8(22) << 8 | u8(23)));
    if (h.size() >= 10 && (h.startsWith("GIF87a") || h.startsWith("GIF89a")))
        return QSize(static_cast<int>(u8(6) | u8(7) << 8), static_cast<int>(u8(8) | u8(9) << 8));
    return {};
}
} // namespace

QStringList ImageDecoder::supportedFormats()
{
    QStringList formats;
    for (const QByteArray& f : QImageReader::supportedImageFormats()) {
        const QString name = QString::fromLatin1(f).toLower();
        if (name != QLatin1String("svg") && name != QLatin1String("svgz") && !formats.contains(name))
            formats << name; // vector pictures have no pixels to attend over
    }
    formats.sort();
    return formats;
}

QStringList ImageDecoder::fileSuffixes()
{
    const QStringList wanted{QStringLiteral("png"), QStringLiteral("jpg"), QStringLiteral("jpeg"), QStringLiteral("bmp"),
        QStringLiteral("gif"), QStringLiteral("webp"), QStringLiteral("tif"), QStringLiteral("tiff")};
    const QStringList have = supportedFormats();
    QStringList out;
    for (const QString& s : wanted)
        if (have.contains(s) || (s == QLatin1String("jpg") && have.contains(QStringLiteral("jpeg"))) ||
            (s == QLatin1String("tif") && have.contains(QStringLiteral("tiff"))))
            out << s;
    return out;
}

bool ImageDecoder::isImageFile(const QString& path) { return fileSuffixes().contains(QFileInfo(path).suffix().toLower()); }

QSize ImageDecoder::workingSize(const QSize& original)
{
    const int longest = std::max(original.width(), original.height());
    if (longest <= kWorkingSize || longest <= 0)
        return original;
    const double scale = static_cast<double>(kWorkingSize) / longest;
    return QSize(std::max(1, static_cast<int>(std::lround(original.width() * scale))),
        std::max(1, static_cast<int>(std::lround(original.height() * scale))));
}

attn::Expected<attn::ImageBuffer> ImageDecoder::decode(const QString& path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return attn::makeError(fail(path, QStringLiteral("no such file")).toStdString());
    if (info.isDir())
        return attn::makeError(fail(path, QStringLiteral("is a directory")).toStdString());
    if (info.size() == 0)
        return attn::makeError(fail(path, QStringLiteral("file is empty")).toStdString());

    QImageReader::setAllocationLimit(kAllocationLimitMb);
    QImageReader reader(path);
    reader.setDecideFormatFromContent(true); // the bytes decide, not the suffix
    reader.setAutoTransform(true);           // JPEG orientation
    if (!reader.canRead()) {
        if (reader.error() == QImageReader::UnsupportedFormatError || reader.format().isEmpty())
            return attn::makeError(fail(path,
                QStringLiteral("not a supported image format (supported: %1)").arg(supportedFormats().join(QStringLiteral(", "))))
                                       .toStdString());
        return attn::makeError(
            fail(path, QStringLiteral("corrupt or truncated (Qt: %1)").arg(reader.errorString())).toStdString());
    }
    const QSize original = reader.size(); // from the header: nothing decoded yet
    if (original.isValid() && (original.width() == 0 || original.height() == 0))
        return attn::makeError(
            fail(path, QStringLiteral("is %1×%2 pixels").arg(original.width()).arg(original.height())).toStdString());
    if (original.isValid()) {
        const double megapixels = static_cast<double>(original.width()) * original.height() / 1e6;
        if (megapixels > kMaxMegapixels)
            return attn::makeError(fail(path, QStringLiteral("is %1×%2 (%3 megapixels), more than the %4-megapixel limit")
                                                  .arg(original.width())
                                                  .arg(original.height())
                                                  .arg(std::lround(megapixels))
                                                  .arg(kMaxMegapixels))
                                       .toStdString());
        const QSize target = workingSize(original);
        if (target != original)
            reader.setScaledSize(target);
    }
    QImage image = reader.read(); // GIF, WebP, TIFF: the first frame
    if (const QSize stated = statedSize(path); image.isNull() && stated.isValid() && stated.isEmpty())
        return attn::makeError(fail(path, QStringLiteral("is %1×%2 pixels").arg(stated.width()).arg(stated.height())).toStdString());
    if (image.isNull())
        return attn::makeError(
            fail(path, QStringLiteral("corrupt or truncated (Qt: %1)").arg(reader.errorString())).toStdString());
    if (image.width() == 0 || image.height() == 0)
        return attn::makeError(fail(path, QStringLiteral("is %1×%2 pixels").arg(image.width()).arg(image.height())).toStdString());
    // A handler without header sizes: scale after decoding (still bounded by the allocation limit).
    const QSize decoded = original.isValid() ? original : image.size();
    const QSize target = workingSize(decoded);
    if (image.size() != target)
        image = image.scaled(target, Qt::IgnoreAspectRatio, Qt::SmoothTransformation);

    QImage rgb(image.size(), QImage::Format_RGB888);
    if (image.hasAlphaChannel()) {
        rgb.fill(Qt::white);
        QPainter painter(&rgb);
        painter.drawImage(0, 0, image);
    } else {
        rgb = image.convertToFormat(QImage::Format_RGB888);
    }

    attn::ImageBuffer out;
    out.width = rgb.width();
    out.height = rgb.height();
    out.sourceName = info.fileName().toStdString();
    if (decoded != rgb.size()) {
        out.originalWidth = decoded.width();
        out.originalHeight = decoded.height();
    }
    const size_t rowBytes = static_cast<size_t>(out.width) * 3;
    out.rgb.resize(rowBytes * static_cast<size_t>(out.height));
    for (int y = 0; y < out.height; ++y)
        std::memcpy(out.rgb.data() + rowBytes * static_cast<size_t>(y), rgb.constScanLine(y), rowBytes);
    return out;
}

QString ImageDecoder::ensureDecoded(attn::InputSpec& spec)
{
    if (spec.kind != attn::InputKind::Image || spec.image)
        return {};
    if (spec.path.empty())
        return QStringLiteral("no picture: choose an image file");
    auto image = decode(resolvePath(QString::fromStdString(spec.path)));
    if (!image)
        return QString::fromStdString(image.error());
    spec.image = std::make_shared<const attn::ImageBuffer>(std::move(*image));
    return {};
}

QString ImageDecoder::resolvePath(const QString& path)
{
    if (!path.isEmpty() && !path.startsWith(QLatin1Char(':')) && !QFileInfo::exists(path) &&
        QFileInfo::exists(QStringLiteral(":/") + path))
        return QStringLiteral(":/") + path;
    return path;
}

QImage ImageDecoder::toQImage(const attn::ImageBuffer& image)
{
    if (!image.isValid())
        return {};
    QImage view(image.rgb.data(), image.width, image.height, image.width * 3, QImage::Format_RGB888);
    return view.copy();
}
