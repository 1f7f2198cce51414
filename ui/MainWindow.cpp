#include "MainWindow.h"

#include "AttentionEngine.h"
#include "InputBuilder.h"
#include "SampleCatalog.h"
#include "SampleLibrary.h"

#include <QLabel>
#include <QStatusBar>

MainWindow::MainWindow(const QString& initialInput, QWidget* parent)
    : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("AttnScope"));
    resize(1100, 750);
    m_summary = new QLabel(this);
    m_summary->setAlignment(Qt::AlignCenter);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    setCentralWidget(m_summary);

    const QString name = initialInput.isEmpty() ? QString::fromLatin1(attn::SampleLibrary::defaultSampleName())
                                                : initialInput;
    const auto sample = SampleCatalog::find(name);
    if (!sample) {
        m_summary->setText(QStringLiteral("Unknown sample '%1'").arg(name));
        return;
    }
    auto input = attn::InputBuilder::build(sample->input, sample->mechanism.dim);
    if (!input) {
        m_summary->setText(QString::fromStdString(input.error()));
        return;
    }
    auto result = attn::AttentionEngine::compute(*input, sample->mechanism);
    if (!result) {
        m_summary->setText(QString::fromStdString(result.error()));
        return;
    }
    m_summary->setText(QStringLiteral("%1\n%2 tokens · %3")
                           .arg(QString::fromStdString(sample->title))
                           .arg(result->keyCount)
                           .arg(QString::fromStdString(attn::describe(result->mechanism))));
    statusBar()->showMessage(QStringLiteral("computed in %1 ms").arg(result->computeMilliseconds, 0, 'f', 2));
}
