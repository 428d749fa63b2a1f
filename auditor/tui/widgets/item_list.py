"""The list beside a detail panel (Results, Checklist): headings and items whose titles wrap.

An OptionList, not a Tree: a Tree line is cut at the list's width, an option's prompt wraps,
so a long finding or action title is read whole at 80 columns and a wider terminal simply
needs fewer lines. Headings (an area, a checklist group) are disabled options: the arrows
skip them. Page up and page down scroll the detail panel from here (``scroll_detail`` on the
screen), so "How to fix it" is in reach without Tab.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option

T = TypeVar("T")


class ItemList(OptionList, Generic[T]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "screen.scroll_detail(1)", "Scroll", key_display="PgDn"),
        Binding("pageup", "screen.scroll_detail(-1)", "Scroll up", show=False),
    ]

    def __init__(self, *, id: str, classes: str = "") -> None:
        super().__init__(id=id, classes=classes)
        self.items: list[T | None] = []  # one per option; None for a heading

    def fill(self, rows: Sequence[tuple[Text, T | None]]) -> None:
        """Replace the list: (prompt, item) pairs, item None for a heading."""
        self.clear_options()
        self.items = [item for _prompt, item in rows]
        self.add_options(
            [Option(prompt, disabled=item is None) for prompt, item in rows]  # type: ignore[misc]
        )

    @property
    def current(self) -> T | None:
        index = self.highlighted
        if index is None or not 0 <= index < len(self.items):
            return None
        return self.items[index]

    def entries(self) -> list[T]:
        """Every item, in order (headings left out)."""
        return [item for item in self.items if item is not None]

    def select_where(self, wanted: Callable[[T], bool]) -> bool:
        """Highlight the first item ``wanted`` accepts; False if none does."""
        for index, item in enumerate(self.items):
            if item is not None and wanted(item):
                self.highlighted = index
                return True
        return False

    def highlight_near(self, index: int) -> None:
        """Highlight the item at ``index``, or the nearest one after it (else before it)."""
        after = [i for i, item in enumerate(self.items) if item is not None and i >= index]
        before = [i for i, item in enumerate(self.items) if item is not None and i < index]
        if after or before:
            self.highlighted = after[0] if after else before[-1]
