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
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(&bytes);
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
    let profile = format!("-env:UserInstallation=file://{}", s(&dir.join("lo-profile")));
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
        assert_eq!(cells.len(), rows.len() + 1, "{name}: row count after import");
        let lo_header: Vec<String> = cells[0].iter().map(|c| c.to_string()).collect();
        assert_eq!(lo_header, header, "{name}: header");
        let text = |r: usize, n: &str| cells[r][col(&header, n)].to_string();
        let mut saw_newline = false;
        for r in 1..cells.len() {
            let claim = text(r, "claim_text");
            assert!(
                claim.contains("Łódź–Zürich") || claim.contains("Zoë Ångström"),
                "{name}: non-ASCII text mangled: {claim}"
            );
            // Quoting: the kept line break stays inside its cell.
            saw_newline |= claim.contains('\n');
            assert!(
                matches!(cells[r][col(&header, "score")], Data::Float(_) | Data::Int(_)),
                "{name}: score not numeric: {:?}",
                cells[r][col(&header, "score")]
            );
            // The guard: the hostile id arrives as text with its `'`, never as a formula.
            let art = text(r, "article");
            assert!(
                art == "plain" || ids.iter().any(|id| art == format!("'{id}")),
                "{name}: article id changed by import: {art:?}"
            );
        }
        assert!(saw_newline, "{name}: the --keep-newlines cell lost its line break");
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
