"""parse_message on real-looking mail: what intake relies on, client by client."""

from __future__ import annotations

import hashlib
import io
import time
from datetime import UTC, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP, default
from pathlib import Path

import pytest
from docx import Document

from samverkan.intake.reading.parse import (
    Limits,
    ParsedMessage,
    ParseError,
    parse_message,
    strip_subject_prefixes,
)


def make_pdf(lines: list[str]) -> bytes:
    """A minimal valid one-page PDF whose text pypdf can extract (hand-written objects)."""

    def pdf_string(text: str) -> bytes:
        raw = text.encode("cp1252")
        return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"

    content = (
        b"BT /F1 12 Tf 72 770 Td 16 TL "
        + b" T* ".join(pdf_string(line) + b" Tj" for line in lines)
        + b" ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def make_docx(paragraphs: list[str], table: list[list[str]]) -> bytes:
    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    grid = document.add_table(rows=len(table), cols=len(table[0]))
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


FIXTURES = Path(__file__).parent.parent / "fixtures" / "parse"


def fixture(name: str) -> ParsedMessage:
    return parse_message((FIXTURES / name).read_bytes())


def build(
    *,
    subject: str = "Ansökan om samverkansstöd",
    body: str = "Hej, vi söker stöd för Norra Sofielund.",
    attachments: list[tuple[bytes, str, str]] | None = None,
) -> bytes:
    """A message as Python's own generator would write it, with (data, type, filename) files."""
    message = EmailMessage()
    message["From"] = "Anna Ström <anna@sofielundsvanner.se>"
    message["To"] = "samverkan@malmo.se"
    message["Subject"] = subject
    message["Date"] = "Fri, 13 Mar 2026 09:00:00 +0100"
    message["Message-ID"] = "<test-1@sofielundsvanner.se>"
    message.set_content(body)
    for data, ctype, filename in attachments or []:
        maintype, subtype = ctype.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes(policy=SMTP)


# Replies from the clients actors use -------------------------------------------------------


def test_outlook_reply_separates_new_text_signature_and_quote() -> None:
    msg = fixture("outlook_reply_sv.eml")

    assert msg.subject == "SV: SAM-2026-0007 Komplettering av er ansökan"
    assert (msg.sender_name, msg.sender_addr) == (
        "Anna Ström",
        "anna.strom@sofielundsfastigheter.se",
    )
    assert msg.cc == ("erik.bengtsson@sofielundsfastigheter.se",)
    assert msg.in_reply_to == "<SAM-2026-0007.komplettering.1@samverkan.malmo.se>"
    assert msg.references == ("<SAM-2026-0007.komplettering.1@samverkan.malmo.se>",)
    assert msg.message_id is not None
    assert msg.message_id.startswith("<AM6PR03MB5012")
    assert msg.message_id.endswith(">")
    assert msg.date == datetime(2026, 3, 4, 7, 41, 5, tzinfo=UTC)
    # A part labelled iso-8859-1 that carries Windows-1252's en dash (0x96).
    assert "1 april 2026 – 31 mars 2028 (24 månader)" in msg.new_text
    assert "Skickat:" not in msg.new_text
    assert "behöver vi" not in msg.new_text
    assert msg.new_text.endswith("300 timmar ideellt arbete från föreningen.")
    assert msg.signature.startswith("Med vänliga hälsningar\nAnna Ström")
    assert "070-123 45 67" in msg.signature
    assert "Från: Samverkan <samverkan@malmo.se>" in msg.quoted_text
    # Plain text is preferred to the HTML alternative: no markup leaks into the text.
    assert "<div" not in msg.text
    assert "appendonsend" not in msg.text


def test_gmail_reply_drops_wrapped_attribution_and_quote() -> None:
    msg = fixture("gmail_reply_sv.eml")

    assert msg.new_text.startswith("Hej!\n\nVi i Lorensborgs boendeförening")
    assert msg.new_text.endswith("/Johan")
    assert "skrev" not in msg.new_text
    assert "Tack för er ansökan" not in msg.new_text
    assert "> Tack för er ansökan" in msg.quoted_text
    assert msg.sender_addr == "johan.lindqvist@gmail.com"


def test_apple_mail_flowed_reply_joins_lines_and_finds_device_signature() -> None:
    msg = fixture("apple_mail_reply_sv.eml")

    assert msg.new_text == (
        "Hej! Föreningen Limhamns Handlare bidrar med 50 000 kr och våra medlemmar lägger "
        "ungefär 10 timmar i månaden."
    )
    assert msg.signature == "Skickat från min iPhone"
    assert "Vad bidrar ni själva med?" in msg.quoted_text


# Bodies and charsets -----------------------------------------------------------------------


def test_html_only_mail_reads_as_text_with_links_and_lists() -> None:
    msg = fixture("html_only_newsletter_style.eml")

    assert msg.content_type == "text/html"
    assert msg.subject == "Ansökan om samverkansstöd för Seved"
    assert msg.sender_name == "Seveds kulturförening"
    assert "torget i Seved (https://sv.wikipedia.org/wiki/Seved)." in msg.new_text
    assert "- finansiering: 350 000 kr\n- processtöd för tre workshoppar" in msg.new_text
    assert "vår sida om projektet (https://seveds-kulturforening.se/torget)" in msg.new_text
    for hidden in ("trackOpen", "font-family", "Förhandsvisning", "<p>"):
        assert hidden not in msg.text
    assert "\n\nHej Malmö stad!\n\n" in msg.text  # paragraphs stay paragraphs
    assert msg.signature.startswith("Med vänliga hälsningar\nFatima Ali\nOrdförande")


def test_windows_1252_body_and_encoded_word_subject() -> None:
    msg = fixture("windows1252_body.eml")

    assert msg.subject == "“Trygga Sofielund” – ansökan"
    assert "för ”Trygga Sofielund” – ett samarbete" in msg.new_text
    assert "120 000 kr … vi bidrar" in msg.new_text
    assert msg.signature == "Mvh Per Öberg"


def test_raw_8bit_headers_and_bogus_body_charset() -> None:
    msg = fixture("raw_8bit_headers_bogus_charset.eml")

    assert msg.subject == "Ansökan"  # =?iso-8859-1?Q?Ans=F6kan?=
    assert msg.sender_name == "Göran Åberg"
    assert msg.headers["x-original-subject"] == "Ansökan om stöd för Limhamns hamn"
    assert "Limhamns båtklubb och hamnens företagare" in msg.new_text


def test_missing_and_garbage_headers_degrade_to_none() -> None:
    raw = (
        b"From: <<<>>>\r\n"
        b"Subject: =?bogus-charset?Q?Ans=F6kan?= om =?utf-8?B?!!!notbase64?=\r\n"
        b"Date: i tisdags efter lunch\r\n"
        b"Message-ID: ansokan-utan-vinkelparenteser@example.se\r\n"
        b"References: skr\xe4p <a@b> <c@d>\r\n"
        b"Content-Type: garbage/;;;;charset==\r\n"
        b"Content-Transfer-Encoding: x-nonsense\r\n"
        b"\r\n"
        b"Hej, vi s\xf6ker st\xf6d.\r\n"
    )
    msg = parse_message(raw)

    assert msg.sender_addr is None
    assert msg.date is None
    assert msg.message_id == "<ansokan-utan-vinkelparenteser@example.se>"
    assert msg.references == ("<a@b>", "<c@d>")
    assert msg.subject.startswith("Ansökan om ")
    assert msg.new_text == "Hej, vi söker stöd."


def test_encoded_words_joined_when_a_character_is_split_between_them() -> None:
    # "ö" is c3 b6 in UTF-8; this sender cut it across two encoded words.
    raw = b"From: a@b.se\r\nSubject: =?utf-8?B?QW5zww==?= =?utf-8?B?tmthbg==?=\r\n\r\nx\r\n"
    assert parse_message(raw).subject == "Ansökan"


def test_broken_base64_part_does_not_sink_the_message() -> None:
    raw = (
        b"From: a@b.se\r\nSubject: Ansokan\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nVi s\xc3\xb6ker st\xc3\xb6d.\r\n"
        b"--b\r\nContent-Type: application/pdf; name=a.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n%%%% not base64 at all ====\r\n"
        b"--b--\r\n"
    )
    msg = parse_message(raw)

    assert msg.new_text == "Vi söker stöd."
    assert len(msg.attachments) == 1
    assert msg.attachments[0].filename == "a.pdf"
    assert msg.attachments[0].text is None


def test_text_is_cut_at_the_limit() -> None:
    msg = parse_message(build(body="ord " * 5000), Limits(max_text_chars=1000))

    assert len(msg.text) == 1000
    assert any("kortades" in defect for defect in msg.defects)


# Forwards and attached messages ------------------------------------------------------------


def test_inline_forward_keeps_forwarder_note_and_forwarded_message() -> None:
    msg = fixture("forwarded_inline_sv.eml")

    assert msg.subject == "Fwd: Ansökan om stöd – Västra Hamnen"
    assert (
        msg.new_text == "Hej, den här kom till min inkorg. Kan ni lägga upp ett ärende?\n\n/Maria"
    )
    (forward,) = msg.forwards
    assert forward.sender_addr == "oskar@vastrahamnen-foretagare.se"
    assert forward.sender_name == "Oskar Berg"
    assert forward.subject == "Ansökan om stöd – Västra Hamnen"
    assert forward.text.startswith("Hej Maria,\n\nVästra Hamnens företagarförening och HSB")


def test_attached_message_is_parsed_recursively() -> None:
    msg = fixture("attached_eml.eml")

    assert msg.new_text == "Hej! Bifogar ansökan som kom till mig.\n\nMaria"
    (inner,) = msg.attached_messages
    assert inner.subject == "Ansökan om processtöd"
    assert inner.sender_addr == "oskar@vastrahamnen-foretagare.se"
    assert inner.message_id == "<original-0311@vastrahamnen-foretagare.se>"
    assert inner.new_text == "Hej,\n\nVi söker processtöd för Dockan i Västra Hamnen."
    assert inner.signature == "Mvh\nOskar"
    assert len(inner.digest) == 64
    assert inner.digest != msg.digest
    assert msg.attachments == ()


def test_attached_messages_nest_only_to_a_limited_depth() -> None:
    raw = build(body="Innersta ansökan")
    for level in range(6):
        outer = EmailMessage()
        outer["From"] = f"nivå{level}@example.se"
        outer["Subject"] = f"VB: nivå {level}"
        outer.set_content(f"Nivå {level}")
        outer.add_attachment(message_from_bytes(raw, policy=default))
        raw = outer.as_bytes()
    msg = parse_message(raw)

    depth = 0
    current = msg
    while current.attached_messages:
        current = current.attached_messages[0]
        depth += 1
    assert depth == 3
    assert any("för många nivåer" in defect for defect in current.defects)


# Attachments -------------------------------------------------------------------------------


def test_pdf_and_docx_attachments_give_their_text() -> None:
    pdf = make_pdf(["Ansökan om samverkansstöd", "Område: Norra Sofielund"])
    docx = make_docx(
        ["Ansökan från Sofielunds Vänner", "Vi vill utveckla Norra Sofielund."],
        [["Stödform", "Belopp"], ["Finansiering", "350 000 kr"]],
    )
    msg = parse_message(
        build(
            attachments=[
                (pdf, "application/pdf", "ansokan.pdf"),
                (docx, "application/octet-stream", "ansokan.docx"),
            ]
        )
    )

    pdf_part, docx_part = msg.attachments
    assert pdf_part.filename == "ansokan.pdf"
    assert pdf_part.content_type == "application/pdf"
    assert pdf_part.size == len(pdf)
    assert pdf_part.data == pdf
    assert pdf_part.text == "Ansökan om samverkansstöd\nOmråde: Norra Sofielund"
    assert docx_part.claimed_type == "application/octet-stream"
    assert docx_part.content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert docx_part.text is not None
    assert "Vi vill utveckla Norra Sofielund." in docx_part.text
    assert "Finansiering | 350 000 kr" in docx_part.text
    assert msg.new_text == "Hej, vi söker stöd för Norra Sofielund."


def test_mislabelled_attachment_is_typed_by_content() -> None:
    (attachment,) = fixture("mislabelled_png_is_pdf.eml").attachments

    assert attachment.filename == "ansokan.png"
    assert attachment.claimed_type == "image/png"
    assert attachment.content_type == "application/pdf"
    assert attachment.text is not None
    assert "org.nr 802457-3167" in attachment.text


def test_broken_pdf_gives_no_text_but_keeps_the_file() -> None:
    broken = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\nthis is not a pdf\n"
    (attachment,) = parse_message(
        build(attachments=[(broken, "application/pdf", "trasig.pdf")])
    ).attachments

    assert attachment.content_type == "application/pdf"
    assert attachment.data == broken
    assert attachment.text is None


def test_oversized_attachment_keeps_metadata_only() -> None:
    data = make_pdf(["stor"]) + b"%" * 5000
    msg = parse_message(
        build(attachments=[(data, "application/pdf", "stor.pdf")]),
        Limits(max_attachment_bytes=1000),
    )

    (attachment,) = msg.attachments
    assert attachment.filename == "stor.pdf"
    assert attachment.size == len(data)
    assert attachment.claimed_type == "application/pdf"
    assert attachment.data == b""
    assert attachment.text is None
    assert attachment.skipped_reason is not None
    assert "för stor" in attachment.skipped_reason


def test_text_attachment_is_charset_detected() -> None:
    data = "Budget för Seved – 120 000 kr".encode("cp1252")
    (attachment,) = parse_message(
        build(attachments=[(data, "application/octet-stream", "budget.txt")])
    ).attachments

    assert attachment.content_type == "text/plain"
    assert attachment.text == "Budget för Seved – 120 000 kr"


def test_image_attachment_has_no_text() -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
    (attachment,) = parse_message(build(attachments=[(png, "image/png", "karta.png")])).attachments

    assert attachment.content_type == "image/png"
    assert attachment.text is None


# When there is nothing to read -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "tomt meddelande"),
        (b" \r\n\r\n\t", "tomt meddelande"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "inte ett e-postmeddelande"),
        (bytes(range(256)) * 4, "inte ett e-postmeddelande"),
        (b"From: \r\nSubject: \r\n\r\n   \r\n", "inget läsbart innehåll"),
    ],
)
def test_unusable_input_raises_parse_error_with_swedish_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse_message(raw)


def test_message_over_the_size_limit_is_refused() -> None:
    raw = build(body="x" * 2000)
    with pytest.raises(ParseError, match="för stort"):
        parse_message(raw, Limits(max_message_bytes=1000))


def test_digest_is_sha256_of_the_raw_bytes() -> None:
    raw = (FIXTURES / "windows1252_body.eml").read_bytes()
    assert parse_message(raw).digest == hashlib.sha256(raw).hexdigest()


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("SV: SAM-2026-0001 Komplettering", "SAM-2026-0001 Komplettering"),
        ("Sv: VB: Re: Ansökan", "Ansökan"),
        ("RE:Fwd: FW:  Ansökan", "Ansökan"),
        ("Re[2]: Ansökan", "Ansökan"),
        ("Ansökan: Seved", "Ansökan: Seved"),
        ("Svar på frågan", "Svar på frågan"),
        ("Revision av budget", "Revision av budget"),
    ],
)
def test_strip_subject_prefixes(subject: str, expected: str) -> None:
    assert strip_subject_prefixes(subject) == expected


def test_html_only_outlook_reply_is_split_like_plain_text() -> None:
    html = (
        '<html><body><div style="font-family:Calibri">Vi bidrar med 40&nbsp;000 kr.</div>'
        "<div><br></div><div>Mvh<br>Per</div>"
        '<hr style="display:inline-block;width:98%"><div id="divRplyFwdMsg">'
        "<b>Från:</b> Samverkan &lt;samverkan@malmo.se&gt;<br><b>Skickat:</b> den 3 mars 2026"
        "<br><b>Till:</b> Per<br><b>Ämne:</b> Egen insats</div><div>Vad bidrar ni med?</div>"
        "</body></html>"
    )
    message = EmailMessage()
    message["From"] = "per@example.se"
    message["Subject"] = "SV: Egen insats"
    message.set_content(html, subtype="html")
    msg = parse_message(message.as_bytes())

    assert msg.new_text == "Vi bidrar med 40 000 kr."
    assert msg.signature == "Mvh\nPer"
    assert "Vad bidrar ni med?" in msg.quoted_text


def test_html_only_gmail_reply_blockquote_is_quoted() -> None:
    html = (
        '<div dir="ltr">Två år.</div><br><div class="gmail_quote"><div class="gmail_attr">'
        "Den tis 3 mars 2026 kl 10:12 skrev Samverkan &lt;samverkan@malmo.se&gt;:<br></div>"
        "<blockquote>Hur länge?</blockquote></div>"
    )
    message = EmailMessage()
    message["From"] = "johan@example.se"
    message["Subject"] = "Re: Tidsram"
    message.set_content(html, subtype="html")
    msg = parse_message(message.as_bytes())

    assert msg.new_text == "Två år."
    assert "> Hur länge?" in msg.quoted_text


def test_rfc2231_filename_and_inline_logo() -> None:
    raw = (
        b"From: a@b.se\r\nSubject: Bilagor\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/related; boundary="r"\r\n\r\n'
        b"--r\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSe bilagan.\r\n"
        b"--r\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="Ansokan.pdf";\r\n'
        b" filename*=utf-8''Ans%C3%B6kan%20Seved.pdf\r\n\r\n%PDF-1.4 trasig\r\n"
        b"--r\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ\r\n"
        b"--r--\r\n"
    )
    pdf, logo = parse_message(raw).attachments

    assert pdf.filename == "Ansökan Seved.pdf"
    assert pdf.inline is False
    assert logo.content_type == "image/png"
    assert logo.inline is True
    assert logo.content_id == "<logo@x>"


@pytest.mark.parametrize("hostile", ["<!--" * 50_000, "</" * 100_000, "<a " * 60_000])
def test_hostile_html_is_converted_in_linear_time(hostile: str) -> None:
    # Python 3.11's html.parser needs tens of seconds for the first of these.
    message = EmailMessage()
    message["From"] = "a@b.se"
    message["Subject"] = "Ansökan"
    message.set_content(f"<p>Vi söker stöd.</p>{hostile}", subtype="html")
    started = time.perf_counter()
    msg = parse_message(message.as_bytes())

    assert time.perf_counter() - started < 2
    assert msg.text.startswith("Vi söker stöd.")


@pytest.mark.parametrize(
    ("header", "check"),
    [
        (b"From: " + b"(" * 5000, "sender"),
        (b"Content-Type: text/plain " + b"(" * 5000, "text"),
        (b"Content-Transfer-Encoding: base64 " + b"(" * 5000, "text"),
        (b"Content-Type: text/plain; " + b'a="b;' * 50_000, "text"),
    ],
)
def test_hostile_headers_neither_crash_nor_stall(header: bytes, check: str) -> None:
    # Nested comments make the stdlib's header parsers recurse; long parameter lists make
    # them quadratic (minutes for this Content-Type without a bound).
    raw = (
        b"From: anna@b.se\r\nSubject: Ans\xc3\xb6kan\r\n"
        + header
        + b"\r\n\r\nVi s\xc3\xb6ker st\xc3\xb6d.\r\n"
    )
    if check == "sender":
        raw = raw.replace(b"From: anna@b.se\r\n", b"", 1)
    started = time.perf_counter()
    msg = parse_message(raw)

    assert time.perf_counter() - started < 2
    assert msg.subject == "Ansökan"
    if check == "text":
        assert msg.text == "Vi söker stöd."
    else:
        assert msg.sender_addr is None
