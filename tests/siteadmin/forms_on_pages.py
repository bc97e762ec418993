"""Every form a page offers, read from its HTML, to be posted back as a browser would."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class PostedForm:
    page: str
    action: str
    data: dict[str, str] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self, page: str):
        super().__init__()
        self.page = page
        self.forms: list[PostedForm] = []
        self._form: PostedForm | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._form = PostedForm(page=self.page, action=attrs.get("action") or self.page)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind == "checkbox":
                self._form.data[attrs["name"]] = "on"
            elif kind == "email":
                self._form.data[attrs["name"]] = attrs.get("value") or "new@example.com"
            else:
                self._form.data[attrs["name"]] = attrs.get("value") or "Changed 1"
        elif tag == "textarea" and attrs.get("name"):
            self._form.data[attrs["name"]] = "Changed"
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
        elif tag == "option" and self._select and self._select not in self._form.data:
            self._form.data[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None


def post_forms(page: str, html: str) -> list[PostedForm]:
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms
