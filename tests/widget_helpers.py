"""What a reader sees in a widget's HTML, for the widget tests (practice sessions, lesson 06)."""

from html.parser import HTMLParser


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in ("br", "div", "li", "p"):
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def visible(markup: str) -> str:
    """The text a reader sees in an HTML fragment, with runs of white space as one space."""
    parser = _Text()
    parser.feed(markup)
    return " ".join("".join(parser.parts).split())


def plain(text: str) -> str:
    """Source text (Markdown-ish, as the kit writes it) reduced to what is visible once rendered."""
    return " ".join(text.replace("**", "").replace("`", "").split())
