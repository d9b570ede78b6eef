//! Stage 7 — report: CSV (spreadsheet-safe), JSON Lines, native Excel workbook and a
//! self-contained HTML review page, written atomically.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    #[default]
    Csv,
    Jsonl,
    /// Native Excel workbook: typed cells, frozen header, filters, verdict dropdown.
    Xlsx,
    /// One self-contained review page (pair reports only).
    Html,
}

impl Format {
    /// The format `--format` names, else the one the output's extension asks for. Only the
    /// binary formats are inferred: a `.jsonl` path has always meant CSV unless told
    /// otherwise, and existing scripts rely on that.
    pub fn for_output(explicit: Option<Format>, path: &str) -> Format {
        if let Some(f) = explicit {
            return f;
        }
        let ext = Path::new(path)
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("xlsx") => Format::Xlsx,
            Some("html") | Some("htm") => Format::Html,
            _ => Format::Csv,
        }
    }
}

#[derive(Debug, Clone)]
pub struct CsvOptions {
    pub bom: bool,
    pub delimiter: u8,
    pub keep_newlines: bool,
    /// Data rows per file (or worksheet); more are split into numbered parts.
    pub max_rows: usize,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            bom: true,
            delimiter: b',',
            keep_newlines: false,
            max_rows: MAX_SHEET_ROWS,
        }
    }
}

/// Excel and Calc stop at 1,048,576 rows; one of them is the header. Rows past it are
/// silently lost on open, so a longer report is split instead.
pub const MAX_SHEET_ROWS: usize = 1_048_575;

/// Excel's cell limit is 32,767 characters; keep clear of it and say so in the cell.
pub const MAX_CELL_CHARS: usize = 32_000;
const TRUNCATION_MARK: &str = " […truncated]";

/// Whether flattening leaves `s` as it is: no line break of any kind and no run of spaces.
/// Most cells are like that, and a byte scan spares them the char-by-char copy (issue 7).
fn is_flat(s: &str) -> bool {
    let b = s.as_bytes();
    let mut prev_space = false;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'\n' | b'\r' => return false,
            b' ' if prev_space => return false,
            // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
            0xE2 if b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0xA8 | 0xA9)) => {
                return false
            }
            _ => {}
        }
        prev_space = c == b' ';
    }
    true
}

/// Flattens line breaks (unless kept) and caps the length. Excel counts UTF-16 code units,
/// so text outside the Basic Multilingual Plane counts twice.
pub(crate) fn fit_cell(s: &str, keep_newlines: bool) -> String {
    let mut out: String = if keep_newlines || is_flat(s) {
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
    if out.len() > MAX_CELL_CHARS && out.encode_utf16().count() > MAX_CELL_CHARS {
        let mut units = 0;
        let end = out
            .char_indices()
            .find(|(_, c)| {
                units += c.len_utf16();
                units > MAX_CELL_CHARS
            })
            .map_or(out.len(), |(i, _)| i);
        out.truncate(end);
        out.push_str(TRUNCATION_MARK);
    }
    out
}

/// What a spreadsheet takes as the start of a formula (OWASP): a text cell starting with
/// one gets a `'` before it ([`text_cell`]), which the readers of a report take off again.
pub const FORMULA_LEADS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Takes off the guard [`text_cell`] puts before a formula lead; any other leading `'` stays.
/// The report's readers (merge, review, eval) compare and show cells as they were written.
pub fn unguard(cell: &str) -> &str {
    cell.strip_prefix('\'')
        .filter(|r| r.starts_with(FORMULA_LEADS))
        .unwrap_or(cell)
}

/// Makes a text cell safe to open in a spreadsheet: flattens line breaks, caps the length,
/// and defuses formula injection ([`FORMULA_LEADS`]).
pub fn text_cell(s: &str, opts: &CsvOptions) -> String {
    let mut out = fit_cell(s, opts.keep_newlines);
    if out.starts_with(FORMULA_LEADS) {
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
    /// Appends the cell as the csv writer writes [`Cell::csv`]: text fitted and guarded as
    /// [`text_cell`] does, copied once when fitting leaves it alone (nearly always).
    fn write_csv(&self, out: &mut Vec<u8>, opts: &CsvOptions) {
        match self {
            Cell::Text(s) => push_text_csv(out, s, opts),
            Cell::Int(i) => push_int(out, *i),
            Cell::Num(f) => push_fixed3(out, *f),
            Cell::Empty => {}
        }
    }

    #[cfg(test)]
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
        Format::Csv | Format::Jsonl => write_rows(table, format, opts, true, out)?,
        Format::Xlsx => {
            let bytes = crate::xlsx::workbook(table, opts).map_err(std::io::Error::other)?;
            out.write_all(&bytes)?;
        }
        Format::Html => out.write_all(
            crate::html::render(&table.headers, &table.rows, "riposte report").as_bytes(),
        )?,
    }
    Ok(())
}

/// Writes a table as CSV or JSON Lines, optionally without the CSV header (and BOM): the
/// later batches of a stream continue the first batch's table.
pub fn write_rows(
    table: &Table,
    format: Format,
    opts: &CsvOptions,
    header: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Csv => {
            if opts.bom && header {
                out.write_all("\u{feff}".as_bytes())?;
            }
            // The same bytes as the csv writer, a block of rows at a time (see
            // [`encode_rows`]); like the writer, refuse rows of another length than the first.
            let width = if header {
                table.headers.len()
            } else {
                table.rows.first().map_or(0, Vec::len)
            };
            if let Some(r) = table.rows.iter().find(|r| r.len() != width) {
                return Err(std::io::Error::other(format!(
                    "found record with {} fields, but the previous record has {} fields",
                    r.len(),
                    width
                )));
            }
            let mut buf = Vec::new();
            if header {
                let cells: Vec<Cell> = table
                    .headers
                    .iter()
                    .map(|h| Cell::Text(h.to_string()))
                    .collect();
                encode_rows(&[cells], &table.headers, format, opts, &mut buf)?;
            }
            for block in table.rows.chunks(1024) {
                encode_rows(block, &table.headers, format, opts, &mut buf)?;
                out.write_all(&buf)?;
                buf.clear();
            }
            out.write_all(&buf)?;
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
        Format::Xlsx | Format::Html => {
            return Err(std::io::Error::other(
                "xlsx and html are whole documents, not rows",
            ))
        }
    }
    Ok(())
}

/// Encodes rows as they would appear in a CSV or JSONL report written by [`write_table`],
/// appending to `out`, and returns where each row ends. Rows can then be formatted on many
/// threads and written in order by a [`RowWriter`], byte for byte as the whole table would be.
pub fn encode_rows(
    rows: &[Vec<Cell>],
    headers: &[&'static str],
    format: Format,
    opts: &CsvOptions,
    out: &mut Vec<u8>,
) -> std::io::Result<Vec<usize>> {
    let mut ends = Vec::with_capacity(rows.len());
    match format {
        Format::Jsonl => {
            for r in rows {
                let mut m = serde_json::Map::new();
                for (h, c) in headers.iter().zip(r) {
                    m.insert(h.to_string(), c.json());
                }
                serde_json::to_writer(&mut *out, &serde_json::Value::Object(m))?;
                out.push(b'\n');
                ends.push(out.len());
            }
        }
        _ => {
            // The csv writer's bytes, written straight into `out`: a `String` per cell and
            // the writer's own buffer were a tenth of a `pair` run (issue 7).
            let width = rows.first().map(Vec::len);
            for r in rows {
                if Some(r.len()) != width {
                    // The csv writer refuses records of differing lengths.
                    return Err(std::io::Error::other(format!(
                        "found record with {} fields, but the previous record has {} fields",
                        r.len(),
                        width.unwrap_or_default()
                    )));
                }
                let start = out.len();
                for (k, c) in r.iter().enumerate() {
                    if k > 0 {
                        out.push(opts.delimiter);
                    }
                    c.write_csv(out, opts);
                }
                if out.len() == start {
                    // An empty record is written as one empty quoted field.
                    out.extend_from_slice(b"\"\"");
                }
                out.extend_from_slice(b"\r\n");
                ends.push(out.len());
            }
        }
    }
    Ok(ends)
}

/// Appends a text cell as the csv writer writes [`text_cell`]'s result: fitted and guarded,
/// copied once when fitting leaves it alone (nearly always).
pub(crate) fn push_text_csv(out: &mut Vec<u8>, s: &str, opts: &CsvOptions) {
    // Nothing to write: many of a row's cells are empty.
    if s.is_empty() {
        return;
    }
    push_text_csv_with(out, s, cell_needs(s.as_bytes(), opts.delimiter), opts);
}

/// [`push_text_csv`] with the text's [`cell_needs`] already known: a text written in many
/// rows (a response in two-source pairing) is checked once.
pub(crate) fn push_text_csv_with(
    out: &mut Vec<u8>,
    s: &str,
    (fit, mut quote): (bool, bool),
    opts: &CsvOptions,
) {
    let d = opts.delimiter;
    let fitted;
    let s = if fits_as_is(s.len(), fit, opts) {
        s
    } else {
        fitted = fit_cell(s, opts.keep_newlines);
        quote = cell_needs(fitted.as_bytes(), d).1;
        fitted.as_str()
    };
    // The formula guard is part of the field the writer sees.
    let guard = s.starts_with(FORMULA_LEADS);
    quote |= guard && d == b'\'';
    if quote {
        out.push(b'"');
    }
    if guard {
        out.push(b'\'');
    }
    if quote {
        // Each double quote doubled; found with `memchr` (a `split` at the char costs more).
        let b = s.as_bytes();
        let mut from = 0;
        for at in memchr::memchr_iter(b'"', b) {
            out.extend_from_slice(&b[from..=at]);
            out.push(b'"');
            from = at + 1;
        }
        out.extend_from_slice(&b[from..]);
        out.push(b'"');
    } else {
        out.extend_from_slice(s.as_bytes());
    }
}

/// Whether a text of `len` bytes and [`cell_needs`]' `fit` goes into its cell unfitted
/// ([`fit_cell`] would leave it as it is).
fn fits_as_is(len: usize, fit: bool, opts: &CsvOptions) -> bool {
    len <= MAX_CELL_CHARS && (opts.keep_newlines || !fit)
}

/// The byte a caller pushes before writing a text for [`encode_in_place`]: the opening
/// quote, if the cell needs one.
pub(crate) const IN_PLACE: u8 = b'"';

/// Turns the UTF-8 text written in `out` after byte `at` (an [`IN_PLACE`] the caller pushed)
/// into the cell [`push_text_csv`] writes for it. Most texts made for a cell (a row's
/// evidence) need at most the quotes around them: they are left where they are, not built
/// elsewhere and copied in (issue 7).
pub(crate) fn encode_in_place(out: &mut Vec<u8>, at: usize, opts: &CsvOptions) {
    debug_assert_eq!(out[at], IN_PLACE);
    let text = &out[at + 1..];
    let needs @ (fit, quote) = cell_needs(text, opts.delimiter);
    // What `push_text_csv_with` does other than copying and quoting: fitting, the formula
    // guard and doubling quotes.
    let as_it_is = fits_as_is(text.len(), fit, opts)
        && !text
            .first()
            .is_some_and(|&b| FORMULA_LEADS.contains(&char::from(b)))
        && !(quote && memchr::memchr(b'"', text).is_some());
    if !as_it_is {
        let s = String::from_utf8(out.split_off(at + 1)).expect("the text is UTF-8");
        out.truncate(at);
        push_text_csv_with(out, &s, needs, opts);
    } else if quote {
        out.push(b'"');
    } else {
        out.remove(at);
    }
}

/// Appends an integer cell as the csv writer writes `i.to_string()`.
pub(crate) fn push_int(out: &mut Vec<u8>, i: i64) {
    if i < 0 {
        out.push(b'-');
    }
    push_uint(out, i.unsigned_abs());
}

/// What a text cell needs beyond a copy: (fitting, as [`is_flat`] says no: a line break, a
/// line or paragraph separator or two spaces in a row; quoting, as the csv writer
/// (`QuoteStyle::Necessary`) decides: the delimiter, a double quote or a line break). Eight
/// bytes at a time: the texts are most of a report's bytes.
pub(crate) fn cell_needs(s: &[u8], delimiter: u8) -> (bool, bool) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // 0x80 in each byte of `w` equal to `b`, exactly (no borrow between bytes).
    let eq = |w: u64, b: u8| {
        let v = w ^ (ONES * b as u64);
        !(((v & LOW7) + LOW7) | v | LOW7)
    };
    let (mut fit, mut quote, mut lead, mut prev_space) = (0u64, 0u64, 0u64, 0u64);
    let mut rest = s;
    // Line and paragraph separators found where `rest` starts (by the wide scan).
    let mut separator = false;
    #[cfg(target_arch = "x86_64")]
    if s.len() >= 18 {
        let wide = wide_needs(s, delimiter);
        // A pair of spaces across the end of the blocks was seen there: the last block is
        // also read one byte on.
        (fit, quote, separator) = (wide.fit as u64, wide.quote as u64, wide.separator);
        rest = &s[wide.done..];
    }
    let mut word = |w: u64| {
        let space = eq(w, b' ');
        let breaks = eq(w, b'\n') | eq(w, b'\r');
        fit |= breaks | (space & (space << 8)) | (space & (prev_space >> 56));
        prev_space = space;
        // The first byte of U+2028 and U+2029, and of much else: looked at again below.
        lead |= eq(w, 0xe2);
        quote |= breaks | eq(w, delimiter) | eq(w, b'"');
    };
    let mut chunks = rest.chunks_exact(8);
    for c in chunks.by_ref() {
        word(u64::from_le_bytes([
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
        ]));
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        // Padding with a byte that is none of those looked for. Assembled from two loads that
        // may overlap (a byte ORed with itself is unchanged): a copy of a length known only at
        // run time was a call to `memmove` for every cell, and a loop over the bytes was most
        // of the cost of the short cells (ids, statuses) that are most of a row's cells.
        let pad = if delimiter == b'x' { b'y' } else { b'x' };
        let n = tail.len();
        let bytes = if n >= 4 {
            let at = |k: usize| {
                u64::from(u32::from_le_bytes([
                    tail[k],
                    tail[k + 1],
                    tail[k + 2],
                    tail[k + 3],
                ]))
            };
            at(0) | (at(n - 4) << (8 * (n - 4)))
        } else {
            u64::from(tail[0])
                | (u64::from(tail[n / 2]) << (8 * (n / 2)))
                | (u64::from(tail[n - 1]) << (8 * (n - 1)))
        };
        let mask = u64::MAX >> (8 * (8 - n));
        word((u64::from_le_bytes([pad; 8]) & !mask) | bytes);
    }
    // U+2028 and U+2029 are E2 80 A8 and E2 80 A9; E2 also leads curly quotes and dashes,
    // which most news texts have, so only the E2 bytes are looked at, not every window.
    let separators = separator
        || lead != 0
            && memchr::memchr_iter(0xe2, rest).any(|i| {
                rest.get(i + 1) == Some(&0x80) && matches!(rest.get(i + 2), Some(0xa8 | 0xa9))
            });
    (fit != 0 || separators, quote != 0)
}

/// What [`cell_needs`] found in the whole 16-byte blocks at the start of a text.
#[cfg(target_arch = "x86_64")]
struct WideNeeds {
    fit: bool,
    quote: bool,
    /// A line or paragraph separator starts among the bytes looked at.
    separator: bool,
    /// Bytes looked at.
    done: usize,
}

/// [`cell_needs`]'s tests over 16 bytes at a time with SSE2 (part of every x86_64): the
/// eight-byte words cost about five instructions a byte, and a report's bytes are mostly the
/// long texts.
#[cfg(target_arch = "x86_64")]
fn wide_needs(s: &[u8], delimiter: u8) -> WideNeeds {
    use core::arch::x86_64::*;
    // Each block is also read one and two bytes on, for the separators' second and third
    // bytes: looking at every E2 byte (curly quotes, dashes) on its own afterwards was two
    // fifths of the cost of a news text's cell (issue 7).
    let blocks = s.len().saturating_sub(2) / 16;
    // SAFETY: SSE2 is baseline on x86_64; every load reads 16 bytes of `s`, at block k of
    // `blocks` or one or two bytes on, which `blocks` leaves room for.
    unsafe {
        let at = |b: u8| _mm_set1_epi8(b as i8);
        let (space, nl, cr, e2, d, dq) = (
            at(b' '),
            at(b'\n'),
            at(b'\r'),
            at(0xe2),
            at(delimiter),
            at(b'"'),
        );
        let (x80, a8, a9) = (at(0x80), at(0xa8), at(0xa9));
        let zero = _mm_setzero_si128();
        let (mut fit, mut quote, mut sep) = (zero, zero, zero);
        for k in 0..blocks {
            let load = |o: usize| _mm_loadu_si128(s.as_ptr().add(16 * k + o) as *const __m128i);
            let (v, next) = (load(0), load(1));
            let sp = _mm_cmpeq_epi8(v, space);
            let breaks = _mm_or_si128(_mm_cmpeq_epi8(v, nl), _mm_cmpeq_epi8(v, cr));
            // Byte i is a space before a space: the block read one byte on has one there.
            let double = _mm_and_si128(sp, _mm_cmpeq_epi8(next, space));
            fit = _mm_or_si128(fit, _mm_or_si128(breaks, double));
            let marks = _mm_or_si128(_mm_cmpeq_epi8(v, d), _mm_cmpeq_epi8(v, dq));
            quote = _mm_or_si128(quote, _mm_or_si128(breaks, marks));
            let third = load(2);
            let third = _mm_or_si128(_mm_cmpeq_epi8(third, a8), _mm_cmpeq_epi8(third, a9));
            let lead = _mm_and_si128(_mm_cmpeq_epi8(v, e2), _mm_cmpeq_epi8(next, x80));
            sep = _mm_or_si128(sep, _mm_and_si128(lead, third));
        }
        WideNeeds {
            fit: _mm_movemask_epi8(fit) != 0,
            quote: _mm_movemask_epi8(quote) != 0,
            separator: _mm_movemask_epi8(sep) != 0,
            done: 16 * blocks,
        }
    }
}

/// Appends the decimal digits of `n`.
pub(crate) fn push_uint(out: &mut Vec<u8>, n: u64) {
    // One digit (paragraph numbers, offsets of 0) without the copy of a length known only at
    // run time, which is a call to `memcpy`.
    if n < 10 {
        out.push(b'0' + n as u8);
        return;
    }
    // Up to four digits (offsets, paragraph numbers, counts) as one copy of a fixed size too:
    // the general loop ends in a copy of a run-time length, a call for each number.
    let d = |v: u64| b'0' + (v % 10) as u8;
    if n < 100 {
        out.extend_from_slice(&[d(n / 10), d(n)]);
        return;
    }
    if n < 1000 {
        out.extend_from_slice(&[d(n / 100), d(n / 10), d(n)]);
        return;
    }
    if n < 10_000 {
        out.extend_from_slice(&[d(n / 1000), d(n / 100), d(n / 10), d(n)]);
        return;
    }
    let (digits, k) = crate::text::decimal_digits(n);
    out.extend_from_slice(&digits[k..]);
}

/// `format!("{x:.3}")`: [`push_fixed`] for values that are `f32`s (every score), the
/// formatter for others.
// Always inlined: a report writes millions of these, and once the writers of evidence and
// of batch rows called it too, the compiler stopped inlining it into the two-source writer
// (+0.8 % of its instructions).
#[inline(always)]
pub(crate) fn push_fixed3(out: &mut Vec<u8>, x: f64) {
    if (x as f32) as f64 != x {
        out.extend_from_slice(format!("{x:.3}").as_bytes());
    } else {
        push_fixed(out, x as f32, 3);
    }
}

/// `format!("{:.N$}", x)` for `digits` = N of 2 or 3, without the formatter: an f32 times
/// 10^N is exact in f64 (24 + 10 bits), so rounding that product half to even is the decimal
/// rounding the formatter does. Values too large for the shortcut go through the formatter.
#[inline(always)]
pub(crate) fn push_fixed(out: &mut Vec<u8>, x: f32, digits: u32) {
    let scale = 10u64.pow(digits);
    let y = (x as f64 * scale as f64).abs();
    // NaN and infinities fail `is_finite`; huge values would overflow the integer.
    if !y.is_finite() || y >= 1e15 {
        out.extend_from_slice(format!("{:.*}", digits as usize, x as f64).as_bytes());
        return;
    }
    // Round half to even by the FPU itself: below 2^52, adding and taking away 2^52 leaves
    // the nearest integer, ties to even, with no call into libm (baseline x86-64 has no
    // rounding instruction) for each of the report's million numbers.
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    let q = ((y + TWO_52) - TWO_52) as u64;
    if x.is_sign_negative() {
        out.push(b'-');
    }
    let (int, frac) = (q / scale, q % scale);
    let d = |v: u64| b'0' + (v % 10) as u8;
    // Scores are below 10: one digit before the point, written as one fixed-size copy.
    match (int < 10, digits) {
        (true, 2) => out.extend_from_slice(&[d(int), b'.', d(frac / 10), d(frac)]),
        (true, 3) => out.extend_from_slice(&[d(int), b'.', d(frac / 100), d(frac / 10), d(frac)]),
        _ => {
            push_uint(out, int);
            out.push(b'.');
            let mut frac = frac;
            let mut digs = [b'0'; 3];
            for k in (0..digits as usize).rev() {
                digs[k] = d(frac);
                frac /= 10;
            }
            out.extend_from_slice(&digs[..digits as usize]);
        }
    }
}

enum Sink {
    Stdout(std::io::BufWriter<std::io::StdoutLock<'static>>),
    /// A device, a pipe or a descriptor link ([`writes_through`]): written straight into.
    Through(std::io::BufWriter<std::fs::File>),
    File(tempfile::NamedTempFile, std::io::BufWriter<std::fs::File>),
}

/// The descriptor a path names (`/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N`, or a link to
/// one of them), whatever is open on it.
fn descriptor_of(path: &Path) -> Option<i32> {
    let named = |p: &Path| -> Option<i32> {
        let s = p.to_str()?;
        match s {
            "/dev/stdin" => return Some(0),
            "/dev/stdout" => return Some(1),
            "/dev/stderr" => return Some(2),
            _ => {}
        }
        let fd = s
            .strip_prefix("/dev/fd/")
            .or_else(|| s.strip_prefix("/proc/self/fd/"))
            .or_else(|| {
                let (pid, fd) = s.strip_prefix("/proc/")?.split_once("/fd/")?;
                (pid.parse::<u32>().ok()? == std::process::id()).then_some(fd)
            })?;
        fd.parse().ok()
    };
    named(path).or_else(|| named(&std::fs::read_link(path).ok()?))
}

/// Whether a report for `path` goes straight into it rather than into a temporary file
/// renamed over it: a descriptor's path ([`descriptor_of`]), or something that is neither a
/// regular file nor a directory (`/dev/null`, a named pipe, a terminal). Renamed over, such
/// a path was replaced by a regular file (as root: `-o /dev/null` once left the machine
/// without a null device) or the rename failed and the report was lost. A regular file is
/// replaced whole as always, in `/dev/shm` too.
pub fn writes_through(path: &Path) -> bool {
    descriptor_of(path).is_some()
        || std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// The file to write a [`writes_through`] target into, or `None` for a path that takes a
/// temporary file. A descriptor is written through a duplicate of it, which shares its
/// position: the report lands where the shell's redirection and the program's other output
/// put it, not over them (`{ riposte ... -o /dev/stdout; echo next; } > f`). A closed
/// descriptor is an error, never a file made in its place.
fn open_through(path: &Path) -> Option<std::io::Result<std::fs::File>> {
    #[cfg(unix)]
    if let Some(fd) = descriptor_of(path) {
        use std::os::fd::FromRawFd;
        // SAFETY: `dup` returns a new descriptor or -1.
        let d = unsafe { libc::dup(fd) };
        return Some(if d < 0 {
            Err(std::io::Error::last_os_error())
        } else {
            // SAFETY: `d` is open, and no one else owns it.
            Ok(unsafe { std::fs::File::from_raw_fd(d) })
        });
    }
    writes_through(path).then(|| std::fs::OpenOptions::new().write(true).open(path))
}

/// A CSV or JSONL report written row by row, so that a long report never has to be held in
/// memory. Files are written atomically and split into parts exactly as [`write_report`]
/// splits a whole table: the report only becomes `report-part1.csv`, … once a row past
/// `max_rows` arrives. A pipe or a device ([`writes_through`]) is written into, unsplit.
pub struct RowWriter {
    path: String,
    format: Format,
    opts: CsvOptions,
    header: Vec<u8>,
    in_part: usize,
    total: usize,
    done: Vec<tempfile::NamedTempFile>,
    // Only `None` inside `finish`.
    sink: Option<Sink>,
}

impl RowWriter {
    pub fn new(
        path: &str,
        headers: &[&'static str],
        format: Format,
        opts: &CsvOptions,
    ) -> Result<RowWriter> {
        let mut header = Vec::new();
        if format == Format::Csv {
            if opts.bom {
                header.extend_from_slice("\u{feff}".as_bytes());
            }
            let cells: Vec<Cell> = headers.iter().map(|h| Cell::Text(h.to_string())).collect();
            // Header names are plain words: the same bytes as the csv writer's header.
            encode_rows(&[cells], headers, format, opts, &mut header).map_err(|e| Error::Io {
                path: path.to_string(),
                source: e,
            })?;
        }
        let sink = Self::open(path)?;
        let mut w = RowWriter {
            path: path.to_string(),
            format,
            opts: opts.clone(),
            header,
            in_part: 0,
            total: 0,
            done: Vec::new(),
            sink: Some(sink),
        };
        let h = std::mem::take(&mut w.header);
        w.write_bytes(&h)?;
        w.header = h;
        Ok(w)
    }

    fn io(&self, e: std::io::Error) -> Error {
        Error::Io {
            path: if self.path == "-" {
                "<stdout>".into()
            } else {
                self.path.clone()
            },
            source: e,
        }
    }

    fn open(path: &str) -> Result<Sink> {
        if path == "-" {
            return Ok(Sink::Stdout(std::io::BufWriter::new(
                std::io::stdout().lock(),
            )));
        }
        let io = |e: std::io::Error| Error::Io {
            path: path.to_string(),
            source: e,
        };
        if let Some(f) = open_through(Path::new(path)) {
            let f = f.map_err(io)?;
            return Ok(Sink::Through(std::io::BufWriter::with_capacity(
                64 << 10,
                f,
            )));
        }
        let dir = Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let tmp = tempfile::Builder::new()
            .prefix(".riposte-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(io)?;
        let f = tmp.as_file().try_clone().map_err(io)?;
        // Written in 64 KiB pieces: a streamed report is often a hundred megabytes, and with
        // the default 8 KiB that was fifteen thousand `write` calls on the writing thread.
        Ok(Sink::File(
            tmp,
            std::io::BufWriter::with_capacity(64 << 10, f),
        ))
    }

    /// Where the rows go, whichever sink holds it; `None` once finished.
    fn writer(&mut self) -> Option<&mut dyn Write> {
        match &mut self.sink {
            Some(Sink::Stdout(w)) => Some(w),
            Some(Sink::Through(w)) => Some(w),
            Some(Sink::File(_, w)) => Some(w),
            None => None,
        }
    }

    fn write_bytes(&mut self, b: &[u8]) -> Result<()> {
        let r = self.writer().map_or(Ok(()), |w| w.write_all(b));
        r.map_err(|e| self.io(e))
    }

    /// Appends one row encoded by [`encode_rows`].
    pub fn push(&mut self, row: &[u8]) -> Result<()> {
        // Parts are files beside the report: a stream takes every row.
        let split = self.format == Format::Csv && matches!(self.sink, Some(Sink::File(..)));
        if split && self.in_part == self.opts.max_rows.max(1) {
            let next = Self::open(&self.path)?;
            if let Some(Sink::File(tmp, mut w)) = self.sink.replace(next) {
                w.flush().map_err(|e| self.io(e))?;
                self.done.push(tmp);
            }
            self.in_part = 0;
            let h = std::mem::take(&mut self.header);
            self.write_bytes(&h)?;
            self.header = h;
        }
        self.write_bytes(row)?;
        self.in_part += 1;
        self.total += 1;
        Ok(())
    }

    /// Appends the rows encoded back to back in `buf`, each ending where `ends` says (as
    /// [`encode_rows`] returns them).
    pub fn push_rows(&mut self, buf: &[u8], ends: &[usize]) -> Result<()> {
        self.push_batch(&[(buf, ends)])
    }

    /// Appends several [`push_rows`](Self::push_rows) buffers in order, as one write where no
    /// part of the report begins among them. A streamed batch's rows are megabytes: copied
    /// into the `BufWriter` a row at a time they cost a copy of the whole report on the
    /// writing thread (a hundredth of a 10k-article run, issue 7); handed over as one
    /// vectored write, the kernel takes them straight from the buffers.
    pub fn push_batch(&mut self, parts: &[(&[u8], &[usize])]) -> Result<()> {
        let rows: usize = parts.iter().map(|(_, ends)| ends.len()).sum();
        let split = self.format == Format::Csv && matches!(self.sink, Some(Sink::File(..)));
        if split && self.in_part + rows > self.opts.max_rows.max(1) {
            // A new part begins among these rows: row by row, where `push` starts parts.
            for (buf, ends) in parts {
                let mut start = 0;
                for &end in *ends {
                    self.push(&buf[start..end])?;
                    start = end;
                }
            }
            return Ok(());
        }
        let mut slices: Vec<std::io::IoSlice> = parts
            .iter()
            .filter_map(|(buf, ends)| Some(std::io::IoSlice::new(&buf[..*ends.last()?])))
            .collect();
        let r = self
            .writer()
            .map_or(Ok(()), |w| write_all_vectored(w, &mut slices));
        r.map_err(|e| self.io(e))?;
        self.in_part += rows;
        self.total += rows;
        Ok(())
    }

    pub fn format(&self) -> Format {
        self.format
    }

    pub fn csv_options(&self) -> &CsvOptions {
        &self.opts
    }

    /// Rows written so far.
    pub fn rows(&self) -> usize {
        self.total
    }

    /// Flushes and moves the report into place; returns the paths written.
    pub fn finish(mut self) -> Result<Vec<String>> {
        match self.sink.take() {
            None => Ok(Vec::new()),
            Some(Sink::Stdout(mut w)) => {
                w.flush().map_err(|e| self.io(e))?;
                Ok(vec![self.path.clone()])
            }
            Some(Sink::Through(mut w)) => {
                w.flush().map_err(|e| self.io(e))?;
                Ok(vec![self.path.clone()])
            }
            Some(Sink::File(tmp, mut w)) => {
                w.flush().map_err(|e| self.io(e))?;
                drop(w);
                self.done.push(tmp);
                let single = self.done.len() == 1;
                let mut written = Vec::new();
                for (i, t) in std::mem::take(&mut self.done).into_iter().enumerate() {
                    let p = if single {
                        self.path.clone()
                    } else {
                        part_path(&self.path, i + 1)
                    };
                    put_in_place(t, &p).map_err(|e| Error::Io {
                        path: p.clone(),
                        source: e,
                    })?;
                    written.push(p);
                }
                Ok(written)
            }
        }
    }
}

/// `Write::write_all` for a list of buffers (std's `write_all_vectored` is unstable). A
/// `BufWriter` passes a list longer than its buffer straight to the file, flushing what it
/// held first.
fn write_all_vectored(
    w: &mut (impl Write + ?Sized),
    mut bufs: &mut [std::io::IoSlice<'_>],
) -> std::io::Result<()> {
    std::io::IoSlice::advance_slices(&mut bufs, 0);
    while !bufs.is_empty() {
        match w.write_vectored(bufs) {
            Ok(0) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::WriteZero,
                    "failed to write whole buffer",
                ))
            }
            Ok(n) => std::io::IoSlice::advance_slices(&mut bufs, n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The name of part `n` (1-based) of a split CSV: `report.csv` → `report-part2.csv`.
pub fn part_path(path: &str, n: usize) -> String {
    let p = Path::new(path);
    let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("report");
    let name = match p.extension().and_then(|e| e.to_str()) {
        Some(ext) => format!("{stem}-part{n}.{ext}"),
        None => format!("{stem}-part{n}"),
    };
    p.with_file_name(name).to_string_lossy().into_owned()
}

/// Writes a report file and returns the paths written. A CSV with more data rows than a
/// spreadsheet holds becomes numbered parts, each with the header, because a spreadsheet
/// would drop the excess without a word; a workbook gets more worksheets instead. Streams
/// (`-`, a device or a pipe: [`writes_through`]) and JSON Lines are for programs and are
/// never split.
pub fn write_report(
    path: &str,
    table: &Table,
    format: Format,
    opts: &CsvOptions,
) -> Result<Vec<String>> {
    let max = opts.max_rows.max(1);
    if format != Format::Csv
        || path == "-"
        || table.rows.len() <= max
        || writes_through(Path::new(path))
    {
        write_output(path, |w| write_table(table, format, opts, w))?;
        return Ok(vec![path.to_string()]);
    }
    let mut written = Vec::new();
    for (i, chunk) in table.rows.chunks(max).enumerate() {
        let part = Table {
            headers: table.headers.clone(),
            rows: chunk.to_vec(),
        };
        let p = part_path(path, i + 1);
        write_output(&p, |w| write_table(&part, format, opts, w))?;
        written.push(p);
    }
    Ok(written)
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
/// an interrupted run never leaves a truncated report. `-` writes to stdout, and a device or
/// pipe ([`writes_through`]) is written into directly.
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
    let io = |e: std::io::Error| Error::Io {
        path: path.to_string(),
        source: e,
    };
    if let Some(f) = open_through(target) {
        let mut w = std::io::BufWriter::new(f.map_err(io)?);
        return write(&mut w).and_then(|_| w.flush()).map_err(io);
    }
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
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
    put_in_place(tmp, target).map_err(io)
}

/// Moves a finished report from its temporary file to `target`, which readers see replaced
/// whole or not at all.
///
/// On Linux an existing regular file is swapped with the temporary one (`renameat2` with
/// `RENAME_EXCHANGE`, atomic like a rename) and then deleted from the temporary path. A
/// plain rename over an existing file makes ext4 (its `auto_da_alloc` default) start writing
/// the new file's data out at once and wait for the allocation: ~30 ms at the end of a
/// 10k-article run (114 MB of report), 3 % of its time, paid again at every rerun into the
/// same file (issue 7). Elsewhere, for a new file, or where the swap is refused, the file
/// is renamed into place as before.
fn put_in_place(tmp: tempfile::NamedTempFile, target: impl AsRef<Path>) -> std::io::Result<()> {
    let target = target.as_ref();
    #[cfg(target_os = "linux")]
    if std::fs::symlink_metadata(target).is_ok_and(|m| m.file_type().is_file()) {
        use std::os::unix::ffi::OsStrExt;
        let from = std::ffi::CString::new(tmp.path().as_os_str().as_bytes());
        let to = std::ffi::CString::new(target.as_os_str().as_bytes());
        if let (Ok(from), Ok(to)) = (from, to) {
            // SAFETY: two NUL-terminated paths that live across the call; no memory is
            // handed over.
            let swapped = unsafe {
                libc::renameat2(
                    libc::AT_FDCWD,
                    from.as_ptr(),
                    libc::AT_FDCWD,
                    to.as_ptr(),
                    libc::RENAME_EXCHANGE,
                )
            } == 0;
            if swapped {
                // The old report is at the temporary path now: dropping the temporary
                // file deletes it.
                drop(tmp);
                return Ok(());
            }
        }
    }
    tmp.persist(target).map(|_| ()).map_err(|e| e.error)
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

    fn temp_with(dir: &Path, text: &str) -> tempfile::NamedTempFile {
        let mut t = tempfile::Builder::new()
            .prefix(".riposte-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .unwrap();
        t.write_all(text.as_bytes()).unwrap();
        t
    }

    fn names_in(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// Reads everything written into a named pipe made in `dir`, while `write` writes to it.
    #[cfg(target_os = "linux")]
    fn through_fifo(dir: &Path, write: impl FnOnce(&str)) -> String {
        use std::os::unix::ffi::OsStrExt;
        let fifo = dir.join("pipe");
        let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
        // SAFETY: a NUL-terminated path that lives across the call.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
        };
        write(fifo.to_str().unwrap());
        // Asked before the reader is waited for: a replaced pipe never gets a writer.
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo());
        reader.join().unwrap()
    }

    /// `push_batch` writes the files `push` writes row by row, parts included, over
    /// generated rows grouped into articles (some with none) and batches, with small and
    /// large rows (past the writer's buffer, written straight from the articles' buffers).
    /// A writer that takes at most `max` bytes a call, refuses every third call as
    /// interrupted, and after `stop` bytes takes nothing more: what a pipe or a full disk
    /// can do to a vectored write.
    struct Stingy {
        got: Vec<u8>,
        max: usize,
        calls: usize,
        stop: usize,
    }

    impl Write for Stingy {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.write_vectored(&[std::io::IoSlice::new(b)])
        }
        fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
            self.calls += 1;
            if self.calls % 3 == 0 {
                return Err(std::io::ErrorKind::Interrupted.into());
            }
            let mut room = self.max.min(self.stop - self.got.len());
            let start = self.got.len();
            for b in bufs {
                let take = room.min(b.len());
                self.got.extend_from_slice(&b[..take]);
                room -= take;
            }
            Ok(self.got.len() - start)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// `write_all_vectored` hands every byte over in order whatever each call takes, retries
    /// an interrupted call, and reports a writer that takes nothing as an error rather than
    /// looping (issue 7's batched report writes go through it).
    #[test]
    fn vectored_writes_survive_short_and_interrupted_calls() {
        let mut rng = crate::testrng::XorShift(0x5EED_0010_2026_0001);
        for round in 0..200 {
            let pieces: Vec<Vec<u8>> = (0..rng.next() % 6)
                .map(|_| (0..rng.next() % 40).map(|_| rng.next() as u8).collect())
                .collect();
            let all: Vec<u8> = pieces.concat();
            let max = 1 + (rng.next() % 17) as usize;
            let mut w = Stingy {
                got: Vec::new(),
                max,
                calls: 0,
                stop: usize::MAX,
            };
            let mut slices: Vec<std::io::IoSlice> =
                pieces.iter().map(|p| std::io::IoSlice::new(p)).collect();
            write_all_vectored(&mut w, &mut slices).unwrap();
            assert_eq!(w.got, all, "round {round}, {max} bytes a call");
            if !all.is_empty() {
                let stop = (rng.next() as usize) % all.len();
                let mut w = Stingy {
                    got: Vec::new(),
                    max,
                    calls: 0,
                    stop,
                };
                let mut slices: Vec<std::io::IoSlice> =
                    pieces.iter().map(|p| std::io::IoSlice::new(p)).collect();
                let e = write_all_vectored(&mut w, &mut slices).unwrap_err();
                assert_eq!(e.kind(), std::io::ErrorKind::WriteZero, "round {round}");
                assert_eq!(w.got, all[..stop], "round {round}");
            }
        }
    }

    #[test]
    fn batched_rows_are_written_as_row_by_row() {
        let mut rng = crate::testrng::XorShift(0x0BA7_C4ED_2026_0007);
        for round in 0..60 {
            let opts = CsvOptions {
                bom: rng.next() % 2 == 0,
                max_rows: 1 + (rng.next() % 6) as usize,
                ..CsvOptions::default()
            };
            let long = round % 4 == 0;
            let articles: Vec<(Vec<u8>, Vec<usize>)> = (0..rng.next() % 12)
                .map(|a| {
                    let (mut buf, mut ends) = (Vec::new(), Vec::new());
                    for r in 0..rng.next() % 4 {
                        let width = if long { 30_000 } else { 3 };
                        let cell = *rng.pick(&["x", "yz", "\"\"\"\""]);
                        buf.extend(format!("{a}-{r},{}\r\n", cell.repeat(width)).bytes());
                        ends.push(buf.len());
                    }
                    // Bytes past the last row are not the article's rows.
                    buf.extend_from_slice(b"junk");
                    (buf, ends)
                })
                .collect();
            let dir = tempfile::tempdir().unwrap();
            let write = |name: &str, batched: bool, rng: &mut crate::testrng::XorShift| {
                let path = dir.path().join(name);
                let path = path.to_str().unwrap();
                let mut w = RowWriter::new(path, &["a", "b"], Format::Csv, &opts).unwrap();
                let mut rest = &articles[..];
                while !rest.is_empty() {
                    let n = (1 + rng.next() % 5).min(rest.len() as u64) as usize;
                    let (now, later) = rest.split_at(n);
                    if batched {
                        let parts: Vec<(&[u8], &[usize])> =
                            now.iter().map(|(b, e)| (&b[..], &e[..])).collect();
                        w.push_batch(&parts).unwrap();
                    } else {
                        for (buf, ends) in now {
                            let mut start = 0;
                            for &end in ends {
                                w.push(&buf[start..end]).unwrap();
                                start = end;
                            }
                        }
                    }
                    rest = later;
                }
                let rows = w.rows();
                let written: Vec<Vec<u8>> = w
                    .finish()
                    .unwrap()
                    .iter()
                    .map(|p| std::fs::read(p).unwrap())
                    .collect();
                (rows, written)
            };
            assert_eq!(
                write("batched.csv", true, &mut rng),
                write("plain.csv", false, &mut rng),
                "round {round}"
            );
        }
    }

    /// A report for a pipe or a device goes into it, whole and unsplit: renamed over it, a
    /// temporary file replaced `/dev/null` itself (as root) with a regular file.
    #[cfg(target_os = "linux")]
    #[test]
    fn reports_for_pipes_are_written_into_them() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let opts = CsvOptions {
            bom: false,
            max_rows: 2,
            ..CsvOptions::default()
        };
        let streamed = through_fifo(d, |path| {
            assert!(writes_through(Path::new(path)));
            let mut w = RowWriter::new(path, &["a", "b"], Format::Csv, &opts).unwrap();
            for row in ["1,x\r\n", "2,y\r\n", "3,z\r\n"] {
                w.push(row.as_bytes()).unwrap();
            }
            assert_eq!(w.finish().unwrap(), [path]);
        });
        assert_eq!(streamed, "a,b\r\n1,x\r\n2,y\r\n3,z\r\n");
        std::fs::remove_file(d.join("pipe")).unwrap();
        let table = Table {
            headers: vec!["a"],
            rows: (1..=3).map(|i| vec![Cell::Text(i.to_string())]).collect(),
        };
        let whole = through_fifo(d, |path| {
            assert_eq!(
                write_report(path, &table, Format::Csv, &opts).unwrap(),
                [path]
            );
        });
        assert_eq!(whole, "a\r\n1\r\n2\r\n3\r\n");
        assert_eq!(names_in(d), ["pipe"]);
        assert!(writes_through(Path::new("/dev/null")));
        assert!(!writes_through(&d.join("report.csv")));
        assert!(!writes_through(d));
        assert_eq!(descriptor_of(Path::new("/dev/stdout")), Some(1));
        assert_eq!(descriptor_of(Path::new("/dev/fd/5")), Some(5));
        assert_eq!(descriptor_of(Path::new("/proc/self/fd/3")), Some(3));
        let own = format!("/proc/{}/fd/4", std::process::id());
        assert_eq!(descriptor_of(Path::new(&own)), Some(4));
        assert_eq!(descriptor_of(Path::new("/proc/1/fd/4")), None);
        // A regular file under /dev is replaced whole like any other, not appended to.
        if let Ok(shm) = tempfile::NamedTempFile::new_in("/dev/shm") {
            assert!(!writes_through(shm.path()));
        }
    }

    /// A report replaces an older one whole (swapped in on Linux), lands where there was
    /// none, and never replaces a directory; no temporary file is left behind.
    #[test]
    fn put_in_place_replaces_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let report = d.join("report.csv");
        put_in_place(temp_with(d, "first\n"), &report).unwrap();
        assert_eq!(std::fs::read_to_string(&report).unwrap(), "first\n");
        put_in_place(temp_with(d, "second, longer\n"), &report).unwrap();
        assert_eq!(
            std::fs::read_to_string(&report).unwrap(),
            "second, longer\n"
        );
        assert_eq!(names_in(d), ["report.csv"]);
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("sub").join("keep"), "x").unwrap();
        assert!(put_in_place(temp_with(d, "third\n"), d.join("sub")).is_err());
        assert_eq!(
            std::fs::read_to_string(d.join("sub").join("keep")).unwrap(),
            "x"
        );
        assert_eq!(names_in(d), ["report.csv", "sub"]);
    }

    /// Random texts over the bytes that matter to fitting and quoting, through the direct
    /// cell writer (and written first, then encoded in place) and through `text_cell` and
    /// the csv writer.
    #[test]
    fn push_text_csv_matches_the_csv_writer() {
        let alphabet = [
            "a", "b", " ", " ", "\n", "\r", "\"", ",", ";", "\t", "'", "x", "y", "=", "-", "@",
            "\u{e9}", "\u{201c}", "\u{2028}", "\u{2029}", "\u{2026}", "+",
        ];
        let mut x = 7u64;
        let mut next = || {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (x >> 33) as usize
        };
        let mut texts: Vec<String> = (0..20_000)
            .map(|_| {
                let len = next() % 40;
                (0..len)
                    .map(|_| alphabet[next() % alphabet.len()])
                    .collect()
            })
            .collect();
        // Too long for a cell: fitted.
        texts.push("a, b".repeat(MAX_CELL_CHARS / 4 + 1));
        for t in &texts {
            for keep_newlines in [false, true] {
                for delimiter in [b',', b';', b'\t', b'\'', b'x'] {
                    let opts = CsvOptions {
                        keep_newlines,
                        delimiter,
                        ..CsvOptions::default()
                    };
                    let mut w = csv::WriterBuilder::new()
                        .delimiter(delimiter)
                        .from_writer(Vec::new());
                    w.write_record([text_cell(t, &opts), String::new()])
                        .unwrap();
                    let want = w.into_inner().unwrap();
                    let mut got = Vec::new();
                    push_text_csv(&mut got, t, &opts);
                    got.push(delimiter);
                    got.push(b'\n');
                    assert_eq!(got, want, "{t:?} {delimiter} {keep_newlines}");
                    // The same written first and encoded where it is, after other cells.
                    let mut got = b"cell,".to_vec();
                    got.push(IN_PLACE);
                    got.extend_from_slice(t.as_bytes());
                    encode_in_place(&mut got, 5, &opts);
                    got.push(delimiter);
                    got.push(b'\n');
                    assert_eq!(
                        got[5..],
                        want,
                        "in place: {t:?} {delimiter} {keep_newlines}"
                    );
                }
            }
        }
    }

    #[test]
    fn int_matches_the_formatter() {
        let mut xs: Vec<i64> = (-1000..=20_000).collect();
        xs.extend([
            i64::MIN,
            i64::MAX,
            9,
            10,
            99,
            100,
            -9,
            -10,
            1 << 40,
            -9999,
            -10_000,
        ]);
        for x in xs {
            let mut got = Vec::new();
            push_int(&mut got, x);
            assert_eq!(String::from_utf8(got).unwrap(), x.to_string());
        }
    }

    #[test]
    fn fixed_matches_the_formatter() {
        let mut xs: Vec<f32> = vec![
            0.0,
            -0.0,
            0.0005,
            0.0015,
            0.0025,
            -0.0005,
            -0.00049,
            0.9995,
            1.0,
            12.3456,
            -3.2,
            f32::NAN,
            f32::INFINITY,
            1e20,
            0.0625,
            0.1875,
            0.3125,
        ];
        // Every multiple of 1/2^14 in [-2, 2] (exact ties included) and a spread of others.
        xs.extend((-32768..=32768).map(|k| k as f32 / 16384.0));
        let mut x = 1u32;
        for _ in 0..200_000 {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            xs.push(f32::from_bits(x % 0x4000_0000) * if x & 1 == 0 { 1.0 } else { -1.0 });
        }
        for x in xs {
            let mut got = Vec::new();
            push_fixed(&mut got, x, 3);
            assert_eq!(
                String::from_utf8(got).unwrap(),
                format!("{:.3}", x as f64),
                "{x:e}"
            );
            let mut got = Vec::new();
            push_fixed(&mut got, x, 2);
            assert_eq!(String::from_utf8(got).unwrap(), format!("{x:.2}"), "{x:e}");
        }
    }

    #[test]
    fn cell_needs_answers_as_byte_scans() {
        let samples = [
            "",
            "a",
            "a  b",
            "a b",
            "       x",
            "x\n",
            "\r",
            "a,b",
            "\"",
            "\u{2028}",
            "e\u{2029}",
            "“curly” — dash",
            "12345678 1234567  ",
            "1234567  ",
            "abcdefg,",
            "xxxxxxxx",
            "yyyyyyyy;",
            "\u{e2}\u{80}",
            "ab\u{2027}",
        ];
        for d in [b',', b';', b'x', b'y', b'\''] {
            for s in samples {
                let b = s.as_bytes();
                let quote = b
                    .iter()
                    .any(|&c| c == d || matches!(c, b'"' | b'\r' | b'\n'));
                assert_eq!(
                    cell_needs(b, d),
                    (!is_flat(s), quote),
                    "{s:?} {}",
                    d as char
                );
            }
        }
    }

    /// Long texts, read 16 bytes at a time: every looked-for byte, and a double space, at
    /// every position and across every block and word boundary.
    #[test]
    fn cell_needs_of_long_texts_answers_as_byte_scans() {
        let marks: [&[u8]; 10] = [
            b"\n",
            b"\r",
            b",",
            b";",
            b"\"",
            b"  ",
            "\u{2028}".as_bytes(),
            "\u{2029}".as_bytes(),
            "\u{201c}".as_bytes(),
            b" ",
        ];
        for len in 14..72 {
            for at in 0..len {
                for m in marks {
                    let mut b: Vec<u8> = (0..len).map(|k| b"abc defgh"[k % 9]).collect();
                    // No double space of its own: single spaces only.
                    b.splice(at..(at + m.len()).min(len), m.iter().copied());
                    let s = std::str::from_utf8(&b).unwrap();
                    for d in [b',', b';', b'x'] {
                        let quote = b
                            .iter()
                            .any(|&c| c == d || matches!(c, b'"' | b'\r' | b'\n'));
                        assert_eq!(
                            cell_needs(&b, d),
                            (!is_flat(s), quote),
                            "{s:?} {}",
                            d as char
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn cells_encode_as_the_csv_writer_writes_them() {
        let texts = [
            "",
            "plain",
            "a,b",
            "say \"no\"",
            "line\nbreak",
            "cr\r",
            "=SUM(A1)",
            "-1",
            "+x",
            "@a",
            "\tt",
            "two  spaces",
            "\u{2028}sep",
            "\"",
            ",",
            "'",
            "x;y",
            "é “q”",
            "-",
            "=\"a,b\"",
        ];
        let nums = [
            0.0,
            -0.0,
            0.0625,
            0.0005,
            0.0015,
            0.1234567,
            -0.0001,
            1.0,
            2.5e-4,
            0.9995,
            123.4567,
            f64::NAN,
            f64::INFINITY,
            1e20,
            0.1,
            1.0 / 3.0,
            -2.0005,
        ];
        let mut cells: Vec<Cell> = texts.iter().map(|t| Cell::Text(t.to_string())).collect();
        cells.extend(nums.iter().map(|&f| Cell::Num(f)));
        cells.extend(nums.iter().map(|&f| Cell::Num(f as f32 as f64)));
        cells.extend([0, 7, -3, 1234567890, i64::MIN, i64::MAX].map(Cell::Int));
        cells.push(Cell::Empty);
        let mut k = 0u32;
        for f in 0..20_000u32 {
            cells.push(Cell::Num(f32::from_bits(0x3a00_0000 + f * 3919 + k) as f64));
            k = k.wrapping_add(1);
        }
        for delimiter in [b',', b';', b'\'', b'\t'] {
            for keep_newlines in [false, true] {
                let opts = CsvOptions {
                    delimiter,
                    keep_newlines,
                    ..Default::default()
                };
                let rows: Vec<Vec<Cell>> = cells
                    .chunks(3)
                    .filter(|c| c.len() == 3)
                    .map(|c| c.to_vec())
                    .chain([vec![Cell::Empty, Cell::Empty, Cell::Empty]])
                    .collect();
                let mut fast = Vec::new();
                let ends = encode_rows(&rows, &[], Format::Csv, &opts, &mut fast).unwrap();
                let mut w = csv::WriterBuilder::new()
                    .delimiter(delimiter)
                    .terminator(csv::Terminator::CRLF)
                    .from_writer(Vec::new());
                let mut want_ends = Vec::new();
                for r in &rows {
                    w.write_record(r.iter().map(|c| c.csv(&opts))).unwrap();
                    w.flush().unwrap();
                    want_ends.push(w.get_ref().len());
                }
                let want = w.into_inner().unwrap();
                assert_eq!(
                    String::from_utf8_lossy(&fast),
                    String::from_utf8_lossy(&want)
                );
                assert_eq!(ends, want_ends);
                for single in [vec![Cell::Empty], vec![Cell::Text("x".into())]] {
                    let mut fast = Vec::new();
                    encode_rows(
                        std::slice::from_ref(&single),
                        &[],
                        Format::Csv,
                        &opts,
                        &mut fast,
                    )
                    .unwrap();
                    let mut w = csv::WriterBuilder::new()
                        .delimiter(delimiter)
                        .terminator(csv::Terminator::CRLF)
                        .from_writer(Vec::new());
                    w.write_record(single.iter().map(|c| c.csv(&opts))).unwrap();
                    assert_eq!(fast, w.into_inner().unwrap());
                }
            }
        }
        let uneven = [vec![Cell::Empty, Cell::Empty], vec![Cell::Empty]];
        assert!(encode_rows(
            &uneven,
            &[],
            Format::Csv,
            &Default::default(),
            &mut Vec::new()
        )
        .is_err());
    }

    #[test]
    fn flat_cells_are_copied_as_the_slow_path_would() {
        for s in [
            "plain words",
            "two  spaces",
            "line\nbreak",
            "cr\r\nlf",
            " lead and trail ",
            "sep\u{2028}x",
            "para\u{2029}x",
            "dash \u{2013} ok",
            "",
        ] {
            let slow: String = {
                let mut o = String::new();
                let mut prev = false;
                for c in s.chars() {
                    let c = if matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}') {
                        ' '
                    } else {
                        c
                    };
                    if c == ' ' && prev {
                        continue;
                    }
                    prev = c == ' ';
                    o.push(c);
                }
                o
            };
            assert_eq!(fit_cell(s, false), slow, "{s:?}");
        }
    }

    #[test]
    fn formula_injection_is_defused() {
        let o = CsvOptions::default();
        assert_eq!(text_cell("=HYPERLINK(\"x\")", &o), "'=HYPERLINK(\"x\")");
        assert_eq!(text_cell("-2 points", &o), "'-2 points");
        assert_eq!(text_cell("a\nb", &o), "a b");
        assert_eq!(text_cell("plain", &o), "plain");
    }
}
