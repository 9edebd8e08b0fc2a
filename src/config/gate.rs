//! `[gate]`: the policy gate's rules as the file writes them (SPEC §9), each value checked
//! for its range. What the rules mean, and their verdicts, are `gate`'s.

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;

/// `[gate]`: every rule set is checked; the command line's `--fail-under` and
/// `--max-drop` replace the file's.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[schemars(
    description = "The policy gate: every rule set is checked, and each that fails is one line on \
                   standard error (exit 1). --fail-under and --max-drop on the command line replace \
                   the file's."
)]
pub struct GateConfig {
    /// `fail-under`: the least overall percentage (display rounding), 0 to 100.
    #[serde(default, deserialize_with = "optional_percentage")]
    #[schemars(schema_with = "percentage_schema")]
    pub fail_under: Option<f64>,
    /// `max-drop`: the most points the score may fall, 0 to 100.
    #[serde(default, deserialize_with = "optional_percentage")]
    #[schemars(schema_with = "percentage_schema")]
    pub max_drop: Option<f64>,
    /// `[gate.controls]`: per control (its id or exact name, as written), its own least
    /// percentage; sorted by that key.
    #[serde(default)]
    pub controls: BTreeMap<String, ControlGate>,
    /// `[gate.unhealthy]`: the most unhealthy (resource, recommendation) pairs allowed,
    /// by severity, after exemptions.
    #[serde(default)]
    pub unhealthy: UnhealthyLimits,
}

/// One entry of `[gate.controls]`: `"Enable MFA" = { min-percentage = 80 }`.
#[derive(Clone, Debug, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ControlGate {
    /// The control's least percentage (100 × current / max), 0 to 100.
    #[serde(deserialize_with = "percentage")]
    #[schemars(schema_with = "percentage_schema")]
    pub min_percentage: f64,
}

/// `[gate.unhealthy]`: a limit per severity, `None` where none is set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    description = "The most unhealthy (resource, recommendation) pairs allowed, by severity, after \
                   exemptions."
)]
pub struct UnhealthyLimits {
    pub critical: Option<u64>,
    pub high: Option<u64>,
    pub medium: Option<u64>,
    pub low: Option<u64>,
}

impl GateConfig {
    /// The rules this section asks for, as the gate checks them: controls in the key
    /// order, severities from critical to low.
    pub fn policy(&self) -> crate::gate::GatePolicy {
        let u = &self.unhealthy;
        let limits = [u.critical, u.high, u.medium, u.low];
        crate::gate::GatePolicy {
            fail_under: self.fail_under,
            max_drop: self.max_drop,
            controls: self
                .controls
                .iter()
                .map(|(k, c)| (k.clone(), c.min_percentage))
                .collect(),
            unhealthy: crate::gate::SEVERITIES
                .into_iter()
                .zip(limits)
                .filter_map(|(s, limit)| limit.map(|n| (s, n)))
                .collect(),
        }
    }
}

/// A number from 0 to 100, as the command line's percentages (an integer is read as a
/// number too).
fn percentage<'de, D: Deserializer<'de>>(de: D) -> Result<f64, D::Error> {
    let value = f64::deserialize(de)?;
    if value.is_finite() && (0.0..=100.0).contains(&value) {
        Ok(value)
    } else {
        Err(serde::de::Error::custom(format!(
            "{value} is not a percentage from 0 to 100"
        )))
    }
}

/// What [`percentage`] accepts.
fn percentage_schema(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({"type": "number", "minimum": 0, "maximum": 100})
}

fn optional_percentage<'de, D: Deserializer<'de>>(de: D) -> Result<Option<f64>, D::Error> {
    percentage(de).map(Some)
}
