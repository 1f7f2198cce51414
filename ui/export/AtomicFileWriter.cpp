#include "AtomicFileWriter.h"

#include <QFileInfo>
#include <QSaveFile>

QString AtomicFileWriter::write(const QString& path, const QByteArray& bytes)
{
    return write(path, std::vector<QByteArrayView>{QByteArrayView(bytes)});
}

QString AtomicFileWriter::write(const QString& path, const std::vector<QByteArrayView>& parts)
{
    const QFileInfo info(path);
    if (info.isDir())
        return QStringLiteral("cannot write '%1': it is a directory").arg(path);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write '%1': %2").arg(path, file.errorString());
    for (const QByteArrayView part : parts)
        if (file.write(part.data(), part.size()) != part.size()) {
            const QString reason = file.errorString();
            file.cancelWriting();
            return QStringLiteral("cannot write '%1': %2").arg(path, reason);
        }
    if (!file.commit())
        return QStringLiteral("cannot write '%1': %2").arg(path, file.errorString());
    return {};
}

QString AtomicFileWriter::writeStreamed(const QString& path, const std::function<QString(const Sink&)>& produce)
{
    const QFileInfo info(path);
    if (info.isDir())
        return QStringLiteral("cannot write '%1': it is a directory").arg(path);
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write '%1': %2").arg(path, file.errorString());
    QString writeError;
    const Sink sink = [&](QByteArrayView part) {
        if (!writeError.isEmpty())
            return false;
        if (file.write(part.data(), part.size()) != part.size()) {
            writeError = file.errorString();
            return false;
        }
        return true;
    };
    const QString produced = produce(sink);
    if (!writeError.isEmpty() || !produced.isEmpty()) {
        file.cancelWriting();
        return writeError.isEmpty() ? produced : QStringLiteral("cannot write '%1': %2").arg(path, writeError);
    }
    if (!file.commit())
        return QStringLiteral("cannot write '%1': %2").arg(path, file.errorString());
    return {};
}
