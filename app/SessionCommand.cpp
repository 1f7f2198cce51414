#include "SessionCommand.h"

#include "AtomicFileWriter.h"
#include "MechanismOptions.h"
#include "SessionIo.h"
#include "ViewExporter.h"

#include <QCommandLineParser>
#include <QTextStream>

CliError SessionCommand::run(const QStringList& arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Write or check an AttnScope session file."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("session"), QStringLiteral("The subcommand."));
    MechanismOptions::addTo(p);
    p.addOptions({
        {QStringLiteral("out"), QStringLiteral("The session file to write (.attnscope)."), QStringLiteral("FILE")},
        {QStringLiteral("view"), QStringLiteral("heatmap|heads|lines|diff|pipeline|overlay."), QStringLiteral("VIEW")},
        {QStringLiteral("head"), QStringLiteral("The head to show (-1: mean)."), QStringLiteral("H")},
        {QStringLiteral("check"), QStringLiteral("Read a session and report whether it opens."), QStringLiteral("FILE")},
    });
    if (!p.parse(arguments))
        return CliError::usage(p.errorText());
    if (p.isSet(QStringLiteral("help"))) {
        QTextStream(stdout) << p.helpText();
        return {};
    }
    if (p.isSet(QStringLiteral("check"))) {
        QString error;
        const auto session = SessionIo::load(p.value(QStringLiteral("check")), &error);
        if (!session)
            return CliError::badInput(error);
        QTextStream(stdout) << "ok: " << QString::fromLatin1(attn::toString(session->input.kind)) << " input, "
                            << QString::fromStdString(attn::describe(session->mechanism)) << '\n';
        return {};
    }
    const QString out = p.value(QStringLiteral("out"));
    if (out.isEmpty() || !out.endsWith(QLatin1String(".attnscope")))
        return CliError::usage(QStringLiteral("--out F.attnscope is required"));
    attn::Session session;
    if (CliError e = MechanismOptions::read(p, session.input, session.mechanism); e.failed())
        return e;
    if (p.isSet(QStringLiteral("view"))) {
        const QString view = p.value(QStringLiteral("view"));
        if (!ViewExporter::viewNames().contains(view)) // the window's tabs are the exportable views
            return CliError::usage(QStringLiteral("--view: '%1' is not one of %2")
                                       .arg(view, ViewExporter::viewNames().join(QStringLiteral(", "))));
        session.view.view = view.toStdString();
    }
    if (p.isSet(QStringLiteral("head"))) {
        bool ok = false;
        session.view.head = p.value(QStringLiteral("head")).toInt(&ok);
        if (!ok || session.view.head < -1)
            return CliError::usage(QStringLiteral("--head: '%1' is not a head index").arg(p.value(QStringLiteral("head"))));
    }
    if (const QString error = SessionIo::save(out, session); !error.isEmpty())
        return CliError::badInput(error);
    return {};
}
