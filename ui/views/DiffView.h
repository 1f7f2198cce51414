#pragma once
// The same input under two mechanism settings side by side, and their difference on a
// diverging colour map (e.g. scaled-dot vs additive, global vs local). A is the window's
// current computation; B is A's mechanism with the score, normaliser and scope chosen here,
// computed by this view's own worker.
#include "Computation.h"
#include "TokenView.h"

#include <QWidget>

class AttentionWorker;
class TokenViewWorker;
class HeatmapView;
class QComboBox;
class QLabel;
class QCPPainter;

class DiffView : public QWidget {
    Q_OBJECT
public:
    explicit DiffView(QWidget* parent = nullptr);

    void setComputation(ComputationPtr a);
    void setHead(int layer, int head);
    void setColorMap(const QString& name);
    // B's mechanism: A's with these fields replaced.
    void setComparison(const attn::Mechanism& b);
    attn::Mechanism comparison() const;
    // Sets B directly (headless export computes it synchronously).
    void setComputations(ComputationPtr a, ComputationPtr b);
    // The default comparison for a mechanism: additive score, or scaled-dot when it is additive.
    static attn::Mechanism defaultComparison(const attn::Mechanism& a);

    HeatmapView* viewA() const { return m_a; }
    HeatmapView* viewB() const { return m_b; }
    HeatmapView* viewDiff() const { return m_diff; }
    AttentionWorker* worker() const { return m_worker; }
    // B gets the same token view as A (dropped tokens, merged words), so A − B lines up.
    void setTokenOptions(const attn::TokenViewOptions& options);
    // Paints A, B and the difference side by side (exports).
    void render(QCPPainter& painter, const QRect& area);

signals:
    void failed(const QString& message);

private:
    void recompute();
    void showB(ComputationPtr b);

    ComputationPtr m_computationA;
    ComputationPtr m_computationB;
    AttentionWorker* m_worker = nullptr;
    TokenViewWorker* m_tokenView = nullptr;
    HeatmapView* m_a = nullptr;
    HeatmapView* m_b = nullptr;
    HeatmapView* m_diff = nullptr;
    QComboBox* m_score = nullptr;
    QComboBox* m_norm = nullptr;
    QComboBox* m_scope = nullptr;
    QLabel* m_status = nullptr;
    bool m_userChose = false;
};
