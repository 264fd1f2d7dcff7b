"""The one YAML reader for every file and text the kit loads: briefs, plans, scenarios, budgets,
the interview bank and the policy corpus.

``load_yaml`` reads safely (no ``!!python/...`` tags ever run code) and refuses, before they can
cost time or memory, what a hostile or broken file can do to a YAML parser:

- a file or text over ``max_bytes`` (1 MB): refused before it is read or parsed;
- more than ``max_aliases`` aliases (``*name``), or aliases that would expand to more than
  ``max_alias_nodes`` values (a "billion laughs" document is a few hundred bytes that expand to a
  billion strings), or an alias to the list or mapping that holds it (an endless structure);
- lists and mappings nested more than ``max_depth`` deep (no ``RecursionError``);
- one value (a text or a key) longer than ``max_scalar`` characters.

The checks walk the parser's event stream once, before anything is built, so each costs time in
proportion to the input and never more. Every problem raises ``error`` (``YamlError`` unless the
caller names its own, e.g. ``BriefError``) with a plain-English message that names the file (or
``what`` for text) and the line, and quotes at most a short excerpt of what is wrong.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml

from . import validation
from .validation import AipmError, show

__all__ = [
    "YamlError",
    "load_yaml",
    "is_path",
    "clip",
    "MAX_BYTES",
    "MAX_ALIASES",
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "MAX_SCALAR",
]

MAX_BYTES = 1_000_000  # a brief is a few kilobytes; the kit's largest file is well under 100 KB
MAX_ALIASES = 100  # aliases (*name) in one document
MAX_ALIAS_NODES = 10_000  # values the aliases may add when expanded
MAX_DEPTH = 50  # levels of nested lists and mappings; the kit's files use fewer than 10
MAX_SCALAR = 100_000  # characters in one value
EXCERPT = 80  # the most characters of a bad value or line a message quotes

# libyaml's parser is fast C and not recursive; the pure-Python one is the fallback
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A syntax error within this many characters of the start is described in PyYAML's words, which
# the advice knows; the pure-Python parser reads about 100 KB a second, so this costs at most 0.2 s
_REWORD_UP_TO = 20_000


class YamlError(AipmError):
    """YAML that the kit will not read: too large, too deep, too many aliases, or not valid YAML."""


def is_path(source: Any) -> bool:
    """True if ``source`` names a file: a Path, or one line of text ending in .yaml or .yml (and
    short enough to be a path: 30 MB of text ending in ".yaml" is text, refused for its size)."""
    return isinstance(source, Path) or (
        isinstance(source, str) and len(source) <= 4096 and "\n" not in source and source.endswith((".yaml", ".yml"))
    )


def clip(text: Any, limit: int = 60) -> str:
    """Return ``str(text)`` cut to ``limit`` characters with "...": a name from a file, shown without
    quotes in a place such as "metrics.quality.<name>" (``validation.show`` quotes a value)."""
    limit = validation.count("limit", limit, minimum=3, allowed="a whole number 3 or more (room for the ...)")
    text = str(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def load_yaml(
    text_or_path: str | Path,
    *,
    what: str = "the brief",
    max_bytes: int = MAX_BYTES,
    max_aliases: int = MAX_ALIASES,
    max_alias_nodes: int = MAX_ALIAS_NODES,
    max_depth: int = MAX_DEPTH,
    max_scalar: int = MAX_SCALAR,
    error: type[AipmError] = YamlError,
    argument: str = "text_or_path",
) -> Any:
    """Return the data in a YAML file (a Path, or text naming a .yaml/.yml file) or in YAML text.

    ``what`` names the content in messages ("the brief", "the plan"); a file is named by its path.
    An empty document returns None. Every problem raises ``error`` with the limit that was crossed
    and, where the parser knows it, the line; the exception also carries ``line`` (1-based, or
    None) and ``problem`` (a short description) for callers that word it their own way.
    ``argument`` is the caller's name for the source, used when the source is neither."""
    for name, limit in (("max_bytes", max_bytes), ("max_aliases", max_aliases), ("max_alias_nodes", max_alias_nodes), ("max_depth", max_depth), ("max_scalar", max_scalar)):
        validation.count(name, limit, minimum=1)
    if is_path(text_or_path):
        path = Path(text_or_path)
        where = str(path)
        text = _read(path, what, max_bytes, error)
    elif isinstance(text_or_path, str):
        text, where = text_or_path, what
        if len(text) > max_bytes:  # each character is at least one byte: no need to encode it
            raise _too_large(where, what, len(text), max_bytes, error, unit="characters")
        if len(text) * 4 > max_bytes and len(text.encode("utf-8", "surrogatepass")) > max_bytes:
            raise _too_large(where, what, None, max_bytes, error)
    else:
        raise error(f"{argument} must be a YAML file path or YAML text, got {validation.show(text_or_path)}")
    limits = (max_aliases, max_alias_nodes, max_depth, max_scalar)
    # The pure-Python scanner looks ahead through every "[" before it yields an event, in time that
    # grows with the square of the nesting: only text whose brackets could nest within the limit
    # goes near it (counting brackets in quoted text too can only overcount).
    shallow = _bracket_depth(text, max_depth) <= max_depth
    try:
        if not shallow and _LOADER is yaml.SafeLoader:
            raise _too_deep(where, what, max_depth, None, error)
        try:
            _check_events(yaml.parse(text, Loader=_LOADER), where, what, limits, error)
        except yaml.MarkedYAMLError as exc:
            if "maximum nesting depth" in str(exc.problem):  # libyaml's own limit (1,000 levels)
                raise _too_deep(where, what, max_depth, exc.problem_mark, error) from None
            raise (_in_pyyaml_words(exc, text) if shallow else exc) from None
        return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (CSafeLoader or SafeLoader)
    except yaml.MarkedYAMLError as exc:
        raise _raised(error, _explain(exc, text, where), exc.problem_mark or exc.context_mark, exc.problem) from None
    except yaml.YAMLError as exc:  # a character YAML does not allow, an encoding problem
        raise _raised(error, f"{where} is not valid YAML: {_short(exc)}", None, _short(exc)) from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        # a value the safe constructor cannot build, e.g. the date 2027-02-30 or an int of 5,000 digits
        if isinstance(exc, AipmError):
            raise
        raise _raised(error, f"{where} is not valid YAML: a value cannot be read ({_short(exc)}). Put it in quotes to keep it as text.", None, _short(exc)) from None


# ------------------------------------------------------------------------------------------------
# Reading
# ------------------------------------------------------------------------------------------------


def _read(path: Path, what: str, max_bytes: int, error: type[AipmError]) -> str:
    """Return the file's text, read only if it is at most ``max_bytes`` (UTF-8, a BOM allowed)."""
    try:
        with open(path, "rb") as handle:
            try:
                size = os.fstat(handle.fileno()).st_size
            except OSError:
                size = 0
            if size > max_bytes:
                raise _too_large(str(path), what, size, max_bytes, error)
            data = handle.read(max_bytes + 1)  # a pipe or a growing file says nothing true in stat
    except OSError as exc:
        raise error(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise _too_large(str(path), what, None, max_bytes, error)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"cannot read {what} {path}: it is not UTF-8 text (byte {exc.start}). Save it as UTF-8.") from None


def _too_large(where: str, what: str, size: int | None, max_bytes: int, error: type[AipmError], unit: str = "bytes") -> AipmError:
    held = f"{size:,} {unit}" if size is not None else f"more than {max_bytes:,} bytes"
    return _raised(
        error,
        f"{where} is too large to read: {held}, and the kit reads at most {max_bytes:,} bytes for {what}. "
        "Check that this is the right file; a hand-written YAML file is a few kilobytes.",
        None,
        "too large",
    )


# ------------------------------------------------------------------------------------------------
# The checks on the event stream
# ------------------------------------------------------------------------------------------------


def _check_events(events, where: str, what: str, limits: tuple[int, int, int, int], error: type[AipmError]) -> None:
    """Walk the parser's events once and refuse too many aliases, an alias bomb, deep nesting and
    huge values. Each collection's size counts the values its aliases stand for, so an alias to a
    list of ten aliases to lists of ten... is caught at the first alias that crosses the limit."""
    max_aliases, max_alias_nodes, max_depth, max_scalar = limits
    sizes: dict[str, int] = {}  # anchor -> the number of values it stands for, expanded
    open_anchors: set[str] = set()  # anchors of lists and mappings not yet closed
    stack: list[list[Any]] = []  # [anchor, size so far] per open list or mapping
    aliases = expanded = 0

    def line(event) -> str:
        mark = event.start_mark
        return f"line {mark.line + 1}" if mark is not None else "an unknown line"

    def refuse(event, message: str, problem: str) -> AipmError:
        mark = event.start_mark
        return _raised(error, f"{where} {message}", mark, problem)

    for event in events:
        if isinstance(event, yaml.ScalarEvent):
            size = 1
            if len(event.value) > max_scalar:
                raise refuse(
                    event,
                    f"has a value of {len(event.value):,} characters at {line(event)}, and the kit reads at most {max_scalar:,} "
                    f"in one value (it starts {show(event.value[:EXCERPT], EXCERPT)}). Shorten it.",
                    "value too long",
                )
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if len(stack) >= max_depth:
                raise _too_deep(where, what, max_depth, event.start_mark, error)
            stack.append([event.anchor, 1])
            if event.anchor is not None:
                open_anchors.add(event.anchor)
            continue
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            anchor, size = stack.pop()
            if anchor is not None:
                sizes[anchor] = size
                open_anchors.discard(anchor)
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            name = show(event.anchor, 40)
            if aliases > max_aliases:
                raise refuse(
                    event,
                    f"uses more than {max_aliases} YAML aliases (*name; the one over the limit is {name} at {line(event)}). "
                    "The kit refuses documents that repeat values through many aliases: write the values out.",
                    "too many aliases",
                )
            if event.anchor in open_anchors:
                raise refuse(
                    event,
                    f"has an alias ({name}, at {line(event)}) to the list or mapping that holds it, which would make an endless value. "
                    "Remove the alias.",
                    "alias to itself",
                )
            size = sizes.get(event.anchor)
            if size is None:
                raise refuse(event, f"uses the alias {name} at {line(event)}, but no value before it has that anchor (&name).", "undefined alias")
            expanded += size
            if expanded > max_alias_nodes:
                raise refuse(
                    event,
                    f"uses aliases (*name) that would expand to more than {max_alias_nodes:,} values by {line(event)} "
                    "(a \"billion laughs\" document: a few lines that unfold into millions of values). "
                    "The kit refuses it: write the values out instead of repeating aliases.",
                    "alias expansion too large",
                )
        elif isinstance(event, yaml.DocumentEndEvent):
            sizes.clear()  # anchors belong to one document
            open_anchors.clear()
            continue
        else:
            continue
        if stack:
            stack[-1][1] += size


# ------------------------------------------------------------------------------------------------
# Messages
# ------------------------------------------------------------------------------------------------


def _bracket_depth(text: str, limit: int) -> int:
    """How deep the [ and { of ``text`` nest, counting every bracket (in quotes too); stops past ``limit``."""
    depth = deepest = 0
    for char in re.sub(r"[^\[\]{}]+", "", text):
        depth = depth + 1 if char in "[{" else max(depth - 1, 0)
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
    return deepest


def _too_deep(where: str, what: str, max_depth: int, mark, error: type[AipmError]) -> AipmError:
    at = f" (at line {mark.line + 1})" if mark is not None else ""
    return _raised(
        error,
        f"{where} nests lists and mappings more than {max_depth} levels deep{at}. "
        f"{what[:1].upper() + what[1:]} needs only a few levels: check the brackets and the indentation.",
        mark,
        "nested too deep",
    )


def _in_pyyaml_words(exc: yaml.MarkedYAMLError, text: str) -> yaml.MarkedYAMLError:
    """The same syntax error as the pure-Python parser words it (libyaml says "did not find expected
    comment or line break" where PyYAML says "expected chomping or indentation indicators"). Its
    parser is not recursive and expands no alias; it reads only the text up to the line after the
    error, and only if that is at most ``_REWORD_UP_TO`` characters."""
    mark = exc.problem_mark or exc.context_mark
    if _LOADER is yaml.SafeLoader or mark is None:
        return exc
    end = -1
    for _ in range(mark.line + 2):  # the end of the line after the error
        end = text.find("\n", end + 1)
        if end == -1 or end > _REWORD_UP_TO:
            break
    prefix = text if end == -1 else text[: end + 1]
    if len(prefix) > _REWORD_UP_TO:
        return exc
    try:
        for _ in yaml.parse(prefix, Loader=yaml.SafeLoader):
            pass
    except yaml.MarkedYAMLError as worded:
        at = worded.problem_mark or worded.context_mark
        if prefix is text or (at is not None and at.line <= mark.line):  # the same error, not the cut
            return worded
    except yaml.YAMLError:
        pass
    return exc


def _raised(error: type[AipmError], message: str, mark, problem: Any) -> AipmError:
    exc = error(message)
    exc.line = mark.line + 1 if mark is not None else None
    exc.problem = _short(problem) if problem is not None else None
    return exc


def _short(value: Any, limit: int = 160) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


_YAML_ADVICE = (
    ("chomping or indentation", "A value that starts with > or | must be in quotes, e.g. target: \">= 0.92\"."),
    ("mapping values are not allowed", "A value that contains \": \" must be in quotes, e.g. escalation: \"disputes: to a team lead\"."),
    ("could not find expected ':'", "A line is missing the colon after its name, or is indented wrongly."),
    ("expected <block end>", "The indentation is off: each level is two spaces, and lines of the same section start in the same column."),
    ("found character '\\t'", "Use spaces, not tabs, to indent."),
    ("found character that cannot start any token", "A tab, or a character such as @ or ` at the start of a value: indent with spaces, and put such a value in quotes."),
    ("could not determine a constructor for the tag", "Tags such as !!python/... are not allowed: the kit reads plain text, numbers, lists and mappings only."),
    ("found another document", "The file holds more than one document (a line with ---): keep one."),
)


def _explain(exc: yaml.MarkedYAMLError, text: str, where: str) -> str:
    """Return a YAML error in plain words, with the line it points at (each quoted line cut short)."""
    mark = exc.problem_mark or exc.context_mark
    problem = _short(exc.problem or exc)
    advice = next((tip for key, tip in _YAML_ADVICE if key in problem), "Check the quotes, colons and indentation.")
    if mark is None:
        return f"{where} is not valid YAML: {problem}. {advice}"
    lines = text.splitlines()
    for n in (mark.line, mark.line + 1):
        line = lines[n - 1] if 1 <= n <= len(lines) else ""
        if line.strip() and (len(line) - len(line.lstrip(" "))) % 2:
            advice = f"Line {n} is indented by an odd number of spaces: use two spaces per level."
            break
    number = mark.line + 1
    shown = []
    for n in (number - 1, number):  # YAML often notices a problem one line after it
        if 1 <= n <= len(lines) and lines[n - 1].strip():
            shown.append(f"line {n}: {show(lines[n - 1], EXCERPT)}")
    context = f" Near {'; '.join(shown)}." if shown else ""
    return f"{where} is not valid YAML around line {number} ({problem}). {advice}{context}"
