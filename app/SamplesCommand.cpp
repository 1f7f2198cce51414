#include "SamplesCommand.h"

#include "SampleCatalog.h"

#include <QTextStream>

CliError SamplesCommand::run(const QStringList& arguments)
{
    if (arguments.size() > 2)
        return CliError::usage(QStringLiteral("'samples' takes no arguments"));
    if (!SampleCatalog::problems().isEmpty())
        return CliError::badInput(SampleCatalog::problems().join(QLatin1Char('\n')));
    QTextStream out(stdout);
    for (const auto& s : SampleCatalog::all())
        out << QString::fromStdString(s.name) << '\t' << QString::fromStdString(s.kind) << '\t'
            << QString::fromStdString(s.description) << '\n';
    return {};
}
