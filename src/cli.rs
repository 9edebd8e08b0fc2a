//! The command line (clap only): what the user can type, and its conversion into the
//! library's own option types.

use crate::config::{ConfigChoice, ScoringDefaults};
use crate::date::Date;
use crate::groups::GroupBy;
use crate::load::LoadOptions;
use crate::output::ReportFile;
use crate::render::Format;
use crate::score::{ScoringModel, Weighting};
use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The version `--version` shows: the package's, and the commit it was built from when
/// it was built from a git checkout (`0.1.0 (1a2b3c4)`; see `build.rs`).
pub const VERSION: &str = env!("SECURESCORE_VERSION");

/// Offline secure score calculator for Microsoft Defender for Cloud style inventories.
#[derive(Debug, Parser)]
#[command(name = "securescore", version = VERSION, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score inventories and rank the controls to fix first.
    Assess(AssessArgs),
    /// Explain one control (one recommendation under --model v1 or pass-rate): its
    /// arithmetic, recommendations, unhealthy resources and exemptions.
    Explain(ExplainArgs),
    /// Plan remediation: which fixes, in which order, reach a target score.
    Plan(PlanArgs),
    /// Compare two inventories: what changed and why the score moved.
    Diff(DiffArgs),
    /// Show the score over time from a history file (see assess --record).
    Trend(TrendArgs),
    /// Check inputs and list every problem found.
    Validate(ValidateArgs),
    /// Print the built-in control catalog.
    Controls(ControlsArgs),
    /// Print a shell completion script for bash, zsh, fish or PowerShell.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), or write every command's page into a folder.
    Man(ManArgs),
    /// Print the JSON Schema of an inventory, report, history line or configuration
    Schema(SchemaArgs),
    /// Print a query that counts assessments in Resource Graph, Log Analytics, Spark or DuckDB
    ///
    /// The query returns counts rows, which assess scores as it scores the assessments.
    Query(QueryArgs),
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal, unless NO_COLOR is non-empty or TERM is dumb.
    Auto,
    Always,
    Never,
}

/// `--weighting`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum WeightingArg {
    /// Scopes weigh by their resources with a healthy or unhealthy assessment.
    Resources,
    /// Every scope weighs the same.
    Equal,
    /// Every resource in one single scope (Defender's pre-2020 model).
    Pooled,
}

/// `--model`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ModelArg {
    /// Defender for Cloud's secure score: controls, weighted over scopes.
    Classic,
    /// Defender's original per-recommendation score (2018 to early 2020): points per
    /// recommendation, pooled, summed.
    V1,
    /// Security Hub's pass rate: passing recommendations over assessed ones.
    PassRate,
    /// Every model side by side (assess only).
    All,
}

impl ModelArg {
    /// The one model it names; `None` for `all`.
    pub fn model(self) -> Option<ScoringModel> {
        match self {
            ModelArg::Classic => Some(ScoringModel::Classic),
            ModelArg::V1 => Some(ScoringModel::V1),
            ModelArg::PassRate => Some(ScoringModel::PassRate),
            ModelArg::All => None,
        }
    }
}

/// Declares one command's `--format` values: the formats it `offers`, and those it
/// `lacks`, together every [`Format`]. It converts into [`Format`], and back for the
/// formats it offers; both matches are exhaustive, so a new [`Format`] variant stops the
/// build until every command says whether it offers it.
// The variants carry no `///` help on purpose: clap would turn it into a "Possible values"
// list and change `--help`.
macro_rules! format_values {
    ($(#[$doc:meta])* $name:ident offers [$($offered:ident),+] lacks [$($lacking:ident),*]) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
        pub enum $name {
            $($offered),+
        }

        impl From<$name> for Format {
            fn from(f: $name) -> Format {
                match f {
                    $($name::$offered => Format::$offered),+
                }
            }
        }

        impl TryFrom<Format> for $name {
            /// The format, which this command does not offer.
            type Error = Format;

            fn try_from(f: Format) -> Result<$name, Format> {
                match f {
                    $(Format::$offered => Ok($name::$offered),)+
                    $(Format::$lacking => Err(Format::$lacking),)*
                }
            }
        }
    };
}

format_values!(
    /// `assess --format`: the report as a table, JSON, one self-contained HTML page,
    /// markdown, CSV rows, JUnit XML or SARIF.
    AssessFormat offers [Table, Json, Html, Markdown, Csv, Junit, Sarif] lacks []
);
format_values!(
    /// `trend --format`: the runs as a table, JSON, one self-contained HTML page or
    /// markdown.
    TrendFormat offers [Table, Json, Html, Markdown] lacks [Csv, Junit, Sarif]
);
format_values!(
    /// `explain --format`.
    ExplainFormat offers [Table, Json, Markdown] lacks [Html, Csv, Junit, Sarif]
);
format_values!(
    /// `plan --format`.
    PlanFormat offers [Table, Json, Markdown] lacks [Html, Csv, Junit, Sarif]
);
format_values!(
    /// `diff --format`.
    DiffFormat offers [Table, Json, Markdown, Junit] lacks [Html, Csv, Sarif]
);
format_values!(
    /// `validate --format`.
    ValidateFormat offers [Table, Json] lacks [Html, Markdown, Csv, Junit, Sarif]
);
format_values!(
    /// `controls --format`.
    ControlsFormat offers [Table, Json] lacks [Html, Markdown, Csv, Junit, Sarif]
);

/// Output options shared by every command (and the one limit on what it reads).
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Write the output to PATH (atomically) instead of standard output.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// When to use colours.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    /// No report on standard output and no warnings; errors and the gate line stay.
    #[arg(short, long)]
    pub quiet: bool,
    /// Treat every warning as an error: exit 2 and write nothing (validate lists them as
    /// errors).
    #[arg(long)]
    pub strict: bool,
    /// Refuse (exit 2) any input or history larger than SIZE: bytes, or with K, M, G, T
    /// (powers of 1024, also KiB to TiB) or KB, MB, GB, TB (powers of 1000).
    #[arg(long, value_name = "SIZE", default_value = "64GiB", value_parser = parse_size)]
    pub max_input_size: u64,
    /// Also write the output in FORMAT to PATH (atomically), from the same run; repeat
    /// for several.
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report)]
    pub reports: Vec<ReportArg>,
    /// Threads to read a large input with; 0 (the default): one per core. The result is
    /// the same whatever the number.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub threads: usize,
}

impl OutputArgs {
    /// How to load the inputs under these options.
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions {
            max_input_size: self.max_input_size,
            threads: self.threads,
            ..LoadOptions::default()
        }
    }
}

/// One `--report FORMAT=PATH` as typed: the format is checked against the command's own
/// formats by [`OutputArgs::report_files`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportArg {
    pub format: String,
    pub path: PathBuf,
}

fn parse_report(text: &str) -> Result<ReportArg, String> {
    match text.split_once('=') {
        Some((format, path)) if !format.is_empty() && !path.is_empty() && path != "-" => Ok(ReportArg {
            format: format.to_string(),
            path: PathBuf::from(path),
        }),
        Some((_, "-")) => {
            Err("a report is written to a file: -f chooses what goes to standard output".to_string())
        }
        _ => Err(format!(
            "{text:?} is not FORMAT=PATH (for example json=report.json)"
        )),
    }
}

impl OutputArgs {
    /// The `--report` files, each format one of the command's (`F`, its `--format`
    /// values): a format it does not write is a usage error naming it and those it does.
    pub fn report_files<F>(&self) -> Result<Vec<ReportFile>, crate::UsageError>
    where
        F: ValueEnum + Into<Format>,
    {
        self.reports
            .iter()
            .map(|r| match F::from_str(&r.format, false) {
                Ok(f) => Ok(ReportFile {
                    format: f.into(),
                    path: r.path.clone(),
                }),
                Err(_) => {
                    let offered: Vec<String> = F::value_variants()
                        .iter()
                        .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
                        .collect();
                    Err(crate::UsageError(format!(
                        "--report {}={}: this command does not write {:?}; its formats are {}",
                        r.format,
                        r.path.display(),
                        r.format,
                        offered.join(", ")
                    )))
                }
            })
            .collect()
    }
}

fn parse_size(text: &str) -> Result<u64, String> {
    crate::load::source::parse_size(text)
}

/// Options that change what is scored, and the configuration file that gives their
/// defaults (SPEC §9).
#[derive(Debug, Args)]
pub struct ScoringArgs {
    /// Read defaults, gate rules and local exemptions from this TOML file [default:
    /// ./securescore.toml when it exists].
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Read no configuration file, not even ./securescore.toml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Judge exemptions on this date (YYYY-MM-DD, UTC) [default: today].
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// Keep only resources at or under this id (a subscription GUID, resource group or
    /// resource id); repeat for a union.
    #[arg(long = "scope", value_name = "ID")]
    pub scopes: Vec<String>,
    /// Keep only subscriptions under this management group; repeat for a union.
    #[arg(long = "management-group", value_name = "NAME")]
    pub management_groups: Vec<String>,
    /// The scoring model (classic: Defender's secure score; v1: its original
    /// per-recommendation score; pass-rate: Security Hub's) [default: classic].
    #[arg(long, value_enum, value_name = "MODEL")]
    pub model: Option<ModelArg>,
    /// How scopes are weighted in the overall score (classic only) [default: resources].
    #[arg(long, value_enum)]
    pub weighting: Option<WeightingArg>,
    /// Score preview recommendations too.
    #[arg(long)]
    pub include_preview: bool,
    /// Score the raw statuses, ignoring every exemption.
    #[arg(long)]
    pub ignore_exemptions: bool,
}

fn parse_date(text: &str) -> Result<Date, String> {
    Date::parse(text)
}

fn parse_percentage(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && (0.0..=100.0).contains(&v) => Ok(v),
        _ => Err(format!("{text:?} is not a percentage from 0 to 100")),
    }
}

/// A control to find: blank text would match every control by its start.
fn parse_control_query(text: &str) -> Result<String, String> {
    if text.trim().is_empty() {
        Err("a control's id or words of its name are needed, not blank text".to_string())
    } else {
        Ok(text.to_string())
    }
}

/// `securescore assess`.
#[derive(Debug, Args)]
pub struct AssessArgs {
    /// Inventory files (JSON or JSON Lines); `-` or none reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Output format (html: one self-contained page; markdown: for CI summaries and
    /// comments; csv: one row per control; junit: a test per control and gate rule;
    /// sarif: a result per unhealthy resource and recommendation, for code scanning).
    #[arg(short, long, value_enum, default_value_t = AssessFormat::Table)]
    pub format: AssessFormat,
    /// Append this run's snapshot to the history file HISTORY (created if needed).
    #[arg(long, value_name = "HISTORY")]
    pub record: Option<PathBuf>,
    /// A label for the recorded snapshot (with --record).
    #[arg(long, value_name = "TEXT", requires = "record")]
    pub label: Option<String>,
    /// Show the score over time from HISTORY in the HTML report.
    #[arg(long, value_name = "HISTORY")]
    pub history: Option<PathBuf>,
    /// Exit 1 when the score, rounded to 2 decimals, is below PCT.
    #[arg(long, value_name = "PCT", value_parser = parse_percentage)]
    pub fail_under: Option<f64>,
    /// Exit 1 when the score fell by more than PCT points (rounded to 2 decimals) since
    /// --baseline, else since the last run of --history scored the same way.
    #[arg(long, value_name = "PCT", value_parser = parse_percentage)]
    pub max_drop: Option<f64>,
    /// The earlier JSON report (written by assess -f json) that --max-drop compares with.
    #[arg(long, value_name = "REPORT")]
    pub baseline: Option<PathBuf>,
    /// Show only the first N ranked controls in the table (markdown: in its first table).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    /// Also score each group of resources: subscription, resource-group,
    /// management-group, type or tag:NAME.
    #[arg(long, value_name = "KEY", value_parser = GroupBy::parse)]
    pub group_by: Option<GroupBy>,
    #[command(flatten)]
    pub scoring: ScoringArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// What `explain`, `plan` and `diff` share: what is scored, where the output goes.
#[derive(Debug, Args)]
pub struct TriageArgs {
    #[command(flatten)]
    pub scoring: ScoringArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `securescore explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The control (a recommendation under --model v1 or pass-rate): its id, its name
    /// (any case), the start of its name, the words of its name in any order, or a part
    /// of its name.
    #[arg(value_name = "CONTROL", value_parser = parse_control_query)]
    pub control: String,
    /// Inventory files (JSON or JSON Lines); `-` or none reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = ExplainFormat::Table)]
    pub format: ExplainFormat,
    #[command(flatten)]
    pub common: TriageArgs,
}

/// `securescore plan`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("goal").required(true).args(["target", "steps"])))]
pub struct PlanArgs {
    /// Inventory files (JSON or JSON Lines); `-` or none reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Plan until the score, rounded to 2 decimals, reaches PCT.
    #[arg(long, value_name = "PCT", value_parser = parse_percentage)]
    pub target: Option<f64>,
    /// Plan this many steps.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub steps: Option<u32>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = PlanFormat::Table)]
    pub format: PlanFormat,
    #[command(flatten)]
    pub common: TriageArgs,
}

/// `securescore diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier inventory: a file, or a directory of *.json, *.jsonl, *.ndjson files.
    #[arg(value_name = "BEFORE")]
    pub before: PathBuf,
    /// The later inventory: a file, or a directory of them.
    #[arg(value_name = "AFTER")]
    pub after: PathBuf,
    /// Exit 1 when the score fell by more than PCT points (rounded to 2 decimals).
    #[arg(long, value_name = "PCT", value_parser = parse_percentage)]
    pub max_drop: Option<f64>,
    /// Judge BEFORE's exemptions on this date (YYYY-MM-DD) [default: --as-of]; AFTER's
    /// are judged on --as-of, so exemptions that ended in between show as a change.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub before_as_of: Option<Date>,
    /// Output format (markdown: for CI summaries and comments; junit: a test per control
    /// of AFTER and one for --max-drop).
    #[arg(short, long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    #[command(flatten)]
    pub common: TriageArgs,
}

/// `securescore trend`.
#[derive(Debug, Args)]
pub struct TrendArgs {
    /// The history file that `assess --record` appends to.
    #[arg(value_name = "HISTORY")]
    pub history: PathBuf,
    /// Only runs recorded on or after DATE (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub since: Option<Date>,
    /// Only one series (the runs recorded with the same filters, weighting and model):
    /// its number or its key, as trend lists them.
    #[arg(long, value_name = "N|KEY")]
    pub series: Option<String>,
    /// Only the runs scored with MODEL (classic, v1 or pass-rate; runs recorded before
    /// models are classic).
    #[arg(long, value_enum, value_name = "MODEL")]
    pub model: Option<ModelArg>,
    /// Draw the gate's line at PCT (default: the --fail-under recorded with the latest run).
    #[arg(long, value_name = "PCT", value_parser = parse_percentage)]
    pub threshold: Option<f64>,
    /// Output format (html: one self-contained page with the chart).
    #[arg(short, long, value_enum, default_value_t = TrendFormat::Table)]
    pub format: TrendFormat,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `securescore validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Inventory files (JSON or JSON Lines); `-` or none reads standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The scoring model whose warnings apply (v1 and pass-rate score recommendations in
    /// no control, and do not use the catalog's membership) [default: classic].
    #[arg(long, value_enum, value_name = "MODEL")]
    pub model: Option<ModelArg>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = ValidateFormat::Table)]
    pub format: ValidateFormat,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `securescore controls`.
#[derive(Debug, Args)]
pub struct ControlsArgs {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = ControlsFormat::Table)]
    pub format: ControlsFormat,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `query --engine`: where the counting runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EngineArg {
    /// Azure Resource Graph (KQL over securityresources; az graph query).
    ResourceGraph,
    /// A Log Analytics workspace fed by continuous export (KQL over
    /// SecurityRecommendation; az monitor log-analytics query).
    LogAnalytics,
    /// Apache Spark SQL over a table or view of assessments.
    Spark,
    /// DuckDB SQL over a table or view of assessments.
    #[value(name = "duckdb")]
    DuckDb,
}

/// `query --source`: what the SQL engines' table holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SourceArg {
    /// Native assessments: resource, recommendation, status, exemption.
    Native,
    /// Resource Graph rows of securityresources (id, type, subscriptionId, properties).
    ResourceGraph,
}

/// The scoring options `query` honours: those of [`ScoringArgs`] but `--weighting`,
/// which `assess` applies to the counts the query returns.
#[derive(Debug, Args)]
pub struct QueryScoringArgs {
    /// Read defaults from this TOML file [default: ./securescore.toml when it exists].
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Read no configuration file, not even ./securescore.toml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Judge exemptions on this date (YYYY-MM-DD, UTC), written into the query
    /// [default: today].
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub as_of: Option<Date>,
    /// Count only resources at or under this id (a subscription GUID, resource group or
    /// resource id); repeat for a union.
    #[arg(long = "scope", value_name = "ID")]
    pub scopes: Vec<String>,
    /// Count only subscriptions under this management group (the inputs must define
    /// the subscriptions' management groups); repeat for a union.
    #[arg(long = "management-group", value_name = "NAME")]
    pub management_groups: Vec<String>,
    /// The scoring model the counts are for (classic: per control; v1, pass-rate: per
    /// recommendation) [default: classic].
    #[arg(long, value_enum, value_name = "MODEL")]
    pub model: Option<ModelArg>,
    /// Count preview recommendations too.
    #[arg(long)]
    pub include_preview: bool,
    /// Count the raw statuses, ignoring every exemption.
    #[arg(long)]
    pub ignore_exemptions: bool,
}

impl QueryScoringArgs {
    /// The same options as [`ScoringArgs`] (no weighting), so that the configuration's
    /// defaults merge under them as they do for `assess`.
    pub fn scoring_args(&self) -> ScoringArgs {
        ScoringArgs {
            config: self.config.clone(),
            no_config: self.no_config,
            as_of: self.as_of,
            scopes: self.scopes.clone(),
            management_groups: self.management_groups.clone(),
            model: self.model,
            weighting: None,
            include_preview: self.include_preview,
            ignore_exemptions: self.ignore_exemptions,
        }
    }
}

/// `securescore query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// Definition files (controls, recommendations, subscriptions; native or Azure
    /// exports) whose membership and maxima the query embeds; `-` reads standard input;
    /// none: the built-in catalog.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The engine to write the query for.
    #[arg(long, value_enum, value_name = "ENGINE")]
    pub engine: EngineArg,
    /// What the table holds (spark and duckdb only) [default: native].
    #[arg(long, value_enum, value_name = "SOURCE")]
    pub source: Option<SourceArg>,
    /// The table or view to read (spark and duckdb only) [default: assessments].
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,
    /// Count each group of resources too: subscription, resource-group or type.
    #[arg(long, value_name = "KEY", value_parser = GroupBy::parse)]
    pub group_by: Option<GroupBy>,
    #[command(flatten)]
    pub scoring: QueryScoringArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// A shell that `completions` writes a script for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

/// `securescore completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_name = "SHELL", value_enum)]
    pub shell: ShellArg,
}

/// `securescore man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Print this command's page instead of the program's (securescore-COMMAND.1).
    #[arg(value_name = "COMMAND", conflicts_with = "dir")]
    pub command: Option<String>,
    /// Write every page (securescore.1 and securescore-COMMAND.1 for each command) into
    /// DIR, which must exist, instead of printing one.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// A document that `schema` describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SchemaDocument {
    /// One JSON value of a native inventory (a document, or a line of JSON Lines).
    Inventory,
    /// The report of `assess --format json`.
    Report,
    /// One line of a history file (`assess --record`).
    Snapshot,
    /// The configuration file (securescore.toml), as JSON.
    Config,
}

/// `securescore schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The document to describe.
    #[arg(value_name = "DOCUMENT", value_enum)]
    pub document: SchemaDocument,
}

/// The completion script of `securescore` for `shell`.
pub fn completion_script(shell: ShellArg) -> Vec<u8> {
    let shell = match shell {
        ShellArg::Bash => clap_complete::Shell::Bash,
        ShellArg::Zsh => clap_complete::Shell::Zsh,
        ShellArg::Fish => clap_complete::Shell::Fish,
        ShellArg::Powershell => clap_complete::Shell::PowerShell,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "securescore", &mut out);
    out
}

/// One manual page: its file name (`securescore-assess.1`) and its roff.
pub struct ManPage {
    pub file_name: String,
    pub roff: Vec<u8>,
}

/// The manual pages: `securescore.1` (the program, listing its commands), then
/// `securescore-COMMAND.1` for each command (its options), in the order `--help` lists
/// them. Undated, so that the same build writes the same bytes.
pub fn man_pages() -> std::io::Result<Vec<ManPage>> {
    let mut cli = Cli::command();
    // Built, each command's page is named after its whole path (`securescore-assess`).
    cli.build();
    let commands: Vec<clap::Command> = cli
        .get_subcommands()
        .filter(|c| !c.is_hide_set() && c.get_name() != "help")
        .cloned()
        .collect();
    std::iter::once(cli)
        .chain(commands)
        .map(|command| {
            // Every page's footer names the program and its version (a command's would
            // name the command alone).
            let man = clap_mangen::Man::new(command).source(format!("securescore {VERSION}"));
            let mut roff = Vec::new();
            man.render(&mut roff)?;
            Ok(ManPage {
                file_name: man.get_filename(),
                roff,
            })
        })
        .collect()
}

impl From<WeightingArg> for Weighting {
    fn from(arg: WeightingArg) -> Weighting {
        match arg {
            WeightingArg::Resources => Weighting::Resources,
            WeightingArg::Equal => Weighting::Equal,
            WeightingArg::Pooled => Weighting::Pooled,
        }
    }
}

impl ScoringArgs {
    /// The scoring options given on the command line, each `None` where it was left out
    /// (so that the configuration's defaults fill it: `config::merge`).
    pub fn given(&self) -> ScoringDefaults {
        let list = |values: &Vec<String>| (!values.is_empty()).then(|| values.clone());
        ScoringDefaults {
            // `all` is no one model: `assess` scores each in turn (`Scoring::side_by_side`).
            model: self.model.and_then(ModelArg::model),
            as_of: self.as_of,
            scope: list(&self.scopes),
            management_group: list(&self.management_groups),
            weighting: self.weighting.map(Weighting::from),
            include_preview: self.include_preview.then_some(true),
            ignore_exemptions: self.ignore_exemptions.then_some(true),
        }
    }

    /// Which configuration file to read.
    pub fn config_choice(&self) -> ConfigChoice {
        match (&self.config, self.no_config) {
            (_, true) => ConfigChoice::Ignore,
            (Some(path), false) => ConfigChoice::File(path.clone()),
            (None, false) => ConfigChoice::Discover,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value a command offers converts into a format and back; every other format
    /// is refused as one the command lacks.
    fn round_trips<F>(offered: usize)
    where
        F: ValueEnum + TryFrom<Format, Error = Format> + Into<Format> + PartialEq + std::fmt::Debug + Copy,
    {
        for &value in F::value_variants() {
            let format: Format = value.into();
            assert_eq!(F::try_from(format), Ok(value));
        }
        let accepted = Format::ALL
            .into_iter()
            .filter(|f| F::try_from(*f).is_ok())
            .count();
        assert_eq!(accepted, offered);
    }

    #[test]
    fn weightings_are_spelled_as_the_reports_spell_them() {
        for &arg in WeightingArg::value_variants() {
            let name = arg.to_possible_value().map(|v| v.get_name().to_string());
            assert_eq!(name.as_deref(), Some(Weighting::from(arg).as_str()));
        }
    }

    #[test]
    fn a_report_is_a_format_and_a_path() {
        let report = parse_report("json=out/a=b.json").unwrap();
        // Split at the first `=`: a path may hold more.
        assert_eq!(report.format, "json");
        assert_eq!(report.path, PathBuf::from("out/a=b.json"));
        for bad in ["json", "=a.json", "json=", "json=-", ""] {
            assert!(parse_report(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_report_format_is_one_the_command_offers() {
        let output = |format: &str| OutputArgs {
            output: None,
            color: ColorChoice::Never,
            quiet: false,
            strict: false,
            max_input_size: 1,
            threads: 0,
            reports: vec![ReportArg {
                format: format.to_string(),
                path: PathBuf::from("r"),
            }],
        };
        let html = output("html").report_files::<AssessFormat>().unwrap();
        assert_eq!(html[0].format, Format::Html);
        let refused = output("html").report_files::<ExplainFormat>().unwrap_err();
        assert_eq!(
            refused.0,
            "--report html=r: this command does not write \"html\"; its formats are table, json, markdown"
        );
        assert!(
            output("JSON").report_files::<AssessFormat>().is_err(),
            "formats are spelled as -f spells them"
        );
    }

    #[test]
    fn each_command_offers_its_formats() {
        round_trips::<AssessFormat>(7);
        round_trips::<TrendFormat>(4);
        round_trips::<ExplainFormat>(3);
        round_trips::<PlanFormat>(3);
        round_trips::<DiffFormat>(4);
        round_trips::<ValidateFormat>(2);
        round_trips::<ControlsFormat>(2);
        assert_eq!(ExplainFormat::try_from(Format::Html), Err(Format::Html));
        assert_eq!(TrendFormat::try_from(Format::Csv), Err(Format::Csv));
        assert_eq!(ControlsFormat::try_from(Format::Markdown), Err(Format::Markdown));
    }
}
