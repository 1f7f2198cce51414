#pragma once
// Reads and writes .attnscope session files (the core's SessionFile format) with Qt's files:
// writes are atomic; reading checks that a session's input file still exists.
#include "Session.h"

#include <QString>

#include <optional>

class SessionIo {
public:
    static QString save(const QString& path, const attn::Session& session); // empty on success
    static std::optional<attn::Session> load(const QString& path, QString* error);
    static constexpr qint64 kMaxBytes = 16 * 1024 * 1024;
};
