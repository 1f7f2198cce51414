#pragma once
// The Pipeline tab: a Mermaid source editor beside the diagram (PipelineView). The source is the
// engine's own diagram of the current mechanism (PipelineDiagram, regenerated with each
// computation until edited), a bundled seed diagram, or a user's .mmd file; edits re-render
// 200 ms after typing stops. A syntax error shows under the editor with its line and column,
// the offending line highlighted, and the last good diagram stays. Nodes are bound to the
// current computation's stages (StageBinder); selecting a bound node emits its stage.
#include "Computation.h"
#include "MermaidGraph.h"

#include <QWidget>

#include <optional>

class PipelineView;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTimer;

class PipelinePage : public QWidget {
    Q_OBJECT
public:
    explicit PipelinePage(QWidget* parent = nullptr);

    void setComputation(ComputationPtr computation);

    // Sources. showBundled takes a resource path (":/diagrams/seed000.mmd").
    void showGenerated();
    bool showBundled(const QString& resource);
    bool openFile(const QString& path, QString* error = nullptr);
    // "generated", a resource path, or a file path.
    QString currentSource() const;
    static QStringList bundledDiagrams();

    // The source of the diagram shown (the last text that parsed).
    QString diagramSource() const { return m_lastGoodText; }
    // Parses the editor's text now instead of after the debounce.
    void applyNow();
    QString errorText() const;
    // The parser's warnings shown above the editor (a redefined node, a self-loop, a cycle), or "".
    QString warningText() const;

    PipelineView* view() const { return m_view; }
    QPlainTextEdit* editor() const { return m_editor; }
    QLabel* errorLabel() const { return m_error; }
    QComboBox* sourceBox() const { return m_source; }
    QTimer* debounceTimer() const { return m_debounce; }

signals:
    void stageSelected(const QString& stage);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void applyComputation();
    static constexpr int kDeferTokens = 2000;
    bool m_stale = false; // a long prompt's result arrived while hidden: its diagram is bound when shown
    void sourceChosen(int index);
    void setText(const QString& text);
    void reparse();
    void showSyntaxError(const QString& message);
    void clearSyntaxError();
    void updateStatus();
    std::vector<std::string> stageNames() const;

    ComputationPtr m_computation;
    QComboBox* m_source = nullptr;
    QPushButton* m_open = nullptr;
    QPlainTextEdit* m_editor = nullptr;
    QLabel* m_error = nullptr;
    bool m_showingWarnings = false; // m_error shows warnings, not a syntax error
    QLabel* m_status = nullptr;
    PipelineView* m_view = nullptr;
    QTimer* m_debounce = nullptr;
    QString m_generatedText;
    std::optional<attn::MermaidGraph> m_lastGood;
    QString m_lastGoodText;
    bool m_settingText = false;
};
