"""An accessibility check of a tagged PDF, run with pikepdf (veraPDF is not available
here). It checks what a screen reader needs and PDF/UA asks for, not all of PDF/UA:

- the document is marked (/MarkInfo /Marked true), has a language (/Lang), a title in
  its information dictionary and its XMP metadata, and viewers show that title;
- a structure tree: one Document element holding headings (H1, H2), paragraphs, tables
  (Table > TR > TH/TD) and figures, every Figure with alternative text (/Alt);
- every page has /StructParents and its ParentTree entry names an element for each MCID
  the page's content uses;
- no text is drawn outside marked content: every text-showing operator sits inside a
  tagged sequence or an /Artifact (running headers, page numbers, table rules).
"""

from __future__ import annotations

import io

import pikepdf

TEXT_SHOWING = {"Tj", "TJ", "'", '"'}


def structure(data: bytes) -> tuple[list[tuple[str, str | None]], list[str]]:
    """(tag, alt) of every structure element in reading order, and the problems found."""
    pdf = pikepdf.open(io.BytesIO(data))
    problems = []
    root = pdf.Root
    if not (root.get("/MarkInfo") and root.MarkInfo.get("/Marked")):
        problems.append("not marked")
    if str(root.get("/Lang", "")) != "en-GB":
        problems.append("no language")
    if not root.get("/ViewerPreferences") or not root.ViewerPreferences.get("/DisplayDocTitle"):
        problems.append("viewers do not show the title")
    title = str(pdf.docinfo.get("/Title", ""))
    with pdf.open_metadata() as meta:
        if not title or meta.get("dc:title") != title:
            problems.append("title missing from the information dictionary or XMP")
    elements: list[tuple[str, str | None]] = []
    _walk(root.StructTreeRoot.K[0], elements, problems)
    nums = root.StructTreeRoot.ParentTree.Nums
    parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for index, page in enumerate(pdf.pages):
        problems += _page_problems(index, page, parents)
    return elements, problems


def _walk(element, out: list, problems: list) -> None:
    tag = str(element.S)[1:]
    alt = str(element.Alt) if "/Alt" in element else None
    out.append((tag, alt))
    if tag == "Figure" and not alt:
        problems.append("a figure without alternative text")
    kids = [k for k in element.K if isinstance(k, pikepdf.Dictionary) and "/S" in k]
    if tag == "Table" and not all(str(k.S) == "/TR" for k in kids):
        problems.append("a table whose children are not rows")
    if tag == "TR" and not all(str(k.S) in ("/TH", "/TD") for k in kids):
        problems.append("a row whose children are not cells")
    for kid in kids:
        _walk(kid, out, problems)


def _page_problems(index: int, page, parents: dict) -> list[str]:
    if "/StructParents" not in page.obj:
        return [f"page {index + 1} has no StructParents"]
    known = len(parents[int(page.obj.StructParents)])
    problems, depth, used = [], 0, []
    for operands, operator in pikepdf.parse_content_stream(page):
        name = str(operator)
        if name in ("BDC", "BMC"):
            depth += 1
            if name == "BDC" and "/MCID" in operands[1]:
                used.append(int(operands[1].MCID))
        elif name == "EMC":
            depth -= 1
        elif name in TEXT_SHOWING and depth == 0:
            problems.append(f"page {index + 1}: text outside marked content")
            break
    if sorted(used) != list(range(known)):
        problems.append(f"page {index + 1}: marked content and ParentTree disagree")
    return problems
