//! Snapshot tests (insta) of the pair report: the full report of one bundled article (text
//! written for this project), and the seed's report without its text columns (the seed is
//! third-party text and must not be copied into the repo).

use assert_cmd::Command;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pair(input: &str) -> String {
    let out = Command::cargo_bin("riposte")
        .unwrap()
        .current_dir(root())
        .args(["pair", input, "-q", "--threads", "2", "-o", "-"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn bundled_article_report() {
    insta::assert_snapshot!(pair("data/articles/budget-opposition-criticism.txt"));
}

#[test]
fn seed_report_without_text() {
    let seed = root().join("../shared/seed/article.txt");
    if !seed.exists() {
        eprintln!("skipping: ../shared/seed not present");
        return;
    }
    let csv = pair(seed.to_str().unwrap());
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    let keep = [
        "pair_id",
        "status",
        "score",
        "confidence",
        "basis",
        "claim_id",
        "claim_speaker",
        "claim_kind",
        "rebuttal_id",
        "rebuttal_speaker",
        "rebuttal_kind",
        "lexical",
        "fuzzy",
        "reference",
        "claim_start",
        "claim_end",
        "rebuttal_start",
        "rebuttal_end",
    ];
    let idx: Vec<usize> = keep
        .iter()
        .map(|k| headers.iter().position(|h| h == *k).unwrap())
        .collect();
    let mut lines = vec![keep.join(",")];
    for r in rdr.records() {
        let r = r.unwrap();
        lines.push(
            idx.iter()
                .map(|&i| r.get(i).unwrap_or(""))
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    insta::assert_snapshot!(lines.join("\n"));
}
