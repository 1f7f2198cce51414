#include "BackgroundPool.h"

#include <QCoreApplication>
#include <QThread>

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>

namespace {
QThreadPool* g_backgroundPool = nullptr;

// Runs when the QCoreApplication is destroyed: the last jobs end (a job still running was cancelled
// by its owner) and every pool thread is joined, so nothing of ours runs under the exit handlers.
void joinBackgroundPool()
{
    QThreadPool* pool = g_backgroundPool;
    g_backgroundPool = nullptr;
    if (!pool)
        return;
    pool->waitForDone();
    delete pool;
}
} // namespace

QThreadPool* BackgroundPool::instance()
{
    // Enough threads for the jobs that can overlap (a forward, tiles, t-SNE, a layout, a derivation):
    // they are superseded rather than queued, and each parallelises its own work (OpenMP) inside.
    if (!g_backgroundPool) {
        g_backgroundPool = new QThreadPool;
        g_backgroundPool->setMaxThreadCount(std::max(6, QThread::idealThreadCount()));
        g_backgroundPool->setObjectName(QStringLiteral("AttnScope background jobs"));
        qAddPostRoutine(joinBackgroundPool);
    }
    return g_backgroundPool;
}

void BackgroundPool::lowerThisThread()
{
    thread_local bool lowered = false;
    if (lowered)
        return;
    lowered = true;
    // Waiting on a job's future can run that job on the waiting thread (Qt takes it back from the
    // queue): never lower the GUI thread.
    if (QCoreApplication::instance() && QThread::currentThread() == QCoreApplication::instance()->thread()) {
        lowered = false;
        return;
    }
    // setpriority() on a thread id sets that thread's nice on Linux; raising one's own nice needs
    // no privilege. A failure leaves the job at normal priority, which is only slower for the GUI.
    const int current = currentNice();
    if (current < kJobNice)
        (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kJobNice);
}

int BackgroundPool::currentNice()
{
    errno = 0;
    return getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
}
