"""pypdf's /ToUnicode character maps, built once per process instead of once per page.

To read a page's text, pypdf expands each font's /ToUnicode CMap into a dict,
again on every page. OCR programs (Tesseract, and so OCRmyPDF; Acrobat's
Paper Capture) give their invisible text layer a map over all 65,536 codes:
expanding it takes pypdf 130-160 ms of pure Python, a page, where
``pdftotext`` reads the whole page in under 10 ms. Scanned and OCR'd records
are common, and those programs write the same map into every file, so
:func:`install` wraps pypdf's parser in a memo keyed by the CMap's bytes (its
output depends on nothing else): each distinct map is expanded once per
process. Callers get a read-only dict: a pypdf that changed a map in place
would fail loudly (that page's text would be missing, and the tests that
compare the text read with and without the memo would fail) rather than
carry one document's change into another's text; a copy of it is a plain dict.

pypdf's parser is private; when a pypdf release no longer has it in the
expected place, :func:`install` leaves pypdf alone (text is the same, only
slower). The memo stays in place for the life of the process, for every user
of pypdf in it (docs/reference.md, "Python API").
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final, NoReturn

#: Mappings kept in all (two of the 65,536-code maps, about 15 MB each).
MAX_ENTRIES: Final = 2 * 65_536
#: A CMap larger than this is parsed every time (it is not kept as a key).
MAX_KEY_BYTES: Final = 1024 * 1024
#: Bytes of CMaps kept as keys in all (a hostile PDF's many large CMaps of a
#: few mappings each must not fill memory; real ones are 0.3-6 KB).
MAX_KEYS_BYTES: Final = 4 * 1024 * 1024

#: A parsed CMap: the character map and the codes it maps.
_Maps = tuple[Mapping[Any, Any], Sequence[int]]


class ReadOnlyMap(dict[Any, Any]):
    """A kept character map: a dict that refuses to change (copies are plain dicts)."""

    def _refuse(self, *args: object, **kwargs: object) -> NoReturn:
        raise TypeError("a character map kept by recordpack's memo cannot be changed")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def copy(self) -> dict[Any, Any]:
        return dict(self)

    def __copy__(self) -> dict[Any, Any]:
        return dict(self)

    def __deepcopy__(self, memo: dict[int, object]) -> dict[Any, Any]:
        return dict(self)  # keys and values are strings and ints

    def __reduce__(self) -> tuple[type[dict[Any, Any]], tuple[dict[Any, Any]]]:
        return dict, (dict(self),)


_lock = threading.Lock()
_memo: OrderedDict[bytes, _Maps] = OrderedDict()
_held = 0  # mappings kept
_held_bytes = 0  # bytes of the keys kept


def install() -> bool:
    """Put the memo in front of pypdf's /ToUnicode parser (once); whether it is in place."""
    from pypdf import _cmap

    with _lock:
        parse = getattr(_cmap, "_parse_to_unicode", None)
        if getattr(parse, "__wrapped__", None) is not None:
            return True
        get_encoding = getattr(_cmap, "get_encoding", None)
        code = getattr(get_encoding, "__code__", None)
        if parse is None or code is None or "_parse_to_unicode" not in code.co_names:
            return False
        if getattr(getattr(parse, "__code__", None), "co_argcount", None) != 1:
            return False  # not the parser of one font dictionary this memo knows
        setattr(_cmap, "_parse_to_unicode", _memoized(parse))  # noqa: B010 - a private name of pypdf
        return True


def _memoized(parse: Callable[[Any], _Maps]) -> Callable[[Any], _Maps]:
    def parse_to_unicode(font: Any) -> _Maps:
        key = _key(font)
        if key is None:
            return parse(font)
        with _lock:
            found = _memo.get(key)
            if found is not None:
                _memo.move_to_end(key)
        if found is None:
            mapping, codes = parse(font)
            found = (ReadOnlyMap(mapping), tuple(codes))
            _keep(key, found)
        return found

    parse_to_unicode.__wrapped__ = parse  # type: ignore[attr-defined]
    parse_to_unicode.__doc__ = parse.__doc__
    return parse_to_unicode


def _key(font: Any) -> bytes | None:
    """What pypdf's parser reads, the font's /ToUnicode stream data, or None (not memoised).

    The font's /Subtype and /Encoding name go into the key too: pypdf's parser
    does not read them today, but they are what a future one would most likely
    consult, and they are the same wherever a CMap is shared.
    """
    from pypdf.generic import DictionaryObject, NameObject, StreamObject

    if not isinstance(font, DictionaryObject) or "/ToUnicode" not in font:
        return None
    stream = font["/ToUnicode"]
    if not isinstance(stream, StreamObject):
        return None
    data = stream.get_data()
    if isinstance(data, str):
        data = data.encode()
    if not isinstance(data, bytes) or len(data) > MAX_KEY_BYTES:
        return None
    names = [font.get(field) for field in ("/Subtype", "/Encoding")]
    shown = [str(n) if isinstance(n, NameObject) else "-" for n in names]
    return " ".join(shown).encode() + b"\n" + data


def _keep(key: bytes, found: _Maps) -> None:
    global _held, _held_bytes
    size = len(found[0]) + 1
    if size > MAX_ENTRIES:
        return
    with _lock:
        if key in _memo:
            return
        _memo[key] = found
        _held += size
        _held_bytes += len(key)
        while _held > MAX_ENTRIES or _held_bytes > MAX_KEYS_BYTES:
            old_key, (mapping, _codes) = _memo.popitem(last=False)
            _held -= len(mapping) + 1
            _held_bytes -= len(old_key)


def clear() -> None:
    """Forget every kept map (tests)."""
    global _held, _held_bytes
    with _lock:
        _memo.clear()
        _held = _held_bytes = 0
