//! What to score beyond the model: the scoring model, the evaluation date, preview and
//! exemption switches, and how scopes are weighted (SPEC §1, §1.1, §7).

use crate::date::Date;

/// How scopes are weighted in the overall score (SPEC §1.1). Serialised by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weighting {
    /// By the number of resources with a counted healthy or unhealthy assessment.
    Resources,
    /// Every scope counts the same.
    Equal,
    /// All resources form one scope.
    Pooled,
}

impl Weighting {
    /// The name used on the command line and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Weighting::Resources => "resources",
            Weighting::Equal => "equal",
            Weighting::Pooled => "pooled",
        }
    }
}

crate::text::named!(Weighting);
crate::json_schema::named_schema!(Weighting {
    Resources,
    Equal,
    Pooled
});

/// Where the scope weights of a score came from (SPEC §1.1). Serialised by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeightSource {
    /// Computed from the inventory, as `--weighting` says.
    Computed,
    /// Azure's exported secure score weights.
    Exported,
}

impl WeightSource {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            WeightSource::Computed => "computed",
            WeightSource::Exported => "exported",
        }
    }
}

crate::text::named!(WeightSource);
crate::json_schema::named_schema!(WeightSource { Computed, Exported });

/// A scoring model (SPEC §7): the arithmetic that turns the counted assessments of a
/// selection into a [`Score`](super::Score). [`ScoringModel::arithmetic`] is the one place
/// that branches on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ScoringModel {
    /// Defender for Cloud's classic secure score: controls, weighted over scopes (§1).
    #[default]
    Classic,
    /// Defender's original per-recommendation secure score: points per recommendation,
    /// pooled over the selection, summed.
    V1,
    /// Security Hub's pass rate: passing recommendations over passing and failing ones.
    PassRate,
}

impl ScoringModel {
    /// Every model, in the order side-by-side views list them.
    pub const ALL: [ScoringModel; 3] = [ScoringModel::Classic, ScoringModel::V1, ScoringModel::PassRate];

    /// The model's name, as SPEC §7 spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            ScoringModel::Classic => "classic",
            ScoringModel::V1 => "v1",
            ScoringModel::PassRate => "pass-rate",
        }
    }

    /// Whether its ranked rows are recommendations (`v1`, `pass-rate`) rather than
    /// controls (`classic`).
    pub fn ranks_recommendations(self) -> bool {
        match self {
            ScoringModel::Classic => false,
            ScoringModel::V1 | ScoringModel::PassRate => true,
        }
    }

    /// Whether `--weighting` means anything under it: only classic weighs scopes.
    pub fn weighs_scopes(self) -> bool {
        !self.ranks_recommendations()
    }
}

crate::text::named!(ScoringModel);
crate::json_schema::named_schema!(ScoringModel {
    Classic,
    V1,
    PassRate
});

/// What to score, beyond the model.
#[derive(Clone, Debug)]
pub struct ScoreOptions {
    /// The arithmetic.
    pub model: ScoringModel,
    /// Exemptions are judged active or expired on this date.
    pub as_of: Date,
    pub include_preview: bool,
    pub ignore_exemptions: bool,
    pub weighting: Weighting,
    /// Exported secure score weights may replace computed ones (SPEC §1.1): false under
    /// a filter below subscription level.
    pub allow_exported_weights: bool,
}
