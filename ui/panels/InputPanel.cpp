#include "InputPanel.h"

#include "DataDirectory.h"
#include "GgufModel.h"
#include "ImageDecoder.h"
#include "ImageInputPage.h"
#include "ModelRunner.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

namespace {
enum Tab { TextTab = 0, SequenceTab = 1, ModelTab = 2, ImageTab = 3 };
constexpr const char* kDefaultPicture = "samples/images/shapes.png"; // what a ViT opened without a picture looks at
constexpr const char* kDefaultPrompt = "Once upon a time, there was a little girl named Lily."; // the Model tab's first prompt

QLabel* fileLabel(QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setWordWrap(true);
    label->setStyleSheet(QStringLiteral("color: #555;"));
    label->hide();
    return label;
}
} // namespace

InputPanel::InputPanel(QWidget* parent)
    : QWidget(parent)
    , m_tabs(new QTabWidget(this))
{
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);

    auto* textPage = new QWidget;
    auto* textLayout = new QVBoxLayout(textPage);
    m_text = new QPlainTextEdit(textPage);
    m_text->setPlaceholderText(tr("Type or paste text…"));
    m_textFile = fileLabel(textPage);
    auto* textOptions = new QFormLayout;
    m_tokenizer = new QComboBox(textPage);
    m_tokenizer->addItem(tr("Words"), QStringLiteral("word"));
    m_tokenizer->addItem(tr("Characters"), QStringLiteral("character"));
    m_positions = new QCheckBox(tr("Add sinusoidal positions"), textPage);
    textOptions->addRow(tr("Tokens:"), m_tokenizer);
    textOptions->addRow(QString(), m_positions);
    auto* openText = new QPushButton(tr("Open text file…"), textPage);
    textLayout->addWidget(m_text, 1);
    textLayout->addWidget(m_textFile);
    textLayout->addLayout(textOptions);
    textLayout->addWidget(openText);
    m_tabs->addTab(textPage, tr("Text"));

    auto* seqPage = new QWidget;
    auto* seqLayout = new QVBoxLayout(seqPage);
    m_sequence = new QPlainTextEdit(seqPage);
    m_sequence->setPlaceholderText(tr("Scalars 1,2,3,4 or vectors 1,2;2,3;3,4"));
    m_sequenceFile = fileLabel(seqPage);
    m_queries = new QLineEdit(seqPage);
    m_queries->setPlaceholderText(tr("optional: queries for cross-attention, e.g. 5,6,7,8"));
    auto* openSeq = new QPushButton(tr("Open CSV / NPY…"), seqPage);
    seqLayout->addWidget(m_sequence, 1);
    seqLayout->addWidget(m_sequenceFile);
    seqLayout->addWidget(new QLabel(tr("Queries (cross-attention):"), seqPage));
    seqLayout->addWidget(m_queries);
    seqLayout->addWidget(openSeq);
    m_tabs->addTab(seqPage, tr("Sequence"));

    auto* modelPage = new QWidget;
    auto* modelLayout = new QVBoxLayout(modelPage);
    m_modelPath = new QLineEdit(modelPage);
    m_modelPath->setPlaceholderText(tr("Checkpoint (llama2.c .bin, Hugging Face .safetensors, GGUF .gguf) or its folder"));
    auto* openModelFile = new QPushButton(tr("Open checkpoint…"), modelPage);
    auto* openModelFolder = new QPushButton(tr("Open folder…"), modelPage);
    // The bundled stories260K (share/attnscope/models): what the tab opens on when no other model is chosen.
    const QString bundledModel = DataDirectory::bundledModel();
    m_bundledModel = new QPushButton(tr("Bundled"), modelPage);
    m_bundledModel->setToolTip(bundledModel.isEmpty()
            ? DataDirectory::missingMessage(tr("The bundled stories260K model"))
            : tr("stories260K: Karpathy's 260K-parameter Llama-2 model trained on TinyStories (MIT), %1").arg(bundledModel));
    m_bundledModel->setEnabled(!bundledModel.isEmpty());
    auto* modelButtons = new QHBoxLayout;
    modelButtons->addWidget(openModelFile);
    modelButtons->addWidget(openModelFolder);
    modelButtons->addWidget(m_bundledModel);
    m_prompt = new QPlainTextEdit(modelPage);
    m_prompt->setPlaceholderText(tr("Prompt (causal LMs get the BOS token first, BERT [CLS] … [SEP])"));
    auto* modelNote = new QLabel(tr("Every layer and head; a long prompt keeps only its queries and keys and makes a head's map "
                                    "when you look at it. The model's next token is shown in the status bar. "
                                    "A vision transformer (ViT) opens in the Image tab, over a picture."), modelPage);
    modelNote->setWordWrap(true);
    if (!bundledModel.isEmpty()) {
        m_modelPath->setText(bundledModel);
        m_prompt->setPlainText(QString::fromLatin1(kDefaultPrompt));
    }
    modelNote->setStyleSheet(QStringLiteral("color: #555;"));
    modelLayout->addWidget(new QLabel(tr("Checkpoint:"), modelPage));
    modelLayout->addWidget(m_modelPath);
    m_modelInfo = new QLabel(modelPage);
    m_modelInfo->setObjectName(QStringLiteral("modelInfo"));
    m_modelInfo->setWordWrap(true);
    m_modelInfo->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_modelInfo->hide();
    modelLayout->addWidget(m_modelInfo);
    modelLayout->addLayout(modelButtons);
    modelLayout->addWidget(new QLabel(tr("Prompt:"), modelPage));
    modelLayout->addWidget(m_prompt, 1);
    modelLayout->addWidget(modelNote);
    m_tabs->addTab(modelPage, tr("Model"));
    m_image = new ImageInputPage;
    m_tabs->addTab(m_image, tr("Image"));
    connect(m_image, &ImageInputPage::changed, this, &InputPanel::inputChanged);
    connect(m_image, &ImageInputPage::failed, this, &InputPanel::failed);
    connect(m_modelPath, &QLineEdit::editingFinished, this, &InputPanel::updateModelInfo);
    connect(m_modelPath, &QLineEdit::editingFinished, this, &InputPanel::inputChanged);
    connect(m_prompt, &QPlainTextEdit::textChanged, this, &InputPanel::inputChanged);
    connect(openModelFile, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open checkpoint"), {}, tr("Checkpoints (*.gguf *.bin *.safetensors *.index.json)"));
        if (!path.isEmpty())
            openFile(path);
    });
    connect(m_bundledModel, &QPushButton::clicked, this, [this] {
        const QString path = DataDirectory::bundledModel();
        if (!path.isEmpty())
            openFile(path);
    });
    connect(openModelFolder, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getExistingDirectory(this, tr("Open model folder"));
        if (!path.isEmpty())
            openFile(path);
    });

    connect(m_text, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_textPath.isEmpty() && m_text->hasFocus())
            setFile(TextTab, {});
        emit inputChanged();
    });
    connect(m_sequence, &QPlainTextEdit::textChanged, this, [this] {
        if (!m_sequencePath.isEmpty() && m_sequence->hasFocus())
            setFile(SequenceTab, {});
        emit inputChanged();
    });
    connect(m_queries, &QLineEdit::textChanged, this, &InputPanel::inputChanged);
    connect(m_tokenizer, &QComboBox::currentIndexChanged, this, &InputPanel::inputChanged);
    connect(m_positions, &QCheckBox::toggled, this, &InputPanel::inputChanged);
    connect(m_tabs, &QTabWidget::currentChanged, this, &InputPanel::inputChanged);
    connect(openText, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open text"), {}, tr("Text (*.txt *.md);;All files (*)"));
        if (!path.isEmpty())
            openFile(path);
    });
    connect(openSeq, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open sequence"), {}, tr("Sequences (*.csv *.tsv *.npy);;All files (*)"));
        if (!path.isEmpty())
            openFile(path);
    });
}

void InputPanel::updateModelInfo()
{
    const QString path = m_modelPath->text().trimmed();
    QString gguf = path;
    if (QFileInfo(path).isDir()) { // a folder holding one .gguf stands for it
        const QStringList files = QDir(path).entryList({ QStringLiteral("*.gguf") }, QDir::Files);
        gguf = files.size() == 1 ? QDir(path).filePath(files.front()) : QString();
    }
    if (!gguf.endsWith(QLatin1String(".gguf"), Qt::CaseInsensitive)) {
        m_modelInfo->hide();
        return;
    }
    const auto summary = attn::GgufModel::inspect(gguf.toStdString());
    if (!summary) {
        m_modelInfo->setText(QString::fromStdString(summary.error()));
        m_modelInfo->setStyleSheet(QStringLiteral("color: #b00020;"));
    } else {
        const attn::GgufSummary& s = *summary;
        m_modelInfo->setText(tr("GGUF v%1%2: %3\nTensors: %4")
                                 .arg(s.version)
                                 .arg(s.name.empty() ? QString() : QStringLiteral(" \u201c%1\u201d").arg(QString::fromStdString(s.name)))
                                 .arg(QString::fromStdString(s.text()), QString::fromStdString(s.tensorTypes)));
        m_modelInfo->setStyleSheet(QStringLiteral("color: #333;"));
    }
    m_modelInfo->show();
}

bool InputPanel::isInputFile(const QString& path)
{
    if (QFileInfo(path).isDir())
        return true; // a model folder
    const QString suffix = QFileInfo(path).suffix().toLower();
    return QStringList{QStringLiteral("txt"), QStringLiteral("md"), QStringLiteral("csv"), QStringLiteral("tsv"),
        QStringLiteral("npy"), QStringLiteral("bin"), QStringLiteral("gguf")}
               .contains(suffix) ||
           ImageDecoder::isImageFile(path);
}

bool InputPanel::openFile(const QString& path, QString* error)
{
    const QFileInfo info(path);
    if (info.isDir() || info.suffix().toLower() == QLatin1String("bin") || info.suffix().toLower() == QLatin1String("gguf")
        || info.suffix().toLower() == QLatin1String("safetensors") || path.endsWith(QLatin1String(".index.json"))) {
        if (info.suffix().toLower() != QLatin1String("bin") && info.suffix().toLower() != QLatin1String("gguf")
            && attn::ModelRunner::visionConfig(path.toStdString()).ok()) {
            // A vision transformer takes pictures: the Image tab runs the picture through it.
            m_image->setModelPath(path, false);
            {
                const QSignalBlocker block(m_tabs);
                m_tabs->setCurrentIndex(ImageTab);
            }
            if (m_image->image() || !m_image->path().isEmpty())
                emit inputChanged();
            else
                m_image->openImage(QString::fromLatin1(kDefaultPicture)); // something to look at; inputChanged() once decoded
            return true;
        }
        {
            const QSignalBlocker block(m_modelPath);
            m_modelPath->setText(path);
        }
        updateModelInfo();
        if (m_prompt->toPlainText().isEmpty()) {
            const QSignalBlocker block(m_prompt);
            m_prompt->setPlainText(QString::fromLatin1(kDefaultPrompt));
        }
        m_tabs->setCurrentIndex(ModelTab);
        emit inputChanged();
        return true;
    }
    if (!info.exists() || !info.isFile()) {
        if (error)
            *error = tr("cannot open '%1': no such file").arg(path);
        return false;
    }
    const QString suffix = info.suffix().toLower();
    if (ImageDecoder::isImageFile(path)) {
        m_image->openImage(path); // inputChanged() once decoded
        {
            const QSignalBlocker block(m_tabs);
            m_tabs->setCurrentIndex(ImageTab);
        }
        return true;
    }
    if (suffix == QLatin1String("csv") || suffix == QLatin1String("tsv") || suffix == QLatin1String("npy"))
        setFile(SequenceTab, path);
    else
        setFile(TextTab, path);
    emit inputChanged();
    return true;
}

void InputPanel::setFile(int tab, const QString& path)
{
    QLabel* label = tab == TextTab ? m_textFile : m_sequenceFile;
    (tab == TextTab ? m_textPath : m_sequencePath) = path;
    label->setVisible(!path.isEmpty());
    label->setText(tr("File: %1 (type in the box to use typed input instead)").arg(QFileInfo(path).fileName()));
    label->setToolTip(path);
    if (!path.isEmpty())
        m_tabs->setCurrentIndex(tab);
}

attn::InputSpec InputPanel::spec() const
{
    attn::InputSpec s;
    s.tokenizer = m_tokenizer->currentData().toString() == QLatin1String("character") ? attn::TokenizerKind::Character
                                                                                      : attn::TokenizerKind::Word;
    s.positions = m_positions->isChecked();
    if (m_tabs->currentIndex() == ModelTab) {
        s.kind = attn::InputKind::Model;
        s.path = m_modelPath->text().trimmed().toStdString();
        s.text = m_prompt->toPlainText().toStdString();
        return s;
    }
    if (m_tabs->currentIndex() == ImageTab) {
        m_image->fill(s);
        return s;
    }
    if (m_tabs->currentIndex() == TextTab) {
        s.kind = m_textPath.isEmpty() ? attn::InputKind::Text : attn::InputKind::TextFile;
        s.text = m_text->toPlainText().toStdString();
        s.path = m_textPath.toStdString();
    } else {
        s.kind = m_sequencePath.isEmpty() ? attn::InputKind::Sequence : attn::InputKind::SequenceFile;
        s.text = m_sequence->toPlainText().toStdString();
        s.path = m_sequencePath.toStdString();
        const QString q = m_queries->text().trimmed();
        if (!q.isEmpty()) {
            s.queryKind = attn::InputKind::Sequence;
            s.queryText = q.toStdString();
        }
    }
    return s;
}

void InputPanel::setSpec(const attn::InputSpec& s)
{
    const QSignalBlocker b1(m_text), b2(m_sequence), b3(m_queries), b4(m_tokenizer), b5(m_positions), b6(m_tabs),
        b7(m_modelPath), b8(m_prompt);
    if (s.kind == attn::InputKind::Model) {
        m_modelPath->setText(QString::fromStdString(s.path));
        updateModelInfo();
        m_prompt->setPlainText(QString::fromStdString(s.text));
        m_tabs->setCurrentIndex(ModelTab);
        return;
    }
    if (s.kind == attn::InputKind::Image) {
        m_image->setSpec(s);
        m_tabs->setCurrentIndex(ImageTab);
        return;
    }
    m_tokenizer->setCurrentIndex(s.tokenizer == attn::TokenizerKind::Character ? 1 : 0);
    m_positions->setChecked(s.positions);
    const bool text = s.kind == attn::InputKind::Text || s.kind == attn::InputKind::TextFile;
    if (text) {
        m_text->setPlainText(QString::fromStdString(s.text));
        setFile(TextTab, s.kind == attn::InputKind::TextFile ? QString::fromStdString(s.path) : QString());
        m_tabs->setCurrentIndex(TextTab);
    } else {
        m_sequence->setPlainText(QString::fromStdString(s.text));
        setFile(SequenceTab, s.kind == attn::InputKind::SequenceFile ? QString::fromStdString(s.path) : QString());
        m_queries->setText(QString::fromStdString(s.queryText));
        m_tabs->setCurrentIndex(SequenceTab);
    }
    if (text)
        m_queries->clear();
}
