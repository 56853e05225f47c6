"""The page a browser shows after signing in to Quran.com (the OAuth callback, `bot.app.web`).

`bot.services.linking.complete_login` decides what happened and which HTTP status it is; this
module says it: a small self-contained page in the language the user chose (or their Telegram
app's), with its direction, and a button back to Telegram. The page never names the account the
Telegram user has linked now: its reader may be a stranger who opened a forwarded link.
"""

from __future__ import annotations

import html
from typing import assert_never

from bot.i18n import Translator, get_translator
from bot.presentation.text import isolated_name
from bot.services.linking import LOGIN_TTL, CallbackOutcome, CallbackProblem

_STYLE = (
    "body{font-family:system-ui,-apple-system,'Segoe UI',Tahoma,sans-serif;max-width:34rem;"
    "margin:3rem auto;padding:0 1.25rem;line-height:1.6;color:#1b1b1b;background:#fafaf7}"
    "h1{font-size:1.4rem;color:#1f5e4a}"
    "a.button{display:inline-block;margin-top:1rem;padding:.6rem 1.1rem;border-radius:.5rem;"
    "background:#1f5e4a;color:#fff;text-decoration:none}"
)


def callback_page(outcome: CallbackOutcome) -> str:
    """The HTML for what the OAuth callback did."""
    t = get_translator(outcome.language)
    if outcome.problem is None:
        return _almost_done_page(t, outcome.display_name, outcome.back_url)
    heading, body = _problem_text(t, outcome.problem, reason=outcome.reason)
    return render_page(t, heading, body, back_url=outcome.back_url)


def _almost_done_page(t: Translator, display_name: str | None, back_url: str | None) -> str:
    if display_name:
        heading = t.gettext(
            "Almost done: signed in to Quran.com as {name}",
            name=html.escape(isolated_name(display_name)),
        )
    else:
        heading = t.gettext("Almost done: signed in to Quran.com")
    body = " ".join(
        [
            t.gettext("Return to Telegram to finish linking."),
            t.gettext(
                "Nothing is linked until then, and only the Telegram account that asked for "
                "this sign-in link can finish it."
            ),
        ]
    )
    return render_page(t, heading, body, back_url=back_url, button=t.gettext("Finish in Telegram"))


def _problem_text(t: Translator, problem: CallbackProblem, *, reason: str) -> tuple[str, str]:
    """Heading and body for a callback that linked nothing, as trusted HTML."""
    if problem == "incomplete":
        return t.gettext("This link is incomplete"), t.gettext(
            "The sign-in page sent you back without the details I need. "
            "Please start again with /login in Telegram."
        )
    if problem == "cancelled":
        return t.gettext("Linking cancelled"), t.gettext(
            "You chose not to link your Quran.com account, so nothing was linked. "
            "You can try again any time with /login."
        )
    if problem == "refused":
        return t.gettext("Quran.com could not link your account"), t.gettext(
            "Quran.com stopped the sign-in ({reason}). Please try again with /login; "
            "if it keeps happening, tell the bot's maintainers.",
            reason=html.escape(reason),
        )
    if problem == "used":
        return t.gettext("This link was already used"), t.gettext(
            "Each login link works only once. If your account is not linked yet, "
            "send /login in Telegram for a new link."
        )
    if problem == "expired":
        return t.gettext("This link has expired"), t.gettext(
            "Login links work for {minutes} minutes. Send /login in Telegram for a new one.",
            minutes=t.number(int(LOGIN_TTL.total_seconds() // 60)),
        )
    if problem == "unverified":
        return t.gettext("This sign-in could not be verified"), t.gettext(
            "Nothing was linked. Please start again with /login in Telegram."
        )
    if problem == "not_accepted":
        return t.gettext("This sign-in could not be completed"), t.gettext(
            "Quran.com did not accept this sign-in (it may have been used already or "
            "taken too long). Nothing was linked. Please send /login in Telegram for a "
            "new link."
        )
    if problem == "unreachable":
        return t.gettext("Quran.com is not answering"), t.gettext(
            "I could not reach Quran.com to finish linking, so nothing was linked. "
            "Please try again in a few minutes with /login in Telegram."
        )
    if problem == "unknown":
        return t.gettext("This link is not valid"), t.gettext(
            "I don't recognise this sign-in. Login links only work from the chat "
            "they were sent to: send /login to me in Telegram for a new one."
        )
    assert_never(problem)


def render_page(
    t: Translator, heading: str, body: str, *, back_url: str | None, button: str | None = None
) -> str:
    """A self-contained page (no external assets) in the user's language and direction.

    `heading`, `body` and `button` are trusted HTML: callers escape every user or API value
    they put in.
    """
    link = ""
    if back_url:
        label = button or t.gettext("Return to Telegram")
        link = (
            f'<p><a class="button" href="{html.escape(back_url, quote=True)}">{label}</a></p>'
        )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{t.language}" dir="{t.direction}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{heading} · Quran Companion</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<h1>{heading}</h1>\n<p>{body}</p>\n{link}\n</body>\n</html>\n"
    )
