//! Stage 7 — report: CSV (spreadsheet-safe) and JSON Lines writers, written atomically.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    #[default]
    Csv,
    Jsonl,
}

#[derive(Debug, Clone)]
pub struct CsvOptions {
    pub bom: bool,
    pub delimiter: u8,
    pub keep_newlines: bool,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            bom: true,
            delimiter: b',',
            keep_newlines: false,
        }
    }
}

/// Excel's cell limit is 32,767 characters; keep clear of it and say so in the cell.
pub const MAX_CELL_CHARS: usize = 32_000;
const TRUNCATION_MARK: &str = " […truncated]";

/// Makes a text cell safe to open in a spreadsheet: flattens line breaks, caps the length,
/// and defuses formula injection (OWASP: a leading = + - @ tab or CR gets a `'`).
pub fn text_cell(s: &str, opts: &CsvOptions) -> String {
    let mut out: String = if opts.keep_newlines {
        s.to_string()
    } else {
        let mut o = String::with_capacity(s.len());
        let mut prev_space = false;
        for c in s.chars() {
            let c = if matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            };
            if c == ' ' && prev_space {
                continue;
            }
            prev_space = c == ' ';
            o.push(c);
        }
        o
    };
    if out.chars().count() > MAX_CELL_CHARS {
        out = out.chars().take(MAX_CELL_CHARS).collect::<String>() + TRUNCATION_MARK;
    }
    if out.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        out.insert(0, '\'');
    }
    out
}

/// A table: header names, and rows of (cell, is_text) so numbers are never altered.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Num(f64),
    Empty,
}

impl Cell {
    fn csv(&self, opts: &CsvOptions) -> String {
        match self {
            Cell::Text(s) => text_cell(s, opts),
            Cell::Int(i) => i.to_string(),
            Cell::Num(f) => format!("{f:.3}"),
            Cell::Empty => String::new(),
        }
    }
    fn json(&self) -> serde_json::Value {
        match self {
            Cell::Text(s) => serde_json::Value::String(s.clone()),
            Cell::Int(i) => serde_json::Value::from(*i),
            Cell::Num(f) => serde_json::Value::from((f * 1000.0).round() / 1000.0),
            Cell::Empty => serde_json::Value::Null,
        }
    }
}

pub fn write_table(
    table: &Table,
    format: Format,
    opts: &CsvOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Csv => {
            if opts.bom {
                out.write_all("\u{feff}".as_bytes())?;
            }
            let mut w = csv::WriterBuilder::new()
                .delimiter(opts.delimiter)
                .terminator(csv::Terminator::CRLF)
                .from_writer(out);
            w.write_record(&table.headers)?;
            for r in &table.rows {
                w.write_record(r.iter().map(|c| c.csv(opts)))?;
            }
            w.flush()?;
        }
        Format::Jsonl => {
            for r in &table.rows {
                let mut m = serde_json::Map::new();
                for (h, c) in table.headers.iter().zip(r) {
                    m.insert(h.to_string(), c.json());
                }
                serde_json::to_writer(&mut *out, &serde_json::Value::Object(m))?;
                out.write_all(b"\n")?;
            }
        }
    }
    Ok(())
}

/// A closed pipe (`| head`), also when it reaches us wrapped in a csv error.
pub fn is_broken_pipe(e: &std::io::Error) -> bool {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return true;
    }
    match e.get_ref() {
        Some(inner) => match inner.downcast_ref::<csv::Error>() {
            Some(ce) => {
                matches!(ce.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
            }
            None => inner
                .downcast_ref::<std::io::Error>()
                .is_some_and(is_broken_pipe),
        },
        None => false,
    }
}

/// Writes to `path` through a temporary file in the same directory, renamed on success, so
/// an interrupted run never leaves a truncated report. `-` writes to stdout.
pub fn write_output(
    path: &str,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    if path == "-" {
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        return match write(&mut lock).and_then(|_| lock.flush()) {
            Ok(()) => Ok(()),
            Err(e) => Err(Error::Io {
                path: "<stdout>".into(),
                source: e,
            }),
        };
    }
    let target = Path::new(path);
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io = |e: std::io::Error| Error::Io {
        path: path.to_string(),
        source: e,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".riposte-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    {
        let mut buf = std::io::BufWriter::new(tmp.as_file_mut());
        write(&mut buf).map_err(io)?;
        buf.flush().map_err(io)?;
    }
    tmp.persist(target).map_err(|e| io(e.error))?;
    Ok(())
}

pub const UNIT_COLUMNS: [&str; 18] = [
    "article",
    "unit_id",
    "role",
    "kind",
    "speaker",
    "speaker_mention",
    "side",
    "party",
    "dispute",
    "quote_type",
    "cue",
    "text",
    "start",
    "end",
    "paragraph",
    "sentence",
    "confidence",
    "rule",
];

pub fn units_table(units: &[crate::unit::Unit]) -> Table {
    let t = |s: &str| Cell::Text(s.to_string());
    Table {
        headers: UNIT_COLUMNS.to_vec(),
        rows: units
            .iter()
            .map(|u| {
                vec![
                    t(&u.article),
                    t(&u.unit_id),
                    t(u.role.as_str()),
                    t(&u.kind),
                    t(&u.speaker),
                    t(&u.speaker_mention),
                    t(&u.side),
                    t(&u.party),
                    t(&u.dispute),
                    t(&u.quote_type),
                    t(&u.cue),
                    t(&u.text),
                    Cell::Int(u.start as i64),
                    Cell::Int(u.end as i64),
                    Cell::Int(u.paragraph as i64),
                    Cell::Int(u.sentence as i64),
                    Cell::Num(u.confidence as f64),
                    t(&u.rule),
                ]
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_injection_is_defused() {
        let o = CsvOptions::default();
        assert_eq!(text_cell("=HYPERLINK(\"x\")", &o), "'=HYPERLINK(\"x\")");
        assert_eq!(text_cell("-2 points", &o), "'-2 points");
        assert_eq!(text_cell("a\nb", &o), "a b");
        assert_eq!(text_cell("plain", &o), "plain");
    }
}
