"""A small relation diagram of a case's betrokkenen, drawn on the server as SVG: no script, nothing to load.

Nodes are the subjects (the case's own first, then those the relations reach outside it), placed on a circle;
each relation is an arrow "<subject> → <related subject>" labelled with its kind, dashed once it has ended. The
picture is ``role="img"`` and takes its accessible name from the readable list of relations next to it
(``aria-labelledby``): that list says everything the picture shows. Colours are presentation attributes, not
inline styles, so the Content-Security-Policy (``style-src 'self'``) leaves them alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from casus.subjects.models import COLLECTIVE_KINDS, Subject, SubjectKind, SubjectRelation

MAX_NODES = 40  # past this a circle is unreadable; the list still shows every relation
NODE_HEIGHT = 40
MAX_LABEL = 24  # characters of a name on a node (the list has the full name)
CHAR_WIDTH = 7.2  # an estimate for 13px Noto Sans: wide enough, never measured in the browser
MARGIN = 24
# Fill and border per kind of subject: collectives stand out; the border tells a subject outside the case.
FILLS = {SubjectKind.PERSOON: "#ffffff", SubjectKind.ADRES: "#eef4f9", SubjectKind.BEDRIJF: "#f4f0fa",
         SubjectKind.HUISHOUDEN: "#fdf3e1", SubjectKind.GROEP: "#e8f5ec"}
INK = "#1a1a1a"
LINE = "#2f5f8a"


@dataclass(frozen=True)
class Node:
    subject: Subject
    x: float
    y: float
    width: float
    in_case: bool


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def _node_width(subject: Subject, kind_label: str) -> float:
    return max(90.0, CHAR_WIDTH * max(len(_short(subject.display_name or "")), len(kind_label)) + 20)


def _layout(subjects: Sequence[Subject], kind_label: Callable[[Subject], str],
            in_case: set[int]) -> tuple[list[Node], float, float]:
    widths = [_node_width(subject, kind_label(subject)) for subject in subjects]
    widest = max(widths, default=90.0)
    count = len(subjects)
    # A circle whose circumference leaves every node room; one node sits in the middle.
    radius = 0.0 if count <= 1 else max(110.0, count * (NODE_HEIGHT + 26) / (2 * math.pi), widest * 0.9)
    width = 2 * radius + widest + 2 * MARGIN
    height = 2 * radius + NODE_HEIGHT + 2 * MARGIN
    cx, cy = width / 2, height / 2
    nodes = []
    for index, (subject, node_width) in enumerate(zip(subjects, widths, strict=True)):
        angle = -math.pi / 2 + 2 * math.pi * index / max(count, 1)
        nodes.append(Node(subject, cx + radius * math.cos(angle), cy + radius * math.sin(angle), node_width,
                          subject.id in in_case))
    return nodes, width, height


def _border(node: Node, dx: float, dy: float) -> tuple[float, float]:
    """Where the line from the node's centre in direction (dx, dy) leaves its box."""
    half_w, half_h = node.width / 2 + 3, NODE_HEIGHT / 2 + 3
    scale = min(half_w / abs(dx) if dx else math.inf, half_h / abs(dy) if dy else math.inf)
    return node.x + dx * scale, node.y + dy * scale


def render(subjects: Sequence[Subject], relations: Sequence[SubjectRelation], *, labelledby: str,
           kind_label: Callable[[Subject], str], relation_label: Callable[[SubjectRelation], str],
           in_case: set[int]) -> tuple[Markup, bool]:
    """The SVG (``Markup``), and whether nodes were left out (more than ``MAX_NODES``).

    ``subjects`` in the order they should appear (the case's first); ``kind_label`` and ``relation_label`` give the
    texts in the reader's language; ``labelledby`` is the id of the text alternative."""
    shown = list(subjects)[:MAX_NODES]
    truncated = len(subjects) > MAX_NODES
    nodes, width, height = _layout(shown, kind_label, in_case)
    by_id = {node.subject.id: node for node in nodes}
    edges = [relation for relation in relations
             if relation.subject_id in by_id and relation.related_subject_id in by_id]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="casus-relation-diagram" role="img" '
             f'aria-labelledby="{escape(labelledby)}" viewBox="0 0 {width:.0f} {height:.0f}" '
             f'width="{width:.0f}" height="{height:.0f}" font-family="Noto Sans, sans-serif" font-size="13">',
             f'<defs><marker id="casus-relation-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
             f'markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="{LINE}"/>'
             f'</marker></defs>']
    parts += _edges(edges, by_id, relation_label)
    parts += [_node(node, kind_label(node.subject)) for node in nodes]
    parts.append("</svg>")
    return Markup("".join(parts)), truncated


def _edges(edges: Sequence[SubjectRelation], by_id: dict[int, Node],
           relation_label: Callable[[SubjectRelation], str]) -> list[str]:
    # Relations between the same two subjects (ouder van one way, kind van the other) share a line; their labels
    # are stacked along it so none hides another.
    pairs: dict[tuple[int, int], list[SubjectRelation]] = {}
    for relation in edges:
        key = tuple(sorted((relation.subject_id, relation.related_subject_id)))
        pairs.setdefault(key, []).append(relation)  # type: ignore[arg-type]
    lines, labels = [], []
    for group in pairs.values():
        for position, relation in enumerate(group):
            source, target = by_id[relation.subject_id], by_id[relation.related_subject_id]
            dx, dy = target.x - source.x, target.y - source.y
            length = math.hypot(dx, dy) or 1.0
            offset = (position - (len(group) - 1) / 2) * 8  # parallel lines a little apart
            nx, ny = -dy / length * offset, dx / length * offset
            x1, y1 = _border(source, dx, dy)
            x2, y2 = _border(target, -dx, -dy)
            dash = ' stroke-dasharray="6 4"' if relation.end_on is not None else ""
            lines.append(f'<line x1="{x1 + nx:.1f}" y1="{y1 + ny:.1f}" x2="{x2 + nx:.1f}" y2="{y2 + ny:.1f}" '
                         f'stroke="{LINE}" stroke-width="1.5"{dash} marker-end="url(#casus-relation-arrow)"/>')
            text = relation_label(relation)
            mx = (x1 + x2) / 2
            my = (y1 + y2) / 2 + (position - (len(group) - 1) / 2) * 18
            box = CHAR_WIDTH * 0.9 * len(text) + 8
            labels.append(f'<rect x="{mx - box / 2:.1f}" y="{my - 9:.1f}" width="{box:.1f}" height="16" rx="3" '
                          f'fill="#ffffff" fill-opacity="0.92"/>'
                          f'<text x="{mx:.1f}" y="{my + 3:.1f}" text-anchor="middle" font-size="11" '
                          f'fill="{INK}">{escape(text)}</text>')
    return lines + labels


def _node(node: Node, kind_label: str) -> str:
    subject = node.subject
    x, y = node.x - node.width / 2, node.y - NODE_HEIGHT / 2
    border = ' stroke-dasharray="4 3"' if not node.in_case else ""
    weight = "2.5" if subject.kind in COLLECTIVE_KINDS else "1.5"
    return (f'<g><rect x="{x:.1f}" y="{y:.1f}" width="{node.width:.1f}" height="{NODE_HEIGHT}" rx="6" '
            f'fill="{FILLS.get(subject.kind, "#ffffff")}" stroke="{INK}" stroke-width="{weight}"{border}/>'
            f'<text x="{node.x:.1f}" y="{node.y - 3:.1f}" text-anchor="middle" font-weight="600" fill="{INK}">'
            f'{escape(_short(subject.display_name or ""))}</text>'
            f'<text x="{node.x:.1f}" y="{node.y + 13:.1f}" text-anchor="middle" font-size="11" fill="{INK}">'
            f'{escape(kind_label)}</text></g>')
