// attnscope: the desktop app by default, headless subcommands (samples, dump, export) otherwise.
#include "CommandLine.h"
#include "MallocTuning.h"
#include "AttentionWorker.h"
#include "MainWindow.h"
#include "SampleCatalog.h"
#include "SampleLibrary.h"
#include "TokenFont.h"

#include <QApplication>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QIcon>
#include <QTextStream>
#include <QTimer>

namespace {
void describeApp()
{
    QCoreApplication::setApplicationName(QStringLiteral("AttnScope"));
    QCoreApplication::setOrganizationName(QStringLiteral("AttnScope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ATTNSCOPE_VERSION));
}
} // namespace

int main(int argc, char* argv[])
{
    attn::MallocTuning::useHugePages(argv);
    QElapsedTimer startup;
    startup.start();
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);

    if (CommandLine::isHeadless(arguments)) {
        if (CommandLine::needsGui(arguments)) {
            // Exports draw with widgets: an offscreen GUI application, never a window, no display.
            if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
                qputenv("QT_QPA_PLATFORM", "offscreen");
            QApplication app(argc, argv);
            describeApp();
            return CommandLine::run(arguments);
        }
        QCoreApplication app(argc, argv);
        describeApp();
        return CommandLine::run(arguments);
    }

    QApplication app(argc, argv);
    describeApp();
    // The desktop entry's id (Wayland matches windows to it) and its icon, from the theme once
    // installed, else the copy in the resources.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.attnscope.AttnScope"));
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("io.github.attnscope.AttnScope"),
        QIcon(QStringLiteral(":/icons/io.github.attnscope.AttnScope.svg"))));
    QApplication::setFont(TokenFont::font(QApplication::font().pointSize()));
    const bool startupBenchmark = arguments.contains(QStringLiteral("--startup-benchmark"));
    arguments.removeAll(QStringLiteral("--startup-benchmark"));
    // --view heatmap|heads|lines|diff opens that view (scriptable screenshots).
    QString view;
    if (const int at = arguments.indexOf(QStringLiteral("--view")); at > 0 && at + 1 < arguments.size()) {
        view = arguments.at(at + 1);
        arguments.remove(at, 2);
    }
    MainWindow window;
    if (!view.isEmpty())
        window.showView(view);
    const QString initial = arguments.value(1);
    if (initial.isEmpty() || !QFileInfo::exists(initial))
        window.openSample(initial.isEmpty() ? QString::fromLatin1(attn::SampleLibrary::defaultSampleName()) : initial);
    else
        window.openPath(initial);
    window.show();
    if (startupBenchmark) {
        // Time to the first painted window with the default sample computed and shown.
        QObject::connect(window.worker(), &AttentionWorker::finished, &window, [&] {
            QTimer::singleShot(0, &window, [&] {
                window.repaint();
                QTextStream(stdout) << "startup_ms " << startup.nsecsElapsed() / 1e6 << '\n';
                QApplication::quit();
            });
        });
    }
    return QApplication::exec();
}
