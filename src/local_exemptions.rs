//! Local exemptions (SPEC §9): the configuration's `[[exemptions]]` applied to a loaded
//! model like the data's own exemptions (§1 step 2), on top of them, over native and Azure
//! inputs alike (how a team waives a finding in an Azure export it cannot edit).
//!
//! An entry active on the evaluation date gives every assessment it covers its own
//! exemption, in place of the data's (a local exemption wins where both apply); when
//! several entries cover one assessment, the first in the file decides. An expired entry
//! changes nothing (as an expired exemption of the data) and is an `exemption-expired`
//! warning; an active entry that covers no assessment is an `exemption-unused` warning.
//! Both name the entry and its line.

use crate::config::LocalExemption;
use crate::date::Date;
use crate::diag::{Diagnostic, Origin};
use crate::model::{Exemption, Model};

/// What each entry (in the file's order) did to a model.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Uses {
    /// Per entry: the assessments it covers (0 for an expired entry, which is not
    /// applied).
    pub covered: Vec<u64>,
    /// Per entry: the assessments whose exemption it is (those it covers that no
    /// earlier entry does).
    pub decided: Vec<u64>,
}

impl Uses {
    /// The uses of two models added up (`diff`'s two sides), entry by entry.
    pub fn add(&mut self, other: &Uses) {
        for (mine, theirs) in [
            (&mut self.covered, &other.covered),
            (&mut self.decided, &other.decided),
        ] {
            mine.resize(mine.len().max(theirs.len()), 0);
            for (m, t) in mine.iter_mut().zip(theirs) {
                *m += t;
            }
        }
    }
}

/// True when `entry` applies on `as_of` (its expiry is inclusive).
pub fn is_active(entry: &LocalExemption, as_of: Date) -> bool {
    as_of <= entry.expires
}

/// The index of the recommendation an entry names by `id`: the one of that id, else, for
/// a GUID (Azure's recommendation ids, which compare in any case, README "Using it with
/// Azure"), the one whose id is that GUID in another case (the byte-wise smallest id if
/// several are).
fn recommendation_named(model: &Model, id: &str) -> Option<usize> {
    let recommendations = &model.recommendations;
    if let Some(exact) = recommendations.iter().position(|r| r.id == id) {
        return Some(exact);
    }
    if !crate::ids::is_guid(id) {
        return None;
    }
    (0..recommendations.len())
        .filter(|&r| recommendations[r].id.eq_ignore_ascii_case(id))
        .min_by(|&a, &b| recommendations[a].id.cmp(&recommendations[b].id))
}

/// Applies the entries active on `as_of` to `model`. Looks at each resource once per
/// entry, and only at the assessments of the resources some entry covers. Fails only when
/// the model cannot name one more exemption.
pub fn apply(model: &mut Model, entries: &[LocalExemption], as_of: Date) -> anyhow::Result<Uses> {
    let mut uses = Uses {
        covered: vec![0; entries.len()],
        decided: vec![0; entries.len()],
    };
    // Per active entry: its index and the recommendation it covers (`None`: every one);
    // an entry whose recommendation the model does not hold covers nothing.
    let active: Vec<(usize, Option<u32>)> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| is_active(e, as_of))
        .filter_map(|(i, e)| match &e.recommendation {
            None => Some((i, None)),
            Some(id) => recommendation_named(model, id).map(|r| (i, Some(r as u32))),
        })
        .collect();
    if active.is_empty() {
        return Ok(uses);
    }
    // The exemption number of each entry, made when first needed: one for assessments
    // whose raw status is known, one for those whose exemption in the data hid it.
    let mut numbers: Vec<[Option<u32>; 2]> = vec![[None, None]; entries.len()];
    let mut covering: Vec<(usize, Option<u32>)> = Vec::new();
    for r in 0..model.resources.len() {
        covering.clear();
        let id = model.resources.id(r);
        covering.extend(active.iter().filter(|(i, _)| entries[*i].resource.matches(id)));
        if covering.is_empty() {
            continue;
        }
        for at in model.assessment_range(r) {
            let a = model.assessments[at];
            let mut first = None;
            for &(i, rec) in &covering {
                if rec.is_none_or(|rec| rec == a.recommendation) {
                    uses.covered[i] += 1;
                    first = first.or(Some(i));
                }
            }
            let Some(i) = first else { continue };
            uses.decided[i] += 1;
            let hides_status = model.exemption(&a).is_some_and(|e| e.hides_status);
            let slot = &mut numbers[i][usize::from(hides_status)];
            let number = match *slot {
                Some(n) => n,
                None => {
                    let e = &entries[i];
                    let n = model
                        .add_exemption(Exemption {
                            category: e.category,
                            expires: Some(e.expires),
                            reason: Some(e.reason.clone()),
                            hides_status,
                        })
                        .ok_or_else(|| {
                            anyhow::anyhow!("the inputs name too many exemptions to add the local ones")
                        })?;
                    *slot = Some(n);
                    n
                }
            };
            model.exempt(at, number);
        }
    }
    Ok(uses)
}

/// The warnings about the entries of the configuration `file`: each entry expired on
/// `as_of` (`exemption-expired`) and each active one that covers no assessment
/// (`exemption-unused`), in the file's order, located at the entry's line.
pub fn warnings(entries: &[LocalExemption], uses: &Uses, as_of: Date, file: &str) -> Vec<Diagnostic> {
    entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            let d = if !is_active(e, as_of) {
                Diagnostic::warning(
                    "exemption-expired",
                    format!(
                        "{} ended {}, before {as_of} (the date exemptions are judged on), and no longer applies: \
                         its assessments count as the inputs say; renew or remove it",
                        e.label(),
                        e.expires
                    ),
                )
            } else if uses.covered.get(i).copied().unwrap_or(0) == 0 {
                Diagnostic::warning(
                    "exemption-unused",
                    format!(
                        "{} covers no assessment of the inputs (a mistyped id, or a finding that is gone): correct \
                         or remove it",
                        e.label()
                    ),
                )
            } else {
                return None;
            };
            Some(d.at(Origin {
                file: file.to_string(),
                line: Some(e.line),
                column: None,
                path: None,
            }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse;
    use crate::model::{ExemptionCategory, Status};

    /// A model of a native inventory given as text.
    fn model(json: &str) -> Model {
        crate::load::model_of_text(json, &crate::catalog::Catalog::builtin().unwrap())
    }

    const INVENTORY: &str = r#"{
      "controls": [{"id": "c", "max_score": 1, "recommendations": ["r1", "r2"]}],
      "assessments": [
        {"resource": "/subscriptions/s/resourceGroups/legacy/providers/p/vm1", "recommendation": "r1", "status": "unhealthy",
         "exemption": {"category": "mitigated", "expires": "2030-01-01"}},
        {"resource": "/subscriptions/s/resourceGroups/legacy/providers/p/vm1", "recommendation": "r2", "status": "unhealthy"},
        {"resource": "/subscriptions/s/resourceGroups/app/providers/p/vm2", "recommendation": "r1", "status": "unhealthy"}
      ]}"#;

    fn entries(toml: &str) -> Vec<LocalExemption> {
        parse(toml, "c.toml").unwrap().exemptions
    }

    /// The exemption of the assessment of (resource containing `res`, `rec`).
    fn exemption_of<'m>(m: &'m Model, res: &str, rec: &str) -> Option<&'m Exemption> {
        let a = m.assessments.iter().find(|a| {
            m.resources.id(a.resource as usize).contains(res)
                && m.recommendations[a.recommendation as usize].id == rec
        })?;
        m.exemption(a)
    }

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn a_local_exemption_wins_over_the_datas_own_and_the_first_entry_decides() {
        let mut m = model(INVENTORY);
        let list = entries(
            "[[exemptions]]\nrecommendation = \"r1\"\nresource = \"/SUBSCRIPTIONS/s/resourcegroups/legacy/*\"\n\
             category = \"waiver\"\nexpires = 2027-01-01\nreason = \"legacy\"\n\
             [[exemptions]]\nrecommendation = \"*\"\nresource = \"/subscriptions/s/resourceGroups/legacy/providers/p/vm1\"\n\
             category = \"mitigated\"\nexpires = 2027-01-01\nreason = \"fixed by hand\"\n",
        );
        let uses = apply(&mut m, &list, date("2026-11-22")).unwrap();
        // vm1/r1 is covered by both (the first decides), vm1/r2 by the second only.
        assert_eq!(uses.covered, [1, 2]);
        assert_eq!(uses.decided, [1, 1]);
        let e = exemption_of(&m, "vm1", "r1").unwrap();
        assert_eq!(
            (e.category, e.reason.as_deref()),
            (ExemptionCategory::Waiver, Some("legacy"))
        );
        let e = exemption_of(&m, "vm1", "r2").unwrap();
        assert_eq!(e.category, ExemptionCategory::Mitigated);
        assert_eq!(e.apply(Status::Unhealthy, date("2027-01-01")), Status::Healthy);
        assert_eq!(exemption_of(&m, "vm2", "r1"), None);
        assert!(warnings(&list, &uses, date("2026-11-22"), "c.toml").is_empty());
    }

    #[test]
    fn recommendation_guids_match_in_any_case_other_ids_exactly() {
        // One control (max 1) holding a lower-case GUID, an upper-case GUID and r1, each
        // unhealthy on one resource.
        let mut m = model(
            r#"{"controls": [{"id": "c", "max_score": 1, "recommendations":
                 ["57e98606-6b1e-6193-0e3d-fe621387c16b", "ABCDEF01-0000-4000-8000-00000000000A", "r1"]}],
               "assessments": [
                 {"resource": "vm1", "recommendation": "57e98606-6b1e-6193-0e3d-fe621387c16b", "status": "unhealthy"},
                 {"resource": "vm2", "recommendation": "ABCDEF01-0000-4000-8000-00000000000A", "status": "unhealthy"},
                 {"resource": "vm3", "recommendation": "r1", "status": "unhealthy"}]}"#,
        );
        let entry = |rec: &str| {
            format!(
                "[[exemptions]]\nrecommendation = \"{rec}\"\nresource = \"*\"\ncategory = \"waiver\"\n\
                 expires = 2027-01-01\nreason = \"r\"\n"
            )
        };
        let list = entries(&format!(
            "{}{}{}",
            entry("57E98606-6B1E-6193-0E3D-FE621387C16B"),
            entry("abcdef01-0000-4000-8000-00000000000a"),
            entry("R1")
        ));
        let uses = apply(&mut m, &list, date("2026-11-22")).unwrap();
        // The GUIDs cover their assessment whatever the case; "R1" is not r1.
        assert_eq!(uses.covered, [1, 1, 0]);
        assert!(exemption_of(&m, "vm1", "57e98606-6b1e-6193-0e3d-fe621387c16b").is_some());
        assert!(exemption_of(&m, "vm2", "ABCDEF01-0000-4000-8000-00000000000A").is_some());
        assert_eq!(exemption_of(&m, "vm3", "r1"), None);
        let w = warnings(&list, &uses, date("2026-11-22"), "c.toml");
        let codes: Vec<&str> = w.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["exemption-unused"]);
    }

    #[test]
    fn an_expired_entry_changes_nothing_and_an_unmatched_one_is_unused() {
        let mut m = model(INVENTORY);
        let before = m.exemptions.clone();
        let list = entries(
            "[[exemptions]]\nrecommendation = \"r1\"\nresource = \"*\"\ncategory = \"waiver\"\n\
             expires = 2026-11-21\nreason = \"ended\"\n\n\
             [[exemptions]]\nrecommendation = \"r9\"\nresource = \"*\"\ncategory = \"waiver\"\n\
             expires = 2026-11-22\nreason = \"typo\"\n",
        );
        let uses = apply(&mut m, &list, date("2026-11-22")).unwrap();
        assert_eq!(uses.covered, [0, 0]);
        assert_eq!(m.exemptions, before, "nothing was added");
        // The data's own exemption of vm1/r1 still holds.
        assert_eq!(
            exemption_of(&m, "vm1", "r1").unwrap().category,
            ExemptionCategory::Mitigated
        );
        let w = warnings(&list, &uses, date("2026-11-22"), "c.toml");
        let codes: Vec<(&str, Option<usize>)> = w.iter().map(|d| (d.code, d.line)).collect();
        assert_eq!(
            codes,
            [("exemption-expired", Some(1)), ("exemption-unused", Some(8))]
        );
        assert!(w[0].message.contains("ended 2026-11-21"), "{}", w[0].message);
        assert!(
            w[1].to_string()
                .starts_with("c.toml:8: local exemption 2 (\"r9\" on \"*\")"),
            "{}",
            w[1]
        );
    }

    #[test]
    fn uses_add_up_entry_by_entry() {
        let mut a = Uses {
            covered: vec![1, 0],
            decided: vec![1, 0],
        };
        a.add(&Uses {
            covered: vec![0, 2],
            decided: vec![0, 1],
        });
        assert_eq!((a.covered, a.decided), (vec![1, 2], vec![1, 1]));
    }
}
