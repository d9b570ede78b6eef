//! Issue 6: bad input, nothing lost, same bytes every time, no panics.
//!
//! Every fixture is generated here in a temporary directory (bad bytes, NUL files, huge
//! texts), never committed. No test measures time: the scaling of the pathological cases is
//! measured by `cargo bench --bench pathological`; here they only have to finish, be reported
//! correctly and never crash.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod common;
use common::{root, run, Run, BOM};

/// A short article with one claim and one rebuttal, written for these tests.
const ARTICLE: &str = "India accused Pakistan of sponsoring terrorism in the region.\n\n\
Pakistan denied the allegations and called them baseless.\n";

fn s(p: &Path) -> String {
    p.to_str().expect("UTF-8 temp path").to_string()
}

/// Rows of a CSV keyed by header name (BOM tolerated).
fn rows(bytes: &[u8]) -> Vec<HashMap<String, String>> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let mut rdr = csv::Reader::from_reader(bytes);
    let headers: Vec<String> = rdr
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    rdr.records()
        .map(|r| {
            headers
                .iter()
                .cloned()
                .zip(r.expect("record").iter().map(str::to_string))
                .collect()
        })
        .collect()
}

fn articles_in(report: &[u8]) -> Vec<String> {
    let mut v: Vec<String> = rows(report)
        .into_iter()
        .map(|r| r["article"].clone())
        .collect();
    v.dedup();
    v
}

/// The closing summary's "inputs given G = read R + failed F".
fn accounting(stderr: &str) -> (usize, usize, usize) {
    let at = stderr
        .find("inputs given ")
        .unwrap_or_else(|| panic!("no accounting in the summary: {stderr}"));
    let nums: Vec<usize> = stderr[at..]
        .lines()
        .next()
        .unwrap()
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .take(3)
        .map(|w| w.parse().unwrap())
        .collect();
    (nums[0], nums[1], nums[2])
}

fn utf16(text: &str, le: bool) -> Vec<u8> {
    let mut out = if le {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for u in text.encode_utf16() {
        out.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}

/// The unit rows without the article column (which is the file stem).
fn units_key(report: &[u8]) -> Vec<(String, String, String, String)> {
    rows(report)
        .into_iter()
        .map(|r| {
            (
                r["unit_id"].clone(),
                r["role"].clone(),
                r["text"].clone(),
                r["start"].clone(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Encodings
// ---------------------------------------------------------------------------------------------

#[test]
fn utf8_bom_and_utf16_with_bom_read_as_the_same_text() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.txt");
    std::fs::write(&plain, ARTICLE).unwrap();
    let base = run(&["extract", &s(&plain)]);
    assert_eq!(base.code, 0, "{}", base.stderr);
    assert_eq!(units_key(&base.stdout).len(), 2, "one claim, one rebuttal");
    for (name, bytes) in [
        ("utf8-bom", [BOM, ARTICLE.as_bytes()].concat()),
        ("utf16-le", utf16(ARTICLE, true)),
        ("utf16-be", utf16(ARTICLE, false)),
    ] {
        let p = dir.path().join(format!("{name}.txt"));
        std::fs::write(&p, bytes).unwrap();
        let r = run(&["extract", &s(&p)]);
        assert_eq!(r.code, 0, "{name}: {}", r.stderr);
        assert!(!r.stderr.contains("warning"), "{name}: {}", r.stderr);
        assert_eq!(
            units_key(&r.stdout),
            units_key(&base.stdout),
            "{name} gives the same units, with the same character offsets"
        );
    }
}

/// An article in Windows-1252: é (0xE9) and curly quotes (0x93, 0x94) on its second line.
fn cp1252_article(dir: &Path) -> (PathBuf, usize) {
    let head = b"India accused Pakistan of sponsoring terrorism in the region.\n\n";
    let mut bytes = head.to_vec();
    bytes.extend_from_slice(
        b"Pakistan denied the allegations and called them \x93baseless\x94, the caf\xe9 owner said.\n",
    );
    let off = bytes.iter().position(|&b| b >= 0x80).unwrap();
    let p = dir.join("cp1252.txt");
    std::fs::write(&p, bytes).unwrap();
    (p, off)
}

#[test]
fn cp1252_is_decoded_with_a_warning_naming_file_line_and_byte_offset() {
    let dir = tempfile::tempdir().unwrap();
    let (p, off) = cp1252_article(dir.path());
    let errors = dir.path().join("errors.csv");
    let r = run(&["extract", &s(&p), "--errors", &s(&errors)]);
    assert_eq!(r.code, 0, "a repaired input is processed: {}", r.stderr);
    let want = format!(
        "warning: {}:3: invalid UTF-8 at byte offset {off}; decoded as Windows-1252 (encoding)",
        s(&p)
    );
    assert!(r.stderr.contains(&want), "want {want:?} in {}", r.stderr);
    let texts: Vec<String> = rows(&r.stdout)
        .into_iter()
        .map(|r| r["text"].clone())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.contains("“baseless”") && t.contains("café")),
        "decoded as Windows-1252: {texts:?}"
    );
    let e = rows(&std::fs::read(&errors).unwrap());
    assert_eq!(e.len(), 1);
    assert_eq!(
        (
            e[0]["severity"].as_str(),
            e[0]["kind"].as_str(),
            e[0]["line"].as_str()
        ),
        ("warning", "encoding", "3")
    );
    assert!(e[0]["message"].contains(&format!("byte offset {off}")));
}

#[test]
fn undecodable_bytes_become_replacement_characters_with_a_warning() {
    // 0x81 is undefined in Windows-1252, so the text cannot be that either.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mixed.txt");
    std::fs::write(&p, [ARTICLE.as_bytes(), b"Tail \x81 byte.\n"].concat()).unwrap();
    let r = run(&["extract", &s(&p)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let off = ARTICLE.len() + 5;
    assert!(
        r.stderr.contains(&format!(
            "invalid UTF-8 at byte offset {off}; replaced with U+FFFD"
        )),
        "{}",
        r.stderr
    );
}

#[test]
fn strict_turns_encoding_repairs_into_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (p, off) = cp1252_article(dir.path());
    let bad16 = dir.path().join("bad16.txt");
    let mut b = utf16(ARTICLE, true);
    b.extend([0x00, 0xD8]); // a lone surrogate
    std::fs::write(&bad16, b).unwrap();
    let good = dir.path().join("good.txt");
    std::fs::write(&good, ARTICLE).unwrap();
    let r = run(&["extract", "--strict", &s(&p), &s(&bad16), &s(&good)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "error: {}:3: invalid UTF-8 at byte offset {off} (--strict) (encoding)",
            s(&p)
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!("error: {}:", s(&bad16)))
            && r.stderr.contains("invalid UTF-16 at byte offset"),
        "{}",
        r.stderr
    );
    assert_eq!(articles_in(&r.stdout), ["good"], "the rest is processed");
    assert_eq!(accounting(&r.stderr), (3, 1, 2));
}

// ---------------------------------------------------------------------------------------------
// Binary, empty, sentence-less, unreadable inputs
// ---------------------------------------------------------------------------------------------

#[test]
fn binary_files_are_reported_by_path_and_the_batch_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("good.txt"), ARTICLE).unwrap();
    let nul = [ARTICLE.as_bytes(), b"\x00\x00 trailing"].concat();
    std::fs::write(d.join("nul.txt"), nul).unwrap();
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10";
    std::fs::write(d.join("image.png"), png).unwrap();
    let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00article.txt";
    std::fs::write(d.join("archive.zip"), zip).unwrap();
    let inputs: Vec<String> = ["good.txt", "nul.txt", "image.png", "archive.zip"]
        .iter()
        .map(|n| s(&d.join(n)))
        .collect();
    let mut args = vec!["extract".to_string()];
    args.extend(inputs.iter().cloned());
    let r = run(&args);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for p in &inputs[1..] {
        assert!(
            r.stderr
                .contains(&format!("error: {p}: binary data (NUL byte at offset")),
            "{p} reported: {}",
            r.stderr
        );
    }
    assert_eq!(articles_in(&r.stdout), ["good"]);
    assert_eq!(accounting(&r.stderr), (4, 1, 3));
}

#[test]
fn empty_blank_and_headline_only_files_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("good.txt"), ARTICLE).unwrap();
    std::fs::write(d.join("empty.txt"), "").unwrap();
    std::fs::write(d.join("blank.txt"), " \n\t\n\n").unwrap();
    std::fs::write(d.join("heading.md"), "# Ministry rejects report\n").unwrap();
    std::fs::write(d.join("nothing.jsonl"), "\n\n").unwrap();
    let r = run(&["extract", &s(d)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    for (name, kind) in [
        ("empty.txt", "(empty)"),
        ("blank.txt", "(empty)"),
        ("heading.md", "(no-sentences)"),
        ("nothing.jsonl", "(empty)"),
    ] {
        let line = r
            .stderr
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name} not reported: {}", r.stderr));
        assert!(
            line.starts_with("error: ") && line.ends_with(kind),
            "{line}"
        );
    }
    assert_eq!(articles_in(&r.stdout), ["good"]);
    assert_eq!(accounting(&r.stderr), (5, 1, 4));
}

#[test]
fn a_directory_without_readable_files_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("nothing-here");
    std::fs::create_dir_all(empty.join("sub")).unwrap();
    std::fs::write(empty.join("photo.jpg"), b"\xFF\xD8\xFF").unwrap();
    std::fs::write(empty.join("sub/notes.doc"), b"x").unwrap();
    let good = dir.path().join("good.txt");
    std::fs::write(&good, ARTICLE).unwrap();
    let r = run(&["extract", &s(&empty), &s(&good)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "error: {}: no .txt, .md, .jsonl or .csv files found (empty-directory)",
            s(&empty)
        )),
        "{}",
        r.stderr
    );
    assert_eq!(articles_in(&r.stdout), ["good"]);
    assert_eq!(accounting(&r.stderr), (2, 1, 1));
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked.txt");
    std::fs::write(&locked, ARTICLE).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&locked).is_ok() {
        // Root (and CAP_DAC_OVERRIDE) reads through mode 000, so there is nothing to test.
        println!("skipping: running as root, chmod 000 does not block reads");
        return;
    }
    let good = dir.path().join("good.txt");
    std::fs::write(&good, ARTICLE).unwrap();
    let r = run(&["extract", &s(&locked), &s(&good)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("error: {}: cannot read:", s(&locked)))
            && r.stderr.contains("(unreadable)"),
        "{}",
        r.stderr
    );
    assert_eq!(articles_in(&r.stdout), ["good"]);
}

#[test]
fn a_missing_path_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("gone.txt");
    let r = run(&["extract", &s(&gone)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("error: {}: cannot open:", s(&gone))),
        "{}",
        r.stderr
    );
    assert_eq!(accounting(&r.stderr), (1, 0, 1));
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_reported_and_the_batch_goes_on() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("batch");
    std::fs::create_dir(&d).unwrap();
    std::fs::write(d.join("good.txt"), ARTICLE).unwrap();
    // A directory link back to its parent, and a file link to itself.
    symlink(&d, d.join("again")).unwrap();
    symlink(d.join("self.txt"), d.join("self.txt")).unwrap();
    let r = run(&["extract", &s(&d)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let loops: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.ends_with("(symlink-loop)"))
        .collect();
    assert!(
        loops.iter().any(|l| l.contains("again")),
        "directory loop named: {}",
        r.stderr
    );
    assert!(
        loops.iter().any(|l| l.contains("self.txt")),
        "file loop named: {}",
        r.stderr
    );
    assert_eq!(articles_in(&r.stdout), ["good"]);
    // The self-link given directly, too.
    let r = run(&["extract", &s(&d.join("self.txt"))]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("(symlink-loop)"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------------
// JSONL and CSV containers
// ---------------------------------------------------------------------------------------------

#[test]
fn jsonl_bad_lines_are_reported_with_line_numbers_and_the_rest_processed() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("batch.jsonl");
    let body = [
        serde_json::json!({"id": "first", "text": ARTICLE}).to_string(),
        "{\"id\": \"cut\", \"text\": \"India acc".to_string(),
        String::new(),
        serde_json::json!({"id": "no-text", "body": ARTICLE}).to_string(),
        serde_json::json!({"id": "number-text", "text": 42}).to_string(),
        serde_json::json!({"id": "last", "text": ARTICLE}).to_string(),
    ]
    .join("\n");
    std::fs::write(&p, body).unwrap();
    let r = run(&["extract", &s(&p)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let path = s(&p);
    for (line, kind) in [
        (2, "(malformed-json)"),
        (4, "(missing-field)"),
        (5, "(missing-field)"),
    ] {
        assert!(
            r.stderr
                .lines()
                .any(|l| l.starts_with(&format!("error: {path}:{line}:")) && l.ends_with(kind)),
            "line {line} {kind}: {}",
            r.stderr
        );
    }
    assert_eq!(articles_in(&r.stdout), ["first", "last"]);
    // Five non-blank lines: two read, three failed.
    assert_eq!(accounting(&r.stderr), (5, 2, 3));
}

#[test]
fn csv_bad_records_are_reported_with_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("batch.csv");
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_path(&p)
        .unwrap();
    w.write_record(["id", "title", "text"]).unwrap();
    w.write_record(["a", "multi\nline title", ARTICLE]).unwrap();
    w.write_record(["short", "no text cell"]).unwrap();
    w.write_record(["empty", "", ""]).unwrap();
    w.write_record(["b", "", ARTICLE]).unwrap();
    w.flush().unwrap();
    drop(w);
    // Physical lines: header 1; "a" spans 2..=6 (title and article have line breaks).
    let text = std::fs::read_to_string(&p).unwrap();
    let line_of = |needle: &str| text[..text.find(needle).unwrap()].matches('\n').count() + 1;
    let r = run(&["extract", &s(&p)]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let short = format!("error: {}:{}:", s(&p), line_of("short,"));
    assert!(
        r.stderr
            .lines()
            .any(|l| l.starts_with(&short) && l.ends_with("(missing-field)")),
        "want {short}: {}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(&format!("{}:{}", s(&p), line_of("empty,")))
            && r.stderr.contains("(empty)"),
        "{}",
        r.stderr
    );
    assert_eq!(articles_in(&r.stdout), ["a", "b"]);
    assert_eq!(accounting(&r.stderr), (4, 2, 2));
    // A CSV without the columns it needs is one failed input, named at line 1.
    let bad = dir.path().join("wrong.csv");
    std::fs::write(&bad, "name,body\nx,y\n").unwrap();
    let r = run(&["extract", &s(&bad)]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(&format!(
            "error: {}:1: CSV needs `id` and `text` columns",
            s(&bad)
        )),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// Limits
// ---------------------------------------------------------------------------------------------

#[test]
fn max_article_bytes_reports_the_article_instead_of_processing_it() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.txt");
    std::fs::write(&big, ARTICLE.repeat(20)).unwrap();
    let small = dir.path().join("small.txt");
    std::fs::write(&small, ARTICLE).unwrap();
    let jsonl = dir.path().join("lines.jsonl");
    std::fs::write(
        &jsonl,
        format!(
            "{}\n{}\n",
            serde_json::json!({"id": "j-small", "text": ARTICLE}),
            serde_json::json!({"id": "j-big", "text": ARTICLE.repeat(20)})
        ),
    )
    .unwrap();
    let limit = (ARTICLE.len() * 2).to_string();
    let r = run(&[
        "extract",
        "--max-article-bytes",
        &limit,
        &s(&big),
        &s(&small),
        &s(&jsonl),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let size = ARTICLE.len() * 20;
    assert!(
        r.stderr.contains(&format!(
            "error: {}: {size} bytes exceeds --max-article-bytes {limit} (too-large)",
            s(&big)
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(&format!("error: {}:2: {size} bytes", s(&jsonl))),
        "{}",
        r.stderr
    );
    assert_eq!(articles_in(&r.stdout), ["j-small", "small"]);
}

/// `n` accusations, five to a paragraph, each a claim.
fn accusations(n: usize) -> String {
    (0..n)
        .map(|i| {
            let sep = if i % 5 == 4 { "\n\n" } else { " " };
            format!("India accused Pakistan of sponsoring terrorism in case {i}.{sep}")
        })
        .collect()
}

#[test]
fn max_article_units_reports_the_article_instead_of_processing_it() {
    let dir = tempfile::tempdir().unwrap();
    let many = dir.path().join("many.txt");
    std::fs::write(&many, accusations(30)).unwrap();
    let small = dir.path().join("small.txt");
    std::fs::write(&small, ARTICLE).unwrap();
    for cmd in ["extract", "pair"] {
        let r = run(&[cmd, "--max-article-units", "10", &s(&many), &s(&small)]);
        assert_eq!(r.code, 1, "{cmd}: {}", r.stderr);
        assert!(
            r.stderr.contains(&format!(
                "error: {}: 30 claims and rebuttals exceeds --max-article-units 10 (too-many-units)",
                s(&many)
            )),
            "{cmd}: {}",
            r.stderr
        );
        assert_eq!(
            articles_in(&r.stdout),
            ["small"],
            "{cmd}: nothing half-done"
        );
        assert_eq!(accounting(&r.stderr), (2, 1, 1), "{cmd}");
    }
    let r = run(&["extract", &s(&many)]);
    assert_eq!(r.code, 0, "under the default cap: {}", r.stderr);
    assert_eq!(rows(&r.stdout).len(), 30);
}

/// Runs a pathological text through extract and pair: it must finish, and never as an
/// internal error (a caught panic).
fn survives(name: &str, text: &[u8], extra: &[&str]) -> (Run, Run) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(format!("{name}.txt"));
    std::fs::write(&p, text).unwrap();
    let mut out = Vec::new();
    for cmd in ["extract", "pair"] {
        let mut args = vec![cmd.to_string(), s(&p)];
        args.extend(extra.iter().map(|a| a.to_string()));
        let r = run(&args);
        assert!(r.code == 0 || r.code == 1, "{name} {cmd}: {}", r.stderr);
        assert!(
            !r.stderr.contains("internal"),
            "{name} {cmd} panicked: {}",
            r.stderr
        );
        assert_eq!(accounting(&r.stderr).0, 1, "{name} {cmd}");
        out.push(r);
    }
    let pair = out.pop().unwrap();
    (out.pop().unwrap(), pair)
}

#[test]
fn a_megabyte_of_quote_marks_finishes() {
    let marks = "“”\"‘’«»„\"'";
    let mut t = String::from("The minister said ");
    while t.len() < 1 << 20 {
        t.push_str(marks);
    }
    t.push_str(" and left.\n");
    let (ex, _) = survives("quotes", t.as_bytes(), &[]);
    // Stray marks are warned about, a bounded number of times with the rest counted.
    let warnings = ex
        .stderr
        .lines()
        .filter(|l| l.contains("(unbalanced-quote)"))
        .count();
    assert!(warnings <= 21, "{warnings} quote warnings");
    assert!(
        ex.stderr.contains("more unbalanced quote marks not listed"),
        "{}",
        &ex.stderr[..ex.stderr.len().min(2000)]
    );
}

#[test]
fn one_five_megabyte_sentence_finishes() {
    let t = "officials accused the ministry of corruption and ".repeat(5 * 1024 * 1024 / 50);
    let (ex, _) = survives("sentence", t.as_bytes(), &[]);
    assert_eq!(ex.code, 0, "{}", ex.stderr);
}

#[test]
fn ten_thousand_accusations_in_one_article_finish() {
    let t = accusations(10_000);
    // Over the default unit cap: reported, not paired half-way.
    let (ex, pair) = survives("claims", t.as_bytes(), &[]);
    for r in [&ex, &pair] {
        assert_eq!(r.code, 1);
        assert!(r.stderr.contains("(too-many-units)"), "{}", r.stderr);
    }
    // With the cap lifted, every one is extracted and, unanswered, reported as such.
    let (ex, pair) = survives("claims", t.as_bytes(), &["--max-article-units", "20000"]);
    assert_eq!(ex.code, 0, "{}", ex.stderr);
    assert_eq!(rows(&ex.stdout).len(), 10_000);
    assert_eq!(pair.code, 0, "{}", pair.stderr);
    let p = rows(&pair.stdout);
    assert_eq!(p.len(), 10_000);
    assert!(p.iter().all(|r| r["status"] == "unanswered"));
}

#[test]
fn deeply_repeated_abbreviations_finish() {
    // Spaced abbreviations make thousands of short sentences and one entity each; glued ones
    // make one enormous word.
    let spaced = "Mr. Dr. U.S. U.N. Feb. U.S.U.S.U.S.A. ".repeat(2_000);
    let glued = format!("{} said it.", "U.S.".repeat(100_000));
    let nested = format!("{}said.", "Mr. (Dr. [St. “".repeat(5_000));
    for (name, t) in [("spaced", spaced), ("glued", glued), ("nested", nested)] {
        survives(name, t.as_bytes(), &[]);
    }
}

// ---------------------------------------------------------------------------------------------
// Accounting, error report, exit codes
// ---------------------------------------------------------------------------------------------

/// A batch with one of each kind of problem, and two good articles (one in a JSONL file).
fn mixed_batch(d: &Path) -> Vec<String> {
    std::fs::write(d.join("good.txt"), ARTICLE).unwrap();
    std::fs::write(d.join("empty.txt"), "").unwrap();
    std::fs::write(d.join("binary.txt"), b"\x00\x01\x02").unwrap();
    std::fs::write(
        d.join("cp1252.txt"),
        b"India accused Pakistan of \x93sponsoring terror\x94.\n\nPakistan denied the allegations.\n",
    )
    .unwrap();
    std::fs::write(
        d.join("lines.jsonl"),
        format!(
            "{}\nnot json\n{}\n",
            serde_json::json!({"id": "from-jsonl", "text": ARTICLE}),
            serde_json::json!({"id": "no-text"})
        ),
    )
    .unwrap();
    std::fs::copy(
        root().join("data/articles/cricket-board-report.txt"),
        d.join("cricket.txt"),
    )
    .unwrap();
    [
        "good.txt",
        "empty.txt",
        "binary.txt",
        "cp1252.txt",
        "lines.jsonl",
        "cricket.txt",
    ]
    .iter()
    .map(|n| s(&d.join(n)))
    .chain([s(&d.join("missing.txt"))])
    .collect()
}

#[test]
fn summary_and_error_report_account_for_every_input() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = mixed_batch(dir.path());
    let errors = dir.path().join("errors.csv");
    for cmd in ["extract", "pair"] {
        let mut args = vec![cmd.to_string()];
        args.extend(inputs.iter().cloned());
        args.extend(["--errors".to_string(), s(&errors)]);
        let r = run(&args);
        assert_eq!(r.code, 1, "{cmd}: {}", r.stderr);
        // Given: 5 text files, 3 JSONL lines, 1 missing path.
        let (given, read, failed) = accounting(&r.stderr);
        assert_eq!(given, 9, "{cmd}: {}", r.stderr);
        assert_eq!(read + failed, given, "{cmd}: read + failed = given");
        let e = rows(&std::fs::read(&errors).unwrap());
        let errs: Vec<_> = e.iter().filter(|r| r["severity"] == "error").collect();
        assert_eq!(
            errs.len(),
            failed,
            "{cmd}: one error row per failed input: {e:?}"
        );
        // Read articles all show up in the report (every one has units here).
        let mut ids = articles_in(&r.stdout);
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), read, "{cmd}: {ids:?}");
        assert_eq!(read, 4, "{cmd}: good, cp1252, from-jsonl, cricket");
    }
}

#[test]
fn the_error_report_has_one_row_per_problem_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = mixed_batch(dir.path());
    let errors = dir.path().join("errors.csv");
    let mut args = vec![
        "extract".to_string(),
        "-q".into(),
        "--errors".into(),
        s(&errors),
    ];
    args.extend(inputs.iter().cloned());
    let r = run(&args);
    assert_eq!(r.code, 1);
    assert!(r.stderr.is_empty(), "-q prints nothing: {}", r.stderr);
    let raw = std::fs::read_to_string(&errors).unwrap();
    assert!(
        raw.starts_with("input,line,severity,kind,message\n"),
        "{raw}"
    );
    let e = rows(raw.as_bytes());
    let got: Vec<(String, String, String, String)> = e
        .iter()
        .map(|r| {
            (
                Path::new(&r["input"])
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                r["line"].clone(),
                r["severity"].clone(),
                r["kind"].clone(),
            )
        })
        .collect();
    let want: Vec<(String, String, String, String)> = [
        ("binary.txt", "", "error", "binary"),
        ("cp1252.txt", "1", "warning", "encoding"),
        ("empty.txt", "", "error", "empty"),
        ("lines.jsonl", "2", "error", "malformed-json"),
        ("lines.jsonl", "3", "error", "missing-field"),
        ("missing.txt", "", "error", "unreadable"),
    ]
    .iter()
    .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
    .collect();
    assert_eq!(got, want);
    assert!(e.iter().all(|r| !r["message"].is_empty()));
}

#[test]
fn exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.txt");
    std::fs::write(&good, ARTICLE).unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    // 0: every input processed (warnings do not count).
    assert_eq!(run(&["extract", &s(&good)]).code, 0);
    assert_eq!(run(&["pair", &s(&good)]).code, 0);
    // 1: some inputs failed, the report is still written.
    let out = dir.path().join("report.csv");
    let r = run(&["pair", &s(&good), &s(&empty), "-o", &s(&out)]);
    assert_eq!(r.code, 1);
    assert_eq!(articles_in(&std::fs::read(&out).unwrap()), ["good"]);
    // 1 also when every input failed: a header-only report.
    let r = run(&["extract", &s(&empty)]);
    assert_eq!(r.code, 1);
    assert_eq!(rows(&r.stdout).len(), 0);
    // 2: usage and fatal errors.
    assert_eq!(run(&["extract", "--no-such-flag", &s(&good)]).code, 2);
    assert_eq!(run(&["extract"]).code, 2, "no inputs");
    assert_eq!(run(&["extract", &s(&good), "-o", &s(&good)]).code, 2);
    assert_eq!(run(&["extract", &s(&good), "--errors", &s(&good)]).code, 2);
    assert_eq!(
        std::fs::read_to_string(&good).unwrap(),
        ARTICLE,
        "inputs untouched"
    );
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "cues = 3").unwrap();
    assert_eq!(
        run(&["extract", &s(&good), "--config", &s(&cfg)]).code,
        2,
        "a broken config"
    );
    let nowhere = dir.path().join("no/such/dir/report.csv");
    let r = run(&["extract", &s(&good), "-o", &s(&nowhere)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.starts_with("riposte: "), "{}", r.stderr);
    let r = run(&["extract", &s(&good), "--errors", &s(&nowhere)]);
    assert_eq!(r.code, 2, "an unwritable --errors file: {}", r.stderr);
}

#[test]
fn help_documents_exit_codes_and_the_error_report() {
    for cmd in [&["--help"][..], &["extract", "--help"], &["pair", "--help"]] {
        let r = run(cmd);
        assert_eq!(r.code, 0);
        let help = String::from_utf8(r.stdout).unwrap();
        for needle in [
            "Exit codes:",
            "0  every input was processed",
            "1  some inputs failed",
            "2  usage or fatal error",
            "--errors FILE",
            "input,line,severity,",
            "| head",
        ] {
            assert!(help.contains(needle), "{cmd:?} --help lacks {needle:?}");
        }
    }
}

#[test]
fn a_closed_stdout_pipe_exits_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("many.jsonl");
    let mut body = String::new();
    for i in 0..3000 {
        body.push_str(&serde_json::json!({"id": format!("a{i:05}"), "text": ARTICLE}).to_string());
        body.push('\n');
    }
    std::fs::write(&jsonl, body).unwrap();
    for cmd in ["extract", "pair"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_riposte"))
            .args([cmd, "-q", &s(&jsonl)])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut head = [0u8; 32];
        child
            .stdout
            .as_mut()
            .unwrap()
            .read_exact(&mut head)
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{cmd}: {stderr}");
        assert!(stderr.is_empty(), "{cmd}: nothing on stderr: {stderr}");
    }
}

// ---------------------------------------------------------------------------------------------
// Atomic writes
// ---------------------------------------------------------------------------------------------

fn temp_files(d: &Path) -> Vec<String> {
    std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".riposte-") || n.ends_with(".tmp"))
        .collect()
}

#[test]
fn a_failed_write_leaves_the_target_untouched_and_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.txt");
    std::fs::write(&good, ARTICLE).unwrap();
    // The target is a directory: the report is written in full beside it, then the rename
    // fails.
    let target = dir.path().join("report.csv");
    std::fs::create_dir(&target).unwrap();
    std::fs::write(target.join("keep.txt"), "precious").unwrap();
    let r = run(&["pair", &s(&good), "-o", &s(&target)]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains(&s(&target)),
        "the target is named: {}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(target.join("keep.txt")).unwrap(),
        "precious"
    );
    assert!(
        temp_files(dir.path()).is_empty(),
        "{:?}",
        temp_files(dir.path())
    );
    // A fatal error before writing leaves an existing report as it was.
    let old = dir.path().join("old.csv");
    std::fs::write(&old, "previous report\n").unwrap();
    let cfg = dir.path().join("bad.toml");
    std::fs::write(&cfg, "[weights\n").unwrap();
    let r = run(&["pair", &s(&good), "--config", &s(&cfg), "-o", &s(&old)]);
    assert_eq!(r.code, 2);
    assert_eq!(std::fs::read_to_string(&old).unwrap(), "previous report\n");
    // A successful run replaces it whole and leaves nothing else behind.
    let r = run(&["pair", &s(&good), "-o", &s(&old)]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::read(&old).unwrap().starts_with(BOM));
    assert!(
        temp_files(dir.path()).is_empty(),
        "{:?}",
        temp_files(dir.path())
    );
}

#[cfg(unix)]
#[test]
fn a_killed_run_never_leaves_a_truncated_report() {
    // Kill runs at a spread of moments; whenever it dies, the target holds either the old
    // report or the complete new one, never a part.
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("batch.jsonl");
    let mut body = String::new();
    for i in 0..1500 {
        body.push_str(&serde_json::json!({"id": format!("a{i:05}"), "text": ARTICLE}).to_string());
        body.push('\n');
    }
    std::fs::write(&jsonl, body).unwrap();
    let target = dir.path().join("report.csv");
    let full = run(&["extract", "-q", &s(&jsonl), "-o", &s(&target)]);
    assert_eq!(full.code, 0);
    let complete = std::fs::read(&target).unwrap();
    let old = b"old report\n".to_vec();
    let mut outcomes = (0, 0);
    for delay_ms in [0u64, 5, 20, 50, 100, 200, 400, 800] {
        std::fs::write(&target, &old).unwrap();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_riposte"))
            .args(["extract", "-q", &s(&jsonl), "-o", &s(&target)])
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let now = std::fs::read(&target).unwrap();
        if now == old {
            outcomes.0 += 1;
        } else {
            assert!(
                now == complete,
                "killed after {delay_ms} ms: target is neither the old nor the complete report ({} bytes)",
                now.len()
            );
            outcomes.1 += 1;
        }
    }
    println!(
        "killed runs left the old report {} times, the complete one {} times",
        outcomes.0, outcomes.1
    );
}

// ---------------------------------------------------------------------------------------------
// Determinism
// ---------------------------------------------------------------------------------------------

#[test]
fn reports_are_byte_identical_across_threads_and_input_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut inputs = mixed_batch(dir.path());
    inputs.push(s(&root().join("data/articles")));
    let errors = dir.path().join("errors.csv");
    for cmd in ["extract", "pair"] {
        let mut reference: Option<(Vec<u8>, Vec<u8>)> = None;
        for (threads, reversed) in [
            ("1", false),
            ("2", false),
            ("8", false),
            ("1", true),
            ("8", true),
        ] {
            let mut order = inputs.clone();
            if reversed {
                order.reverse();
            }
            let mut args = vec![
                cmd.to_string(),
                "-q".into(),
                "--threads".into(),
                threads.into(),
                "--errors".into(),
                s(&errors),
            ];
            args.extend(order);
            let r = run(&args);
            assert_eq!(r.code, 1);
            let got = (r.stdout, std::fs::read(&errors).unwrap());
            assert!(rows(&got.0).len() > 20, "a real report");
            match &reference {
                None => reference = Some(got),
                Some(want) => {
                    assert!(
                        got.0 == want.0,
                        "{cmd} --threads {threads} reversed={reversed}: report differs"
                    );
                    assert!(
                        got.1 == want.1,
                        "{cmd} --threads {threads} reversed={reversed}: error report differs"
                    );
                }
            }
        }
    }
}
