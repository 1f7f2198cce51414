#pragma once
// Writes a whole file atomically (QSaveFile: a temporary file renamed over the target on
// commit), so an export, a dump or a session is either complete or not there at all, and a
// file the user had is never left half-overwritten.
#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <functional>
#include <vector>

class AtomicFileWriter {
public:
    // Returns an empty string on success, else a message naming the file and the reason.
    static QString write(const QString& path, const QByteArray& bytes);
    // The concatenation of `parts`, written one after another without joining them in memory
    // (a dump's header and its N x N weights straight from the result).
    static QString write(const QString& path, const std::vector<QByteArrayView>& parts);
    // Streamed: `produce` hands its bytes to the sink piece by piece (a long prompt's maps, tile by
    // tile) and returns an error message or an empty string; the sink returns false once a write
    // failed. Nothing is left at `path` unless every piece was written and the file committed.
    using Sink = std::function<bool(QByteArrayView)>;
    static QString writeStreamed(const QString& path, const std::function<QString(const Sink&)>& produce);
};
