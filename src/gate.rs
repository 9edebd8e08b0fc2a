//! CI gates (SPEC §4): pure functions that turn a score into a verdict with its reasons.
//! The report carries the verdict, and the command's [`Outcome`] derives from it.

use crate::outcome::Outcome;
use crate::text::{fmt2, round2};

/// A gate rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// `--fail-under`: the least overall percentage.
    FailUnder,
    /// `diff --max-drop`: the most points the score may fall.
    MaxDrop,
}

impl Rule {
    /// The rule as its option is named.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::FailUnder => "fail-under",
            Rule::MaxDrop => "max-drop",
        }
    }
}

crate::text::named!(Rule);

/// One gate rule's verdict, with what it compared.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub rule: Rule,
    /// The rule's limit.
    pub limit: f64,
    /// The figure held against the limit, when it is defined.
    pub actual: Option<f64>,
    /// Why the rule failed; `None` when it passed.
    pub failure: Option<String>,
}

impl Verdict {
    /// True when the rule passed.
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }

    /// The verdict in one sentence: why the rule failed (the text of the gate line on
    /// standard error), or what it held against its limit when it passed.
    pub fn reason(&self) -> String {
        if let Some(why) = &self.failure {
            return why.clone();
        }
        let limit = self.limit;
        match (self.rule, self.actual) {
            (Rule::FailUnder, Some(p)) => {
                format!("secure score {}% is not below --fail-under {limit}", fmt2(p))
            }
            (Rule::MaxDrop, Some(drop)) if round2(drop) > 0.0 => format!(
                "secure score fell by {} points, no more than --max-drop {limit}",
                fmt2(drop)
            ),
            (Rule::MaxDrop, Some(_)) => format!("secure score did not fall (--max-drop {limit})"),
            // A passed rule always has its figure; say what was asked all the same.
            (rule, None) => format!("--{rule} {limit} passed"),
        }
    }
}

/// How a command ends given the verdicts of its gates: success when every one passed,
/// else a failure listing each reason.
pub fn outcome<'a>(verdicts: impl IntoIterator<Item = &'a Verdict>) -> Outcome {
    let failures: Vec<String> = verdicts.into_iter().filter_map(|v| v.failure.clone()).collect();
    if failures.is_empty() {
        Outcome::Success
    } else {
        Outcome::GateFailed(failures)
    }
}

/// `--fail-under PCT`: the score, rounded to 2 decimals, must reach `threshold`, and the
/// export must be complete (`incomplete` lists why it is not).
pub fn fail_under(threshold: f64, percentage: Option<f64>, incomplete: &[String]) -> Verdict {
    let above = percentage.is_some_and(|p| round2(p) >= threshold);
    let verdict = |failure| Verdict {
        rule: Rule::FailUnder,
        limit: threshold,
        actual: percentage,
        failure,
    };
    if above && incomplete.is_empty() {
        return verdict(None);
    }
    verdict(Some(match percentage {
        Some(p) if !above => format!("secure score {}% is below --fail-under {threshold}", fmt2(p)),
        Some(_) => format!(
            "the export is incomplete ({}), so --fail-under {threshold} cannot pass",
            incomplete.join("; ")
        ),
        None => format!(
            "secure score is undefined (no control with points applies), so it cannot reach --fail-under {threshold}"
        ),
    }))
}

/// `diff --max-drop PCT`: the score may fall by at most `limit` points (rounded to 2
/// decimals), both scores must be defined, and neither export incomplete.
pub fn max_drop(limit: f64, before: Option<f64>, after: Option<f64>, incomplete: bool) -> Verdict {
    let failure = match (before, after) {
        _ if incomplete => Some(format!(
            "an export is incomplete, so --max-drop {limit} cannot pass"
        )),
        (Some(b), Some(a)) if round2(b - a) > limit => Some(format!(
            "secure score fell by {} points, more than --max-drop {limit}",
            fmt2(b - a)
        )),
        (Some(_), Some(_)) => None,
        _ => Some(format!(
            "a secure score is undefined (no control with points applies), so --max-drop {limit} cannot pass"
        )),
    };
    Verdict {
        rule: Rule::MaxDrop,
        limit,
        actual: before.zip(after).map(|(b, a)| b - a),
        failure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_under_compares_the_displayed_score() {
        assert!(fail_under(98.4, Some(98.396), &[]).passed());
        assert!(!fail_under(98.4, Some(98.394), &[]).passed());
        assert!(!fail_under(10.0, None, &[]).passed());
        let incomplete = fail_under(10.0, Some(50.0), &["page 2 missing".to_string()]);
        assert!(incomplete.failure.unwrap().contains("page 2 missing"));
    }

    #[test]
    fn the_reason_is_the_failure_or_what_passed() {
        // 98.396 shows as 98.40, which reaches 98.4; 98.394 shows as 98.39, which does not.
        assert_eq!(
            fail_under(98.4, Some(98.396), &[]).reason(),
            "secure score 98.40% is not below --fail-under 98.4"
        );
        assert_eq!(
            fail_under(98.4, Some(98.394), &[]).reason(),
            "secure score 98.39% is below --fail-under 98.4"
        );
        // 60 − 59.5 = 0.5 points fallen, within 1; 60 − 61 is a rise.
        assert_eq!(
            max_drop(1.0, Some(60.0), Some(59.5), false).reason(),
            "secure score fell by 0.50 points, no more than --max-drop 1"
        );
        assert_eq!(
            max_drop(1.0, Some(60.0), Some(61.0), false).reason(),
            "secure score did not fall (--max-drop 1)"
        );
    }

    #[test]
    fn max_drop_allows_the_limit_and_not_more() {
        assert!(max_drop(1.0, Some(60.0), Some(59.0), false).passed());
        assert!(!max_drop(1.0, Some(60.0), Some(58.99), false).passed());
        assert!(!max_drop(1.0, Some(60.0), None, false).passed());
        assert!(!max_drop(1.0, Some(60.0), Some(61.0), true).passed());
    }

    #[test]
    fn the_outcome_lists_every_failure() {
        let ok = fail_under(10.0, Some(50.0), &[]);
        let bad = Verdict {
            failure: Some("why".to_string()),
            ..ok.clone()
        };
        assert_eq!(outcome([&ok]), Outcome::Success);
        assert_eq!(outcome([&ok, &bad]), Outcome::GateFailed(vec!["why".to_string()]));
    }
}
