"""A small HTML reader (standard library html.parser) for checking rendered pages:
controls and their labels, fieldsets and legends, ids, scripts, styles and links."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "poster", "data"}


@dataclass
class Element:
    tag: str
    attrs: dict
    parent: Element | None
    children: list = field(default_factory=list)
    text: str = ""

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def child_tags(self) -> list[str]:
        return [child.tag for child in self.children]


class PageReader(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {}, None)
        self.current = self.root
        self.elements: list[Element] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(element)
        self.elements.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.current = self.current.parent

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None and node.parent is not None, f"stray </{tag}>"
        self.current = node.parent

    def handle_data(self, data):
        for node in (self.current, *self.current.ancestors()):
            node.text += data

    def find(self, tag: str) -> list[Element]:
        return [element for element in self.elements if element.tag == tag]

    def controls(self) -> list[Element]:
        """Every form control a person operates (hidden inputs excluded)."""
        return [
            e
            for e in self.elements
            if e.tag in ("input", "textarea", "select") and e.attrs.get("type") != "hidden"
        ]

    def label_targets(self) -> set[str]:
        return {label.attrs["for"] for label in self.find("label") if label.attrs.get("for")}

    def urls(self) -> list[tuple[str, str, str]]:
        """(tag, attribute, value) of every attribute that names a URL."""
        return [
            (e.tag, name, value)
            for e in self.elements
            for name, value in e.attrs.items()
            if name in URL_ATTRIBUTES
        ]


def legend_of(fieldset: Element) -> Element | None:
    """A fieldset's legend: its first element child, with some text."""
    first = fieldset.children[0] if fieldset.children else None
    if first is not None and first.tag == "legend" and first.text.strip():
        return first
    return None
