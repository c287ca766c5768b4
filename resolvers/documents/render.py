"""HTML to PDF: Jinja2 templates under templates/ and WeasyPrint, with the fonts shipped beside
them (templates/fonts, loaded through the base_url) and one FontConfiguration per process."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from rules.documents import DocumentKind, Language, template_name

__all__ = ["TEMPLATES_DIR", "html_of", "page_html", "pdf_of_html", "qr_data_uri", "render_pdf"]

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
PDF_VARIANT = "pdf/a-3b"


@functools.cache
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,  # a missing field fails the job, never prints an empty line
    )


@functools.cache
def _fonts() -> Any:
    """One per process: building it scans and caches the fonts (it halves the render time)."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def qr_data_uri(url: str) -> str:
    """The verification link as an SVG QR code (error correction M, its own quiet zone)."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=4)


def html_of(kind: DocumentKind, language: Language, context: dict[str, Any]) -> str:
    return _env().get_template(template_name(kind, language)).render(lang=language.value, **context)


def page_html(template: str, **context: Any) -> str:
    """A page that is not a document (the public verification page)."""
    return _env().get_template(template).render(**context)


def pdf_of_html(html: str) -> bytes:
    from weasyprint import HTML

    # PDF/A-3b: the archival profile (fonts embedded, XMP identification, an output intent), the
    # one that keeps a signed decision readable for as long as it must be kept.
    return HTML(string=html, base_url=str(TEMPLATES_DIR) + "/").write_pdf(font_config=_fonts(), pdf_variant=PDF_VARIANT)


def render_pdf(kind: DocumentKind, language: Language, context: dict[str, Any]) -> bytes:
    """The unsigned PDF of one document (CPU-bound: run it in a thread from async code)."""
    return pdf_of_html(html_of(kind, language, context))
