#pragma once
// An inline, dismissible message strip at the top of the window: errors never open a modal
// dialog and never crash; the last good picture stays visible underneath.
#include <QFrame>

class QLabel;

class ErrorBanner : public QFrame {
    Q_OBJECT
public:
    explicit ErrorBanner(QWidget* parent = nullptr);
    void showError(const QString& message);
    void showInfo(const QString& message);
    void dismiss();
    QString text() const;

private:
    QLabel* m_label = nullptr;
};
