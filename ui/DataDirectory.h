#pragma once
// Where AttnScope's installed data lives: the samples, diagrams and the bundled stories260K model
// (share/attnscope/{samples,diagrams,models}). Found through the binary's own location, never the
// source tree, in this order:
//   1. $ATTNSCOPE_DATA_DIR, when set (tests, relocated installs);
//   2. <bin>/../share/attnscope — an installed prefix (/usr, /usr/local, a DESTDIR, a .deb; the
//      relative path comes from CMake's GNUInstallDirs);
//   3. <bin>/share/attnscope — the build tree (CMake links it to resources/ when configuring).
#include <QString>
#include <QStringList>

class DataDirectory {
public:
    // The first candidate that exists; empty when none does.
    static QString root();
    // Every place looked at, in order, for messages ("looked in: ...").
    static QStringList candidates();
    // A path under the data folder ("models/stories260k"); absolute paths are returned unchanged.
    // A relative path that is not there is returned as is, so the message that follows names it.
    static QString resolve(const QString& relative);
    // The bundled stories260K model folder, or empty when the data folder does not hold it.
    static QString bundledModel();
    // The message for a missing data folder: what was searched.
    static QString missingMessage(const QString& what);
};
