//! Spreadsheet-ready reports and the review round trip, end to end on the real binary:
//! CSV safety (also through LibreOffice when it is installed), the xlsx workbook, the sample,
//! `riposte review`, carried verdicts and the HTML review page.
//!
//! Fixtures are written here, not copied from anywhere: a short invented dispute between an
//! "Alliance" and a "Ministry of Roads", with hostile article ids and text.

use assert_cmd::Command;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const ARTICLE: &str = "The opposition Alliance accused the Ministry of Roads of hiding the cost of the Łódź–Zürich bypass from auditors on Monday.\n\n\
Mrs. Zoë Ångström, the Alliance spokesperson, said the ministry had concealed a 40 percent overrun in the bypass contract\nand demanded an inquiry into the overrun.\n\n\
The Ministry of Roads rejected the allegations, saying the overrun in the bypass contract had been reported to auditors in March.\n\n\
“Every figure on the bypass is public,” the ministry said in a statement.\n";

/// Article ids a spreadsheet would run as formulas if they were written as they are.
const HOSTILE_IDS: [&str; 4] = [
    "=HYPERLINK(\"http://evil.example\",\"click\")",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
];

fn riposte() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_riposte"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Out {
    let o = riposte().args(args).output().unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn ok(args: &[&str]) -> Out {
    let o = run(args);
    assert_eq!(o.code, 0, "riposte {args:?} failed:\n{}", o.stderr);
    o
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Writes the fixture articles (JSON Lines) and returns their path. `extra` adds articles.
fn fixture(dir: &Path, ids: &[&str], text: &str) -> PathBuf {
    let p = dir.join("articles.jsonl");
    let lines: Vec<String> = ids
        .iter()
        .map(|id| serde_json::json!({"id": id, "text": text}).to_string())
        .collect();
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p
}

const HINTS: [&str; 4] = ["--accuser", "Alliance", "--responder", "Ministry of Roads"];

fn pair(input: &Path, out: &Path, extra: &[&str]) -> Out {
    let mut args = vec!["pair", s(input), "-o", s(out), "--threads", "2"];
    args.extend(HINTS);
    args.extend(extra);
    ok(&args)
}

/// Reads a report CSV we wrote (BOM, `,`) into header and rows.
fn read_csv(p: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(p).unwrap();
    let body = bytes
        .strip_prefix(&[0xEF, 0xBB, 0xBF][..])
        .unwrap_or(&bytes);
    let mut r = csv::Reader::from_reader(body);
    let h = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (h, rows)
}

fn col(h: &[String], n: &str) -> usize {
    h.iter().position(|x| x == n).unwrap()
}

fn soffice() -> Option<&'static str> {
    ["soffice", "libreoffice"].into_iter().find(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Converts a CSV to xlsx with LibreOffice's import set as a person sets it in the Text
/// Import dialog: the delimiter, `"` quotes, Unicode (UTF-8). Headless conversion does not
/// sniff the BOM (it would decode as Latin-1 and glue `ï»¿` to the first header); Excel and
/// the import dialog do.
fn libreoffice_xlsx(office: &str, csv_path: &Path, delimiter: u8, dir: &Path) -> PathBuf {
    let profile = format!(
        "-env:UserInstallation=file://{}",
        s(&dir.join("lo-profile"))
    );
    let outdir = dir.join(format!("lo-{delimiter}"));
    let out = std::process::Command::new(office)
        .args([
            &profile,
            "--headless",
            &format!("--infilter=CSV:{delimiter},34,76,1"),
            "--convert-to",
            "xlsx",
            "--outdir",
            s(&outdir),
            s(csv_path),
        ])
        .output()
        .unwrap();
    let stem = csv_path.file_stem().unwrap().to_str().unwrap();
    let xlsx = outdir.join(format!("{stem}.xlsx"));
    assert!(
        xlsx.exists(),
        "LibreOffice did not convert: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    xlsx
}

#[test]
fn libreoffice_reads_the_csv_as_written() {
    let Some(office) = soffice() else {
        eprintln!("skipping: LibreOffice (soffice/libreoffice) not installed; .ci/run installs libreoffice-calc-nogui");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut ids = HOSTILE_IDS.to_vec();
    ids.push("plain");
    let input = fixture(dir.path(), &ids, ARTICLE);
    for (delimiter, name) in [(b',', "comma.csv"), (b';', "semicolon.csv")] {
        let csv_path = dir.path().join(name);
        let d = (delimiter as char).to_string();
        pair(&input, &csv_path, &["--keep-newlines", "--delimiter", &d]);
        let (header, rows) = {
            let bytes = std::fs::read(&csv_path).unwrap();
            assert!(bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "no BOM");
            let mut r = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .from_reader(&bytes[3..]);
            let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
            let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
            (h, rows)
        };
        assert!(rows.len() >= 5, "fixture should pair: {rows:?}");
        let xlsx = libreoffice_xlsx(office, &csv_path, delimiter, dir.path());
        use calamine::{Data, Reader};
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
        let sheet = wb.sheet_names()[0].clone();
        let range = wb.worksheet_range(&sheet).unwrap();
        let formulas = wb.worksheet_formula(&sheet).unwrap();
        let cells: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
        // Header plus every record: no multi-line cell was split into rows.
        assert_eq!(
            cells.len(),
            rows.len() + 1,
            "{name}: row count after import"
        );
        let lo_header: Vec<String> = cells[0].iter().map(|c| c.to_string()).collect();
        assert_eq!(lo_header, header, "{name}: header");
        let text = |r: usize, n: &str| cells[r][col(&header, n)].to_string();
        let mut saw_newline = false;
        for (r, row) in cells.iter().enumerate().skip(1) {
            let claim = text(r, "claim_text");
            assert!(
                claim.contains("Łódź–Zürich") || claim.contains("Zoë Ångström"),
                "{name}: non-ASCII text mangled: {claim}"
            );
            // Quoting: the kept line break stays inside its cell.
            saw_newline |= claim.contains('\n');
            assert!(
                matches!(row[col(&header, "score")], Data::Float(_) | Data::Int(_)),
                "{name}: score not numeric: {:?}",
                row[col(&header, "score")]
            );
            // The guard: the hostile id arrives as text with its `'`, never as a formula.
            let art = text(r, "article");
            assert!(
                art == "plain" || ids.iter().any(|id| art == format!("'{id}")),
                "{name}: article id changed by import: {art:?}"
            );
        }
        assert!(
            saw_newline,
            "{name}: the --keep-newlines cell lost its line break"
        );
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{name}: LibreOffice imported a formula"
        );
        eprintln!(
            "LibreOffice round trip of {name}: {} rows, hostile id read back as {:?}",
            cells.len() - 1,
            text(1, "article")
        );
    }
}

/// Five copies of the dispute under different ids: 20 pairings with distinct pair_ids.
fn five(dir: &Path) -> PathBuf {
    fixture(dir, &["a1", "a2", "a3", "a4", "a5"], ARTICLE)
}

#[test]
fn header_and_ids_are_not_misread_and_delimiter_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let input = five(dir.path());
    let out = dir.path().join("r.csv");
    pair(&input, &out, &["--no-bom"]);
    let bytes = std::fs::read(&out).unwrap();
    // Excel takes a file starting with `ID` for SYLK and refuses it.
    assert!(!bytes.starts_with(b"ID"));
    let (h, rows) = read_csv(&out);
    assert_eq!(h.last().unwrap(), "sample", "sample is appended last");
    for r in &rows {
        let id = &r[col(&h, "pair_id")];
        assert!(id.parse::<f64>().is_err() && !id.starts_with("ID"), "{id}");
    }
    let bad = run(&["pair", s(&input), "-o", "-", "--delimiter", "€"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--delimiter"), "{}", bad.stderr);
}

#[test]
fn long_reports_are_split_into_numbered_parts() {
    let dir = tempfile::tempdir().unwrap();
    let input = five(dir.path());
    let out = dir.path().join("r.csv");
    let o = pair(&input, &out, &["--max-rows", "7"]);
    assert!(o.stderr.contains("written as 3 parts"), "{}", o.stderr);
    assert!(!out.exists(), "the unsplit name is not written");
    let mut total = 0;
    // Three links per copy of the article: five copies make 15 rows.
    for (n, want) in [(1, 7), (2, 7), (3, 1)] {
        let (h, rows) = read_csv(&dir.path().join(format!("r-part{n}.csv")));
        assert_eq!(h[0], "article");
        assert_eq!(rows.len(), want);
        total += rows.len();
    }
    assert_eq!(total, 15);
    // A workbook gets more worksheets instead, and review reads them all.
    let x = dir.path().join("r.xlsx");
    pair(&input, &x, &["--max-rows", "7"]);
    use calamine::Reader;
    let wb: calamine::Xlsx<_> = calamine::open_workbook(&x).unwrap();
    assert_eq!(wb.sheet_names(), ["report", "report 2", "report 3"]);
    let o = ok(&["review", s(&x), "--json"]);
    let j: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(j["rows"], 15);
}

fn sample_column(p: &Path) -> Vec<(String, String)> {
    let (h, rows) = read_csv(p);
    rows.iter()
        .map(|r| (r[col(&h, "pair_id")].clone(), r[col(&h, "sample")].clone()))
        .collect()
}

#[test]
fn sample_is_reproducible_and_independent_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let input = five(dir.path());
    let mut picked = Vec::new();
    for (threads, seed) in [("1", "42"), ("2", "42"), ("2", "43")] {
        let out = dir.path().join(format!("r{threads}{seed}.csv"));
        let mut args = vec!["pair", s(&input), "-o", s(&out), "--threads", threads];
        args.extend(HINTS);
        args.extend(["--sample", "5", "--seed", seed]);
        let o = ok(&args);
        assert!(o.stderr.contains(&format!("seed {seed}")), "{}", o.stderr);
        let flagged: BTreeSet<String> = sample_column(&out)
            .into_iter()
            .filter(|(_, f)| f == "yes")
            .map(|(id, _)| id)
            .collect();
        assert_eq!(flagged.len(), 5);
        picked.push(flagged);
    }
    assert_eq!(picked[0], picked[1], "thread count changed the sample");
    assert_ne!(picked[1], picked[2], "the seed did not change the sample");
    // Without --seed one is chosen and printed so the sample can be redrawn.
    let o = pair(&input, &dir.path().join("r.csv"), &["--sample", "3"]);
    assert!(
        o.stderr.contains("sample 3 pairings flagged (seed "),
        "{}",
        o.stderr
    );
}

/// A spreadsheet's re-save of `report`: verdicts filled in, `;`-delimited, Windows-1252
/// (characters it lacks become `?`, as Excel does), no BOM, the `'` guards kept.
/// Returns the spreadsheet row numbers given each verdict.
fn resave_reviewed(report: &Path, out: &Path, verdicts: &[(&str, &str)]) -> Vec<usize> {
    let (h, mut rows) = read_csv(report);
    let (vc, nc, sc) = (col(&h, "verdict"), col(&h, "note"), col(&h, "sample"));
    let sampled: Vec<usize> = (0..rows.len()).filter(|&i| rows[i][sc] == "yes").collect();
    assert!(sampled.len() >= verdicts.len());
    for (i, (v, note)) in sampled.iter().zip(verdicts) {
        rows[*i][vc] = v.to_string();
        rows[*i][nc] = note.to_string();
    }
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    w.write_record(&h).unwrap();
    for r in &rows {
        // Excel writes scores with the locale's decimal comma.
        let mut r = r.clone();
        let score = col(&h, "score");
        r[score] = r[score].replace('.', ",");
        w.write_record(&r).unwrap();
    }
    let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
    let mut bytes = Vec::new();
    for c in text.chars() {
        let mut buf = [0; 4];
        let (b, _, bad) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut buf));
        if bad {
            bytes.push(b'?');
        } else {
            bytes.extend_from_slice(&b);
        }
    }
    std::fs::write(out, bytes).unwrap();
    sampled.iter().take(verdicts.len()).map(|i| i + 2).collect()
}

fn overall(summary: &str) -> &str {
    summary
        .lines()
        .find(|l| l.trim_start().starts_with("overall"))
        .unwrap_or("")
}

#[test]
fn review_reads_a_resaved_csv_and_reports_precision() {
    let dir = tempfile::tempdir().unwrap();
    let mut ids = vec!["a1", "a2", "a3", "a4", "a5"];
    ids.push(HOSTILE_IDS[0]);
    let input = fixture(dir.path(), &ids, ARTICLE);
    let report = dir.path().join("report.csv");
    pair(&input, &report, &["--sample", "8", "--seed", "9"]);
    let reviewed = dir.path().join("reviewed.csv");
    let rows = resave_reviewed(
        &report,
        &reviewed,
        &[
            ("Correct", ""),
            ("correct", ""),
            ("y", ""),
            ("wrong", "answers a different claim — Zoë"),
            ("unsure", ""),
            ("perhaps?", ""),
            ("", ""),
        ],
    );
    let bytes = std::fs::read(&reviewed).unwrap();
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "fixture is not Windows-1252"
    );
    let svg = dir.path().join("precision.svg");
    let html = dir.path().join("review.html");
    let o = ok(&[
        "review",
        s(&reviewed),
        "--chart",
        s(&svg),
        "--html",
        s(&html),
    ]);
    let out = &o.stdout;
    assert!(out.contains("Windows-1252, ';'-delimited"), "{out}");
    assert!(out.contains("precision from the sample"), "{out}");
    assert!(overall(out).contains("75.0%"), "{out}");
    assert!(out.contains("pairings marked wrong (1)"), "{out}");
    assert!(out.contains(&format!("row {} ", rows[3])), "{out}");
    assert!(out.contains("Zoë"), "note decoded from Windows-1252: {out}");
    assert!(
        out.contains(&format!("row {}: verdict “perhaps?”", rows[5])),
        "{out}"
    );
    assert!(out.contains("blank verdict in 2 sampled rows"), "{out}");
    assert!(out.contains(&rows[6].to_string()), "{out}");
    let chart = std::fs::read_to_string(&svg).unwrap();
    assert!(chart.contains("<svg") && chart.contains("Precision by score"));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("data-verdict=\"wrong\""));
    let png = run(&["review", s(&reviewed), "--chart", "precision.png"]);
    assert_eq!(png.code, 2);
    assert!(png.stderr.contains("only SVG charts"), "{}", png.stderr);

    let o = ok(&["review", s(&reviewed), "--json", "--target", "0.7"]);
    let j: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(j["basis"], "sample");
    assert_eq!(j["overall"]["correct"], 3);
    assert_eq!(j["overall"]["wrong"], 1);
    assert_eq!(j["overall"]["unsure"], 1);
    assert_eq!(j["threshold"]["target"], 0.7);
    let kinds: Vec<&str> = j["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.iter().filter(|k| **k == "unknown-verdict").count(), 1);
    assert_eq!(kinds.iter().filter(|k| **k == "blank-verdict").count(), 2);
    // The `'` guard is undone on the way in: the hostile id reads back as itself.
    assert!(page.contains("=HYPERLINK(&quot;http://evil.example"));
    assert!(!page.contains("&#39;=HYPERLINK"));
}

#[test]
fn csv_cells_are_guarded_flattened_and_capped() {
    let dir = tempfile::tempdir().unwrap();
    let long_id = "x".repeat(40_000);
    let mut ids = HOSTILE_IDS.to_vec();
    ids.extend(["\tTAB", long_id.as_str()]);
    let input = fixture(dir.path(), &ids, ARTICLE);
    let out = dir.path().join("r.csv");
    pair(&input, &out, &[]);
    assert!(std::fs::read(&out)
        .unwrap()
        .starts_with(&[0xEF, 0xBB, 0xBF]));
    let (h, rows) = read_csv(&out);
    // Every copy of the article gives the same rows, whatever its id does to the cell.
    let per_article = rows
        .iter()
        .filter(|r| r[col(&h, "article")] == rows[0][col(&h, "article")])
        .count();
    assert!(per_article > 0);
    assert_eq!(rows.len(), per_article * ids.len());
    for r in &rows {
        let art = &r[col(&h, "article")];
        if art.starts_with('x') {
            assert!(art.ends_with(" […truncated]"), "visible truncation marker");
            assert!(art.encode_utf16().count() < 32_767, "Excel's cell limit");
        } else {
            assert!(
                ids.iter().any(|id| *art == format!("'{id}")),
                "formula guard missing: {art:?}"
            );
        }
        // Numbers are never guarded, even with hostile text in the same row.
        let score = &r[col(&h, "score")];
        assert!(score.parse::<f64>().is_ok(), "{score:?}");
        assert!(r[col(&h, "claim_start")].parse::<usize>().is_ok());
        assert!(
            r.iter().all(|c| !c.contains(['\n', '\r'])),
            "line break kept: {r:?}"
        );
    }
    assert!(
        rows.iter()
            .any(|r| r[col(&h, "claim_text")].contains("contract and demanded")),
        "the line break became a space"
    );
    let kept = dir.path().join("kept.csv");
    pair(&input, &kept, &["--keep-newlines", "--no-bom"]);
    let bytes = std::fs::read(&kept).unwrap();
    assert!(!bytes.starts_with(&[0xEF, 0xBB, 0xBF]), "--no-bom");
    let (h, rows) = read_csv(&kept);
    assert!(rows
        .iter()
        .any(|r| r[col(&h, "claim_text")].contains("contract\nand demanded")));
}

#[test]
fn review_reads_the_csv_as_written_and_its_verdicts_carry() {
    let dir = tempfile::tempdir().unwrap();
    let mut ids = vec!["a1", "a2", "a3"];
    ids.push(HOSTILE_IDS[0]);
    let input = fixture(dir.path(), &ids, ARTICLE);
    let report = dir.path().join("report.csv");
    pair(&input, &report, &["--sample", "4", "--seed", "3"]);
    // Verdicts typed into the file as riposte wrote it: BOM, `,`, `'` guards, UTF-8.
    let (h, mut rows) = read_csv(&report);
    let (vc, nc, sc) = (col(&h, "verdict"), col(&h, "note"), col(&h, "sample"));
    let mut judged = Vec::new();
    for r in rows.iter_mut().filter(|r| r[sc] == "yes") {
        r[vc] = if judged.is_empty() {
            "wrong"
        } else {
            "correct"
        }
        .to_string();
        r[nc] = "Zoë checked".to_string();
        judged.push((r[col(&h, "pair_id")].clone(), r[vc].clone()));
    }
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    w.write_record(&h).unwrap();
    for r in &rows {
        w.write_record(r).unwrap();
    }
    std::fs::write(&report, w.into_inner().unwrap()).unwrap();

    let o = ok(&["review", s(&report), "--json"]);
    let j: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(j["basis"], "sample");
    assert_eq!(j["overall"]["correct"], 3);
    assert_eq!(j["overall"]["wrong"], 1);
    assert_eq!(
        j["problems"].as_array().map(Vec::len),
        Some(0),
        "{}",
        o.stdout
    );

    let next = dir.path().join("next.csv");
    let o = pair(&input, &next, &["--verdicts", s(&report)]);
    assert!(
        o.stderr.contains("carried 4, new 0, dropped 0"),
        "{}",
        o.stderr
    );
    let (h2, rows2) = read_csv(&next);
    for (pid, v) in &judged {
        let r = rows2
            .iter()
            .find(|r| &r[col(&h2, "pair_id")] == pid)
            .unwrap();
        assert_eq!(&r[col(&h2, "verdict")], v);
        assert_eq!(r[col(&h2, "note")], "Zoë checked");
    }
}

#[test]
fn review_reads_an_xlsx_and_verdicts_carry_into_the_next_report() {
    let dir = tempfile::tempdir().unwrap();
    let input = five(dir.path());
    let report = dir.path().join("report.csv");
    pair(&input, &report, &["--sample", "4", "--seed", "1"]);
    // The reviewer's workbook, as Excel would save it: verdicts typed, scores numbers.
    let (h, rows) = read_csv(&report);
    let (vc, nc, sc, score) = (
        col(&h, "verdict"),
        col(&h, "note"),
        col(&h, "sample"),
        col(&h, "score"),
    );
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, name) in h.iter().enumerate() {
        ws.write_string(0, c as u16, name).unwrap();
    }
    let mut judged = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (rr, cc) = (r as u32 + 1, c as u16);
            if c == score && !v.is_empty() {
                ws.write_number(rr, cc, v.parse::<f64>().unwrap()).unwrap();
            } else if c == vc && row[sc] == "yes" {
                let v = if judged.is_empty() {
                    "wrong"
                } else {
                    "correct"
                };
                ws.write_string(rr, cc, v).unwrap();
                ws.write_string(rr, nc as u16, format!("checked {r}"))
                    .unwrap();
                judged.push((row[col(&h, "pair_id")].clone(), v, row[0].clone()));
            } else if c != nc && !v.is_empty() {
                ws.write_string(rr, cc, v).unwrap();
            }
        }
    }
    let reviewed = dir.path().join("reviewed.xlsx");
    wb.save(&reviewed).unwrap();
    let o = ok(&["review", s(&reviewed)]);
    assert!(o.stdout.contains("xlsx workbook"), "{}", o.stdout);
    assert!(overall(&o.stdout).contains("75.0%"), "{}", o.stdout);

    // Next week: article a5 is gone, a6 is new. Verdicts of unchanged pair_ids carry over.
    let gone = judged.iter().filter(|j| j.2 == "a5").count();
    let input2 = fixture(dir.path(), &["a1", "a2", "a3", "a4", "a6"], ARTICLE);
    let next = dir.path().join("next.csv");
    let o = pair(&input2, &next, &["--verdicts", s(&reviewed)]);
    assert!(
        o.stderr.contains(&format!(
            "carried {}, new 3, dropped {gone}",
            judged.len() - gone
        )),
        "{}",
        o.stderr
    );
    let (h2, rows2) = read_csv(&next);
    for (pid, v, art) in &judged {
        let row = rows2.iter().find(|r| &r[col(&h2, "pair_id")] == pid);
        match row {
            Some(r) => {
                assert_eq!(&r[col(&h2, "verdict")], v);
                assert!(r[col(&h2, "note")].starts_with("checked "));
            }
            None => assert_eq!(art, "a5"),
        }
    }
}

#[test]
fn xlsx_workbook_is_typed_and_ready_for_review() {
    let dir = tempfile::tempdir().unwrap();
    let input = fixture(
        dir.path(),
        &[HOSTILE_IDS[0], "00123", "2024-01-05"],
        ARTICLE,
    );
    for (name, extra) in [("r.xlsx", vec![]), ("r.bin", vec!["--format", "xlsx"])] {
        let out = dir.path().join(name);
        pair(&input, &out, &extra);
        use calamine::{Data, Reader};
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&out).unwrap();
        let range = wb.worksheet_range("report").unwrap();
        let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
        let h: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
        assert_eq!(h[1], "pair_id");
        assert_eq!(h.last().unwrap(), "sample");
        let arts: BTreeSet<String> = rows[1..].iter().map(|r| r[0].to_string()).collect();
        // Ids stay text exactly as given; the formula is inert text, no `'` needed.
        assert!(
            arts.contains(HOSTILE_IDS[0]) && arts.contains("00123") && arts.contains("2024-01-05")
        );
        assert!(rows[1..]
            .iter()
            .all(|r| matches!(r[col(&h, "score")], Data::Float(_))));
        let zip = zip::ZipArchive::new(std::fs::File::open(&out).unwrap());
        let mut zip = zip.unwrap();
        let mut xml = String::new();
        std::io::Read::read_to_string(
            &mut zip.by_name("xl/worksheets/sheet1.xml").unwrap(),
            &mut xml,
        )
        .unwrap();
        assert!(xml.contains("state=\"frozen\""), "header not frozen");
        assert!(xml.contains("<cols>"), "no column widths");
        assert!(xml.contains("<autoFilter"), "no autofilter");
        assert!(xml.contains("<colorScale>"), "no colour scale on score");
        assert!(xml.contains("<dataValidation") && xml.contains("correct,wrong,unsure"));
        assert!(xml.contains("wrapText") || zip_has(&mut zip, "xl/styles.xml", "wrapText"));
    }
}

fn zip_has(zip: &mut zip::ZipArchive<std::fs::File>, name: &str, needle: &str) -> bool {
    let mut s = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
    s.contains(needle)
}

#[test]
fn html_page_escapes_article_text() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = ARTICLE.replace(
        "concealed a 40 percent overrun",
        "concealed <script>alert(\"pwned\")</script> a 40 percent overrun",
    );
    let input = fixture(
        dir.path(),
        &["<img src=x onerror=alert(1)>", "b&b"],
        &hostile,
    );
    let out = dir.path().join("page.html");
    pair(&input, &out, &[]);
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(page.contains("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;"));
    assert_eq!(
        page.matches("<script").count(),
        1,
        "only the page's own script"
    );
    assert!(
        !page.contains("<img") && !page.contains("src=\""),
        "no element from article text, no external asset"
    );
    // Links only move within the page: to a row's character offsets.
    assert!(page.matches("href=").count() > 0);
    assert_eq!(
        page.matches("href=").count(),
        page.matches("href=\"#").count()
    );
    assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;") && page.contains("b&amp;b"));
    assert!(page.contains("Content-Security-Policy"));
    assert!(page.contains("<mark>"), "shared terms highlighted");
    assert!(page.contains("id=\"f-status\"") && page.contains("id=\"f-conf\""));
    assert!(page.contains("class=\"bar\""), "score bars");
    // `--format html` says the same; extract refuses it (there are no pairs to show).
    let by_flag = dir.path().join("page.out");
    pair(&input, &by_flag, &["--format", "html"]);
    assert_eq!(std::fs::read_to_string(&by_flag).unwrap(), page);
    let o = run(&["extract", s(&input), "--format", "html", "-o", "-"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
}

/// The hostile article of the browser test: script and event-handler markup in a claim and in
/// a rebuttal, and a canary that marks the page on load if it ever becomes an element and runs
/// (an `alert` would only block a headless browser, not show in its DOM).
fn hostile_article() -> String {
    ARTICLE
        .replace(
            "concealed a 40 percent overrun",
            "concealed <script>alert(1)</script> a 40 percent overrun",
        )
        .replace(
            "had been reported to auditors",
            "had been reported <img src=x onerror=alert(2)> <svg onload=\"document.body.dataset.pwned=1\"></svg> to auditors",
        )
}

/// A second source's accusation, made after the ministry answered: nobody answers it, so the
/// page has more than one status to filter by.
const LATE_CLAIM: &str = "\nSen. Tomas Hale, an Alliance senator, said the ministry had “lied about the tunnel tender from day one.”\n";

/// Writes the browser test's report as CSV and as HTML from the same input.
fn review_page_fixture(dir: &Path) -> (PathBuf, PathBuf) {
    let input = dir.join("articles.jsonl");
    let lines = [
        serde_json::json!({"id": "hostile", "text": hostile_article()}).to_string(),
        serde_json::json!({"id": "<img src=x onerror=alert(3)>", "text": ARTICLE.to_string() + LATE_CLAIM}).to_string(),
    ];
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let (csv_path, html) = (dir.join("report.csv"), dir.join("report.html"));
    pair(&input, &csv_path, &["--sample", "2", "--seed", "7"]);
    pair(&input, &html, &["--sample", "2", "--seed", "7"]);
    (csv_path, html)
}

/// One `<tr>` of the page: the attributes of its start tag and its markup.
struct DomRow {
    attrs: String,
    inner: String,
}

impl DomRow {
    fn attr(&self, name: &str) -> Option<&str> {
        let key = format!(" {name}=\"");
        let at = self.attrs.find(&key)? + key.len();
        Some(&self.attrs[at..at + self.attrs[at..].find('"')?])
    }
    fn hidden(&self) -> bool {
        self.attr("hidden").is_some()
    }
}

/// The body rows of a serialized page. Chromium writes every attribute as `name="value"`
/// with `"` escaped, so the start tag ends at the first `>`.
fn dom_rows(dom: &str) -> Vec<DomRow> {
    let tbody = &dom[dom.find("<tbody>").expect("no tbody")..];
    let tbody = &tbody[..tbody.find("</tbody>").expect("no /tbody")];
    tbody
        .split("<tr")
        .skip(1)
        .map(|tr| {
            let end = tr.find('>').unwrap();
            DomRow {
                attrs: tr[..end].to_string(),
                inner: tr[end + 1..].to_string(),
            }
        })
        .collect()
}

#[test]
fn html_page_links_every_row_to_its_character_offsets() {
    let dir = tempfile::tempdir().unwrap();
    let (csv_path, html) = review_page_fixture(dir.path());
    let (h, rows) = read_csv(&csv_path);
    let page = std::fs::read_to_string(&html).unwrap();
    let trs = dom_rows(&page);
    assert_eq!(trs.len(), rows.len());
    for (r, tr) in rows.iter().zip(&trs) {
        let pid = &r[col(&h, "pair_id")];
        assert_eq!(tr.attr("id"), Some(pid.as_str()), "a row links by pair_id");
        for side in ["claim", "rebuttal"] {
            let (start, end) = (
                &r[col(&h, &format!("{side}_start"))],
                &r[col(&h, &format!("{side}_end"))],
            );
            assert_eq!(tr.attr(&format!("data-{side}-start")), Some(start.as_str()));
            assert_eq!(tr.attr(&format!("data-{side}-end")), Some(end.as_str()));
            if !start.is_empty() {
                let link =
                    format!("href=\"#{pid}-{side}\" data-start=\"{start}\" data-end=\"{end}\"");
                assert!(
                    tr.inner.contains(&link),
                    "{side} offsets of {pid}: {}",
                    tr.inner
                );
                assert!(tr.inner.contains(&format!(">chars {start}–{end}</a>")));
            }
        }
    }
}

/// The start tags of a serialized page, from after `<` to before `>`.
fn start_tags(dom: &str) -> Vec<&str> {
    dom.split('<')
        .skip(1)
        .filter(|t| !t.starts_with('/') && !t.starts_with('!'))
        .map(|t| &t[..t.find('>').unwrap_or(t.len())])
        .collect()
}

/// The attribute names of a serialized start tag (values are always `"`-quoted).
fn attr_names(tag: &str) -> impl Iterator<Item = &str> {
    let mut rest = tag.split_once(' ').map_or("", |x| x.1);
    std::iter::from_fn(move || {
        rest = rest.trim_start();
        if rest.is_empty() {
            return None;
        }
        let end = rest.find(['=', ' ']).unwrap_or(rest.len());
        let name = &rest[..end];
        rest = &rest[end..];
        if let Some(v) = rest.strip_prefix("=\"") {
            rest = v.split_once('"').map_or("", |x| x.1);
        }
        Some(name)
    })
}

fn chromium() -> Option<String> {
    let candidates = std::env::var("RIPOSTE_CHROMIUM").into_iter().chain(
        ["chromium", "chromium-browser", "google-chrome"]
            .into_iter()
            .map(String::from),
    );
    candidates.into_iter().find(|b| {
        std::process::Command::new(b)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Runs headless Chromium on `url` with `args` and returns its stdout. The flags keep it off
/// the network (the CI machine has none, and a page must not need it); each run gets its own
/// profile so runs in parallel do not share a lock. A hung browser fails the test instead of
/// hanging it.
fn headless(browser: &str, dir: &Path, args: &[&str], url: &str) -> String {
    use std::io::Read;
    let profile = tempfile::tempdir_in(dir).unwrap();
    let mut child = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", s(profile.path())))
        .args(args)
        .arg(url)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Drained on threads: a full pipe would stall the browser.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).map(|_| s)
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).map(|_| s)
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{browser} {args:?} {url}: no answer in 90 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let (out, err) = (
        out.join().unwrap().unwrap_or_default(),
        err.join().unwrap().unwrap_or_default(),
    );
    assert!(
        status.success(),
        "{browser} {args:?} {url}: {status}\n{err}"
    );
    out
}

/// `file://` URL of a local path, with the bytes a URL cannot hold percent-encoded.
fn file_url(p: &Path) -> String {
    let mut u = String::from("file://");
    for b in s(p).bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            u.push(b as char);
        } else {
            u.push_str(&format!("%{b:02X}"));
        }
    }
    u
}

#[test]
fn chromium_renders_the_review_page() {
    let Some(browser) = chromium() else {
        eprintln!("skipping: Chromium not installed (chromium, chromium-browser, google-chrome or $RIPOSTE_CHROMIUM); .ci/run installs the Debian package chromium");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (csv_path, html) = review_page_fixture(dir.path());
    let (h, rows) = read_csv(&csv_path);
    let url = file_url(&html);
    // The budget lets the page's script run before the DOM is serialized.
    let dom = |hash: &str| {
        headless(
            &browser,
            dir.path(),
            &["--virtual-time-budget=3000", "--dump-dom"],
            &format!("{url}{hash}"),
        )
    };

    let page = dom("");
    let trs = dom_rows(&page);
    assert_eq!(trs.len(), rows.len(), "one row per pairing:\n{page}");
    assert!(
        trs.iter().all(|t| !t.hidden()),
        "no filter set, all rows shown"
    );
    assert!(page.contains(&format!("<span id=\"shown\">{}</span>", rows.len())));
    for (r, tr) in rows.iter().zip(&trs) {
        assert_eq!(tr.attr("id"), Some(r[col(&h, "pair_id")].as_str()));
        assert_eq!(tr.attr("data-status"), Some(r[col(&h, "status")].as_str()));
        for side in ["claim", "rebuttal"] {
            let start = &r[col(&h, &format!("{side}_start"))];
            let end = &r[col(&h, &format!("{side}_end"))];
            assert_eq!(tr.attr(&format!("data-{side}-start")), Some(start.as_str()));
            if !start.is_empty() {
                assert!(tr.inner.contains(&format!(">chars {start}–{end}</a>")));
            }
        }
    }

    // Escaping, as the browser parsed it: the article's markup is text in the rows, not
    // elements, and nothing of it ran.
    // The serializer writes text's `<` as `&lt;`, so every `<` left is an element of the page.
    let tags = start_tags(&page);
    let page_tags: BTreeSet<&str> = [
        "html", "head", "meta", "title", "style", "body", "h1", "p", "mark", "form", "label",
        "select", "option", "input", "span", "table", "thead", "tbody", "tr", "th", "td", "div",
        "a", "br", "code", "b", "script",
    ]
    .into();
    for t in &tags {
        let name = t.split([' ', '>']).next().unwrap();
        assert!(
            page_tags.contains(name),
            "article markup became an element: <{t}"
        );
        assert!(
            attr_names(t).all(|a| !a.starts_with("on")),
            "an event handler in the page: <{t}"
        );
    }
    assert_eq!(
        tags.iter().filter(|t| t.starts_with("script")).count(),
        1,
        "only the page's own script"
    );
    assert!(!page.contains("data-pwned"), "article markup ran");
    let cells: String = trs.iter().map(|t| t.inner.as_str()).collect();
    for text in [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&lt;img src=x onerror=alert(2)&gt;",
        "&lt;img src=x onerror=alert(3)&gt;",
        "&lt;svg onload=\"document.body.dataset.pwned=1\"&gt;&lt;/svg&gt;",
    ] {
        assert!(cells.contains(text), "{text} not shown as text");
    }

    // Filters, set by the URL hash the page reads: the rows left shown are exactly the
    // report's rows that match.
    let field = |r: &Vec<String>, n: &str| r[col(&h, n)].clone();
    type Keep<'a> = Box<dyn Fn(&Vec<String>) -> bool + 'a>;
    let cases: Vec<(&str, Keep)> = vec![
        (
            "#status=unanswered",
            Box::new(move |r| field(r, "status") == "unanswered"),
        ),
        (
            "#confidence=high",
            Box::new(move |r| field(r, "confidence") == "high"),
        ),
        ("#sample=1", Box::new(move |r| field(r, "sample") == "yes")),
        (
            "#q=alert(2)",
            Box::new(|r| r.iter().any(|c| c.contains("alert(2)"))),
        ),
        (
            "#status=paired&confidence=medium",
            Box::new(move |r| field(r, "status") == "paired" && field(r, "confidence") == "medium"),
        ),
    ];
    for (hash, keep) in cases {
        let want: Vec<String> = rows
            .iter()
            .filter(|r| keep(r))
            .map(|r| field(r, "pair_id"))
            .collect();
        assert!(
            !want.is_empty() && want.len() < rows.len(),
            "{hash}: the fixture should keep some rows and hide others"
        );
        let page = dom(hash);
        let shown: Vec<String> = dom_rows(&page)
            .iter()
            .filter(|t| !t.hidden())
            .map(|t| t.attr("id").unwrap().to_string())
            .collect();
        assert_eq!(shown, want, "{hash}: rows shown");
        assert!(
            page.contains(&format!("<span id=\"shown\">{}</span>", want.len())),
            "{hash}: count shown"
        );
    }

    // The artefact a person looks at: a screenshot of the page as a reviewer first sees it.
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("riposte-review-page.png");
    let _ = std::fs::remove_file(&shot);
    headless(
        &browser,
        dir.path(),
        &[
            "--window-size=1280,900",
            &format!("--screenshot={}", s(&shot)),
        ],
        &url,
    );
    let png = std::fs::read(&shot).expect("no screenshot written");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "screenshot is not a PNG"
    );
    let dim = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    assert_eq!((dim(16), dim(20)), (1280, 900), "screenshot size");
    eprintln!("review page screenshot: {}", shot.display());
}
