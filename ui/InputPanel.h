#pragma once
// The Input panel: tabs Text, Sequence and Model (a llama2.c checkpoint file or folder plus a prompt). Typing
// or choosing a file emits inputChanged(); the window debounces and recomputes.
#include "InputSpec.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTabWidget;

class InputPanel : public QWidget {
    Q_OBJECT
public:
    explicit InputPanel(QWidget* parent = nullptr);

    attn::InputSpec spec() const;
    void setSpec(const attn::InputSpec& spec);
    // Opens a file as input by its type: .txt/.md text, .csv/.tsv/.npy sequences, .bin checkpoints.
    bool openFile(const QString& path, QString* error = nullptr);
    static bool isInputFile(const QString& path);

signals:
    void inputChanged();

private:
    void setFile(int tab, const QString& path);

    QTabWidget* m_tabs = nullptr;
    QPlainTextEdit* m_text = nullptr;
    QComboBox* m_tokenizer = nullptr;
    QCheckBox* m_positions = nullptr;
    QLabel* m_textFile = nullptr;
    QPlainTextEdit* m_sequence = nullptr;
    QLineEdit* m_queries = nullptr;
    QLabel* m_sequenceFile = nullptr;
    QLineEdit* m_modelPath = nullptr;
    QPlainTextEdit* m_prompt = nullptr;
    QString m_textPath;
    QString m_sequencePath;
};
