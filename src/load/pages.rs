//! Truncated Azure listings (SPEC §3): every ARM list page and Resource Graph result read
//! is noted, and once every input is read, the listings that miss pages are named.

use super::azure::Kind;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// One page of an Azure listing.
pub struct Page {
    pub file: String,
    /// The kind of its first recognised item (`None` when it has none).
    pub kind: Option<Kind>,
    /// It holds items of more than one type (a Resource Graph `securityresources` result
    /// without a `type` filter), the types not read included.
    pub mixed: bool,
    /// It holds items, all of types that are not read: it belongs to a listing nothing is
    /// read from, whose completeness does not matter.
    pub ignored_only: bool,
    pub form: PageForm,
}

/// What a page says about the listing it belongs to.
pub enum PageForm {
    /// `{"value": [...], "nextLink": …}`.
    Arm {
        /// `Some` when the page has a `nextLink`: the subscription it lists (`""` for a
        /// management group or the tenant), `None` inside when the link is not an ARM URL.
        next_link: Option<Option<String>>,
        /// The subscriptions its items lie in.
        subscriptions: BTreeSet<String>,
    },
    /// `{"count", "data", "skip_token", "total_records"}` (or the REST API's spelling).
    Graph {
        total: Option<u64>,
        skip_token: bool,
        truncated: bool,
        /// Hashes of its rows' ids (rows without an id count as distinct).
        rows: Vec<u64>,
    },
}

/// Why the pages read make an incomplete export, one reason per listing; `subscription`
/// shows a subscription (given by its folded id) as messages name it.
pub fn incomplete_exports(
    pages: &[Page],
    subscription: &dyn Fn(&str) -> String,
) -> Vec<(String, Vec<String>)> {
    let mut out = arm_listings(pages, subscription);
    out.extend(graph_results(pages));
    out
}

/// ARM listings: a page with a `nextLink` needs a last page (one without) of the same
/// kind and subscription among the inputs. An empty last page ends nothing: `{"value": []}`
/// is also what a subscription with nothing to list exports, and must not hide another
/// subscription's missing pages.
fn arm_listings(pages: &[Page], subscription: &dyn Fn(&str) -> String) -> Vec<(String, Vec<String>)> {
    let finals: Vec<(Kind, &BTreeSet<String>)> = pages
        .iter()
        .filter_map(|p| match (&p.form, p.kind) {
            (
                PageForm::Arm {
                    next_link: None,
                    subscriptions,
                },
                Some(kind),
            ) => Some((kind, subscriptions)),
            _ => None,
        })
        .collect();
    let mut unended: BTreeMap<(Option<Kind>, Option<String>), BTreeSet<&str>> = BTreeMap::new();
    for p in pages.iter().filter(|p| !p.ignored_only) {
        let PageForm::Arm {
            next_link: Some(listing),
            ..
        } = &p.form
        else {
            continue;
        };
        let ended = finals.iter().any(|(kind, subs)| {
            // An empty page with a nextLink (ARM may send one) belongs to any kind.
            let same_kind = p.kind.is_none_or(|k| k == *kind);
            let same_listing = match listing.as_deref() {
                None | Some("") => true,
                Some(sub) => subs.iter().all(|s| s == sub),
            };
            same_kind && same_listing
        });
        if !ended {
            unended
                .entry((p.kind, listing.clone()))
                .or_default()
                .insert(p.file.as_str());
        }
    }
    unended
        .into_iter()
        .map(|((kind, listing), files)| {
            let of = match listing.as_deref() {
                Some(sub) if !sub.is_empty() => format!(" of subscription {}", subscription(sub)),
                _ => String::new(),
            };
            (
                format!(
                    "every ARM page of {}{of} carries a nextLink, so later pages are missing",
                    kind.map_or("items", Kind::describe)
                ),
                files.into_iter().map(str::to_string).collect(),
            )
        })
        .collect()
}

/// A Resource Graph result's identity: the kind of its rows and its `total_records`.
type GroupKey = (Option<Kind>, Option<u64>);

/// Resource Graph results, by kind and total: complete when the pages hold that many
/// distinct rows and the last one has no `skip_token`. An empty page joins the results
/// of its total. A page of several types makes its total one result of every kind (a
/// query without a `type` filter); a result of types that are not read is not checked.
fn graph_results(pages: &[Page]) -> Vec<(String, Vec<String>)> {
    let mixed_totals: BTreeSet<Option<u64>> = pages
        .iter()
        .filter(|p| p.mixed)
        .filter_map(|p| match p.form {
            PageForm::Graph { total, .. } => Some(total),
            PageForm::Arm { .. } => None,
        })
        .collect();
    let mut groups: BTreeMap<GroupKey, Vec<&Page>> = BTreeMap::new();
    for p in pages {
        if let PageForm::Graph { total, .. } = p.form {
            let kind = if mixed_totals.contains(&total) {
                None
            } else {
                p.kind
            };
            groups.entry((kind, total)).or_default().push(p);
        }
    }
    // Empty pages (no kind) join the results of their total, when there are any.
    let totals_with_kind: BTreeSet<Option<u64>> = groups
        .keys()
        .filter(|(kind, _)| kind.is_some())
        .map(|(_, total)| *total)
        .collect();
    for total in totals_with_kind {
        if let Some(empty) = groups.remove(&(None, total)) {
            for ((kind, t), group) in groups.iter_mut() {
                if kind.is_some() && *t == total {
                    group.extend(empty.iter().copied());
                }
            }
        }
    }
    let mut out = Vec::new();
    for ((kind, total), group) in groups {
        if group.iter().all(|p| p.ignored_only) {
            continue;
        }
        let mut distinct: HashSet<u64> = HashSet::new();
        let (mut all_skip, mut truncated) = (true, false);
        for p in &group {
            if let PageForm::Graph {
                skip_token,
                truncated: t,
                rows,
                ..
            } = &p.form
            {
                distinct.extend(rows.iter().copied());
                all_skip &= *skip_token;
                truncated |= *t;
            }
        }
        let rows = distinct.len() as u64;
        let short = total.is_some_and(|t| rows < t);
        if short || all_skip || truncated {
            let what = kind.map_or("records", Kind::describe);
            let detail = match total {
                Some(t) if short => format!("Resource Graph returned {rows} of {t} {what}"),
                _ if truncated => format!("Resource Graph marked the result of {what} truncated"),
                _ => format!("every Resource Graph page of {what} carries a skip_token"),
            };
            let files: BTreeSet<String> = group.iter().map(|p| p.file.clone()).collect();
            out.push((detail, files.into_iter().collect()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(
        kind: Option<Kind>,
        mixed: bool,
        ignored_only: bool,
        rows: std::ops::Range<u64>,
        skip: bool,
    ) -> Page {
        Page {
            file: format!("page-{}.json", rows.start),
            kind,
            mixed,
            ignored_only,
            form: PageForm::Graph {
                total: Some(18),
                skip_token: skip,
                truncated: false,
                rows: rows.collect(),
            },
        }
    }

    #[test]
    fn pages_of_a_result_that_mixes_types_are_counted_together() {
        // Page 1 starts with assessments, page 2 with secure scores; both mix types.
        let pages = [
            graph(Some(Kind::Assessment), true, false, 0..9, true),
            graph(Some(Kind::SecureScore), true, false, 9..18, false),
        ];
        assert!(incomplete_exports(&pages, &str::to_string).is_empty());
        // A page of one kind beside a mixed one of the same total joins it too.
        let pages = [
            graph(Some(Kind::Assessment), false, false, 0..9, true),
            graph(Some(Kind::Assessment), true, false, 9..18, false),
        ];
        assert!(incomplete_exports(&pages, &str::to_string).is_empty());
        // Half of the rows: incomplete, as records of any type.
        let pages = [graph(Some(Kind::Assessment), true, false, 0..9, true)];
        let found = incomplete_exports(&pages, &str::to_string);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "Resource Graph returned 9 of 18 records");
    }

    #[test]
    fn listings_of_types_not_read_are_not_checked() {
        let pages = [graph(None, false, true, 0..4, true)];
        assert!(incomplete_exports(&pages, &str::to_string).is_empty());
        let arm = Page {
            file: "pricings.json".to_string(),
            kind: None,
            mixed: false,
            ignored_only: true,
            form: PageForm::Arm {
                next_link: Some(Some("s1".to_string())),
                subscriptions: BTreeSet::new(),
            },
        };
        assert!(incomplete_exports(&[arm], &str::to_string).is_empty());
        // A page of skipped rows still counts towards its result's total.
        let pages = [
            graph(Some(Kind::Assessment), false, false, 0..9, true),
            graph(None, false, true, 9..18, false),
        ];
        assert!(incomplete_exports(&pages, &str::to_string).is_empty());
    }
}
