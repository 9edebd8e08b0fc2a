//! Policy gates (SPEC §4, §9): a [`GatePolicy`] (the rules asked for, by the command line
//! or a config file's `[gate]`) and pure functions that turn a score into one [`Verdict`]
//! per rule, with its reason. Every rule is checked; the report carries the verdicts, and
//! the command's [`Outcome`] derives from them (one gate line per failed rule).

use crate::model::{Model, Severity, Status};
use crate::outcome::Outcome;
use crate::score::{Score, ScoreOptions};
use crate::select::Selection;
use crate::text::{fmt2, quoted_name_and_id, round2};

/// The severities `gate.unhealthy` limits, in the order their rules are listed.
pub const SEVERITIES: [Severity; 4] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
];

/// The gate rules asked for: `--fail-under`, `--max-drop`, and a config file's `[gate]`
/// (`fail-under`, `max-drop`, `gate.controls`, `gate.unhealthy`). Empty: no gate.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GatePolicy {
    /// The least overall percentage (display rounding).
    pub fail_under: Option<f64>,
    /// The most points the score may fall since the baseline.
    pub max_drop: Option<f64>,
    /// Per control (its id or exact name, as written): the least percentage of its own.
    pub controls: Vec<(String, f64)>,
    /// Per severity: the most unhealthy (resource, recommendation) pairs after exemptions.
    pub unhealthy: Vec<(Severity, u64)>,
}

impl GatePolicy {
    /// True when no rule is asked for (the report then has no `gate`).
    pub fn is_empty(&self) -> bool {
        self.fail_under.is_none()
            && self.max_drop.is_none()
            && self.controls.is_empty()
            && self.unhealthy.is_empty()
    }

    /// This policy with the command line's `--fail-under` and `--max-drop` in place of its
    /// own, where given (the command line wins over a config file).
    pub fn overridden_by(self, fail_under: Option<f64>, max_drop: Option<f64>) -> GatePolicy {
        GatePolicy {
            fail_under: fail_under.or(self.fail_under),
            max_drop: max_drop.or(self.max_drop),
            ..self
        }
    }
}

/// A gate rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    /// `fail-under`: the least overall percentage.
    FailUnder,
    /// `max-drop`: the most points the score may fall.
    MaxDrop,
    /// `gate.controls`: the least percentage of one control (its id).
    Control(String),
    /// `gate.unhealthy`: the most unhealthy pairs of one severity.
    Unhealthy(Severity),
}

impl Rule {
    /// The rule's name in reports: `fail-under`, `max-drop`, `controls.ID`,
    /// `unhealthy.SEVERITY` (the config file's keys).
    pub fn name(&self) -> String {
        match self {
            Rule::FailUnder => "fail-under".to_string(),
            Rule::MaxDrop => "max-drop".to_string(),
            Rule::Control(id) => format!("controls.{id}"),
            Rule::Unhealthy(s) => format!("unhealthy.{}", s.as_str()),
        }
    }
}

/// One gate rule's verdict, with what it compared.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub rule: Rule,
    /// The rule's limit.
    pub limit: f64,
    /// The figure held against the limit, when it is defined.
    pub actual: Option<f64>,
    pub passed: bool,
    /// The verdict in one sentence: why the rule failed (the text of its gate line on
    /// standard error), or what it held against its limit when it passed.
    pub message: String,
}

impl Verdict {
    fn new(rule: Rule, limit: f64, actual: Option<f64>, failure: Option<String>, pass: String) -> Verdict {
        Verdict {
            rule,
            limit,
            actual,
            passed: failure.is_none(),
            message: failure.unwrap_or(pass),
        }
    }
}

/// How a command ends given the verdicts of its gates: success when every one passed,
/// else a failure listing each reason.
pub fn outcome<'a>(verdicts: impl IntoIterator<Item = &'a Verdict>) -> Outcome {
    let failures: Vec<String> = verdicts
        .into_iter()
        .filter(|v| !v.passed)
        .map(|v| v.message.clone())
        .collect();
    if failures.is_empty() {
        Outcome::Success
    } else {
        Outcome::GateFailed(failures)
    }
}

/// The score `max-drop` compares with: an earlier report's or snapshot's.
#[derive(Clone, Debug, PartialEq)]
pub struct Baseline {
    /// Its percentage (`None`: undefined).
    pub percentage: Option<f64>,
    /// Where it comes from, for messages ("the baseline report base.json").
    pub source: String,
    /// It reported an incomplete export.
    pub incomplete: bool,
}

/// What the rules are held against, besides the model and score.
pub struct Facts<'a> {
    /// Why the export is incomplete, if it is: every rule fails then.
    pub incomplete: &'a [String],
    /// For `max-drop`: the baseline, `None` when nothing comparable was recorded yet
    /// (the rule then passes: there is no drop to measure).
    pub baseline: Option<&'a Baseline>,
    /// The selection scored (`None`: everything).
    pub selection: Option<&'a Selection>,
}

/// Checks every rule of `policy` against `score` (of `model` under `options`): one
/// verdict per rule, in the order fail-under, max-drop, controls by id, unhealthy by
/// severity (critical first). Fails when a `gate.controls` entry names no control of the
/// model, or several (a usage error: the policy cannot be checked as written).
pub fn check(
    policy: &GatePolicy,
    model: &Model,
    score: &Score,
    options: &ScoreOptions,
    facts: &Facts,
) -> Result<Vec<Verdict>, String> {
    let incomplete = facts.incomplete;
    let standing = Standing {
        overall: score.percentage,
        incomplete,
    };
    let mut verdicts = Vec::new();
    if let Some(threshold) = policy.fail_under {
        verdicts.push(fail_under(threshold, score.percentage, incomplete));
    }
    if let Some(limit) = policy.max_drop {
        verdicts.push(match facts.baseline {
            Some(b) => max_drop_since(limit, b, score.percentage, !incomplete.is_empty()),
            None => no_baseline(limit, score.percentage, incomplete),
        });
    }
    let mut controls: Vec<(usize, f64)> = Vec::new();
    for (n, (query, min)) in policy.controls.iter().enumerate() {
        let c = find_control(model, query)?;
        // Two minimums for one control would be two rules of one name, one perhaps
        // contradicting the other: the policy is ambiguous as written.
        if let Some((first, _)) = policy.controls[..n]
            .iter()
            .zip(&controls)
            .find(|(_, (i, _))| *i == c)
            .map(|(entry, _)| entry)
        {
            let control = &model.controls[c];
            return Err(format!(
                "gate.controls names {} twice, as {first:?} and {query:?}: keep one of them",
                quoted_name_and_id(control.name.as_deref(), &control.id)
            ));
        }
        controls.push((c, *min));
    }
    controls.sort_by(|(a, x), (b, y)| {
        model.controls[*a]
            .id
            .cmp(&model.controls[*b].id)
            .then(x.total_cmp(y))
    });
    for (c, min) in controls {
        let control = &model.controls[c];
        let label = quoted_name_and_id(control.name.as_deref(), &control.id);
        let percentage = score
            .controls
            .iter()
            .find(|cs| cs.control as usize == c)
            .filter(|cs| cs.applicable && cs.max_score > 0.0)
            .map(|cs| 100.0 * cs.current / cs.max_score);
        verdicts.push(control_minimum(&control.id, &label, min, percentage, &standing));
    }
    let mut limits = policy.unhealthy.clone();
    limits.sort_by_key(|&(s, limit)| (std::cmp::Reverse(s), limit));
    if !limits.is_empty() {
        let counts = unhealthy_pairs(model, options, facts.selection);
        for (severity, limit) in limits {
            let count = counts
                .as_ref()
                .map(|c| c[SEVERITIES.iter().position(|s| *s == severity).unwrap_or(0)])
                .map_err(String::clone);
            verdicts.push(unhealthy(severity, limit, count, &standing));
        }
    }
    Ok(verdicts)
}

/// The control a `gate.controls` key names: its exact id (any case for an id that only
/// case tells apart from none), else its exact name (any case); an error when none or
/// several match.
fn find_control(model: &Model, query: &str) -> Result<usize, String> {
    if let Some(i) = model.controls.iter().position(|c| c.id == query) {
        return Ok(i);
    }
    let by_id: Vec<usize> = (0..model.controls.len())
        .filter(|&i| model.controls[i].id.eq_ignore_ascii_case(query))
        .collect();
    let found = if by_id.is_empty() {
        (0..model.controls.len())
            .filter(|&i| {
                let name = model.controls[i].name.as_deref();
                name.is_some_and(|n| n.to_lowercase() == query.to_lowercase())
            })
            .collect()
    } else {
        by_id
    };
    let label = |i: usize| {
        let c = &model.controls[i];
        quoted_name_and_id(c.name.as_deref(), &c.id)
    };
    match found.as_slice() {
        [one] => Ok(*one),
        [] => {
            let candidates: Vec<(&str, &str)> = model
                .controls
                .iter()
                .map(|c| (c.display_name(), c.id.as_str()))
                .collect();
            let near: Vec<String> = crate::names::closest(query, &candidates)
                .into_iter()
                .map(label)
                .collect();
            let hint = if near.is_empty() {
                String::new()
            } else {
                format!("; did you mean {}?", crate::names::either(&near))
            };
            Err(format!(
                "gate.controls names {query:?}, which is no control's id or exact name{hint}"
            ))
        }
        many => Err(format!(
            "gate.controls names {query:?}, which is the name of several controls: {}; use an id",
            many.iter().map(|&i| label(i)).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The unhealthy (resource, recommendation) pairs of the selection after exemptions, by
/// severity in [`SEVERITIES`] order: every recommendation with that severity counts,
/// custom ones and those no control holds too, preview ones only with
/// `--include-preview`. An error naming the scope when a selected scope is scored from
/// exported counts, whose pairs are unknown.
pub fn unhealthy_pairs(
    model: &Model,
    options: &ScoreOptions,
    selection: Option<&Selection>,
) -> Result<[u64; 4], String> {
    let counts_only = model
        .scopes
        .iter()
        .enumerate()
        .find(|(i, s)| s.count_level && selection.is_none_or(|sel| sel.scope(*i)));
    if let Some((i, scope)) = counts_only {
        return Err(format!(
            "{} is scored from {}, which do not list unhealthy resources",
            scope.label(),
            model.count_level_source(i).0
        ));
    }
    let mut counts = [0u64; 4];
    for a in model.assessments.iter() {
        if selection.is_some_and(|s| !s.resource(a.resource as usize)) {
            continue;
        }
        let Some(rec) = model.recommendations.get(a.recommendation as usize) else {
            continue;
        };
        let Some(severity) = rec.severity else {
            continue;
        };
        if rec.preview && !options.include_preview {
            continue;
        }
        if crate::score::kernel::effective_status(model, a, options) == Status::Unhealthy {
            if let Some(i) = SEVERITIES.iter().position(|s| *s == severity) {
                counts[i] += 1;
            }
        }
    }
    Ok(counts)
}

/// The reason every rule fails on an incomplete export.
fn incomplete_failure(incomplete: &[String], rule: &str) -> Option<String> {
    (!incomplete.is_empty()).then(|| {
        format!(
            "the export is incomplete ({}), so {rule} cannot pass",
            incomplete.join("; ")
        )
    })
}

/// What every rule is held against besides its own figure: an undefined overall score
/// or an incomplete export fails every rule (SPEC §4), whatever that figure is.
#[derive(Clone, Copy, Debug)]
pub struct Standing<'a> {
    /// The overall percentage (`None`: undefined).
    pub overall: Option<f64>,
    /// Why the export is incomplete, if it is.
    pub incomplete: &'a [String],
}

impl Standing<'_> {
    /// Why `rule` cannot pass whatever its own figure, if it cannot: the score is
    /// undefined (said first: it is the reason a reader can act on in this run), or the
    /// export is incomplete.
    fn failure(&self, rule: &str) -> Option<String> {
        match self.overall {
            None => Some(format!(
                "secure score is undefined (nothing scored applies to the selection), so {rule} cannot pass"
            )),
            Some(_) => incomplete_failure(self.incomplete, rule),
        }
    }
}

/// `fail-under PCT`: the score, rounded to 2 decimals, must reach `threshold`, and the
/// export must be complete (`incomplete` lists why it is not).
pub fn fail_under(threshold: f64, percentage: Option<f64>, incomplete: &[String]) -> Verdict {
    let failure = match percentage {
        Some(p) if round2(p) < threshold => Some(format!(
            "secure score {}% is below fail-under {threshold}",
            fmt2(p)
        )),
        Some(_) => incomplete_failure(incomplete, &format!("fail-under {threshold}")),
        None => Some(format!(
            "secure score is undefined (nothing scored applies to the selection), so fail-under {threshold} cannot pass"
        )),
    };
    let pass = format!(
        "secure score {}% is not below fail-under {threshold}",
        percentage.map_or_else(|| "n/a".to_string(), fmt2)
    );
    Verdict::new(Rule::FailUnder, threshold, percentage, failure, pass)
}

/// `diff --max-drop PCT`: the score may fall by at most `limit` points (rounded to 2
/// decimals), both scores must be defined, and neither export incomplete.
pub fn max_drop(limit: f64, before: Option<f64>, after: Option<f64>, incomplete: bool) -> Verdict {
    drop_verdict(limit, before, after, incomplete, "")
}

/// `assess --max-drop PCT`: as [`max_drop`], from `baseline` to `percentage`; the
/// messages name the baseline.
pub fn max_drop_since(limit: f64, baseline: &Baseline, percentage: Option<f64>, incomplete: bool) -> Verdict {
    let since = format!(" since {}", baseline.source);
    drop_verdict(
        limit,
        baseline.percentage,
        percentage,
        incomplete || baseline.incomplete,
        &since,
    )
}

/// `max-drop` with nothing comparable to measure a drop from (the first run of a
/// history): passes, saying so, unless the score is undefined or the export incomplete.
pub fn no_baseline(limit: f64, percentage: Option<f64>, incomplete: &[String]) -> Verdict {
    let failure = match percentage {
        Some(_) => incomplete_failure(incomplete, &format!("max-drop {limit}")),
        None => Some(format!(
            "secure score is undefined (nothing scored applies to the selection), so max-drop {limit} cannot pass"
        )),
    };
    let pass = format!("no earlier comparable score to measure a drop from, so max-drop {limit} passes");
    Verdict::new(Rule::MaxDrop, limit, None, failure, pass)
}

fn drop_verdict(
    limit: f64,
    before: Option<f64>,
    after: Option<f64>,
    incomplete: bool,
    since: &str,
) -> Verdict {
    let drop = before.zip(after).map(|(b, a)| b - a);
    let failure = match drop {
        _ if incomplete => Some(format!(
            "an export is incomplete, so max-drop {limit} cannot pass"
        )),
        Some(d) if round2(d) > limit => Some(format!(
            "secure score fell by {} points{since}, more than max-drop {limit}",
            fmt2(d)
        )),
        Some(_) => None,
        None => Some(format!(
            "a secure score is undefined (nothing scored applies to the selection), so max-drop {limit} cannot pass"
        )),
    };
    let pass = match drop {
        Some(d) if round2(d) > 0.0 => format!(
            "secure score fell by {} points{since}, no more than max-drop {limit}",
            fmt2(d)
        ),
        _ => format!("secure score did not fall{since} (max-drop {limit})"),
    };
    Verdict::new(Rule::MaxDrop, limit, drop, failure, pass)
}

/// `gate.controls`: the control `id` (shown as `label`) must reach `min` percent of its
/// own points (`percentage`, rounded to 2 decimals); a control that does not apply
/// (`None`) passes, unless the overall score is undefined or the export incomplete
/// (`standing`).
pub fn control_minimum(
    id: &str,
    label: &str,
    min: f64,
    percentage: Option<f64>,
    standing: &Standing,
) -> Verdict {
    let what = format!("control {label}");
    let failure = match percentage {
        Some(p) if round2(p) < min => Some(format!("{what} is at {}%, below its minimum of {min}%", fmt2(p))),
        _ => standing.failure(&format!("the minimum of {what}")),
    };
    let pass = match percentage {
        Some(p) => format!("{what} is at {}%, not below its minimum of {min}%", fmt2(p)),
        None => format!("{what} does not apply, so its minimum of {min}% passes"),
    };
    Verdict::new(Rule::Control(id.to_string()), min, percentage, failure, pass)
}

/// `gate.unhealthy`: at most `limit` unhealthy pairs of `severity` (`count`, or why it
/// cannot be counted, which fails the rule), and a defined score of a complete export
/// (`standing`): no resource selected is no evidence of health.
pub fn unhealthy(severity: Severity, limit: u64, count: Result<u64, String>, standing: &Standing) -> Verdict {
    let pairs = |n: u64| {
        format!(
            "{n} unhealthy {severity}-severity (resource, recommendation) pair{}",
            if n == 1 { "" } else { "s" },
            severity = severity.as_str()
        )
    };
    let failure = match &count {
        Ok(n) if *n > limit => Some(format!("{}, more than the {limit} allowed", pairs(*n))),
        Ok(_) => standing.failure(&format!("the {} limit", severity.as_str())),
        Err(why) => Some(format!(
            "unhealthy {}-severity pairs cannot be counted ({why}), so the limit of {limit} cannot pass",
            severity.as_str()
        )),
    };
    let pass = match &count {
        Ok(n) => format!("{}, no more than the {limit} allowed", pairs(*n)),
        Err(_) => String::new(),
    };
    let actual = count.ok().map(|n| n as f64);
    Verdict::new(Rule::Unhealthy(severity), limit as f64, actual, failure, pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A defined score of a complete export: rules stand on their own figures.
    const DEFINED: Standing = Standing {
        overall: Some(50.0),
        incomplete: &[],
    };
    /// An undefined score (nothing selected).
    const UNDEFINED: Standing = Standing {
        overall: None,
        incomplete: &[],
    };

    #[test]
    fn fail_under_compares_the_displayed_score() {
        assert!(fail_under(98.4, Some(98.396), &[]).passed);
        assert!(!fail_under(98.4, Some(98.394), &[]).passed);
        assert!(!fail_under(10.0, None, &[]).passed);
        let incomplete = fail_under(10.0, Some(50.0), &["page 2 missing".to_string()]);
        assert!(!incomplete.passed);
        assert!(incomplete.message.contains("page 2 missing"));
    }

    #[test]
    fn the_message_is_the_failure_or_what_passed() {
        // 98.396 shows as 98.40, which reaches 98.4; 98.394 shows as 98.39, which does not.
        assert_eq!(
            fail_under(98.4, Some(98.396), &[]).message,
            "secure score 98.40% is not below fail-under 98.4"
        );
        assert_eq!(
            fail_under(98.4, Some(98.394), &[]).message,
            "secure score 98.39% is below fail-under 98.4"
        );
        // 60 − 59.5 = 0.5 points fallen, within 1; 60 − 61 is a rise.
        assert_eq!(
            max_drop(1.0, Some(60.0), Some(59.5), false).message,
            "secure score fell by 0.50 points, no more than max-drop 1"
        );
        assert_eq!(
            max_drop(1.0, Some(60.0), Some(61.0), false).message,
            "secure score did not fall (max-drop 1)"
        );
    }

    #[test]
    fn max_drop_allows_the_limit_and_not_more() {
        assert!(max_drop(1.0, Some(60.0), Some(59.0), false).passed);
        assert!(!max_drop(1.0, Some(60.0), Some(58.99), false).passed);
        assert!(!max_drop(1.0, Some(60.0), None, false).passed);
        assert!(!max_drop(1.0, Some(60.0), Some(61.0), true).passed);
    }

    #[test]
    fn max_drop_since_a_baseline_names_it_and_heeds_its_completeness() {
        let base = Baseline {
            percentage: Some(100.0),
            source: "the baseline report base.json".to_string(),
            incomplete: false,
        };
        // 100 − 98.4 = 1.6 points fallen: more than 1, within 2.
        let failed = max_drop_since(1.0, &base, Some(98.4), false);
        assert!(!failed.passed);
        assert_eq!(
            failed.message,
            "secure score fell by 1.60 points since the baseline report base.json, more than max-drop 1"
        );
        assert!((failed.actual.unwrap() - 1.6).abs() < 1e-9);
        assert!(max_drop_since(2.0, &base, Some(98.4), false).passed);
        let incomplete = Baseline {
            incomplete: true,
            ..base.clone()
        };
        assert!(!max_drop_since(2.0, &incomplete, Some(98.4), false).passed);
        let undefined = Baseline {
            percentage: None,
            ..base
        };
        assert!(!max_drop_since(2.0, &undefined, Some(98.4), false).passed);
        let first = no_baseline(2.0, Some(98.4), &[]);
        assert!(first.passed && first.actual.is_none());
        assert!(!no_baseline(2.0, None, &[]).passed);
        assert!(!no_baseline(2.0, Some(98.4), &["page 2 missing".to_string()]).passed);
    }

    #[test]
    fn a_control_must_reach_its_minimum_unless_it_does_not_apply() {
        // 6 × 42/50 = 5.04 of 6 points: 84%.
        let at = |min: f64| control_minimum("c1", "\"C\" (c1)", min, Some(84.0), &DEFINED);
        assert!(at(84.0).passed);
        assert!(!at(84.01).passed);
        assert_eq!(
            at(90.0).message,
            "control \"C\" (c1) is at 84.00%, below its minimum of 90%"
        );
        assert_eq!(at(90.0).rule.name(), "controls.c1");
        let idle = control_minimum("c1", "\"C\" (c1)", 90.0, None, &DEFINED);
        assert!(idle.passed);
        assert_eq!(
            idle.message,
            "control \"C\" (c1) does not apply, so its minimum of 90% passes"
        );
        let cut = ["cut".to_string()];
        let incomplete = Standing {
            overall: Some(50.0),
            incomplete: &cut,
        };
        assert!(!control_minimum("c1", "C", 10.0, Some(84.0), &incomplete).passed);
        // An undefined overall score (a filter that selects nothing) fails even a control
        // that does not apply, which would pass otherwise.
        let nothing = control_minimum("c1", "\"C\" (c1)", 0.0, None, &UNDEFINED);
        assert!(!nothing.passed);
        assert_eq!(
            nothing.message,
            "secure score is undefined (nothing scored applies to the selection), so the minimum of control \"C\" (c1) cannot pass"
        );
    }

    #[test]
    fn unhealthy_pairs_may_reach_the_limit_and_not_pass_it() {
        assert!(unhealthy(Severity::High, 8, Ok(8), &DEFINED).passed);
        let over = unhealthy(Severity::High, 7, Ok(8), &DEFINED);
        assert!(!over.passed);
        assert_eq!(
            over.message,
            "8 unhealthy high-severity (resource, recommendation) pairs, more than the 7 allowed"
        );
        assert_eq!(over.rule.name(), "unhealthy.high");
        assert_eq!(over.actual, Some(8.0));
        assert!(!unhealthy(Severity::Critical, 0, Err("counts only".to_string()), &DEFINED).passed);
        assert!(unhealthy(Severity::Critical, 0, Ok(0), &DEFINED).passed);
        // No resource selected is no evidence of health: 0 pairs of an undefined score fail.
        let nothing = unhealthy(Severity::Critical, 0, Ok(0), &UNDEFINED);
        assert!(!nothing.passed);
        assert_eq!(
            nothing.message,
            "secure score is undefined (nothing scored applies to the selection), so the critical limit cannot pass"
        );
    }

    #[test]
    fn the_command_line_replaces_the_configs_limits() {
        let config = GatePolicy {
            fail_under: Some(70.0),
            max_drop: Some(2.0),
            controls: vec![("mfa".to_string(), 80.0)],
            unhealthy: vec![(Severity::Critical, 0)],
        };
        let merged = config.clone().overridden_by(Some(50.0), None);
        assert_eq!(merged.fail_under, Some(50.0));
        assert_eq!(merged.max_drop, Some(2.0));
        assert_eq!(merged.controls, config.controls);
        assert!(GatePolicy::default().is_empty());
        assert!(!merged.is_empty());
    }

    /// Four resources of one subscription. `mfa` (high, control "Enable MFA", 10 points):
    /// r1, r4 healthy, r2, r3 unhealthy: 10 × 2/4 = 5 points, 50%. `upd` (critical,
    /// "Apply system updates", 6 points): r1 unhealthy, r2, r4 healthy, r3 unhealthy but
    /// waived (not applicable): 6 × 2/3 = 4 points, 66.67%. `prev` (critical, preview, in
    /// the updates control): r1 unhealthy, counted only with preview. `idle` ("Idle", 4
    /// points): r1 not applicable, so the control does not apply. Overall (5 + 4) / 16 =
    /// 56.25%.
    fn model() -> Model {
        use crate::catalog::Catalog;
        let assessment = |r: &str, rec: &str, status: &str| {
            serde_json::json!({"resource": format!("/subscriptions/s1/resourceGroups/g/providers/x/{r}"),
                               "recommendation": rec, "status": status})
        };
        let mut waived = assessment("r3", "upd", "unhealthy");
        waived["exemption"] = serde_json::json!({"category": "waiver", "expires": "2027-01-01"});
        let doc = serde_json::json!({
            "controls": [
                {"id": "c-mfa", "name": "Enable MFA", "max_score": 10, "recommendations": ["mfa"]},
                {"id": "c-upd", "name": "Apply system updates", "max_score": 6, "recommendations": ["upd", "prev"]},
                {"id": "c-idle", "name": "Idle", "max_score": 4, "recommendations": ["idle"]}
            ],
            "recommendations": [
                {"id": "mfa", "severity": "high"},
                {"id": "upd", "severity": "critical"},
                {"id": "prev", "severity": "critical", "preview": true},
                {"id": "idle", "severity": "low"}
            ],
            "assessments": [
                assessment("r1", "mfa", "healthy"), assessment("r2", "mfa", "unhealthy"),
                assessment("r3", "mfa", "unhealthy"), assessment("r4", "mfa", "healthy"),
                assessment("r1", "upd", "unhealthy"), assessment("r2", "upd", "healthy"),
                waived, assessment("r4", "upd", "healthy"),
                assessment("r1", "prev", "unhealthy"), assessment("r1", "idle", "not_applicable")
            ]
        });
        crate::load::model_of_text(&doc.to_string(), &Catalog::empty())
    }

    fn options(include_preview: bool) -> ScoreOptions {
        ScoreOptions {
            as_of: crate::date::Date::parse("2026-11-22").unwrap(),
            include_preview,
            ..crate::evaluation::ScoringRequest::default()
                .options(crate::evaluation::ExportedWeights::Allowed)
        }
    }

    fn checked(policy: &GatePolicy, include_preview: bool) -> Result<Vec<Verdict>, String> {
        let model = model();
        let options = options(include_preview);
        let score = crate::score::score(&model, &options, None);
        let facts = Facts {
            incomplete: &[],
            baseline: None,
            selection: None,
        };
        check(policy, &model, &score, &options, &facts)
    }

    #[test]
    fn every_rule_is_checked_in_a_fixed_order() {
        let policy = GatePolicy {
            fail_under: Some(60.0),
            max_drop: Some(1.0),
            // Given out of order, by name (any case) and by id.
            controls: vec![
                ("Idle".to_string(), 99.0),
                ("c-upd".to_string(), 70.0),
                ("enable mfa".to_string(), 50.0),
            ],
            unhealthy: vec![(Severity::High, 1), (Severity::Critical, 1), (Severity::Low, 0)],
        };
        let verdicts = checked(&policy, false).unwrap();
        let summary: Vec<(String, Option<f64>, bool)> = verdicts
            .iter()
            .map(|v| (v.rule.name(), v.actual.map(round2), v.passed))
            .collect();
        assert_eq!(
            summary,
            vec![
                // 56.25% < 60.
                ("fail-under".to_string(), Some(56.25), false),
                // No baseline yet: nothing to measure a drop from.
                ("max-drop".to_string(), None, true),
                // Idle does not apply: passes whatever its minimum.
                ("controls.c-idle".to_string(), None, true),
                // 5 of 10 points: 50%, which reaches 50.
                ("controls.c-mfa".to_string(), Some(50.0), true),
                // 4 of 6 points: 66.67% < 70.
                ("controls.c-upd".to_string(), Some(66.67), false),
                // upd on r1 (r3 is waived, prev is preview): 1, within 1.
                ("unhealthy.critical".to_string(), Some(1.0), true),
                // mfa on r2 and r3: 2 > 1.
                ("unhealthy.high".to_string(), Some(2.0), false),
                ("unhealthy.low".to_string(), Some(0.0), true),
            ]
        );
        assert_eq!(
            outcome(&verdicts),
            Outcome::GateFailed(vec![
                "secure score 56.25% is below fail-under 60".to_string(),
                "control \"Apply system updates\" (c-upd) is at 66.67%, below its minimum of 70%".to_string(),
                "2 unhealthy high-severity (resource, recommendation) pairs, more than the 1 allowed"
                    .to_string(),
            ])
        );
    }

    #[test]
    fn preview_pairs_count_only_when_preview_is_scored() {
        let policy = GatePolicy {
            unhealthy: vec![(Severity::Critical, 1)],
            ..GatePolicy::default()
        };
        // upd on r1 and prev on r1: 2 > 1.
        let verdicts = checked(&policy, true).unwrap();
        assert_eq!((verdicts[0].actual, verdicts[0].passed), (Some(2.0), false));
    }

    #[test]
    fn a_control_no_name_or_id_matches_is_an_error() {
        let policy = GatePolicy {
            controls: vec![("Enable MFAA".to_string(), 80.0)],
            ..GatePolicy::default()
        };
        let err = checked(&policy, false).unwrap_err();
        assert_eq!(
            err,
            "gate.controls names \"Enable MFAA\", which is no control's id or exact name; did you mean \"Enable MFA\" (c-mfa)?"
        );
        let prefix = GatePolicy {
            controls: vec![("Enable".to_string(), 80.0)],
            ..GatePolicy::default()
        };
        assert!(checked(&prefix, false).is_err(), "a prefix is not an exact name");
    }

    #[test]
    fn two_keys_for_one_control_are_an_error_naming_both() {
        // "Enable MFA" is c-mfa's name: two minimums of one control.
        let policy = GatePolicy {
            controls: vec![("Enable MFA".to_string(), 10.0), ("c-mfa".to_string(), 90.0)],
            ..GatePolicy::default()
        };
        assert_eq!(
            checked(&policy, false).unwrap_err(),
            "gate.controls names \"Enable MFA\" (c-mfa) twice, as \"Enable MFA\" and \"c-mfa\": keep one of them"
        );
    }

    #[test]
    fn the_outcome_lists_every_failure() {
        let ok = fail_under(10.0, Some(50.0), &[]);
        let bad = fail_under(60.0, Some(50.0), &[]);
        assert_eq!(outcome([&ok]), Outcome::Success);
        assert_eq!(
            outcome([&ok, &bad, &bad]),
            Outcome::GateFailed(vec![bad.message.clone(), bad.message.clone()])
        );
    }
}
