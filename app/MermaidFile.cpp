#include "MermaidFile.h"

#include "MermaidParser.h"

#include <QFile>
#include <QFileInfo>

#include <cstdio>

CliError MermaidFile::load(const QString& path, QString& text, attn::MermaidGraph& graph)
{
    const QFileInfo info(path);
    if (!info.exists())
        return CliError::badInput(QStringLiteral("%1: no such file").arg(path));
    if (info.isDir())
        return CliError::badInput(QStringLiteral("%1: is a directory, not a Mermaid file").arg(path));
    if (info.size() > static_cast<qint64>(attn::MermaidParser::kMaxBytes))
        return CliError::badInput(QStringLiteral("%1: larger than the 1 MiB a diagram may have").arg(path));
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return CliError::badInput(QStringLiteral("%1: cannot be read (%2)").arg(path, f.errorString()));
    const QByteArray bytes = f.readAll();
    auto parsed = attn::MermaidParser::parse(std::string(bytes.constData(), static_cast<size_t>(bytes.size())));
    if (!parsed)
        return CliError::badInput(QStringLiteral("%1: %2").arg(path, QString::fromStdString(parsed.error())));
    for (const std::string& warning : parsed->warnings) // drawn anyway; said so on stderr
        std::fprintf(stderr, "attnscope: warning: %s: %s\n", qPrintable(path), warning.c_str());
    text = QString::fromUtf8(bytes);
    graph = std::move(*parsed);
    return {};
}
