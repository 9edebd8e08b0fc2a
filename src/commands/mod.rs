//! One module per subcommand, each a short composition of loading, scoring, reporting
//! and rendering; and the plumbing they share.

pub mod assess;
pub mod completions;
pub mod controls;
pub mod diff;
pub mod explain;
pub mod man;
pub mod plan;
pub mod query;
pub mod schema;
pub mod side_by_side;
pub mod trend;
pub mod validate;

use crate::catalog::Catalog;
use crate::cli::{ColorChoice, OutputArgs, ScoringArgs};
use crate::config::Config;
use crate::date::Date;
use crate::diag::{Diagnostics, Level};
use crate::evaluation::ScoringRequest;
use crate::load::source::InputSpec;
use crate::load::{load, LoadOptions};
use crate::local_exemptions::Uses;
use crate::model::Model;
use crate::output::{diagnostic_line, ReportFile};
use crate::render::{Document, Format, RenderOptions, Style};
use crate::text::terminal_safe;
use crate::UsageError;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// The inputs named by FILE arguments: standard input for none or `-`. With no FILE and a
/// terminal on standard input, a usage error (rather than waiting for typing).
pub fn resolve_inputs(files: &[PathBuf]) -> anyhow::Result<Vec<InputSpec>> {
    if files.is_empty() {
        if std::io::stdin().is_terminal() {
            return Err(UsageError(
                "no input: name inventory files, or pipe one into standard input".to_string(),
            )
            .into());
        }
        return Ok(vec![InputSpec::Stdin]);
    }
    Ok(files.iter().map(|f| input_spec(f)).collect())
}

/// The files `inputs` read, for [`refuse_overwriting`]: each file, and for standard input
/// the file it is redirected from, if any (`assess -o inv.json < inv.json` would otherwise
/// replace the inventory it reads).
pub fn input_paths(inputs: &[InputSpec]) -> impl Iterator<Item = &Path> {
    inputs.iter().filter_map(|i| match i {
        InputSpec::Path(p) => Some(p.as_path()),
        _ => crate::output::STDIN_FILE.map(Path::new),
    })
}

/// Fails (exit 2) when `-o` or a `--report` names one of the files or folders the
/// command reads, however spelled, or two of them name one file, before anything is
/// read or written.
pub fn refuse_overwriting<'p>(
    output: &OutputArgs,
    reads: impl IntoIterator<Item = &'p Path>,
) -> anyhow::Result<()> {
    let reports: Vec<(&str, &Path)> = output
        .reports
        .iter()
        .map(|r| (r.format.as_str(), r.path.as_path()))
        .collect();
    crate::output::refuse_overwriting(output.output.as_deref(), &reports, reads)?;
    Ok(())
}

/// Loads inputs with the built-in catalog.
pub fn load_inputs(inputs: &[InputSpec], options: &LoadOptions) -> anyhow::Result<(Model, Diagnostics)> {
    let catalog = Catalog::builtin()?;
    let mut diags = Diagnostics::default();
    let model = load(inputs, &catalog, options, &mut diags);
    diags.sort_by_location(&model.inputs);
    Ok((model, diags))
}

/// What a scoring command runs under: the configuration file read (if any) and the
/// request that the command line makes over its `[defaults]`.
pub struct Scoring {
    pub request: ScoringRequest,
    pub config: Option<Config>,
}

impl Scoring {
    /// Reads the configuration the scoring options name (before any input, so that a
    /// broken configuration stops the run at once) and merges its defaults under them.
    ///
    /// `--model all` is refused: only `assess` shows the models side by side
    /// ([`Scoring::side_by_side`]).
    pub fn new(args: &ScoringArgs, output: &OutputArgs) -> anyhow::Result<Scoring> {
        if args.model == Some(crate::cli::ModelArg::All) {
            return Err(UsageError(
                "--model all shows the models side by side and is for assess only; choose one of classic, v1, pass-rate"
                    .to_string(),
            )
            .into());
        }
        Scoring::read(args, output)
    }

    fn read(args: &ScoringArgs, output: &OutputArgs) -> anyhow::Result<Scoring> {
        let config = crate::config::load(&args.config_choice(), output.max_input_size)?;
        let defaults = config.as_ref().map(|c| c.defaults.clone()).unwrap_or_default();
        let request = crate::config::merge(&args.given(), &defaults).map_err(|e| match &config {
            Some(c) if args.model.is_none() && args.weighting.is_none() => {
                UsageError(format!("{}: {e}", c.file))
            }
            _ => e,
        })?;
        Ok(Scoring { request, config })
    }

    /// With `--model all`: the run under each model in turn (SPEC §7), classic first; the
    /// weighting given applies to classic, which alone weighs scopes. `None` otherwise.
    pub fn side_by_side(args: &ScoringArgs, output: &OutputArgs) -> anyhow::Result<Option<Vec<Scoring>>> {
        if args.model != Some(crate::cli::ModelArg::All) {
            return Ok(None);
        }
        let base = Scoring::read(args, output)?;
        let runs = crate::score::ScoringModel::ALL
            .into_iter()
            .map(|model| {
                let mut request = base.request.clone();
                request.model = model;
                if !model.weighs_scopes() {
                    request.weighting = crate::evaluation::ScoringRequest::default().weighting;
                }
                Scoring {
                    request,
                    config: base.config.clone(),
                }
            })
            .collect();
        Ok(Some(runs))
    }

    /// The configuration's local exemptions, when it has any and exemptions count.
    fn local_exemptions(&self) -> Option<(&Config, &[crate::config::LocalExemption])> {
        let config = self.config.as_ref()?;
        let counted = !config.exemptions.is_empty() && !self.request.ignore_exemptions;
        counted.then_some((config, config.exemptions.as_slice()))
    }

    /// True when the configuration has local exemptions that count (not ignored).
    pub fn local_exemptions_apply(&self) -> bool {
        self.local_exemptions().is_some()
    }

    /// Applies the local exemptions to `model`, judged on `as_of`: what each entry did
    /// (`None` when there is nothing to apply).
    pub fn apply_local_exemptions(&self, model: &mut Model, as_of: Date) -> anyhow::Result<Option<Uses>> {
        match self.local_exemptions() {
            Some((_, entries)) => Ok(Some(crate::local_exemptions::apply(model, entries, as_of)?)),
            None => Ok(None),
        }
    }

    /// Adds the warnings about the local exemptions (`uses`: what they did, over every
    /// model they were applied to) to `diags`, and returns the report's rows of those in
    /// effect on `as_of`.
    pub fn local_exemption_report(
        &self,
        uses: Option<&Uses>,
        as_of: Date,
        diags: &mut Diagnostics,
    ) -> Option<Vec<crate::report::LocalExemptionOut>> {
        let ((config, entries), uses) = self.local_exemptions().zip(uses)?;
        for w in crate::local_exemptions::warnings(entries, uses, as_of, &config.file) {
            diags.push(w);
        }
        Some(crate::report::local_exemption_rows(entries, uses, as_of))
    }

    /// The gate rules of the configuration's `[gate]` (none without one); the command
    /// line's `--fail-under` and `--max-drop` replace its own (`GatePolicy::overridden_by`).
    pub fn gate_policy(&self) -> crate::gate::GatePolicy {
        let gate = self.config.as_ref().and_then(|c| c.gate.as_ref());
        gate.map(crate::config::GateConfig::policy).unwrap_or_default()
    }

    /// The configuration file's name, for the report.
    pub fn config_file(&self) -> Option<String> {
        self.config.as_ref().map(|c| c.file.clone())
    }
}

/// Prints diagnostics on standard error: errors always, warnings unless `quiet`.
pub fn print_diagnostics(diags: &Diagnostics, quiet: bool) {
    for d in diags.items() {
        if d.level == Level::Warning && quiet {
            continue;
        }
        let label = if d.level == Level::Error {
            "error"
        } else {
            "warning"
        };
        diagnostic_line(&format!("{label}: {}", terminal_safe(&d.to_string())));
    }
    if diags.dropped() > 0 && !(quiet && diags.error_count() == 0) {
        diagnostic_line(&format!("… and {} more problem(s) not shown", diags.dropped()));
    }
}

/// Fails with the input errors found, after printing them (only the errors: warnings
/// about how a broken input would score are noise here, whatever `--quiet` says).
pub fn fail_on_errors(diags: &Diagnostics) -> anyhow::Result<()> {
    if diags.error_count() == 0 {
        return Ok(());
    }
    print_diagnostics(diags, true);
    anyhow::bail!(
        "{} input error(s); nothing was scored (run `securescore validate` to list every problem)",
        diags.error_count()
    )
}

/// Under `--strict`, every warning is an error: when there is any, prints them as errors
/// and fails (exit 2) before anything is written or recorded. Called once all of a run's
/// warnings are known (the inputs', the evaluation's, a history's).
pub fn fail_on_warnings(diags: &mut Diagnostics, output: &OutputArgs) -> anyhow::Result<()> {
    if !output.strict {
        return Ok(());
    }
    let escalated = diags.escalate_warnings();
    if escalated == 0 {
        return Ok(());
    }
    print_diagnostics(diags, true);
    anyhow::bail!("{escalated} warning(s), each an error under --strict; nothing was written")
}

/// The look of human-readable output written to `path` (`None`: standard output) under
/// these output options.
fn style(output: &OutputArgs, path: Option<&Path>) -> Style {
    let terminal = crate::output::Terminal::detect(path);
    let color = match output.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal.auto_color(),
    };
    Style {
        color,
        width: terminal.width(),
    }
}

/// Renders `doc` in `format` (its tables cut to the first `top` rows where a document
/// has such a limit) and writes it where the output options say (nothing on standard
/// output under `--quiet`), styled as they say; and each of `reports` in its own format.
/// Everything is rendered before anything is written, so a failure to render leaves no
/// output, partial or whole; and the files are written all or none
/// ([`crate::output::emit_all`]): a run that stops with exit 2 leaves no report.
pub fn emit(
    output: &OutputArgs,
    format: Format,
    reports: &[ReportFile],
    doc: &Document,
    top: Option<usize>,
) -> anyhow::Result<()> {
    let to_stdout = !(output.quiet && output.output.is_none());
    let main = to_stdout.then_some((format, output.output.as_deref()));
    let all = reports.iter().map(|r| (r.format, Some(r.path.as_path())));
    let mut rendered = Vec::new();
    for (format, path) in all.chain(main) {
        let options = RenderOptions {
            style: style(output, path),
            top,
        };
        let mut buf = Vec::new();
        crate::render::render(format, doc, &options, &mut buf)?;
        rendered.push((path, buf));
    }
    let outputs: Vec<(Option<&Path>, &[u8])> = rendered.iter().map(|(p, b)| (*p, b.as_slice())).collect();
    crate::output::emit_all(&outputs)
}

/// One FILE argument as an input: `-` is standard input.
fn input_spec(file: &std::path::Path) -> InputSpec {
    if file.as_os_str() == "-" {
        InputSpec::Stdin
    } else {
        InputSpec::Path(file.to_path_buf())
    }
}
