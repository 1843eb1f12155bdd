"""HTML mail bodies as readable plain text.

Quote detection, extraction and officials all work on plain text, so an HTML-only message must
read like the plain-text part its sender never wrote: paragraphs as blank-line separated blocks,
list items on their own lines, links as ``text (url)`` so an address is not lost, and nothing
from ``<script>``, ``<style>``, ``<head>`` or hidden elements. Quoted earlier messages
(``<blockquote>``) get the ``> `` prefix a plain-text client would have written, so one quote
detector serves both.

Parsing uses libxml2's HTML parser through lxml (already present for python-docx): it is
forgiving with broken markup, linear on hostile input (the stdlib ``html.parser`` of Python 3.11
goes quadratic on runs of ``<!--``), and caps nesting depth. html2text would fit but is GPL.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

__all__ = ["html_to_text"]

# Elements whose content is never shown to a reader.
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "object", "svg"})
# Elements that start a new line.
_BLOCK = frozenset(
    {
        "div", "section", "article", "header", "footer", "nav", "aside", "main", "center",
        "table", "thead", "tbody", "tfoot", "form", "fieldset", "address", "figure",
        "dl", "dt", "dd", "hr", "ul", "ol", "li", "tr",
    }
)  # fmt: skip
# Elements that are separated from their neighbours by a blank line.
_PARAGRAPH = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre"})
_SPACE_RUN = re.compile(r"[ \t\r\n\f\v\u00a0\u200b]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_PARSER = etree.HTMLParser(
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
    no_network=True,
    recover=True,  # libxml2 keeps nesting to 256 levels; deeper content is dropped
)


class _TextCollector:
    """Collects text line by line; block structure becomes newlines, inline runs are collapsed."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._current: list[str] = []
        self._quote_depth = 0
        self._pre_depth = 0
        self._lists: list[list[int]] = []  # per open list: [is_ordered, counter]
        self._link_text: list[list[str]] = []  # text of the open <a> elements
        self._pending_blank = False
        self._last_depth = 0
        self._cell_open = False

    # Line handling -------------------------------------------------------------------------

    def _prefix(self) -> str:
        return "> " * self._quote_depth

    def _flush(self) -> None:
        text = "".join(self._current).strip(" ")
        self._current = []
        if not text:
            return
        depth = self._quote_depth
        # A blank line separates blocks, except right after entering a deeper quote.
        if (
            self._pending_blank
            and self.lines
            and self.lines[-1].strip(" >")
            and depth <= self._last_depth
        ):
            self.lines.append(self._prefix().rstrip())
        self._pending_blank = False
        self._last_depth = depth
        self.lines.append(self._prefix() + text)

    def _blank(self) -> None:
        self._flush()
        self._pending_blank = True

    def write(self, text: str) -> None:
        if self._link_text:
            self._link_text[-1].append(text)
        self._current.append(text)

    def data(self, text: str | None) -> None:
        if not text:
            return
        if self._pre_depth:
            for number, piece in enumerate(text.split("\n")):
                if number:
                    self._flush()
                self.write(piece)
            return
        collapsed = _SPACE_RUN.sub(" ", text)
        if collapsed == " " and (not self._current or self._current[-1].endswith(" ")):
            return
        self.write(collapsed)

    # Elements ------------------------------------------------------------------------------

    def start(self, tag: str, element: Any) -> None:
        if tag == "br":
            self._flush()
        elif tag in _PARAGRAPH:
            self._blank()
            if tag == "pre":
                self._pre_depth += 1
        elif tag == "blockquote":
            self._blank()
            self._quote_depth += 1
        elif tag in ("ul", "ol"):
            self._flush()
            self._lists.append([tag == "ol", 0])
        elif tag == "li":
            self._flush()
            if self._lists and self._lists[-1][0]:
                self._lists[-1][1] += 1
                self.write(f"{self._lists[-1][1]}. ")
            else:
                self.write("- ")
        elif tag == "tr":
            self._flush()
            self._cell_open = False
        elif tag in ("td", "th"):
            if self._cell_open:
                self.write(" | ")
            self._cell_open = True
        elif tag in _BLOCK:
            self._flush()
        elif tag == "a":
            self._link_text.append([])
        elif tag == "img":
            alt = str(element.get("alt") or "").strip()
            if alt:
                self.write(alt)

    def end(self, tag: str, element: Any) -> None:
        if tag in _PARAGRAPH:
            if tag == "pre" and self._pre_depth:
                self._pre_depth -= 1
            self._blank()
        elif tag == "blockquote":
            self._flush()
            self._quote_depth = max(0, self._quote_depth - 1)
            self._pending_blank = True
        elif tag in ("ul", "ol"):
            if self._lists:
                self._lists.pop()
            self._flush()
        elif tag == "a" and self._link_text:
            shown = _SPACE_RUN.sub(" ", "".join(self._link_text.pop())).strip()
            self.write(_link_suffix(shown, str(element.get("href") or "")))
        elif tag in _BLOCK:
            self._flush()

    def close(self) -> None:
        self._flush()


def _link_suffix(shown: str, href: str) -> str:
    """What to add after a link's text so the target survives the conversion."""
    href = href.strip()
    if not href or href.startswith(("#", "cid:", "javascript:", "tel:")):
        return ""
    target = href[7:] if href.lower().startswith("mailto:") else href
    if not shown:
        return target
    if target.rstrip("/") in shown or shown in (href, target):
        return ""
    return f" ({target})"


def _hidden(tag: str, element: Any) -> bool:
    if tag in _SKIP:
        return True
    style = element.get("style")
    return bool(style) and _HIDDEN_STYLE.search(str(style)) is not None


def html_to_text(html: str) -> str:
    """Render an HTML body as plain text a person (and the quote detector) can read."""
    root = etree.fromstring(html.encode("utf-8", errors="replace"), _PARSER)
    if root is None:
        return ""
    collector = _TextCollector()
    skipping = 0  # depth inside a hidden element
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if skipping or _hidden(tag, element):
                skipping += 1
                continue
            collector.start(tag, element)
            collector.data(element.text)
        else:
            if skipping:
                skipping -= 1
                if skipping:
                    continue
            else:
                collector.end(tag, element)
            collector.data(element.tail)  # text after the element belongs to its parent
    collector.close()
    # Collapse runs of empty lines left by nested blocks.
    out: list[str] = []
    for line in collector.lines:
        line = line.rstrip()
        if not line.strip(" >") and out and not out[-1].strip(" >"):
            continue
        out.append(line)
    return "\n".join(out).strip("\n")
