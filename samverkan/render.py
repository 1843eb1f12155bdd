"""Jinja2 rendering for e-mails, chat messages and the committee memo.

Templates take view-model dicts, never ORM rows. HTML templates are autoescaped, so an actor's
text can never become markup; ``StrictUndefined`` turns a missing value into an error in tests
instead of an empty gap in a letter to a citizen. Every value a template prints is cleaned
by :func:`~samverkan.rules.text.clean_actor_text` first, like every chat renderer does.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from samverkan.rules.text import clean_actor_text, format_sek


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("samverkan", "templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The templates ship inside the package and never change while the process runs;
        # without this every render would stat its template files again.
        auto_reload=False,
        finalize=_clean,
    )
    env.filters["sek"] = format_sek
    return env


def _clean(value: Any) -> Any:
    """Every ``{{ … }}`` output passes here before escaping: the values are the actor's words
    (names, subjects, quoted text), so they lose control and bidi characters in every template,
    text and HTML alike."""
    if isinstance(value, Markup):  # already markup (``|safe``): keep it so, cleaned
        return Markup(clean_actor_text(str(value)))  # noqa: S704 - the input was Markup
    return clean_actor_text(value) if isinstance(value, str) else value


def render(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str | None


@cache
def _has_template(name: str) -> bool:
    """Listing the templates walks the package directory: once per name is enough."""
    return name in environment().list_templates()


def render_email(name: str, **context: Any) -> RenderedEmail:
    """Render the ``email/<name>.subject.txt``, ``.txt`` and (if present) ``.html`` triplet."""
    env = environment()
    subject = " ".join(env.get_template(f"email/{name}.subject.txt").render(**context).split())
    text = env.get_template(f"email/{name}.txt").render(**context)
    html_name = f"email/{name}.html"
    html = env.get_template(html_name).render(**context) if _has_template(html_name) else None
    return RenderedEmail(subject=subject, text=text, html=html)
