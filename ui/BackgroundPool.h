#pragma once
// The thread pool for our own long-running jobs: a forward pass, a long prompt's heads-grid tiles,
// t-SNE, the token view's derivations, diagram layouts, picture decoding. Never
// QThreadPool::globalInstance(): Qt 6.4's raster paint engine splits large fills and image
// conversions across the global pool and waits for them, so a job holding a global thread stalls
// every repaint until it ends (measured with attnscope-gui-bench: a 12.6 s event-loop stall while a
// 4 096-token prompt's tiles were made on two cores).
#include <QThreadPool>

class BackgroundPool {
public:
    static QThreadPool* instance();
};
