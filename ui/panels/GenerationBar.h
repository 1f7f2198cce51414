#pragma once
// Beside the map, for causal language models (a checkpoint result with a next-token prediction):
// the model's most likely next token and its probability, and a step-through of greedy
// generation. Step runs ModelRunner::generate(prompt, 1) on a worker thread (progress and Cancel
// while it runs) and emits stepped(spec) with the token appended to the prompt: the window
// recomputes and selects the new token's row. Back returns to the previous prompt.
#include "Computation.h"

#include <QWidget>

#include <atomic>
#include <memory>
#include <vector>

class QLabel;
class QProgressBar;
class QToolButton;

class GenerationBar : public QWidget {
    Q_OBJECT
public:
    explicit GenerationBar(QWidget* parent = nullptr);

    void setComputation(ComputationPtr computation);
    void step();
    void back();
    void cancel();
    bool isBusy() const { return m_busy; }
    QString predictionText() const;
    int depth() const { return static_cast<int>(m_history.size()); }
    QToolButton* stepButton() const { return m_step; }
    QToolButton* backButton() const { return m_back; }

signals:
    void stepped(const attn::InputSpec& spec);
    void failed(const QString& message);

private:
    void setBusy(bool busy);

    QLabel* m_prediction = nullptr;
    QToolButton* m_step = nullptr;
    QToolButton* m_back = nullptr;
    QToolButton* m_cancel = nullptr;
    QProgressBar* m_progress = nullptr;
    ComputationPtr m_computation;
    std::vector<attn::InputSpec> m_history; // the prompts before each step
    std::shared_ptr<std::atomic<bool>> m_cancelFlag;
    bool m_busy = false;
};
