#include "TokenViewWorker.h"

#include "BackgroundPool.h"

#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

#include <memory>

namespace {

struct Derived {
    ComputationPtr view;
    ComputationPtr rollout;
    QString error;
    bool cancelled = false;
};

ComputationPtr withResult(const Computation& base, attn::AttentionResult result)
{
    auto c = std::make_shared<Computation>();
    c->input = base.input;
    c->mechanism = base.mechanism;
    c->generation = base.generation;
    c->result = std::make_shared<const attn::AttentionResult>(std::move(result));
    return c;
}

Derived deriveViews(ComputationPtr source, attn::TokenViewOptions tokens, std::optional<attn::RolloutOptions> rollout,
    std::shared_ptr<std::atomic<bool>> cancel)
{
    Derived d;
    if (cancel->load()) { // superseded before it began
        d.cancelled = true;
        return d;
    }
    d.view = source;
    if (tokens.any()) {
        auto view = attn::TokenView::apply(*source->result, tokens);
        if (!view) {
            d.error = QString::fromStdString(view.error());
            return d;
        }
        d.view = withResult(*source, std::move(*view));
    }
    if (rollout) {
        const auto& r = *d.view->result;
        attn::ComputeControl control;
        control.cancel = cancel.get();
        auto map = attn::AttentionRollout::compute(r, *rollout, control);
        if (!map && cancel->load()) {
            d.cancelled = true;
            return d;
        }
        if (!map) {
            d.error = QString::fromStdString(map.error());
            return d;
        }
        attn::AttentionResult m;
        m.layers = m.heads = 1;
        m.queryCount = m.keyCount = r.keyCount;
        m.queryLabels = m.keyLabels = m.outputLabels = r.keyLabels;
        m.mechanism = r.mechanism;
        m.mechanism.heads = 1;
        m.mask = r.mask;
        m.weights = std::move(*map);
        m.source = r.source;
        m.tokenIds = r.tokenIds;
        m.specialTokens = r.specialTokens;
        d.rollout = withResult(*d.view, std::move(m));
    }
    return d;
}

} // namespace

TokenViewWorker::TokenViewWorker(QObject* parent)
    : QObject(parent)
{
}

TokenViewWorker::~TokenViewWorker()
{
    if (m_cancel)
        m_cancel->store(true);
}

void TokenViewWorker::setSource(ComputationPtr source)
{
    m_source = std::move(source);
    derive();
}

void TokenViewWorker::setOptions(
    const attn::TokenViewOptions& tokens, const std::optional<attn::RolloutOptions>& rollout)
{
    m_tokens = tokens;
    m_rollout = rollout;
    derive();
}

void TokenViewWorker::derive()
{
    const quint64 generation = ++m_generation;
    if (m_cancel)
        m_cancel->store(true); // whatever is still running is superseded
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    if (!m_source)
        return;
    if (!m_tokens.any() && !m_rollout) {
        emit ready(m_source, nullptr);
        return;
    }
    ++m_running;
    QPointer<TokenViewWorker> self(this);
    auto future = BackgroundPool::run(&deriveViews, m_source, m_tokens, m_rollout, m_cancel);
    future.then(this, [self, generation](Derived d) {
        if (!self)
            return;
        --self->m_running;
        self->m_cancelled += d.cancelled;
        if (generation != self->m_generation || d.cancelled)
            return;
        if (!d.error.isEmpty())
            emit self->failed(d.error);
        emit self->ready(d.view, d.rollout);
    });
}
