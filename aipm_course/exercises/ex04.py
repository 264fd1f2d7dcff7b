"""Exercise 04: RAG, fine-tuning and what each query costs (lesson 04).

Token counts, prices, volumes and costs come from the notebook's parameters; the retrieval
questions use the kit's policy corpus with a k and a limit that also follow the parameters.
"""

from __future__ import annotations

import math
import types

from ..checking import distinct_mistakes, ChoiceQuestion, ChoiceSpec, Mistake, NumberQuestion, NumberSpec
from ..costs import (
    ASSUMPTION_LABELS,
    DAYS_PER_MONTH,
    CostInputs,
    break_even_volume,
    compare,
    cost_of_delay,
    cost_per_query,
    cost_per_successful_task,
    cost_with_cache,
    cost_with_fallback,
    get_price,
    load_prices,
    sensitivity,
)
from ..parameters import get_scenario, rng_for, scaled, validate_parameters
from ..retrieval import Retriever, abstention_tradeoff, load_corpus, recall_at_k
from ..workspace import record_check

MODULE = "04"


CHAT_MODELS = ("GPT-4.1", "Claude Haiku 4.5", "Gemini 2.5 Flash", "GPT-5 mini")


def load(seed: int = 0, scenario: str = "default") -> types.SimpleNamespace:
    """Return exercise 04's questions for these parameters."""
    seed, scenario = validate_parameters(seed, scenario)
    sc = get_scenario(scenario)  # a workshop variant scales volumes, money and base rates
    rng = rng_for(seed, MODULE)
    parameters = {"seed": seed, "scenario": scenario}
    common = {"module": MODULE, "parameters": parameters, "recorder": record_check}
    prices = load_prices()

    # q1: tokens to money --------------------------------------------------------------------
    price = get_price(str(rng.choice(CHAT_MODELS)), prices)
    prompt, retrieved, output = int(rng.choice([400, 600, 800])), int(rng.choice([1_500, 2_500, 4_000])), int(rng.choice([200, 350, 500]))
    per_query = cost_per_query(prompt + retrieved, output, price.input_per_million, price.output_per_million)
    q1 = NumberQuestion(
        "q1",
        "Tokens to money",
        (
            f"A RAG answer sends {prompt:,} prompt tokens (instructions and the question) plus {retrieved:,} "
            f"retrieved tokens, and gets {output:,} tokens back. The model is {price.label}. What does one "
            "query cost in USD? The numbers are in `ex.q1.data`."
        ),
        NumberSpec(
            per_query,
            rel_tol=1e-3,
            units="USD",
            mistakes=distinct_mistakes(per_query, (
                Mistake(cost_per_query(prompt, output, price.input_per_million, price.output_per_million), "The retrieved passages are input tokens too: the model reads them on every query."),
                Mistake(cost_per_query(prompt + retrieved, output, price.output_per_million, price.input_per_million), "The prices are the wrong way round: input tokens use the input price, output tokens the output price."),
                Mistake(per_query * 1_000_000, "That is a million times too big: the prices are per million tokens, so divide by 1,000,000."),
                Mistake(per_query * 1_000, "That is a thousand times too big: the prices are per million tokens, not per thousand."),
                Mistake((prompt + retrieved + output) * price.input_per_million / 1e6, "Output tokens have their own, higher price."),
                Mistake(per_query * 100, "That looks like cents. Give the cost in US dollars."),
                Mistake(round(per_query, 3), "Too rounded: a query costs a fraction of a cent, so keep at least five decimal places (or don't round)."),
            )),
        ),
        hints=("Add up all the tokens sent; price them at the input price. Price the tokens returned at the output price.", "`cost_per_query(input_tokens, output_tokens, price_in, price_out)`"),
        solution=f"({prompt:,} + {retrieved:,}) × ${price.input_per_million} / 1M + {output:,} × ${price.output_per_million} / 1M = ${per_query:.5f}.",
        solution_code="cost_per_query(d.prompt_tokens + d.retrieved_tokens, d.output_tokens, d.price_in, d.price_out)",
        data=types.SimpleNamespace(prompt_tokens=prompt, retrieved_tokens=retrieved, output_tokens=output, price_in=price.input_per_million, price_out=price.output_per_million, as_of=price.as_of),
        **common,
    )

    # q2: the ops dashboard ---------------------------------------------------------------------
    volume = scaled(int(rng.choice([8_200, 15_300, 21_750])), sc.volume, whole=True)
    unit = float(rng.choice([0.012, 0.017, 0.023]))
    monthly = volume * unit * DAYS_PER_MONTH
    q2 = NumberQuestion(
        "q2",
        "Check the dashboard",
        (
            f"The ops dashboard shows {volume:,} queries a day at ${unit} a query. What should its monthly "
            f"spend be, in USD, counting a month as {DAYS_PER_MONTH} days?"
        ),
        NumberSpec(
            monthly,
            rel_tol=1e-3,
            units="USD",
            mistakes=(
                Mistake(volume * unit, "That is the daily spend. Multiply by the days in a month."),
                Mistake(volume * unit * 365 / 12, f"That uses 365/12 days a month. Fair in real life; this kit counts {DAYS_PER_MONTH}."),
                Mistake(volume * unit * 31, f"Count a month as {DAYS_PER_MONTH} days."),
            ),
        ),
        hints=("Daily spend = queries a day × cost per query.", "`ops_dashboard(queries_per_day, cost_per_query).monthly`"),
        solution=f"{volume:,} × ${unit} = ${volume * unit:,.2f} a day; × {DAYS_PER_MONTH} = ${monthly:,.2f} a month.",
        data=types.SimpleNamespace(queries_per_day=volume, cost_per_query=unit),
        **common,
    )

    # q3: break-even ----------------------------------------------------------------------------
    rag_setup = float(rng.choice([5_000, 8_000, 10_000]))
    rag_monthly = float(rng.choice([500, 800, 1_200]))
    rag_query = float(rng.choice([0.006, 0.008, 0.011]))
    ft_setup = float(rng.choice([12_000, 15_000, 18_000]))
    ft_monthly = float(rng.choice([300, 500]))
    ft_query = float(rng.choice([0.0006, 0.0012]))
    retrain = float(rng.choice([4_000, 6_000, 8_000]))
    months = 12
    retrains = 3  # every 3 months inside 12: at months 3, 6 and 9
    crossing = break_even_volume(rag_setup, rag_query, ft_setup + retrains * retrain, ft_query, rag_monthly, ft_monthly, months)
    no_retrain = break_even_volume(rag_setup, rag_query, ft_setup, ft_query, rag_monthly, ft_monthly, months)
    no_monthly = break_even_volume(rag_setup, rag_query, ft_setup + retrains * retrain, ft_query, 0, 0, months)
    four_retrains = break_even_volume(rag_setup, rag_query, ft_setup + 4 * retrain, ft_query, rag_monthly, ft_monthly, months)
    double_monthly = break_even_volume(rag_setup + months * rag_monthly, rag_query, ft_setup + retrains * retrain + months * ft_monthly, ft_query, rag_monthly, ft_monthly, months)
    q3 = NumberQuestion(
        "q3",
        "Where RAG and fine-tuning cost the same",
        (
            f"Over {months} months: RAG costs ${rag_setup:,.0f} to set up, ${rag_monthly:,.0f} a month and ${rag_query} a query. "
            f"Fine-tuning costs ${ft_setup:,.0f} for the first run, ${ft_monthly:,.0f} a month, ${ft_query} a query, and a "
            f"retrain every 3 months at ${retrain:,.0f} (at months 3, 6 and 9). At how many queries a day do they cost "
            f"the same? (A month is {DAYS_PER_MONTH} days.) The numbers are in `ex.q3.data`."
        ),
        NumberSpec(
            crossing.per_day,
            rel_tol=2e-3,
            units="queries a day",
            mistakes=distinct_mistakes(crossing.per_day, (
                Mistake(crossing.volume, "That is the total over the whole horizon. Divide by the days in the horizon."),
                Mistake(no_retrain.per_day, "The three retrains are a fixed cost of fine-tuning too: add them to its setup."),
                Mistake(four_retrains.per_day, "That counts four retrains. Inside 12 months, a retrain every 3 months lands at months 3, 6 and 9: three (the first run is the setup)."),
                Mistake(no_monthly.per_day, "Each option's monthly costs count as well, for every month of the horizon."),
                Mistake(double_monthly.per_day, "The monthly costs are counted twice: `break_even_volume` multiplies `monthly_a` and `monthly_b` by the months itself, so pass the setup costs (not setup + months × monthly) as the fixed costs."),
                Mistake(crossing.volume / 365, "That divides by 365 days; this kit counts a month as 30 days, so 12 months are 360 days."),
            )),
        ),
        hints=(
            "Each option's cost over the horizon = setup + months × monthly (+ retrains) + queries × cost per query. The break-even volume is where the two are equal.",
            "`break_even_volume(d.rag_setup, d.rag_per_query, d.ft_setup + 3 * d.retrain_cost, d.ft_per_query, monthly_a=d.rag_monthly, monthly_b=d.ft_monthly, months=12).per_day` (it multiplies the monthly costs by the months itself).",
        ),
        solution=str(crossing),
        data=types.SimpleNamespace(rag_setup=rag_setup, rag_monthly=rag_monthly, rag_per_query=rag_query, ft_setup=ft_setup,
                                   ft_monthly=ft_monthly, ft_per_query=ft_query, retrain_cost=retrain, retrains=retrains, months=months),
        **common,
    )

    # q4: a break-even that never comes ---------------------------------------------------------
    big_fixed, small_fixed = [(20_000, 8_000), (30_000, 12_000), (25_000, 5_000)][seed % 3]
    big_query, small_query = [(0.004, 0.003), (0.002, 0.002), (0.009, 0.004)][seed % 3]
    never = break_even_volume(small_fixed, small_query, big_fixed, big_query, names=("A hosted API", "A custom stack"))
    q4 = ChoiceQuestion(
        "q4",
        "A break-even that never comes",
        (
            f"A custom stack costs ${big_fixed:,} a year to run before any query, and ${big_query} a query. A hosted API "
            f"costs ${small_fixed:,} a year and ${small_query} a query. Above what volume is the custom stack cheaper?"
        ),
        ChoiceSpec(
            options={
                "a": "Never: the hosted API is cheaper at every volume",
                "b": f"Above {abs(big_fixed - small_fixed) / max(big_query, small_query):,.0f} queries a year",
                "c": "Above 10,000 queries a day",
                "d": "Above some volume that depends on the months",
            },
            correct="a",
            feedback={
                "b": "A break-even needs the option with the higher fixed cost to save something on every query. Does it?",
                "c": "A rule of thumb is a starting point; the two cost lines decide. Compare the costs per query.",
                "d": "More months add to both fixed costs, but the custom stack never earns back its higher fixed cost per query.",
            },
        ),
        hints=("Draw the two cost lines. A line that starts higher catches up only if it rises more slowly. Does it?",),
        solution=f"a) {never.reason}",
        **common,
    )

    # q5: cost per successful task ----------------------------------------------------------------
    total = scaled(float(rng.choice([18_000, 24_000, 36_000])), sc.cost * sc.volume)
    tasks = scaled(int(rng.choice([600_000, 900_000, 1_500_000])), sc.volume, whole=True)
    success = float(rng.choice([0.6, 0.75, 0.9]))
    per_success = cost_per_successful_task(total, tasks, success)
    q5 = NumberQuestion(
        "q5",
        "Cost per successful task",
        (
            f"A support assistant cost ${total:,.0f} over a quarter and handled {tasks:,} tasks; {success:.0%} of them "
            "were resolved without a person. What did each successful task cost, in USD?"
        ),
        NumberSpec(
            per_success,
            rel_tol=1e-3,
            units="USD",
            mistakes=(
                Mistake(total / tasks, "That is the cost per task. Only the successful ones delivered value: divide by them."),
                Mistake(total * success / tasks, "Multiplying by the success rate makes failures look cheaper. Divide by the successful tasks instead."),
                Mistake(total / (tasks * (1 - success)), "That divides by the failed tasks. Divide by the ones that succeeded."),
                Mistake(total / (tasks * success * 100), "Use the success rate as a share (0.75), not a percentage (75)."),
            ),
        ),
        hints=("How many tasks succeeded?", "`cost_per_successful_task(total_cost, tasks, success_rate)`"),
        solution=f"${total:,.0f} / ({tasks:,} × {success}) = ${per_success:.4f}, against ${total / tasks:.4f} per task.",
        data=types.SimpleNamespace(total_cost=total, tasks=tasks, success_rate=success),
        **common,
    )

    # q6: a cache ---------------------------------------------------------------------------------
    full = float(rng.choice([0.008, 0.012, 0.02]))
    hit = float(rng.choice([0.25, 0.4, 0.55]))
    on_hit = 0.0002
    cached = cost_with_cache(full, hit, on_hit)
    q6 = NumberQuestion(
        "q6",
        "What a cache saves",
        (
            f"A query costs ${full} when the model answers it. A cache answers {hit:.0%} of queries (repeated questions) "
            f"for ${on_hit} each. What is the average cost per query now, in USD?"
        ),
        NumberSpec(
            cached,
            rel_tol=1e-3,
            units="USD",
            mistakes=(
                Mistake(hit * full + (1 - hit) * on_hit, "The hit rate and the miss rate are swapped: cache hits are the cheap ones."),
                Mistake((1 - hit) * full, f"Cache hits are cheap, not free here: add {hit:.0%} × ${on_hit}."),
                Mistake(full - cost_with_cache(full, hit, on_hit), "That is the saving per query. The question asks for the new average cost."),
            ),
        ),
        hints=("Average cost = hit rate × cost of a hit + (1 − hit rate) × cost of a miss.", "`cost_with_cache(per_query, hit_rate, cost_on_hit)`"),
        solution=f"{hit} × ${on_hit} + {1 - hit:.2f} × ${full} = ${cached:.5f}, {1 - cached / full:.0%} less.",
        data=types.SimpleNamespace(per_query=full, hit_rate=hit, cost_on_hit=on_hit),
        **common,
    )

    # q7: a cheaper model first --------------------------------------------------------------------
    small_cost = float(rng.choice([0.0004, 0.0008, 0.0015]))
    large_cost = float(rng.choice([0.01, 0.015, 0.02]))
    escalated = float(rng.choice([0.1, 0.2, 0.3]))
    tiered = cost_with_fallback(small_cost, large_cost, escalated)
    q7 = NumberQuestion(
        "q7",
        "A cheaper model first",
        (
            f"A small model (${small_cost} a query) answers every query first. When it is unsure, which happens for "
            f"{escalated:.0%} of queries, the query goes on to a large model (${large_cost} a query). What is the average "
            "cost per query, in USD?"
        ),
        NumberSpec(
            tiered,
            rel_tol=1e-3,
            units="USD",
            mistakes=(
                Mistake((1 - escalated) * small_cost + escalated * large_cost, "The escalated queries were first answered by the small model too: they pay for both."),
                Mistake(small_cost + large_cost, f"Only {escalated:.0%} of queries go on to the large model."),
                Mistake(large_cost + escalated * small_cost, "The tiers are swapped: every query pays the small model first; only the handed-on share also pays the large one."),
            ),
        ),
        hints=("Every query pays for the small model; some also pay for the large one.", "`cost_with_fallback(first_tier, second_tier, escalation_rate)`"),
        solution=f"${small_cost} + {escalated} × ${large_cost} = ${tiered:.5f}, against ${large_cost} with the large model alone.",
        data=types.SimpleNamespace(first_tier=small_cost, second_tier=large_cost, escalation_rate=escalated),
        **common,
    )

    # q8: the cost of delay -------------------------------------------------------------------------
    saving = scaled(float(rng.choice([14_000, 21_000, 33_000])), sc.cost)
    value_week = scaled(float(rng.choice([2_500, 4_000, 6_000])), sc.cost)
    rag_weeks, ft_weeks = 3, int(rng.choice([6, 8]))
    delay = cost_of_delay(ft_weeks - rag_weeks, value_week)
    net = saving - delay
    q8 = NumberQuestion(
        "q8",
        "The cost of delay",
        (
            f"Fine-tuning would cost ${saving:,.0f} less than RAG over the year, but it ships in {ft_weeks} weeks instead "
            f"of {rag_weeks}. Each week the feature is live is worth ${value_week:,.0f}. Counting the weeks lost, how much "
            "better off (in USD) is the team with fine-tuning? A negative number means RAG is better."
        ),
        NumberSpec(
            net,
            rel_tol=1e-3,
            abs_tol=1.0,
            units="USD",
            mistakes=distinct_mistakes(net, (
                Mistake(saving, "That leaves out the weeks lost while fine-tuning is built."),
                Mistake(saving - cost_of_delay(ft_weeks, value_week), f"Both options take time to ship: only the {ft_weeks - rag_weeks} extra weeks are lost."),
                Mistake(-delay, "Start from what fine-tuning saves, then subtract the value of the weeks lost."),
                Mistake(delay, "That is the cost of the delay alone. Subtract it from what fine-tuning saves."),
            )),
        ),
        hints=("Cost of delay = extra weeks to ship × value per week.", "`saving - cost_of_delay(ft_weeks - rag_weeks, value_per_week)`"),
        solution=f"${saving:,.0f} − ({ft_weeks} − {rag_weeks}) × ${value_week:,.0f} = ${net:,.0f}: {'fine-tuning still wins' if net > 0 else 'RAG is better once delay counts'}.",
        data=types.SimpleNamespace(saving=saving, value_per_week=value_week, rag_weeks=rag_weeks, ft_weeks=ft_weeks),
        **common,
    )

    # q9, q10: the retrieval lab ----------------------------------------------------------------------
    corpus = load_corpus()
    retriever = Retriever(corpus)
    k = int(rng.choice([2, 3, 5]))
    recall = recall_at_k(retriever, corpus, k)
    q9 = NumberQuestion(
        "q9",
        "Recall at k",
        (
            f"Build `Retriever(ex.data.corpus)` with its default settings. What is its recall at k = {k} over the "
            "corpus's questions (a share between 0 and 1)? Questions that no document answers are left out."
        ),
        NumberSpec(
            recall,
            rel_tol=1e-6,
            fraction=True,
            mistakes=distinct_mistakes(recall, (
                Mistake(recall_at_k(Retriever(corpus, current_only=True), corpus, k), "That is the recall with `current_only=True`. The question asks for the default settings."),
                *(Mistake(recall_at_k(retriever, corpus, other), f"That is the recall at k = {other}. Use k = {k}.") for other in (1, 2, 3, 5, 10) if other != k),
            ), rel_tol=1e-9),
        ),
        hints=("Recall at k: how often the right document is among the k most similar.", f"`recall_at_k(Retriever(ex.data.corpus), ex.data.corpus, k={k})`"),
        solution=f"{recall:.1%} of the relevant documents are in the top {k}; at k = 1 it is {recall_at_k(retriever, corpus, 1):.1%}.",
        data=types.SimpleNamespace(k=k),
        **common,
    )

    limit = float(rng.choice([0.10, 0.15, 0.20]))
    tradeoff = abstention_tradeoff(retriever, corpus)
    chosen = tradeoff.lowest_threshold_for(limit)
    at = tradeoff.at(chosen)
    declined = at["declined_answerable"] + at["declined_rightly"]
    q10 = NumberQuestion(
        "q10",
        "The price of saying \"I don't know\"",
        (
            f"The assistant answers from its top document only when that document's similarity is at least a threshold, "
            f"and says \"I don't know\" otherwise. Take the lowest threshold (in steps of 0.01) at which at most {limit:.0%} "
            "of all questions get a wrong answer. What share of all questions does it then decline?"
        ),
        NumberSpec(
            declined,
            rel_tol=1e-6,
            abs_tol=1e-9,
            fraction=True,
            mistakes=(
                Mistake(at["declined_answerable"], "That counts only the declines where the top document had the answer. Count every \"I don't know\"."),
                Mistake(at["wrong"], "That is the share answered wrongly; the question asks for the share declined."),
                Mistake(chosen, "That is the threshold itself. At that threshold, what share of questions gets \"I don't know\"?"),
                Mistake(at["declined_rightly"], "That counts only the declines where the top document did not have the answer. Count every \"I don't know\"."),
            ),
        ),
        hints=(
            "`t = abstention_tradeoff(Retriever(ex.data.corpus), ex.data.corpus)`; `t.lowest_threshold_for(limit)` finds the threshold.",
            "`t.at(threshold)` gives four shares; the declines are `declined_answerable` + `declined_rightly`.",
        ),
        solution=(
            f"Threshold {chosen:.2f}: wrong {at['wrong']:.1%}, right {at['answered_right']:.1%}, declined {declined:.1%} "
            f"(of which {at['declined_answerable']:.1%} could have been answered). Fewer wrong answers cost more declines."
        ),
        data=types.SimpleNamespace(max_wrong=limit),
        **common,
    )

    # q11: sensitivity ---------------------------------------------------------------------------------
    inputs = CostInputs(queries_per_day=float(rng.choice([3_000, 4_000, 6_000])), ft_setup=float(rng.choice([12_000, 15_000])))
    result = compare(inputs)
    cheaper, dearer = ("RAG", "fine-tuning") if result.totals["rag"] + result.delay["rag"] <= result.totals["fine_tuned"] + result.delay["fine_tuned"] else ("fine-tuning", "RAG")
    rows = [r for r in sensitivity(inputs) if r.flip_factor is not None]
    closest = min(rows, key=lambda r: r.move)
    options = {r.name: ASSUMPTION_LABELS[r.name] for r in rows[:6]}
    if closest.name not in options:
        options[closest.name] = ASSUMPTION_LABELS[closest.name]
    q11 = ChoiceQuestion(
        "q11",
        "Which assumption could flip the decision?",
        (
            f"With `ex.data.inputs` ({inputs.queries_per_day:,.0f} queries a day), {cheaper} is cheaper than {dearer} over the "
            f"year. Which assumption needs the smallest move, as a share of its value (e.g. 30% up or down), to make {dearer} cheaper? Answer "
            "with the assumption's key (e.g. \"rag_setup\") or its name."
        ),
        ChoiceSpec(
            options=options,
            correct=closest.name,
            feedback={r.name: f"It flips at x{r.flip_factor:.2f} of its value, a {r.move:.0%} move; another assumption needs a smaller one." for r in rows if r.name != closest.name},
            aliases={label: name for name, label in options.items()},
        ),
        hints=("`for row in sensitivity(ex.data.inputs): print(row)` shows where each assumption flips the decision.", "Each row's `move` is how far it must go, as a share of its value (0.4 = 40%): find the smallest."),
        solution="; ".join(f"{r.label}: x{r.flip_factor:.2f} ({r.move:.0%})" for r in sorted(rows, key=lambda r: r.move)[:4]),
        **common,
    )

    # q12: the rule of thumb ------------------------------------------------------------------------------
    q12 = ChoiceQuestion(
        "q12",
        "When the rule of thumb misleads",
        "\"Use RAG below about 10,000 queries a day.\" When is fine-tuning cheaper well below that volume?",
        ChoiceSpec(
            options={
                "a": "When the fine-tuned model is much smaller or needs a much shorter prompt",
                "b": "When the policies it answers from change every week",
                "c": "When every answer must cite the source it came from",
                "d": "Never: the rule holds for every product and model",
            },
            correct="a",
            feedback={
                "b": "Frequent changes favour RAG: a document update is live at once, a fine-tuned model must be retrained.",
                "c": "Citations favour RAG: it can point at the passage it used.",
                "d": "The break-even depends on each option's fixed and per-query costs; the rule holds only for typical ones.",
            },
        ),
        hints=("The break-even volume is the gap in fixed costs divided by the gap in cost per query. What makes the second gap big?",),
        solution="a) The saving per query is what pays back fine-tuning's fixed costs; a smaller model or a shorter prompt makes it big.",
        **common,
    )

    questions = (q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12)
    return types.SimpleNamespace(
        **{q.id: q for q in questions},
        questions=questions,
        parameters=parameters,
        data=types.SimpleNamespace(corpus=corpus, inputs=inputs, prices=prices),
    )
