//! `riposte review`: read the verdicts of a reviewed report back and say how precise the
//! pairings are, where to set the threshold, and which pairings were wrong.

use clap::Args;

#[derive(Args, Debug)]
pub struct ReviewArgs {
    /// The reviewed report: CSV (any delimiter, UTF-8 or Windows-1252) or xlsx.
    pub reviewed: String,
    /// Precision the suggested score threshold must reach.
    #[arg(long, default_value_t = 0.9)]
    pub target: f64,
    /// Print machine-readable JSON instead of the summary.
    #[arg(long)]
    pub json: bool,
    /// Write a chart of precision by score (SVG).
    #[arg(long, value_name = "OUT.svg")]
    pub chart: Option<String>,
    /// Write the reviewed rows as a self-contained HTML review page.
    #[arg(long, value_name = "OUT.html")]
    pub html: Option<String>,
}

pub fn run(a: ReviewArgs) -> anyhow::Result<u8> {
    if !(0.0..=1.0).contains(&a.target) {
        anyhow::bail!("--target must be between 0 and 1 (got {})", a.target);
    }
    let sheet = riposte::review::read_sheet(&a.reviewed)?;
    let verdicts = riposte::review::verdicts_of(&sheet, &a.reviewed)?;
    let summary = riposte::review::summarize(&verdicts, a.target);
    if let Some(p) = &a.chart {
        riposte::chart::precision_by_score(&summary, p)?;
    }
    if let Some(p) = &a.html {
        let (headers, rows) = riposte::review::to_table(&sheet);
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let title = format!("riposte review of {}", a.reviewed);
        riposte::report::write_output(p, |w| {
            w.write_all(riposte::html::render(&headers, &rows, &title).as_bytes())
        })?;
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", riposte::review::render(&summary));
    }
    Ok(0)
}
