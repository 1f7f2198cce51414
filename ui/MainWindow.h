#pragma once
// The composition root of the desktop app: creates the panels and views and connects them.
// (The full window arrives with the GUI issue; for now it shows the default sample's weights.)
#include <QMainWindow>

class QLabel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(const QString& initialInput = {}, QWidget* parent = nullptr);

private:
    QLabel* m_summary = nullptr;
};
