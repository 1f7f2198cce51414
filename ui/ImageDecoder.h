#pragma once
// Picture files -> attn::ImageBuffer (RGB, 3 bytes per pixel) at the working size, with Qt's image
// plugins (PNG, JPEG, BMP, GIF's first frame; WebP and TIFF with qt6-image-formats-plugins).
//
// Memory: the header's size is read BEFORE any pixel is decoded; pictures over kMaxMegapixels are
// refused, and the rest are decoded to the working size with QImageReader::setScaledSize. The JPEG
// handler scales while decoding (libjpeg's DCT scaling: a 6000 x 4000 photo never exists at full
// size); Qt 6.4's PNG handler decodes one full frame and scales it (measured: +94 MB peak for
// 6000 x 4000), which the megapixel limit and QImageReader's allocation limit bound. The result
// kept is only the working-size RGB buffer.
// The working size keeps the aspect ratio with the longest side at most kWorkingSize:
//   w' = round(w * kWorkingSize / max(w, h)), h' likewise (e.g. 6000 x 4000 -> 1024 x 683).
// Transparent pixels are composited over white.
//
// Errors name the file: "cannot open image 'x': file is empty", "... not a supported image
// format (supported: bmp, gif, ...)", "... corrupt or truncated (Qt: <reason>)", "... is 0×0 pixels",
// "... is 30000×30000 (900 megapixels), more than the 100-megapixel limit".
#include "Expected.h"
#include "ImageBuffer.h"
#include "InputSpec.h"

#include <QSize>
#include <QString>
#include <QStringList>

#include <memory>

class QImage;

class ImageDecoder {
public:
    static constexpr int kWorkingSize = 1024;   // longest side after downscaling, in pixels
    static constexpr int kMaxMegapixels = 100;  // refused above this, from the header alone
    static constexpr int kAllocationLimitMb = 512; // QImageReader's allocation limit while decoding

    static attn::Expected<attn::ImageBuffer> decode(const QString& path);
    // The working size for a picture of `original` pixels.
    static QSize workingSize(const QSize& original);
    // Lower-case format names Qt can read here (png, jpeg, ...), for messages and file dialogs.
    static QStringList supportedFormats();
    // Suffixes for file dialogs and drag and drop: png, jpg, jpeg, bmp, gif, webp, tif, tiff (those Qt reads).
    static QStringList fileSuffixes();
    static bool isImageFile(const QString& path);
    // An input of kind Image without pixels (a sample, a session, the command line): decode its
    // path into spec.image. Returns an empty string on success, else the decoder's message.
    static QString ensureDecoded(attn::InputSpec& spec);
    // A sample names its picture relative to resources/ ("samples/images/x.png"): the bundled copy
    // (":/samples/images/x.png") when no such file exists on disk; else `path` unchanged.
    static QString resolvePath(const QString& path);
    // A view of the buffer as a QImage (deep copy: safe to keep).
    static QImage toQImage(const attn::ImageBuffer& image);
};
