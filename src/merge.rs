//! Merging shard reports back into the report a single run would have written.
//!
//! A single run writes articles in id order and, within an article, rows in an order that
//! depends on that article alone (with the default per-article IDF). Every article lives in
//! exactly one shard, so the merge keeps each article's rows as one contiguous block, exactly
//! as written, and orders the blocks by article id. That reproduces the single run byte for
//! byte; it also puts a streamed (input-ordered) JSON Lines report into report order.

use crate::error::{Error, Result};
use crate::report::{unguard, write_output, CsvOptions};
use crate::shard::Stats;

/// The format of a pair report, recognised from its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Csv { delimiter: u8 },
    Jsonl,
}

/// All rows of the reports, in single-run order.
#[derive(Debug, Clone)]
pub struct Merged {
    pub kind: Kind,
    /// CSV only: the header record, the same in every input.
    pub headers: Vec<String>,
    /// CSV: parsed records. JSON Lines: the raw lines, re-emitted untouched.
    pub csv_rows: Vec<csv::StringRecord>,
    pub json_rows: Vec<String>,
}

fn bad(path: &str, line: usize, message: impl Into<String>) -> Error {
    Error::Report {
        path: path.to_string(),
        line,
        message: message.into(),
    }
}

/// One article's rows: (sort key, input number, position in input, row range).
struct Block {
    key: String,
    input: usize,
    seq: usize,
    rows: std::ops::Range<usize>,
}

/// Reads the reports and returns their rows in single-run order. Every input must be the
/// same kind (CSV or JSON Lines) and, for CSV, have the same header and delimiter.
pub fn merge_reports(paths: &[String]) -> Result<Merged> {
    let mut merged = Merged {
        kind: Kind::Jsonl,
        headers: Vec::new(),
        csv_rows: Vec::new(),
        json_rows: Vec::new(),
    };
    let mut blocks: Vec<Block> = Vec::new();
    let mut kind: Option<Kind> = None;
    for (input, path) in paths.iter().enumerate() {
        let bytes = std::fs::read(path).map_err(|e| Error::Io {
            path: path.clone(),
            source: e,
        })?;
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let this = if body.first() == Some(&b'{') {
            Kind::Jsonl
        } else if body.is_empty() {
            // An empty JSON Lines report: a shard that owned no article with a unit.
            kind.unwrap_or(Kind::Jsonl)
        } else if let Some(rest) = body.strip_prefix(b"article") {
            Kind::Csv {
                delimiter: *rest
                    .first()
                    .ok_or_else(|| bad(path, 1, "header has a single column"))?,
            }
        } else {
            return Err(bad(
                path,
                1,
                "not a riposte pair report (CSV starting with `article` or JSON Lines)",
            ));
        };
        match kind {
            None => kind = Some(this),
            Some(k) if k != this && !body.is_empty() => {
                return Err(bad(
                    path,
                    1,
                    format!("is {this:?} but earlier reports are {k:?}; merge one kind at a time"),
                ))
            }
            _ => {}
        }
        let start_seq = blocks.len();
        match this {
            Kind::Jsonl => {
                let text = std::str::from_utf8(body).map_err(|e| bad(path, 0, e.to_string()))?;
                for (i, line) in text.lines().enumerate() {
                    if line.trim().is_empty() {
                        continue;
                    }
                    let v: serde_json::Value =
                        serde_json::from_str(line).map_err(|e| bad(path, i + 1, e.to_string()))?;
                    let key = v
                        .get("article")
                        .and_then(|a| a.as_str())
                        .ok_or_else(|| bad(path, i + 1, "no string field `article`"))?;
                    push_row(&mut blocks, key, input, merged.json_rows.len());
                    merged.json_rows.push(line.to_string());
                }
            }
            Kind::Csv { delimiter } => {
                let mut rdr = csv::ReaderBuilder::new()
                    .delimiter(delimiter)
                    .from_reader(body);
                let headers: Vec<String> = rdr.headers()?.iter().map(str::to_string).collect();
                if merged.headers.is_empty() {
                    merged.headers = headers;
                } else if merged.headers != headers {
                    return Err(bad(
                        path,
                        1,
                        "header differs from the first report's (different --explain or version?)",
                    ));
                }
                for rec in rdr.records() {
                    let rec = rec?;
                    // Unguarded, so that blocks sort by the article id itself, as the single
                    // run did.
                    let key = unguard(rec.get(0).unwrap_or("")).to_string();
                    push_row(&mut blocks, &key, input, merged.csv_rows.len());
                    merged.csv_rows.push(rec);
                }
            }
        }
        for (seq, b) in blocks[start_seq..].iter_mut().enumerate() {
            b.seq = seq;
        }
    }
    merged.kind = kind.unwrap_or(Kind::Jsonl);
    // Stable: an id that occurs twice (two inputs giving the same id) stays in the order its
    // shard wrote it, which is the single run's order because both went to the same shard.
    blocks.sort_by(|a, b| {
        a.key
            .cmp(&b.key)
            .then(a.input.cmp(&b.input))
            .then(a.seq.cmp(&b.seq))
    });
    let order: Vec<usize> = blocks.iter().flat_map(|b| b.rows.clone()).collect();
    if matches!(merged.kind, Kind::Csv { .. }) {
        merged.csv_rows = permute(std::mem::take(&mut merged.csv_rows), &order);
    } else {
        merged.json_rows = permute(std::mem::take(&mut merged.json_rows), &order);
    }
    Ok(merged)
}

fn push_row(blocks: &mut Vec<Block>, key: &str, input: usize, row: usize) {
    match blocks.last_mut() {
        Some(b) if b.input == input && b.key == key && b.rows.end == row => b.rows.end += 1,
        _ => blocks.push(Block {
            key: key.to_string(),
            input,
            seq: 0,
            rows: row..row + 1,
        }),
    }
}

fn permute<T>(rows: Vec<T>, order: &[usize]) -> Vec<T> {
    let mut slots: Vec<Option<T>> = rows.into_iter().map(Some).collect();
    order.iter().filter_map(|&i| slots[i].take()).collect()
}

impl Merged {
    pub fn len(&self) -> usize {
        match self.kind {
            Kind::Csv { .. } => self.csv_rows.len(),
            Kind::Jsonl => self.json_rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes the merged report the way `pair` writes one: BOM and delimiter from `opts`,
    /// CRLF records, and a CSV longer than `opts.max_rows` split into numbered parts.
    pub fn write(&self, path: &str, opts: &CsvOptions) -> Result<Vec<String>> {
        match self.kind {
            Kind::Jsonl => {
                write_output(path, |w| {
                    for line in &self.json_rows {
                        w.write_all(line.as_bytes())?;
                        w.write_all(b"\n")?;
                    }
                    Ok(())
                })?;
                Ok(vec![path.to_string()])
            }
            Kind::Csv { .. } => {
                let max = opts.max_rows.max(1);
                let chunks: Vec<&[csv::StringRecord]> = if path == "-" || self.csv_rows.len() <= max
                {
                    vec![&self.csv_rows[..]]
                } else {
                    self.csv_rows.chunks(max).collect()
                };
                let mut written = Vec::new();
                for (i, chunk) in chunks.iter().enumerate() {
                    let p = if chunks.len() == 1 {
                        path.to_string()
                    } else {
                        crate::report::part_path(path, i + 1)
                    };
                    write_output(&p, |w| {
                        if opts.bom {
                            w.write_all("\u{feff}".as_bytes())?;
                        }
                        let mut cw = csv::WriterBuilder::new()
                            .delimiter(opts.delimiter)
                            .terminator(csv::Terminator::CRLF)
                            .from_writer(w);
                        cw.write_record(&self.headers)?;
                        for r in chunk.iter() {
                            cw.write_record(r)?;
                        }
                        cw.flush()
                    })?;
                    written.push(p);
                }
                Ok(written)
            }
        }
    }
}

/// Sums shard stats into the stats of the merged report. Refuses shards of different jobs
/// (fingerprints differ) and a set that does not cover 0..N exactly once, because a merge of
/// the wrong shards would look like a complete report.
pub fn sum_stats(parts: &[(String, Stats)]) -> Result<Stats> {
    let mut out = Stats {
        riposte: env!("CARGO_PKG_VERSION").to_string(),
        ..Default::default()
    };
    let Some((_, first)) = parts.first() else {
        return Ok(out);
    };
    out.input_fingerprint = first.input_fingerprint.clone();
    let mut seen: Vec<(u64, u64, &str)> = Vec::new();
    for (path, s) in parts {
        if s.input_fingerprint != out.input_fingerprint {
            return Err(Error::Usage(format!(
                "{path}: input fingerprint {} differs from {} ({}): the shards were run on different inputs or settings",
                s.input_fingerprint, first.input_fingerprint, parts[0].0
            )));
        }
        let shard = crate::shard::Shard::parse(&s.shard)
            .map_err(|e| Error::Usage(format!("{path}: shard {:?}: {e}", s.shard)))?;
        seen.push((shard.index, shard.count, path));
        out.articles_read += s.articles_read;
        out.articles_failed += s.articles_failed;
        out.claims += s.claims;
        out.rebuttals += s.rebuttals;
        out.links += s.links;
        out.unanswered += s.unanswered;
        out.unmatched += s.unmatched;
        out.rows += s.rows;
        out.exit_code = out.exit_code.max(s.exit_code);
        out.shards.push(s.shard.clone());
    }
    let n = seen[0].1;
    if let Some(other) = seen.iter().find(|s| s.1 != n) {
        return Err(Error::Usage(format!(
            "{}: shard of {} but {} is a shard of {n}",
            other.2, other.1, seen[0].2
        )));
    }
    seen.sort();
    for w in seen.windows(2) {
        if w[0].0 == w[1].0 {
            return Err(Error::Usage(format!(
                "shard {}/{n} given twice ({} and {})",
                w[0].0, w[0].2, w[1].2
            )));
        }
    }
    let missing: Vec<String> = (0..n)
        .filter(|k| !seen.iter().any(|s| s.0 == *k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(Error::Usage(format!(
            "shard(s) {} missing; a merge without them would not be the whole job",
            missing.join(", ")
        )));
    }
    out.shards.sort_by_key(|s| {
        crate::shard::Shard::parse(s)
            .map(|s| s.index)
            .unwrap_or(u64::MAX)
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unguard_only_strips_the_guard() {
        assert_eq!(unguard("'=x"), "=x");
        assert_eq!(unguard("'-2"), "-2");
        assert_eq!(unguard("'quoted"), "'quoted");
        assert_eq!(unguard("plain"), "plain");
    }

    #[test]
    fn blocks_sort_by_article_and_keep_inner_order() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.jsonl");
        let b = dir.path().join("b.jsonl");
        std::fs::write(
            &a,
            "{\"article\":\"m\",\"n\":2}\n{\"article\":\"m\",\"n\":1}\n{\"article\":\"z\",\"n\":0}\n",
        )
        .unwrap();
        std::fs::write(&b, "{\"article\":\"c\",\"n\":9}\n").unwrap();
        let m = merge_reports(&[
            a.to_string_lossy().into_owned(),
            b.to_string_lossy().into_owned(),
        ])
        .unwrap();
        let ns: Vec<&str> = m.json_rows.iter().map(|l| &l[12..13]).collect();
        assert_eq!(ns, ["c", "m", "m", "z"]);
        assert!(m.json_rows[1].ends_with("2}"));
    }

    #[test]
    fn stats_must_cover_every_shard() {
        let s = |k: &str| Stats {
            shard: k.into(),
            input_fingerprint: "f".into(),
            claims: 1,
            ..Default::default()
        };
        let ok = sum_stats(&[("a".into(), s("1/2")), ("b".into(), s("0/2"))]).unwrap();
        assert_eq!(ok.claims, 2);
        assert_eq!(ok.shards, ["0/2", "1/2"]);
        assert!(sum_stats(&[("a".into(), s("1/2"))]).is_err());
        assert!(sum_stats(&[("a".into(), s("0/2")), ("b".into(), s("0/2"))]).is_err());
        let mut other = s("1/2");
        other.input_fingerprint = "g".into();
        assert!(sum_stats(&[("a".into(), s("0/2")), ("b".into(), other)]).is_err());
    }
}
