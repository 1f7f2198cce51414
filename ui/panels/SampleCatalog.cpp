#include "SampleCatalog.h"

#include "DataDirectory.h"
#include "SampleLibrary.h"

#include <QDir>
#include <QFile>
#include <QStringList>

namespace {
struct Catalog {
    std::vector<attn::Sample> samples;
    QStringList problems;
};

const Catalog& catalog()
{
    static const Catalog c = [] {
        Catalog result;
        const QDir dir(QStringLiteral(":/samples"));
        const auto files = dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
        for (const QString& name : files) {
            QFile file(dir.filePath(name));
            if (!file.open(QIODevice::ReadOnly)) {
                result.problems << QStringLiteral("%1: cannot be read").arg(name);
                continue;
            }
            const QByteArray bytes = file.readAll();
            auto sample = attn::SampleLibrary::parse(bytes.toStdString(), name.toStdString());
            if (!sample) {
                result.problems << QString::fromStdString(sample.error());
                continue;
            }
            if (!sample->diagram.empty() && !QFile::exists(SampleCatalog::diagramResource(*sample))) {
                result.problems << QStringLiteral("%1: the diagram '%2' is not bundled").arg(name, QString::fromStdString(sample->diagram));
                continue;
            }
            if (sample->input.kind == attn::InputKind::Model)
                sample->input.path = SampleCatalog::modelPath(*sample).toStdString();
            result.samples.push_back(std::move(*sample));
        }
        attn::SampleLibrary::sort(result.samples);
        return result;
    }();
    return c;
}
} // namespace

const std::vector<attn::Sample>& SampleCatalog::all() { return catalog().samples; }

std::optional<attn::Sample> SampleCatalog::find(const QString& name)
{
    const std::string key = name.toStdString();
    for (const auto& s : all())
        if (s.name == key)
            return s;
    return std::nullopt;
}

QStringList SampleCatalog::names()
{
    QStringList out;
    for (const auto& s : all())
        out << QString::fromStdString(s.name);
    return out;
}

const QStringList& SampleCatalog::problems() { return catalog().problems; }

QString SampleCatalog::modelPath(const attn::Sample& sample)
{
    const QString relative = QString::fromStdString(sample.input.path);
    if (relative.isEmpty() || QDir::isAbsolutePath(relative))
        return relative;
    const QString resolved = DataDirectory::resolve(relative);
    if (resolved != relative)
        return resolved;
    // Not there: name the place it should be, so the message that follows is exact.
    const QString root = DataDirectory::root();
    const QString base = root.isEmpty() ? DataDirectory::candidates().value(0) : root;
    return base.isEmpty() ? relative : base + QLatin1Char('/') + relative;
}

QString SampleCatalog::diagramResource(const attn::Sample& sample)
{
    return sample.diagram.empty() ? QString() : QStringLiteral(":/") + QString::fromStdString(sample.diagram);
}
