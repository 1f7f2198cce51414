#pragma once
// Derives what the views show from a finished computation, off the GUI thread when there is work:
// the token view (TokenView: dropped special/sink tokens, merged words) and, in Rollout mode, the
// rollout map as a one-layer, one-head computation for the heatmap. A newer source or option
// change supersedes a running derivation: it is cancelled (a long prompt's rollout, 24 products of
// N x N matrices, stops at its next layer) and its result dropped. With nothing to derive the
// source is passed through at once.
#include "AttentionRollout.h"
#include "Computation.h"
#include "TokenView.h"

#include <QObject>

#include <atomic>
#include <memory>
#include <optional>

class TokenViewWorker : public QObject {
    Q_OBJECT
public:
    explicit TokenViewWorker(QObject* parent = nullptr);
    ~TokenViewWorker() override; // a running derivation is cancelled

    void setSource(ComputationPtr source);
    void setOptions(const attn::TokenViewOptions& tokens, const std::optional<attn::RolloutOptions>& rollout);
    ComputationPtr source() const { return m_source; }
    bool isBusy() const { return m_running > 0; }
    // Derivations that stopped early because a newer one superseded them (tests).
    int cancelledDerivations() const { return m_cancelled; }

signals:
    // view: what every view shows; rollout: the heatmap's map in Rollout mode, else null.
    void ready(ComputationPtr view, ComputationPtr rollout);
    void failed(const QString& message);

private:
    void derive();

    ComputationPtr m_source;
    attn::TokenViewOptions m_tokens;
    std::optional<attn::RolloutOptions> m_rollout;
    quint64 m_generation = 0;
    int m_running = 0;
    int m_cancelled = 0;
    std::shared_ptr<std::atomic<bool>> m_cancel; // the running derivation's

};
