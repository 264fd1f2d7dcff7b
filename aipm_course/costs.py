"""What an AI feature costs before you build it (lesson 04).

Tokens become money through a dated price table, each row with its source's address; the patterns
(prompt-only, retrieval-augmented generation, a fine-tuned model, and RAG on the fine-tuned model)
become cost lines over a horizon; the break-even volume is where two lines cross, and it moves with
the horizon because retrains come in lumps. Cost per successful task, caching (of answers, and of
prompts at the provider's cached-input price), a cheaper first-tier model, the cost of delay and a
sensitivity analysis turn the lines into a decision you can defend. What to charge for the feature
is in ``pricing``.

A month is counted as 30 days throughout (``DAYS_PER_MONTH``), as on most spend dashboards.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import difflib
import math
import os
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from . import validation
from .validation import AipmError

__all__ = [
    "DAYS_PER_MONTH",
    "PRICE_COLUMNS",
    "Price",
    "PriceFileError",
    "load_prices",
    "get_price",
    "price_table",
    "price_sources",
    "OPTIONAL_PRICE_COLUMNS",
    "cost_per_query",
    "cost_with_prompt_cache",
    "training_run_cost",
    "Pattern",
    "CostInputs",
    "patterns_for",
    "BreakEven",
    "break_even_volume",
    "break_even_between",
    "cost_per_successful_task",
    "cost_of_delay",
    "cost_with_cache",
    "cost_with_fallback",
    "Dashboard",
    "ops_dashboard",
    "Comparison",
    "compare",
    "cost_per_extra_success",
    "ASSUMPTION_LABELS",
    "ASSUMPTION_UNITS",
    "assumption_text",
    "PATTERN_KEYS",
    "PATTERN_NAMES",
    "break_even_by_horizon",
    "SensitivityRow",
    "sensitivity",
]

DAYS_PER_MONTH = 30
PRICE_COLUMNS = ("model", "provider", "kind", "input_per_million", "output_per_million", "training_per_million", "as_of", "source", "note")
# Columns a price file may leave out: the kit's own table fills them for every row it can
OPTIONAL_PRICE_COLUMNS = ("cached_input_per_million", "url")
PRICE_KINDS = ("chat", "embedding", "fine_tuned")


# --------------------------------------------------------------------------------------------
# Checks shared by every function: the error names the argument, the value and what is allowed
# --------------------------------------------------------------------------------------------


def _amount(name: str, value: Any, *, what: str = "a number", positive: bool = False) -> float:
    if positive:
        return validation.positive(name, value, allowed=f"{what} above 0")
    return validation.nonnegative(name, value, allowed=f"{what}, 0 or more")


def _volume(name: str, value: Any) -> float | np.ndarray:
    """A query volume: a number or an array of numbers, none negative."""
    if isinstance(value, (list, tuple, np.ndarray)):
        items = value.ravel().tolist() if isinstance(value, np.ndarray) else list(value)
        bad = [x for x in items if not validation.is_real(x)]
        if bad:
            raise validation.ArgumentError(f"{name} must hold finite numbers of queries, got {bad[0]!r} among them")
        array = np.asarray(items, dtype=float).reshape(np.shape(value))
        if np.any(array < 0):
            raise validation.ArgumentError(f"{name} must be 0 or more, got {float(array.min())!r} among them")
        return array
    return _amount(name, value, what="a number of queries")


def _success(name: str, value: Any) -> float:
    """A success rate, in (0, 1]: the cost per successful task divides by it."""
    return validation.share(name, value, open_low=True)


def _share(name: str, value: Any) -> float:
    return validation.share(name, value)


# --------------------------------------------------------------------------------------------
# The dated price table
# --------------------------------------------------------------------------------------------


class PriceFileError(AipmError):
    """A price file that cannot be read: the message names the file, the row and the column."""


@dataclasses.dataclass(frozen=True)
class Price:
    """One row of the price table: USD per 1M tokens, with the date and source of the figure."""

    model: str
    provider: str
    kind: str
    input_per_million: float
    output_per_million: float | None
    training_per_million: float | None
    as_of: str
    source: str
    note: str = ""
    cached_input_per_million: float | None = None  # a prompt-cache hit's input price, where the source states one
    url: str = ""  # the address of the source

    def __post_init__(self) -> None:
        if not isinstance(self.model, str) or not self.model.strip():
            raise validation.ArgumentError(f"model must be a name, got {validation.show(self.model)}")
        if self.kind not in PRICE_KINDS:
            raise validation.ArgumentError(f"kind must be one of {', '.join(PRICE_KINDS)}, got {validation.show(self.kind)}")
        _amount("input_per_million", self.input_per_million, what="a price in USD")
        for name in ("output_per_million", "training_per_million", "cached_input_per_million"):
            if getattr(self, name) is not None:
                _amount(name, getattr(self, name), what="a price in USD")
        if self.kind != "embedding" and self.output_per_million is None:
            raise validation.ArgumentError(f"output_per_million is needed for a {self.kind} model ({self.model[:60]})")
        _check_as_of(self.as_of)
        if not isinstance(self.source, str) or not self.source.strip():
            raise validation.ArgumentError(f"source must say where the price comes from, got {validation.show(self.source)}")
        if not isinstance(self.url, str) or (self.url and not self.url.startswith(("https://", "http://"))):
            raise validation.fail("url", self.url, "the source's web address (https://...), or empty")

    def with_(self, **changes: Any) -> "Price":
        """Return a copy with some values changed, e.g. ``price.with_(input_per_million=1.5)``.

        A changed price is your own figure, so its source says so unless you give one.
        """
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise validation.ArgumentError(f"unknown price field {sorted(unknown)[0]!r}; the fields are {', '.join(PRICE_COLUMNS + OPTIONAL_PRICE_COLUMNS)}")
        prices = {"input_per_million", "output_per_million", "training_per_million", "cached_input_per_million"}
        if "source" not in changes and set(changes) & prices:
            changes["source"] = f"your override of the {self.as_of} figure"
            changes.setdefault("url", "")
        return dataclasses.replace(self, **changes)

    def cost_per_query(self, input_tokens: float, output_tokens: float = 0, extra_per_query: float = 0.0,
                       cached_tokens: float = 0, hit_rate: float = 1.0) -> float:
        """Return the cost of one query at this price (see ``cost_per_query``).

        ``cached_tokens`` of the input (a prefix that repeats word for word) are billed at the row's
        cached-input price on the share ``hit_rate`` of queries that find it in the provider's
        prompt cache (see ``cost_with_prompt_cache``); the row must state that price."""
        if validation.is_real(cached_tokens) and cached_tokens > 0:
            if self.cached_input_per_million is None:
                raise validation.ArgumentError(
                    f"cached_tokens needs a cached-input price, and the table states none for {self.model} (as of {self.as_of}); "
                    f"give one with price.with_(cached_input_per_million=...) from the provider's page, or leave cached_tokens at 0")
            return cost_with_prompt_cache(input_tokens, output_tokens, cached_tokens, self.input_per_million, self.output_per_million or 0.0,
                                          self.cached_input_per_million, hit_rate, extra_per_query)
        validation.nonnegative("cached_tokens", cached_tokens, allowed="a number of tokens, 0 or more")
        validation.share("hit_rate", hit_rate)
        return cost_per_query(input_tokens, output_tokens, self.input_per_million, self.output_per_million or 0.0, extra_per_query)

    @property
    def label(self) -> str:
        out = f" / ${self.output_per_million:,.2f}" if self.output_per_million is not None else ""
        return f"{self.model}: ${self.input_per_million:,.2f}{out} per 1M tokens (as of {self.as_of})"

    def __str__(self) -> str:
        return self.label


def _check_as_of(value: Any) -> str:
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%Y-%m", "%Y"):  # a year alone when the source gives no month
            try:
                _dt.datetime.strptime(value, fmt)
                return value
            except ValueError:
                pass
    raise validation.ArgumentError(f"as_of must be a date like 2026, 2026-06 or 2026-06-30, got {validation.show(value)}")


def _default_price_file():
    return resources.files("aipm_course") / "data" / "prices.csv"


def load_prices(path: str | Path | None = None) -> dict[str, Price]:
    """Return the price table as {model: Price}, from the kit's file or your own CSV (lesson 04).

    Your CSV needs the columns in ``PRICE_COLUMNS``; leave a price empty where it does not apply.
    It may add those in ``OPTIONAL_PRICE_COLUMNS``: a prompt-cache hit's input price and the
    source's web address.
    """
    if path is not None and not isinstance(path, (str, os.PathLike)):
        raise validation.fail("path", path, "a CSV file path (a str or a Path), or None for the kit's table", PriceFileError)
    where = str(path) if path is not None else "the kit's prices.csv"
    try:
        from .safe_yaml import MAX_BYTES  # the kit's one size limit for a file it reads

        if path is not None and os.path.getsize(path) > MAX_BYTES:
            raise PriceFileError(f"{where} is too large to read: {os.path.getsize(path):,} bytes, and the kit reads at most {MAX_BYTES:,} bytes for a price file. Check that this is the right file.")
        # utf-8-sig also reads the byte-order mark that spreadsheets put in "CSV UTF-8" files
        text = Path(path).read_text(encoding="utf-8-sig") if path is not None else _default_price_file().read_text(encoding="utf-8")
    except OSError as exc:
        raise PriceFileError(f"cannot read the price file at path {where}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise PriceFileError(f"{where} is not a UTF-8 text file; save it as CSV (UTF-8)") from None
    reader = csv.DictReader(text.splitlines())
    try:  # a field over csv's limit (128 KB) raises csv.Error, which is no ValueError
        header = reader.fieldnames or []
    except csv.Error as exc:
        raise PriceFileError(f"{where}, line 1: {exc}. Check the header row and its quotes.") from None
    missing = [c for c in PRICE_COLUMNS if c not in header]
    if missing:
        raise PriceFileError(f"{where} is missing the column(s) {', '.join(missing)}; the columns are {', '.join(PRICE_COLUMNS)}")
    prices: dict[str, Price] = {}
    for line, row in enumerate(_csv_rows(reader, where), start=2):
        values: dict[str, Any] = {}
        for column in PRICE_COLUMNS + tuple(c for c in OPTIONAL_PRICE_COLUMNS if c in header):
            raw = (row.get(column) or "").strip()
            if column.endswith("_per_million"):
                if raw == "":
                    values[column] = None
                    continue
                try:
                    values[column] = float(raw)
                except ValueError:
                    raise PriceFileError(f"{where}, line {line}, column {column}: {validation.show(raw)} is not a number (write 2.5, not $2.50)") from None
            else:
                values[column] = raw
        if values["input_per_million"] is None:
            raise PriceFileError(f"{where}, line {line}, column input_per_million: a price is needed")
        try:
            item = Price(**values)
        except ValueError as exc:
            raise PriceFileError(f"{where}, line {line}: {exc}") from None
        if item.model in prices:
            raise PriceFileError(f"{where}, line {line}: the model {validation.show(item.model)} appears twice")
        prices[item.model] = item
    if not prices:
        raise PriceFileError(f"{where} has no price rows")
    return prices


def _csv_rows(reader: csv.DictReader, where: str):
    """The reader's rows; a field over csv's size limit becomes a PriceFileError naming the line."""
    line = 1
    try:
        for row in reader:
            line += 1
            yield row
    except csv.Error as exc:
        raise PriceFileError(f"{where}, line {line + 1}: {exc}. A price row is a few short fields: check its quotes.") from None


def _price_table(prices: Any) -> Mapping[str, Price]:
    """``prices`` if it is a price table ({model: Price}, as ``load_prices`` returns), else an error naming it."""
    if not isinstance(prices, Mapping) or not prices or not all(isinstance(p, Price) for p in prices.values()):
        raise validation.fail("prices", prices, "a price table {model: Price} from load_prices(), or None for the kit's table")
    return prices


def get_price(model: str, prices: Mapping[str, Price] | None = None) -> Price:
    """Return one model's price row; an unknown name gets the closest names in the table."""
    if not isinstance(model, str):
        raise validation.fail("model", model, "a model's name (text), e.g. 'GPT-4.1'")
    table = load_prices() if prices is None else _price_table(prices)
    if model in table:
        return table[model]
    lowered = {name.lower(): name for name in table}
    if isinstance(model, str) and model.lower() in lowered:
        return table[lowered[model.lower()]]
    close = difflib.get_close_matches(str(model), list(table), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    raise validation.ArgumentError(f"model {model!r} is not in the price table.{hint} The models are: {', '.join(table)}")


def price_table(prices: Mapping[str, Price] | None = None):
    """Return the price table as a pandas DataFrame, with the date and source of every row."""
    import pandas as pd

    table = load_prices() if prices is None else _price_table(prices)
    columns = list(PRICE_COLUMNS[:5]) + ["cached_input_per_million"] + list(PRICE_COLUMNS[5:]) + ["url"]
    return pd.DataFrame([dataclasses.asdict(p) for p in table.values()], columns=columns).set_index("model")


def price_sources(prices: Mapping[str, Price] | None = None):
    """Return where the table's prices come from: one row per source and date, with its address
    and the models it prices (a pandas DataFrame; lesson 04)."""
    import pandas as pd

    table = load_prices() if prices is None else _price_table(prices)
    groups: dict[tuple[str, str, str], list[str]] = {}
    for p in table.values():
        groups.setdefault((p.source, p.as_of, p.url), []).append(p.model)
    rows = [{"source": s, "as of": a, "address": u or "(none given)", "models": ", ".join(m)} for (s, a, u), m in groups.items()]
    return pd.DataFrame(rows, columns=["source", "as of", "address", "models"])


# --------------------------------------------------------------------------------------------
# Tokens to money
# --------------------------------------------------------------------------------------------


def cost_per_query(
    input_tokens: float,
    output_tokens: float,
    price_in_per_million: float,
    price_out_per_million: float,
    extra_per_query: float = 0.0,
) -> float:
    """Return the USD cost of one query: (input × price_in + output × price_out) / 1,000,000 + extra.

    Input tokens are everything sent: instructions, the question and any retrieved text. Prices are
    per million tokens. ``extra_per_query`` covers the rest, e.g. embedding the question and a
    vector search. 500 + 2,000 tokens in and 300 out at $2 / $8 cost $0.0074 (lesson 04).
    """
    tokens_in = _amount("input_tokens", input_tokens, what="a number of tokens")
    tokens_out = _amount("output_tokens", output_tokens, what="a number of tokens")
    p_in = _amount("price_in_per_million", price_in_per_million, what="a price in USD")
    p_out = _amount("price_out_per_million", price_out_per_million, what="a price in USD")
    extra = _amount("extra_per_query", extra_per_query, what="a cost in USD")
    return (tokens_in * p_in + tokens_out * p_out) / 1_000_000 + extra


def cost_with_prompt_cache(
    input_tokens: float,
    output_tokens: float,
    cached_tokens: float,
    price_in_per_million: float,
    price_out_per_million: float,
    price_cached_in_per_million: float,
    hit_rate: float = 1.0,
    extra_per_query: float = 0.0,
) -> float:
    """Return the average USD cost of one query when a provider's prompt cache holds part of the input.

    ``cached_tokens`` is the part of the input that repeats word for word from query to query
    (instructions, worked examples, a fixed document). On the share ``hit_rate`` of queries that
    find it in the cache, those tokens cost the cached-input price; on the others, and for the
    rest of the input, the normal input price. (Writing to the cache may cost extra at some
    providers; this model leaves that out.) Lesson 04: Claude Sonnet 4.x, 1,500 tokens in of which
    1,400 cached at every query, 300 out: $0.00522 instead of $0.009.
    """
    tokens_in = _amount("input_tokens", input_tokens, what="a number of tokens")
    cached = _amount("cached_tokens", cached_tokens, what="a number of tokens")
    if cached > tokens_in:
        raise validation.fail("cached_tokens", cached_tokens, f"at most input_tokens ({tokens_in:,g}): the cache holds part of the input")
    rate = _share("hit_rate", hit_rate)
    p_cached = _amount("price_cached_in_per_million", price_cached_in_per_million, what="a price in USD")
    full = cost_per_query(tokens_in, output_tokens, price_in_per_million, price_out_per_million, extra_per_query)
    return full - rate * cached * (float(price_in_per_million) - p_cached) / 1_000_000


def training_run_cost(examples: float, tokens_per_example: float, epochs: float = 3, price_per_million: float = 3.0) -> float:
    """Return the compute cost of one fine-tuning run in USD: examples × tokens × epochs × price / 1M.

    Only the provider's training charge: collecting and labelling the examples and evaluating the
    model cost people's time, usually far more. 5,000 examples of 1,000 tokens over 3 epochs at $3
    per 1M training tokens (the table's assumption) cost $45 (lesson 04).
    """
    n = _amount("examples", examples, what="a number of examples")
    tokens = _amount("tokens_per_example", tokens_per_example, what="a number of tokens")
    rounds = _amount("epochs", epochs, what="a number of passes over the examples", positive=True)
    price = _amount("price_per_million", price_per_million, what="a price in USD per 1M training tokens")
    return n * tokens * rounds * price / 1_000_000


# --------------------------------------------------------------------------------------------
# Patterns: fixed setup, monthly costs, a cost per query, retraining, weeks to ship
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Pattern:
    """One way to build the feature, as a cost line: C(Q, M) = setup + M·monthly + retrains·cost + Q·per_query.

    ``monthly`` is a dict of named monthly costs (hosting, vector store, evaluation, ...).
    A retrain happens every ``retrain_every_months`` after launch, inside the horizon (at months
    c, 2c, ... before its end); None means never.
    """

    name: str
    setup: float = 0.0
    monthly: Mapping[str, float] = dataclasses.field(default_factory=dict)
    per_query: float = 0.0
    retrain_every_months: float | None = None
    retrain_cost: float = 0.0
    weeks_to_ship: float = 0.0
    success_rate: float = 1.0

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise validation.ArgumentError(f"name must be a short name for the pattern, got {self.name!r}")
        _amount("setup", self.setup, what="a cost in USD")
        if not isinstance(self.monthly, Mapping):
            raise validation.ArgumentError(f"monthly must be a dict of monthly costs, e.g. {{'hosting': 200}}, got {self.monthly!r}")
        for part, value in self.monthly.items():
            _amount(f"monthly[{part!r}]", value, what="a cost in USD")
        _amount("per_query", self.per_query, what="a cost in USD")
        if self.retrain_every_months is not None:
            _amount("retrain_every_months", self.retrain_every_months, what="a number of months", positive=True)
        _amount("retrain_cost", self.retrain_cost, what="a cost in USD")
        _amount("weeks_to_ship", self.weeks_to_ship, what="a number of weeks")
        _success("success_rate", self.success_rate)

    @property
    def monthly_total(self) -> float:
        return float(sum(self.monthly.values()))

    def retrains(self, months: float) -> int:
        """Return how many retrains fall inside a horizon of ``months`` (at c, 2c, ... < months)."""
        months = _amount("months", months, what="a number of months")
        if self.retrain_every_months is None or months == 0:
            return 0
        return max(0, math.ceil(months / self.retrain_every_months - 1e-9) - 1)

    def fixed_cost(self, months: float = 12) -> float:
        """Return everything that does not depend on volume over the horizon."""
        months = _amount("months", months, what="a number of months")
        return self.setup + months * self.monthly_total + self.retrains(months) * self.retrain_cost

    def total_cost(self, queries: float | np.ndarray, months: float = 12) -> float | np.ndarray:
        """Return the total cost of serving ``queries`` queries (over the horizon) in ``months``."""
        return self.fixed_cost(months) + _volume("queries", queries) * self.per_query

    def total_cost_per_day(self, queries_per_day: float | np.ndarray, months: float = 12) -> float | np.ndarray:
        """Return the total cost over the horizon at a daily volume (a month is 30 days)."""
        months = _amount("months", months, what="a number of months")
        return self.total_cost(_volume("queries_per_day", queries_per_day) * months * DAYS_PER_MONTH, months)

    def describe(self, months: float = 12) -> str:
        """Spell out the fixed cost over the horizon, part by part."""
        parts = [f"setup ${self.setup:,.0f}", f"{months:g} × ${self.monthly_total:,.0f} a month"]
        n = self.retrains(months)
        if self.retrain_every_months is not None:
            at = ", ".join(f"{k * self.retrain_every_months:g}" for k in range(1, n + 1)) or "none inside the horizon"
            parts.append(f"{n} retrains × ${self.retrain_cost:,.0f} (at months {at})")
        return f"{self.name}: " + " + ".join(parts) + f" = ${self.fixed_cost(months):,.0f} fixed; ${self.per_query:.5f} a query"

    def cost_per_successful_task(self, queries_per_day: float, months: float = 12) -> float:
        queries = _amount("queries_per_day", queries_per_day, what="a number of queries", positive=True) * months * DAYS_PER_MONTH
        return cost_per_successful_task(self.total_cost(queries, months), queries, self.success_rate)


@dataclasses.dataclass(frozen=True)
class CostInputs:
    """The assumptions behind lesson 04's comparison, for Brightwater's help-centre assistant.

    Every figure is an assumption to replace with your own. Prices default to the table's
    GPT-4.1 (the large model) and a fine-tuned GPT-4o mini (the small model); see ``load_prices``.
    """

    queries_per_day: float = 5_000
    months: float = 12
    prompt_tokens: float = 500  # instructions and the question
    examples_tokens: float = 1_000  # worked examples that prompt-only needs in every prompt
    retrieved_tokens: float = 2_000  # policy passages RAG adds to every prompt
    output_tokens: float = 300
    large_in: float = 2.00
    large_out: float = 8.00
    small_in: float = 0.30
    small_out: float = 1.20
    prompt_setup: float = 3_000
    prompt_monthly: float = 300
    prompt_weeks: float = 1
    prompt_success: float = 0.30
    rag_setup: float = 10_000
    rag_monthly: float = 1_200
    rag_per_query_extra: float = 0.0001  # embedding the question and searching
    rag_weeks: float = 3
    rag_success: float = 0.85
    ft_setup: float = 15_000
    ft_monthly: float = 500
    ft_retrain_every: float = 3
    ft_retrain_cost: float = 8_000
    ft_weeks: float = 6
    ft_success: float = 0.75
    value_per_week: float = 0.0
    # RAG on the fine-tuned model: both pipelines, so both setups, both monthly costs and the retrains
    combo_weeks: float = 7
    combo_success: float = 0.90

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if field.name.endswith("_success"):
                _success(field.name, value)
            elif field.name in ("months", "ft_retrain_every"):
                _amount(field.name, value, what="a number of months", positive=True)
            else:
                _amount(field.name, value)

    def with_(self, **changes: Any) -> "CostInputs":
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise validation.ArgumentError(f"unknown assumption {sorted(unknown)[0]!r}; the assumptions are {', '.join(f.name for f in dataclasses.fields(self))}")
        return dataclasses.replace(self, **changes)

    @property
    def queries(self) -> float:
        """Total queries over the horizon."""
        return self.queries_per_day * self.months * DAYS_PER_MONTH


ASSUMPTION_LABELS = {
    "queries_per_day": "Queries a day",
    "months": "Months in the horizon",
    "prompt_tokens": "Prompt tokens",
    "examples_tokens": "Example tokens (prompt only)",
    "retrieved_tokens": "Retrieved tokens (RAG)",
    "output_tokens": "Output tokens",
    "large_in": "Large model input price",
    "large_out": "Large model output price",
    "small_in": "Fine-tuned model input price",
    "small_out": "Fine-tuned model output price",
    "prompt_setup": "Prompt-only setup",
    "prompt_monthly": "Prompt-only monthly cost",
    "prompt_weeks": "Prompt-only weeks to ship",
    "prompt_success": "Prompt-only success rate",
    "rag_setup": "RAG setup",
    "rag_monthly": "RAG monthly cost",
    "rag_per_query_extra": "RAG search cost per query",
    "rag_weeks": "RAG weeks to ship",
    "rag_success": "RAG success rate",
    "ft_setup": "Fine-tuning first run",
    "ft_monthly": "Fine-tuned monthly cost",
    "ft_retrain_every": "Months between retrains",
    "ft_retrain_cost": "Cost of a retrain",
    "ft_weeks": "Fine-tuning weeks to ship",
    "ft_success": "Fine-tuned success rate",
    "value_per_week": "Value of a week live",
    "combo_weeks": "RAG + fine-tuned weeks to ship",
    "combo_success": "RAG + fine-tuned success rate",
}

# How each assumption is written: "$" for money, else its unit after the number
ASSUMPTION_UNITS = {
    **dict.fromkeys(("prompt_setup", "prompt_monthly", "rag_setup", "rag_monthly", "rag_per_query_extra", "ft_setup",
                     "ft_monthly", "ft_retrain_cost", "value_per_week"), "$"),
    **dict.fromkeys(("large_in", "large_out", "small_in", "small_out"), "$ per 1M tokens"),
    **dict.fromkeys(("prompt_tokens", "examples_tokens", "retrieved_tokens", "output_tokens"), "tokens"),
    **dict.fromkeys(("prompt_weeks", "rag_weeks", "ft_weeks", "combo_weeks"), "weeks"),
    "queries_per_day": "queries a day",
    "months": "months",
    "ft_retrain_every": "months",
}


def _a_share(share: float) -> str:
    """ "a 33%", "an 80%", "an 11%": the article a percentage takes when read aloud."""
    text = f"{share:.0%}"
    return ("an " if text.startswith("8") or text in ("11%", "18%") else "a ") + text


def _plain_number(value: float) -> str:
    """A number as people write it: whole with commas from 100 up, else three significant figures (never 2.005e+04)."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    digits = max(0, 2 - math.floor(math.log10(abs(value))))
    return f"{value:.{digits}f}".rstrip("0").rstrip(".")


def assumption_text(name: str, value: float) -> str:
    """Return an assumption's value with its unit, e.g. "$8,000", "5,000 queries a day", "$2.00 per 1M tokens" (lesson 04)."""
    if not isinstance(name, str):
        raise validation.fail("name", name, "an assumption's name, e.g. 'ft_retrain_cost'")
    x = validation.real("value", value)
    unit = ASSUMPTION_UNITS.get(name, "")
    if name.endswith("_success"):
        return f"{x:.0%}"
    if unit.startswith("$"):
        return f"${_money_number(x)}" + unit[1:]
    return f"{_plain_number(x)} {unit}".strip()


def _money_number(value: float) -> str:
    """An amount in dollars: whole with commas from 100 up, else cents or three significant figures."""
    if value == 0 or abs(value) >= 100:
        return f"{value:,.0f}"
    digits = max(2, 2 - math.floor(math.log10(abs(value))))
    whole, cents = f"{value:.{digits}f}".split(".")
    return f"{whole}.{cents.rstrip('0').ljust(2, '0')}"


def _inputs(inputs: Any) -> CostInputs:
    """``inputs`` as CostInputs (None: the lesson's assumptions), else an error naming it."""
    if inputs is None:
        return CostInputs()
    if not isinstance(inputs, CostInputs):
        raise validation.fail("inputs", inputs, "CostInputs(...) (change an assumption with CostInputs(queries_per_day=...)), or None")
    return inputs


PATTERN_KEYS = ("prompt_only", "rag", "fine_tuned", "rag_fine_tuned")


def patterns_for(inputs: CostInputs | None = None, combined: bool = False) -> dict[str, Pattern]:
    """Return the patterns as cost lines: 'prompt_only', 'rag' and 'fine_tuned', and with
    ``combined`` also 'rag_fine_tuned': RAG on the fine-tuned small model (lesson 04).

    The combination runs both pipelines: both setups, both monthly costs, the fine-tuned model's
    retrains and the search on every query; its prompt carries the retrieved passages, read by
    the small model.
    """
    i = _inputs(inputs)
    combined = validation.one_of("combined", combined, (True, False))
    patterns = {
        "prompt_only": Pattern(
            "Prompt only",
            setup=i.prompt_setup,
            monthly={"evaluation": i.prompt_monthly},
            per_query=cost_per_query(i.prompt_tokens + i.examples_tokens, i.output_tokens, i.large_in, i.large_out),
            weeks_to_ship=i.prompt_weeks,
            success_rate=i.prompt_success,
        ),
        "rag": Pattern(
            "RAG",
            setup=i.rag_setup,
            monthly={"vector store, pipeline and evaluation": i.rag_monthly},
            per_query=cost_per_query(i.prompt_tokens + i.retrieved_tokens, i.output_tokens, i.large_in, i.large_out, i.rag_per_query_extra),
            weeks_to_ship=i.rag_weeks,
            success_rate=i.rag_success,
        ),
        "fine_tuned": Pattern(
            "Fine-tuned",
            setup=i.ft_setup,
            monthly={"evaluation and monitoring": i.ft_monthly},
            per_query=cost_per_query(i.prompt_tokens, i.output_tokens, i.small_in, i.small_out),
            retrain_every_months=i.ft_retrain_every,
            retrain_cost=i.ft_retrain_cost,
            weeks_to_ship=i.ft_weeks,
            success_rate=i.ft_success,
        ),
    }
    if combined:
        patterns["rag_fine_tuned"] = Pattern(
            "RAG + fine-tuned",
            setup=i.rag_setup + i.ft_setup,
            monthly={"vector store, pipeline and evaluation": i.rag_monthly, "fine-tuned model's evaluation and monitoring": i.ft_monthly},
            per_query=cost_per_query(i.prompt_tokens + i.retrieved_tokens, i.output_tokens, i.small_in, i.small_out, i.rag_per_query_extra),
            retrain_every_months=i.ft_retrain_every,
            retrain_cost=i.ft_retrain_cost,
            weeks_to_ship=i.combo_weeks,
            success_rate=i.combo_success,
        )
    return patterns


# --------------------------------------------------------------------------------------------
# Break-even
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class BreakEven:
    """Where two cost lines cross. ``volume`` is total queries over the horizon, or None for never."""

    volume: float | None
    months: float
    cheaper_below: str | None
    cheaper_above: str | None
    reason: str

    @property
    def never(self) -> bool:
        return self.volume is None

    @property
    def per_day(self) -> float | None:
        """The break-even as queries a day (a month is 30 days)."""
        return None if self.volume is None else self.volume / (self.months * DAYS_PER_MONTH)

    def __str__(self) -> str:
        return self.reason


def break_even_volume(
    fixed_a: float,
    per_query_a: float,
    fixed_b: float,
    per_query_b: float,
    monthly_a: float = 0.0,
    monthly_b: float = 0.0,
    months: float = 12,
    *,
    names: tuple[str, str] = ("option A", "option B"),
) -> BreakEven:
    """Return the total query volume over ``months`` at which options A and B cost the same.

    Q* = [F_B − F_A + M·(h_B − h_A)] / (v_A − v_B). It exists only when the option with the higher
    fixed cost is cheaper per query; otherwise the answer is "never", with the reason (lesson 04).
    """
    f_a = _amount("fixed_a", fixed_a, what="a cost in USD")
    v_a = _amount("per_query_a", per_query_a, what="a cost in USD")
    f_b = _amount("fixed_b", fixed_b, what="a cost in USD")
    v_b = _amount("per_query_b", per_query_b, what="a cost in USD")
    h_a = _amount("monthly_a", monthly_a, what="a cost in USD")
    h_b = _amount("monthly_b", monthly_b, what="a cost in USD")
    m = _amount("months", months, what="a number of months", positive=True)
    if not isinstance(names, (tuple, list)) or len(names) != 2 or not all(isinstance(n, str) for n in names):
        raise validation.fail("names", names, "two names, e.g. ('RAG', 'fine-tuned')")
    a, b = names
    fixed_gap = (f_b + m * h_b) - (f_a + m * h_a)  # how much more B costs before any query
    per_query_gap = v_a - v_b  # how much more A costs per query
    if fixed_gap == 0 and per_query_gap == 0:
        return BreakEven(None, m, None, None, f"Never: {a} and {b} cost the same at every volume.")
    if fixed_gap == 0:
        cheaper = b if per_query_gap > 0 else a
        return BreakEven(0.0, m, None, cheaper, f"Break-even at 0 queries: the fixed costs are equal, so {cheaper} (cheaper per query) costs less at any volume.")
    high, low = (b, a) if fixed_gap > 0 else (a, b)  # high: the option with the higher fixed cost
    saving = per_query_gap if fixed_gap > 0 else -per_query_gap  # what `high` saves per query
    if saving <= 0:
        how = "the same" if saving == 0 else "more"
        return BreakEven(
            None, m, low, low,
            f"Never: {high} has the higher fixed cost (${abs(fixed_gap):,.0f} more over {m:g} months) and costs {how} per query, so {low} is cheaper at every volume.",
        )
    volume = abs(fixed_gap) / saving
    return BreakEven(
        volume, m, low, high,
        f"Break-even at {volume:,.0f} queries over {m:g} months (about {volume / (m * DAYS_PER_MONTH):,.0f} a day). "
        f"Below that volume {low} costs less (its fixed costs are lower); above it {high} costs less (it is cheaper per query).",
    )


def break_even_between(a: Pattern, b: Pattern, months: float = 12) -> BreakEven:
    """Return the break-even between two patterns, retraining included in their fixed costs."""
    for name, value in (("a", a), ("b", b)):
        if not isinstance(value, Pattern):
            raise validation.fail(name, value, "a Pattern, e.g. patterns_for()['rag']")
    months = _amount("months", months, what="a number of months", positive=True)
    return break_even_volume(a.fixed_cost(months), a.per_query, b.fixed_cost(months), b.per_query, months=months, names=(a.name, b.name))


# --------------------------------------------------------------------------------------------
# The unit that matters, and the levers on it
# --------------------------------------------------------------------------------------------


def cost_per_successful_task(total_cost: float, tasks: float, success_rate: float) -> float:
    """Return total cost / (tasks × success rate): what one task done right really costs (lesson 04)."""
    cost = _amount("total_cost", total_cost, what="a cost in USD")
    n = _amount("tasks", tasks, what="a number of tasks", positive=True)
    rate = _success("success_rate", success_rate)
    return cost / (n * rate)


def cost_of_delay(weeks_to_ship: float, value_per_week: float) -> float:
    """Return weeks to ship × value per week: what waiting for a slower option gives up."""
    return _amount("weeks_to_ship", weeks_to_ship, what="a number of weeks") * _amount("value_per_week", value_per_week, what="a value in USD")


def cost_with_cache(per_query: float, hit_rate: float, cost_on_hit: float = 0.0) -> float:
    """Return the average cost per query when a share ``hit_rate`` is answered from a cache.

    = hit_rate × cost_on_hit + (1 − hit_rate) × per_query. A cached answer usually costs next to
    nothing; a provider's prompt cache instead bills cached input tokens at a fraction of the price.
    """
    full = _amount("per_query", per_query, what="a cost in USD")
    rate = _share("hit_rate", hit_rate)
    hit = _amount("cost_on_hit", cost_on_hit, what="a cost in USD")
    return rate * hit + (1 - rate) * full


def cost_with_fallback(first_tier: float, second_tier: float, escalation_rate: float, shared: float = 0.0) -> float:
    """Return the average cost per query when a cheaper model answers first and hands a share on.

    Every query pays the first tier; the share ``escalation_rate`` also pays the second:
    shared + first_tier + escalation_rate × second_tier. ``shared`` is what a query costs once,
    whichever model answers (embedding the question and searching, for RAG): leave it out of both
    tiers' costs so that the two are compared like for like (lesson 04).
    """
    first = _amount("first_tier", first_tier, what="a cost in USD")
    second = _amount("second_tier", second_tier, what="a cost in USD")
    once = _amount("shared", shared, what="a cost in USD")
    return once + first + _share("escalation_rate", escalation_rate) * second


@dataclasses.dataclass(frozen=True)
class Dashboard:
    queries_per_day: float
    cost_per_query: float
    daily: float
    monthly: float

    def __str__(self) -> str:
        return f"{self.queries_per_day:,.0f} queries a day × ${self.cost_per_query:.4f} = ${self.daily:,.2f} a day, ${self.monthly:,.2f} a month"


def ops_dashboard(queries_per_day: float, cost_per_query: float, days_per_month: float = DAYS_PER_MONTH) -> Dashboard:
    """Return the spend figures a dashboard should show: daily = volume × cost, monthly = daily × days."""
    volume = _amount("queries_per_day", queries_per_day, what="a number of queries")
    cost = _amount("cost_per_query", cost_per_query, what="a cost in USD")
    days = _amount("days_per_month", days_per_month, what="a number of days", positive=True)
    return Dashboard(volume, cost, volume * cost, volume * cost * days)


# --------------------------------------------------------------------------------------------
# Comparing the patterns, and how sure the decision is
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Comparison:
    inputs: CostInputs
    patterns: dict[str, Pattern]
    totals: dict[str, float]
    per_success: dict[str, float]
    delay: dict[str, float]

    @property
    def cheapest(self) -> str:
        """The pattern with the lowest total cost over the horizon."""
        return min(self.totals, key=self.totals.get)

    @property
    def cheapest_per_success(self) -> str:
        return min(self.per_success, key=self.per_success.get)

    def table(self):
        import pandas as pd

        rows = []
        with_delay = any(self.delay.values())
        for key, p in self.patterns.items():
            rows.append({
                "pattern": p.name,
                "cost per query ($)": round(p.per_query, 5),
                f"fixed over {self.inputs.months:g} months ($)": round(p.fixed_cost(self.inputs.months)),
                "total ($)": round(self.totals[key]),
                "success rate": p.success_rate,
                "per successful task ($)": round(self.per_success[key], 4),
                "weeks to ship": p.weeks_to_ship,
            })
            if with_delay:
                rows[-1]["cost of delay ($)"] = round(self.delay[key])
        return pd.DataFrame(rows).set_index("pattern")

    def __str__(self) -> str:
        parts = ", ".join(f"{self.patterns[k].name} ${v:,.0f}" for k, v in self.totals.items())
        return f"Over {self.inputs.months:g} months at {self.inputs.queries_per_day:,.0f} queries a day: {parts}. Cheapest: {self.patterns[self.cheapest].name}."


def compare(inputs: CostInputs | None = None, combined: bool = False) -> Comparison:
    """Return each pattern's total cost, cost per successful task and cost of delay (lesson 04);
    with ``combined``, RAG on the fine-tuned model is a fourth option."""
    i = _inputs(inputs)
    pats = patterns_for(i, combined)
    queries = i.queries
    totals = {k: float(p.total_cost(queries, i.months)) for k, p in pats.items()}
    per_success = {k: cost_per_successful_task(totals[k], queries, p.success_rate) if queries > 0 else math.inf for k, p in pats.items()}
    delay = {k: cost_of_delay(p.weeks_to_ship, i.value_per_week) for k, p in pats.items()}
    return Comparison(i, pats, totals, per_success, delay)


def cost_per_extra_success(comparison: Comparison, a: str, b: str) -> float:
    """Return what each extra task done right costs when you choose B over A: the difference in total
    cost over the difference in tasks done right, (total_B − total_A) / (queries × (success_B − success_A)).

    Worth paying when a task left undone costs more than this (a person answering it, a customer
    lost). Negative when B is cheaper as well (lesson 04)."""
    if not isinstance(comparison, Comparison):
        raise validation.fail("comparison", comparison, "the result of compare(...)")
    a = validation.one_of("a", a, tuple(comparison.patterns))
    b = validation.one_of("b", b, tuple(comparison.patterns))
    gain = comparison.patterns[b].success_rate - comparison.patterns[a].success_rate
    if gain <= 0 or comparison.inputs.queries <= 0:
        raise validation.fail("b", b, f"a pattern with a higher success rate than a ({a!r}), with some queries to serve")
    return (comparison.totals[b] - comparison.totals[a]) / (comparison.inputs.queries * gain)


@dataclasses.dataclass(frozen=True)
class SensitivityRow:
    """How one assumption moves the decision: the margin at low and high values, and where it flips."""

    name: str
    base: float
    low_value: float
    high_value: float
    margin_at_low: float
    margin_at_high: float
    flip_value: float | None
    a: str = "A"  # the options' names: a positive margin means A is cheaper
    b: str = "B"
    base_margin: float = 0.0

    @property
    def flip_factor(self) -> float | None:
        """The flip value as a multiple of the base value (e.g. 1.6 means 60% higher)."""
        if self.flip_value is None or self.base == 0:
            return None
        return self.flip_value / self.base

    @property
    def label(self) -> str:
        return ASSUMPTION_LABELS.get(self.name, self.name)

    @property
    def move(self) -> float | None:
        """How far the assumption must move to flip the decision, as a share of its value
        (0.4 means 40% up or down), or None when nothing in the range searched flips it."""
        return None if self.flip_factor is None else abs(self.flip_factor - 1)

    @property
    def cheaper(self) -> str | None:
        """The option that is cheaper at the base value (None when they cost the same)."""
        return None if self.base_margin == 0 else self.a if self.base_margin > 0 else self.b

    def __str__(self) -> str:
        now = f"{self.label} ({self.name}): {assumption_text(self.name, self.base)}"
        if self.flip_value is None:
            return f"{now}; no flip between 1/100 and 100 times it" + (f": {self.cheaper} stays the cheaper option" if self.cheaper else "")
        other = self.b if self.cheaper == self.a else self.a
        way = "down" if self.flip_value < self.base else "up"
        return (f"{now}; flips at {assumption_text(self.name, self.flip_value)} (x{self.flip_factor:.2f}, {_a_share(self.move)} move {way}), "
                f"where {other} becomes the cheaper option")

    @property
    def swing(self) -> float:
        return abs(self.margin_at_high - self.margin_at_low)


PATTERN_NAMES = {"prompt_only": "Prompt only", "rag": "RAG", "fine_tuned": "Fine-tuned", "rag_fine_tuned": "RAG + fine-tuned"}


def _margin(inputs: CostInputs, a: str, b: str, include_delay: bool) -> float:
    result = compare(inputs, combined="rag_fine_tuned" in (a, b))
    margin = result.totals[b] - result.totals[a]
    if include_delay:
        margin += result.delay[b] - result.delay[a]
    return margin


def sensitivity(
    inputs: CostInputs | None = None,
    a: str = "rag",
    b: str = "fine_tuned",
    names: list[str] | tuple[str, ...] | None = None,
    spread: float = 0.5,
    include_delay: bool = True,
    margin: Callable[[CostInputs], float] | None = None,
) -> list[SensitivityRow]:
    """Return, for each assumption, the margin (cost of B − cost of A) at ±``spread`` and the value
    at which the decision flips, sorted with the biggest swing first (a tornado chart's rows).

    A positive margin means A is cheaper. By default every assumption that changes the margin is
    varied; ``names`` picks them yourself. The flip value is the nearest value (searched from
    1/100 to 100 times the base, holding everything else fixed) at which the margin changes sign;
    None when no value in that range flips it.
    """
    base = _inputs(inputs)
    a, b = validation.one_of("a", a, PATTERN_KEYS), validation.one_of("b", b, PATTERN_KEYS)
    if a == b:
        raise validation.ArgumentError(f"a and b must be different patterns, got {a!r} twice")
    spread = validation.share("spread", spread, open_low=True, open_high=True)  # ±100% would zero an assumption
    fields = [f.name for f in dataclasses.fields(CostInputs)]
    if names is not None and (not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names)):
        raise validation.fail("names", names, "a list of assumption names, e.g. ['queries_per_day', 'months'], or None for all")
    chosen = list(names) if names is not None else [n for n in fields if getattr(base, n) > 0 and not n.endswith("_success")]
    for name in chosen:
        if name not in fields:
            raise validation.ArgumentError(f"names holds an unknown assumption {name!r}; the assumptions are {', '.join(fields)}")
    include_delay = validation.one_of("include_delay", include_delay, (True, False))
    if margin is not None and not callable(margin):
        raise validation.fail("margin", margin, "a function of CostInputs that returns the margin, or None")
    score = margin or (lambda i: _margin(i, a, b, include_delay))

    def at(name: str, value: float) -> float:
        return score(base.with_(**{name: value}))

    rows = []
    base_margin = score(base)
    for name in chosen:
        value = float(getattr(base, name))
        low, high = value * (1 - spread), value * (1 + spread)
        if name.endswith("_success"):
            high = min(high, 1.0)
        flip = _flip(lambda v, n=name: at(n, v), value, base_margin, name, _step_points(base, name))
        row = SensitivityRow(name, value, low, high, at(name, low), at(name, high), flip, PATTERN_NAMES[a], PATTERN_NAMES[b], base_margin)
        if names is not None or row.swing > 0:  # by default, leave out what does not touch A or B
            rows.append(row)
    return sorted(rows, key=lambda r: r.swing, reverse=True)


def break_even_by_horizon(
    inputs: CostInputs | None = None,
    months: Sequence[float] | np.ndarray = (),
    a: str = "rag",
    b: str = "fine_tuned",
) -> np.ndarray:
    """Return the break-even between patterns A and B, in queries a day, for each horizon in
    ``months`` (NaN where the lines never cross); by default every 0.05 month up to 36 (lesson 04).

    Retrains arrive in lumps, so the curve is a sawtooth: each retrain that enters the horizon
    makes the fine-tuned line jump, and the break-even with it; between retrains it falls again.
    """
    i = _inputs(inputs)
    a, b = validation.one_of("a", a, PATTERN_KEYS), validation.one_of("b", b, PATTERN_KEYS)
    if a == b:
        raise validation.ArgumentError(f"a and b must be different patterns, got {a!r} twice")
    if isinstance(months, (list, tuple, np.ndarray)) and len(months) == 0:
        months = np.arange(1, 721) * 0.05
    horizons = validation.array("months", months, "a list of horizons in months, each above 0")
    if np.any(horizons <= 0):
        raise validation.fail("months", months, "a list of horizons in months, each above 0")
    pats = patterns_for(i, combined="rag_fine_tuned" in (a, b))
    out = []
    for m in horizons.tolist():
        crossing = break_even_between(pats[a], pats[b], m)
        out.append(math.nan if crossing.per_day is None else crossing.per_day)
    return np.asarray(out)


def _step_points(inputs: CostInputs, name: str) -> list[float]:
    """Values of ``name`` at which a retrain enters or leaves the horizon: the margin jumps there,
    and a narrow window between two jumps could hide from a coarse search."""
    every, months = inputs.ft_retrain_every, inputs.months
    if name == "months":
        points = [k * every for k in range(1, int(100 * months / every) + 2)]
    elif name == "ft_retrain_every":
        points = [months / k for k in range(1, int(months / every * 100) + 2)]
    else:
        return []
    return [p * (1 + d) for p in points for d in (-1e-9, 0.0, 1e-9)]


def _flip(f: Callable[[float], float], value: float, base_margin: float, name: str, extra: Sequence[float] = ()) -> float | None:
    """Return the value nearest to ``value`` (the smallest move as a share of it) at which f changes sign, or None.

    The search scans factors from 1 up to 100 and down to 1/100 (plus the values in ``extra``, given
    as values), stops at the first sign change in each direction and narrows it down by bisection.
    """
    if value <= 0 or base_margin == 0:
        return None
    positive = base_margin > 0

    def same_side(factor: float) -> bool:
        m = f(factor * value)
        return m != 0 and (m > 0) == positive

    ceiling = 1.0 / value if name.endswith("_success") else 100.0  # a success rate stops at 1
    extra_factors = [v / value for v in extra if v > 0]
    ups = sorted({x for x in [*np.geomspace(1, 100, 31)[1:], *extra_factors] if 1 < x <= min(ceiling, 100)})
    downs = sorted({x for x in [*np.geomspace(1, 0.01, 31)[1:], *extra_factors] if 0.01 <= x < 1}, reverse=True)
    found = []
    for steps in (ups, downs):
        good = 1.0
        for factor in steps:
            if same_side(factor):
                good = factor
                continue
            bad = factor
            for _ in range(32):  # bisection: the margin can step (a retrain more or less)
                mid = math.sqrt(good * bad)
                good, bad = (mid, bad) if same_side(mid) else (good, mid)
            found.append(bad * value)
            break
    if not found:
        return None
    return min(found, key=lambda v: abs(v / value - 1))  # the smallest move, as a share of the value
