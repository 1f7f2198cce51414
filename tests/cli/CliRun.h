#pragma once
// Runs the attnscope executable (ATTNSCOPE_EXE) as the CLI tests do: exit code, stdout and stderr
// as text; a crash or a two-minute hang ends the test run with the command line named.
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QtGlobal>

struct CliRun {
    int code;
    QString out, err;
};

// `environment`: the process environment (default: this test's own).
inline CliRun runAttnscope(const QStringList& args, const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(environment);
    p.start(qEnvironmentVariable("ATTNSCOPE_EXE"), args);
    if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit)
        qFatal("attnscope crashed or hung on %s", qPrintable(args.join(QLatin1Char(' '))));
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}
