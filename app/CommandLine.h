#pragma once
// Dispatches `attnscope <subcommand> ...` to the headless commands. The GUI is started by
// main() when the first argument is not a subcommand.
#include <QStringList>

class CommandLine {
public:
    static bool isHeadless(const QStringList& arguments);
    // Subcommands that render (export) need a QApplication on the offscreen platform.
    static bool needsGui(const QStringList& arguments);
    // Runs the subcommand and returns the process exit code (0, 1 bad input, 2 usage).
    static int run(const QStringList& arguments);
    static QString usage();
};
