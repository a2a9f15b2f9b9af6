"""Hostile input for the community's XSS tests, and a check that a page carries none of it live.

Each payload tries a different way out of the Markdown sanitiser or the template escaping.
``assert_inert`` does not look for the payloads' text (escaped text is harmless and may
well show); it checks the page as a parser sees it: no element, attribute or URL that could
run script or load something from elsewhere.
"""

from __future__ import annotations

from html.parser import HTMLParser

PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=window.__xss=1>",
    "<svg onload=window.__xss=1>",
    "<svg><script>window.__xss=1</script></svg>",
    "<iframe src=javascript:window.__xss=1></iframe>",
    "<body onload=window.__xss=1>",
    "<a href=javascript:window.__xss=1>klik</a>",
    "[klik](javascript:window.__xss=1)",
    "[klik](JaVaScRiPt:window.__xss=1)",
    "[klik](java\tscript:window.__xss=1)",
    "[klik](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)",
    "[klik](vbscript:msgbox(1))",
    "![x](https://tracker.example/pixel.gif)",
    "![x](javascript:window.__xss=1)",
    '"><script>window.__xss=1</script>',
    "'><img src=x onerror=window.__xss=1>",
    "</textarea><script>window.__xss=1</script>",
    "</title><script>window.__xss=1</script>",
    "<details open ontoggle=window.__xss=1>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    "<style>@import 'https://evil.example/x.css';</style>",
    "<object data=javascript:window.__xss=1></object>",
    "<embed src=javascript:window.__xss=1>",
    "<form action=javascript:window.__xss=1><button>x</button></form>",
    "<meta http-equiv=refresh content='0;url=javascript:window.__xss=1'>",
    "<base href=https://evil.example/>",
    "<input autofocus onfocus=window.__xss=1>",
    "<a href='&#106;avascript:window.__xss=1'>klik</a>",
    "[klik](&#x6A;avascript:window.__xss=1)",
    "<div style=background:url(javascript:window.__xss=1)>x</div>",
    "{{ 7*7 }}{% raw %}${7*7}",
    "@<script>window.__xss=1</script>",
]

# Elements the community's pages never contain on purpose, so none may come from content.
FORBIDDEN_TAGS = {"iframe", "object", "embed", "base", "svg", "math", "style", "frame", "applet"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "meta" and any(name == "http-equiv" for name, _ in attrs):
            self.problems.append("<meta http-equiv>")
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self.problems.append("inline <script>")
        self._in_script = tag == "script"
        for name, value in attrs:
            self._check_attribute(tag, name, value or "")

    def _check_attribute(self, tag: str, name: str, value: str) -> None:
        if name.startswith("on"):
            self.problems.append(f"<{tag} {name}=...>")
        if name == "style":
            self.problems.append(f"<{tag} style=...>")
        squeezed = "".join(value.split()).lower()
        if name in URL_ATTRIBUTES and squeezed.startswith(BAD_SCHEMES):
            self.problems.append(f"<{tag} {name}={value[:40]!r}>")
        if tag == "img" and name == "src" and not value.startswith("/"):
            self.problems.append(f"<img src={value[:40]!r}> from elsewhere")

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append("inline script text")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False


def live_markup(html: str) -> list[str]:
    """What in a page could run script or load from elsewhere (empty when the page is inert)."""
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return scanner.problems


def assert_inert(html: str) -> None:
    """Fail when the page carries live markup."""
    problems = live_markup(html)
    assert not problems, problems
