#include "BackgroundPool.h"

#include <QThread>

#include <algorithm>

QThreadPool* BackgroundPool::instance()
{
    // Enough threads for the jobs that can overlap (a forward, tiles, t-SNE, a layout, a derivation):
    // they are superseded rather than queued, and each parallelises its own work (OpenMP) inside.
    static QThreadPool* pool = [] {
        auto* p = new QThreadPool;
        p->setMaxThreadCount(std::max(6, QThread::idealThreadCount()));
        p->setObjectName(QStringLiteral("AttnScope background jobs"));
        return p;
    }();
    return pool;
}
