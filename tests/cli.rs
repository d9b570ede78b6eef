//! End-to-end tests of the `riposte` binary: `extract`, `eval` and `pair` as a user runs them.
//!
//! Every command runs with the crate root as working directory, so `data/articles` etc. are
//! the bundled sample data. Tests that need the third-party seed article (kept outside the repo
//! at ../shared/seed) skip with a message when it is absent.

use predicates::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

mod common;
use common::{riposte, root, run, Run, BOM};

const UNIT_HEADER: &str = "article,unit_id,role,kind,speaker,speaker_mention,side,party,dispute,quote_type,cue,text,start,end,paragraph,sentence,confidence,rule";

const PAIR_HEADER: [&str; 26] = [
    "article",
    "pair_id",
    "status",
    "score",
    "confidence",
    "basis",
    "claim_id",
    "claim_speaker",
    "claim_side",
    "claim_kind",
    "claim_text",
    "rebuttal_id",
    "rebuttal_speaker",
    "rebuttal_side",
    "rebuttal_kind",
    "rebuttal_text",
    "evidence",
    "lexical",
    "fuzzy",
    "reference",
    "claim_start",
    "claim_end",
    "rebuttal_start",
    "rebuttal_end",
    "verdict",
    "note",
];

/// A parsed CSV: header names and rows keyed by header name.
struct Csv {
    headers: Vec<String>,
    rows: Vec<HashMap<String, String>>,
}

fn parse_csv(bytes: &[u8]) -> Csv {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let mut rdr = csv::ReaderBuilder::new().from_reader(bytes);
    let headers: Vec<String> = rdr
        .headers()
        .expect("CSV header")
        .iter()
        .map(str::to_string)
        .collect();
    let rows = rdr
        .records()
        .map(|r| {
            let r = r.expect("well-formed CSV record");
            assert_eq!(
                r.len(),
                headers.len(),
                "record {:?} has a different field count from the header",
                r.position()
            );
            headers
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect();
    Csv { headers, rows }
}

fn first_line(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let s = String::from_utf8_lossy(bytes);
    s.lines()
        .next()
        .unwrap_or("")
        .trim_end_matches('\r')
        .to_string()
}

/// The sample articles: id (file stem) → path.
fn sample_articles() -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(root().join("data/articles")).unwrap() {
        let p = e.unwrap().path();
        if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("txt") | Some("md")
        ) {
            out.insert(p.file_stem().unwrap().to_string_lossy().into_owned(), p);
        }
    }
    assert!(
        out.len() >= 18,
        "expected the 18 sample articles, found {}",
        out.len()
    );
    out
}

/// What `report::text_cell` is documented to do to a text cell (independently re-implemented):
/// line breaks become spaces, runs of spaces collapse to one, and a leading = + - @ (tab, CR)
/// gets a `'` so spreadsheets do not run it as a formula.
fn as_cell(s: &str) -> String {
    let mut o = String::new();
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
    if o.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        o.insert(0, '\'');
    }
    o
}

fn char_slice(text: &str, start: usize, end: usize) -> String {
    text.chars()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect()
}

fn read_text(p: &Path) -> String {
    let s = std::fs::read_to_string(p).unwrap();
    s.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(s)
}

fn seed_article() -> Option<PathBuf> {
    let p = root().join("../shared/seed/article.txt");
    if p.is_file() {
        Some(p)
    } else {
        println!("skipping: ../shared/seed not present");
        None
    }
}

fn pair_available() -> bool {
    // Until `riposte pair` takes inputs, clap refuses them with a usage error. The inputs are
    // optional (`[INPUTS]`) since two-source mode reads --claims/--responses instead.
    let help = run(&["pair", "--help"]).stdout;
    help.windows(8)
        .any(|w| w == b"<INPUTS>" || w == b"[INPUTS]")
}

// ---------------------------------------------------------------------------------------------
// extract
// ---------------------------------------------------------------------------------------------

#[test]
fn extract_sample_articles_has_exact_header() {
    let r = run(&["extract", "data/articles"]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert!(!r.stdout.starts_with(BOM), "no BOM on stdout");
    assert_eq!(first_line(&r.stdout), UNIT_HEADER);
    let csv = parse_csv(&r.stdout);
    assert_eq!(csv.headers.join(","), UNIT_HEADER);
    assert!(!csv.rows.is_empty(), "the sample articles yield units");
    for row in &csv.rows {
        assert!(
            matches!(row["role"].as_str(), "claim" | "rebuttal"),
            "role {:?}",
            row["role"]
        );
    }
    // Article ids are the file stems.
    let ids = sample_articles();
    for row in &csv.rows {
        assert!(
            ids.contains_key(&row["article"]),
            "unknown article id {:?}",
            row["article"]
        );
    }
}

#[test]
fn extract_finds_units_in_every_gold_article_that_has_them() {
    // An accusation nobody answers is still a claim (gold: mining-river-pollution,
    // press-freedom-detentions have claims and no rebuttals).
    let r = run(&["extract", "data/articles"]);
    let csv = parse_csv(&r.stdout);
    let gold = std::fs::read_to_string(root().join("data/gold.jsonl")).unwrap();
    let mut missing = Vec::new();
    for line in gold.lines().filter(|l| !l.trim().is_empty()) {
        let g: serde_json::Value = serde_json::from_str(line).unwrap();
        let id = g["id"].as_str().unwrap();
        for (key, role) in [("claims", "claim"), ("rebuttals", "rebuttal")] {
            let want = g[key].as_array().map_or(0, Vec::len);
            let got = csv
                .rows
                .iter()
                .filter(|r| r["article"] == id && r["role"] == role)
                .count();
            if want > 0 && got == 0 {
                missing.push(format!("{id}: gold has {want} {key}, extract found none"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}

#[test]
fn extract_is_identical_with_one_or_two_threads() {
    let one = run(&["extract", "--threads", "1", "data/articles"]);
    let two = run(&["extract", "--threads", "2", "data/articles"]);
    assert_eq!(one.code, 0, "stderr: {}", one.stderr);
    assert_eq!(two.code, 0, "stderr: {}", two.stderr);
    assert!(
        one.stdout == two.stdout,
        "--threads 1 and --threads 2 differ"
    );
}

#[test]
fn extract_output_does_not_depend_on_input_order() {
    let files: Vec<String> = sample_articles()
        .values()
        .map(|p| {
            p.strip_prefix(root())
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut fwd = vec!["extract".to_string()];
    fwd.extend(files.iter().cloned());
    let mut rev = vec!["extract".to_string()];
    rev.extend(files.iter().rev().cloned());
    let a = run(&fwd.iter().map(String::as_str).collect::<Vec<_>>());
    let b = run(&rev.iter().map(String::as_str).collect::<Vec<_>>());
    let d = run(&["extract", "data/articles"]);
    assert_eq!(a.code, 0, "stderr: {}", a.stderr);
    assert_eq!(b.code, 0, "stderr: {}", b.stderr);
    assert!(
        a.stdout == b.stdout,
        "files given in reverse order give a different report"
    );
    assert!(
        a.stdout == d.stdout,
        "the files given one by one differ from the directory"
    );
}

#[test]
fn extract_offsets_are_char_offsets_into_the_original_text() {
    let r = run(&["extract", "data/articles"]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let articles = sample_articles();
    let texts: HashMap<&str, String> = articles
        .iter()
        .map(|(id, p)| (id.as_str(), read_text(p)))
        .collect();
    let csv = parse_csv(&r.stdout);
    let mut bad = Vec::new();
    for row in &csv.rows {
        let text = &texts[row["article"].as_str()];
        let start: usize = row["start"].parse().expect("start is an integer");
        let end: usize = row["end"].parse().expect("end is an integer");
        assert!(
            start < end && end <= text.chars().count(),
            "{} {}: bad range {start}..{end}",
            row["article"],
            row["unit_id"]
        );
        let slice = char_slice(text, start, end);
        if as_cell(&slice) != row["text"] {
            bad.push(format!(
                "{} {} [{start}..{end}]\n  slice: {:?}\n  cell:  {:?}",
                row["article"],
                row["unit_id"],
                as_cell(&slice),
                row["text"]
            ));
        }
    }
    assert!(
        bad.is_empty(),
        "{} rows whose start..end slice is not the text cell:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn extract_jsonl_output_is_one_object_per_unit() {
    let csv = parse_csv(&run(&["extract", "data/articles"]).stdout);
    let r = run(&["extract", "--format", "jsonl", "data/articles"]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let lines: Vec<serde_json::Value> = String::from_utf8(r.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(
        lines.len(),
        csv.rows.len(),
        "JSONL and CSV list the same units"
    );
    for (j, c) in lines.iter().zip(&csv.rows) {
        assert_eq!(j["unit_id"].as_str(), Some(c["unit_id"].as_str()));
        assert_eq!(
            j["start"].as_u64().map(|n| n.to_string()).as_deref(),
            Some(c["start"].as_str())
        );
        assert_eq!(
            j["end"].as_u64().map(|n| n.to_string()).as_deref(),
            Some(c["end"].as_str())
        );
    }
}

#[test]
fn extract_jsonl_input_reports_bad_lines_and_keeps_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let good = read_text(&root().join("data/articles/cricket-board-report.txt"));
    let jsonl = dir.path().join("batch.jsonl");
    let body = format!(
        "{}\n{{\"id\": \"broken\", \"text\": \n{}\n",
        serde_json::json!({"id": "good-one", "text": good}),
        serde_json::json!({"id": "no-text", "body": "The ministry denied it."})
    );
    std::fs::write(&jsonl, body).unwrap();
    let path = jsonl.to_str().unwrap();
    let r = run(&["extract", path]);
    assert_eq!(
        r.code, 1,
        "some inputs failed → exit 1; stderr: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!("error: {path}:2:")),
        "line 2 (malformed JSON) named on stderr: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!("error: {path}:3:")),
        "line 3 (no text) named on stderr: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains("(malformed-json)") && r.stderr.contains("(missing-field)"),
        "kinds on stderr: {}",
        r.stderr
    );
    let csv = parse_csv(&r.stdout);
    assert!(
        csv.rows.iter().any(|r| r["article"] == "good-one"),
        "the good line is still processed"
    );
    assert!(csv.rows.iter().all(|r| r["article"] == "good-one"));
}

#[test]
fn extract_csv_input_with_id_and_text_columns() {
    let dir = tempfile::tempdir().unwrap();
    let good = read_text(&root().join("data/articles/cricket-board-report.txt"));
    let p = dir.path().join("batch.csv");
    let mut w = csv::Writer::from_path(&p).unwrap();
    w.write_record(["id", "text"]).unwrap();
    w.write_record(["from-csv", good.as_str()]).unwrap();
    w.flush().unwrap();
    let r = run(&["extract", p.to_str().unwrap()]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let csv = parse_csv(&r.stdout);
    assert!(!csv.rows.is_empty() && csv.rows.iter().all(|r| r["article"] == "from-csv"));
    // Same article, same units, whichever container it came in.
    let direct = parse_csv(&run(&["extract", "data/articles/cricket-board-report.txt"]).stdout);
    let key = |c: &Csv| {
        c.rows
            .iter()
            .map(|r| {
                (
                    r["unit_id"].clone(),
                    r["role"].clone(),
                    r["text"].clone(),
                    r["start"].clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(key(&csv), key(&direct));
}

#[test]
fn extract_reports_binary_and_empty_files_and_processes_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("data/articles/cricket-board-report.txt"),
        dir.path().join("good.txt"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("binary.txt"),
        b"PK\x03\x04\x00\x00\x00binary\x00data",
    )
    .unwrap();
    std::fs::write(dir.path().join("empty.txt"), b"").unwrap();
    let errors = dir.path().join("errors.csv");
    let r = run(&[
        "extract",
        dir.path().to_str().unwrap(),
        "--errors",
        errors.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "stderr: {}", r.stderr);
    assert!(
        r.stderr.contains("binary.txt") && r.stderr.contains("(binary)"),
        "binary file reported: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains("empty.txt") && r.stderr.contains("(empty)"),
        "empty file reported: {}",
        r.stderr
    );
    let csv = parse_csv(&r.stdout);
    assert!(
        csv.rows.iter().any(|r| r["article"] == "good"),
        "good.txt processed"
    );
    assert!(csv.rows.iter().all(|r| r["article"] == "good"));
    let e = parse_csv(&std::fs::read(&errors).unwrap());
    let kinds: BTreeSet<(String, String)> = e
        .rows
        .iter()
        .map(|r| {
            (
                Path::new(&r["input"])
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                r["kind"].clone(),
            )
        })
        .collect();
    assert!(
        kinds.contains(&("binary.txt".into(), "binary".into())),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("empty.txt".into(), "empty".into())),
        "{kinds:?}"
    );
    assert!(e.rows.iter().all(|r| r["severity"] == "error"));
}

#[test]
fn extract_nonexistent_path_alone_exits_1() {
    // Real behaviour: a missing input is an input failure (exit 1), even when it is the only
    // input; an empty report (header only) is still written.
    let r = run(&["extract", "no/such/file.txt"]);
    assert_eq!(r.code, 1, "stderr: {}", r.stderr);
    assert!(
        r.stderr.contains("error: no/such/file.txt:") && r.stderr.contains("(unreadable)"),
        "{}",
        r.stderr
    );
    assert_eq!(first_line(&r.stdout), UNIT_HEADER);
    assert_eq!(parse_csv(&r.stdout).rows.len(), 0);
}

#[test]
fn extract_nonexistent_path_with_good_input_exits_1_and_keeps_the_good_one() {
    let r = run(&[
        "extract",
        "no/such/file.txt",
        "data/articles/cricket-board-report.txt",
    ]);
    assert_eq!(r.code, 1, "stderr: {}", r.stderr);
    assert!(
        r.stderr.contains("no/such/file.txt") && r.stderr.contains("(unreadable)"),
        "{}",
        r.stderr
    );
    let csv = parse_csv(&r.stdout);
    assert!(
        !csv.rows.is_empty()
            && csv
                .rows
                .iter()
                .all(|r| r["article"] == "cricket-board-report")
    );
}

#[test]
fn extract_refuses_to_overwrite_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("article.txt");
    std::fs::copy(root().join("data/articles/cricket-board-report.txt"), &p).unwrap();
    let before = std::fs::read(&p).unwrap();
    let path = p.to_str().unwrap();
    riposte()
        .args(["extract", path, "-o", path])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("also an input"));
    assert_eq!(std::fs::read(&p).unwrap(), before, "the input is untouched");
    // Also when spelled differently (relative vs absolute path).
    riposte()
        .current_dir(dir.path())
        .args(["extract", "article.txt", "-o", path])
        .assert()
        .code(2);
    assert_eq!(std::fs::read(&p).unwrap(), before);
}

#[test]
fn extract_errors_file_has_its_header() {
    let dir = tempfile::tempdir().unwrap();
    let errors = dir.path().join("errors.csv");
    riposte()
        .args([
            "extract",
            "data/articles",
            "--errors",
            errors.to_str().unwrap(),
        ])
        .assert()
        .code(0);
    let bytes = std::fs::read(&errors).unwrap();
    assert_eq!(first_line(&bytes), "input,line,severity,kind,message");
    // And with problems, each one is a row.
    riposte()
        .args([
            "extract",
            "no/such/file.txt",
            "data/articles",
            "--errors",
            errors.to_str().unwrap(),
            "-q",
        ])
        .assert()
        .code(1);
    let e = parse_csv(&std::fs::read(&errors).unwrap());
    assert_eq!(e.headers, ["input", "line", "severity", "kind", "message"]);
    assert!(e.rows.iter().any(|r| r["input"] == "no/such/file.txt"
        && r["kind"] == "unreadable"
        && r["severity"] == "error"));
}

#[test]
fn extract_writes_bom_to_files_unless_no_bom() {
    let dir = tempfile::tempdir().unwrap();
    let with = dir.path().join("with.csv");
    let without = dir.path().join("without.csv");
    riposte()
        .args(["extract", "data/articles", "-o", with.to_str().unwrap()])
        .assert()
        .code(0);
    riposte()
        .args([
            "extract",
            "data/articles",
            "--no-bom",
            "-o",
            without.to_str().unwrap(),
        ])
        .assert()
        .code(0);
    let w = std::fs::read(&with).unwrap();
    let wo = std::fs::read(&without).unwrap();
    assert!(w.starts_with(BOM), "-o FILE starts with a UTF-8 BOM");
    assert!(!wo.starts_with(BOM), "--no-bom writes none");
    assert_eq!(&w[3..], &wo[..], "the BOM is the only difference");
    let stdout = run(&["extract", "data/articles"]).stdout;
    assert!(!stdout.starts_with(BOM), "stdout never gets a BOM");
    assert_eq!(stdout, wo, "stdout and --no-bom file are the same report");
}

#[test]
fn extract_with_closed_stdout_pipe_is_quiet_and_successful() {
    // `riposte extract ... | head` must not shout: main.rs maps a broken pipe to success.
    use std::io::Read;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("many.jsonl");
    let good = read_text(&root().join("data/articles/cricket-board-report.txt"));
    let mut body = String::new();
    for i in 0..400 {
        body.push_str(&serde_json::json!({"id": format!("copy-{i:04}"), "text": good}).to_string());
        body.push('\n');
    }
    std::fs::write(&jsonl, body).unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_riposte"))
        .current_dir(root())
        .args(["extract", "-q", jsonl.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 64];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut head)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "closed pipe should exit 0; stderr: {stderr}"
    );
    assert!(
        !stderr.contains("Broken pipe"),
        "closed pipe should not be reported: {stderr}"
    );
}

// ---------------------------------------------------------------------------------------------
// The seed article (third-party; kept outside the repo)
// ---------------------------------------------------------------------------------------------

#[test]
fn seed_article_units() {
    let Some(seed) = seed_article() else { return };
    let r = run(&["extract", seed.to_str().unwrap()]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let csv = parse_csv(&r.stdout);
    let rows_with = |needle: &str| -> Vec<&HashMap<String, String>> {
        let v: Vec<_> = csv
            .rows
            .iter()
            .filter(|r| r["text"].contains(needle))
            .collect();
        assert!(!v.is_empty(), "no unit contains {needle:?}");
        v
    };
    for needle in ["accused the country of", "orchestrated the attacks"] {
        for row in rows_with(needle) {
            assert_eq!(row["role"], "claim", "{needle:?}: {row:?}");
        }
    }
    for needle in [
        "denies being involved",
        "dismissed the allegations of supporting extremist",
    ] {
        for row in rows_with(needle) {
            assert_eq!(row["role"], "rebuttal", "{needle:?}: {row:?}");
            assert_eq!(row["speaker"], "Pakistan", "{needle:?}: {row:?}");
        }
    }
    for row in rows_with("We urge our international partners") {
        assert_eq!(row["role"], "rebuttal", "{row:?}");
        assert_eq!(row["speaker"], "Shafqat Ali Khan", "{row:?}");
    }
    for needle in [
        "review petition",
        "did not respond",
        "View this post on Instagram",
        "Trump says US has approved",
    ] {
        let hits: Vec<_> = csv
            .rows
            .iter()
            .filter(|r| r["text"].contains(needle))
            .collect();
        assert!(hits.is_empty(), "{needle:?} must not be a unit: {hits:?}");
    }
}

#[test]
fn seed_article_eval_f1() {
    let Some(seed) = seed_article() else { return };
    let dir = tempfile::tempdir().unwrap();
    let units = dir.path().join("seed-units.csv");
    riposte()
        .args([
            "extract",
            seed.to_str().unwrap(),
            "-o",
            units.to_str().unwrap(),
        ])
        .assert()
        .code(0);
    let r = run(&[
        "eval",
        "--gold",
        "data/seed-gold.jsonl",
        units.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let rep: serde_json::Value =
        serde_json::from_slice(&r.stdout).expect("eval --json prints JSON");
    let claim_f1 = rep["claims"]["f1"].as_f64().expect("claims.f1");
    let rebuttal_f1 = rep["rebuttals"]["f1"].as_f64().expect("rebuttals.f1");
    assert!(claim_f1 >= 0.9, "claim F1 {claim_f1} < 0.9");
    assert!(rebuttal_f1 >= 0.9, "rebuttal F1 {rebuttal_f1} < 0.9");
}

// ---------------------------------------------------------------------------------------------
// eval on the bundled gold
// ---------------------------------------------------------------------------------------------

#[test]
fn eval_prints_scores_for_the_sample_articles() {
    let dir = tempfile::tempdir().unwrap();
    let units = dir.path().join("units.csv");
    riposte()
        .args(["extract", "data/articles", "-o", units.to_str().unwrap()])
        .assert()
        .code(0);
    // Text table (default gold is data/gold.jsonl).
    let r = run(&["eval", units.to_str().unwrap()]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    // JSON: every score a proportion.
    let r = run(&[
        "eval",
        "--gold",
        "data/gold.jsonl",
        units.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let rep: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    for k in ["claims", "rebuttals"] {
        for m in ["precision", "recall", "f1"] {
            let v = rep[k][m]
                .as_f64()
                .unwrap_or_else(|| panic!("{k}.{m} missing"));
            assert!((0.0..=1.0).contains(&v), "{k}.{m} = {v}");
        }
    }
    assert!(rep["pairs"].is_null(), "a units file has no pair scores");
}

// ---------------------------------------------------------------------------------------------
// pair (the contract: header order, status/basis/confidence values, determinism, stable ids)
// ---------------------------------------------------------------------------------------------

fn pair_report(extra: &[&str]) -> (Run, Csv) {
    let mut args = vec!["pair", "data/articles"];
    args.extend_from_slice(extra);
    let r = run(&args);
    assert_eq!(
        r.code, 0,
        "pair on the sample articles; stderr: {}",
        r.stderr
    );
    let csv = parse_csv(&r.stdout);
    (r, csv)
}

#[test]
fn pair_report_has_the_contract_header() {
    assert!(pair_available(), "`riposte pair` does not take inputs yet");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.csv");
    let r = run(&["pair", "data/articles", "-o", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(BOM), "a report file gets the BOM");
    let csv = parse_csv(&bytes);
    assert!(
        csv.headers.len() >= PAIR_HEADER.len(),
        "header too short: {:?}",
        csv.headers
    );
    assert_eq!(
        &csv.headers[..PAIR_HEADER.len()],
        &PAIR_HEADER[..],
        "header order"
    );
    assert!(!csv.rows.is_empty());
}

#[test]
fn pair_report_values_follow_the_contract() {
    assert!(pair_available(), "`riposte pair` does not take inputs yet");
    let (_, csv) = pair_report(&["-o", "-"]);
    let texts: HashMap<String, String> = sample_articles()
        .into_iter()
        .map(|(id, p)| (id, read_text(&p)))
        .collect();
    let mut statuses = BTreeSet::new();
    for row in &csv.rows {
        let status = row["status"].as_str();
        statuses.insert(status.to_string());
        assert!(
            matches!(status, "paired" | "unanswered" | "unmatched"),
            "status {status:?}: {row:?}"
        );
        if status == "paired" {
            assert!(
                matches!(row["confidence"].as_str(), "high" | "medium" | "low"),
                "confidence {:?}: {row:?}",
                row["confidence"]
            );
            assert!(
                matches!(row["basis"].as_str(), "specific" | "blanket"),
                "basis {:?}: {row:?}",
                row["basis"]
            );
            assert!(
                !row["claim_id"].is_empty() && !row["rebuttal_id"].is_empty(),
                "{row:?}"
            );
        } else {
            assert_eq!(
                row["basis"], "",
                "basis is empty for a {status} row: {row:?}"
            );
            // Non-paired rows carry no link, so no link confidence (current behaviour: empty).
            assert!(
                matches!(row["confidence"].as_str(), "" | "high" | "medium" | "low"),
                "confidence {:?}: {row:?}",
                row["confidence"]
            );
        }
        if status == "unanswered" {
            assert!(
                !row["claim_id"].is_empty(),
                "an unanswered row names its claim: {row:?}"
            );
        }
        let text = &texts[&row["article"]];
        for side in ["claim", "rebuttal"] {
            let (s, e) = (&row[&format!("{side}_start")], &row[&format!("{side}_end")]);
            if row[&format!("{side}_id")].is_empty() {
                continue;
            }
            let (s, e): (usize, usize) = (s.parse().unwrap(), e.parse().unwrap());
            assert_eq!(
                as_cell(&char_slice(text, s, e)),
                row[&format!("{side}_text")],
                "{side} offsets of {} {}",
                row["article"],
                row["pair_id"]
            );
        }
    }
    assert!(
        statuses.contains("paired"),
        "the sample articles have pairs"
    );
    assert!(
        statuses.contains("unanswered"),
        "mining-river-pollution and press-freedom-detentions have unanswered claims"
    );
    let ids: Vec<(&str, &str)> = csv
        .rows
        .iter()
        .map(|r| (r["article"].as_str(), r["pair_id"].as_str()))
        .collect();
    let unique: BTreeSet<_> = ids.iter().collect();
    assert_eq!(
        unique.len(),
        ids.len(),
        "pair_id is unique within an article"
    );
}

#[test]
fn pair_is_identical_with_one_or_two_threads() {
    assert!(pair_available(), "`riposte pair` does not take inputs yet");
    let (one, _) = pair_report(&["--threads", "1", "-o", "-"]);
    let (two, _) = pair_report(&["--threads", "2", "-o", "-"]);
    assert!(
        one.stdout == two.stdout,
        "--threads 1 and --threads 2 differ"
    );
}

#[test]
fn pair_ids_are_stable_across_runs_and_batches() {
    assert!(pair_available(), "`riposte pair` does not take inputs yet");
    let key = |c: &Csv, only: Option<&str>| -> Vec<(String, String, String, String)> {
        c.rows
            .iter()
            .filter(|r| only.is_none_or(|a| r["article"] == a))
            .map(|r| {
                (
                    r["article"].clone(),
                    r["pair_id"].clone(),
                    r["claim_id"].clone(),
                    r["rebuttal_id"].clone(),
                )
            })
            .collect()
    };
    let (_, a) = pair_report(&["-o", "-"]);
    let (_, b) = pair_report(&["-o", "-"]);
    assert_eq!(
        key(&a, None),
        key(&b, None),
        "pair_id differs between two identical runs"
    );
    // An article's pair ids do not depend on which other articles were in the batch.
    let alone = run(&[
        "pair",
        "data/articles/budget-opposition-criticism.txt",
        "-o",
        "-",
    ]);
    assert_eq!(alone.code, 0, "stderr: {}", alone.stderr);
    let alone = parse_csv(&alone.stdout);
    assert_eq!(
        key(&alone, None),
        key(&a, Some("budget-opposition-criticism")),
        "pair ids change with the batch"
    );
}

#[test]
fn pair_report_evaluates_with_pair_scores() {
    assert!(pair_available(), "`riposte pair` does not take inputs yet");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.csv");
    riposte()
        .args(["pair", "data/articles", "-o", out.to_str().unwrap()])
        .assert()
        .code(0);
    let r = run(&[
        "eval",
        "--gold",
        "data/gold.jsonl",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    let rep: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    assert!(
        rep["pairs"]["f1"].as_f64().is_some(),
        "pair P/R/F1 reported for a pair report: {}",
        rep["pairs"]
    );
}

/// Regression floors on the bundled gold and on the held-out set: the figures may only go
/// up. Raise a floor when extraction improves (current figures are in the issue notes).
fn gold_scores(articles: &str, gold: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.csv");
    let r = riposte()
        .args(["pair", articles, "-q", "-o"])
        .arg(&report)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let out = riposte()
        .args(["eval", "--gold", gold, "--json"])
        .arg(&report)
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn bundled_gold_scores_do_not_regress() {
    let v = gold_scores("data/articles", "data/gold.jsonl");
    let f = |k: &str| v[k]["f1"].as_f64().unwrap();
    assert!(f("claims") >= 0.93, "claim F1 {}", f("claims"));
    assert!(f("rebuttals") >= 0.95, "rebuttal F1 {}", f("rebuttals"));
    // issue 3's target
    assert!(f("pairs") >= 0.81, "pair F1 {}", f("pairs"));
    assert!(v["speaker_accuracy"].as_f64().unwrap() >= 0.98);
}

#[test]
fn heldout_scores_do_not_regress() {
    let v = gold_scores("data/heldout/articles", "data/heldout/gold.jsonl");
    let f = |k: &str| v[k]["f1"].as_f64().unwrap();
    assert!(f("claims") >= 0.93, "claim F1 {}", f("claims"));
    assert!(f("rebuttals") >= 0.95, "rebuttal F1 {}", f("rebuttals"));
    assert!(f("pairs") >= 0.77, "pair F1 {}", f("pairs"));
    assert!(v["speaker_accuracy"].as_f64().unwrap() >= 0.98);
}

/// data/blind was scored blind once (see its README); it has been used for diagnosis since,
/// so it is a third regression set now, not an estimate.
#[test]
fn blind_set_scores_do_not_regress() {
    let v = gold_scores("data/blind/articles", "data/blind/gold.jsonl");
    let f = |k: &str| v[k]["f1"].as_f64().unwrap();
    assert!(f("claims") >= 0.93, "claim F1 {}", f("claims"));
    assert!(f("rebuttals") >= 0.90, "rebuttal F1 {}", f("rebuttals"));
    assert!(f("pairs") >= 0.58, "pair F1 {}", f("pairs"));
    assert!(v["speaker_accuracy"].as_f64().unwrap() >= 0.97);
}

/// A streamed run (directories and JSONL files in bounded batches) writes the same report as
/// the whole-input run, whatever the batch size, the thread count or the order of the lines.
#[test]
fn pair_streamed_report_does_not_depend_on_batches_threads_or_line_order() {
    if !pair_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = |name: &str| dir.path().join(name).display().to_string();
    let base = run(&["pair", "data/articles", "-q", "-o", &out("base.csv")]);
    assert_eq!(base.code, 0, "{}", base.stderr);
    let expected = std::fs::read(out("base.csv")).unwrap();
    for args in [
        vec!["--batch-size", "1", "--threads", "1"],
        vec!["--batch-size", "3", "--threads", "2"],
    ] {
        let mut a = vec!["pair", "data/articles", "-q", "-o"];
        let o = out("b.csv");
        a.push(&o);
        a.extend(args.iter());
        let r = run(&a);
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(std::fs::read(&o).unwrap(), expected, "{args:?}");
    }
    // The same articles as JSON Lines in reverse order, ids taken from the file names.
    let mut lines: Vec<String> = sample_articles()
        .iter()
        .map(|(id, p)| serde_json::json!({"id": id, "text": read_text(p)}).to_string())
        .collect();
    lines.reverse();
    let jsonl = out("in.jsonl");
    std::fs::write(&jsonl, lines.join("\n")).unwrap();
    let o = out("j.csv");
    let r = run(&["pair", &jsonl, "-q", "--batch-size", "4", "-o", &o]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(std::fs::read(&o).unwrap(), expected);
}

/// `-o` naming a pipe (or `/dev/null`, `/dev/stdout`) writes the report into it: the
/// temporary file renamed over it had replaced `/dev/null` with a regular file (as root),
/// and the reader of a pipe got nothing. Both commands, streamed and whole.
#[cfg(target_os = "linux")]
#[test]
fn reports_go_into_a_named_pipe() {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::FileTypeExt;
    if !pair_available() {
        return;
    }
    for (command, header) in [("pair", "article,pair_id,status"), ("extract", UNIT_HEADER)] {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("report.csv");
        let c = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
        // SAFETY: a NUL-terminated path that lives across the call.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        let r = run(&[command, "data/articles", "-o", fifo.to_str().unwrap(), "-q"]);
        assert_eq!(r.code, 0, "{command}: {}", r.stderr);
        // Asked before the reader is waited for: a replaced pipe never gets a writer.
        let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
        assert!(kind.is_fifo(), "{command}: the pipe was replaced");
        let got = reader.join().unwrap();
        assert!(
            first_line(&got).starts_with(header),
            "{command}: {:?}",
            first_line(&got)
        );
        assert!(got.len() > 1000, "{command}: {} bytes", got.len());
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "{command}: files left beside the pipe");
    }
}

/// `-o /dev/stdout` with stdout a file: the report goes where the redirection is, and what is
/// written to stdout after it follows it instead of overwriting it (a second open of the
/// file had its own position, at 0).
#[cfg(target_os = "linux")]
#[test]
fn a_report_to_dev_stdout_shares_the_shells_file_position() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.txt");
    let script = format!(
        "{{ echo before; '{}' extract data/articles -o /dev/stdout -q; echo after; }} > '{}'",
        env!("CARGO_BIN_EXE_riposte"),
        out.display()
    );
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(root())
        .status()
        .unwrap();
    assert!(status.success());
    let got = std::fs::read(&out).unwrap();
    let text = String::from_utf8_lossy(&got);
    assert!(
        text.starts_with("before\n"),
        "{:?}",
        &text[..40.min(text.len())]
    );
    assert!(
        text.ends_with("after\n"),
        "ends {:?}",
        &text[text.len().saturating_sub(40)..]
    );
    let report = got.strip_prefix(b"before\n".as_slice()).unwrap();
    assert_eq!(first_line(report), UNIT_HEADER);
    assert!(report.len() > 1000);
}

#[test]
fn a_fatal_error_names_its_os_cause_once() {
    // An unwritable report: the path and the OS error, on one line, each said once (the
    // error chain printed the OS error two or three times over before).
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("no/such/dir/report.csv");
    let r = run(&[
        "pair",
        "data/articles/cricket-board-report.txt",
        "-o",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_eq!(r.code, 2, "stderr: {}", r.stderr);
    let line = r.stderr.trim_end();
    assert!(!line.contains('\n'), "{line}");
    assert!(
        line.starts_with("riposte: ") && line.contains("report.csv"),
        "{line}"
    );
    assert_eq!(line.matches("(os error 2)").count(), 1, "{line}");
}

/// A named pipe is read once: a streamed run read it for its plan and then waited on it for
/// ever for the articles. Its report is the report of the same lines in a file.
#[cfg(unix)]
#[test]
fn pair_reads_a_named_pipe_once() {
    let dir = tempfile::tempdir().unwrap();
    let lines = "{\"id\":\"p1\",\"text\":\"India accused Pakistan of supporting extremism. \
                 Pakistan rejected the allegation, its Foreign Office said.\"}\n\
                 {\"id\":\"p2\",\"text\":\"The union accused the board of hiding losses. \
                 The board denied the accusation, a spokesman said.\"}\n";
    let file = dir.path().join("same.jsonl");
    std::fs::write(&file, lines).unwrap();
    let fifo = dir.path().join("pipe.jsonl");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipping: mkfifo is not available");
        return;
    }
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, lines))
    };
    let (from_pipe, from_file) = (dir.path().join("pipe.csv"), dir.path().join("file.csv"));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_riposte"))
        .current_dir(root())
        .args(["pair", "-q", "-o"])
        .arg(&from_pipe)
        .arg(&fifo)
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().ok();
            panic!("riposte still waits on the pipe after 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    writer.join().unwrap().unwrap();
    assert!(status.success());
    let r = run(&[
        "pair",
        "-q",
        "-o",
        from_file.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let (a, b) = (
        std::fs::read(&from_pipe).unwrap(),
        std::fs::read(&from_file).unwrap(),
    );
    assert!(a.len() > 200, "rows expected");
    // The origin column names the input it came from.
    assert_eq!(
        String::from_utf8(a)
            .unwrap()
            .replace("pipe.jsonl", "same.jsonl"),
        String::from_utf8(b).unwrap()
    );
}
