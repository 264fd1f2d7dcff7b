"""The reports of a grading run (grading/report.py), from runs built by hand: no kernel starts.

The run below has every outcome, hostile text in names, teams and messages, a learner whose notebook
stopped, one whose assignment differs, one who handed in nothing, one with a module missing and one
not on the roster.
Expected values come from the kit's question lists and the run itself, never from the reports' code.
"""

import csv
import dataclasses
import html
import re
from html.parser import HTMLParser

import pytest

from aipm_course.exercises import MODULES, load, question_ids
from aipm_course.grading import model
from aipm_course.grading.model import (
    CORRECT, DIFFERS, ERROR, INCORRECT, MISSING, NOT_ATTEMPTED, NOT_REACHED, NOT_REJUDGED, OUTCOMES, UNVERIFIED,
    AGREES, FileResult, Finding, GradeRun, QuestionResult,
)
from aipm_course.grading.report import csv_safe, feedback_names, slip_of, write_reports
from aipm_course.validation import AipmError

Q02, Q03 = question_ids("02"), question_ids("03")
TITLES = {m: {q.id: q.title for q in load(m).questions} for m in ("02", "03")}
FORMULA = '=HYPERLINK("http://x","y")'

ANA = "ana_lopez"
BART = "Bartholomew/../x"  # a folder name trying to climb out
ZOE = "Zoë Ünal 🚀"
CARL = "Carlotta"  # worked at another seed than assigned
DMITRI = "Dmitri"  # handed in nothing
FEN = "<script>alert('Fenella')</script>"
GRACE = "=cmd|' /C calc'!A0 Grace"  # not on the roster
IVO = "Ivo Ilić"
LEARNERS = [ANA, BART, ZOE, CARL, DMITRI, FEN, GRACE, IVO]
# A word of each learner's name that appears nowhere else in the run.
OWN_WORD = {ANA: "lopez", BART: "Bartholomew", ZOE: "Ünal", CARL: "Carlotta", DMITRI: "Dmitri", FEN: "Fenella", GRACE: "Grace",
            IVO: "Ilić"}
REASSIGNED = getattr(model, "REASSIGNED", "re-judged against the assignment")
CARL_FLAG = ("assignment differs: the notebook uses seed 0, scenario default; the roster assigns seed 7, scenario "
             "fintech_fraud (answers judged against the roster's)")
CARL_CAUSE = ("Your notebook for module 02 used seed 0, scenario default, but your assignment is seed 7, scenario "
              "fintech_fraud, so your answers were judged against your assigned numbers. Set seed = 7 and scenario = "
              '"fintech_fraud" in the cell that sets them, restart and run all, and hand it in again.')
CLOSING = "restart the kernel and run all cells"


def result(learner, module, qid, outcome, message="", **kw):
    kw.setdefault("seed", "7")
    kw.setdefault("scenario", "fintech_fraud")
    kw.setdefault("file", f"{learner}/{module}_exercise.ipynb" if outcome != MISSING else "")
    kw.setdefault("verification", AGREES if outcome in (CORRECT, INCORRECT) else "")
    return QuestionResult(learner, module, qid, TITLES[module][qid], outcome, message, **kw)


def ana_results():
    r = [
        result(ANA, "02", "q1", CORRECT, "TOK-correct 0.08 is right.", hint="HINT-ana-q1"),
        result(ANA, "02", "q2", INCORRECT, "0.12 is about 10 times too big. Check the units.",
               hint="HINT-ana-q2 Add them up. Ask `hint(2)` for more."),  # the notebook's pointer, not the feedback's
        result(ANA, "02", "q3", NOT_ATTEMPTED, "TOK-not-attempted", hint="HINT-ana-q3"),
        result(ANA, "02", "q4", NOT_REACHED, "TOK-not-reached"),
        result(ANA, "02", "q5", ERROR, "TOK-error NameError on line 3 of cell 12", details=("DETAIL-ana-q5",)),
        result(ANA, "02", "q6", UNVERIFIED, "TOK-unverified", shown=CORRECT, verification=NOT_REJUDGED + ": no recorded answer"),
        result(ANA, "02", "q7", INCORRECT, "TOK-incorrect 'b' is not it.", shown=CORRECT, verification=DIFFERS + ": the notebook showed correct"),
    ]
    return r + [result(ANA, "02", q, CORRECT, f"{q} right.") for q in ("q8", "q9")]


def bart_results():
    stopped = [result(BART, "02", q, NOT_REACHED, "MSG-bart the notebook stopped before this check") for q in Q02[3:]]
    return [
        result(BART, "02", "q1", CORRECT, FORMULA, team="@SUM(A1)"),
        result(BART, "02", "q2", INCORRECT, "3.4 is about 10 times too big. Check the units.", team="@SUM(A1)"),
        result(BART, "02", "q3", ERROR, "<script>alert(1)</script> raised -2+3", team="@SUM(A1)"),
    ] + [dataclasses.replace(r, team="@SUM(A1)") for r in stopped]


def zoe_results():
    return [result(ZOE, "02", q, CORRECT, f"{q} is right.") for q in Q02] + [
        result(ZOE, "03", q, MISSING, "TOK-missing no notebook for 03", seed="", scenario="") for q in Q03
    ]


def carl_results():
    # worked at seed 0, scenario default; judged against the assignment, 7 / fintech_fraud, as grading does
    r = [
        result(CARL, "02", "q1", CORRECT, "right"),
        result(CARL, "02", "q2", INCORRECT, "5.6 is about 10 times too big. Check the units.", shown=CORRECT,
               verification=DIFFERS + ": the notebook showed 'correct'"),
        result(CARL, "02", "q3", CORRECT, "right"),
    ]
    return r + [result(CARL, "02", q, NOT_ATTEMPTED, "not yet") for q in Q02[3:]]


def fen_grace_ivo_results():
    # two learners, messages of different lengths, the same slip given by grading: one group of 2
    return [
        result(FEN, "03", "q1", INCORRECT, "Your 41 users are too few", slip="SLIP-same-slip"),
        result(IVO, "03", "q1", INCORRECT, "Your 97 users are too few, rounded", slip="SLIP-same-slip"),
        result(GRACE, "03", "q1", INCORRECT, "GRACE-ONLY 5 users are too many"),  # not on the roster: left out
    ] + [result(who, "03", q, NOT_ATTEMPTED, "") for who in (FEN, GRACE, IVO) for q in Q03[1:]]


FINDINGS = [
    Finding("missing learner", DMITRI, "DETAIL-dmitri on the roster, nothing handed in"),
    Finding("missing module", ZOE, "DETAIL-zoe module 03 is assigned; no notebook"),
    Finding("duplicate", ANA, "DETAIL-ana graded 02_exercise.ipynb (newest), not 02_old.ipynb", file=f"{ANA}/02_old.ipynb"),
    Finding("not a notebook", BART, "DETAIL-bart a PDF export <b>bold</b>", file=f"{BART}/answers.pdf"),
    Finding("link", ANA, "DETAIL-ana a link, not followed", file=f"{ANA}/02_link.ipynb"),
    Finding("not on the roster", GRACE, "DETAIL-grace not on the roster; graded anyway"),
    Finding("assignment differs", CARL, CARL_FLAG, file=f"{CARL}/02_exercise.ipynb"),
]


def files():
    ran = [FileResult(who, f"{who}/{m}_exercise.ipynb", m, "ran", 3.5, "7", "fintech_fraud")
           for who, m in ((ANA, "02"), (ZOE, "02"), (FEN, "03"), (GRACE, "03"), (IVO, "03"))]
    return ran + [
        FileResult(BART, f"{BART}/02_exercise.ipynb", "02", "stopped: the kernel died in cell 14", 2.0, "7", "fintech_fraud",
                   errors=("cell 9, line 1: NameError: name '<img src=x>' is not defined",)),
        FileResult(CARL, f"{CARL}/02_exercise.ipynb", "02", "ran", 1.0, "7", "fintech_fraud", flags=(CARL_FLAG,)),
    ]


def make_run():
    modules = {ZOE: ("02", "03"), FEN: ("03",), IVO: ("03",)}
    roster = [{"learner": name, "team": "team-a" if name in (ANA, ZOE) else "", "seed": 7, "scenario": "fintech_fraud",
               "modules": modules.get(name, ("02",))} for name in LEARNERS if name != GRACE]
    results = ana_results() + bart_results() + zoe_results() + carl_results() + fen_grace_ivo_results()
    return GradeRun(results, files(), FINDINGS, "no sandbox: bubblewrap is not installed", 12.0, roster, list(LEARNERS), ["02", "03"])


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    run = make_run()
    written = write_reports(run, out)
    return run, out, written


class Tables(HTMLParser):
    """Every table row as a list of cells: {'attrs': ..., 'text': ...} (text unescaped)."""

    def __init__(self, text):
        super().__init__()
        self.rows, self.cell = [], None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = {"attrs": dict(attrs), "text": ""}
            self.rows[-1].append(self.cell)

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell["text"] += data


class Text(HTMLParser):
    """The text a reader sees (not the style sheet)."""

    def __init__(self, text):
        super().__init__()
        self.parts, self.style = [], False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.style = self.style or tag == "style"

    def handle_endtag(self, tag):
        self.style = self.style and tag != "style"

    def handle_data(self, data):
        if not self.style:
            self.parts.append(data)

    def __str__(self):
        return " ".join(" ".join(self.parts).split())


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# csv_safe, slip_of, feedback_names
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [FORMULA, "=1+1", "+cmd", "-x", "@SUM(A1)", "\t=1", "\r=1", "  =1+1", "-", "＝1+1"])
def test_csv_safe_quotes_a_cell_that_could_be_a_formula(value):
    assert csv_safe(value) == "'" + value


@pytest.mark.parametrize("value, expected", [(-3.5, "-3.5"), ("-3.5", "-3.5"), ("+2", "+2"), (7, "7"), ("1e-3", "1e-3"),
                                             ("plain words", "plain words"), ("", ""), (None, ""), ("a=b", "a=b")])
def test_csv_safe_keeps_numbers_and_plain_text(value, expected):
    assert csv_safe(value) == expected


def test_csv_safe_writes_undecodable_names_as_utf8():
    assert csv_safe("bad\udcff name").encode("utf-8") == "bad\ufffd name".encode("utf-8")


@pytest.mark.parametrize("one, other", [
    ("0.12 is about 10 times too big.", "3.4 is about 10 times too big."),
    ("You spend $1,234.50 a day, 12.5% over budget.", "You spend $99 a day, 7% over budget."),
    ("Expected a single number, got the text 'x'.", "Expected a single number, got the text '12 apples'."),
    ('The option "fast" is not it.', 'The option "cheap" is not it.'),
    ("-3 is not right yet.", "1,000,000 is not right yet."),
    ("NameError on line 3 of cell 12", "NameError on line 40 of cell 7"),
])
def test_slip_of_takes_the_learners_own_values_out(one, other):
    assert slip_of(one) == slip_of(other)
    assert not re.search(r"\d", slip_of(one)), slip_of(one)


def test_slip_of_keeps_what_tells_mistakes_apart():
    assert "$" in slip_of("You spend $1,234.50") and "%" in slip_of("12.5% over")
    assert "q3" in slip_of("q3: the learner's answer") and "learner's" in slip_of("q3: the learner's answer")
    assert slip_of("0.5 is right only when both errors cost the same.") != slip_of("0.5 is not right yet.")
    assert slip_of("") == ""


def test_feedback_names_are_safe_and_distinct_even_ignoring_case():
    learners = [ANA, "Ana_Lopez", BART, "..", ".hidden", "CON", "con.txt", "", "a/b", "a_b", ZOE, FEN, "x" * 300,
                "bad\udcff", "bad\udcfe", "plain-name.2"]
    names = feedback_names(learners)
    assert set(names) == set(learners)
    assert len({n.lower() for n in names.values()}) == len(learners)
    for name in names.values():
        assert re.fullmatch(r"[A-Za-z0-9._~-]{1,80}", name) and not name.startswith((".", "-")), name
        assert name.split(".")[0].lower() not in ("con", "nul"), name
    assert names["plain-name.2"] == "plain-name.2"  # a name already safe and unique is kept as it is
    assert names[ANA] != ANA and names["Ana_Lopez"] != "Ana_Lopez"  # the same on a file system ignoring case
    assert feedback_names([ANA])[ANA] == ANA
    assert feedback_names(learners) == names


# --------------------------------------------------------------------------------------------
# The files
# --------------------------------------------------------------------------------------------


def test_writes_every_report_and_only_inside_out(reports, tmp_path):
    run, out, written = reports
    names = feedback_names(LEARNERS)
    expected = {"grades.csv", "gradebook.csv", "summary.html"}
    expected |= {f"feedback/{names[who]}.{ext}" for who in LEARNERS for ext in ("md", "html")}
    assert set(written) == expected
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert on_disk == expected
    for path in written.values():
        assert path.resolve().parent in (out.resolve(), (out / "feedback").resolve())


def test_refuses_what_is_not_a_run_or_a_folder(tmp_path):
    with pytest.raises(AipmError, match="run must be"):
        write_reports({"results": []}, tmp_path)
    with pytest.raises(AipmError, match="out must be"):
        write_reports(make_run(), tmp_path / "not-there")


def test_every_csv_cell_is_safe(reports):
    _, out, _ = reports
    cells = [cell for name in ("grades.csv", "gradebook.csv") for row in read_csv(out / name) for cell in row]
    assert cells
    for cell in cells:
        if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
            assert is_number(cell), repr(cell)
    assert "'" + FORMULA in cells and "'" + GRACE in cells and "'@SUM(A1)" in cells


def test_grades_csv_has_one_row_per_result(reports):
    run, out, _ = reports
    rows = read_csv(out / "grades.csv")
    assert rows[0] == ["learner", "team", "file", "module", "question", "title", "outcome", "message",
                       "seed", "scenario", "verification", "shown", "status"]
    assert len(rows) - 1 == len(run.results)
    by_key = {(r[0], r[3], r[4]): dict(zip(rows[0], r)) for r in rows[1:]}
    assert by_key[(BART, "02", "q9")]["status"] == "stopped: the kernel died in cell 14"
    assert by_key[(ANA, "02", "q7")]["shown"] == CORRECT and by_key[(ANA, "02", "q7")]["verification"].startswith(DIFFERS)
    assert by_key[(ZOE, "02", "q1")]["team"] == "team-a"


def test_gradebook_has_every_learner_counted_out_of_all_questions(reports):
    _, out, _ = reports
    rows = read_csv(out / "gradebook.csv")
    header = rows[0]
    k02, k03 = f"02 (out of {len(Q02)})", f"03 (out of {len(Q03)})"
    assert header == ["learner", "team", k02, k03, "total", "out of", "flags"]
    book = {row[0]: dict(zip(header, row)) for row in rows[1:]}
    assert set(book) == {ANA, BART, ZOE, CARL, DMITRI, FEN, "'" + GRACE, IVO}
    assert len(rows) - 1 == len(LEARNERS)
    expect = {  # learner: (02, 03, total, out of)
        ANA: ("3", "", "3", str(len(Q02))),  # q1, q8, q9; q6 unverified and q7 re-judged wrong do not count
        BART: ("1", "", "1", str(len(Q02))),  # the notebook stopped after q3: still out of all of 02
        ZOE: (str(len(Q02)), "0", str(len(Q02)), str(len(Q02) + len(Q03))),
        CARL: ("2", "", "2", str(len(Q02))),
        DMITRI: ("0", "", "0", str(len(Q02))),  # the roster assigns 02; nothing handed in
        FEN: ("", "0", "0", str(len(Q03))),
        IVO: ("", "0", "0", str(len(Q03))),
    }
    for who, (m02, m03, total, out_of) in expect.items():
        assert (book[who][k02], book[who][k03], book[who]["total"], book[who]["out of"]) == (m02, m03, total, out_of), who
    # said in plain words, once, though both the file and a finding say it
    assert book[CARL]["flags"].count("worked at seed 0, scenario default instead of seed 7, scenario fintech_fraud") == 1
    assert "assignment differs" not in book[CARL]["flags"] and "differ" not in book[CARL]["flags"]  # q2: expected, not flagged
    assert "1 outcome differs from what the notebook showed (see summary.html, Flagged outcomes)" in book[ANA]["flags"]
    assert "1 unverified" in book[ANA]["flags"] and "re-judged" not in book[ANA]["flags"]
    assert book[IVO]["flags"] == "" and book[FEN]["flags"] == ""
    assert "nothing handed in" in book[DMITRI]["flags"]
    assert "03" in book[ZOE]["flags"] and "missing" in book[ZOE]["flags"]
    assert "error" in book[BART]["flags"]
    assert "not on the roster" in book["'" + GRACE]["flags"]


# --------------------------------------------------------------------------------------------
# summary.html
# --------------------------------------------------------------------------------------------


def test_summary_is_self_contained_and_escapes_everything(reports):
    _, out, written = reports
    page = (out / "summary.html").read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "<img" not in page.lower() and "<b>bold" not in page
    assert not re.search(r"""(src|href)\s*=\s*['"]?(https?:)?//""", page)
    assert "no sandbox: bubblewrap is not installed" in page
    assert FEN in str(Text(page))
    titles = [c["attrs"]["title"] for row in Tables(page).rows for c in row if "title" in c["attrs"]]
    assert any(FORMULA in title for title in titles)  # the message, as a tooltip, as text
    for name in written:
        if name.startswith("feedback/"):
            assert f"href='{name}'" in page or f'href="{name}"' in page


def test_summary_lists_every_finding_by_kind_with_what_to_do(reports):
    run, out, _ = reports
    page = (out / "summary.html").read_text(encoding="utf-8")
    text = str(Text(page))
    start = text.index("What was not graded, or needs a look")
    end = text.index("Flagged outcomes (")
    assert f"needs a look ({len(run.findings)})" in text
    for finding in run.findings:
        assert f"{finding.kind} (1)" in text[start:end], finding.kind
        detail = finding.detail.removeprefix(finding.kind + ": ")
        assert detail in text[start:end], detail
    assert "assignment differs: assignment differs" not in text and "assignment differs: the notebook" not in text[start:end]
    # each kind of finding comes with one line on what to do
    explained = re.findall(r"<h3>[^<]*</h3><p class='note'>([^<]+)</p>", page)
    assert len(explained) == len({f.kind for f in run.findings}), explained
    assert any("grade again" in line for line in explained) and any("feedback" in line for line in explained)


def test_matrix_tells_all_seven_outcomes_apart_with_a_legend(reports):
    _, out, _ = reports
    rows = Tables((out / "summary.html").read_text(encoding="utf-8")).rows
    cells = [c for row in rows for c in row if "title" in c["attrs"]]
    looks = {}
    for outcome in OUTCOMES:
        token = "TOK-" + outcome.replace(" ", "-")
        mine = [c for c in cells if token in c["attrs"]["title"]]
        assert mine, outcome
        classes = set(mine[0]["attrs"].get("class", "").split()) - {"flag"}
        looks[outcome] = (mine[0]["text"].split()[0], frozenset(classes))
    assert len({symbol for symbol, _ in looks.values()}) == 7, looks
    assert len({classes for _, classes in looks.values()}) == 7, looks
    for outcome, (symbol, _) in looks.items():
        legend = [row for row in rows if any(c["text"].strip() == outcome for c in row)]
        assert any(symbol in [c["text"].strip() for c in row] for row in legend), outcome
    flagged = [c for c in cells if "TOK-incorrect" in c["attrs"]["title"]][0]
    assert DIFFERS in flagged["attrs"]["title"] and "flag" in flagged["attrs"]["class"].split()
    carl = [c for c in cells if "5.6 is about" in c["attrs"]["title"]][0]  # judged against the assignment: not outlined
    assert "flag" not in carl["attrs"]["class"].split() and "assignment" in carl["attrs"]["title"]


def test_a_module_missing_or_not_assigned_is_one_cell_across_it(reports):
    _, out, _ = reports
    rows = Tables((out / "summary.html").read_text(encoding="utf-8")).rows
    matrix = [r for r in rows if len(r) > 3 and r[-1]["attrs"].get("class") == "num" and "/" in r[-1]["text"]]
    zoe = next(r for r in matrix if ZOE in r[0]["text"])
    assert len(zoe) == 2 + len(Q02) + 1 + 1, [c["text"] for c in zoe]  # learner, team, 02's questions, 03 in one, score
    missing = zoe[2 + len(Q02)]
    assert missing["attrs"]["colspan"] == str(len(Q03)) and "not handed in" in missing["text"]
    dmitri = next(r for r in matrix if DMITRI in r[0]["text"])
    assert [c["attrs"].get("colspan") for c in dmitri[2:-1]] == [str(len(Q02)), str(len(Q03))]
    assert "not handed in" in dmitri[2]["text"] and "not assigned" in dmitri[3]["text"]


def question_row(rows, module, qid):
    found = [r for r in rows if len(r) > 3 and r[0]["text"] == qid and r[1]["text"] == TITLES[module][qid]]
    assert len(found) == 1, (module, qid)
    return [c["text"] for c in found[0]]


MISSING_COLUMN = 3 + OUTCOMES.index(MISSING)  # question, title, passed, then one column per outcome


def test_pass_rates_count_only_who_handed_in_at_their_assignment(reports):
    _, out, _ = reports
    page = (out / "summary.html").read_text(encoding="utf-8")
    rows = Tables(page).rows
    q3 = question_row(rows, "02", "q3")
    # counted: ana (not attempted), Bartholomew (error), Zoë (correct); Dmitri handed in nothing: only under ∅;
    # Carlotta (correct) worked at another seed: left out
    assert q3[2] == "1 of 3 (33%)", q3
    assert q3[MISSING_COLUMN] == "1" and q3[3] == "1" and q3[3 + OUTCOMES.index(ERROR)] == "1", q3
    assert not any(CARL in cell or DMITRI in cell for cell in q3), q3
    q1 = question_row(rows, "03", "q1")  # Fenella and Ivo wrong; Zoë missing; Grace not on the roster: left out
    assert q1[2] == "0 of 2 (0%)" and q1[MISSING_COLUMN] == "1" and q1[3 + OUTCOMES.index(INCORRECT)] == "2", q1
    assert "GRACE-ONLY" not in q1[-1] and GRACE not in q1[-1]
    text = str(Text(page))
    assert "handed the module in and worked at their assigned seed and scenario" in text
    m02, m03 = text.index("Module 02"), text.index("Module 03")
    # the learners left out are named once, above their module's table, with why
    assert text.count(f"{CARL} (worked at seed 0, scenario default instead of seed 7, scenario fintech_fraud)") == 1
    assert m02 < text.index("Left out of the counts below: " + CARL, m02) < m03
    assert text.index(f"Left out of the counts below: {GRACE} (not on the roster)", m03) > m03
    assert "left out (assignment differs)" not in text


def test_same_slip_with_different_numbers_is_one_group(reports):
    _, out, _ = reports
    rows = Tables((out / "summary.html").read_text(encoding="utf-8")).rows
    mistakes = question_row(rows, "02", "q2")[-1]
    assert "2×" in mistakes and ANA in mistakes and BART in mistakes, mistakes
    assert "1×" not in mistakes and CARL not in mistakes, mistakes
    assert "# is about 10 times too big. Check the units." in mistakes  # only the number that differs is hidden
    assert "0.12" not in mistakes and "3.4" not in mistakes
    given = question_row(rows, "03", "q1")[-1]  # messages of different lengths: the slip grading gave
    assert "2×" in given and "SLIP-same-slip" in given and FEN in given and IVO in given, given


def test_mistakes_show_every_number_a_group_shares(tmp_path):
    messages = {
        "p1": "That looks like a percentage. Give the answer as a share between 0 and 1 (0.25 for 25%).",
        "p2": "0.5 is right only when both errors cost the same.", "p3": "0.5 is right only when both errors cost the same.",
        "p4": "Your 0.3 is about 10 times too big ($40 a day).", "p5": "Your 0.7 is about 10 times too big ($45 a day).",
    }
    results = [QuestionResult(who, "02", "q1", TITLES["02"]["q1"], INCORRECT, text, seed="1", scenario="fintech_fraud",
                              file=f"{who}/02.ipynb", verification=AGREES) for who, text in messages.items()]
    write_reports(GradeRun(results, [], [], "sandbox (bubblewrap)", learners=list(messages), modules=["02"]), tmp_path)
    mistakes = question_row(Tables((tmp_path / "summary.html").read_text(encoding="utf-8")).rows, "02", "q1")[-1]
    assert "1× incorrect: " + messages["p1"] in mistakes, mistakes  # a group of one: as it is
    assert "2× incorrect: " + messages["p2"] in mistakes, mistakes  # the same number in both: kept
    assert "2× incorrect: Your # is about 10 times too big ($# a day)." in mistakes, mistakes


def test_flagged_outcomes_say_what_the_notebook_showed_and_what_was_found(reports):
    _, out, _ = reports
    rows = Tables((out / "summary.html").read_text(encoding="utf-8")).rows
    table = [[c["text"] for c in r] for r in rows if len(r) == 5 and r[1]["text"].startswith(("02 ", "03 "))]
    assert [(r[0], r[1]) for r in table] == [(ANA, "02 q6"), (ANA, "02 q7")]  # not Carlotta's: judged at her assignment
    q6, q7 = table
    assert q7[2:4] == [CORRECT, INCORRECT], q7  # what the notebook showed, and what counts: each said once
    assert q6[2] == CORRECT and q6[3].startswith(UNVERIFIED) and "no recorded answer" in q6[3], q6
    assert all("notebook showed" not in cell for row in table for cell in row[3:4]), table


def test_per_file_table_shows_status_errors_and_flags(reports):
    _, out, _ = reports
    text = str(Text((out / "summary.html").read_text(encoding="utf-8")))
    assert "stopped: the kernel died in cell 14" in text
    assert "name '<img src=x>' is not defined" in text
    assert CARL_FLAG in text


# --------------------------------------------------------------------------------------------
# Feedback files
# --------------------------------------------------------------------------------------------


def feedback(out, who, ext):
    return (out / "feedback" / f"{feedback_names(LEARNERS)[who]}.{ext}").read_text(encoding="utf-8")


def test_feedback_for_a_learner_mentions_no_other_learner(reports):
    run, out, _ = reports
    for who in LEARNERS:
        for ext in ("md", "html"):
            page = feedback(out, who, ext)
            assert OWN_WORD[who] in page, (who, ext)
            for other, word in OWN_WORD.items():
                if other != who:
                    assert word not in page, (who, ext, other)
            others = {r.message for r in run.results if r.learner != who and len(r.message) > 12}
            assert not [m for m in others if m in page and m not in {r.message for r in run.results if r.learner == who}]


def plain(page, ext):
    return str(Text(page)) if ext == "html" else page.replace("\\", "")


def test_feedback_has_outcome_message_hint_and_score_per_module(reports):
    _, out, _ = reports
    for ext in ("md", "html"):
        text = plain(feedback(out, ANA, ext), ext)
        assert f"3 of {len(Q02)}" in text
        for outcome in (CORRECT, INCORRECT, NOT_ATTEMPTED, NOT_REACHED, ERROR, UNVERIFIED):
            assert outcome in text, (ext, outcome)
        assert "HINT-ana-q2 Add them up." in text and "HINT-ana-q3" in text
        assert "hint(2)" not in text and "for more" not in text  # the notebook's pointer is taken off
        assert "HINT-ana-q1" not in text  # a correct answer needs no hint
        assert "DETAIL-ana-q5" in text and "TOK-error NameError on line 3 of cell 12" in text
        assert "02_old.ipynb was not graded" in text and "DETAIL-ana graded 02_exercise.ipynb" in text  # which was graded
        assert "We received 02_link.ipynb, a link" in text  # the file as she knows it, without her folder
        assert TITLES["02"]["q4"] in text and MODULES["02"].title in text
        assert "showed" in text[text.index("TOK-incorrect"):]  # told that re-judging changed her outcome
        assert CLOSING in text


def test_feedback_says_one_line_per_question(reports):
    _, out, _ = reports
    ana = feedback(out, ANA, "md")
    items = re.findall(r"^- \*\*(q\d+).*\n((?:  - .*\n)*)", ana, flags=re.M)
    lines = {qid: [line.strip()[2:] for line in block.splitlines()] for qid, block in items}
    assert list(lines) == Q02
    assert lines["q3"] == ["TOK-not-attempted", "Next hint: HINT-ana-q3"]  # not also "You have not answered ..."
    assert lines["q4"] == ["TOK-not-reached"]
    assert lines["q5"] == ["TOK-error NameError on line 3 of cell 12", "DETAIL-ana-q5"]  # not also "A cell ... raised an error"
    assert lines["q1"] == ["TOK-correct 0.08 is right."]
    fen = plain(feedback(out, FEN, "html"), "html")  # no message of its own: what the outcome means
    assert fen.count("the placeholder ___ is still there") == len(Q03) - 1


def test_a_missing_module_is_said_once(reports):
    _, out, _ = reports
    for ext in ("md", "html"):
        zoe = plain(feedback(out, ZOE, ext), ext)
        assert f"0 of {len(Q03)}" in zoe and f"{len(Q02)} of {len(Q02)}" in zoe
        assert zoe.count("No notebook for module 03 was handed in.") == 1 and zoe.count("handed in") == 1, zoe
        assert "TOK-missing" not in zoe and TITLES["03"]["q2"] not in zoe
        dmitri = plain(feedback(out, DMITRI, ext), ext)
        assert dmitri.count("No notebook for module 02 was handed in.") == 1 and dmitri.count("handed in") == 1, dmitri
        assert f"0 of {len(Q02)}" in dmitri and CLOSING in dmitri


def test_feedback_holds_nothing_meant_for_the_instructor_only(reports):
    _, out, _ = reports
    for ext in ("md", "html"):
        grace = plain(feedback(out, GRACE, ext), ext)
        assert "roster" not in grace and "DETAIL-grace" not in grace
        assert "DETAIL-dmitri" not in plain(feedback(out, DMITRI, ext), ext)
        bart = plain(feedback(out, BART, ext), ext)
        assert "We received answers.pdf, which cannot be graded: hand in the .ipynb file itself, not an export." in bart
        assert "DETAIL-bart" not in bart
        for who in LEARNERS:
            page = plain(feedback(out, who, ext), ext)
            assert "assignment differs" not in page and "flag" not in page and "re-judged: " not in page, who


def test_the_cause_of_a_differing_assignment_comes_first_once(reports):
    _, out, _ = reports
    for ext in ("md", "html"):
        carl = plain(feedback(out, CARL, ext), ext)
        assert carl.count(CARL_CAUSE) == 1, carl
        assert carl.index(CARL_CAUSE) < carl.index("Module 02")
        assert "Your notebook showed" not in carl  # q2: her own seed's answer, not a changed outcome
        assert "5.6 is about 10 times too big." in carl and CLOSING in carl


def test_no_closing_advice_when_everything_is_correct(tmp_path):
    results = [result(ANA, "02", q, CORRECT, f"{q} right.") for q in Q02]
    results += [result(BART, "02", q, CORRECT if q != "q9" else INCORRECT, "so so") for q in Q02]
    write_reports(GradeRun(results, [], [], "sandbox (bubblewrap)", learners=[ANA, BART], modules=["02"]), tmp_path)
    for ext in ("md", "html"):
        assert CLOSING not in (tmp_path / "feedback" / f"{ANA}.{ext}").read_text(encoding="utf-8")
        names = feedback_names([ANA, BART])
        assert CLOSING in (tmp_path / "feedback" / f"{names[BART]}.{ext}").read_text(encoding="utf-8")


def test_answers_judged_against_the_assignment_are_explained_not_flagged(tmp_path):
    """The verification grading gives an answer judged against the assignment, while the notebook ran
    with another seed: not tampering, so not flagged; the learner is told why, once, first."""
    flag = ("assignment differs: the notebook uses seed 0, scenario default; the roster assigns seed 2, scenario "
            "fintech_fraud (answers judged against the roster's)")
    results = [result("eli", "02", q, INCORRECT, f"{q}: 0.1 is not right yet.", seed="2", shown=CORRECT,
                      verification=f"{REASSIGNED}: the notebook showed 'correct'", hint="HINT") for q in Q02[:-1]]
    results.append(result("eli", "02", Q02[-1], CORRECT, "right", seed="2"))
    files = [FileResult("eli", "eli/02_exercise.ipynb", "02", "ran", 1.0, "2", "fintech_fraud", flags=(flag,))]
    findings = [Finding("assignment differs", "eli", flag, "eli/02_exercise.ipynb")]
    roster = [{"learner": "eli", "team": "t", "seed": 2, "scenario": "fintech_fraud", "modules": ("02",)}]
    write_reports(GradeRun(results, files, findings, "sandbox (bubblewrap)", roster=roster, learners=["eli"], modules=["02"]),
                  tmp_path)
    page = str(Text((tmp_path / "summary.html").read_text(encoding="utf-8")))
    assert "Flagged outcomes (0)" in page
    book = read_csv(tmp_path / "gradebook.csv")
    assert book[1][-1] == "worked at seed 0, scenario default instead of seed 2, scenario fintech_fraud in 02"
    cause = ("Your notebook for module 02 used seed 0, scenario default, but your assignment is seed 2, scenario "
             "fintech_fraud, so your answers were judged against your assigned numbers. Set seed = 2 and scenario = "
             '"fintech_fraud" in the cell that sets them, restart and run all, and hand it in again.')
    for ext in ("md", "html"):
        text = plain((tmp_path / "feedback" / f"eli.{ext}").read_text(encoding="utf-8"), ext)
        assert text.count(cause) == 1 and text.index(cause) < text.index("Module 02"), text
        assert "showed" not in text and "assignment differs" not in text


def test_only_the_seed_that_differs_is_named(tmp_path):
    flag = "assignment differs: the notebook uses seed 0, scenario fintech_fraud; the roster assigns seed 2, scenario fintech_fraud"
    files = [FileResult("eli", f"eli/{m}_x.ipynb", m, "ran", 1.0, "2", "fintech_fraud", flags=(flag,)) for m in ("02", "03")]
    results = [result("eli", m, q, CORRECT, "right", seed="2") for m in ("02", "03") for q in question_ids(m)]
    write_reports(GradeRun(results, files, [], "sandbox (bubblewrap)", learners=["eli"], modules=["02", "03"]), tmp_path)
    assert read_csv(tmp_path / "gradebook.csv")[1][-1] == "worked at seed 0 instead of 2 in 02, 03"
    text = (tmp_path / "feedback" / "eli.md").read_text(encoding="utf-8").replace("\\", "")
    assert text.count("Your notebooks for modules 02 and 03 used seed 0, scenario fintech_fraud, but your assignment is "
                      "seed 2, scenario fintech_fraud") == 1
    assert "hand them in again" in text


def test_feedback_for_stopped_work(reports):
    _, out, _ = reports
    bart = str(Text(feedback(out, BART, "html")))
    assert f"1 of {len(Q02)}" in bart and bart.count("stopped: the kernel died in cell 14") == 1
    # an error the questions do not mention is said once, under its module
    assert bart.count("Another cell raised an error: cell 9, line 1: NameError: name '<img src=x>' is not defined") == 1


def test_feedback_escapes_hostile_text(reports):
    _, out, _ = reports
    for who in LEARNERS:
        assert "<script" not in feedback(out, who, "html").lower()
        md = feedback(out, who, "md")
        assert not re.search(r"(?<!\\)<", md) and not re.search(r"(?<!\\)\]\(", md)  # only escaped: \< and \](
    assert FEN in str(Text(feedback(out, FEN, "html")))
    assert html.escape(FEN) in feedback(out, FEN, "html") or html.escape(FEN, quote=False) in feedback(out, FEN, "html")


def test_a_module_the_roster_assigns_counts_even_when_nobody_handed_it_in(tmp_path):
    from aipm_course.grading.roster import RosterEntry

    results = [result(ANA, "02", q, CORRECT, "right") for q in Q02]
    roster = [RosterEntry(ANA, "t1", 7, "fintech_fraud", ("02",)), RosterEntry(DMITRI, "t2", 7, "fintech_fraud", ("04",))]
    run = GradeRun(results, [], [Finding("missing learner", DMITRI, "nothing")], "sandbox (bubblewrap)", roster=roster,
                   learners=[ANA, DMITRI], modules=["02"])
    write_reports(run, tmp_path)
    rows = read_csv(tmp_path / "gradebook.csv")
    k04 = f"04 (out of {len(question_ids('04'))})"
    assert k04 in rows[0]
    book = {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}
    assert (book[DMITRI][k04], book[DMITRI]["out of"], book[DMITRI]["team"]) == ("0", str(len(question_ids("04"))), "t2")
    assert (book[ANA][k04], book[ANA]["total"], book[ANA]["out of"]) == ("", str(len(Q02)), str(len(Q02)))
    page = (tmp_path / "summary.html").read_text(encoding="utf-8")
    module04 = [c for row in Tables(page).rows for c in row if c["attrs"].get("title", "").startswith("04")]
    assert [c["attrs"].get("colspan") for c in module04] == [str(len(question_ids("04")))] * 2  # one cell each
    assert "not assigned" in module04[0]["text"] and "not handed in" in module04[1]["text"]
    assert "sandbox (bubblewrap)" in str(Text(page)) and "Not sandboxed" not in str(Text(page))
