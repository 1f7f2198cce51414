#include "CommandLine.h"

#include "DumpCommand.h"
#include "ExportCommand.h"
#include "GenerateCommand.h"
#include "PipelineCommand.h"
#include "SessionCommand.h"
#include "SamplesCommand.h"

#include <QTextStream>

namespace {
const QStringList kSubcommands{
    QStringLiteral("samples"), QStringLiteral("dump"), QStringLiteral("export"), QStringLiteral("generate"), QStringLiteral("session"),
    QStringLiteral("pipeline"), QStringLiteral("help")};
}

bool CommandLine::isHeadless(const QStringList& args)
{
    if (args.size() < 2)
        return false;
    const QString first = args.at(1);
    return kSubcommands.contains(first) || first == QLatin1String("--help") || first == QLatin1String("-h") ||
           first == QLatin1String("--version");
}

bool CommandLine::needsGui(const QStringList& args) { return args.value(1) == QLatin1String("export"); }

QString CommandLine::usage()
{
    return QStringLiteral(
        "Usage:\n"
        "  attnscope [FILE|SAMPLE]        open the desktop app (default sample when none is given)\n"
        "  attnscope samples              list the bundled samples: name<TAB>kind<TAB>description\n"
        "  attnscope dump INPUT MECH --out FILE.npy|FILE.json [--out-output FILE.npy] [--tokens-out FILE.json] [--qkv-out FILE.npy]\n"
        "        [--layer LIST] [--head LIST]   (.npy: only these maps, e.g. 0,2-4)\n"
        "        [--drop-special] [--drop-first] [--merge-subwords] [--rollout [--fusion mean|min|max] [--discard R]]\n"
        "  attnscope generate --model PATH --text STR --steps K [--tokens]\n"
        "  attnscope session INPUT MECH --out F.attnscope [--view V] [--head H]  |  session --check F.attnscope\n"
        "  attnscope export INPUT MECH --view heatmap|heads|lines|diff|pipeline|overlay --out F.png|F.svg|F.pdf\n"
        "                 [--head H|mean] [--layer L] [--width W --height H] [--colormap NAME] [--range R]\n"
        "                 [--vs-score S --vs-norm N --vs-scope SCOPE]     (the diff view's second mechanism)\n"
        "                 [--mermaid F.mmd]   (pipeline: this diagram, not the mechanism's own; INPUT optional)\n"
        "  attnscope export --image F --patch P --view overlay --out F.png|F.svg|F.pdf [--query R,C]\n"
        "                 [--overlay-mode query|received|spatial|rollout] [--opacity A] [--no-grid]\n"
        "  attnscope pipeline [--mermaid F.mmd] [--sample NAME] --dump-json\n"
        "                 the diagram (default: the mechanism's own) with its nodes bound to the sample's stages\n"
        "\n"
        "INPUT  --sample NAME | --text STR | --text-file F | --sequence STR | --sequence-file F.csv | --npy F.npy\n"
        "       [--queries-sequence STR | --queries-npy F.npy | --queries-text STR]   (cross-attention)\n"
        "       [--tokenizer word|character] [--positions]\n"
        "       --image F [--patch P] [--encoding patches|features] [--fit crop|pad] [--no-positions]\n"
        "                                    (png, jpeg, bmp, gif, webp, tiff; downscaled to 1024 px)\n"
        "       --model PATH --text PROMPT   (a checkpoint or its folder: llama2.c .bin, Hugging Face bert/gpt2/llama\n"
        "                                     safetensors with config.json; every layer and head)\n"
        "MECH   --score dot|scaled-dot|additive|bilinear|cosine  --norm softmax|sigmoid|ratio\n"
        "       --scope global|local:W|hybrid:W:G  --causal  --heads H  --dim D  --temperature T  --seed S\n"
        "       --projection identity|random|FILE.safetensors  --dynamic none|gate|temperature\n"
        "       --combine weighted-sum|element-wise|soft-selection  --top-k K\n"
        "\n"
        "Exit status: 0 success, 1 bad input, 2 bad usage. 'attnscope dump --help' lists every option.\n");
}

int CommandLine::run(const QStringList& args)
{
    const QString command = args.value(1);
    CliError result;
    if (command == QLatin1String("--help") || command == QLatin1String("-h") || command == QLatin1String("help")) {
        QTextStream(stdout) << usage();
        return 0;
    }
    if (command == QLatin1String("--version")) {
        QTextStream(stdout) << "attnscope " << ATTNSCOPE_VERSION << '\n';
        return 0;
    }
    if (command == QLatin1String("samples"))
        result = SamplesCommand::run(args.mid(1));
    else if (command == QLatin1String("dump"))
        result = DumpCommand::run(args.mid(1));
    else if (command == QLatin1String("export"))
        result = ExportCommand::run(args.mid(1));
    else if (command == QLatin1String("generate"))
        result = GenerateCommand::run(args.mid(1));
    else if (command == QLatin1String("session"))
        result = SessionCommand::run(args.mid(1));
    else if (command == QLatin1String("pipeline"))
        result = PipelineCommand::run(args.mid(1));
    if (result.failed()) {
        QTextStream err(stderr);
        err << "attnscope " << command << ": " << result.message << '\n';
        if (result.code == CliError::Usage)
            err << "Try 'attnscope " << command << " --help'.\n";
    }
    return result.code;
}
