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
}

pub fn run(a: PairArgs) -> anyhow::Result<u8> {
    let started = std::time::Instant::now();
    let loaded = super::load(&a.input, Some(&a.output.output))?;
    let lex = loaded.config.lexicon();
    let mut weights = loaded.config.weights();
    if let Some(m) = a.min_score {
        weights.min_score = m;
    }
    let opts = PairOptions {
        weights,
        top_k: a.top_k,
    };
    let progress = (loaded.batch.articles.len() > 50
        && std::io::IsTerminal::is_terminal(&std::io::stderr())
        && !a.input.quiet)
        .then(|| {
            indicatif::ProgressBar::new(loaded.batch.articles.len() as u64)
                .with_message("extracting")
        });
    let results =
        pipeline::extract_all_with(&loaded.batch.articles, &lex, &loaded.hints, &loaded.limits);
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
    let table = report_table(&rows, a.explain);
    let csv_opts = a.output.csv_options();
    // Problems first: an unwritable --errors file then stops the run before a report exists,
    // and a closed stdout pipe cannot cut the account of bad inputs short.
    super::report_issues(&issues, a.input.errors.as_deref(), a.input.quiet)?;
    riposte::report::write_output(&a.output.output, |w| {
        riposte::report::write_table(&table, a.output.format, &csv_opts, w)
    })?;
    if !a.input.quiet {
        let count = |s: Status| rows.iter().filter(|r| r.status == s).count();
        let units: Vec<&riposte::Unit> = per_article.iter().flat_map(|a| a.1.iter()).collect();
        let claims = units
            .iter()
            .filter(|u| u.role == riposte::Role::Claim)
            .count();
        eprintln!(
            "riposte pair: {}; claims {}; rebuttals {}; links {}; unanswered claims {}; unmatched rebuttals {}; {:.2}s",
            super::accounting(loaded.batch.given, per_article.len(), failed),
            claims,
            units.len() - claims,
            count(Status::Paired),
            count(Status::Unanswered),
            count(Status::Unmatched),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(if failed > 0 { 1 } else { 0 })
}
