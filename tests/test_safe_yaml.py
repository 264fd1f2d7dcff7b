"""Hostile YAML: every file and text the kit loads goes through ``safe_yaml.load_yaml``.

A billion-laughs document, 20,000 levels of nesting, a 30 MB file, a ``!!python/...`` tag and a
huge value are each refused by every loader (brief, plan, scenario file, budget, interview bank,
policy corpus; the CSV price file for what a CSV can hold) within a second, with little memory,
and with a short message that says what was wrong. Normal files still load.
"""

from __future__ import annotations

import os
import time
import tracemalloc
from pathlib import Path

import pytest
import yaml

from aipm_course import safe_yaml
from aipm_course.briefs import BriefError, load_brief, load_example
from aipm_course.costs import PriceFileError, load_prices
from aipm_course.interview import BankError, load_bank
from aipm_course.parameters import ScenarioError, load_scenario_file, scenarios
from aipm_course.retrieval import CorpusError, load_corpus
from aipm_course.rollout import PlanError, load_plan
from aipm_course.safe_yaml import YamlError, load_yaml
from aipm_course.uncertainty import BudgetError, load_budget
from aipm_course.validation import AipmError

SECONDS = 1.0
PEAK_BYTES = 100 * 1024 * 1024
MESSAGE_CHARS = 500
BIG_BYTES = 30 * 1024 * 1024


# --- the hostile documents --------------------------------------------------------------------------


def laughs() -> str:
    """9 levels of 10 aliases: 347 bytes or so that expand to 10**9 strings."""
    levels = ["&a0 [" + ", ".join(['"lol"'] * 10) + "]"]
    levels += [f"&a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    return "[" + ", ".join(levels) + "]"


def deep() -> str:
    return "[" * 20_000 + "]" * 20_000


def python_tag() -> str:
    return "!!python/object/apply:os.system ['echo pwned']"


def huge() -> str:
    return "y" * 500_000  # under the 1 MB file limit, over the 100,000-character value limit


# Each loader: (how to call it on a path, its error, the YAML document with a hostile value at `{}`)
SCENARIO_REST = "title: A case\nvolume: 1\ncost: 1\nprevalence: 1\n"
BUDGET_HEAD = "budget:\n  routing:\n    max_error_rate: 0.05\n    owner: me\n    review_date: 2027-01-01\n    fallback: a person\n"
LOADERS = {
    "brief": (load_brief, BriefError, "feature: Triage\nuser_problem: {}\n"),
    "plan": (load_plan, PlanError, "feature: Triage\nkill_switch: {}\nstages:\n  - kind: shadow\n    traffic_share: 1\n    min_days: 3\n"),
    "scenario": (load_scenario_file, ScenarioError, "name: {}\n" + SCENARIO_REST),
    "budget": (load_budget, BudgetError, BUDGET_HEAD + "    severity: {}\n"),
    "bank": (load_bank, BankError, "- id: {}\n  question: Why?\n"),
    "corpus": (lambda path: load_corpus(path), CorpusError, "documents:\n  - id: {}\n    title: t\n    text: x\n"),
}
HOSTILE = {
    "billion laughs": (laughs, ("alias", "billion laughs")),
    "20,000 levels": (deep, ("levels deep",)),
    "python tag": (python_tag, ("python", "tag")),
    "huge value": (huge, ("500,000 characters", "100,000")),
}


def _refused(call, error: type[Exception]) -> tuple[Exception, float, int]:
    """Call, expecting ``error``; return it, the seconds it took and the peak of memory allocated
    (measured on a second call, as tracing memory slows Python down several times)."""
    started = time.perf_counter()
    with pytest.raises(error) as info:
        call()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        with pytest.raises(error):
            call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return info.value, seconds, peak


def _assert_refused_well(call, error, words, where=None, seconds_allowed=SECONDS):
    exc, seconds, peak = _refused(call, error)
    message = str(exc)
    assert seconds < seconds_allowed, f"{seconds:.2f} s: {message[:200]}"
    assert peak < PEAK_BYTES, f"{peak / 2**20:.0f} MB: {message[:200]}"
    assert len(message) < MESSAGE_CHARS, message[:600]
    assert all(word in message for word in words), message
    if where is not None:
        assert str(where) in message
    assert isinstance(exc, AipmError) and isinstance(exc, ValueError)
    assert exc.__cause__ is None
    return exc


@pytest.fixture(autouse=True)
def _no_system(monkeypatch):
    """os.system must never run: if a tag ever reached it, the test would see the call."""
    calls = []
    monkeypatch.setattr(os, "system", lambda *a: calls.append(a) or 0)
    yield
    assert calls == []


@pytest.fixture(scope="module")
def big_files(tmp_path_factory) -> dict[str, Path]:
    """A 30 MB file for each loader (a huge value in a field that loader reads)."""
    folder = tmp_path_factory.mktemp("big")
    files = {}
    filler = "x" * BIG_BYTES
    for name, (_, _, template) in LOADERS.items():
        path = folder / f"{name}.yaml"
        path.write_text(template.replace("{}", f'"{filler}"'), encoding="utf-8")
        files[name] = path
    price = folder / "prices.csv"
    price.write_text("model,provider,kind,input_per_million,output_per_million,training_per_million,as_of,source,note\n" + filler + "\n", encoding="utf-8")
    files["price"] = price
    return files


# --- every loader refuses every hostile document --------------------------------------------------------


@pytest.mark.parametrize("case", list(HOSTILE))
@pytest.mark.parametrize("loader", list(LOADERS))
def test_every_loader_refuses_a_hostile_file_fast_small_and_in_words(tmp_path, loader, case):
    load, error, template = LOADERS[loader]
    make, words = HOSTILE[case]
    path = tmp_path / f"{loader}.yaml"
    path.write_text(template.replace("{}", make()), encoding="utf-8")
    load_yaml("warm: up\n")  # imports done before the clock starts
    exc = _assert_refused_well(lambda: load(path), error, words, where=path)
    assert "line" in str(exc)


@pytest.mark.parametrize("loader", ["brief", "plan", "budget"])
@pytest.mark.parametrize("case", list(HOSTILE))
def test_loaders_that_take_text_refuse_it_as_text(loader, case):
    load, error, template = LOADERS[loader]
    make, words = HOSTILE[case]
    text = template.replace("{}", make())
    _assert_refused_well(lambda: load(text), error, words)


@pytest.mark.parametrize("loader", [*LOADERS, "price"])
def test_every_loader_refuses_a_30_mb_file_before_reading_it(big_files, loader):
    path = big_files[loader]
    assert path.stat().st_size > BIG_BYTES
    load, error = (load_prices, PriceFileError) if loader == "price" else LOADERS[loader][:2]
    _assert_refused_well(lambda: load(path), error, ("too large", "1,000,000 bytes"), where=path)


@pytest.mark.parametrize("loader", ["brief", "plan", "budget"])
def test_30_mb_of_text_is_refused_before_parsing(loader):
    load, error, template = LOADERS[loader]
    text = template.replace("{}", "x" * BIG_BYTES)
    _assert_refused_well(lambda: load(text), error, ("too large", "1,000,000"))
    one_line = "x" * BIG_BYTES + ".yaml"  # reads like a file name, but is far too long for one
    _assert_refused_well(lambda: load(one_line), error, ("too large", "1,000,000"))


def test_the_python_tag_is_refused_not_run_by_the_brief_with_the_old_wording():
    exc = _assert_refused_well(lambda: load_brief(f"feature: {python_tag()}\n"), BriefError, ("not valid YAML", "!!python"))
    assert type(exc) is BriefError


# --- a long value in a field: the error quotes a short excerpt -------------------------------------------

LONG = "Z" * 50_000  # under every limit of the reader, wrong for the field
LONG_KEY = "Z" * 1_000  # YAML allows keys of up to 1,024 characters without "? "


@pytest.mark.parametrize(
    ("loader", "text", "field"),
    [
        ("brief", f"metrics:\n  {LONG_KEY}:\n    - name: acc\n", "unknown layer"),
        ("brief", f"feature: [{{a: {LONG}}}]\n", "feature"),
        ("brief", f"{LONG_KEY}: 1\n" * 1 + "".join(f"k{i}: 1\n" for i in range(10_000)), "unknown field"),
        ("plan", f"stages:\n  - kind: {LONG}\n    traffic_share: 1\n    min_days: 3\n", "`kind`"),
        ("plan", f"stages:\n  - kind: shadow\n    traffic_share: 1\n    min_days: 3\n    gates: [{{metric: m, layer: {LONG}}}]\n", "`layer`"),
        ("plan", f"stages:\n  - kind: shadow\n    traffic_share: 1\n    min_days: 3\nkill_switch: [{LONG}]\n", "kill_switch"),
        ("scenario", f"name: {LONG}\n" + SCENARIO_REST, "`name`"),
        ("scenario", "name: ok\ntitle: [" + ", ".join(["t"] * 20_000) + "]\n", "`title`"),
        ("budget", BUDGET_HEAD + f"    severity: {LONG}\n", "severity"),
        ("budget", f"budget:\n  ? {LONG}\n  : 5\n", "must be a mapping"),
        ("budget", BUDGET_HEAD.replace("2027-01-01", LONG) + "    severity: high\n", "review_date"),
        ("bank", f"- id: a\n  question: q\n  concepts: [metric_stack]\n  rubric: {LONG}\n", "rubric"),
        ("bank", f"- id: {LONG.lower()}\n  question: q\n  concepts: 5\n", "concepts"),
        ("corpus", f"documents:\n  - id: a\n    title: t\n    text: [{LONG}]\n", "`text`"),
    ],
    ids=lambda v: v if len(v) < 20 else None,
)
def test_a_long_wrong_value_is_quoted_short(tmp_path, loader, text, field):
    load, error, _ = LOADERS[loader]
    path = tmp_path / f"{loader}.yaml"
    path.write_text(text, encoding="utf-8")
    _assert_refused_well(lambda: load(path), error, (field, "..."))


def test_a_long_wrong_value_in_the_price_file_is_quoted_short(tmp_path):
    header = "model,provider,kind,input_per_million,output_per_million,training_per_million,as_of,source,note\n"
    path = tmp_path / "prices.csv"
    path.write_text(header + f"m,p,chat,{LONG},1,,2026-06,list,\n", encoding="utf-8")
    _assert_refused_well(lambda: load_prices(path), PriceFileError, ("input_per_million", "not a number", "..."), where=path)
    path.write_text(header + f"m,p,{LONG},1,1,,2026-06,list,\n", encoding="utf-8")
    _assert_refused_well(lambda: load_prices(path), PriceFileError, ("kind", "..."), where=path)
    path.write_text(header + f"m,p,chat,1,1,,{LONG},list,\n", encoding="utf-8")
    _assert_refused_well(lambda: load_prices(path), PriceFileError, ("as_of", "..."), where=path)


def test_a_price_field_over_the_csv_limit_is_a_price_file_error(tmp_path):
    path = tmp_path / "prices.csv"
    header = "model,provider,kind,input_per_million,output_per_million,training_per_million,as_of,source,note\n"
    path.write_text(header + f'm,p,chat,"{"9" * 500_000}",1,,2026-06,list,\n', encoding="utf-8")
    _assert_refused_well(lambda: load_prices(path), PriceFileError, ("line 2", "field"), where=path)
    path.write_text(f'"{"m" * 500_000}",' + header, encoding="utf-8")
    _assert_refused_well(lambda: load_prices(path), PriceFileError, ("line 1",), where=path)


# --- the reader itself ----------------------------------------------------------------------------------


@pytest.fixture(params=["libyaml", "pure-python"])
def backend(request, monkeypatch):
    """Run a test with libyaml's parser and with PyYAML's own (the fallback without libyaml)."""
    if request.param == "pure-python":
        monkeypatch.setattr(safe_yaml, "_LOADER", yaml.SafeLoader)
    elif not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("PyYAML was built without libyaml")
    return request.param


@pytest.mark.parametrize("case", list(HOSTILE))
def test_the_reader_refuses_each_hostile_document_with_either_parser(backend, case):
    make, words = HOSTILE[case]
    exc = _assert_refused_well(lambda: load_yaml(f"value: {make()}\n", what="the test file"), YamlError, words)
    assert "the test file" in str(exc)
    assert exc.line == 1 or case == "20,000 levels" and backend == "pure-python" and exc.line is None


@pytest.mark.parametrize(
    "text",
    [
        "- " * 20_000 + "a\n",  # block sequences nested on one line
        "x: " + "{a: " * 20_000 + "1" + "}" * 20_000 + "\n",
        "x: " + "[" * 60,  # unclosed, deeper than the limit
    ],
    ids=["dashes", "braces", "unclosed"],
)
def test_other_deep_nesting_is_refused(backend, text):
    _assert_refused_well(lambda: load_yaml(text), YamlError, ("50 levels deep",))


def test_the_limits_can_be_set():
    assert load_yaml("a: [[[1]]]\n", max_depth=4) == {"a": [[[1]]]}
    with pytest.raises(YamlError, match="more than 3 levels deep"):
        load_yaml("a: [[[1]]]\n", max_depth=3)
    assert load_yaml("a: &x 1\nb: [*x, *x]\n", max_aliases=2) == {"a": 1, "b": [1, 1]}
    with pytest.raises(YamlError, match="more than 1 YAML aliases"):
        load_yaml("a: &x 1\nb: [*x, *x]\n", max_aliases=1)
    with pytest.raises(YamlError, match="more than 10 values"):
        load_yaml("a: &x [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [*x, *x]\n", max_alias_nodes=10)
    with pytest.raises(YamlError, match="at most 5 in one value"):
        load_yaml("a: abcdef\n", max_scalar=5)
    with pytest.raises(YamlError, match="at most 10 bytes"):
        load_yaml("a: abcdefghij\n", max_bytes=10)
    with pytest.raises(YamlError, match="at most 10 bytes"):
        load_yaml("a: éééé\n", max_bytes=10)  # 8 characters, 12 bytes


def test_a_few_aliases_and_merge_keys_still_work(backend):
    text = "base: &base {layer: online, severity: blocker}\ngates:\n  - {<<: *base, metric: a}\n  - {<<: *base, metric: b}\n"
    assert load_yaml(text)["gates"][1] == {"layer": "online", "severity": "blocker", "metric": "b"}


def test_an_alias_to_its_own_container_or_to_nothing_is_refused(backend):
    with pytest.raises(YamlError, match="endless"):
        load_yaml("a: &a [1, *a]\n")
    with pytest.raises(YamlError, match="no value before it has that anchor"):
        load_yaml("a: *nowhere\n")


def test_values_the_safe_constructor_cannot_build_are_errors_not_crashes(backend):
    with pytest.raises(YamlError, match="day is out of range"):
        load_yaml("review_date: 2027-02-30\n")
    with pytest.raises(YamlError, match="not valid YAML"):
        load_yaml("a: \x07\n")
    with pytest.raises(YamlError, match="more than one document"):
        load_yaml("a: 1\n---\nb: 2\n")


def test_a_syntax_error_keeps_its_advice_and_quotes_a_long_line_short(backend):
    exc = _assert_refused_well(lambda: load_yaml("metrics:\n  quality:\n    accuracy: >= 0.92\n"), YamlError, ("must be in quotes", "line 3"))
    assert exc.line == 3
    long_line = "a: [" + "b, " * 20_000 + "\n"
    _assert_refused_well(lambda: load_yaml(long_line), YamlError, ("not valid YAML", "..."), seconds_allowed=SECONDS if backend == "libyaml" else 5)


def test_the_callers_error_class_is_raised_exactly():
    with pytest.raises(PlanError) as info:
        load_yaml("a: [1\n", what="the plan", error=PlanError)
    assert type(info.value) is PlanError and "the plan is not valid YAML" in str(info.value)
    assert issubclass(YamlError, AipmError)


def test_text_path_and_empty_input(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_bytes("\ufeffname: Café\n".encode("utf-8"))  # a byte-order mark, as some editors write
    assert load_yaml(path) == load_yaml(str(path)) == {"name": "Café"}
    assert load_yaml("") is None and load_yaml("# a comment\n") is None
    with pytest.raises(YamlError, match="cannot read the brief .*missing.yaml"):
        load_yaml(tmp_path / "missing.yaml")
    path.write_bytes(b"name: \xff\n")
    with pytest.raises(YamlError, match="not UTF-8"):
        load_yaml(path)
    with pytest.raises(YamlError, match="text_or_path must be"):
        load_yaml(42)


def test_no_module_calls_yaml_load_itself():
    package = Path(safe_yaml.__file__).parent
    for file in package.rglob("*.py"):
        if file.name == "safe_yaml.py":
            continue
        text = file.read_text(encoding="utf-8")
        assert "yaml.safe_load(" not in text and "yaml.load(" not in text, file


# --- normal files still load ----------------------------------------------------------------------------


def test_the_kits_own_files_still_load():
    assert load_example("support_triage").feature
    assert load_example("weak") is not None
    assert len(load_bank()) > 5
    assert load_corpus().documents
    assert {"default", "fintech_fraud"} <= set(scenarios())
    assert load_prices()


def test_the_hostile_scenario_in_the_kit_is_refused_by_the_workshop_command(tmp_path, monkeypatch, capsys):
    from aipm_course import cli

    kit = tmp_path / "kit"
    (kit / "exercises").mkdir(parents=True)
    folder = kit / "instructors" / "scenarios"
    folder.mkdir(parents=True)
    (folder / "bomb.yaml").write_text(f"name: {laughs()}\n" + SCENARIO_REST, encoding="utf-8")
    monkeypatch.setenv("AIPM_KIT_ROOT", str(kit))
    started = time.perf_counter()
    assert cli.main(["workshop", "scenarios"]) != 0
    assert time.perf_counter() - started < SECONDS
    err = capsys.readouterr().err
    assert "bomb.yaml" in err and "billion laughs" in err and len(err) < MESSAGE_CHARS
