//! Command-line interface: one file per subcommand, all flags documented here via clap.

pub mod eval;
pub mod extract;
pub mod merge;
pub mod pair;
pub mod review;

use clap::{Args, Parser, Subcommand};

const AFTER_HELP: &str = "\
Bad inputs (unreadable, binary, empty, malformed JSONL/CSV lines, too large) are reported on
stderr as `error: INPUT[:LINE]: message (kind)` and the batch goes on; repaired encodings are
warnings (errors with --strict). --errors FILE also writes them as CSV: input,line,severity,
kind,message. The closing summary accounts for every input: given = read + failed.

Exit codes:
  0  every input was processed
  1  some inputs failed (the report is still written)
  2  usage or fatal error (e.g. -o naming an input, an unwritable output); no report is written
A closed stdout pipe (`riposte ... | head`) ends the run quietly with 0.";

#[derive(Parser, Debug)]
#[command(name = "riposte", version, about = "Extract claims and rebuttals from news text and pair them", long_about = None,
    after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// List every claim and rebuttal found, one row each.
    #[command(after_help = AFTER_HELP)]
    Extract(extract::ExtractArgs),
    /// Link each claim to the rebuttals that answer it and write the report (the main job).
    #[command(after_help = AFTER_HELP)]
    Pair(Box<pair::PairArgs>),
    /// Score units or a pair report against gold annotations.
    Eval(eval::EvalArgs),
    /// Read the verdicts of a reviewed report back: precision, threshold, wrong pairings.
    Review(review::ReviewArgs),
    /// Combine the reports of `pair --shard` workers into the report of a single run.
    Merge(merge::MergeArgs),
}

/// Inputs and the options every reading subcommand shares.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Text files, directories (recursive; .txt, .md, .jsonl, .csv), `-` for stdin, JSON
    /// Lines (`id`, `text`, optional `title`, `date`, `source`) or CSV with `id,text` columns.
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Party names (or aliases) on the accusing side, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub accuser: Vec<String>,
    /// Party names (or aliases) on the responding side, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub responder: Vec<String>,
    /// Worker threads (default: all cores). A streamed `pair` run also writes its report on
    /// the calling thread while the workers pair the next articles.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Articles larger than this are reported, not processed.
    #[arg(long, default_value_t = riposte::read::DEFAULT_MAX_ARTICLE_BYTES)]
    pub max_article_bytes: usize,
    /// Articles with more claims + rebuttals than this are reported, not processed.
    #[arg(long, default_value_t = riposte::extract::MAX_UNITS)]
    pub max_article_units: usize,
    /// Treat undecodable input as an error instead of repairing it.
    #[arg(long)]
    pub strict: bool,
    /// TOML file overriding lexicons, gazetteer and weights.
    #[arg(long)]
    pub config: Option<String>,
    /// Write every input problem to this CSV (input, line, severity, kind, message).
    #[arg(long)]
    pub errors: Option<String>,
    /// Do not print the closing summary.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Output options shared by report-writing subcommands.
#[derive(Args, Debug, Clone)]
pub struct OutputArgs {
    /// Output file, or `-` for stdout.
    #[arg(short, long, default_value = "-")]
    pub output: String,
    /// Output format [default: by extension: .xlsx → xlsx, .html → html; otherwise csv].
    #[arg(long, value_enum)]
    pub format: Option<riposte::report::Format>,
    /// Do not write a UTF-8 byte-order mark (written by default to files so Excel reads UTF-8).
    #[arg(long)]
    pub no_bom: bool,
    /// CSV delimiter (use ';' where Excel expects it).
    #[arg(long, default_value = ",")]
    pub delimiter: char,
    /// Keep line breaks inside text cells (flattened to spaces by default).
    #[arg(long)]
    pub keep_newlines: bool,
    /// Data rows per CSV file or worksheet; longer reports are split into numbered parts
    /// (report-part1.csv, …) because spreadsheets silently drop rows past their limit.
    #[arg(long, default_value_t = riposte::report::MAX_SHEET_ROWS as u64, value_parser = clap::value_parser!(u64).range(1..=riposte::report::MAX_SHEET_ROWS as u64))]
    pub max_rows: u64,
}

impl OutputArgs {
    pub fn format(&self) -> riposte::report::Format {
        riposte::report::Format::for_output(self.format, &self.output)
    }

    /// Writes the table; says on stderr when it had to be split into parts. Returns the
    /// paths written.
    pub fn write(
        &self,
        table: &riposte::report::Table,
        quiet: bool,
    ) -> anyhow::Result<Vec<String>> {
        let opts = self.csv_options()?;
        let paths = riposte::report::write_report(&self.output, table, self.format(), &opts)?;
        if paths.len() > 1 && !quiet {
            eprintln!(
                "riposte: {} rows are more than a spreadsheet holds ({} per sheet); written as {} parts: {}",
                table.rows.len(),
                opts.max_rows,
                paths.len(),
                paths.join(", ")
            );
        }
        Ok(paths)
    }

    pub fn csv_options(&self) -> anyhow::Result<riposte::report::CsvOptions> {
        // A multi-byte delimiter would be cut to its low byte and corrupt every row.
        if !self.delimiter.is_ascii() || matches!(self.delimiter, '"' | '\n' | '\r') {
            anyhow::bail!(
                "--delimiter must be one ASCII character other than a quote or line break"
            );
        }
        Ok(riposte::report::CsvOptions {
            bom: !self.no_bom && self.output != "-",
            delimiter: self.delimiter as u8,
            keep_newlines: self.keep_newlines,
            max_rows: self.max_rows as usize,
        })
    }
}

pub struct Loaded {
    pub batch: riposte::read::Batch,
    pub limits: riposte::extract::Limits,
    pub config: riposte::config::Config,
    pub hints: riposte::Hints,
}

pub fn set_threads(input: &InputArgs) {
    if let Some(t) = input.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t.max(1))
            .build_global()
            .ok();
    }
}

/// Refuses an output path (report or error file) that is also an input.
pub fn check_outputs(input: &InputArgs, output: Option<&str>) -> anyhow::Result<()> {
    // The error report is written over its target just like the report, so it gets the same
    // protection.
    let targets = [output, input.errors.as_deref()];
    for o in targets.into_iter().flatten().filter(|o| *o != "-") {
        let op = std::fs::canonicalize(o).ok();
        for i in &input.inputs {
            if op.is_some() && std::fs::canonicalize(i).ok() == op {
                anyhow::bail!("output {o} is also an input; refusing to overwrite it");
            }
        }
    }
    Ok(())
}

/// The `--config` file, or the built-in defaults.
pub fn load_config(input: &InputArgs) -> anyhow::Result<riposte::config::Config> {
    Ok(match &input.config {
        Some(p) => riposte::config::Config::from_file(p)?,
        None => riposte::config::Config::default(),
    })
}

pub fn read_options(
    input: &InputArgs,
    shard: Option<riposte::shard::Shard>,
) -> riposte::read::ReadOptions {
    riposte::read::ReadOptions {
        max_article_bytes: input.max_article_bytes,
        strict: input.strict,
        shard,
    }
}

pub fn hints(input: &InputArgs) -> riposte::Hints {
    riposte::Hints {
        accusers: input.accuser.clone(),
        responders: input.responder.clone(),
    }
}

pub fn limits(input: &InputArgs) -> riposte::extract::Limits {
    riposte::extract::Limits {
        max_units: input.max_article_units,
        ..Default::default()
    }
}

/// A progress bar for `len` articles: on stderr, and only on a terminal, so pipelines and
/// logs stay clean.
pub fn progress_bar(len: usize, quiet: bool, msg: &'static str) -> Option<indicatif::ProgressBar> {
    (len > 50 && std::io::IsTerminal::is_terminal(&std::io::stderr()) && !quiet).then(|| {
        indicatif::ProgressBar::new(len as u64)
            .with_style(
                indicatif::ProgressStyle::with_template(
                    "{msg} {bar:40} {pos}/{len} articles {per_sec} eta {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            )
            .with_message(msg)
    })
}

/// Reads config and inputs (only `shard`'s articles, if given); refuses an output path that
/// is also an input.
pub fn load(
    input: &InputArgs,
    output: Option<&str>,
    shard: Option<riposte::shard::Shard>,
) -> anyhow::Result<Loaded> {
    set_threads(input);
    check_outputs(input, output)?;
    let config = load_config(input)?;
    let batch = riposte::read::read_inputs(&input.inputs, &read_options(input, shard));
    let hints = hints(input);
    let limits = limits(input);
    Ok(Loaded {
        batch,
        limits,
        config,
        hints,
    })
}

/// Prints issues to stderr and writes the error file, both sorted by input and line so that
/// they, like the report, do not depend on input order or thread count.
pub fn report_issues(
    issues: &[riposte::error::InputIssue],
    errors_path: Option<&str>,
    quiet: bool,
) -> anyhow::Result<()> {
    let mut issues = issues.to_vec();
    issues.sort();
    let issues = &issues;
    if !quiet {
        for i in issues {
            eprintln!("{i}");
        }
    }
    if let Some(p) = errors_path {
        riposte::report::write_output(p, |w| {
            let mut wr = csv::Writer::from_writer(w);
            wr.write_record(["input", "line", "severity", "kind", "message"])?;
            for i in issues {
                let sev = match i.severity {
                    riposte::error::Severity::Warning => "warning",
                    riposte::error::Severity::Error => "error",
                };
                wr.write_record([
                    i.input.as_str(),
                    &i.line.map(|l| l.to_string()).unwrap_or_default(),
                    sev,
                    i.kind,
                    &i.message,
                ])?;
            }
            wr.flush()
        })?;
    }
    Ok(())
}

/// The closing summary's accounting clause, stated so a reader can check it: every input given
/// (file, JSONL line, CSV record, unopenable path) was either read or failed.
pub fn accounting(given: usize, read: usize, failed: usize) -> String {
    format!("inputs given {given} = read {read} + failed {failed}")
}
