//! `riposte pair`: the main job — claims linked to the rebuttals that answer them.

use super::{InputArgs, OutputArgs};
use clap::Args;
use riposte::pair::{pair_batch, report_table, PairOptions, Status};
use riposte::pipeline;

#[derive(Args, Debug)]
pub struct PairArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Minimum composite score for a specific link (blanket links are kept regardless).
    #[arg(long)]
    pub min_score: Option<f32>,
    /// Rebuttals kept per claim, best first (0 = all).
    #[arg(long, default_value_t = 8)]
    pub top_k: usize,
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
}

pub fn run(a: PairArgs) -> anyhow::Result<u8> {
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
        top_k: a.top_k,
        ..PairOptions::default()
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
    let mut issues = loaded.batch.issues.clone();
    let mut failed = loaded.batch.failed;
    let mut per_article = Vec::new();
    for r in &results {
        match &r.outcome {
            Ok(e) => {
                issues.extend(e.warnings.iter().cloned());
                per_article.push((r.id.clone(), e.units.clone()));
            }
            Err(i) => {
                issues.push(i.clone());
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
