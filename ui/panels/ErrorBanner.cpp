#include "ErrorBanner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>

ErrorBanner::ErrorBanner(QWidget* parent)
    : QFrame(parent)
    , m_label(new QLabel(this))
{
    setObjectName(QStringLiteral("ErrorBanner"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 6, 6);
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* close = new QToolButton(this);
    close->setText(QStringLiteral("✕"));
    close->setAutoRaise(true);
    close->setToolTip(tr("Dismiss"));
    layout->addWidget(m_label, 1);
    layout->addWidget(close);
    connect(close, &QToolButton::clicked, this, &ErrorBanner::dismiss);
    hide();
}

void ErrorBanner::showError(const QString& message)
{
    setStyleSheet(QStringLiteral("#ErrorBanner { background: #fdecea; border: 1px solid #f5c2c0; color: #611a15; }"));
    m_label->setText(message);
    show();
}

void ErrorBanner::showInfo(const QString& message)
{
    setStyleSheet(QStringLiteral("#ErrorBanner { background: #e8f1fb; border: 1px solid #b6d4f2; color: #0b3a66; }"));
    m_label->setText(message);
    show();
}

void ErrorBanner::dismiss()
{
    m_label->clear();
    hide();
}

QString ErrorBanner::text() const { return isVisible() ? m_label->text() : QString(); }
