#include "AttentionWorker.h"

#include "AttentionComputer.h"
#include "BackgroundPool.h"
#include "ImageDecoder.h"

#include <QFutureWatcher>
#include <QPointer>
#include <QtConcurrent>

namespace {
struct Outcome {
    ComputationPtr computation;
    QString error;
    bool cancelled = false;
};
} // namespace

AttentionWorker::AttentionWorker(QObject* parent)
    : QObject(parent)
{
    qRegisterMetaType<ComputationPtr>();
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(150);
    connect(&m_debounce, &QTimer::timeout, this, &AttentionWorker::start);
}

AttentionWorker::~AttentionWorker()
{
    if (m_cancel)
        m_cancel->store(true);
    // Tasks hold their own copies of everything they touch; nothing here must outlive us.
    BackgroundPool::instance()->waitForDone();
}

void AttentionWorker::request(const attn::InputSpec& input, const attn::Mechanism& mechanism)
{
    m_input = input;
    m_mechanism = mechanism;
    if (m_cancel)
        m_cancel->store(true); // the running result is stale already
    // ... and must never be shown, even when it finished before it saw the flag: a new
    // generation makes its result one to drop (the picture stays until the new one is done).
    ++m_generation;
    m_debounce.start();
}

void AttentionWorker::computeNow(const attn::InputSpec& input, const attn::Mechanism& mechanism)
{
    m_input = input;
    m_mechanism = mechanism;
    m_debounce.stop();
    start();
}

void AttentionWorker::cancel()
{
    m_debounce.stop();
    if (m_cancel)
        m_cancel->store(true);
    ++m_generation; // whatever is running is now superseded
    emit cancelled();
}

void AttentionWorker::start()
{
    if (m_cancel)
        m_cancel->store(true);
    auto cancelFlag = std::make_shared<std::atomic<bool>>(false);
    m_cancel = cancelFlag;
    const quint64 generation = ++m_generation;
    const attn::Mechanism mechanism = m_mechanism;
    QPointer<AttentionWorker> self(this);

    auto task = [input = m_input, mechanism, cancelFlag, generation, self]() mutable -> Outcome {
        // A picture named but not decoded yet (a sample, a session): decode here, off the GUI thread.
        if (const QString error = ImageDecoder::ensureDecoded(input); !error.isEmpty())
            return {nullptr, error, false};
        // Every view reads maps through AttentionResult::headMap / copyRows, so a long prompt on a
        // checkpoint keeps only its queries and keys and each head's map is made when a view asks.
        if (input.kind == attn::InputKind::Model && input.mapCapture == attn::InputSpec::MapCapture::Captured)
            input.mapCapture = attn::InputSpec::MapCapture::Automatic;
        attn::ComputeControl control;
        control.cancel = cancelFlag.get();
        control.progress = [self, generation](double f) {
            QMetaObject::invokeMethod(
                self.data(),
                [self, generation, f] {
                    if (self && self->m_generation == generation)
                        emit self->progress(f);
                },
                Qt::QueuedConnection);
        };
        auto result = attn::AttentionComputer::compute(input, mechanism, control);
        if (!result) {
            if (cancelFlag->load())
                return {nullptr, {}, true};
            return {nullptr, QString::fromStdString(result.error()), false};
        }
        auto c = std::make_shared<Computation>();
        c->input = input;
        c->mechanism = mechanism;
        c->result = std::make_shared<const attn::AttentionResult>(std::move(*result));
        c->generation = generation;
        return {c, {}, false};
    };

    auto* watcher = new QFutureWatcher<Outcome>(this);
    ++m_running;
    connect(watcher, &QFutureWatcher<Outcome>::finished, this, [this, watcher, generation] {
        --m_running;
        const Outcome outcome = watcher->result();
        watcher->deleteLater();
        if (generation != m_generation)
            return; // superseded by a newer request
        if (outcome.cancelled)
            return;
        if (outcome.computation)
            emit finished(outcome.computation);
        else
            emit failed(outcome.error);
    });
    emit started();
    watcher->setFuture(BackgroundPool::run(task));
}
