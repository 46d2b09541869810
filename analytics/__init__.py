"""Pure statistics and disclosure control for workforce survey reporting.

No web framework, database or survey import: functions take small plain inputs (counts, sums,
sums of squares per group) and return frozen dataclasses, so one computation feeds the page,
the chart, the API and every export. Intervals are 95% unless confidence is given.

Module map (public API)

analytics.interval
    Interval(low, high); .contains(x); .excludes_zero
    Difference(estimate, interval)
    normal_critical_value(confidence) -> float; t_critical_value(confidence, df) -> float
    mover_difference(first, first_interval, second, second_interval) -> Difference
analytics.proportions
    Tally(successes, n); + and - ; .rate
    Share(count, n, proportion, interval); SignificanceTest(method, statistic, p_value)
    Ratio(estimate, interval); FOUR_FIFTHS = 0.8
    wilson_interval(successes, n, confidence=0.95) -> Interval
    share_of(count, n, confidence=0.95) -> Share
    newcombe_difference(x1, n1, x2, n2, confidence=0.95) -> Difference          (p1 - p2)
    two_proportion_test(x1, n1, x2, n2) -> SignificanceTest                     (pooled z)
    fisher_exact_p(x1, n1, x2, n2) -> float                                     (two-sided)
    proportion_test(x1, n1, x2, n2) -> SignificanceTest     (Fisher if an expected count < 5)
    relative_likelihood(x_ref, n_ref, x_group, n_group, confidence=0.95) -> Ratio | None
    adverse_impact_ratio(rate, highest_rate) -> float | None
analytics.means
    MeanStats(n, total, total_sq); .from_values(xs); .combine(parts); + and -
        .mean .variance (ddof 1) .sd .se; .mean_interval(confidence=0.95) -> Interval
    MeanDifference(estimate, interval, t, df, p_value)
    welch_difference(a, b, confidence=0.95) -> MeanDifference                   (mean a - mean b)
analytics.multiplicity
    benjamini_hochberg(p_values: Sequence[float | None]) -> list[float | None]
analytics.measures
    ItemSummary(n, not_counted, favourable, neutral, unfavourable: Share)
    summarise_item(counts, favourable, neutral, unfavourable, confidence=0.95) -> ItemSummary
    ScoreSummary(n, mean, sd, interval, beyond_cut: Share | None, bands: dict[str, Share])
    summarise_score(stats, beyond_cut=None, band_counts=None, confidence=0.95) -> ScoreSummary
    CutPoint(at_most=None, at_least=None).contains(score) -> bool
    Band(code, low, high); band_of(score, bands) -> str | None
analytics.gaps
    Gap(group, comparator, n_group, n_comparator, group_estimate, comparator_estimate,
        difference, test, relative_likelihood, q_value, status: GapStatus)
    GapReport(versus_rest, versus_reference, reference, fdr); GapStatus; MIN_N_TO_TEST = 30
        (Benjamini-Hochberg within each family: versus_rest, versus_reference)
    proportion_gaps(groups: Mapping[str, Tally], overall: Tally, reference=None, *,
                    min_n=30, fdr=0.05, confidence=0.95) -> GapReport
    mean_gaps(groups: Mapping[str, MeanStats], overall: MeanStats, reference=None, *,
              min_n=30, fdr=0.05, confidence=0.95) -> GapReport
    not_stated_share(not_stated, total, confidence=0.95) -> Share
analytics.trends
    WaveChange(change: Difference, test); DetectableChange(increase, decrease)
    proportion_change(x_earlier, n_earlier, x_later, n_later, confidence=0.95) -> WaveChange
    mean_change(earlier: MeanStats, later: MeanStats, confidence=0.95) -> WaveChange
    detectable_proportion_change(baseline, n_earlier, n_later, alpha=0.05, power=0.8)
        -> DetectableChange
    detectable_mean_change(sd, n_earlier, n_later, alpha=0.05, power=0.8) -> float
    WaveEstimate(label, estimate, interval, n); SeriesChange(label, previous_label, n,
        previous_n, change); changes_since_previous(series) -> list[SeriesChange]
analytics.pipeline
    GroupSelection(group, selection_rate, relative_likelihood, adverse_impact_ratio,
        below_four_fifths, test, q_value, status); StageReport(stage, reference,
        highest_rate_group, groups)
    selection_pipeline(stages: Mapping[str, Mapping[str, Tally]], reference=None, *,
                       min_n=30, fdr=0.05, confidence=0.95) -> list[StageReport]
analytics.disclosure                          (the anonymity guarantee: see its docstring)
    DEFAULT_K = 10, MINIMUM_K = 5, DEFAULT_COMMENT_K = 15, HIDDEN_LABEL
    check_threshold(k) -> int; is_publishable(n, k=10) -> bool
    Suppressed(reason: HiddenReason); HiddenReason.TOO_FEW | COMPLEMENTARY
    protect_breakdown(counts, k=10, total=None) -> ProtectedBreakdown(k, total, cells)
        .is_visible(group); .hidden (reasons, audit only); .published() (HIDDEN_LABEL alike)
    protect_two_way(table, k=10, *, row_totals, col_totals, grand_total=None)
        -> ProtectedTable(k, cells, row_totals, col_totals, grand_total); .is_visible(r, c)
    check_population_difference(candidate_n, published_ns, k) -> None
        raises DifferencingRefused(reason, against)
    TableAttacker(values, rows, cols, hidden).upper(key) / .lower(key) -> int
analytics.weighting
    rake(respondents: Mapping[Cell, int], dimensions, targets, *, tolerance=1e-8,
         max_iterations=100) -> RakingResult(weights, iterations, converged,
         largest_relative_error)
    weighted_mean(cells: Mapping[Cell, MeanStats], weights=None) -> WeightedEstimate
    weighted_proportion(cells: Mapping[Cell, Tally], weights=None) -> WeightedEstimate
        WeightedEstimate(estimate, n, effective_n, weighted)
    response_rates(respondents, headcounts, confidence=0.95) -> dict[str, Share]
    representativeness(respondents, headcounts, confidence=0.95) -> list[Representation]
        Representation(group, respondent_share, workforce_share, difference)

Order of work in reporting: protect counts first (disclosure), then compute statistics only
for visible groups, then gaps and trends on those.
"""
