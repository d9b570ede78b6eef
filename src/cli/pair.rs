//! `riposte pair`: the main job — claims linked to the rebuttals that answer them.

use super::{InputArgs, OutputArgs};
use clap::Args;
use riposte::pair::{pair_batch, report_table, PairOptions, Status};
use riposte::pipeline;
use riposte::retrieve::{pair_two_sources, read_side, Options, Weighting};
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
    #[command(flatten)]
    pub two: TwoSourceArgs,
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
    // Read first: a bad verdicts file should fail before minutes of extraction, and `-o`
    // may then name the reviewed file itself (the report replaces it atomically).
    let old = match &a.verdicts {
        Some(p) => Some(riposte::review::read_verdicts(p)?),
        None => None,
    };
    let loaded = super::load(&a.input, Some(&a.output.output))?;
    let lex = loaded.config.lexicon();
    let mut weights = loaded.config.weights();
    if let Some(m) = a.min_score {
        weights.min_score = m;
    }
    let opts = PairOptions {
        weights,
        top_k: a.top_k.unwrap_or(8),
    };
    let progress = (loaded.batch.articles.len() > 50
        && std::io::IsTerminal::is_terminal(&std::io::stderr())
        && !a.input.quiet)
        .then(|| {
            indicatif::ProgressBar::new(loaded.batch.articles.len() as u64)
                .with_message("extracting")
        });
    let results = pipeline::extract_all(&loaded.batch.articles, &lex, &loaded.hints);
    if let Some(p) = &progress {
        p.set_position(results.len() as u64);
        p.finish_and_clear();
    }
    // The article texts are not needed past extraction; freeing them (and moving, not
    // cloning, the units out of the results) lowers the peak for large batches (issue 7).
    let riposte::read::Batch {
        articles,
        issues: read_issues,
        failed: read_failed,
    } = loaded.batch;
    drop(articles);
    let mut issues = read_issues;
    let mut failed = read_failed;
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
    a.output.write(&table, a.input.quiet)?;
    super::report_issues(&issues, a.input.errors.as_deref(), a.input.quiet)?;
    if !a.input.quiet {
        let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
        let units: Vec<&riposte::Unit> = per_article.iter().flat_map(|a| a.1.iter()).collect();
        let claims = units
            .iter()
            .filter(|u| u.role == riposte::Role::Claim)
            .count();
        eprintln!(
            "riposte pair: articles read {} / failed {}; claims {}; rebuttals {}; links {}; unanswered claims {}; unmatched rebuttals {}; {:.2}s",
            per_article.len(),
            failed,
            claims,
            units.len() - claims,
            count(Status::Paired),
            count(Status::Unanswered),
            count(Status::Unmatched),
            started.elapsed().as_secs_f64()
        );
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
    Ok(if failed > 0 { 1 } else { 0 })
}

fn run_two_sources(a: PairArgs) -> anyhow::Result<u8> {
    let started = std::time::Instant::now();
    if let Some(t) = a.input.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(t.max(1))
            .build_global()
            .ok();
    }
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
    let config = match &a.input.config {
        Some(p) => riposte::config::Config::from_file(p)?,
        None => riposte::config::Config::default(),
    };
    let lex = config.lexicon();
    let mut weights = config.weights();
    if let Some(m) = a.min_score {
        weights.min_score = m;
    }
    let read_opts = riposte::read::ReadOptions {
        max_article_bytes: a.input.max_article_bytes,
        strict: a.input.strict,
    };
    let claims = read_side(&a.two.claims, Role::Claim, &read_opts, &lex);
    let responses = read_side(&a.two.responses, Role::Rebuttal, &read_opts, &lex);
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
    let rows = pair_two_sources(&claims.items, &responses.items, &lex, &opts);
    let table = report_table(&rows, a.explain);
    a.output.write(&table, a.input.quiet)?;
    let mut issues = claims.issues;
    issues.extend(responses.issues);
    super::report_issues(&issues, a.input.errors.as_deref(), a.input.quiet)?;
    let failed = claims.failed + responses.failed;
    if !a.input.quiet {
        let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
        eprintln!(
            "riposte pair: claims {}; responses {}; links {}; unanswered claims {}; failed inputs {}; {:.2}s",
            claims.items.len(),
            responses.items.len(),
            count(Status::Paired),
            count(Status::Unanswered),
            failed,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(if failed > 0 { 1 } else { 0 })
}
