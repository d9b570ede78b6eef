//! Two-source pairing (`riposte pair --claims A --responses B`) as a user runs it, on small
//! fixtures written here.

use assert_cmd::Command;
use std::collections::HashMap;
use std::path::Path;

const HEADER: &str = "article,pair_id,status,score,confidence,basis,claim_id,claim_speaker,claim_side,claim_kind,claim_text,rebuttal_id,rebuttal_speaker,rebuttal_side,rebuttal_kind,rebuttal_text,evidence,lexical,fuzzy,reference,claim_start,claim_end,rebuttal_start,rebuttal_end,verdict,note";

fn riposte() -> Command {
    Command::new(env!("CARGO_BIN_EXE_riposte"))
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// Runs `pair` with the given arguments (stdout output) and returns (stdout, exit code).
fn pair(args: &[&str]) -> (String, i32) {
    let out = riposte().arg("pair").args(args).output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

fn rows(csv_text: &str) -> Vec<HashMap<String, String>> {
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    let h: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            h.iter().cloned().zip(r.iter().map(String::from)).collect()
        })
        .collect()
}

const STATEMENT: &str =
    "The ministry said the neighbouring state funded militant camps near the border.\n\n\
It also accused the state of diverting river water from farmers in the valley.\n\n\
Officials said the elections last month were rigged.\n";

const BRIEFING: &str = "There are no militant camps near the border, the spokesman said.\n\n\
The river water agreement is honoured, and farmers in the valley receive their share.\n";

const CLAIMS_JSONL: &str = r#"{"id": "c-steel", "text": "Steel tariffs hurt farmers and exporters.", "group": "week1"}
{"id": "c-water", "text": "River water was diverted from farmers in the valley.", "group": "week2"}
{"id": "c-moon", "text": "Quasar telescopes photographed zebras.", "group": "week1"}
"#;

const RESPONSES_JSONL: &str = r#"{"id": "r-steel-1", "text": "Steel tariffs protect farmers, the minister said.", "group": "week1"}
{"id": "r-steel-2", "text": "Steel tariffs protect farmers and exporters alike.", "group": "week2"}
{"id": "r-water", "text": "Farmers in the valley receive their share of river water.", "group": "week2"}
"#;

#[test]
fn documents_header_and_unanswered() {
    let d = tempfile::tempdir().unwrap();
    let a = write(d.path(), "statement.txt", STATEMENT);
    let b = write(d.path(), "briefing.txt", BRIEFING);
    let (out, code) = pair(&["--claims", &a, "--responses", &b, "-q"]);
    assert_eq!(code, 0);
    assert!(
        out.lines().next().unwrap().starts_with(HEADER),
        "header contract: {}",
        out.lines().next().unwrap()
    );
    let rs = rows(&out);
    let best: Vec<(&str, &str)> = rs
        .iter()
        .filter(|r| r["status"] == "paired")
        .map(|r| (r["claim_id"].as_str(), r["rebuttal_id"].as_str()))
        .collect();
    assert!(best.contains(&("statement:s1", "briefing:s1")), "{best:?}");
    assert!(best.contains(&("statement:s2", "briefing:s2")), "{best:?}");
    // Nothing in the briefing speaks of elections.
    let s3: Vec<_> = rs
        .iter()
        .filter(|r| r["claim_id"] == "statement:s3")
        .collect();
    assert_eq!(s3.len(), 1);
    assert_eq!(s3[0]["status"], "unanswered");
    assert_eq!(s3[0]["rebuttal_id"], "");
    // Character offsets point into the claims document.
    let r1 = rs.iter().find(|r| r["claim_id"] == "statement:s2").unwrap();
    let (s, e): (usize, usize) = (
        r1["claim_start"].parse().unwrap(),
        r1["claim_end"].parse().unwrap(),
    );
    let text: String = STATEMENT.chars().skip(s).take(e - s).collect();
    assert_eq!(text, r1["claim_text"]);
}

#[test]
fn jsonl_ids_carried_and_groups_respected() {
    let d = tempfile::tempdir().unwrap();
    let a = write(d.path(), "claims.jsonl", CLAIMS_JSONL);
    let b = write(d.path(), "responses.jsonl", RESPONSES_JSONL);
    let (out, code) = pair(&["--claims", &a, "--responses", &b, "-q"]);
    assert_eq!(code, 0);
    let rs = rows(&out);
    let links: Vec<(&str, &str)> = rs
        .iter()
        .filter(|r| r["status"] == "paired")
        .map(|r| (r["claim_id"].as_str(), r["rebuttal_id"].as_str()))
        .collect();
    // r-steel-2 matches c-steel best on words but sits in another group.
    let steel: Vec<&str> = links
        .iter()
        .filter(|l| l.0 == "c-steel")
        .map(|l| l.1)
        .collect();
    assert_eq!(steel, vec!["r-steel-1"]);
    // Best first: the water claim's first link is the water response.
    assert_eq!(
        links.iter().find(|l| l.0 == "c-water").unwrap().1,
        "r-water"
    );
    assert!(links.iter().all(|l| l.1 != "r-steel-1" || l.0 != "c-water"));
    let moon = rs.iter().find(|r| r["claim_id"] == "c-moon").unwrap();
    assert_eq!(moon["status"], "unanswered");
    // The group is the report's article.
    assert!(rs.iter().any(|r| r["article"] == "week2"));
}

#[test]
fn top_k_and_exclude_same_id() {
    let d = tempfile::tempdir().unwrap();
    let corpus = r#"{"id": "q1", "text": "Steel tariffs hurt farmers and exporters."}
{"id": "d1", "text": "Steel tariffs protect farmers and exporters."}
{"id": "d2", "text": "Steel tariffs were announced."}
{"id": "d3", "text": "Farmers met exporters."}
"#;
    let q = write(
        d.path(),
        "queries.jsonl",
        "{\"id\": \"q1\", \"text\": \"Steel tariffs hurt farmers and exporters.\"}\n",
    );
    let c = write(d.path(), "corpus.jsonl", corpus);
    let ids = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["--claims", &q, "--responses", &c, "-q", "--min-score", "0"];
        a.extend_from_slice(args);
        rows(&pair(&a).0)
            .into_iter()
            .map(|r| r["rebuttal_id"].clone())
            .collect()
    };
    let all = ids(&["--top-k", "10"]);
    assert_eq!(all[0], "q1", "the query finds itself first: {all:?}");
    assert_eq!(ids(&[]).len(), 3, "default top-k is 3");
    let ex = ids(&["--top-k", "10", "--exclude-same-id"]);
    assert!(!ex.contains(&"q1".to_string()), "{ex:?}");
    assert_eq!(ex[0], "d1");
}

#[test]
fn output_does_not_depend_on_threads() {
    let d = tempfile::tempdir().unwrap();
    let mut claims = String::new();
    let mut responses = String::new();
    let topics = [
        "steel tariffs farmers",
        "river water valley",
        "border camps militants",
        "election ballots fraud",
        "grain exports ports",
        "gas pipeline prices",
    ];
    for i in 0..60 {
        let t = topics[i % topics.len()];
        claims.push_str(&format!(
            "{{\"id\": \"c{i}\", \"text\": \"Claim {i}: the {t} policy failed in region {}.\"}}\n",
            i % 7
        ));
        responses.push_str(&format!(
            "{{\"id\": \"r{i}\", \"text\": \"Response {i}: the {t} policy worked in region {}.\"}}\n",
            i % 5
        ));
    }
    let a = write(d.path(), "c.jsonl", &claims);
    let b = write(d.path(), "r.jsonl", &responses);
    let run = |threads: &str| {
        let (out, code) = pair(&[
            "--claims",
            &a,
            "--responses",
            &b,
            "--threads",
            threads,
            "-q",
            "--position-weight",
            "0.1",
        ]);
        assert_eq!(code, 0);
        out
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert!(rows(&one).len() >= 60);
}

#[test]
fn positional_inputs_conflict_with_claims() {
    let out = riposte()
        .args(["pair", "data/articles", "--claims", "a", "--responses", "b"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = riposte().args(["pair", "--claims", "a"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "--claims needs --responses");
}
