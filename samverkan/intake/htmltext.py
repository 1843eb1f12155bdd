"""HTML mail bodies as readable plain text.

Quote detection, extraction and officials all work on plain text, so an HTML-only message must
read like the plain-text part its sender never wrote: paragraphs as blank-line separated blocks,
list items on their own lines, links as ``text (url)`` so an address is not lost, and nothing
from ``<script>``, ``<style>`` or ``<head>``. Quoted earlier messages (``<blockquote>``) get the
``> `` prefix a plain-text client would have written, so one quote detector serves both.

The stdlib ``html.parser`` is used directly: it is forgiving with broken markup, needs no tree,
and keeps the conversion a single pass (html2text would fit but is GPL).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["html_to_text"]

# Elements whose content is never shown to a reader.
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "object", "svg"})
# Elements that start a new line.
_BLOCK = frozenset(
    {
        "div", "section", "article", "header", "footer", "nav", "aside", "main", "center",
        "table", "thead", "tbody", "tfoot", "form", "fieldset", "address", "figure",
        "dl", "dt", "dd", "hr", "ul", "ol",
    }
)  # fmt: skip
# Elements that are separated from their neighbours by a blank line.
_PARAGRAPH = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "pre"})
_VOID = frozenset({"br", "img", "hr", "meta", "link", "input", "col", "wbr", "area", "base"})
_SPACE_RUN = re.compile(r"[ \t\r\n\f\v\u00a0\u200b]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


class _TextCollector(HTMLParser):
    """Collects text line by line; block structure becomes newlines, inline runs are collapsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self._current: list[str] = []
        self._skip_depth = 0
        self._skip_stack: list[str] = []
        self._quote_depth = 0
        self._pre_depth = 0
        self._list_stack: list[list[int]] = []  # per list: [is_ordered, counter]
        self._links: list[str] = []  # hrefs of the open <a> elements
        self._link_text: list[list[str]] = []
        self._pending_blank = False
        self._last_depth = 0
        self._cell_open = False

    # Line handling -------------------------------------------------------------------------

    def _prefix(self) -> str:
        return "> " * self._quote_depth

    def _flush(self) -> None:
        text = "".join(self._current).strip(" ")
        self._current = []
        if text:
            depth = self._quote_depth
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

    def _newline(self) -> None:
        self._flush()

    def _blank(self) -> None:
        self._flush()
        self._pending_blank = True

    def _write(self, text: str) -> None:
        if self._link_text:
            self._link_text[-1].append(text)
        self._current.append(text)

    # Parser callbacks ----------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_depth:
            if tag in _SKIP or (
                tag not in _VOID and self._skip_stack and tag == self._skip_stack[-1]
            ):
                self._skip_depth += 1
                self._skip_stack.append(tag)
            return
        attr = dict(attrs)
        style = attr.get("style") or ""
        if tag in _SKIP or (tag not in _VOID and style and _HIDDEN_STYLE.search(style)):
            self._skip_depth = 1
            self._skip_stack = [tag]
            return
        if tag == "br":
            self._newline()
        elif tag in _PARAGRAPH:
            self._blank()
            if tag == "pre":
                self._pre_depth += 1
        elif tag == "blockquote":
            self._blank()
            self._quote_depth += 1
        elif tag == "li":
            self._newline()
            if self._list_stack and self._list_stack[-1][0]:
                self._list_stack[-1][1] += 1
                self._write(f"{self._list_stack[-1][1]}. ")
            else:
                self._write("- ")
        elif tag in ("ul", "ol"):
            self._newline()
            self._list_stack.append([1 if tag == "ol" else 0, 0])
        elif tag == "tr":
            self._newline()
            self._cell_open = False
        elif tag in ("td", "th"):
            if self._cell_open:
                self._write(" | ")
            self._cell_open = True
        elif tag in _BLOCK:
            self._newline()
        elif tag == "a":
            self._links.append(attr.get("href") or "")
            self._link_text.append([])
        elif tag == "img":
            alt = (attr.get("alt") or "").strip()
            if alt:
                self._write(alt)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self.handle_starttag(tag, attrs)
        else:
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._skip_depth:
            if self._skip_stack and tag == self._skip_stack[-1]:
                self._skip_stack.pop()
                self._skip_depth -= 1
            return
        if tag in _PARAGRAPH:
            if tag == "pre" and self._pre_depth:
                self._pre_depth -= 1
            self._blank()
        elif tag == "blockquote":
            self._flush()
            self._quote_depth = max(0, self._quote_depth - 1)
            self._pending_blank = True
        elif tag in ("ul", "ol"):
            if self._list_stack:
                self._list_stack.pop()
            self._newline()
        elif tag == "a" and self._links:
            href = self._links.pop()
            shown = _SPACE_RUN.sub(" ", "".join(self._link_text.pop())).strip()
            self._write(_link_suffix(shown, href))
        elif tag in _BLOCK or tag == "li" or tag == "tr":
            self._newline()

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._pre_depth:
            parts = data.split("\n")
            for i, part in enumerate(parts):
                if i:
                    self._newline()
                self._write(part)
            return
        text = _SPACE_RUN.sub(" ", data)
        if text == " " and (not self._current or self._current[-1].endswith(" ")):
            return
        self._write(text)

    def close(self) -> None:
        super().close()
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


def html_to_text(html: str) -> str:
    """Render an HTML body as plain text a person (and the quote detector) can read."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = [line.rstrip() for line in collector.lines]
    # Collapse runs of empty lines left by nested blocks.
    out: list[str] = []
    for line in lines:
        if not line.strip(" >") and out and not out[-1].strip(" >"):
            continue
        out.append(line)
    return "\n".join(out).strip("\n")
