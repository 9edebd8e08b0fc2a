//! `[defaults]`: the scoring options of SPEC §4 in their long forms, and [`merge`], the
//! one rule that combines them with the command line (the command line wins).

use crate::date::Date;
use crate::evaluation::ScoringRequest;
use crate::outcome::UsageError;
use crate::score::{ScoringModel, Weighting};
use crate::select::Filters;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

/// The scoring options, each `None` where it is not set: what `[defaults]` says, and
/// equally what the command line gave (so that [`merge`] can tell a flag given from one
/// left out).
#[derive(Clone, Debug, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(
    description = "The scoring options of the command line, in their long forms. An option given \
                   on the command line wins."
)]
// A model that weighs no scopes with a weighting beside it is refused ([`merge`]): the
// schema says so too.
#[schemars(extend(
    "if" = {"required": ["model"], "properties": {"model": {"enum": ["v1", "pass-rate"]}}},
    "then" = {"not": {"required": ["weighting"]}}
))]
pub struct ScoringDefaults {
    /// `--model`: `classic`, `v1` or `pass-rate` (SPEC §7; `all` is for the command line
    /// of `assess` alone).
    pub model: Option<ScoringModel>,
    /// `--as-of`.
    #[serde(default, deserialize_with = "as_of")]
    #[schemars(schema_with = "crate::json_schema::date_trimmed")]
    pub as_of: Option<Date>,
    /// `--scope`, every value.
    pub scope: Option<Vec<String>>,
    /// `--management-group`, every value.
    pub management_group: Option<Vec<String>>,
    /// `--weighting`.
    pub weighting: Option<Weighting>,
    /// `--include-preview`.
    pub include_preview: Option<bool>,
    /// `--ignore-exemptions`.
    pub ignore_exemptions: Option<bool>,
}

/// What to score: each option as the command line gives it, else as the configuration's
/// `[defaults]` gives it, else the built-in default (Defender's own computation). A list
/// option (`--scope`) given on the command line replaces the configuration's list.
///
/// `--weighting` means nothing under a model that weighs no scopes (`v1`, `pass-rate`): given
/// with one on the command line, or both set in `[defaults]`, it is a usage error; a
/// weighting of `[defaults]` under a model the command line chooses is left unused.
pub fn merge(command_line: &ScoringDefaults, config: &ScoringDefaults) -> Result<ScoringRequest, UsageError> {
    let (cli, file) = (command_line, config);
    let builtin = ScoringRequest::default();
    let model = cli.model.or(file.model).unwrap_or(builtin.model);
    let weighting = if model.weighs_scopes() {
        cli.weighting.or(file.weighting).unwrap_or(builtin.weighting)
    } else {
        refuse_weighting(model, cli, file)?;
        builtin.weighting
    };
    Ok(ScoringRequest {
        model,
        as_of: cli.as_of.or(file.as_of),
        include_preview: cli
            .include_preview
            .or(file.include_preview)
            .unwrap_or(builtin.include_preview),
        ignore_exemptions: cli
            .ignore_exemptions
            .or(file.ignore_exemptions)
            .unwrap_or(builtin.ignore_exemptions),
        weighting,
        filters: Filters {
            scopes: cli
                .scope
                .clone()
                .or_else(|| file.scope.clone())
                .unwrap_or_default(),
            management_groups: cli
                .management_group
                .clone()
                .or_else(|| file.management_group.clone())
                .unwrap_or_default(),
        },
    })
}

/// The usage error of a weighting asked for under `model`, which weighs no scopes.
fn refuse_weighting(
    model: ScoringModel,
    cli: &ScoringDefaults,
    file: &ScoringDefaults,
) -> Result<(), UsageError> {
    let why = format!(
        "{model} scores one pool of every selected resource and weighs no scopes (SPEC §7); \
         weighting applies to --model classic only"
    );
    if let Some(w) = cli.weighting {
        return Err(UsageError(format!(
            "--weighting {w} does not apply to --model {model}: {why}"
        )));
    }
    match (file.weighting, cli.model.is_none()) {
        (Some(w), true) => Err(UsageError(format!(
            "[defaults] sets model = \"{model}\" and weighting = \"{w}\", which does not apply to it: {why}"
        ))),
        _ => Ok(()),
    }
}

impl<'de> Deserialize<'de> for ScoringModel {
    /// A scoring model by the name SPEC §7 gives it.
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<ScoringModel, D::Error> {
        let name = String::deserialize(de)?;
        let all = ScoringModel::ALL;
        all.into_iter().find(|m| m.as_str() == name).ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|m| m.as_str()).collect();
            let all_note = if name == "all" {
                " (all, the side-by-side view, is for the command line of assess)"
            } else {
                ""
            };
            serde::de::Error::custom(format!(
                "unknown model {name:?}, expected one of {}{all_note}",
                names.join(", ")
            ))
        })
    }
}

fn as_of<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Date>, D::Error> {
    super::date_value(de, false).map(Some)
}

impl<'de> Deserialize<'de> for Weighting {
    /// A weighting by the name the command line and the reports use.
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Weighting, D::Error> {
        let all = [Weighting::Resources, Weighting::Equal, Weighting::Pooled];
        let name = String::deserialize(de)?;
        all.into_iter().find(|w| w.as_str() == name).ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|w| w.as_str()).collect();
            serde::de::Error::custom(format!(
                "unknown weighting {name:?}, expected one of {}",
                names.join(", ")
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Option<Date> {
        Date::parse(text).ok()
    }

    #[test]
    fn with_nothing_set_the_request_is_defenders_own() {
        assert_eq!(
            merge(&ScoringDefaults::default(), &ScoringDefaults::default()).unwrap(),
            ScoringRequest::default()
        );
    }

    #[test]
    fn the_configuration_fills_what_the_command_line_leaves_out() {
        let config = ScoringDefaults {
            model: Some(ScoringModel::Classic),
            as_of: date("2026-01-01"),
            scope: Some(vec!["prod".to_string()]),
            management_group: Some(vec!["corp".to_string()]),
            weighting: Some(Weighting::Equal),
            include_preview: Some(true),
            ignore_exemptions: Some(true),
        };
        let request = merge(&ScoringDefaults::default(), &config).unwrap();
        assert_eq!(request.as_of, date("2026-01-01"));
        assert_eq!(request.weighting, Weighting::Equal);
        assert!(request.include_preview && request.ignore_exemptions);
        assert_eq!(request.filters.scopes, ["prod"]);
        assert_eq!(request.filters.management_groups, ["corp"]);
    }

    #[test]
    fn the_command_line_wins_option_by_option() {
        let config = ScoringDefaults {
            model: None,
            as_of: date("2026-01-01"),
            scope: Some(vec!["prod".to_string(), "dev".to_string()]),
            management_group: Some(vec!["corp".to_string()]),
            weighting: Some(Weighting::Equal),
            include_preview: Some(true),
            ignore_exemptions: None,
        };
        let cli = ScoringDefaults {
            as_of: date("2026-11-22"),
            scope: Some(vec!["test".to_string()]),
            weighting: Some(Weighting::Pooled),
            include_preview: Some(false),
            ..ScoringDefaults::default()
        };
        let request = merge(&cli, &config).unwrap();
        assert_eq!(request.as_of, date("2026-11-22"));
        assert_eq!(request.weighting, Weighting::Pooled);
        assert!(!request.include_preview);
        // Neither sets it: the built-in default.
        assert!(!request.ignore_exemptions);
        // A list given replaces the configuration's whole list; one not given keeps it.
        assert_eq!(request.filters.scopes, ["test"]);
        assert_eq!(request.filters.management_groups, ["corp"]);
    }
}
