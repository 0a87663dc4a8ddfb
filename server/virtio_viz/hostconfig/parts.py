"""The pieces a host configuration is made of, and how they are written out.

How this works: a QEMU command line is a list of `Arg`s (an option, its first value and
`Prop`s), a libvirt domain a tree of `Node`s with `Attr`s. Any piece may carry a `Mark`:
the moments of a story when that piece is what makes the step happen (the vhost=on
while QEMU talks to /dev/vhost-net, the share=on when the memory table is sent). Both are
written out as `Line`s of `Segment`s, so the text a reader copies and the text the page
highlights are the same characters; a segment names the mark that lights it up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr


@dataclass(frozen=True, slots=True)
class Mark:
    """When a piece matters: an event of one of `kinds` (whose values contain `values`),
    or any step of one of `chapters`. `why` says it in a sentence."""

    id: str
    why: str
    kinds: tuple[str, ...] = ()
    values: tuple[tuple[str, str], ...] = ()
    chapters: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "why": self.why, "kinds": list(self.kinds),
                "values": dict(self.values), "chapters": list(self.chapters)}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    mark: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "mark": self.mark}


Line = tuple[Segment, ...]


def text_of(lines: tuple[Line, ...]) -> str:
    return "\n".join("".join(s.text for s in line) for line in lines)


# -- QEMU ------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Prop:
    key: str
    value: str
    mark: Mark | None = None


@dataclass(frozen=True, slots=True)
class Arg:
    """`-option head,key=value,...`: `head` is the device model, backend type or value."""

    option: str
    head: str
    props: tuple[Prop, ...] = ()
    mark: Mark | None = None

    def words(self) -> list[str]:
        """As argv: the option, then its value (if it takes one)."""
        if not self.head:
            return [self.option]
        return [self.option, ",".join([self.head, *(f"{p.key}={p.value}" for p in self.props)])]

    def prop(self, key: str) -> str | None:
        return next((p.value for p in self.props if p.key == key), None)


def qemu_lines(binary: str, args: tuple[Arg, ...]) -> tuple[Line, ...]:
    """One line per argument, continued with backslashes, as a shell takes it."""
    lines: list[Line] = [(Segment(f"{binary} \\"),)]
    for number, arg in enumerate(args):
        end = " \\" if number < len(args) - 1 else ""
        space = " " if arg.head else ""
        parts = [Segment(f"  {arg.option}{space}"), Segment(arg.head, _id(arg.mark))]
        parts += [Segment(f",{p.key}={p.value}", _id(p.mark)) for p in arg.props]
        lines.append((*parts, Segment(end)))
    return tuple(lines)


# -- libvirt ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Attr:
    name: str
    value: str
    mark: Mark | None = None


@dataclass(frozen=True, slots=True)
class Node:
    tag: str
    attrs: tuple[Attr, ...] = ()
    children: tuple[Node, ...] = ()
    text: str = ""
    mark: Mark | None = None  # the whole element


def xml_lines(node: Node, depth: int = 0, inherited: Mark | None = None) -> tuple[Line, ...]:
    """The element as indented XML, one element (or closing tag) per line; an element
    without a mark of its own is lit with the element around it."""
    pad, mark = Segment("  " * depth), _id(node.mark or inherited)
    head = [pad, Segment(f"<{node.tag}", mark)]
    head += [Segment(f" {a.name}={quoteattr(a.value)}", _id(a.mark) or mark) for a in node.attrs]
    if not node.children and not node.text:
        return ((*head, Segment("/>", mark)),)
    if not node.children:
        return ((*head, Segment(f">{escape(node.text)}</{node.tag}>", mark)),)
    lines: list[Line] = [(*head, Segment(">", mark))]
    for child in node.children:
        lines.extend(xml_lines(child, depth + 1, node.mark or inherited))
    lines.append((pad, Segment(f"</{node.tag}>", mark)))
    return tuple(lines)


def _id(mark: Mark | None) -> str | None:
    return mark.id if mark is not None else None


def marks_in(args: tuple[Arg, ...], node: Node) -> dict[str, Mark]:
    """Every mark used by the command line or the domain, by id."""
    found: dict[str, Mark] = {}
    for arg in args:
        for mark in (arg.mark, *(p.mark for p in arg.props)):
            if mark is not None:
                found[mark.id] = mark
    stack = [node]
    while stack:
        here = stack.pop()
        for mark in (here.mark, *(a.mark for a in here.attrs)):
            if mark is not None:
                found[mark.id] = mark
        stack.extend(here.children)
    return found


@dataclass(frozen=True, slots=True)
class Note:
    """Something a reader should know: `kind` is "not-here" (what this machine cannot
    run, and why), "adjusted" (where QEMU's limits differ from the model's options),
    "guest" (what to do inside the guest) or "about" (context)."""

    kind: str
    text: str


@dataclass(frozen=True, slots=True)
class HostConfig:
    scenario: str
    options: dict[str, object]
    binary: str
    args: tuple[Arg, ...]
    domain: Node
    notes: tuple[Note, ...] = ()
    guest: tuple[str, ...] = ()  # shell commands to run inside the guest
    checkable: tuple[Arg, ...] = ()  # the args QEMU can boot here (TCG, no special host)
    marks: dict[str, Mark] = field(default_factory=dict)
    transports: tuple[str, ...] = ()  # the transports this scenario can be built on

    @property
    def argv(self) -> list[str]:
        return [self.binary, *(word for arg in self.args for word in arg.words())]

    @property
    def qemu_text(self) -> str:
        return text_of(qemu_lines(self.binary, self.args))

    @property
    def xml(self) -> str:
        return text_of(xml_lines(self.domain)) + "\n"

    def to_json(self) -> dict[str, object]:
        def lines(rendered: tuple[Line, ...]) -> list[list[dict[str, object]]]:
            return [[s.to_json() for s in line] for line in rendered]

        return {
            "scenario": self.scenario,
            "options": self.options,
            "transports": list(self.transports),
            "qemu": {"binary": self.binary, "argv": self.argv,
                     "lines": lines(qemu_lines(self.binary, self.args))},
            "libvirt": {"xml": self.xml, "lines": lines(xml_lines(self.domain))},
            "marks": [mark.to_json() for mark in self.marks.values()],
            "notes": [{"kind": n.kind, "text": n.text} for n in self.notes],
            "guest": list(self.guest),
            "checkable": [word for arg in self.checkable for word in arg.words()],
        }  # fmt: skip
