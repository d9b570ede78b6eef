//! `riposte eval`: precision, recall and F1 of units (and pairs, for a pair report).

use clap::Args;

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Gold annotations (JSON Lines; see data/README.md).
    #[arg(long, default_value = "data/gold.jsonl")]
    pub gold: String,
    /// A units CSV from `riposte extract` or a report CSV from `riposte pair`.
    pub predictions: String,
    /// Print machine-readable JSON instead of the table.
    #[arg(long)]
    pub json: bool,
    /// List missed and spurious units and links per article.
    #[arg(long, short)]
    pub verbose: bool,
}

pub fn run(a: EvalArgs) -> anyhow::Result<u8> {
    let gold = riposte::eval::load_gold(&a.gold)?;
    let pred = riposte::eval::load_predictions(&a.predictions)?;
    let lex = riposte::Lexicon::builtin();
    let rep = riposte::eval::evaluate(&gold, &pred, &lex);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&rep)?);
    } else {
        print!("{}", riposte::eval::render(&rep, a.verbose));
    }
    Ok(0)
}
