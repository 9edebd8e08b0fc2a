//! Scoring policy: what the user asked to be scored (a [`ScoringRequest`], free of any
//! command-line type), the complete [`ScoreOptions`] it means for a model, and the
//! [`Evaluation`] of a model under it — the score, the raw (unexempted) percentage and the
//! selection, with the warnings about how the figures were reached added to the
//! diagnostics — and from it the group scores and the report. Pure: a model in, values
//! out; no I/O.

use crate::date::Date;
use crate::diag::{Diagnostic, Diagnostics};
use crate::groups::{groups, GroupBy};
use crate::model::Model;
use crate::outcome::UsageError;
use crate::report::{self, sort_groups, GateOut, GroupOut, LocalExemptionOut, Report, ScoreOut, WarningOut};
use crate::score::{score, Score, ScoreOptions, ScoringModel, Weighting};
use crate::select::{below_scopes, select, unknown_scopes, Filters, Selection};

/// The scoring options of SPEC §4 as given: what changes what is scored.
#[derive(Clone, Debug, PartialEq)]
pub struct ScoringRequest {
    /// `--model`.
    pub model: ScoringModel,
    /// `--as-of`; `None`: today (UTC).
    pub as_of: Option<Date>,
    pub include_preview: bool,
    pub ignore_exemptions: bool,
    pub weighting: Weighting,
    pub filters: Filters,
}

impl Default for ScoringRequest {
    /// Defender's own computation: today, no preview, exemptions applied, by resources,
    /// unfiltered.
    fn default() -> ScoringRequest {
        ScoringRequest {
            model: ScoringModel::Classic,
            as_of: None,
            include_preview: false,
            ignore_exemptions: false,
            weighting: Weighting::Resources,
            filters: Filters::default(),
        }
    }
}

/// Whether Azure's exported secure score weights may replace the computed ones (SPEC
/// §1.1): not when what each scope holds changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportedWeights {
    /// Used when every scope with a defined score has one.
    Allowed,
    /// Never used (a filter or a group below subscription level, or a diff).
    Ignored,
}

impl ScoringRequest {
    /// The date exemptions are judged on: `--as-of`, else today (UTC).
    pub fn as_of(&self) -> Date {
        self.as_of.unwrap_or_else(Date::today_utc)
    }

    /// The complete options to score with.
    pub fn options(&self, exported_weights: ExportedWeights) -> ScoreOptions {
        ScoreOptions {
            model: self.model,
            as_of: self.as_of(),
            include_preview: self.include_preview,
            ignore_exemptions: self.ignore_exemptions,
            weighting: self.weighting,
            allow_exported_weights: exported_weights == ExportedWeights::Allowed,
        }
    }

    /// Whether exported weights may apply to `model` under these filters.
    fn exported_weights(&self, model: &Model) -> ExportedWeights {
        if below_scopes(model, &self.filters) {
            ExportedWeights::Ignored
        } else {
            ExportedWeights::Allowed
        }
    }

    /// True when no option changes Defender's own computation (preview, exemptions, the
    /// export's own date), so Azure's exported figures can be checked against it.
    pub fn is_default_computation(&self) -> bool {
        !self.include_preview && !self.ignore_exemptions && self.as_of.is_none()
    }

    /// The options given that count-level data cannot honour (SPEC §3).
    pub fn resource_level_options(&self) -> Vec<&'static str> {
        [
            (self.include_preview, "--include-preview"),
            (self.ignore_exemptions, "--ignore-exemptions"),
            (self.as_of.is_some(), "--as-of"),
        ]
        .into_iter()
        .filter_map(|(given, name)| given.then_some(name))
        .collect()
    }
}

/// A scored inventory under a request.
pub struct Evaluation {
    pub options: ScoreOptions,
    pub filters: Filters,
    pub score: Score,
    /// The percentage with every exemption ignored; `None` when undefined or when a
    /// scope is scored from counts (whose raw statuses are unknown).
    pub raw_percentage: Option<f64>,
    /// What the filters keep (`None`: everything).
    pub selection: Option<Selection>,
}

/// Filters and scores the model, and adds to `diags` what the reader must know about
/// the figures: an empty selection, options count-level data cannot honour, weights,
/// and the cross-check of Azure's exported figures.
pub fn evaluate(
    model: &Model,
    request: &ScoringRequest,
    diags: &mut Diagnostics,
) -> anyhow::Result<Evaluation> {
    // Resolved first, so the report and a recorded snapshot name the selection as the
    // inputs do, however it was typed.
    let filters = crate::select::resolve_names(model, &request.filters).map_err(UsageError)?;
    let exported_weights = request.exported_weights(model);
    let options = request.options(exported_weights);
    let selection = select(model, &filters).map_err(UsageError)?;
    check_row_model(model, options.model, selection.as_ref()).map_err(UsageError)?;
    warn_unknown_scopes(model, &filters, diags);
    warn_nothing_to_score(model, selection.as_ref(), diags);
    if !options.ignore_exemptions {
        warn_expired_exemptions(model, options.as_of, selection.as_ref(), diags);
    }
    if options.include_preview {
        // Preview recommendations count like the others: not knowing which they are
        // changes nothing.
        diags.withdraw_warnings("preview-unknown");
    }
    for code in untrue_under(options.model) {
        diags.withdraw_warnings(code);
    }
    let result = score(model, &options, selection.as_ref());
    let unhonoured = request.resource_level_options();
    if result.count_level && !unhonoured.is_empty() {
        // Counts rows were counted by a query, which took these options itself.
        let whose = if model.counts.is_empty() {
            "their figures are Azure's as exported"
        } else {
            "their figures are as exported or as the counting query counted them (give these options to \
             `securescore query`)"
        };
        diags.push(Diagnostic::warning(
            "option-not-applicable",
            format!(
                "{} cannot apply to scopes scored from exported counts (no assessments were given for them): {whose}",
                unhonoured.join(", ")
            ),
        ));
    }
    for w in &result.warnings {
        diags.push(w.clone());
    }
    if request.is_default_computation() && exported_weights == ExportedWeights::Allowed {
        cross_check(
            model,
            &options,
            selection.as_ref(),
            &result,
            !filters.is_empty(),
            diags,
        );
    }
    let raw_percentage = raw_percentage(model, &options, selection.as_ref(), &result);
    Ok(Evaluation {
        options,
        filters,
        score: result,
        raw_percentage,
        selection,
    })
}

/// Counts rows are written for a model (SPEC §10): control rows for `classic`,
/// recommendation rows for `v1` and `pass-rate`. A selected scope whose rows are not the
/// scoring model's is a usage error naming the model they were written for.
pub fn check_row_model(
    model: &Model,
    scoring: ScoringModel,
    selection: Option<&Selection>,
) -> Result<(), String> {
    use crate::model::RowKind;
    let wanted = if scoring.ranks_recommendations() {
        RowKind::Recommendations
    } else {
        RowKind::Controls
    };
    let wrong = (0..model.scopes.len() as u32)
        .filter(|&s| selection.is_none_or(|sel| sel.scope(s as usize)))
        .find_map(|s| model.counts.kind_of(s).filter(|&k| k != wanted).map(|k| (s, k)));
    let Some((s, kind)) = wrong else {
        return Ok(());
    };
    let (rows, written_for, query_model) = match kind {
        RowKind::Controls => ("control rows", "--model classic", scoring.as_str()),
        RowKind::Recommendations => ("recommendation rows", "--model v1 or pass-rate", "classic"),
    };
    Err(format!(
        "the counts rows of {} are {rows}, written for {written_for}, and this run scores with --model {}: \
         score them with {written_for}, or count again with `securescore query --model {query_model}`",
        model
            .scopes
            .get(s as usize)
            .map_or_else(String::new, |sc| sc.label()),
        scoring.as_str()
    ))
}

/// The codes of loading warnings that are not true under `model`: under `v1` and
/// `pass-rate` a recommendation in no control scores, and which controls hold it (the
/// catalog's membership) changes no figure (SPEC §7).
pub fn untrue_under(model: ScoringModel) -> &'static [&'static str] {
    if model.ranks_recommendations() {
        &["unscored-recommendation", "stale-catalog"]
    } else {
        &[]
    }
}

/// Warns of each `--scope` value that is no subscription's id or name and no resource's
/// id: most likely a mistyped name (SPEC §1.3 keeps a filter that selects nothing a
/// warning, not an error, so a job does not break on a subscription that is empty today).
fn warn_unknown_scopes(model: &Model, filters: &Filters, diags: &mut Diagnostics) {
    for (f, near) in unknown_scopes(model, filters) {
        diags.push(unknown_scope(&f, &near));
    }
}

/// The `unknown-scope` warning of `--scope` value `f`, with the closest scopes.
pub fn unknown_scope(f: &str, near: &[String]) -> Diagnostic {
    let hint = if near.is_empty() {
        String::new()
    } else {
        format!("; did you mean {}?", crate::names::either(near))
    };
    Diagnostic::warning(
        "unknown-scope",
        format!(
            "--scope {f:?} is no subscription's id or display name and no resource's id in the inputs, so it \
             selects nothing{hint}"
        ),
    )
}

/// Warns when there is nothing to score at all, or when the filters keep nothing.
fn warn_nothing_to_score(model: &Model, selection: Option<&Selection>, diags: &mut Diagnostics) {
    if model.assessments.is_empty()
        && model.exported.controls.is_empty()
        && model.counts.recommendations.is_empty()
    {
        diags.push(Diagnostic::warning(
            "no-data",
            "the inputs hold no assessment and no secure score control counts: there is nothing to score",
        ));
    }
    if let Some(sel) = selection {
        let any_resource = model
            .assessments
            .iter()
            .any(|a| sel.resource(a.resource as usize));
        let any_counts = model
            .scopes
            .iter()
            .enumerate()
            .any(|(i, s)| s.count_level && sel.scope(i));
        if !any_resource && !any_counts {
            diags.push(Diagnostic::warning(
                "filter-selects-nothing",
                "the filters select no assessed resource: the score is undefined",
            ));
        }
    }
}

/// Warns once when exemptions of selected resources ended before `as_of`: they no longer
/// apply, so their assessments count with their own status, and a waiver that lapsed
/// would otherwise lower the score without a word. Names the most recent to expire (ties:
/// the smaller resource id, then recommendation id). One pass over the assessments, most
/// of which carry no exemption.
fn warn_expired_exemptions(
    model: &Model,
    as_of: Date,
    selection: Option<&Selection>,
    diags: &mut Diagnostics,
) {
    let mut count = 0usize;
    // (expiry, resource, recommendation) of the example.
    let mut latest: Option<(Date, usize, usize)> = None;
    let ids = |&(_, r, c): &(Date, usize, usize)| {
        (
            model.resources.id(r),
            model.recommendations.get(c).map_or("", |x| x.id.as_str()),
        )
    };
    for a in model.assessments.iter().filter(|a| a.exemption() != 0) {
        let Some(expires) = model.exemption(a).and_then(|x| x.expires) else {
            continue;
        };
        if expires >= as_of || selection.is_some_and(|s| !s.resource(a.resource as usize)) {
            continue;
        }
        count += 1;
        let candidate = (expires, a.resource as usize, a.recommendation as usize);
        let better =
            latest.is_none_or(|l| candidate.0 > l.0 || (candidate.0 == l.0 && ids(&candidate) < ids(&l)));
        if better {
            latest = Some(candidate);
        }
    }
    let Some(example) = latest else {
        return;
    };
    let (resource, recommendation) = ids(&example);
    let recommendation = model
        .recommendations
        .get(example.2)
        .map_or_else(|| format!("{recommendation:?}"), |r| r.quoted_label());
    let resource =
        crate::text::quoted_name_and_id(model.resources.get(example.1).and_then(|r| r.name()), resource);
    diags.push(Diagnostic::warning(
        "exemption-expired",
        format!(
            "{count} exemption(s) ended before {as_of} (the date exemptions are judged on) and no longer apply: \
             their assessments count with their own status (the latest: {resource} for {recommendation}, ended {}); \
             renew or remove them",
            example.0
        ),
    ));
}

/// Compares Azure's exported figures with a per-scope score of the default computation
/// (re-scored by resources when another weighting was asked for).
fn cross_check(
    model: &Model,
    options: &ScoreOptions,
    selection: Option<&Selection>,
    result: &Score,
    filtered: bool,
    diags: &mut Diagnostics,
) {
    // Azure exports the classic figures, weighted by resources: they are checked against
    // those, whatever this run scores with.
    let classic =
        (options.weighting != Weighting::Resources || options.model != ScoringModel::Classic).then(|| {
            let by_resources = ScoreOptions {
                model: ScoringModel::Classic,
                weighting: Weighting::Resources,
                ..options.clone()
            };
            score(model, &by_resources, selection)
        });
    for w in crate::crosscheck::check(model, classic.as_ref().unwrap_or(result), filtered) {
        diags.push(w);
    }
}

/// The percentage of `scored` with every exemption ignored; `None` when a scope is
/// scored from counts, whose raw statuses are unknown.
pub fn raw_percentage(
    model: &Model,
    options: &ScoreOptions,
    selection: Option<&Selection>,
    scored: &Score,
) -> Option<f64> {
    if scored.count_level {
        return None;
    }
    let raw_options = ScoreOptions {
        ignore_exemptions: true,
        ..options.clone()
    };
    score(model, &raw_options, selection).percentage
}

/// What a report holds besides the evaluation's own figures.
#[derive(Default)]
pub struct ReportExtras {
    pub warnings: Vec<WarningOut>,
    pub gate: Option<GateOut>,
    pub groups: Option<Vec<GroupOut>>,
    /// The configuration file read, and its local exemptions in effect.
    pub config: Option<String>,
    pub local_exemptions: Option<Vec<LocalExemptionOut>>,
}

impl Evaluation {
    /// The report of this evaluation, built once with everything it holds.
    pub fn report(&self, model: &Model, extras: ReportExtras) -> Report {
        report::build(
            &self.score,
            report::ReportInputs {
                model,
                options: &self.options,
                filters: &self.filters,
                raw_percentage: self.raw_percentage,
                warnings: extras.warnings,
                gate: extras.gate,
                groups: extras.groups,
                config: extras.config,
                local_exemptions: extras.local_exemptions,
            },
        )
    }

    /// Each group's score (SPEC §1.3), lowest first: the score the inventory would get
    /// if it held only the group's resources.
    pub fn group_scores(&self, model: &Model, by: &GroupBy) -> Result<Vec<GroupOut>, String> {
        let groups = groups(model, by, self.scored_part(model).as_ref())?;
        // A group below subscription level changes what each scope holds, so Azure's
        // exported weights no longer apply (SPEC §1.1), as under a --scope filter.
        let whole_scopes = matches!(by, GroupBy::Subscription | GroupBy::ManagementGroup);
        let options = ScoreOptions {
            allow_exported_weights: self.options.allow_exported_weights && whole_scopes,
            ..self.options.clone()
        };
        let arithmetic = options.model.arithmetic();
        let scored = arithmetic.score_groups(model, &options, &groups);
        let raw_options = ScoreOptions {
            ignore_exemptions: true,
            ..options.clone()
        };
        let raw = arithmetic.score_groups(model, &raw_options, &groups);
        let mut out: Vec<GroupOut> = groups
            .into_iter()
            .zip(scored.iter().zip(&raw))
            .map(|(g, (scored, raw))| GroupOut {
                by: by.name(),
                id: g.id,
                // As [`raw_percentage`]: unknown where a scope is scored from counts.
                score: ScoreOut::of(scored, (!scored.count_level).then_some(raw.percentage).flatten()),
            })
            .collect();
        sort_groups(&mut out);
        Ok(out)
    }

    /// What the model's arithmetic scores of the selection: all of it, except that a model
    /// whose rows are recommendations leaves out the scopes that hold only exported control
    /// counts (their warning says so), which therefore do not stop a grouping below them.
    fn scored_part(&self, model: &Model) -> Option<Selection> {
        // Counts rows of recommendations are scored under these models.
        let counts_only = |s: usize| {
            model.scopes.get(s).is_some_and(|sc| sc.count_level)
                && model.counts.kind_of(s as u32) != Some(crate::model::RowKind::Recommendations)
        };
        if !self.options.model.ranks_recommendations() || !(0..model.scopes.len()).any(counts_only) {
            return self.selection.clone();
        }
        let mut part = self.selection.clone().unwrap_or_else(|| Selection {
            resources: vec![true; model.resources.len()],
            scopes: vec![true; model.scopes.len()],
        });
        for (s, kept) in part.scopes.iter_mut().enumerate() {
            *kept &= !counts_only(s);
        }
        Some(part)
    }

    /// Fails when the selection holds a scope scored from exported counts: `what` needs
    /// resource-level assessments (SPEC §3).
    pub fn require_resource_level(&self, model: &Model, what: &str) -> anyhow::Result<()> {
        let counts_only = model
            .scopes
            .iter()
            .enumerate()
            .find(|(i, s)| s.count_level && self.selection.as_ref().is_none_or(|sel| sel.scope(*i)));
        if let Some((s, scope)) = counts_only {
            let (source, advice) = model.count_level_source(s);
            return Err(UsageError(format!(
                "{what} needs resource-level assessments, and {} is scored from {source}: {advice}, or leave it \
                 out with --scope",
                scope.label()
            ))
            .into());
        }
        Ok(())
    }
}
