//! Stage 1a — read: turn command-line inputs (files, directories, `-`, JSONL, CSV) into
//! [`Article`]s, decoding bytes robustly and reporting every input that cannot be used.

use crate::article::Article;
use crate::error::InputIssue;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Default cap on one article's size; above it the article is reported, not half-processed.
pub const DEFAULT_MAX_ARTICLE_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct ReadOptions {
    pub max_article_bytes: usize,
    /// Turn repaired encodings into errors.
    pub strict: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_article_bytes: DEFAULT_MAX_ARTICLE_BYTES,
            strict: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Jsonl,
    Csv,
}

/// One thing to read: a file (with the id it gives its article) or standard input.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: Option<PathBuf>,
    /// Shown in messages.
    pub display: String,
    pub id: String,
    pub format: Format,
}

/// Everything read from the inputs: articles plus an account of what could not be read.
#[derive(Debug, Default)]
pub struct Batch {
    pub articles: Vec<Article>,
    pub issues: Vec<InputIssue>,
    /// Inputs (files, lines, records) that yielded no article.
    pub failed: usize,
}

fn format_of(path: &Path) -> Format {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("jsonl") | Some("ndjson") => Format::Jsonl,
        Some("csv") => Format::Csv,
        _ => Format::Text,
    }
}

fn id_of(rel: &Path) -> String {
    let no_ext = rel.with_extension("");
    no_ext
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Expands the inputs into sources. Directories are walked recursively for .txt/.md (and
/// .jsonl/.csv) files in sorted order; problems are pushed to `issues`.
pub fn discover(
    inputs: &[String],
    issues: &mut Vec<InputIssue>,
    failed: &mut usize,
) -> Vec<Source> {
    let mut out = Vec::new();
    for input in inputs {
        if input == "-" {
            out.push(Source {
                path: None,
                display: "<stdin>".into(),
                id: "stdin".into(),
                format: Format::Text,
            });
            continue;
        }
        let path = PathBuf::from(input);
        let meta = match std::fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                issues.push(InputIssue::error(
                    input.clone(),
                    None,
                    "unreadable",
                    format!("cannot open: {e}"),
                ));
                *failed += 1;
                continue;
            }
        };
        if meta.is_dir() {
            let mut found = 0usize;
            let walker = walkdir::WalkDir::new(&path)
                .follow_links(true)
                .sort_by_file_name();
            for entry in walker {
                let entry = match entry {
                    Ok(e) => e,
                    Err(e) => {
                        let where_ = e
                            .path()
                            .map(|p| p.display().to_string())
                            .unwrap_or_else(|| input.clone());
                        let kind = if e.loop_ancestor().is_some() {
                            "symlink-loop"
                        } else {
                            "unreadable"
                        };
                        issues.push(InputIssue::error(where_, None, kind, e.to_string()));
                        *failed += 1;
                        continue;
                    }
                };
                if !entry.file_type().is_file() {
                    continue;
                }
                let p = entry.path();
                let ext = p
                    .extension()
                    .and_then(|e| e.to_str())
                    .map(|e| e.to_ascii_lowercase());
                if !matches!(
                    ext.as_deref(),
                    Some("txt") | Some("md") | Some("jsonl") | Some("ndjson") | Some("csv")
                ) {
                    continue;
                }
                let rel = p.strip_prefix(&path).unwrap_or(p);
                found += 1;
                out.push(Source {
                    path: Some(p.to_path_buf()),
                    display: p.display().to_string(),
                    id: id_of(rel),
                    format: format_of(p),
                });
            }
            if found == 0 {
                issues.push(InputIssue::error(
                    input.clone(),
                    None,
                    "empty-directory",
                    "no .txt, .md, .jsonl or .csv files found",
                ));
                *failed += 1;
            }
        } else {
            let id = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| input.clone());
            out.push(Source {
                format: format_of(&path),
                path: Some(path),
                display: input.clone(),
                id,
            });
        }
    }
    out
}

/// Decodes bytes: UTF-8 (BOM stripped), UTF-16 with BOM, else Windows-1252 with a warning.
/// Binary data (NUL bytes outside UTF-16) is refused.
pub fn decode(
    bytes: &[u8],
    display: &str,
    opts: &ReadOptions,
) -> Result<(String, Option<InputIssue>), InputIssue> {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return decode(&bytes[3..], display, opts);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let enc = if bytes[0] == 0xFF {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[2..]);
        let warn = had_errors.then(|| {
            InputIssue::warning(
                display,
                None,
                "encoding",
                "invalid UTF-16 sequences replaced",
            )
        });
        return Ok((text.into_owned(), warn));
    }
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
        return Err(InputIssue::error(
            display,
            None,
            "binary",
            format!("binary data (NUL byte at offset {pos}); not a text file"),
        ));
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok((s.to_string(), None)),
        Err(e) => {
            let off = e.valid_up_to();
            let line = bytes[..off].iter().filter(|&&b| b == b'\n').count() + 1;
            if opts.strict {
                return Err(InputIssue::error(
                    display,
                    Some(line),
                    "encoding",
                    format!("invalid UTF-8 at byte offset {off} (--strict)"),
                ));
            }
            // Windows-1252 maps every byte but five; when those are absent it is the likely
            // encoding of a non-UTF-8 news text, otherwise fall back to replacement characters.
            let (text, _, had_errors) = encoding_rs::WINDOWS_1252.decode(bytes);
            let fits = !had_errors
                && !bytes
                    .iter()
                    .any(|b| matches!(b, 0x81 | 0x8D | 0x8F | 0x90 | 0x9D));
            if fits {
                Ok((
                    text.into_owned(),
                    Some(InputIssue::warning(
                        display,
                        Some(line),
                        "encoding",
                        format!("invalid UTF-8 at byte offset {off}; decoded as Windows-1252"),
                    )),
                ))
            } else {
                let lossy = String::from_utf8_lossy(bytes).into_owned();
                Ok((
                    lossy,
                    Some(InputIssue::warning(
                        display,
                        Some(line),
                        "encoding",
                        format!("invalid UTF-8 at byte offset {off}; replaced with U+FFFD"),
                    )),
                ))
            }
        }
    }
}

fn read_bytes(src: &Source) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    match &src.path {
        Some(p) => {
            std::fs::File::open(p)?.read_to_end(&mut buf)?;
        }
        None => {
            std::io::stdin().lock().read_to_end(&mut buf)?;
        }
    }
    Ok(buf)
}

/// Reads one source into zero or more articles, pushing problems into `batch`.
pub fn load(src: &Source, opts: &ReadOptions, batch: &mut Batch) {
    let bytes = match read_bytes(src) {
        Ok(b) => b,
        Err(e) => {
            batch.issues.push(InputIssue::error(
                &src.display,
                None,
                "unreadable",
                format!("cannot read: {e}"),
            ));
            batch.failed += 1;
            return;
        }
    };
    let fmt = if src.path.is_none() {
        sniff(&bytes)
    } else {
        src.format
    };
    if fmt == Format::Text && bytes.len() > opts.max_article_bytes {
        batch.issues.push(InputIssue::error(
            &src.display,
            None,
            "too-large",
            format!(
                "{} bytes exceeds --max-article-bytes {}",
                bytes.len(),
                opts.max_article_bytes
            ),
        ));
        batch.failed += 1;
        return;
    }
    let text = match decode(&bytes, &src.display, opts) {
        Ok((t, warn)) => {
            batch.issues.extend(warn);
            t
        }
        Err(issue) => {
            batch.issues.push(issue);
            batch.failed += 1;
            return;
        }
    };
    match fmt {
        Format::Text => push_article(
            batch,
            Article {
                id: src.id.clone(),
                text,
                origin: src.display.clone(),
                ..Default::default()
            },
            opts,
        ),
        Format::Jsonl => load_jsonl(&text, &src.display, opts, batch),
        Format::Csv => load_csv(&text, &src.display, opts, batch),
    }
}

/// Standard input carries no extension: a first non-blank line that is a JSON object means JSONL.
fn sniff(bytes: &[u8]) -> Format {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let first = head
        .trim_start_matches('\u{feff}')
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    if first.trim_start().starts_with('{') {
        Format::Jsonl
    } else {
        Format::Text
    }
}

fn push_article(batch: &mut Batch, art: Article, opts: &ReadOptions) {
    if art.text.trim().is_empty() {
        batch
            .issues
            .push(InputIssue::error(&art.origin, None, "empty", "empty text"));
        batch.failed += 1;
    } else if art.text.len() > opts.max_article_bytes {
        batch.issues.push(InputIssue::error(
            &art.origin,
            None,
            "too-large",
            format!(
                "{} bytes exceeds --max-article-bytes {}",
                art.text.len(),
                opts.max_article_bytes
            ),
        ));
        batch.failed += 1;
    } else {
        batch.articles.push(art);
    }
}

fn json_str(v: &serde_json::Value, key: &str) -> Option<String> {
    match v.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn load_jsonl(text: &str, display: &str, opts: &ReadOptions, batch: &mut Batch) {
    for (i, line) in text.lines().enumerate() {
        let lineno = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let origin = format!("{display}:{lineno}");
        let v: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                batch.issues.push(InputIssue::error(
                    display,
                    Some(lineno),
                    "malformed-json",
                    e.to_string(),
                ));
                batch.failed += 1;
                continue;
            }
        };
        let Some(text) = v.get("text").and_then(|t| t.as_str()) else {
            batch.issues.push(InputIssue::error(
                display,
                Some(lineno),
                "missing-field",
                "no string field `text`",
            ));
            batch.failed += 1;
            continue;
        };
        let id = json_str(&v, "id").unwrap_or_else(|| format!("line{lineno}"));
        if json_str(&v, "id").is_none() {
            batch.issues.push(InputIssue::warning(
                display,
                Some(lineno),
                "missing-field",
                format!("no `id`; using {id}"),
            ));
        }
        let art = Article {
            id,
            text: text.to_string(),
            title: json_str(&v, "title"),
            date: json_str(&v, "date"),
            source: json_str(&v, "source"),
            origin,
        };
        push_article(batch, art, opts);
    }
}

fn load_csv(text: &str, display: &str, opts: &ReadOptions, batch: &mut Batch) {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            batch.issues.push(InputIssue::error(
                display,
                Some(1),
                "malformed-csv",
                e.to_string(),
            ));
            batch.failed += 1;
            return;
        }
    };
    let col = |name: &str| {
        headers.iter().position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
    };
    let (Some(id_col), Some(text_col)) = (col("id"), col("text")) else {
        batch.issues.push(InputIssue::error(
            display,
            Some(1),
            "missing-field",
            "CSV needs `id` and `text` columns",
        ));
        batch.failed += 1;
        return;
    };
    let (title_col, date_col, source_col) = (col("title"), col("date"), col("source"));
    for rec in rdr.records() {
        match rec {
            Ok(r) => {
                let lineno = r.position().map(|p| p.line() as usize).unwrap_or(0);
                let get = |c: Option<usize>| {
                    c.and_then(|c| r.get(c))
                        .map(str::to_string)
                        .filter(|s| !s.is_empty())
                };
                let Some(text) = r.get(text_col) else {
                    batch.issues.push(InputIssue::error(
                        display,
                        Some(lineno),
                        "missing-field",
                        "record has no `text` cell",
                    ));
                    batch.failed += 1;
                    continue;
                };
                let id = r
                    .get(id_col)
                    .map(str::to_string)
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| format!("line{lineno}"));
                let art = Article {
                    id,
                    text: text.to_string(),
                    title: get(title_col),
                    date: get(date_col),
                    source: get(source_col),
                    origin: format!("{display}:{lineno}"),
                };
                push_article(batch, art, opts);
            }
            Err(e) => {
                let lineno = e.position().map(|p| p.line() as usize);
                batch.issues.push(InputIssue::error(
                    display,
                    lineno,
                    "malformed-csv",
                    e.to_string(),
                ));
                batch.failed += 1;
            }
        }
    }
}

/// Reads every input. Articles are sorted by id (then origin) so reports do not depend on the
/// order inputs were given in.
pub fn read_inputs(inputs: &[String], opts: &ReadOptions) -> Batch {
    let mut batch = Batch::default();
    let sources = discover(inputs, &mut batch.issues, &mut batch.failed);
    // Sources are read in parallel (a directory of many small files is otherwise a serial
    // stretch of every run, issue 7) and merged back in source order, so articles and issues
    // come out exactly as a one-by-one read gives them.
    use rayon::prelude::*;
    let parts: Vec<Batch> = sources
        .par_iter()
        .map(|src| {
            let mut b = Batch::default();
            load(src, opts, &mut b);
            b
        })
        .collect();
    for p in parts {
        batch.articles.extend(p.articles);
        batch.issues.extend(p.issues);
        batch.failed += p.failed;
    }
    batch
        .articles
        .sort_by(|a, b| a.id.cmp(&b.id).then_with(|| a.origin.cmp(&b.origin)));
    batch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_cp1252_with_warning() {
        let (t, w) = decode(b"caf\xe9 \x93quoted\x94", "x", &ReadOptions::default()).unwrap();
        assert_eq!(t, "café “quoted”");
        assert!(w.unwrap().message.contains("offset 3"));
    }

    #[test]
    fn refuses_binary() {
        let e = decode(b"PK\x03\x04\x00\x00", "a.zip", &ReadOptions::default()).unwrap_err();
        assert_eq!(e.kind, "binary");
    }

    #[test]
    fn utf16_with_bom() {
        let bytes: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("hi".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(
            decode(&bytes, "x", &ReadOptions::default()).unwrap().0,
            "hi"
        );
    }

    #[test]
    fn jsonl_reports_bad_lines() {
        let mut b = Batch::default();
        load_jsonl(
            "{\"id\":\"a\",\"text\":\"Hello there.\"}\nnot json\n{\"id\":\"b\"}\n",
            "in.jsonl",
            &ReadOptions::default(),
            &mut b,
        );
        assert_eq!(b.articles.len(), 1);
        assert_eq!(b.failed, 2);
        assert_eq!(b.issues[0].line, Some(2));
        assert_eq!(b.issues[1].line, Some(3));
    }
}
