#pragma once
// The Input panel: tabs Text, Sequence, Model (a llama2.c checkpoint file or folder plus a prompt) and
// Image (ImageInputPage). Typing or choosing a file emits inputChanged(); the window debounces and
// recomputes. A picture that cannot be decoded emits failed(message).
#include "InputSpec.h"

#include <QWidget>

class ImageInputPage;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;

class InputPanel : public QWidget {
    Q_OBJECT
public:
    explicit InputPanel(QWidget* parent = nullptr);

    attn::InputSpec spec() const;
    void setSpec(const attn::InputSpec& spec);
    // Opens a file as input by its type: .txt/.md text, .csv/.tsv/.npy sequences, .bin checkpoints,
    // pictures (.png, .jpg, .bmp, .gif, .webp, .tif: decoded off the GUI thread, then inputChanged()).
    bool openFile(const QString& path, QString* error = nullptr);
    static bool isInputFile(const QString& path);
    ImageInputPage* imagePage() const { return m_image; }

signals:
    void inputChanged();
    void failed(const QString& message);

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
    QPushButton* m_bundledModel = nullptr;
    QLabel* m_modelInfo = nullptr; // a GGUF file's architecture, quantisation, parameters, context
    void updateModelInfo();
    QPlainTextEdit* m_prompt = nullptr;
    ImageInputPage* m_image = nullptr;
    QString m_textPath;
    QString m_sequencePath;
};
