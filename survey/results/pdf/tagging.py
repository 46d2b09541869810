"""A tagged PDF from ReportLab: marked content as it is drawn, the structure tree after.

ReportLab writes no structure tree. While the document is drawn, every heading,
paragraph, table cell and figure is wrapped in marked content with an MCID (`/P <<
/MCID 3 >> BDC ... EMC`) and recorded in a tree of `Node`s, in drawing order (the
reading order); running headers, footers, table rules and repeated table headers are
`/Artifact`. `apply_structure` then writes the tree into the file with pikepdf: the
StructTreeRoot, its ParentTree, /MarkInfo, /Lang, /StructParents on every page, and the
title shown in the window (DisplayDocTitle, XMP dc:title).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, String
from reportlab.platypus import Flowable
from reportlab.platypus import Table as PdfTable


@dataclass
class Node:
    """A structure element: its tag (H1, P, Table, TR, TH, TD, Figure...), alternative
    text for figures, and children (Nodes, or (page number, MCID) of marked content)."""

    tag: str
    alt: str | None = None
    children: list = field(default_factory=list)
    attached: bool = False


class Recorder:
    """Marked content and the structure it belongs to, for one build of a document.
    drawing=False: a layout pass that only finds where things fall, drawing no content."""

    def __init__(self, drawing: bool = True) -> None:
        self.root = Node("Document", attached=True)
        self.drawing = drawing
        self._next: dict[int, int] = {}

    def attach(self, node: Node, parent: Node | None = None) -> None:
        """Put a node in the tree when it is first drawn, so the tree follows the page."""
        if not node.attached:
            (parent or self.root).children.append(node)
            node.attached = True

    def begin(self, canvas, node: Node) -> None:
        page = canvas.getPageNumber()
        mcid = self._next.get(page, 0)
        self._next[page] = mcid + 1
        node.children.append((page, mcid))
        canvas._code.append(f"/{node.tag} <</MCID {mcid}>> BDC")

    @staticmethod
    def artifact(canvas) -> None:
        canvas._code.append("/Artifact BMC")

    @staticmethod
    def end(canvas) -> None:
        canvas._code.append("EMC")


class Tagged(Flowable):
    """A flowable drawn as marked content of one structure element (kept across a split)."""

    def __init__(self, flowable, node: Node, recorder: Recorder, outline: tuple | None = None):
        super().__init__()
        self.flowable, self.node, self.recorder, self.outline = flowable, node, recorder, outline

    def wrap(self, available_width, available_height):
        self.width, self.height = self.flowable.wrap(available_width, available_height)
        return self.width, self.height

    def split(self, available_width, available_height):
        parts = self.flowable.split(available_width, available_height)
        return [Tagged(part, self.node, self.recorder) for part in parts]

    def getSpaceBefore(self):
        return self.flowable.getSpaceBefore()

    def getSpaceAfter(self):
        return self.flowable.getSpaceAfter()

    def drawOn(self, canvas, x, y, _sW=0):
        if not self.recorder.drawing:
            return
        if self.outline is not None:
            key, title, level = self.outline
            canvas.bookmarkPage(key)
            canvas.addOutlineEntry(title, key, level)
        self.recorder.attach(self.node)
        self.recorder.begin(canvas, self.node)
        self.flowable.drawOn(canvas, x, y, _sW)
        self.recorder.end(canvas)


class Quiet(Flowable):
    """A flowable (kept across a split) that draws nothing in a layout pass."""

    def __init__(self, flowable, recorder: Recorder):
        super().__init__()
        self.flowable, self.recorder = flowable, recorder

    def wrap(self, available_width, available_height):
        self.width, self.height = self.flowable.wrap(available_width, available_height)
        return self.width, self.height

    def split(self, available_width, available_height):
        parts = self.flowable.split(available_width, available_height)
        return [Quiet(part, self.recorder) for part in parts]

    def getSpaceBefore(self):
        return self.flowable.getSpaceBefore()

    def getSpaceAfter(self):
        return self.flowable.getSpaceAfter()

    def drawOn(self, canvas, x, y, _sW=0):
        if self.recorder.drawing:
            self.flowable.drawOn(canvas, x, y, _sW)


class TableTagger:
    """ReportLab's table render callback: a Table element with a TR per row and a TH or
    TD per cell; backgrounds, rules and header rows repeated on a new page are artifacts."""

    def __init__(self, recorder: Recorder, header_rows: int) -> None:
        self.recorder, self.header_rows = recorder, header_rows
        self.node = Node("Table")
        self.drawn_parts = 0
        self._row: Node | None = None
        self._repeat = False

    def __call__(self, table, event: str, *args) -> None:
        canvas = table.canv
        if event == "startTable":
            self.recorder.attach(self.node)
        elif event in ("startBG", "startLines"):
            self.recorder.artifact(canvas)
        elif event in ("endBG", "endLines"):
            self.recorder.end(canvas)
        elif event == "startRow":
            self._start_row(canvas, args[0])
        elif event == "endRow" and self._repeat:
            self.recorder.end(canvas)
        elif event == "startCell" and not self._repeat:
            heading = args[0] < self.header_rows
            cell = Node("TH" if heading else "TD")
            self._row.children.append(cell)
            cell.attached = True
            self.recorder.begin(canvas, cell)
        elif event == "endCell" and not self._repeat:
            self.recorder.end(canvas)
        elif event == "endTable":
            self.drawn_parts += 1

    def _start_row(self, canvas, number: int) -> None:
        self._repeat = self.drawn_parts > 0 and number < self.header_rows
        if self._repeat:
            self.recorder.artifact(canvas)
            return
        self._row = Node("TR", attached=True)
        self.node.children.append(self._row)


def tagged_table(data, recorder: Recorder, header_rows: int = 1, **options) -> PdfTable:
    return PdfTable(data, repeatRows=header_rows,
                    renderCB=TableTagger(recorder, header_rows), **options)


def artifact_drawing(draw):
    """Wrap a page callback (running header, footer) so what it draws is an artifact."""

    def on_page(canvas, doc) -> None:
        Recorder.artifact(canvas)
        draw(canvas, doc)
        Recorder.end(canvas)

    return on_page


def apply_structure(data: bytes, recorder: Recorder, title: str, language: str) -> bytes:
    """The built PDF with its structure tree, language and title metadata."""
    pdf = pikepdf.open(io.BytesIO(data))
    pages = [page.obj for page in pdf.pages]
    parents: dict[int, dict[int, pikepdf.Object]] = {}
    tree_root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = _element(pdf, recorder.root, tree_root, pages, parents)
    tree_root.K = Array([document])
    nums = Array()
    for index, page in enumerate(pages):
        page.StructParents = index
        page.Tabs = Name.S
        marked = parents.get(index + 1, {})
        nums.append(index)
        nums.append(pdf.make_indirect(Array([marked[mcid] for mcid in sorted(marked)])))
    tree_root.ParentTree = pdf.make_indirect(Dictionary(Nums=nums))
    tree_root.ParentTreeNextKey = len(pages)
    pdf.Root.StructTreeRoot = tree_root
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    pdf.Root.Lang = String(language)
    pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta["dc:title"] = title
        meta["dc:language"] = [language]
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _element(pdf, node: Node, parent, pages, parents) -> pikepdf.Object:
    element = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name("/" + node.tag), P=parent))
    if node.alt:
        element.Alt = String(node.alt)
    if node.tag == "TH":
        element.A = Dictionary(O=Name.Table, Scope=Name.Column)
    kids = Array()
    for child in node.children:
        if isinstance(child, Node):
            kids.append(_element(pdf, child, element, pages, parents))
            continue
        page, mcid = child
        kids.append(Dictionary(Type=Name.MCR, Pg=pages[page - 1], MCID=mcid))
        parents.setdefault(page, {})[mcid] = element
    element.K = kids
    return element
