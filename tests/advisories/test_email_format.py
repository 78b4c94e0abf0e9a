"""Alert emails serialise to the same message as Django's own, only with less work."""

import email
from email.policy import compat32

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from hypothesis import example, given
from hypothesis import strategies as st

from advisories import email_format
from advisories.email_format import QUICK_FOLD, AlertEmail

HEADER_NAMES = st.sampled_from(["Subject", "To", "List-Unsubscribe", "Message-ID", "X-Note"])
PRINTABLE_ASCII = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=90)


@given(name=HEADER_NAMES, value=PRINTABLE_ASCII)
@example(name="Subject", value="Wonsan-Kalma zone: " + "suspended for foreign visitors " * 3)
def test_a_printable_ascii_header_folds_exactly_as_compat32_folds_it(name, value):
    for linesep in ("\n", "\r\n"):
        quick, standard = QUICK_FOLD.clone(linesep=linesep), compat32.clone(linesep=linesep)
        assert quick.fold_binary(name, value) == standard.fold_binary(name, value)


@given(name=HEADER_NAMES, value=st.text(max_size=200))
def test_any_header_text_folds_exactly_as_compat32_folds_it(name, value):
    assert QUICK_FOLD.fold_binary(name, value) == compat32.fold_binary(name, value)


def _pair(**fields) -> tuple[EmailMultiAlternatives, AlertEmail]:
    def build(cls):
        message = cls(
            subject=fields.get("subject", "Wonsan-Kalma: restricted → suspended"),
            body=fields.get("text", "The resort is not receiving foreign tourists.\n"),
            from_email="Portcullis <alerts@portcullis.example.org>",
            to=["Reader <reader@example.org>"],
            headers={
                "List-Unsubscribe": "<https://portcullis.example.org/alerts/unsubscribe/"
                + "x" * 120
                + "/>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Message-ID": "<alert.7@portcullis.example.org>",
            },
        )
        message.attach_alternative(
            fields.get("html", "<p>Not receiving tourists.</p>"), "text/html"
        )
        return message

    return build(EmailMultiAlternatives), build(AlertEmail)


def _parsed(message: EmailMultiAlternatives) -> email.message.Message:
    return email.message_from_bytes(message.message().as_bytes(linesep="\r\n"))


def test_an_alert_email_reads_back_as_the_same_message_as_djangos():
    standard, quick = (_parsed(m) for m in _pair())
    ignored = {"Content-Type", "Date"}  # the boundary is random, the date is now
    assert [(k, v) for k, v in quick.items() if k not in ignored] == [
        (k, v) for k, v in standard.items() if k not in ignored
    ]
    assert quick.get_content_type() == standard.get_content_type() == "multipart/alternative"
    assert [(p.get_content_type(), p.get_payload(decode=True)) for p in quick.get_payload()] == [
        (p.get_content_type(), p.get_payload(decode=True)) for p in standard.get_payload()
    ]


def test_a_boundary_that_occurs_in_the_body_is_never_used(monkeypatch):
    token = "0123456789abcdef0123456789abcdef"
    monkeypatch.setattr(email_format.secrets, "token_hex", lambda _n: token)
    _, quick = _pair(text=f"A notice quoting ==============={token}== in its text.\n")
    message = quick.message()
    assert message.get_boundary() is None or token not in message.get_boundary()
    parsed = _parsed(quick)
    assert len(parsed.get_payload()) == 2
    assert token.encode() in parsed.get_payload()[0].get_payload(decode=True)


def test_an_alert_email_uses_its_own_random_boundary_when_it_is_safe():
    _, quick = _pair()
    first, second = quick.message().get_boundary(), quick.message().get_boundary()
    assert first.startswith("===============") and first != second


# --- wire templates ---------------------------------------------------------------------------

SLOT = "stand-in-0f3a9c"
HEADER_SLOTS = {
    "To": f"{SLOT}-to@slot.invalid",
    "Date": f"{SLOT}-date",
    "List-Unsubscribe": f"{SLOT}-unsubscribe",
    "Message-ID": f"{SLOT}-id",
}
BODY_SLOTS = {"email": f"{SLOT}-email-", "link": f"{SLOT}-link-"}
ADDRESSES = st.one_of(
    st.from_regex(email_format._PLAIN_ADDRESS, fullmatch=True),
    st.sampled_from(
        [
            "jürgen@example.org",
            "reader@bücher.example",
            '"two words"@example.org',
            "Reader <reader@example.org>",
            "a..b@example.org",
        ]
    ),
)
VALUES = st.one_of(st.text(max_size=400), PRINTABLE_ASCII, st.just("x" * 990))


def _email(*, text: str, html: str, values: dict[str, str]) -> AlertEmail:
    message = AlertEmail(
        subject="Wonsan-Kalma: restricted → suspended",
        body=text,
        from_email="Portcullis <alerts@portcullis.example.org>",
        to=[values["To"]],
        headers={
            "Date": values["Date"],
            "List-Unsubscribe": values["List-Unsubscribe"],
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": values["Message-ID"],
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _djangos_bytes(message: AlertEmail, *, boundary: str) -> bytes:
    mime = message.message()
    mime.set_boundary(boundary)
    return mime.as_bytes(linesep="\r\n")


@given(
    before=st.text(max_size=300),
    after=st.text(max_size=1200),
    to=ADDRESSES,
    link=VALUES,
    unsubscribe=VALUES,
)
@example(
    before="Tom & Jerry ",
    after=" zone.\n",
    to="o'brien&co@example.org",
    link="https://x/",
    unsubscribe="<https://x/u/>",
)
@example(before="a" * 900, after="b", to="reader@example.org", link="l" * 200, unsubscribe="u")
def test_a_wire_is_byte_for_byte_what_django_writes_for_that_reader_or_nothing(
    before, after, to, link, unsubscribe
):
    def text(values: dict[str, str]) -> str:
        return f"{before}{values['email']} reads {values['link']}{after}"

    template = email_format.WireTemplate.build(
        _email(text=text(BODY_SLOTS), html=f"<p>{text(BODY_SLOTS)}</p>", values=HEADER_SLOTS),
        header_slots=HEADER_SLOTS,
        body_slots=BODY_SLOTS,
    )
    headers = {
        "To": to,
        "Date": "Wed, 16 Jul 2025 12:00:00 -0000",
        "List-Unsubscribe": unsubscribe,
        "Message-ID": "<alert.7@portcullis.example.org>",
    }
    body = {"email": to, "link": link}
    if template is None:  # e.g. a line over 998 octets: Django quoted-printable encodes it
        return
    wire = template.wire(headers=headers, body=body)
    if wire is None:
        return
    reader = _email(text=text(body), html=f"<p>{text(body)}</p>", values=headers)
    assert wire.data == _djangos_bytes(reader, boundary=template.boundary)
    assert wire.sender == sanitize_address(reader.from_email, "utf-8")
    assert wire.recipients == [sanitize_address(to, "utf-8")]


def _template(text: str = "Hello EMAIL, see LINK.\n") -> email_format.WireTemplate:
    def filled(values: dict[str, str]) -> str:
        return text.replace("EMAIL", values["email"]).replace("LINK", values["link"])

    template = email_format.WireTemplate.build(
        _email(text=filled(BODY_SLOTS), html=filled(BODY_SLOTS), values=HEADER_SLOTS),
        header_slots=HEADER_SLOTS,
        body_slots=BODY_SLOTS,
    )
    assert template is not None
    return template


def _reader_values(to: str = "reader@example.org", link: str = "https://p.example/m/1/"):
    headers = {
        "To": to,
        "Date": "Wed, 16 Jul 2025 12:00:00 -0000",
        "List-Unsubscribe": f"<{link}>",
        "Message-ID": "<alert.7@portcullis.example.org>",
    }
    return headers, {"email": to, "link": link}


def test_a_plain_reader_gets_the_bytes_django_writes_for_them():
    headers, body = _reader_values()
    template = _template()
    wire = template.wire(headers=headers, body=body)
    reader = _email(
        text="Hello reader@example.org, see https://p.example/m/1/.\n",
        html="Hello reader@example.org, see https://p.example/m/1/.\n",
        values=headers,
    )
    assert wire is not None
    assert wire.data == _djangos_bytes(reader, boundary=template.boundary)
    assert wire.recipients == ["reader@example.org"]
    assert wire.sender == "Portcullis <alerts@portcullis.example.org>"


@pytest.mark.parametrize(
    "to", ["jürgen@example.org", "reader@bücher.example", '"two words"@example.org']
)
def test_an_address_django_would_rewrite_gets_no_wire(to):
    headers, body = _reader_values(to=to)
    assert _template().wire(headers=headers, body=body) is None


def test_a_value_with_a_line_break_gets_no_wire():
    headers, body = _reader_values()
    headers["List-Unsubscribe"] = "<https://p.example/>\r\nBcc: victim@example.org"
    assert _template().wire(headers=headers, body=body) is None


def test_a_value_that_would_push_a_line_past_998_octets_gets_no_wire():
    headers, body = _reader_values(link="https://p.example/" + "l" * 990)
    assert _template().wire(headers=headers, body=body) is None


def test_a_part_django_must_quote_gets_no_template():
    assert (
        email_format.WireTemplate.build(
            _email(text="x" * 1000 + BODY_SLOTS["email"], html="<p></p>", values=HEADER_SLOTS),
            header_slots=HEADER_SLOTS,
            body_slots=BODY_SLOTS,
        )
        is None
    )


@given(address=st.from_regex(email_format._PLAIN_ADDRESS, fullmatch=True))
def test_django_leaves_an_address_the_wire_takes_as_it_is(address):
    assert sanitize_address(address, "utf-8") == address
