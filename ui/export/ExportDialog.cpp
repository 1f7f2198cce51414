#include "ExportDialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

ExportDialog::ExportDialog(const ExportOptions& defaults, QWidget* parent)
    : QDialog(parent)
    , m_defaults(defaults)
{
    setWindowTitle(tr("Export"));
    auto* form = new QFormLayout(this);
    m_what = new QComboBox(this);
    m_what->addItem(tr("Heatmap"), QStringLiteral("heatmap"));
    m_what->addItem(tr("Heads grid"), QStringLiteral("heads"));
    m_what->addItem(tr("Lines"), QStringLiteral("lines"));
    m_what->addItem(tr("Diff"), QStringLiteral("diff"));
    m_what->addItem(tr("Pipeline diagram"), QStringLiteral("pipeline"));
    m_what->addItem(tr("Queries and keys (Q/K)"), QStringLiteral("qk"));
    m_what->addItem(tr("Image overlay"), QStringLiteral("overlay"));
    m_what->addItem(tr("Weights matrix"), QStringLiteral("matrix"));
    m_what->setCurrentIndex(std::max(0, m_what->findData(defaults.view)));
    m_format = new QComboBox(this);
    m_width = new QSpinBox(this);
    m_height = new QSpinBox(this);
    for (QSpinBox* s : {m_width, m_height}) {
        s->setRange(16, 20000);
        s->setSuffix(tr(" px"));
    }
    m_width->setValue(defaults.width);
    m_height->setValue(defaults.height);
    m_dpi = new QSpinBox(this);
    m_dpi->setRange(36, 1200);
    m_dpi->setValue(defaults.dpi);
    m_colorBar = new QCheckBox(tr("Colour bar"), this);
    m_colorBar->setChecked(defaults.colorBar);
    m_labels = new QCheckBox(tr("Token labels"), this);
    m_labels->setChecked(defaults.labels);
    m_heads = new QComboBox(this);
    m_heads->addItem(tr("Current head"));
    m_heads->addItem(tr("Every head, one file each"));
    m_path = new QLineEdit(this);
    auto* browse = new QPushButton(tr("Choose…"), this);
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);
    auto* size = new QHBoxLayout;
    size->addWidget(m_width);
    size->addWidget(m_height);

    form->addRow(tr("Export:"), m_what);
    form->addRow(tr("Format:"), m_format);
    form->addRow(tr("Size:"), size);
    form->addRow(tr("DPI:"), m_dpi);
    form->addRow(QString(), m_colorBar);
    form->addRow(QString(), m_labels);
    form->addRow(tr("Heads:"), m_heads);
    form->addRow(tr("File:"), pathRow);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    form->addRow(buttons);

    auto fillFormats = [this] {
        m_format->clear();
        if (isMatrix())
            m_format->addItems({QStringLiteral("csv"), QStringLiteral("npy"), QStringLiteral("json")});
        else
            m_format->addItems({QStringLiteral("png"), QStringLiteral("svg"), QStringLiteral("pdf")});
        const bool picture = !isMatrix();
        for (QWidget* w : {static_cast<QWidget*>(m_width), static_cast<QWidget*>(m_height), static_cast<QWidget*>(m_dpi),
                 static_cast<QWidget*>(m_colorBar), static_cast<QWidget*>(m_labels)})
            w->setEnabled(picture);
        updateSuffix();
    };
    connect(m_what, &QComboBox::currentIndexChanged, this, fillFormats);
    connect(m_format, &QComboBox::currentIndexChanged, this, &ExportDialog::updateSuffix);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString suffix = m_format->currentText();
        const QString path = QFileDialog::getSaveFileName(this, tr("Export to"), m_path->text(),
            tr("%1 files (*.%2)").arg(suffix.toUpper(), suffix)); // asks before overwriting
        if (!path.isEmpty())
            m_path->setText(path);
    });
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    m_path->setText(QDir::home().filePath(QStringLiteral("attention.png")));
    fillFormats();
}

void ExportDialog::updateSuffix()
{
    const QString suffix = m_format->currentText();
    if (suffix.isEmpty())
        return;
    QFileInfo info(m_path->text());
    m_path->setText(info.dir().filePath(info.completeBaseName() + QLatin1Char('.') + suffix));
}

bool ExportDialog::isMatrix() const { return m_what->currentData().toString() == QLatin1String("matrix"); }

ExportOptions ExportDialog::options() const
{
    ExportOptions o = m_defaults;
    o.view = m_what->currentData().toString();
    o.width = m_width->value();
    o.height = m_height->value();
    o.dpi = m_dpi->value();
    o.colorBar = m_colorBar->isChecked();
    o.labels = m_labels->isChecked();
    return o;
}

QString ExportDialog::path() const { return m_path->text(); }
ExportDialog::Heads ExportDialog::heads() const
{
    return m_heads->currentIndex() == 1 ? Heads::EachHeadOneFile : Heads::Current;
}
