#pragma once
// The outcome of a headless command: exit 0 on success, 1 for bad input, 2 for bad usage.
#include <QString>

struct CliError {
    enum Code { None = 0, BadInput = 1, Usage = 2 };
    Code code = None;
    QString message;

    static CliError usage(const QString& m) { return {Usage, m}; }
    static CliError badInput(const QString& m) { return {BadInput, m}; }
    bool failed() const { return code != None; }
};
