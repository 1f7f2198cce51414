#pragma once
// The bundled samples, read from the Qt resources (:/samples/*.json) and parsed by the core's
// SampleLibrary. Loaded once; a broken sample file is a build defect and is reported, not hidden.
#include "Sample.h"

#include <QString>

#include <optional>
#include <vector>

class SampleCatalog {
public:
    static const std::vector<attn::Sample>& all();
    static std::optional<attn::Sample> find(const QString& name);
    static QStringList names();
    // A model sample's checkpoint folder: its path ("models/stories260k") under the data folder
    // (DataDirectory); all() already holds the resolved path.
    static QString modelPath(const attn::Sample& sample);
    // A diagram sample's Mermaid file as a resource path (":/diagrams/seed000.mmd"); empty for others.
    static QString diagramResource(const attn::Sample& sample);
    // Messages for sample files that failed to parse (empty when all are well).
    static const QStringList& problems();
};
