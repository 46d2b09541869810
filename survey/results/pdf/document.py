"""The fairness report laid out as an A4 PDF: title page, contents, summary, sections of
tables with their charts, method notes and glossary; page numbers and a running header
on every page after the first; tagged for assistive technology (tagging.py).

Laid out once: a first pass that wraps and splits every flowable but draws nothing finds
the page of each section for the contents, then the one real pass draws the document.
"""

from __future__ import annotations

import io
import itertools
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch, mm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Frame,
    Image,
    KeepTogether,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)

from survey.results.pdf.plain_words import GLOSSARY
from survey.results.pdf.tagging import (
    Node,
    Quiet,
    Recorder,
    Tagged,
    apply_structure,
    artifact_drawing,
)
from survey.results.pdf.tagging import tagged_table as make_table
from survey.results.report_pack import Block, FairnessPack
from survey.results.tables import Table

MARGIN = 15 * mm
BODY, BOLD = "Helvetica", "Helvetica-Bold"
LANGUAGE = "en-GB"
GREY = colors.HexColor("#484f53")
STYLES = {
    "cover": ParagraphStyle("cover", fontName=BOLD, fontSize=24, leading=30, spaceAfter=14),
    "h1": ParagraphStyle("h1", fontName=BOLD, fontSize=16, leading=20, spaceBefore=4,
                         spaceAfter=8),
    "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=11.5, leading=14, spaceBefore=8,
                         spaceAfter=2),
    "body": ParagraphStyle("body", fontName=BODY, fontSize=10, leading=13.5, spaceAfter=6),
    "item": ParagraphStyle("item", fontName=BODY, fontSize=10, leading=13.5, spaceAfter=5,
                           leftIndent=10),
    "sub": ParagraphStyle("sub", fontName=BODY, fontSize=8.5, leading=10.5, spaceAfter=4,
                          textColor=GREY),
    "note": ParagraphStyle("note", fontName=BODY, fontSize=7.5, leading=9.5, spaceAfter=1),
    "cell": ParagraphStyle("cell", fontName=BODY, fontSize=7, leading=8.4),
    "head": ParagraphStyle("head", fontName=BOLD, fontSize=7, leading=8.4),
}


def fairness_pdf(pack: FairnessPack) -> bytes:
    pages: dict[str, int] = {}
    build(pack, pages, Recorder(drawing=False))  # where each section starts
    recorder = Recorder()
    data = build(pack, pages, recorder)
    return apply_structure(data, recorder, pack.title, LANGUAGE)


def build(pack: FairnessPack, pages: dict[str, int], recorder: Recorder) -> bytes:
    out = io.BytesIO()
    doc = BaseDocTemplate(
        out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN + 6 * mm,
        bottomMargin=MARGIN + 4 * mm, title=pack.title, author=pack.organisation,
        subject=f"Fairness report for {pack.wave.title}", creator="Workforce survey",
        lang=LANGUAGE,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body")
    doc.addPageTemplates([PageTemplate("page", [frame], onPage=artifact_drawing(
        lambda canvas, d: _running_header(canvas, d, pack)))])
    found: dict[str, int] = {}
    doc.afterFlowable = lambda flowable: _note_section(flowable, doc, found)
    doc.build(Story(pack, recorder, pages).flowables())
    pages.update(found)
    return out.getvalue()


def _note_section(flowable, doc, found: dict[str, int]) -> None:
    section = getattr(flowable, "section", None)
    if section is not None:
        found.setdefault(section, doc.page)


def _running_header(canvas, doc, pack: FairnessPack) -> None:
    if doc.page == 1:
        return
    canvas.saveState()
    canvas.setFont(BODY, 8)
    canvas.setFillColor(GREY)
    top = A4[1] - MARGIN
    canvas.drawString(MARGIN, top, f"{pack.organisation}: {pack.title}")
    canvas.drawRightString(A4[0] - MARGIN, top, f"k = {pack.wave.threshold}")
    canvas.drawCentredString(A4[0] / 2, MARGIN, f"Page {doc.page}")
    canvas.restoreState()


class Story:
    """The flowables of one build, each tagged as it is drawn."""

    def __init__(self, pack: FairnessPack, recorder: Recorder, pages: dict[str, int]):
        self.pack, self.recorder, self.pages = pack, recorder, pages
        self.keys = itertools.count()
        self.headings = ["Summary", *(s.title for s in pack.sections), "Method and glossary"]

    def flowables(self) -> list:
        story = self.cover() + self.contents() + self.summary()
        for number, section in enumerate(self.pack.sections):
            story += [PageBreak(), self.heading(section.title, 1, number)]
            story.append(self.para(section.intro))
            for block in section.blocks:
                story += self.block(block)
        return story + self.method()

    def cover(self) -> list:
        pack = self.pack
        lines = [
            f"Organisation: {pack.organisation}",
            f"Survey wave: {pack.wave.title} ({pack.wave.code}), "
            f"{pack.wave.opens_on:%d %B %Y} to {pack.wave.closes_on:%d %B %Y}",
            f"Report made: {pack.made_on:%d %B %Y}",
            f"Anonymity threshold: every figure describes at least k = {pack.wave.threshold} "
            "people.",
        ]
        story = [Spacer(1, 50 * mm), self.tag(Paragraph(escape(pack.title), STYLES["cover"]),
                                              "H1", outline=("cover", pack.title, 0))]
        return story + [self.para(line) for line in lines] + [PageBreak()]

    def contents(self) -> list:
        story = [self.heading("Contents", 1)]
        for title in self.headings:
            page = self.pages.get(title, 0)
            story.append(self.para(f"{title} \u2014 page {page}", "item"))
        return [*story, PageBreak()]

    def summary(self) -> list:
        story = [self.heading("Summary", 1, -1)]
        story.append(self.para(
            "What differs for whom: groups whose figure differs clearly from the rest of "
            "the organisation (largest differences first)."
        ))
        story += [self.para(line, "item") for line in self.pack.differences] or [
            self.para("No group differs clearly from the rest on these measures.", "item")
        ]
        story.append(self.heading("What changed since the last wave", 2))
        story += [self.para(line, "item") for line in self.pack.changes] or [
            self.para("This is the first wave: there is nothing to compare with.", "item")
        ]
        return story

    def method(self) -> list:
        story = [PageBreak(), self.heading("Method and glossary", 1, len(self.pack.sections))]
        story.append(self.para(
            "Figures come from anonymous answers: no answer is linked to a person. Groups "
            "smaller than k are merged with a similar group or hidden, and another group "
            "may be hidden so that a hidden figure cannot be worked out by subtraction."
        ))
        story.append(self.heading("Notes that apply to every table", 2))
        story += [self.para(note, "note") for note in self.pack.notes]
        story.append(self.heading("Glossary", 2))
        for term, meaning in GLOSSARY:
            story.append(self.para(f"<b>{escape(term)}</b>: {escape(meaning)}", "item",
                                   raw=True))
        return story

    def block(self, block: Block) -> list:
        table = block.table
        heading = [self.heading(table.title, 2), self.para(table.subtitle, "sub")]
        parts = [self.grid(table)]
        if block.chart is not None:
            chart = block.chart
            image = Image(io.BytesIO(chart.png), width=chart.width * inch,
                          height=chart.height * inch)
            parts.insert(0, self.tag(image, "Figure", alt=chart.alt))
        own = [n for n in table.footnotes if n not in self.pack.notes]
        notes = [self.para(note, "note") for note in own]
        return [CondPageBreak(60 * mm), KeepTogether(heading + parts[:1]), *parts[1:],
                *notes, Spacer(1, 4 * mm)]

    def grid(self, table: Table):
        data = [[Paragraph(escape(c.label), STYLES["head"]) for c in table.columns]]
        spans = []
        for line, row in enumerate(table.rows, start=1):
            cells: list = [""] * len(table.columns)
            for start, width, cell in row.spans():
                cells[start] = Paragraph(escape(cell.text), STYLES["cell"])
                if width > 1:
                    spans.append(("SPAN", (start, line), (start + width - 1, line)))
            data.append(cells)
        grid = make_table(data, self.recorder, hAlign="LEFT")
        grid.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            *spans,
        ]))
        return Quiet(grid, self.recorder)

    def heading(self, title: str, level: int, section: int | None = None):
        key = f"heading-{next(self.keys)}"
        flowable = self.tag(Paragraph(escape(title), STYLES[f"h{level}"]), f"H{level}",
                            outline=(key, title, level - 1 if level > 1 else 0))
        if section is not None:
            flowable.section = self.headings[section + 1]
        return flowable

    def para(self, text: str, style: str = "body", raw: bool = False):
        shown = text if raw else escape(text)
        return self.tag(Paragraph(shown, STYLES[style]), "P")

    def tag(self, flowable, tag: str, alt: str | None = None, outline: tuple | None = None):
        return Tagged(flowable, Node(tag, alt), self.recorder, outline)

