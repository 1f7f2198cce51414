#pragma once
// Runs the core off the GUI thread. request() debounces (150 ms by default); a newer request
// cancels the running computation (the engine checks its cancel flag between heads) and
// results of superseded requests are dropped, so the views only ever see the latest state.
#include "Computation.h"

#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>

class AttentionWorker : public QObject {
    Q_OBJECT
public:
    explicit AttentionWorker(QObject* parent = nullptr);
    ~AttentionWorker() override;

    void setDebounce(int milliseconds) { m_debounce.setInterval(milliseconds); }
    // Schedules a computation after the debounce interval (restarting it).
    void request(const attn::InputSpec& input, const attn::Mechanism& mechanism);
    // Starts at once, without debounce.
    void computeNow(const attn::InputSpec& input, const attn::Mechanism& mechanism);
    void cancel();
    bool isBusy() const { return m_running > 0; }

signals:
    void started();
    void progress(double fraction);
    void finished(ComputationPtr computation);
    void failed(const QString& message);
    void cancelled();

private:
    void start();

    QTimer m_debounce;
    attn::InputSpec m_input;
    attn::Mechanism m_mechanism;
    quint64 m_generation = 0;
    int m_running = 0;
    std::shared_ptr<std::atomic<bool>> m_cancel;
};
