#include "GenerationBar.h"

#include "BackgroundPool.h"
#include "ModelRunner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPointer>
#include <QProgressBar>
#include <QToolButton>
#include <QtConcurrent/QtConcurrentRun>

GenerationBar::GenerationBar(QWidget* parent)
    : QWidget(parent)
    , m_prediction(new QLabel(this))
    , m_step(new QToolButton(this))
    , m_back(new QToolButton(this))
    , m_cancel(new QToolButton(this))
    , m_progress(new QProgressBar(this))
{
    m_prediction->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_step->setText(tr("Step ▶"));
    m_step->setToolTip(
        tr("Append the greedy next token to the prompt and recompute (its attention row is selected)"));
    m_back->setText(tr("◀ Back"));
    m_back->setToolTip(tr("Return to the prompt before the last step"));
    m_cancel->setText(tr("Cancel"));
    m_progress->setRange(0, 0);
    m_progress->setMaximumWidth(100);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 0, 4, 0);
    layout->addWidget(m_prediction, 1);
    layout->addWidget(m_progress);
    layout->addWidget(m_cancel);
    layout->addWidget(m_back);
    layout->addWidget(m_step);
    connect(m_step, &QToolButton::clicked, this, &GenerationBar::step);
    connect(m_back, &QToolButton::clicked, this, &GenerationBar::back);
    connect(m_cancel, &QToolButton::clicked, this, &GenerationBar::cancel);
    setBusy(false);
    hide();
}

QString GenerationBar::predictionText() const
{
    return m_prediction->text();
}

void GenerationBar::setComputation(ComputationPtr computation)
{
    m_computation = std::move(computation);
    const bool model = m_computation && m_computation->input.kind == attn::InputKind::Model
        && !m_computation->result->nextToken.empty();
    setVisible(model);
    if (!model) {
        m_history.clear();
        return;
    }
    const auto& r = *m_computation->result;
    m_prediction->setText(tr("Next token: <b>“%1”</b> (p = %2)%3")
                              .arg(QString::fromStdString(r.nextToken).toHtmlEscaped())
                              .arg(static_cast<double>(r.nextTokenProbability), 0, 'f', 3)
                              .arg(m_history.empty() ? QString() : tr(" · step %1").arg(m_history.size())));
    setBusy(false);
}

void GenerationBar::setBusy(bool busy)
{
    m_busy = busy;
    m_progress->setVisible(busy);
    m_cancel->setVisible(busy);
    m_step->setEnabled(!busy && m_computation);
    m_back->setEnabled(!busy && !m_history.empty());
}

void GenerationBar::step()
{
    if (m_busy || !m_computation || m_computation->input.kind != attn::InputKind::Model)
        return;
    const attn::InputSpec spec = m_computation->input;
    m_cancelFlag = std::make_shared<std::atomic<bool>>(false);
    setBusy(true);
    auto flag = m_cancelFlag;
    QPointer<GenerationBar> self(this);
    BackgroundPool::run([spec, flag] {
        attn::ComputeControl control;
        control.cancel = flag.get();
        return attn::ModelRunner::generate(spec.path, spec.text, 1, control);
    }).then(this, [self, spec, flag](attn::Expected<std::vector<attn::GeneratedToken>> tokens) {
        if (!self || flag != self->m_cancelFlag)
            return;
        self->setBusy(false);
        if (flag->load()) // cancelled: nothing changes
            return;
        if (!tokens) {
            emit self->failed(QString::fromStdString(tokens.error()));
            return;
        }
        if (tokens->empty()) {
            emit self->failed(tr("The model ends the text here (its next token is BOS or EOS)."));
            return;
        }
        attn::InputSpec next = spec;
        next.text += tokens->front().piece;
        self->m_history.push_back(spec);
        self->setBusy(true); // until the recomputed result arrives in setComputation
        emit self->stepped(next);
    });
}

void GenerationBar::back()
{
    if (m_busy || m_history.empty())
        return;
    const attn::InputSpec previous = m_history.back();
    m_history.pop_back();
    setBusy(true);
    emit stepped(previous);
}

void GenerationBar::cancel()
{
    if (m_cancelFlag)
        m_cancelFlag->store(true);
    setBusy(false);
}
