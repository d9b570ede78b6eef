//! `riposte extract`: every claim and rebuttal unit, one row each.

use super::{InputArgs, OutputArgs};
use clap::Args;
use riposte::pipeline;

#[derive(Args, Debug)]
pub struct ExtractArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Print, for every sentence, the speaker found and why it is or is not a unit (stderr).
    #[arg(long)]
    pub explain: bool,
}

pub fn run(a: ExtractArgs) -> anyhow::Result<u8> {
    let started = std::time::Instant::now();
    if a.output.format() == riposte::report::Format::Html {
        anyhow::bail!("--format html is a review page for pair reports; use `riposte pair`");
    }
    let loaded = super::load(&a.input, Some(&a.output.output), None)?;
    let lex = loaded.config.lexicon();
    let results = pipeline::extract_all_with(
        &loaded.batch.articles,
        &lex,
        &loaded.hints,
        &loaded.limits,
        &|| {},
    );
    let mut issues = loaded.batch.issues.clone();
    let mut failed = loaded.batch.failed;
    let mut units = Vec::new();
    for r in &results {
        match &r.outcome {
            Ok(e) => {
                issues.extend(e.warnings.iter().cloned());
                units.extend(e.units.iter().cloned());
            }
            Err(i) => {
                issues.push(i.clone());
                failed += 1;
            }
        }
    }
    if a.explain {
        for art in &loaded.batch.articles {
            for line in riposte::extract::explain(art, &lex, &loaded.hints) {
                eprintln!("{line}");
            }
        }
    }
    let table = riposte::report::units_table(&units);
    // Problems first: an unwritable --errors file then stops the run before a report exists,
    // and a closed stdout pipe cannot cut the account of bad inputs short.
    super::report_issues(&issues, a.input.errors.as_deref(), a.input.quiet)?;
    a.output.write(&table, a.input.quiet)?;
    if !a.input.quiet {
        let claims = units
            .iter()
            .filter(|u| u.role == riposte::Role::Claim)
            .count();
        eprintln!(
            "riposte extract: {}; claims {}; rebuttals {}; {:.2}s",
            super::accounting(
                loaded.batch.given,
                results.iter().filter(|r| r.outcome.is_ok()).count(),
                failed
            ),
            claims,
            units.len() - claims,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(if failed > 0 { 1 } else { 0 })
}
