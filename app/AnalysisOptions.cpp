#include "AnalysisOptions.h"

#include <QCommandLineParser>

#include <cmath>

void AnalysisOptions::addTo(QCommandLineParser& p, bool withRollout)
{
    p.addOptions({
        { QStringLiteral("drop-special"),
            QStringLiteral("Drop special tokens ([CLS], <s>, ...) as keys and queries; rows renormalised.") },
        { QStringLiteral("drop-first"),
            QStringLiteral("Drop the first (sink) token as key and query; rows renormalised.") },
        { QStringLiteral("merge-subwords"),
            QStringLiteral("Merge subword tokens into words (to a word: sum; from a word: mean).") },
    });
    if (!withRollout)
        return;
    p.addOptions({
        { QStringLiteral("rollout"),
            QStringLiteral("Write the attention rollout, float32 [N,N] .npy, instead of the weights.") },
        { QStringLiteral("fusion"), QStringLiteral("Rollout head fusion: mean|min|max (default mean)."),
            QStringLiteral("F") },
        { QStringLiteral("discard"),
            QStringLiteral("Rollout: per row, zero this fraction of the smallest off-diagonal weights, in "
                           "[0,1) (default 0)."),
            QStringLiteral("R") },
        { QStringLiteral("rollout-layer"), QStringLiteral("Rollout up to this layer (default: the last)."),
            QStringLiteral("L") },
    });
}

CliError AnalysisOptions::read(const QCommandLineParser& p, AnalysisChoice& c, bool withRollout)
{
    c.tokens.filter.dropSpecial = p.isSet(QStringLiteral("drop-special"));
    c.tokens.filter.dropFirst = p.isSet(QStringLiteral("drop-first"));
    c.tokens.mergeWords = p.isSet(QStringLiteral("merge-subwords"));
    if (!withRollout)
        return {};
    const bool hasRollout = p.isSet(QStringLiteral("rollout"));
    c.rollout = hasRollout;
    for (const char* name : { "fusion", "discard", "rollout-layer" })
        if (p.isSet(QLatin1String(name)) && !hasRollout)
            return CliError::usage(QStringLiteral("--%1 needs --rollout").arg(QLatin1String(name)));
    if (p.isSet(QStringLiteral("fusion"))) {
        const auto f = attn::AttentionRollout::parseFusion(p.value(QStringLiteral("fusion")).toStdString());
        if (!f)
            return CliError::usage(QStringLiteral("--fusion: '%1' is not one of mean, min, max")
                                       .arg(p.value(QStringLiteral("fusion"))));
        c.rolloutOptions.fusion = *f;
    }
    if (p.isSet(QStringLiteral("discard"))) {
        bool ok = false;
        const double r = p.value(QStringLiteral("discard")).toDouble(&ok);
        if (!ok || !std::isfinite(r) || r < 0.0 || r >= 1.0)
            return CliError::usage(QStringLiteral("--discard: '%1' is not a number in [0, 1)")
                                       .arg(p.value(QStringLiteral("discard"))));
        c.rolloutOptions.discardRatio = r;
    }
    if (p.isSet(QStringLiteral("rollout-layer"))) {
        bool ok = false;
        const int l = p.value(QStringLiteral("rollout-layer")).toInt(&ok);
        if (!ok || l < 0 || l > 10000)
            return CliError::usage(QStringLiteral("--rollout-layer: '%1' is not a layer index")
                                       .arg(p.value(QStringLiteral("rollout-layer"))));
        c.rolloutOptions.lastLayer = l;
    }
    return {};
}
