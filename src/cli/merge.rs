//! `riposte merge`: the reports of `pair --shard` workers (or of streamed batches) combined
//! into the report one run over all inputs writes, byte for byte.

use clap::Args;
use riposte::merge::{merge_reports, sum_stats, Kind};
use riposte::shard::{marker_path, stats_path, Stats};
use std::path::Path;

#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Shard reports (CSV or JSON Lines, all the same kind). A report split into parts can
    /// be named by its `-o` path: the parts listed in its stats file are read.
    #[arg(required = true)]
    pub reports: Vec<String>,
    /// Merged report, or `-` for stdout. Summed stats go to OUTPUT.stats.json.
    #[arg(short, long, default_value = "-")]
    pub output: String,
    /// Concatenate the error files the shards wrote (`pair --errors`, as recorded in their
    /// stats) into this CSV.
    #[arg(long)]
    pub errors: Option<String>,
    /// Do not write a UTF-8 byte-order mark (written by default to CSV files, as `pair` does).
    #[arg(long)]
    pub no_bom: bool,
    /// CSV delimiter of the merged report [default: the shards' own].
    #[arg(long)]
    pub delimiter: Option<char>,
    /// Data rows per CSV file; longer reports are split into numbered parts, as `pair` does.
    #[arg(long, default_value_t = riposte::report::MAX_SHEET_ROWS as u64, value_parser = clap::value_parser!(u64).range(1..=riposte::report::MAX_SHEET_ROWS as u64))]
    pub max_rows: u64,
    /// Do not print the closing summary.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(a: MergeArgs) -> anyhow::Result<u8> {
    let ext = Path::new(&a.output)
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    if matches!(ext.as_deref(), Some("xlsx") | Some("html") | Some("htm")) {
        anyhow::bail!("merge writes the shards' own format (CSV or JSON Lines); run `pair` with -o {} over all inputs for a workbook or page", a.output);
    }
    let mut files = Vec::new();
    let mut stats = Vec::new();
    let mut without = Vec::new();
    for r in &a.reports {
        let sp = stats_path(r);
        if Path::new(&sp).exists() {
            if !Path::new(&marker_path(r)).exists() {
                anyhow::bail!(
                    "{r}: no completion marker {}; the shard did not finish (rerun it)",
                    marker_path(r)
                );
            }
            let s = Stats::read(&sp)?;
            files.extend(s.report.iter().cloned());
            stats.push((r.clone(), s));
        } else {
            files.push(r.clone());
            without.push(r.clone());
        }
    }
    if !stats.is_empty() && !without.is_empty() {
        anyhow::bail!(
            "{} has no stats file, but the other reports do; merge shards of one job only",
            without.join(", ")
        );
    }
    let total = if stats.is_empty() {
        None
    } else {
        Some(sum_stats(&stats)?)
    };
    for (i, f) in files.iter().enumerate() {
        if a.output != "-" && files[..i].contains(f) {
            anyhow::bail!("{f} is given twice");
        }
        if a.output != "-" && std::fs::canonicalize(f).ok() == std::fs::canonicalize(&a.output).ok()
        {
            anyhow::bail!(
                "output {} is also an input; refusing to overwrite it",
                a.output
            );
        }
    }
    let merged = merge_reports(&files)?;
    if let Some(t) = &total {
        if t.rows != merged.len() as u64 {
            anyhow::bail!("the shard reports hold {} rows but their stats say {}; a report was changed after its shard finished", merged.len(), t.rows);
        }
    }
    let delimiter = match (a.delimiter, merged.kind) {
        (Some(d), _) => {
            if !d.is_ascii() || matches!(d, '"' | '\n' | '\r') {
                anyhow::bail!(
                    "--delimiter must be one ASCII character other than a quote or line break"
                );
            }
            d as u8
        }
        (None, Kind::Csv { delimiter }) => delimiter,
        (None, Kind::Jsonl) => b',',
    };
    let opts = riposte::report::CsvOptions {
        bom: !a.no_bom && a.output != "-",
        delimiter,
        keep_newlines: false,
        max_rows: a.max_rows as usize,
    };
    let written = merged.write(&a.output, &opts)?;
    if let Some(e) = &a.errors {
        let sources: Vec<&str> = stats.iter().filter_map(|s| s.1.errors.as_deref()).collect();
        if sources.is_empty() {
            anyhow::bail!("--errors: no shard recorded an error file (run the shards with `pair --errors FILE`)");
        }
        let mut records = Vec::new();
        for src in &sources {
            let mut rdr = csv::Reader::from_path(src)
                .map_err(|err| anyhow::anyhow!("error file {src}: {err}"))?;
            for rec in rdr.records() {
                records.push(rec?);
            }
        }
        riposte::report::write_output(e, |w| {
            let mut wr = csv::Writer::from_writer(w);
            wr.write_record(["input", "line", "severity", "kind", "message"])?;
            for r in &records {
                wr.write_record(r)?;
            }
            wr.flush()
        })?;
    }
    if let Some(mut t) = total {
        t.report = written.clone();
        t.errors = a.errors.clone();
        if a.output != "-" {
            t.write(&stats_path(&a.output))?;
        }
        if !a.quiet {
            eprintln!(
                "riposte merge: {} shards ({}); articles read {} / failed {}; claims {}; rebuttals {}; links {}; unanswered claims {}; unmatched rebuttals {}; rows {}",
                t.shards.len(),
                t.input_fingerprint,
                t.articles_read,
                t.articles_failed,
                t.claims,
                t.rebuttals,
                t.links,
                t.unanswered,
                t.unmatched,
                t.rows
            );
        }
        return Ok(t.exit_code);
    }
    if !a.quiet {
        eprintln!(
            "riposte merge: {} reports without stats; rows {}",
            files.len(),
            merged.len()
        );
    }
    Ok(0)
}
