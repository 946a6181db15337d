"""Cell styles of the workbooks the application writes, each registered once per workbook
as a named style that cells then take by name.

Setting a font, an alignment and a number format on every cell makes openpyxl hash each
of them again to find its index; a national export has millions of cells, and that
hashing was more than half of its time. Excel lists the styles as "Kiểu 1", "Kiểu 2", …
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, NamedStyle

# Per workbook: (id of font, id of alignment, number format) -> (style name, font,
# alignment). Holding the objects keeps their ids from being reused while it lives.
_REGISTERED: WeakKeyDictionary[Workbook, dict[tuple, tuple]] = WeakKeyDictionary()


def style_name(
    workbook: Workbook,
    *,
    font: Font,
    alignment: Alignment | None = None,
    number_format: str | None = None,
) -> str:
    """The name of the workbook's style with this font, alignment and number format,
    registering it the first time."""
    registered = _REGISTERED.setdefault(workbook, {})
    key = (id(font), id(alignment), number_format)
    if key not in registered:
        name = f"Kiểu {len(registered) + 1}"
        style = NamedStyle(name=name, font=font, number_format=number_format or "General")
        if alignment is not None:
            style.alignment = alignment
        workbook.add_named_style(style)
        registered[key] = (name, font, alignment)
    return registered[key][0]
