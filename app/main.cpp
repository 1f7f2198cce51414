// attnscope: the desktop app by default, headless subcommands (samples, dump) otherwise.
#include "CommandLine.h"
#include "MainWindow.h"

#include <QApplication>
#include <QCoreApplication>

int main(int argc, char* argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);

    if (CommandLine::isHeadless(arguments)) {
        // No display needed: a core application, never a window.
        QCoreApplication app(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("attnscope"));
        return CommandLine::run(arguments);
    }

    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("AttnScope"));
    QApplication::setOrganizationName(QStringLiteral("AttnScope"));
    MainWindow window(arguments.value(1));
    window.show();
    return QApplication::exec();
}
