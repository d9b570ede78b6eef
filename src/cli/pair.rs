//! `riposte pair`: the main job — claims linked to the rebuttals that answer it.

use super::{InputArgs, OutputArgs};
use clap::Args;
use riposte::pair::{pair_batch, report_table, IdfScope, PairOptions, Row, Status};
use riposte::pipeline;
use riposte::report::Format;
use riposte::retrieve::{pair_two_sources, read_side, write_two_sources, Options, Weighting};
use riposte::shard::{Marker, Shard, Stats};
use riposte::Role;

#[derive(Args, Debug)]
// The positional inputs are required except in two-source mode, which reads --claims and
// --responses instead.
#[command(mut_arg("inputs", |a| a.required(false).required_unless_present("claims")))]
pub struct PairArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Minimum composite score for a specific link (blanket links are kept regardless).
    #[arg(long)]
    pub min_score: Option<f32>,
    /// Rebuttals kept per claim, best first (0 = all) [default: 8; 3 with --claims].
    #[arg(long)]
    pub top_k: Option<usize>,
    /// Add the extraction rule of both units to every row.
    #[arg(long)]
    pub explain: bool,
    /// Flag a reproducible random sample of N pairings in the `sample` column, to judge
    /// for an unbiased precision estimate.
    #[arg(long, value_name = "N")]
    pub sample: Option<usize>,
    /// Seed of the sample (default: from the clock; printed in the summary either way).
    #[arg(long, requires = "sample")]
    pub seed: Option<u64>,
    /// A reviewed report (CSV or xlsx): carry its verdicts and notes into this report for
    /// pairings whose pair_id is unchanged.
    #[arg(long, value_name = "REVIEWED")]
    pub verdicts: Option<String>,
    /// Process only shard K of N (0-based): the articles whose id hashes to K
    /// (xxh3_64(id) mod N). `env` reads the scheduler's array variables: SLURM_ARRAY_TASK_ID
    /// and SLURM_ARRAY_TASK_COUNT, else JOB_COMPLETION_INDEX and RIPOSTE_SHARD_COUNT, else
    /// AWS_BATCH_JOB_ARRAY_INDEX and AWS_BATCH_JOB_ARRAY_SIZE. Writes REPORT.stats.json and
    /// then the completion marker REPORT.done beside the report.
    #[arg(long, value_name = "K/N|env")]
    pub shard: Option<String>,
    /// The number of shards for `--shard env` (overrides the count variable).
    #[arg(long, value_name = "N", requires = "shard", value_parser = clap::value_parser!(u64).range(1..))]
    pub shard_count: Option<u64>,
    /// Redo a shard even if its completion marker says it is done with the same inputs.
    #[arg(long, requires = "shard")]
    pub force: bool,
    /// Document frequencies for the lexical score: the article's own units (default: an
    /// article's rows do not depend on the other articles, so shards and streams add up to
    /// a single run) or every unit of the run (the scores of earlier versions).
    #[arg(long, value_enum, default_value_t = IdfScope::Article)]
    pub idf: IdfScope,
    /// Articles per batch when streaming JSON Lines from stdin to stdout.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch_size: u64,
    #[command(flatten)]
    pub two: TwoSourceArgs,
}

/// Counts for the closing summary and the stats file.
#[derive(Default)]
struct Tally {
    /// Inputs given (files, JSONL lines, CSV records, unopenable paths): read + failed.
    given: u64,
    read: u64,
    failed: u64,
    claims: u64,
    rebuttals: u64,
    links: u64,
    unanswered: u64,
    unmatched: u64,
}

impl Tally {
    fn add(&mut self, per_article: &[(String, Vec<riposte::Unit>)], rows: &[Row], failed: usize) {
        let count = |s: Status| rows.iter().filter(|r| r.status == s).count() as u64;
        self.read += per_article.len() as u64;
        self.failed += failed as u64;
        for u in per_article.iter().flat_map(|a| a.1.iter()) {
            if u.role == riposte::Role::Claim {
                self.claims += 1;
            } else {
                self.rebuttals += 1;
            }
        }
        self.links += count(Status::Paired);
        self.unanswered += count(Status::Unanswered);
        self.unmatched += count(Status::Unmatched);
    }

    /// [`Tally::add`] for one article read, from its units and its rows' counts by status
    /// (paired, unanswered, unmatched).
    fn add_counted(&mut self, units: &[riposte::Unit], counts: [u64; 3]) {
        self.read += 1;
        for u in units {
            if u.role == riposte::Role::Claim {
                self.claims += 1;
            } else {
                self.rebuttals += 1;
            }
        }
        self.links += counts[0];
        self.unanswered += counts[1];
        self.unmatched += counts[2];
    }

    fn merge(&mut self, o: &Tally) {
        self.given += o.given;
        self.read += o.read;
        self.failed += o.failed;
        self.claims += o.claims;
        self.rebuttals += o.rebuttals;
        self.links += o.links;
        self.unanswered += o.unanswered;
        self.unmatched += o.unmatched;
    }

    fn summary(&self, started: std::time::Instant) -> String {
        format!(
            "riposte pair: {}; claims {}; rebuttals {}; links {}; unanswered claims {}; unmatched rebuttals {}; {:.2}s",
            super::accounting(self.given as usize, self.read as usize, self.failed as usize),
            self.claims,
            self.rebuttals,
            self.links,
            self.unanswered,
            self.unmatched,
            started.elapsed().as_secs_f64()
        )
    }
}

/// (article id, units) per article that extracted, in batch order.
type PerArticle = Vec<(String, Vec<riposte::Unit>)>;

/// Extracts every article; returns the units per article, the problems and the number of
/// articles that failed.
fn extract_batch(
    articles: &[riposte::Article],
    lex: &riposte::Lexicon,
    hints: &riposte::Hints,
    limits: &riposte::extract::Limits,
    progress: Option<&indicatif::ProgressBar>,
) -> (PerArticle, Vec<riposte::error::InputIssue>, usize) {
    let results = pipeline::extract_all_with(articles, lex, hints, limits, &|| {
        if let Some(p) = progress {
            p.inc(1);
        }
    });
    let mut issues = Vec::new();
    let mut failed = 0;
    let mut per_article = Vec::new();
    for r in results {
        match r.outcome {
            Ok(e) => {
                issues.extend(e.warnings);
                per_article.push((r.id, e.units));
            }
            Err(i) => {
                issues.push(i);
                failed += 1;
            }
        }
    }
    (per_article, issues, failed)
}

/// Everything besides the inputs that shapes the report: a shard rerun with any of it changed
/// must not be skipped, and shards of one job must agree on it. Paths of the shard's own
/// files (report, errors) differ between shards and are checked separately.
fn settings(a: &PairArgs) -> String {
    let file = |p: &Option<String>| {
        p.as_ref().map(|p| {
            let content = std::fs::read(p)
                .map(|b| xxhash_rust::xxh3::xxh3_64(&b))
                .unwrap_or(0);
            format!("{p}:{content:016x}")
        })
    };
    format!(
        "min_score={:?};top_k={};explain={};idf={:?};accuser={:?};responder={:?};max_article_bytes={};strict={};config={:?};verdicts={:?};format={:?};no_bom={};delimiter={:?};keep_newlines={};max_rows={}",
        a.min_score,
        a.top_k.unwrap_or(8),
        a.explain,
        a.idf,
        a.input.accuser,
        a.input.responder,
        a.input.max_article_bytes,
        a.input.strict,
        file(&a.input.config),
        file(&a.verdicts),
        a.output.format(),
        a.output.no_bom,
        a.output.delimiter,
        a.output.keep_newlines,
        a.output.max_rows
    )
}

/// Standard input to standard output, as the map step of Spark, Ray or Hadoop streaming:
/// JSON Lines are read and written in batches, so memory stays flat however long the stream.
fn streams(a: &PairArgs) -> bool {
    use std::io::BufRead;
    if a.input.inputs != ["-"]
        || a.output.output != "-"
        || a.sample.is_some()
        || a.verdicts.is_some()
        || !matches!(
            a.output.format(),
            riposte::report::Format::Csv | riposte::report::Format::Jsonl
        )
    {
        return false;
    }
    // Peeking through stdin's own buffer leaves the bytes there for the whole-input reader
    // when the stream turns out to be plain text.
    let mut lock = std::io::stdin().lock();
    lock.fill_buf()
        .map(riposte::read::looks_like_jsonl)
        .unwrap_or(false)
}

/// Two-source mode: every unit of one source is a candidate claim, every unit of the other a
/// candidate response.
#[derive(Args, Debug)]
pub struct TwoSourceArgs {
    /// Claims side: documents (every body sentence is a unit), directories, or JSON Lines of
    /// units `{"id","text","group"?}` used as they are.
    #[arg(long, num_args = 1.., requires = "responses", conflicts_with = "inputs")]
    pub claims: Vec<String>,
    /// Responses side, as --claims.
    #[arg(long, num_args = 1.., requires = "claims")]
    pub responses: Vec<String>,
    /// Drop a response whose id equals the claim's (a query that is also in the corpus).
    #[arg(long, requires = "claims")]
    pub exclude_same_id: bool,
    /// Weight of the position prior for ordered sources (documents, grouped units).
    #[arg(long, requires = "claims")]
    pub position_weight: Option<f32>,
    /// Responses per claim given the full composite score after the index lookup.
    #[arg(long, default_value_t = 50, requires = "claims")]
    pub candidates: usize,
    /// Hubness correction: subtract half the mean cosine of a response to its K nearest claims
    /// (a response close to everything answers nothing in particular). 0 = off.
    #[arg(long, default_value_t = 0, requires = "claims")]
    pub hubness: usize,
    /// Term weighting of the candidate index.
    #[arg(long, value_enum, default_value_t = IndexWeighting::Tfidf, requires = "claims")]
    pub weighting: IndexWeighting,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum IndexWeighting {
    Tfidf,
    Bm25,
}

pub fn run(a: PairArgs) -> anyhow::Result<u8> {
    if !a.two.claims.is_empty() {
        return run_two_sources(a);
    }
    let started = std::time::Instant::now();
    let shard = match &a.shard {
        Some(spec) => Some(Shard::from_spec(spec, a.shard_count)?),
        None => None,
    };
    let out = a.output.output.clone();
    let mut fingerprint = None;
    if let Some(s) = shard {
        if out == "-" {
            anyhow::bail!("--shard needs -o FILE: its stats and completion marker are written beside the report");
        }
        if a.sample.is_some() {
            anyhow::bail!("--sample draws from the whole report, which one shard does not see; sample a single run instead");
        }
        if a.idf == IdfScope::Batch {
            anyhow::bail!("--idf batch scores each article against the other articles of its run, so shards would not add up to a single run; use the default --idf article");
        }
        fingerprint = riposte::shard::fingerprint(&a.input.inputs, &settings(&a));
        if let (Some(fp), false) = (&fingerprint, a.force) {
            if let Some(m) = Marker::read(&out) {
                let complete = Stats::read(&riposte::shard::stats_path(&out)).is_ok_and(|st| {
                    st.errors == a.input.errors
                        && st
                            .report
                            .iter()
                            .chain(&st.errors)
                            .all(|p| std::path::Path::new(p).exists())
                });
                if m.shard == s.to_string() && m.input_fingerprint == *fp && complete {
                    if !a.input.quiet {
                        eprintln!(
                            "riposte pair: shard {s} already done for these inputs ({}); skipping (--force redoes it)",
                            riposte::shard::marker_path(&out)
                        );
                    }
                    return Ok(m.exit_code);
                }
            }
        }
        Marker::clear(&out)?;
    }
    if streams(&a) {
        return stream(&a, started);
    }
    let (tally, rows, written, sampled, carried) = match plannable(&a, &out, shard)? {
        Some(plan) => {
            let (tally, rows, written) = stream_plan(&a, plan, &out, shard)?;
            (tally, rows, written, None, None)
        }
        None => whole(&a, &out, shard)?,
    };
    let code = if tally.failed > 0 { 1 } else { 0 };
    if let Some(s) = shard {
        // Report first, stats second, marker last, each renamed into place whole: a run
        // killed at any point leaves no marker, and a marker vouches for both files.
        let fp = fingerprint.clone().unwrap_or_default();
        Stats {
            riposte: env!("CARGO_PKG_VERSION").to_string(),
            shard: s.to_string(),
            shards: vec![],
            input_fingerprint: fp.clone(),
            articles_read: tally.read,
            articles_failed: tally.failed,
            claims: tally.claims,
            rebuttals: tally.rebuttals,
            links: tally.links,
            unanswered: tally.unanswered,
            unmatched: tally.unmatched,
            rows: rows as u64,
            report: written,
            errors: a.input.errors.clone(),
            exit_code: code,
        }
        .write(&riposte::shard::stats_path(&out))?;
        // Standard input cannot be fingerprinted, so a marker could not tell a rerun on
        // different data apart; such shards are simply redone.
        if fingerprint.is_some() {
            Marker {
                shard: s.to_string(),
                input_fingerprint: fp,
                exit_code: code,
            }
            .write(&out)?;
        }
    }
    if !a.input.quiet {
        eprintln!("{}", tally.summary(started));
        if let Some((n, seed)) = sampled {
            eprintln!("riposte pair: sample {n} pairings flagged (seed {seed}; --sample {} --seed {seed} flags the same rows)", a.sample.unwrap_or(n));
        }
        if let (Some(c), Some(p)) = (&carried, &a.verdicts) {
            eprintln!(
                "riposte pair: verdicts from {p}: carried {}, new {}, dropped {}",
                c.carried, c.new, c.dropped
            );
        }
    }
    Ok(code)
}

/// (counts, report rows, paths written, the sample drawn with its seed, verdicts carried)
type Ran = (
    Tally,
    usize,
    Vec<String>,
    Option<(usize, u64)>,
    Option<riposte::review::Carry>,
);

/// The whole input in memory at once: needed by `--sample` and `--verdicts` (they work on the
/// whole report), `--idf batch` (every article's scores depend on the whole run), xlsx and
/// HTML (whole documents), and inputs that cannot be read twice (stdin, CSV).
fn whole(a: &PairArgs, out: &str, shard: Option<Shard>) -> anyhow::Result<Ran> {
    // Read first: a bad verdicts file should fail before minutes of extraction, and `-o`
    // may then name the reviewed file itself (the report replaces it atomically).
    let old = match &a.verdicts {
        Some(p) => Some(riposte::review::read_verdicts(p)?),
        None => None,
    };
    let loaded = super::load(&a.input, Some(out), shard)?;
    let lex = loaded.config.lexicon();
    let opts = pair_options(a, &loaded.config);
    let progress = super::progress_bar(loaded.batch.articles.len(), a.input.quiet, "extracting");
    let (per_article, extract_issues, extract_failed) = extract_batch(
        &loaded.batch.articles,
        &lex,
        &loaded.hints,
        &loaded.limits,
        progress.as_ref(),
    );
    if let Some(p) = &progress {
        p.finish_and_clear();
    }
    drop(loaded.batch.articles);
    let mut issues = loaded.batch.issues;
    issues.extend(extract_issues);
    let failed = loaded.batch.failed + extract_failed;
    let rows = pair_batch(&per_article, &lex, &opts);
    let mut table = report_table(&rows, a.explain);
    let sampled = a.sample.map(|n| {
        let seed = a.seed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64 % 1_000_000_000)
        });
        (riposte::review::flag_sample(&mut table, n, seed), seed)
    });
    let carried = old
        .as_ref()
        .map(|o| riposte::review::carry_verdicts(&mut table, o));
    // Problems first: an unwritable --errors file then stops the run before a report exists,
    // and a closed stdout pipe cannot cut the account of bad inputs short.
    super::report_issues(&issues, a.input.errors.as_deref(), a.input.quiet)?;
    let written = a.output.write(&table, a.input.quiet)?;
    let mut tally = Tally {
        given: loaded.batch.given as u64,
        ..Default::default()
    };
    tally.add(&per_article, &rows, failed);
    Ok((tally, rows.len(), written, sampled, carried))
}

/// The plan of a streamed run (see [`stream_plan`]), or `None` when this run needs the whole
/// input in memory (see [`whole`]). Checks the output paths and sets the thread count, as
/// [`super::load`] does for a whole run.
fn plannable(
    a: &PairArgs,
    out: &str,
    shard: Option<Shard>,
) -> anyhow::Result<Option<riposte::read::Plan>> {
    if a.sample.is_some()
        || a.verdicts.is_some()
        || a.idf != IdfScope::Article
        || !matches!(a.output.format(), Format::Csv | Format::Jsonl)
        || !riposte::read::can_plan(&a.input.inputs)
    {
        return Ok(None);
    }
    super::check_outputs(&a.input, Some(out))?;
    super::set_threads(&a.input);
    let opts = super::read_options(&a.input, shard);
    Ok(riposte::read::plan_inputs(&a.input.inputs, &opts))
}

/// The pairing options: the config's weights, then the command line's overrides.
fn pair_options(a: &PairArgs, config: &riposte::config::Config) -> PairOptions {
    let mut weights = config.weights();
    if let Some(m) = a.min_score {
        weights.min_score = m;
    }
    PairOptions {
        weights,
        top_k: a.top_k.unwrap_or(8),
        idf: a.idf,
    }
}

/// Directories and JSON Lines files in bounded batches (issue 7): read `--batch-size`
/// articles, extract, pair and format them in parallel, write their rows, drop them. With
/// the per-article IDF an article's rows depend on nothing else, and the plan holds the
/// articles in the whole run's order, so the report is byte for byte the whole run's.
fn stream_plan(
    a: &PairArgs,
    mut plan: riposte::read::Plan,
    out: &str,
    shard: Option<Shard>,
) -> anyhow::Result<(Tally, usize, Vec<String>)> {
    use rayon::prelude::*;
    let config = super::load_config(&a.input)?;
    let lex = config.lexicon();
    let opts = pair_options(a, &config);
    let hints = super::hints(&a.input);
    let limits = super::limits(&a.input);
    let ropts = super::read_options(&a.input, shard);
    let format = a.output.format();
    let csv = a.output.csv_options()?;
    let headers = riposte::pair::report_headers(a.explain);
    let an = riposte::score::Analyzer::new();
    let progress = super::progress_bar(plan.len(), a.input.quiet, "pairing");
    let mut w = riposte::report::RowWriter::new(out, &headers, format, &csv)?;
    let mut issues = std::mem::take(&mut plan.issues);
    let mut tally = Tally {
        given: plan.given as u64,
        failed: plan.failed as u64,
        ..Default::default()
    };
    // Each article on its own from text to encoded rows; only the writing is serial. It
    // runs on this thread while a second one reads and pairs the next batch: writing here
    // between batches left a core idle for about a twentieth of a run (issue 7). One batch
    // is pairing while one is written and at most one more waits between them (with no
    // room to wait, the workers stood idle whenever writing a batch took longer than
    // pairing the next: 3 % of a 10k run), so memory still does not grow with the input;
    // each is half of `--batch-size`.
    type Done = (Tally, Vec<riposte::error::InputIssue>, Vec<u8>, Vec<usize>);
    type Paired = (riposte::read::Batch, Vec<std::io::Result<Done>>);
    let batch_size = (a.batch_size as usize).div_ceil(2);
    let pair_one = |art: riposte::Article| -> std::io::Result<Done> {
        let r = pipeline::extract_one(&art, &lex, &hints, &limits);
        drop(art);
        let mut t = Tally::default();
        let (mut buf, mut ends) = (Vec::new(), Vec::new());
        let warnings = match r.outcome {
            Ok(e) => {
                // Per-article IDF (`--idf batch` never streams), units never cloned into rows.
                let (e_ends, counts) = riposte::pair::pair_encode_article(
                    &r.id,
                    &e.units,
                    Some(&e.unit_tokens),
                    &an,
                    &lex,
                    &opts,
                    a.explain,
                    format,
                    &csv,
                    &mut buf,
                )?;
                ends = e_ends;
                t.add_counted(&e.units, counts);
                e.warnings
            }
            Err(i) => {
                t.failed = 1;
                vec![i]
            }
        };
        if let Some(p) = &progress {
            p.inc(1);
        }
        Ok((t, warnings, buf, ends))
    };
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Paired>(1);
        let pair_one = &pair_one;
        let ropts = &ropts;
        scope.spawn(move || {
            // The next batch is read while this one pairs: reading (lines found, copied and
            // checked in order) is serial, and between batches it kept the workers waiting.
            let total = plan.len();
            let (mut taken, mut batches) = (0usize, 0u32);
            let mut size = || {
                let s = ramped_batch(batch_size, total.saturating_sub(taken), batches);
                taken += s;
                batches += 1;
                s
            };
            let mut next = plan.next_batch(size(), ropts);
            while let Some(mut batch) = next {
                let articles = std::mem::take(&mut batch.articles);
                let s = size();
                let (done, following) = rayon::join(
                    || articles.into_par_iter().map(pair_one).collect(),
                    || plan.next_batch(s, ropts),
                );
                next = following;
                // The writer stopped (it failed and returns its error): stop reading.
                if tx.send((batch, done)).is_err() {
                    break;
                }
            }
        });
        for (batch, done) in rx {
            issues.extend(batch.issues);
            tally.given += batch.given as u64;
            tally.failed += batch.failed as u64;
            // Rows a few dozen articles at a time in one write (`push_batch`), each buffer
            // dropped once written: holding a whole batch's until the end of it was 2 MiB
            // more at the peak. An article that failed to encode stops the run after the rows
            // before it, as written one by one.
            let mut held: Vec<(Vec<u8>, Vec<usize>)> = Vec::with_capacity(WRITTEN_TOGETHER);
            let mut write = |held: &mut Vec<(Vec<u8>, Vec<usize>)>| {
                let parts: Vec<(&[u8], &[usize])> =
                    held.iter().map(|(b, e)| (&b[..], &e[..])).collect();
                let r = w.push_batch(&parts);
                held.clear();
                r
            };
            for d in done {
                let (t, warnings, buf, ends) = match d {
                    Ok(d) => d,
                    Err(e) => {
                        write(&mut held)?;
                        return Err(riposte::error::Error::Io {
                            path: out.to_string(),
                            source: e,
                        }
                        .into());
                    }
                };
                tally.merge(&t);
                issues.extend(warnings);
                held.push((buf, ends));
                if held.len() == WRITTEN_TOGETHER {
                    write(&mut held)?;
                }
            }
            write(&mut held)?;
        }
        Ok(())
    })?;
    if let Some(p) = &progress {
        p.finish_and_clear();
    }
    // Problems before the report is moved into place: an unwritable --errors file stops the
    // run with no report, as in a whole run.
    super::report_issues(&issues, a.input.errors.as_deref(), a.input.quiet)?;
    let rows = w.rows();
    let written = w.finish()?;
    if written.len() > 1 && !a.input.quiet {
        eprintln!(
            "riposte: {} rows are more than a spreadsheet holds ({} per sheet); written as {} parts: {}",
            rows,
            csv.max_rows,
            written.len(),
            written.join(", ")
        );
    }
    Ok((tally, rows, written))
}

/// Articles whose rows [`stream_plan`] writes in one call: about 700 KB of CSV, ten times
/// the writer's buffer, so the rows go from the articles' buffers straight to the file.
const WRITTEN_TOGETHER: usize = 64;

/// The size of the next batch of a streamed run: `full` in the middle, smaller at both ends.
/// The workers wait for the first batch to be read, and the last batch's rows are written
/// after every worker has finished; with full half-batches of 500 articles those two ends
/// left a core idle for about a tenth of a 10k-article run (issue 7). So the first batches
/// double from 32, and once fewer than eight full batches remain each batch is an eighth
/// of what remains (at least 16). Only the timing depends on it: each article's rows are
/// its own, and batches are written in order.
fn ramped_batch(full: usize, remaining: usize, batches: u32) -> usize {
    let rising = 32usize.saturating_mul(1 << batches.min(20));
    full.min(rising).min((remaining / 8).max(16)).max(1)
}

fn stream(a: &PairArgs, started: std::time::Instant) -> anyhow::Result<u8> {
    let loaded_config = super::load_config(&a.input)?;
    super::set_threads(&a.input);
    let lex = loaded_config.lexicon();
    let opts = pair_options(a, &loaded_config);
    let hints = super::hints(&a.input);
    let limits = super::limits(&a.input);
    let ropts = super::read_options(&a.input, None);
    let format = a.output.format();
    let csv_opts = a.output.csv_options()?;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut tally = Tally::default();
    let mut all_issues = Vec::new();
    let mut lineno = 0;
    let mut first = true;
    let io = |e: std::io::Error| riposte::error::Error::Io {
        path: "<stdout>".into(),
        source: e,
    };
    while let Some(mut batch) = riposte::read::read_jsonl_batch(
        &mut input,
        "<stdin>",
        &ropts,
        &mut lineno,
        a.batch_size as usize,
    )
    .map_err(|e| riposte::error::Error::Io {
        path: "<stdin>".into(),
        source: e,
    })? {
        // Within a batch, id order as in a whole-input run; `riposte merge` restores it across
        // batches.
        batch
            .articles
            .sort_by(|x, y| x.id.cmp(&y.id).then_with(|| x.origin.cmp(&y.origin)));
        let (per_article, extract_issues, extract_failed) =
            extract_batch(&batch.articles, &lex, &hints, &limits, None);
        drop(batch.articles);
        let rows = pair_batch(&per_article, &lex, &opts);
        let table = report_table(&rows, a.explain);
        {
            let mut w = std::io::BufWriter::new(stdout.lock());
            riposte::report::write_rows(&table, format, &csv_opts, first, &mut w)
                .and_then(|_| std::io::Write::flush(&mut w))
                .map_err(io)?;
        }
        first = false;
        let mut issues = batch.issues;
        issues.extend(extract_issues);
        if !a.input.quiet {
            for i in &issues {
                eprintln!("{i}");
            }
        }
        tally.given += batch.given as u64;
        tally.add(&per_article, &rows, batch.failed + extract_failed);
        all_issues.extend(issues);
    }
    if first && format == riposte::report::Format::Csv {
        // An empty stream still gets its header, as a whole-input run would write.
        let table = report_table(&[], a.explain);
        riposte::report::write_rows(&table, format, &csv_opts, true, &mut stdout.lock())
            .map_err(io)?;
    }
    // Already printed batch by batch; only the error file remains.
    super::report_issues(&all_issues, a.input.errors.as_deref(), true)?;
    if !a.input.quiet {
        eprintln!("{}", tally.summary(started));
    }
    Ok(if tally.failed > 0 { 1 } else { 0 })
}

fn run_two_sources(a: PairArgs) -> anyhow::Result<u8> {
    let started = std::time::Instant::now();
    super::set_threads(&a.input);
    let out = &a.output.output;
    if out != "-" {
        if let Ok(op) = std::fs::canonicalize(out) {
            for i in a.two.claims.iter().chain(&a.two.responses) {
                if std::fs::canonicalize(i).ok().as_ref() == Some(&op) {
                    anyhow::bail!("output {out} is also an input; refusing to overwrite it");
                }
            }
        }
    }
    let config = super::load_config(&a.input)?;
    let lex = config.lexicon();
    let weights = pair_options(&a, &config).weights;
    let read_opts = super::read_options(&a.input, None);
    // The two sides are read and parsed side by side: one after the other, they were the
    // longest stretch of the run on one thread.
    let (claims, responses) = rayon::join(
        || read_side(&a.two.claims, Role::Claim, &read_opts, &lex),
        || read_side(&a.two.responses, Role::Rebuttal, &read_opts, &lex),
    );
    let defaults = Options::default();
    let opts = Options {
        weights,
        position: a.two.position_weight.unwrap_or(defaults.position),
        weighting: match a.two.weighting {
            IndexWeighting::Tfidf => Weighting::TfIdf,
            IndexWeighting::Bm25 => Weighting::Bm25 { k1: 0.9, b: 0.4 },
        },
        candidates: a.two.candidates,
        top_k: a.top_k.unwrap_or(3),
        exclude_same_id: a.two.exclude_same_id,
        hub_k: a.two.hubness,
        hub_weight: if a.two.hubness > 0 { 0.5 } else { 0.0 },
        ..defaults
    };
    // CSV and JSON Lines are streamed: at scale the rows (both texts in each) outweigh the
    // index many times over. The other formats need the whole table.
    let format = a.output.format();
    let (paired, unanswered) = if matches!(format, Format::Csv | Format::Jsonl) {
        let csv = a.output.csv_options()?;
        let headers = riposte::pair::report_headers(a.explain);
        let mut w = riposte::report::RowWriter::new(out, &headers, format, &csv)?;
        let n = write_two_sources(
            &claims.items,
            &responses.items,
            &lex,
            &opts,
            a.explain,
            &mut w,
        )?;
        let rows = w.rows();
        let paths = w.finish()?;
        if paths.len() > 1 && !a.input.quiet {
            eprintln!(
                "riposte: {} rows are more than a spreadsheet holds ({} per sheet); written as {} parts: {}",
                rows,
                csv.max_rows,
                paths.len(),
                paths.join(", ")
            );
        }
        (n.paired, n.unanswered)
    } else {
        let rows = pair_two_sources(&claims.items, &responses.items, &lex, &opts);
        let table = report_table(&rows, a.explain);
        a.output.write(&table, a.input.quiet)?;
        let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
        (count(Status::Paired), count(Status::Unanswered))
    };
    let mut issues = claims.issues;
    issues.extend(responses.issues);
    super::report_issues(&issues, a.input.errors.as_deref(), a.input.quiet)?;
    let failed = claims.failed + responses.failed;
    if !a.input.quiet {
        eprintln!(
            "riposte pair: claims {}; responses {}; links {}; unanswered claims {}; failed inputs {}; {:.2}s",
            claims.items.len(),
            responses.items.len(),
            paired,
            unanswered,
            failed,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(if failed > 0 { 1 } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::ramped_batch;

    /// Batches rise from 32 to the full size, stay there in the middle and fall to 16 at the
    /// end; never empty, never above the full size.
    #[test]
    fn batches_ramp_up_and_down_within_the_full_size() {
        for (full, total) in [(500, 10_000), (500, 100), (1, 50), (8, 0), (500, 1_000_000)] {
            let (mut taken, mut batches, mut sizes) = (0usize, 0u32, Vec::new());
            while taken < total {
                let s = ramped_batch(full, total - taken, batches);
                assert!((1..=full).contains(&s), "{full} {total}: {s}");
                sizes.push(s);
                taken += s;
                batches += 1;
            }
            if full == 500 && total >= 10_000 {
                assert_eq!(&sizes[..5], [32, 64, 128, 256, 500]);
                assert_eq!(*sizes.iter().max().unwrap(), 500);
                assert_eq!(*sizes.last().unwrap(), 16);
                // The tail shrinks, so the last batch written alone is small.
                assert!(sizes.len() < total / 500 + 40, "{}", sizes.len());
            }
        }
    }
}
