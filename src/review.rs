//! The review round trip: a reproducible sample to judge, verdicts read back from whatever
//! the spreadsheet saved, precision estimates from them, and verdicts carried into the next
//! report.
//!
//! Spreadsheets mangle what they re-save: a BOM or none, `;` as the delimiter in many
//! locales, Windows-1252 instead of UTF-8, and our own `'` formula guard kept as text. All of
//! that is undone here; what cannot be understood (a blank or unknown verdict) is reported
//! with its row number as the spreadsheet shows it (header = row 1).

use crate::error::{Error, Result};
use crate::report::{Cell, Table};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Correct,
    Wrong,
    Unsure,
}

impl Verdict {
    /// Reads a verdict cell; `Ok(None)` when blank, `Err(())` when not understood. Common
    /// spellings are accepted because a CSV has no dropdown to stop them.
    #[allow(clippy::result_unit_err)]
    pub fn parse(s: &str) -> std::result::Result<Option<Verdict>, ()> {
        match s.trim().to_lowercase().as_str() {
            "" => Ok(None),
            "correct" | "right" | "yes" | "y" | "ok" | "true" | "✓" => Ok(Some(Verdict::Correct)),
            "wrong" | "incorrect" | "no" | "n" | "false" | "✗" => Ok(Some(Verdict::Wrong)),
            "unsure" | "?" | "maybe" | "unclear" => Ok(Some(Verdict::Unsure)),
            _ => Err(()),
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Verdict::Correct => "correct",
            Verdict::Wrong => "wrong",
            Verdict::Unsure => "unsure",
        }
    }
}

/// A worksheet as text: headers and (spreadsheet row number, cells).
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
    /// How the file was decoded and split, for the summary (`UTF-8 with BOM, ';'`).
    pub encoding: String,
}

impl Sheet {
    pub fn col(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h.trim() == name)
    }
}

pub use crate::report::unguard;

/// Reads a reviewed report: `.xlsx` by its extension, anything else as delimited text.
pub fn read_sheet(path: &str) -> Result<Sheet> {
    let is_xlsx = std::path::Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"));
    if is_xlsx {
        read_xlsx(path)
    } else {
        let bytes = std::fs::read(path).map_err(|e| Error::Io {
            path: path.into(),
            source: e,
        })?;
        parse_delimited(&bytes, path)
    }
}

/// Decodes (UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252), sniffs the
/// delimiter from the header line and splits the rows.
pub fn parse_delimited(bytes: &[u8], path: &str) -> Result<Sheet> {
    let (text, encoding) = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        (String::from_utf8_lossy(rest).into_owned(), "UTF-8 with BOM")
    } else if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        // Excel's "Unicode Text" save: UTF-16 with a BOM, tab-delimited.
        let (t, _, _) = encoding_rs::UTF_16LE.decode(bytes);
        (t.into_owned(), "UTF-16")
    } else {
        match std::str::from_utf8(bytes) {
            Ok(s) => (s.to_string(), "UTF-8"),
            Err(_) => {
                let (t, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
                (t.into_owned(), "Windows-1252")
            }
        }
    };
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| Error::Report {
            path: path.into(),
            line: 1,
            message: e.to_string(),
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| Error::Report {
            path: path.into(),
            line: i + 2,
            message: e.to_string(),
        })?;
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push((i + 2, rec.iter().map(|c| unguard(c).to_string()).collect()));
    }
    let delim = match delimiter {
        b';' => "';'",
        b'\t' => "tab",
        _ => "','",
    };
    Ok(Sheet {
        headers,
        rows,
        encoding: format!("{encoding}, {delim}-delimited"),
    })
}

/// Every worksheet whose header has a `pair_id` column, concatenated (a long report is
/// split across `report`, `report 2`, …).
fn read_xlsx(path: &str) -> Result<Sheet> {
    use calamine::{Data, Reader};
    let err = |m: String| Error::Spreadsheet {
        path: path.into(),
        message: m,
    };
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook(path).map_err(|e: calamine::XlsxError| err(e.to_string()))?;
    let mut sheet = Sheet {
        encoding: "xlsx workbook".into(),
        ..Default::default()
    };
    let text = |d: &Data| match d {
        Data::String(s) => unguard(s).to_string(),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::DateTime(d) => d.to_string(),
        Data::Error(_) | Data::Empty => String::new(),
    };
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).map_err(|e| err(e.to_string()))?;
        let start = range.start().map_or(0, |s| s.0 as usize);
        let mut rows = range.rows();
        let Some(h) = rows.next() else { continue };
        let headers: Vec<String> = h.iter().map(|c| text(c).trim().to_string()).collect();
        if !headers.iter().any(|h| h == "pair_id") {
            continue;
        }
        if sheet.headers.is_empty() {
            sheet.headers = headers.clone();
        }
        let map: Vec<Option<usize>> = sheet
            .headers
            .iter()
            .map(|n| headers.iter().position(|h| h == n))
            .collect();
        for (i, r) in rows.enumerate() {
            let cells: Vec<String> = map
                .iter()
                .map(|m| m.and_then(|k| r.get(k)).map(text).unwrap_or_default())
                .collect();
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            // Spreadsheet rows are 1-based and the header is the range's first row.
            sheet.rows.push((start + i + 2, cells));
        }
    }
    if sheet.headers.is_empty() {
        return Err(err("no worksheet with a `pair_id` column".into()));
    }
    Ok(sheet)
}

/// One row of a reviewed report.
#[derive(Debug, Clone, Serialize)]
pub struct Reviewed {
    pub row: usize,
    pub pair_id: String,
    pub article: String,
    pub status: String,
    pub score: Option<f64>,
    pub confidence: String,
    pub sample: bool,
    pub verdict: Option<Verdict>,
    /// The verdict cell as typed, kept when it was not understood so it is not lost.
    pub verdict_text: String,
    pub note: String,
    pub claim_text: String,
    pub rebuttal_text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub row: usize,
    pub pair_id: String,
    /// `unknown-verdict`, `blank-verdict`, `bad-score`.
    pub kind: &'static str,
    pub message: String,
}

/// The verdicts of a reviewed report plus the rows that could not be understood.
#[derive(Debug, Clone, Serialize)]
pub struct Verdicts {
    pub path: String,
    pub encoding: String,
    pub rows: Vec<Reviewed>,
    pub problems: Vec<Problem>,
}

/// Truthy sample cells: ours is `yes`; a spreadsheet may turn it into TRUE or 1.
fn is_flag(s: &str) -> bool {
    matches!(
        s.trim().to_lowercase().as_str(),
        "yes" | "y" | "true" | "1" | "x"
    )
}

fn parse_score(s: &str) -> Option<f64> {
    // `0,512` in locales with a decimal comma.
    s.trim().replace(',', ".").parse().ok()
}

/// Reads the verdicts of a reviewed report (CSV in any of the usual re-saves, or xlsx).
pub fn read_verdicts(path: &str) -> Result<Verdicts> {
    let sheet = read_sheet(path)?;
    verdicts_of(&sheet, path)
}

pub fn verdicts_of(sheet: &Sheet, path: &str) -> Result<Verdicts> {
    let need = |n: &str| {
        sheet.col(n).ok_or_else(|| Error::Report {
            path: path.into(),
            line: 1,
            message: format!(
                "missing column `{n}` (is this a `riposte pair` report? columns: {})",
                sheet.headers.join(", ")
            ),
        })
    };
    let (pid, vcol) = (need("pair_id")?, need("verdict")?);
    let opt = |n: &str| sheet.col(n);
    let cols = [
        "article",
        "status",
        "score",
        "confidence",
        "sample",
        "note",
        "claim_text",
        "rebuttal_text",
    ]
    .map(opt);
    let [art, st, sc, cf, sm, nt, ct, rt] = cols;
    let mut out = Verdicts {
        path: path.into(),
        encoding: sheet.encoding.clone(),
        rows: Vec::new(),
        problems: Vec::new(),
    };
    for (row, cells) in &sheet.rows {
        let g = |c: Option<usize>| {
            c.and_then(|i| cells.get(i))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let pair_id = g(Some(pid));
        let verdict_text = g(Some(vcol));
        let verdict = match Verdict::parse(&verdict_text) {
            Ok(v) => v,
            Err(()) => {
                out.problems.push(Problem {
                    row: *row,
                    pair_id: pair_id.clone(),
                    kind: "unknown-verdict",
                    message: format!(
                        "verdict \u{201c}{verdict_text}\u{201d} is not correct, wrong or unsure; row ignored"
                    ),
                });
                None
            }
        };
        let score_text = g(sc);
        let score = parse_score(&score_text);
        if score.is_none() && !score_text.is_empty() {
            out.problems.push(Problem {
                row: *row,
                pair_id: pair_id.clone(),
                kind: "bad-score",
                message: format!("score \u{201c}{score_text}\u{201d} is not a number"),
            });
        }
        out.rows.push(Reviewed {
            row: *row,
            pair_id,
            article: g(art),
            status: g(st),
            score,
            confidence: g(cf),
            sample: is_flag(&g(sm)),
            verdict,
            verdict_text,
            note: g(nt),
            claim_text: g(ct),
            rebuttal_text: g(rt),
        });
    }
    let sampled = out.rows.iter().any(|r| r.sample);
    for r in &out.rows {
        // Blank rows only matter where a verdict was asked for: the sample, or every
        // pairing when there is no sample.
        if r.verdict.is_none()
            && r.verdict_text.is_empty()
            && r.status == "paired"
            && (r.sample || !sampled)
        {
            out.problems.push(Problem {
                row: r.row,
                pair_id: r.pair_id.clone(),
                kind: "blank-verdict",
                message: if sampled {
                    "sampled pairing has no verdict".into()
                } else {
                    "pairing has no verdict".into()
                },
            });
        }
    }
    out.problems.sort_by_key(|p| p.row);
    Ok(out)
}

/// Precision with its 95% Wilson interval (sound at small counts and at 0 or 1, unlike the
/// normal approximation).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Band {
    pub band: String,
    pub correct: usize,
    pub wrong: usize,
    pub unsure: usize,
    pub blank: usize,
    pub precision: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
}

impl Band {
    fn add(&mut self, v: Option<Verdict>) {
        match v {
            Some(Verdict::Correct) => self.correct += 1,
            Some(Verdict::Wrong) => self.wrong += 1,
            Some(Verdict::Unsure) => self.unsure += 1,
            None => self.blank += 1,
        }
    }
    fn finish(&mut self) {
        let n = (self.correct + self.wrong) as f64;
        if n == 0.0 {
            return;
        }
        let p = self.correct as f64 / n;
        let z = 1.96f64;
        let d = 1.0 + z * z / n;
        let c = (p + z * z / (2.0 * n)) / d;
        let h = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / d;
        self.precision = Some(p);
        self.low = Some((c - h).max(0.0));
        self.high = Some((c + h).min(1.0));
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Threshold {
    pub target: f64,
    /// Lowest score whose pairings at or above it reach the target; None when none does.
    pub score: Option<f64>,
    pub precision: Option<f64>,
    /// Judged pairings kept at that threshold, of all judged pairings with a score.
    pub kept: usize,
    pub judged: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Bin {
    pub from: f64,
    pub to: f64,
    pub correct: usize,
    pub wrong: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// `sample` when precision comes from the sampled rows, else `all judged rows`.
    pub basis: String,
    pub rows: usize,
    pub pairings: usize,
    pub judged: usize,
    pub overall: Band,
    pub bands: Vec<Band>,
    pub threshold: Threshold,
    pub by_score: Vec<Bin>,
    pub wrong: Vec<Reviewed>,
    pub problems: Vec<Problem>,
    pub encoding: String,
}

/// Precision overall and per confidence band over the pairings (from the sample when there
/// is one: rows people chose to look at are not a fair estimate), the threshold reaching
/// `target`, and every pairing marked wrong.
pub fn summarize(v: &Verdicts, target: f64) -> Summary {
    let pairings: Vec<&Reviewed> = v.rows.iter().filter(|r| r.status == "paired").collect();
    let sampled = pairings.iter().any(|r| r.sample);
    let basis: Vec<&Reviewed> = pairings
        .iter()
        .copied()
        .filter(|r| r.sample || !sampled)
        .collect();
    let mut overall = Band {
        band: "overall".into(),
        ..Default::default()
    };
    let mut bands: Vec<Band> = ["high", "medium", "low"]
        .iter()
        .map(|b| Band {
            band: b.to_string(),
            ..Default::default()
        })
        .collect();
    // Unknown verdicts are reported as problems, not counted as blank.
    for r in basis
        .iter()
        .filter(|r| r.verdict.is_some() || r.verdict_text.is_empty())
    {
        overall.add(r.verdict);
        if let Some(b) = bands.iter_mut().find(|b| b.band == r.confidence) {
            b.add(r.verdict);
        }
    }
    overall.finish();
    bands.iter_mut().for_each(Band::finish);
    let mut judged: Vec<(f64, bool)> = basis
        .iter()
        .filter_map(|r| match (r.score, r.verdict) {
            (Some(s), Some(Verdict::Correct)) => Some((s, true)),
            (Some(s), Some(Verdict::Wrong)) => Some((s, false)),
            _ => None,
        })
        .collect();
    judged.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut threshold = Threshold {
        target,
        score: None,
        precision: None,
        kept: 0,
        judged: judged.len(),
    };
    let mut correct = 0;
    for (i, (s, ok)) in judged.iter().enumerate() {
        correct += *ok as usize;
        // Only cut between distinct scores: a threshold keeps all pairings of equal score.
        if judged.get(i + 1).is_some_and(|n| n.0 == *s) {
            continue;
        }
        let p = correct as f64 / (i + 1) as f64;
        if p >= target {
            threshold.score = Some(*s);
            threshold.precision = Some(p);
            threshold.kept = i + 1;
        }
    }
    let mut by_score: Vec<Bin> = (0..10)
        .map(|i| Bin {
            from: i as f64 / 10.0,
            to: (i + 1) as f64 / 10.0,
            correct: 0,
            wrong: 0,
        })
        .collect();
    for (s, ok) in &judged {
        let b = &mut by_score[((s * 10.0).floor().clamp(0.0, 9.0)) as usize];
        if *ok {
            b.correct += 1
        } else {
            b.wrong += 1
        }
    }
    let wrong: Vec<Reviewed> = pairings
        .iter()
        .filter(|r| r.verdict == Some(Verdict::Wrong))
        .map(|r| (*r).clone())
        .collect();
    Summary {
        basis: if sampled {
            "sample".into()
        } else {
            "all judged rows".into()
        },
        rows: v.rows.len(),
        pairings: pairings.len(),
        judged: overall.correct + overall.wrong,
        overall,
        bands,
        threshold,
        by_score,
        wrong,
        problems: v.problems.clone(),
        encoding: v.encoding.clone(),
    }
}

/// Row numbers as compact ranges: `2-5, 9`.
pub fn ranges(rows: &[usize]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let mut j = i;
        while j + 1 < rows.len() && rows[j + 1] == rows[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            rows[i].to_string()
        } else {
            format!("{}-{}", rows[i], rows[j])
        });
        i = j + 1;
    }
    out.join(", ")
}

fn pct(p: Option<f64>) -> String {
    p.map_or("—".into(), |p| format!("{:.1}%", p * 100.0))
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n - 1).collect::<String>() + "…"
    }
}

/// The human-readable review summary.
pub fn render(s: &Summary) -> String {
    let mut o = String::new();
    let line = |o: &mut String, b: &Band| {
        o.push_str(&format!(
            "  {:<8} {:>7}  [{} – {}]  correct {:>4}  wrong {:>4}  unsure {:>4}  blank {:>4}\n",
            b.band,
            pct(b.precision),
            pct(b.low),
            pct(b.high),
            b.correct,
            b.wrong,
            b.unsure,
            b.blank
        ))
    };
    o.push_str(&format!(
        "read {} rows ({}); {} pairings, {} judged correct/wrong; precision from the {}\n",
        s.rows, s.encoding, s.pairings, s.judged, s.basis
    ));
    o.push_str("precision (95% interval):\n");
    line(&mut o, &s.overall);
    for b in &s.bands {
        line(&mut o, b);
    }
    let t = &s.threshold;
    match t.score {
        Some(x) => o.push_str(&format!(
            "threshold for {:.0}% precision: score >= {x:.3} (precision {}, keeps {} of {} judged pairings)\n",
            t.target * 100.0,
            pct(t.precision),
            t.kept,
            t.judged
        )),
        None => o.push_str(&format!(
            "threshold for {:.0}% precision: none reaches it ({} judged pairings with a score)\n",
            t.target * 100.0,
            t.judged
        )),
    }
    if !s.wrong.is_empty() {
        o.push_str(&format!("pairings marked wrong ({}):\n", s.wrong.len()));
        for r in &s.wrong {
            o.push_str(&format!(
                "  row {} {} {} score {}: {} ⟂ {}{}\n",
                r.row,
                r.pair_id,
                r.article,
                r.score.map_or("—".into(), |x| format!("{x:.3}")),
                clip(&r.claim_text, 70),
                clip(&r.rebuttal_text, 70),
                if r.note.is_empty() {
                    String::new()
                } else {
                    format!(" (note: {})", clip(&r.note, 80))
                }
            ));
        }
    }
    for kind in ["unknown-verdict", "bad-score"] {
        for p in s.problems.iter().filter(|p| p.kind == kind) {
            o.push_str(&format!("row {}: {} ({})\n", p.row, p.message, p.pair_id));
        }
    }
    let blank: Vec<usize> = s
        .problems
        .iter()
        .filter(|p| p.kind == "blank-verdict")
        .map(|p| p.row)
        .collect();
    if !blank.is_empty() {
        o.push_str(&format!(
            "blank verdict in {} {} row{}: {}\n",
            blank.len(),
            if s.basis == "sample" {
                "sampled"
            } else {
                "pairing"
            },
            if blank.len() == 1 { "" } else { "s" },
            ranges(&blank)
        ));
    }
    o
}

/// Flags a reproducible random sample of `n` pairings in the `sample` column. Each row's
/// draw is a hash of its pair_id and the seed, so the sample depends on neither row order
/// nor thread count, and a row stays in the sample across reruns while its pair_id holds.
/// Only pairings are drawn: the sample estimates the precision of pairings.
pub fn flag_sample(table: &mut Table, n: usize, seed: u64) -> usize {
    let col = |name: &str| table.headers.iter().position(|h| *h == name);
    let (Some(pid), Some(st), Some(sm)) = (col("pair_id"), col("status"), col("sample")) else {
        return 0;
    };
    let text = |c: &Cell| match c {
        Cell::Text(s) => s.clone(),
        _ => String::new(),
    };
    let mut draws: Vec<(u64, String, usize)> = table
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| text(&r[st]) == "paired")
        .map(|(i, r)| {
            let id = text(&r[pid]);
            (
                xxhash_rust::xxh3::xxh3_64_with_seed(id.as_bytes(), seed),
                id,
                i,
            )
        })
        .collect();
    draws.sort();
    let picked = draws.len().min(n);
    for (_, _, i) in draws.into_iter().take(n) {
        table.rows[i][sm] = Cell::Text("yes".into());
    }
    picked
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Carry {
    /// Rows of the new report that got a verdict or note from the reviewed file.
    pub carried: usize,
    /// Rows whose pair_id the reviewed file did not have.
    pub new: usize,
    /// Reviewed rows with a verdict or note whose pair_id is gone from the new report.
    pub dropped: usize,
}

/// Copies verdicts and notes into the new report for pair_ids it still has. Recognised
/// verdicts are written in their canonical spelling; others as typed, so nothing a reviewer
/// wrote is lost.
pub fn carry_verdicts(table: &mut Table, old: &Verdicts) -> Carry {
    let col = |name: &str| table.headers.iter().position(|h| *h == name);
    let (Some(pid), Some(vc), Some(nc)) = (col("pair_id"), col("verdict"), col("note")) else {
        return Carry::default();
    };
    let mut by_id: HashMap<&str, &Reviewed> = HashMap::new();
    for r in &old.rows {
        by_id.entry(r.pair_id.as_str()).or_insert(r);
    }
    let mut carry = Carry::default();
    let mut present = HashSet::new();
    for row in &mut table.rows {
        let id = match &row[pid] {
            Cell::Text(s) => s.clone(),
            _ => String::new(),
        };
        match by_id.get(id.as_str()) {
            Some(r) => {
                present.insert(r.pair_id.as_str());
                let verdict = r
                    .verdict
                    .map_or(r.verdict_text.clone(), |v| v.as_str().to_string());
                if verdict.is_empty() && r.note.is_empty() {
                    continue;
                }
                if !verdict.is_empty() {
                    row[vc] = Cell::Text(verdict);
                }
                if !r.note.is_empty() {
                    row[nc] = Cell::Text(r.note.clone());
                }
                carry.carried += 1;
            }
            None => carry.new += 1,
        }
    }
    carry.dropped = old
        .rows
        .iter()
        .filter(|r| !present.contains(r.pair_id.as_str()))
        .filter(|r| !r.verdict_text.is_empty() || !r.note.is_empty())
        .map(|r| r.pair_id.as_str())
        .collect::<HashSet<_>>()
        .len();
    carry
}

/// The reviewed rows as a report table, for the review page.
pub fn to_table(sheet: &Sheet) -> (Vec<String>, Vec<Vec<Cell>>) {
    let score = sheet.col("score");
    let rows = sheet
        .rows
        .iter()
        .map(|(_, cells)| {
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| match (Some(i) == score, parse_score(c)) {
                    (true, Some(x)) => Cell::Num(x),
                    _ if c.is_empty() => Cell::Empty,
                    _ => Cell::Text(c.clone()),
                })
                .collect()
        })
        .collect();
    (sheet.headers.clone(), rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_semicolon_cp1252_with_guard() {
        let bytes = b"article;pair_id;status;score;verdict;note\r\nZ\xfcrich;p1;paired;0,5;Correct;'=x\r\nb;p2;paired;0.2;bogus;\r\n";
        let v = verdicts_of(&parse_delimited(bytes, "t.csv").unwrap(), "t.csv").unwrap();
        assert_eq!(v.rows[0].article, "Zürich");
        assert_eq!(v.rows[0].score, Some(0.5));
        assert_eq!(v.rows[0].verdict, Some(Verdict::Correct));
        assert_eq!(v.rows[0].note, "=x");
        assert_eq!(v.problems[0].row, 3);
        assert_eq!(v.problems[0].kind, "unknown-verdict");
    }

    fn row(score: f64, v: Verdict) -> Reviewed {
        Reviewed {
            row: 0,
            pair_id: String::new(),
            article: String::new(),
            status: "paired".into(),
            score: Some(score),
            confidence: "high".into(),
            sample: false,
            verdict: Some(v),
            verdict_text: v.as_str().into(),
            note: String::new(),
            claim_text: String::new(),
            rebuttal_text: String::new(),
        }
    }

    #[test]
    fn threshold_is_the_lowest_score_reaching_the_target() {
        use Verdict::*;
        let v = Verdicts {
            path: String::new(),
            encoding: String::new(),
            rows: [
                (0.9, Correct),
                (0.8, Correct),
                (0.7, Wrong),
                (0.6, Correct),
                (0.5, Correct),
                (0.4, Wrong),
                (0.3, Wrong),
            ]
            .into_iter()
            .map(|(s, v)| row(s, v))
            .collect(),
            problems: vec![],
        };
        // At 0.5: 4 of 5 correct = 80%; at 0.4: 4 of 6 = 67%.
        let t = summarize(&v, 0.8).threshold;
        assert_eq!((t.score, t.kept, t.judged), (Some(0.5), 5, 7));
        assert_eq!(summarize(&v, 1.0).threshold.score, Some(0.8));
        assert_eq!(summarize(&v, 0.5).threshold.score, Some(0.3));
    }

    #[test]
    fn wilson_and_ranges() {
        let mut b = Band::default();
        for _ in 0..9 {
            b.add(Some(Verdict::Correct));
        }
        b.add(Some(Verdict::Wrong));
        b.finish();
        assert_eq!(b.precision, Some(0.9));
        assert!(b.low.unwrap() > 0.55 && b.high.unwrap() < 0.99);
        assert_eq!(ranges(&[2, 3, 4, 7, 9, 10]), "2-4, 7, 9-10");
    }
}
