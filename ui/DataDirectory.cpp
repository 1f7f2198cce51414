#include "DataDirectory.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

// CMake: share/attnscope relative to bin/ as installed (GNUInstallDirs), normally "../share/attnscope".
#ifndef ATTNSCOPE_DATA_FROM_BIN
#define ATTNSCOPE_DATA_FROM_BIN "../share/attnscope"
#endif

namespace {
const QString kModelFolder = QStringLiteral("models/stories260k");
}

QStringList DataDirectory::candidates()
{
    QStringList out;
    const QString env = qEnvironmentVariable("ATTNSCOPE_DATA_DIR");
    if (!env.isEmpty())
        out << QDir::cleanPath(env);
    const QString bin = QCoreApplication::applicationDirPath();
    if (!bin.isEmpty()) {
        out << QDir::cleanPath(bin + QStringLiteral("/" ATTNSCOPE_DATA_FROM_BIN));
        out << QDir::cleanPath(bin + QStringLiteral("/share/attnscope"));
    }
    return out;
}

QString DataDirectory::root()
{
    for (const QString& dir : candidates())
        if (QFileInfo(dir).isDir())
            return dir;
    return {};
}

QString DataDirectory::resolve(const QString& relative)
{
    if (relative.isEmpty() || QDir::isAbsolutePath(relative))
        return relative;
    const QString base = root();
    if (base.isEmpty())
        return relative;
    const QString path = QDir::cleanPath(base + QLatin1Char('/') + relative);
    return QFileInfo::exists(path) ? path : relative;
}

QString DataDirectory::bundledModel()
{
    const QString base = root();
    if (base.isEmpty())
        return {};
    const QString path = base + QLatin1Char('/') + kModelFolder;
    return QFileInfo(path + QStringLiteral("/stories260K.bin")).isFile() ? path : QString();
}

QString DataDirectory::missingMessage(const QString& what)
{
    return QStringLiteral("%1 is not installed: looked in %2 (set ATTNSCOPE_DATA_DIR to the folder holding models/ and samples/)")
        .arg(what, candidates().join(QStringLiteral(", ")));
}
