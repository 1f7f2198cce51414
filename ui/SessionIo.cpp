#include "SessionIo.h"

#include "AtomicFileWriter.h"

#include <QFile>
#include <QFileInfo>

QString SessionIo::save(const QString& path, const attn::Session& session)
{
    return AtomicFileWriter::write(path, QByteArray::fromStdString(attn::SessionFile::serialize(session)));
}

std::optional<attn::Session> SessionIo::load(const QString& path, QString* error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot open '%1': %2").arg(path, file.errorString());
        return std::nullopt;
    }
    if (file.size() > kMaxBytes) {
        *error = QStringLiteral("'%1' is %2 MB, too large for a session").arg(path).arg(file.size() >> 20);
        return std::nullopt;
    }
    auto session = attn::SessionFile::parse(file.readAll().toStdString(), QFileInfo(path).fileName().toStdString());
    if (!session) {
        *error = QString::fromStdString(session.error());
        return std::nullopt;
    }
    for (const std::string& p : {session->input.path, session->input.queryPath}) {
        // A bundled sample's picture is named relative to the resources ("samples/images/x.png").
        const bool usesFile = !p.empty() && !QFileInfo::exists(QStringLiteral(":/") + QString::fromStdString(p));
        if (usesFile && !QFileInfo::exists(QString::fromStdString(p))) {
            *error = QStringLiteral("the session's input file '%1' is gone; the session was not opened")
                         .arg(QString::fromStdString(p));
            return std::nullopt;
        }
    }
    const std::string& model = session->input.modelPath; // a ViT the picture goes through
    if (!model.empty() && !QFileInfo::exists(QString::fromStdString(model))) {
        *error = QStringLiteral("the session's model '%1' is gone; the session was not opened").arg(QString::fromStdString(model));
        return std::nullopt;
    }
    if (session->mechanism.projection == attn::ProjectionKind::File &&
        !QFileInfo::exists(QString::fromStdString(session->mechanism.projectionFile))) {
        *error = QStringLiteral("the session's projection file '%1' is gone")
                     .arg(QString::fromStdString(session->mechanism.projectionFile));
        return std::nullopt;
    }
    return std::move(*session);
}
