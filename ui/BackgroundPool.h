#pragma once
// The thread pool for our own long-running jobs: a forward pass, a long prompt's heads-grid tiles,
// t-SNE, the token view's derivations, diagram layouts, picture decoding. Never
// QThreadPool::globalInstance(): Qt 6.4's raster paint engine splits large fills and image
// conversions across the global pool and waits for them, so a job holding a global thread stalls
// every repaint until it ends (measured with attnscope-gui-bench: a 12.6 s event-loop stall while a
// 4 096-token prompt's tiles were made on two cores).
//
// Jobs run at a lower CPU priority than the GUI thread (nice +kJobNice, and the OpenMP threads a
// job starts inherit it): on two cores a forward and a heads grid's tiles keep both busy, and at
// equal priority the GUI thread waited for a core — measured: a 25 ms burst of work on the GUI
// thread took 63 ms of wall time when a long prompt's result arrived. Call from the GUI thread.
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <functional>
#include <utility>

class BackgroundPool {
public:
    static constexpr int kJobNice = 10;

    static QThreadPool* instance();

    // QtConcurrent::run on this pool, the job's thread lowered to kJobNice first.
    template <typename Function, typename... Args>
    static auto run(Function&& function, Args&&... args)
    {
        return QtConcurrent::run(instance(),
            [function = std::forward<Function>(function), ... args = std::forward<Args>(args)]() mutable {
                lowerThisThread();
                return std::invoke(std::move(function), std::move(args)...);
            });
    }

    // Lowers the calling thread's CPU priority to kJobNice, once per thread (Linux: per-thread nice;
    // threads it creates afterwards, OpenMP's included, inherit it). Never raises it again.
    static void lowerThisThread();
    // The calling thread's nice value (tests).
    static int currentNice();
};
