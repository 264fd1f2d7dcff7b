"""Exercise 04: RAG, fine-tuning, what each query costs and what to charge for it (lesson 04).

One function per question, each drawing its own numbers from its own random stream (see
``registry.py``). Token counts, prices, volumes and costs follow the notebook's parameters; the
retrieval questions use the kit's policy corpus with a k and a limit drawn per seed. Work that does
not depend on the seed (the price table, the corpus and its retriever, recall at each k, the
"I don't know" trade-off, each sensitivity analysis) is done once per process and cached.
"""

from __future__ import annotations

import functools
import math
import types

from ..checking import ChoiceQuestion, ChoiceSpec, Mistake, NumberQuestion, NumberSpec, choice, significant
from ..costs import (
    DAYS_PER_MONTH,
    CostInputs,
    break_even_volume,
    compare,
    cost_of_delay,
    cost_per_successful_task,
    cost_with_cache,
    cost_with_fallback,
    get_price,
    load_prices,
    sensitivity,
)
from ..pricing import Plan, Usage, plan_economics
from ..retrieval import Retriever, abstention_tradeoff, load_corpus, recall_at_k
from .registry import Exercise

MODULE = "04"
exercise = Exercise(MODULE)
load = exercise.load

SIG3 = significant(3)  # money, volumes and shares in this exercise: three significant figures
# Prices with whole dollars per million tokens: with token counts in hundreds, every cost per query
# then ends within four decimal places, so the lesson's way of printing it ($0.0074) is exact.
CHAT_MODELS = ("GPT-4.1", "Claude Haiku 4.5", "Claude Sonnet 4.x", "Claude Opus 4.6")
MONTHS = 12  # the horizon of the break-even question
YEAR_DAYS = MONTHS * DAYS_PER_MONTH  # 360: the kit counts a month as 30 days

# The assumptions of question 11: the lesson's CostInputs with a few figures changed. Each case was
# chosen so that one assumption clearly needs the smallest move to flip the decision, and so that
# the longest bar of the tornado chart (the biggest swing) is another one.
SENSITIVITY_CASES = (
    dict(queries_per_day=4_000, ft_setup=15_000, ft_retrain_cost=8_000, rag_monthly=1_200, ft_retrain_every=3),
    dict(queries_per_day=6_000, ft_setup=18_000, ft_retrain_cost=8_000, rag_monthly=1_200, ft_retrain_every=3),
    dict(queries_per_day=2_500, ft_setup=12_000, ft_retrain_cost=8_000, rag_monthly=1_200, ft_retrain_every=3),
    dict(queries_per_day=2_500, ft_setup=15_000, ft_retrain_cost=4_000, rag_monthly=800, ft_retrain_every=4),
    dict(queries_per_day=4_000, ft_setup=18_000, ft_retrain_cost=4_000, rag_monthly=800, ft_retrain_every=3),
    dict(queries_per_day=4_000, ft_setup=12_000, ft_retrain_cost=4_000, rag_monthly=1_200, ft_retrain_every=6),
    dict(queries_per_day=8_000, ft_setup=12_000, ft_retrain_cost=4_000, rag_monthly=1_200, ft_retrain_every=3),
    dict(queries_per_day=8_000, ft_setup=15_000, ft_retrain_cost=8_000, rag_monthly=1_200, ft_retrain_every=6),
)


# --------------------------------------------------------------------------------------------
# Seed-independent work, done once per process
# --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _prices():
    return types.MappingProxyType(load_prices())


@functools.lru_cache(maxsize=1)
def _corpus():
    return load_corpus()


@functools.lru_cache(maxsize=2)
def _retriever(current_only: bool = False) -> Retriever:
    return Retriever(_corpus(), current_only=current_only)


@functools.lru_cache(maxsize=None)
def _recall(k: int, current_only: bool = False) -> float:
    return recall_at_k(_retriever(current_only), _corpus(), k)


@functools.lru_cache(maxsize=1)
def _tradeoff():
    return abstention_tradeoff(_retriever(), _corpus())


def _declined(threshold: float) -> float:
    shares = _tradeoff().at(threshold)
    return shares["declined_answerable"] + shares["declined_rightly"]


@functools.lru_cache(maxsize=None)
def _flips(inputs: CostInputs) -> tuple:
    """The sensitivity rows that flip the decision, biggest swing first (as the tornado chart)."""
    return tuple(row for row in sensitivity(inputs) if row.flip_factor is not None)


# --------------------------------------------------------------------------------------------
# Values several questions (and the notebook) share: `ex.data.corpus`, `.inputs`, `.prices`
# --------------------------------------------------------------------------------------------


@exercise.shared
def corpus(ctx):
    return _corpus()


@exercise.shared
def prices(ctx):
    return dict(_prices())


@exercise.shared
def inputs(ctx):
    return CostInputs(**ctx.pick(SENSITIVITY_CASES))


def _money(x: float) -> str:
    """An amount in USD at three significant figures, as the questions ask for it: $0.00430, -$1,500."""
    return f"-${SIG3.format(-x)}" if x < 0 else f"${SIG3.format(x)}"


# --------------------------------------------------------------------------------------------
# q1: tokens to money
# --------------------------------------------------------------------------------------------


def _token_slips(prompt, retrieved, output, p_in, p_out):
    def cost(tokens_in, tokens_out, price_in=p_in, price_out=p_out):
        return (tokens_in * price_in + tokens_out * price_out) / 1e6

    right = cost(prompt + retrieved, output)
    return right, (
        Mistake(cost(prompt, output), "The retrieved passages are input tokens too: the model reads them on every query, so they are priced at the input price."),
        Mistake(cost(prompt + retrieved, output, p_out, p_in), "The prices are the wrong way round: tokens sent use the input price, tokens returned the output price."),
        Mistake(cost(prompt + retrieved + output, 0), "Output tokens have their own, higher price: price the tokens returned at the output price."),
        Mistake(cost(prompt + retrieved, 0), "The tokens the model writes back cost money too, at the output price."),
        Mistake(right * 1_000, "That is a thousand times too big: the prices are per million tokens, not per thousand."),
        Mistake(right * 1_000_000, "That is the cost of a million such queries: the prices are per million tokens, so divide by 1,000,000."),
        Mistake(right * 100, "That looks like cents. Give the cost in US dollars."),
    )


@exercise.question("q1")
def tokens_to_money(ctx):
    price = get_price(ctx.pick(CHAT_MODELS), _prices())
    prompt, retrieved, output = ctx.pick([400, 600, 800]), ctx.pick([1_500, 2_500, 4_000]), ctx.pick([200, 300, 500])
    p_in, p_out = price.input_per_million, price.output_per_million
    right, slips = _token_slips(prompt, retrieved, output, p_in, p_out)
    return NumberQuestion(
        "q1",
        "Tokens to money",
        (
            f"A RAG answer sends {prompt:,} prompt tokens (instructions and the question) plus {retrieved:,} "
            f"retrieved tokens, and gets {output:,} tokens back. The model is {price.label}. What does one "
            "query cost, in USD? The numbers are in `ex.q1.data`."
        ),
        NumberSpec(right, units="USD", precision=SIG3, mistakes=slips),
        hints=(
            "Add up all the tokens sent and price them at the input price; price the tokens returned at the output price. Prices are per million tokens.",
            "`cost_per_query(input_tokens, output_tokens, price_in, price_out)`",
        ),
        solution=f"({prompt:,} + {retrieved:,}) × ${p_in:.2f} / 1M + {output:,} × ${p_out:.2f} / 1M = {_money(right)} a query.",
        solution_code="cost_per_query(d.prompt_tokens + d.retrieved_tokens, d.output_tokens, d.price_in, d.price_out)",
        data=types.SimpleNamespace(prompt_tokens=prompt, retrieved_tokens=retrieved, output_tokens=output, price_in=p_in, price_out=p_out, as_of=price.as_of),
    )


# --------------------------------------------------------------------------------------------
# q2: the ops dashboard
# --------------------------------------------------------------------------------------------


@exercise.question("q2")
def dashboard_monthly_spend(ctx):
    volume = ctx.volume(ctx.pick([8_200, 15_300, 21_750]))
    unit = ctx.pick([0.012, 0.017, 0.023])
    daily = volume * unit
    monthly = daily * DAYS_PER_MONTH
    slips = (
        Mistake(daily, "That is the daily spend. Multiply by the days in a month."),
        Mistake(daily * YEAR_DAYS, "That is a year's spend. The question asks for one month."),
        Mistake(daily * 365 / 12, f"That uses 365/12 days a month. Fair in real life; this kit counts {DAYS_PER_MONTH}, as the dashboard does."),
        Mistake(daily * 31, f"That counts a 31-day month; this kit counts {DAYS_PER_MONTH} days."),
        Mistake(daily * 7, "That is a week's spend. The question asks for one month."),
    )
    return NumberQuestion(
        "q2",
        "Check the dashboard",
        (
            f"The ops dashboard shows {volume:,} queries a day at ${unit} a query. What should its monthly "
            f"spend be, in USD, counting a month as {DAYS_PER_MONTH} days?"
        ),
        NumberSpec(monthly, units="USD", precision=SIG3, mistakes=slips),
        hints=("Daily spend = queries a day × cost per query; then scale the day up to a month.", "`ops_dashboard(queries_per_day, cost_per_query).monthly`"),
        solution=f"{volume:,} × ${unit} = ${daily:,.2f} a day; × {DAYS_PER_MONTH} = ${monthly:,.2f} a month ({_money(monthly)}).",
        data=types.SimpleNamespace(queries_per_day=volume, cost_per_query=unit),
    )


# --------------------------------------------------------------------------------------------
# q3: break-even between RAG and fine-tuning
# --------------------------------------------------------------------------------------------


def _break_even_slips(d, right):
    def per_day(rag_fixed, ft_fixed, rag_monthly=d.rag_monthly, ft_monthly=d.ft_monthly, days=YEAR_DAYS):
        crossing = break_even_volume(rag_fixed, d.rag_per_query, ft_fixed, d.ft_per_query, rag_monthly, ft_monthly, MONTHS)
        return crossing.volume / days  # None (no crossing) fails here and the slip is dropped

    retrains = d.ft_setup + d.retrains * d.retrain_cost
    return (
        Mistake(right * YEAR_DAYS, "That is the total over the whole horizon. The question asks for queries a day."),
        Mistake(right * DAYS_PER_MONTH, "That is per month. The question asks for queries a day."),
        Mistake(lambda: per_day(d.rag_setup, d.ft_setup), "The three retrains are a fixed cost of fine-tuning too: add them to its setup."),
        Mistake(lambda: per_day(d.rag_setup, d.ft_setup + 4 * d.retrain_cost), "That counts four retrains. Inside 12 months, a retrain every 3 months lands at months 3, 6 and 9 (the first run is the setup)."),
        Mistake(lambda: per_day(d.rag_setup, retrains, 0, 0), "Each option's monthly costs count too, for every month of the horizon."),
        Mistake(lambda: per_day(d.rag_setup + MONTHS * d.rag_monthly, retrains + MONTHS * d.ft_monthly), "The monthly costs are counted twice: `break_even_volume` multiplies `monthly_a` and `monthly_b` by the months itself, so pass the setup costs as the fixed costs."),
        Mistake(lambda: per_day(d.rag_setup, retrains, days=365), f"That divides by 365 days; this kit counts a month as {DAYS_PER_MONTH} days, so 12 months are {YEAR_DAYS} days."),
    )


@exercise.question("q3")
def break_even(ctx):
    # Fine-tuning always costs more before any query (at least $27,600 against at most $24,400 for
    # RAG over the 12 months) and less per query, so the two lines always cross. The monthly costs
    # always differ, so leaving them out always gives another number.
    d = types.SimpleNamespace(
        rag_setup=ctx.pick([5_000.0, 8_000.0, 10_000.0]), rag_monthly=ctx.pick([700.0, 900.0, 1_200.0]),
        rag_per_query=ctx.pick([0.006, 0.008, 0.011]), ft_setup=ctx.pick([12_000.0, 15_000.0, 18_000.0]),
        ft_monthly=ctx.pick([300.0, 500.0]), ft_per_query=ctx.pick([0.0006, 0.0012]),
        retrain_cost=ctx.pick([4_000.0, 6_000.0, 8_000.0]), retrains=3, months=MONTHS,
    )
    crossing = break_even_volume(d.rag_setup, d.rag_per_query, d.ft_setup + d.retrains * d.retrain_cost, d.ft_per_query,
                                 d.rag_monthly, d.ft_monthly, MONTHS, names=("RAG", "Fine-tuning"))
    return NumberQuestion(
        "q3",
        "Where RAG and fine-tuning cost the same",
        (
            f"Over {MONTHS} months: RAG costs ${d.rag_setup:,.0f} to set up, ${d.rag_monthly:,.0f} a month and ${d.rag_per_query} a query. "
            f"Fine-tuning costs ${d.ft_setup:,.0f} for the first run, ${d.ft_monthly:,.0f} a month, ${d.ft_per_query} a query, and a "
            f"retrain every 3 months at ${d.retrain_cost:,.0f} (at months 3, 6 and 9). At how many queries a day do they cost "
            f"the same? (A month is {DAYS_PER_MONTH} days.) The numbers are in `ex.q3.data`."
        ),
        NumberSpec(crossing.per_day, units="queries a day", precision=SIG3, mistakes=_break_even_slips(d, crossing.per_day)),
        hints=(
            "Each option's cost over the horizon = setup + months × monthly (+ retrains) + queries × cost per query. The break-even volume is where the two are equal.",
            "`break_even_volume(d.rag_setup, d.rag_per_query, d.ft_setup + 3 * d.retrain_cost, d.ft_per_query, monthly_a=d.rag_monthly, monthly_b=d.ft_monthly, months=12).per_day` (it multiplies the monthly costs by the months itself).",
        ),
        solution=f"{crossing} That is {SIG3.format(crossing.per_day)} queries a day.",
        data=d,
    )


# --------------------------------------------------------------------------------------------
# q4: build or buy, where the lines never cross
# --------------------------------------------------------------------------------------------


@exercise.question("q4")
def build_or_buy(ctx):
    custom_fixed, hosted_fixed = ctx.pick([20_000, 25_000, 30_000]), ctx.pick([5_000, 8_000, 12_000])
    hosted_query = ctx.pick([0.002, 0.003, 0.004])
    custom_query = round(hosted_query + ctx.pick([0.0005, 0.001, 0.002]), 4)
    naive = (custom_fixed - hosted_fixed) / (custom_query - hosted_query)  # the formula without its condition
    never = break_even_volume(hosted_fixed, hosted_query, custom_fixed, custom_query, names=("the hosted API", "the custom stack"))
    spec = choice(
        ctx.rng,
        right=("Never: the hosted API costs less at every volume", "the custom stack costs more before any query and more on every query, so its line starts higher and climbs faster: it never catches up."),
        wrong=[
            (f"Above {naive:,.0f} queries a year, where the lines meet", "That divides the gap in fixed costs by the gap in cost per query without asking which way the second gap goes. Which option is cheaper per query?"),
            ("Above about 10,000 queries a day, as the rule of thumb says", "A rule of thumb summarises typical numbers; these two cost lines decide. Compare what each option costs per query."),
            ("Only after the first year, once the custom stack's setup is paid", "Both costs here are yearly running costs, paid again every year: a longer horizon adds to both. Compare the costs per query."),
        ],
    )
    return ChoiceQuestion(
        "q4",
        "Build or buy: where do the lines cross?",
        (
            f"A custom stack costs ${custom_fixed:,} a year to run before any query, and ${custom_query} a query. A hosted API "
            f"costs ${hosted_fixed:,} a year and ${hosted_query} a query. Above what volume is the custom stack cheaper? "
            "Answer with the option's letter or its text."
        ),
        spec,
        hints=(
            "Draw the two cost lines: cost = fixed cost + queries × cost per query. Where does each start, and how fast does each climb?",
            "A line that starts higher gets below the other only if it climbs more slowly, that is, if it is cheaper per query.",
        ),
        solution=f"{spec.correct}) {never.reason}",
        data=types.SimpleNamespace(custom_fixed=custom_fixed, custom_per_query=custom_query, hosted_fixed=hosted_fixed, hosted_per_query=hosted_query),
    )


# --------------------------------------------------------------------------------------------
# q5: cost per successful task
# --------------------------------------------------------------------------------------------


@exercise.question("q5")
def cost_per_success(ctx):
    tasks = ctx.volume(ctx.pick([600_000, 900_000, 1_500_000]))
    success = ctx.pick([0.6, 0.75, 0.9])
    # The total is drawn through the answer, so that the answer ends within four decimal places and
    # the lesson's way of printing it ($0.0302) is exact.
    total = round(ctx.money(ctx.pick([0.025, 0.03, 0.045])) * tasks * success, 2)
    right = cost_per_successful_task(total, tasks, success)
    slips = (
        Mistake(total / tasks, "That is the cost per task. Only the successful tasks delivered value: divide by those."),
        Mistake(total * success / tasks, "Multiplying by the success rate makes failures look cheap. The failed tasks cost money too and deliver nothing: divide the cost by the successful tasks."),
        Mistake(total / (tasks * (1 - success)), "That divides by the tasks that were not resolved. Divide by the ones that were."),
        Mistake(total / (tasks * success * 100), "Use the success rate as a share (0.75), not a percentage (75)."),
    )
    return NumberQuestion(
        "q5",
        "Cost per successful task",
        (
            f"A support assistant cost ${total:,.0f} over a quarter and handled {tasks:,} tasks; {success:.0%} of them "
            "were resolved without a person. What did each successful task cost, in USD?"
        ),
        NumberSpec(right, units="USD", precision=SIG3, mistakes=slips),
        hints=("How many tasks succeeded? Only those delivered what the money was spent for.", "`cost_per_successful_task(total_cost, tasks, success_rate)`"),
        solution=f"${total:,.0f} / ({tasks:,} × {success}) = {_money(right)} per successful task, against {_money(total / tasks)} per task.",
        data=types.SimpleNamespace(total_cost=total, tasks=tasks, success_rate=success),
    )


# --------------------------------------------------------------------------------------------
# q6: a cache
# --------------------------------------------------------------------------------------------


@exercise.question("q6")
def cache_saving(ctx):
    # Chosen so that the answer ends within four decimal places: the lesson prints such costs as $0.0045.
    full = ctx.pick([0.008, 0.012, 0.02])
    hit = ctx.pick([0.2, 0.4, 0.6])  # not 0.5: there, swapping hits and misses would give the same number
    on_hit = ctx.pick([0.0005, 0.001, 0.0015])
    right = cost_with_cache(full, hit, on_hit)
    slips = (
        Mistake(hit * full + (1 - hit) * on_hit, "The hit rate and the miss rate are swapped: the cache hits are the cheap ones."),
        Mistake((1 - hit) * full, f"Cache hits are cheap, not free here: each one costs ${on_hit}."),
        Mistake((1 - hit) * full + on_hit, "The cost of a hit applies to the hits only: weight it by the hit rate, as the model's cost is weighted by the miss rate."),
        Mistake(full - right, "That is the saving per query. The question asks for the new average cost."),
    )
    return NumberQuestion(
        "q6",
        "What a cache saves",
        (
            f"A query costs ${full} when the model answers it. A cache answers {hit:.0%} of queries (repeated questions) "
            f"for ${on_hit} each. What is the average cost per query now, in USD?"
        ),
        NumberSpec(right, units="USD", precision=SIG3, mistakes=slips),
        hints=("Split the queries in two groups, hits and misses, and weigh each group's cost by its share.", "`cost_with_cache(per_query, hit_rate, cost_on_hit)`"),
        solution=f"{hit} × ${on_hit} + {1 - hit:.2f} × ${full} = {_money(right)}, {1 - right / full:.0%} less than without the cache.",
        data=types.SimpleNamespace(per_query=full, hit_rate=hit, cost_on_hit=on_hit),
    )


# --------------------------------------------------------------------------------------------
# q7: a cheaper model first
# --------------------------------------------------------------------------------------------


@exercise.question("q7")
def cheaper_model_first(ctx):
    small = ctx.pick([0.0004, 0.0008, 0.0015])
    large = ctx.pick([0.01, 0.015, 0.02])
    escalated = ctx.pick([0.1, 0.2, 0.3])
    right = cost_with_fallback(small, large, escalated)
    slips = (
        Mistake((1 - escalated) * small + escalated * large, "The handed-on queries were first answered by the small model too: they pay for both models."),
        Mistake(small + large, f"Only {escalated:.0%} of queries go on to the large model."),
        Mistake(large + escalated * small, "The tiers are swapped: every query pays the small model; only the handed-on share also pays the large one."),
        Mistake(escalated * large, "Every query pays the small model first; add its cost."),
    )
    return NumberQuestion(
        "q7",
        "A cheaper model first",
        (
            f"A small model (${small} a query) answers every query first. When it is unsure, which happens for "
            f"{escalated:.0%} of queries, the query goes on to a large model (${large} a query). What is the average "
            "cost per query, in USD?"
        ),
        NumberSpec(right, units="USD", precision=SIG3, mistakes=slips),
        hints=("Every query pays for the small model; some also pay for the large one.", "`cost_with_fallback(first_tier, second_tier, escalation_rate)`"),
        solution=f"${small} + {escalated} × ${large} = {_money(right)}, against ${large} with the large model alone.",
        data=types.SimpleNamespace(first_tier=small, second_tier=large, escalation_rate=escalated),
    )


# --------------------------------------------------------------------------------------------
# q8: the cost of delay
# --------------------------------------------------------------------------------------------


@exercise.question("q8")
def cost_of_delay_question(ctx):
    saving = ctx.money(ctx.pick([14_000, 21_000, 33_000]))
    value_week = ctx.money(ctx.pick([2_500, 4_000, 6_000]))
    rag_weeks, ft_weeks = 3, ctx.pick([6, 8])
    delay = cost_of_delay(ft_weeks - rag_weeks, value_week)
    net = saving - delay
    slips = (
        Mistake(saving, "That leaves out the weeks lost while fine-tuning is built."),
        Mistake(saving - cost_of_delay(ft_weeks, value_week), f"Both options take time to ship: only the {ft_weeks - rag_weeks} extra weeks are lost by choosing fine-tuning."),
        Mistake(saving + delay, "The weeks lost are a cost of fine-tuning: subtract their value from what it saves."),
        Mistake(-delay, "Start from what fine-tuning saves, then subtract the value of the weeks lost."),
        Mistake(delay, "That is the cost of the delay alone. Subtract it from what fine-tuning saves."),
    )
    return NumberQuestion(
        "q8",
        "The cost of delay",
        (
            f"Fine-tuning would cost ${saving:,.0f} less than RAG over the year, but it ships in {ft_weeks} weeks instead "
            f"of {rag_weeks}. Each week the feature is live is worth ${value_week:,.0f}. Counting the weeks lost, how much "
            "better off (in USD) is the team with fine-tuning? A negative number means RAG is better."
        ),
        NumberSpec(net, units="USD", precision=SIG3, mistakes=slips),
        hints=("Cost of delay = extra weeks to ship × value per week.", "`saving - cost_of_delay(ft_weeks - rag_weeks, value_per_week)`"),
        solution=f"${saving:,.0f} − ({ft_weeks} − {rag_weeks}) × ${value_week:,.0f} = {_money(net)}: {'fine-tuning still wins' if net > 0 else 'RAG is better once delay counts'}.",
        data=types.SimpleNamespace(saving=saving, value_per_week=value_week, rag_weeks=rag_weeks, ft_weeks=ft_weeks),
    )


# --------------------------------------------------------------------------------------------
# q9, q10: the retrieval lab
# --------------------------------------------------------------------------------------------


@exercise.question("q9")
def recall_at_k_question(ctx):
    k = ctx.pick([2, 3, 5])
    right = _recall(k)
    answerable, everything = len(_corpus().answerable), len(_corpus().questions)
    slips = (
        Mistake(lambda: _recall(k, True), "That is the recall with `current_only=True`. The question asks for the default settings."),
        *(Mistake(lambda other=other: _recall(other), f"That is the recall at k = {other}. Use k = {k}.") for other in (1, 2, 3, 5, 10) if other != k),
        Mistake(right * answerable / everything, f"That averages over all {everything} questions. Leave out the {everything - answerable} that no document answers: no retriever can find a document for them."),
    )
    return NumberQuestion(
        "q9",
        "Recall at k",
        (
            f"Build `Retriever(ex.data.corpus)` with its default settings. What is its recall at k = {k} over the "
            "corpus's questions, as a share between 0 and 1? Questions that no document answers are left out."
        ),
        NumberSpec(right, fraction=True, precision=SIG3, mistakes=slips),
        hints=(
            "Recall at k: over the questions that some document answers, the share whose right document is among the k most similar.",
            f"`recall_at_k(Retriever(ex.data.corpus), ex.data.corpus, k={k})`",
        ),
        solution=f"Recall at k = {k}: {SIG3.format(right)} ({right:.1%}) of the relevant documents are in the top {k}; at k = 1 it is {SIG3.format(_recall(1))}.",
        data=types.SimpleNamespace(k=k),
    )


def _decline_slips(limit, chosen, shares, declined):
    return (
        Mistake(shares["declined_answerable"], "That counts only the declines where the top document had the answer. Count every \"I don't know\"."),
        Mistake(shares["declined_rightly"], "That counts only the declines where the top document did not have the answer. Count every \"I don't know\"."),
        Mistake(shares["wrong"], "That is the share answered wrongly; the question asks for the share declined."),
        Mistake(1 - declined, "That is the share answered (rightly or wrongly). The question asks for the share declined."),
        Mistake(chosen, "That is the threshold itself, a similarity. At that threshold, what share of the questions gets \"I don't know\"?"),
        Mistake(lambda: _declined(limit), "That uses the limit on wrong answers as the similarity threshold. They are different scales: find the lowest threshold whose share of wrong answers is within the limit."),
    )


@exercise.question("q10")
def price_of_i_dont_know(ctx):
    limit = ctx.pick([0.05, 0.10, 0.20])  # the lesson works through 15%
    chosen = _tradeoff().lowest_threshold_for(limit)
    shares = _tradeoff().at(chosen)
    declined = shares["declined_answerable"] + shares["declined_rightly"]
    return NumberQuestion(
        "q10",
        "The price of saying \"I don't know\"",
        (
            "The assistant answers from its top document only when that document's similarity is at least a threshold, "
            f"and says \"I don't know\" otherwise. Take the lowest threshold (in steps of 0.01) at which at most {limit:.0%} "
            "of all questions get a wrong answer (the lesson used 15%; this question uses another limit). What share of "
            "all questions does it then decline, as a share between 0 and 1?"
        ),
        NumberSpec(declined, fraction=True, precision=SIG3, mistakes=_decline_slips(limit, chosen, shares, declined)),
        hints=(
            "`t = abstention_tradeoff(Retriever(ex.data.corpus), ex.data.corpus)`; `t.lowest_threshold_for(limit)` finds the threshold.",
            "`shares = t.at(threshold)` gives a dict of four shares; the declines are `shares[\"declined_answerable\"] + shares[\"declined_rightly\"]`.",
        ),
        solution=(
            f"Threshold {chosen:.2f}: wrong {shares['wrong']:.3f}, right {shares['answered_right']:.3f}, declined "
            f"{SIG3.format(declined)} (of which {shares['declined_answerable']:.3f} could have been answered). "
            "Fewer wrong answers cost more declines."
        ),
        data=types.SimpleNamespace(max_wrong=limit),
    )


# --------------------------------------------------------------------------------------------
# q11: which assumption could flip the decision
# --------------------------------------------------------------------------------------------


def _flip_options(rows, best):
    """Five assumptions to choose from: the answer, the longest bar of the tornado chart, the
    runner-up, then the biggest swings; one at least as long as the answer's name."""
    runner_up = sorted(rows, key=lambda r: r.move)[1]
    chosen = [best]
    for row in (rows[0], runner_up, *rows):
        if row not in chosen and len(chosen) < 5:
            chosen.append(row)
    if all(len(best.label) > len(row.label) for row in chosen[1:]):
        longer = [row for row in rows if row not in chosen and len(row.label) >= len(best.label)]
        if longer:
            chosen[-1] = longer[0]
    return chosen


def _flip_feedback(row, biggest_swing):
    moved = f"{row.label} flips the decision only at x{row.flip_factor:.2f} of its value, a {row.move:.0%} move"
    if row.name == biggest_swing.name:
        return f"That is the longest bar of the tornado chart: it moves the margin most over ±50%. But {moved[0].lower() + moved[1:]}; compare the moves, not the swings."
    return f"{moved}. Another assumption flips it with a smaller one."


@exercise.question("q11")
def flip_assumption(ctx):
    inputs = ctx.shared.inputs
    rows = _flips(inputs)
    best = min(rows, key=lambda r: r.move)
    options = _flip_options(rows, best)
    result = compare(inputs)
    rag_cheaper = result.totals["rag"] + result.delay["rag"] <= result.totals["fine_tuned"] + result.delay["fine_tuned"]
    cheaper, dearer = ("RAG", "fine-tuning") if rag_cheaper else ("fine-tuning", "RAG")
    spec = ChoiceSpec(
        options={r.name: r.label for r in options},
        correct=best.name,
        feedback={r.name: _flip_feedback(r, rows[0]) for r in options if r.name != best.name},
        aliases={r.label: r.name for r in options},
        why=f"{best.label} flips the decision at x{best.flip_factor:.2f} of its value, a {best.move:.0%} move, the smallest of any assumption: pin it down before you commit.",
    ).shuffled(ctx.rng)
    return ChoiceQuestion(
        "q11",
        "Which assumption could flip the decision?",
        (
            f"`ex.data.inputs` holds the lesson's assumptions with a few changed: {inputs.queries_per_day:,.0f} queries a day, "
            f"a first fine-tuning run at ${inputs.ft_setup:,.0f}, a retrain every {inputs.ft_retrain_every:g} months at "
            f"${inputs.ft_retrain_cost:,.0f}, and RAG at ${inputs.rag_monthly:,.0f} a month. With them, {cheaper} is cheaper than "
            f"{dearer} over the year. Which assumption needs the smallest move, as a share of its value (e.g. 30% up or down), "
            f"to make {dearer} cheaper? Answer with the assumption's key (e.g. \"rag_setup\") or its name."
        ),
        spec,
        hints=(
            "`for row in sensitivity(ex.data.inputs): print(row)` shows where each assumption flips the decision.",
            "Each row's `move` is how far it must go, as a share of its value (0.4 = 40%): find the smallest. The rows come sorted by swing (the tornado's bar length), which is another thing.",
        ),
        solution="; ".join(f"{r.label}: x{r.flip_factor:.2f} ({r.move:.0%})" for r in sorted(rows, key=lambda r: r.move)[:4]),
    )


# --------------------------------------------------------------------------------------------
# q12: when the rule of thumb misleads
# --------------------------------------------------------------------------------------------


@exercise.question("q12")
def rule_of_thumb(ctx):
    spec = choice(
        ctx.rng,
        right=("When it lets a much smaller model answer with a short prompt", "fine-tuning pays back its fixed costs only through what it saves on each query, and a smaller model with a shorter prompt makes that saving large."),
        wrong=[
            ("When the policies it answers from change every week or so", "Frequent changes favour RAG: a document update is live at once, while a fine-tuned model must be retrained."),
            ("When every answer must cite the policy passage it came from", "Citations favour RAG: it can point at the passage it retrieved."),
            ("Never: below 10,000 a day RAG is the cheaper option every time", "The rule summarises typical numbers. The break-even depends on each option's fixed costs and costs per query."),
        ],
    )
    return ChoiceQuestion(
        "q12",
        "When the rule of thumb misleads",
        "\"Use RAG below about 10,000 queries a day.\" When is fine-tuning cheaper well below that volume? Answer with the option's letter or its text.",
        spec,
        hints=(
            "The break-even volume is the gap in fixed costs divided by the gap in cost per query. What makes the second gap big?",
            "In the lesson, fine-tuning that only restyled the same large model moved the break-even from about 8,200 to about 82,000 queries a day. What had the first version changed?",
        ),
        solution=f"{spec.correct}) {spec.options[spec.correct]}: the saving per query is what pays back fine-tuning's fixed costs, and a smaller model or a shorter prompt makes it big.",
    )


# --------------------------------------------------------------------------------------------
# q13, q14: pricing and margins, with lognormal usage per seat
# --------------------------------------------------------------------------------------------


def _seat_story(price: float, cost: float, usage: Usage) -> str:
    return (
        f"Brightwater sells its assistant as an add-on at ${price:,.2f} a seat a month. Answering one question costs "
        f"${cost:.3g} (the model cost; count only that here, no hosting). Questions a seat a month are lognormal: "
        f"the median seat asks {usage.median:,.0f}, and the "
        f"logarithm of the questions has a standard deviation (sigma) of {usage.sigma:g}. The numbers are in `ex.{{}}.data`."
    )


def _margin_slips(price: float, cost: float, usage: Usage) -> tuple[Mistake, ...]:
    m, s, mean = usage.median, usage.sigma, usage.mean
    return (
        Mistake(1 - cost * m / price, "That serves the median seat. The cost to serve is an average over all seats, and the heavy "
                                      "users pull the mean above the median: mean = median × exp(sigma²/2)."),
        Mistake(cost * mean / price, "That is the cost to serve as a share of the price. The gross margin is what is left of the price: 1 minus that."),
        Mistake((price - cost * mean) / (cost * mean), "That divides by the cost (a markup). The gross margin divides by the price: (price − cost) / price."),
        Mistake(1 - cost * m * math.exp(s * s) / price, "That takes median × exp(sigma²) for the mean. A lognormal's mean is median × exp(sigma²/2)."),
        Mistake(1 - cost * m * math.exp(s) / price, "That takes median × exp(sigma) for the mean. Square sigma and halve it: median × exp(sigma²/2)."),
    )


@exercise.question("q13")
def seat_gross_margin(ctx):
    price, cost = ctx.money(ctx.pick([6.0, 8.0, 10.0])), ctx.money(ctx.pick([0.01, 0.015, 0.02]))
    usage = Usage(ctx.pick([40, 60, 80]), ctx.pick([0.8, 1.0, 1.2]))
    e = plan_economics(Plan("per_seat", price), usage, cost)
    return NumberQuestion(
        "q13",
        "A seat plan's gross margin",
        _seat_story(price, cost, usage).format("q13") + " What is the plan's gross margin over all seats together, as a share between 0 and 1?",
        NumberSpec(e.gross_margin, fraction=True, precision=SIG3, mistakes=_margin_slips(price, cost, usage)),
        hints=(
            "Gross margin = (price − cost to serve) / price, with the cost to serve of the average seat: mean questions × cost per question. "
            "For a lognormal, mean = median × exp(sigma²/2).",
            "`plan_economics(Plan(\"per_seat\", d.price), Usage(d.median, d.sigma), d.cost_per_use).gross_margin`",
        ),
        solution=(
            f"Mean questions = {usage.median:,.0f} × exp({usage.sigma:g}²/2) = {usage.mean:,.1f}; cost to serve ${e.cost_per_seat:,.3f} a seat; "
            f"margin = (${price:,.2f} − ${e.cost_per_seat:,.3f}) / ${price:,.2f} = {SIG3.format(e.gross_margin)}. The median seat alone would "
            f"suggest {SIG3.format(1 - cost * usage.median / price)}: the tail costs the difference."
        ),
        data=types.SimpleNamespace(price=price, cost_per_use=cost, median=usage.median, sigma=usage.sigma),
    )


def _losing_slips(price: float, cost: float, usage: Usage) -> tuple[Mistake, ...]:
    m, s, t = usage.median, usage.sigma, price / cost

    def above(z: float) -> float:
        return 0.5 * math.erfc(z / math.sqrt(2))

    pays = cost * usage.mean < price  # what a learner who looks at the average seat only would conclude
    return (
        Mistake(0.0 if pays else 1.0,
                ("The average seat pays its way, but" if pays else "The average seat costs more than it pays, but not every seat does:")
                + f" a seat loses money as soon as it asks more than price / cost = {t:,.0f} questions a month, and a lognormal "
                "always has seats above and below that. What share of seats is above it?"),
        Mistake(1 - usage.share_above(t), "That is the share of seats that pay their way. The question asks for the ones that lose money."),
        Mistake(above(math.log(t / m)), "Divide by sigma: z = (ln(price / cost) − ln median) / sigma."),
        Mistake(above(math.log(t / m) / (s * s)), "Sigma is the standard deviation of the logarithm: divide by sigma, not by its square."),
        Mistake(above(math.log10(t / m) / s), "That uses the base-10 logarithm. The lognormal's sigma is on the natural logarithm (ln)."),
        Mistake(Usage.from_mean(m, s).share_above(t), "That treats the median as the mean. The median is exp(mu): z = (ln(price / cost) − ln median) / sigma."),
        Mistake(usage.share_above(cost / price), "The break-even is price / cost questions (a seat's cost reaches its price there), not cost / price."),
    )


@exercise.question("q14")
def seats_losing_money(ctx):
    price, cost = ctx.money(ctx.pick([6.0, 8.0, 10.0])), ctx.money(ctx.pick([0.02, 0.03, 0.04]))
    usage = Usage(ctx.pick([60, 80, 100]), ctx.pick([1.0, 1.2, 1.5]))
    e = plan_economics(Plan("per_seat", price), usage, cost)
    z = math.log(price / cost / usage.median) / usage.sigma
    return NumberQuestion(
        "q14",
        "The seats that lose money",
        _seat_story(price, cost, usage).format("q14") + " What share of seats costs more to serve than it pays, as a share between 0 and 1?",
        NumberSpec(e.share_losing, fraction=True, precision=SIG3, mistakes=_losing_slips(price, cost, usage)),
        hints=(
            "A seat loses money when questions × cost per question > seat price: above price / cost questions a month. "
            "What share of a lognormal lies above that number?",
            "`Usage(d.median, d.sigma).share_above(d.price / d.cost_per_use)`, or 1 − Φ((ln(price / cost) − ln median) / sigma) "
            "with `scipy.stats.norm.sf`.",
        ),
        solution=(
            f"Break-even at ${price:,.2f} / ${cost:.3g} = {price / cost:,.0f} questions a month; z = ln({price / cost:,.0f} / {usage.median:,.0f}) / "
            f"{usage.sigma:g} = {z:.3f}; 1 − Φ(z) = {SIG3.format(e.share_losing)} of seats, causing {e.cost_share_losing:.0%} of the cost to serve."
        ),
        data=types.SimpleNamespace(price=price, cost_per_use=cost, median=usage.median, sigma=usage.sigma),
    )
