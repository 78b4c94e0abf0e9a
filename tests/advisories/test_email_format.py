"""Alert emails serialise to the same message as Django's own, only with less work."""

import email
from email.policy import compat32

from django.core.mail import EmailMultiAlternatives
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
