#pragma once
// Parses a Mermaid flowchart (`graph` / `flowchart`) into a MermaidGraph, following Mermaid's
// own grammar (flow.jison) closely enough that diagrams written for Mermaid mean the same here:
//
//   header       graph|flowchart [TD|TB|BT|LR|RL]  (TD when omitted); front matter (--- ... ---)
//                and %%{init}%% directives before it are skipped
//   nodes        id, id[rect], id(round), id([stadium]), id[[subroutine]], id[(cylinder)],
//                id((circle)), id>asym], id{diamond}, id{{hexagon}}, id[/para/], id[\para\],
//                id[/trap\], id[\trap/], id(((double circle))), followed by optional :::class.
//                Labels may be quoted ("... ; ( ) Unicode ..."), markdown ("`...`", may span
//                lines); <br/> becomes "\n"; #quot; #35; style entity codes are decoded.
//                Unquoted labels may not contain [ ] ( ) { } " (as in Mermaid: quote them).
//                A node mentioned again is the same node; the last explicit label and shape win.
//   edges        --> --- -.-> -.- ==> === <--> --o --x ~~~, longer forms (---> -..-> ====>),
//                o--o x--x <-.-> <==>; labels -->|text| and -- text --> / -. text .-> /
//                == text ==>; chains A --> B --> C; fan-out A & B --> C & D (every pair).
//                As in Mermaid's lexer, a link swallows a following o/x: A---oB is a circle
//                edge to B, A---xB a cross edge to B, while A --- oB is an open link to oB.
//                The link and its target must be on one line.
//   statements   subgraph id | subgraph id[Title] | subgraph id ["Title"] | subgraph Title words
//                (id "subGraphN") ... end, nested; direction X inside a subgraph; classDef a,b
//                style; class A,B name; style A style; linkStyle 0,1 [interpolate x] style;
//                linkStyle default style; click ... (ignored); accTitle/accDescr (ignored);
//                %% comments (whole line or trailing); ';' separates statements.
//   ownership    a node belongs to the first subgraph closed (by its `end`) whose own statements
//                mention it: Mermaid's rule, so nested subgraphs claim their nodes first.
//   `end`        lowercase `end` is always the keyword: it closes a subgraph, and is an error as a
//                node id (write End or END).
//
// Errors are "line L, column C: expected X, found Y" (1-based; columns count Unicode code points).
// Limits: 1 MiB of text, 10,000 nodes, 20,000 edges, and 64 MiB of text copied by fan-outs and
// multi-target class/classDef/linkStyle statements. Parsing is linear in the text size.
#include "Expected.h"
#include "MermaidGraph.h"

#include <cstddef>
#include <string>

namespace attn {

class MermaidParser {
public:
    static constexpr size_t kMaxBytes = 1u << 20;
    static constexpr int kMaxNodes = 10000;
    static constexpr int kMaxEdges = 20000;

    static Expected<MermaidGraph> parse(const std::string& text);
};

} // namespace attn
