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
