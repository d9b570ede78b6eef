//! Scale-out: `pair --shard` workers run side by side (under GNU parallel, as a scheduler
//! would run them), `merge` of their reports, completion markers, `--shard env`, and the
//! stdin → stdout stream. The promise checked throughout: the merged report is byte for
//! byte the report of one run over all inputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_riposte")
}

fn riposte(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(root())
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("AWS_BATCH_JOB_ARRAY_INDEX")
        .output()
        .expect("run riposte")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The bundled articles as JSON Lines under new ids, `copies` times each, with ids that
/// exercise the spreadsheet guard (which merge must see through) and two bad lines.
fn corpus(dir: &Path, copies: usize) -> PathBuf {
    let mut lines = Vec::new();
    let mut names: Vec<PathBuf> = std::fs::read_dir(root().join("data/articles"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    names.sort();
    for c in 0..copies {
        for (i, p) in names.iter().enumerate() {
            let text = std::fs::read_to_string(p).unwrap();
            let id = match (c + i) % 4 {
                0 => format!("-{c}-{i}"),
                1 => format!("={c}-{i}"),
                2 => format!("({c}-{i})"),
                _ => format!("n{c}-{i}"),
            };
            lines.push(serde_json::json!({"id": id, "text": text}).to_string());
        }
    }
    lines.insert(3, "not json".to_string());
    lines.insert(
        7,
        serde_json::json!({"id": "empty", "text": " "}).to_string(),
    );
    let path = dir.join("corpus.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

fn have_parallel() -> bool {
    Command::new("parallel")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn sorted_lines(p: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

#[test]
fn shards_under_gnu_parallel_merge_to_the_single_run() {
    if !have_parallel() {
        eprintln!("skipped: GNU parallel is not installed (apt-get install parallel)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let jsonl = corpus(d, 2);
    for (ext, format) in [("csv", "csv"), ("jsonl", "jsonl")] {
        let single = d.join(format!("single.{ext}"));
        let errors = d.join(format!("single-errors-{ext}.csv"));
        let o = riposte(&[
            "pair",
            "data/articles",
            s(&jsonl),
            "-o",
            s(&single),
            "--format",
            format,
            "--errors",
            s(&errors),
        ]);
        assert_eq!(o.status.code(), Some(1), "bad lines fail: {}", stderr(&o));
        let summary = stderr(&o);

        // Three workers at once, as `parallel` (or a Slurm array) would start them.
        let shard = |k: &str| d.join(format!("shard{k}.{ext}"));
        let o = Command::new("parallel")
            .current_dir(root())
            .args(["--halt", "never", "-j3", bin(), "pair", "data/articles"])
            .arg(&jsonl)
            .arg("-o")
            .arg(d.join(format!("shard{{}}.{ext}")))
            .args(["--format", format, "--errors"])
            .arg(d.join(format!("errors{{}}-{ext}.csv")))
            .args(["--shard", "{}/3", "-q", ":::", "0", "1", "2"])
            .output()
            .unwrap();
        for k in ["0", "1", "2"] {
            assert!(
                d.join(format!("shard{k}.{ext}.done")).exists(),
                "shard {k} finished: {}",
                stderr(&o)
            );
        }
        let merged = d.join(format!("merged.{ext}"));
        let merged_errors = d.join(format!("merged-errors-{ext}.csv"));
        // Shards given out of order: the merge orders by article, not by argument.
        let o = riposte(&[
            "merge",
            s(&shard("2")),
            s(&shard("0")),
            s(&shard("1")),
            "-o",
            s(&merged),
            "--errors",
            s(&merged_errors),
        ]);
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(
            std::fs::read(&single).unwrap() == std::fs::read(&merged).unwrap(),
            "merged {ext} report differs from the single run"
        );
        // Every problem reported by exactly one shard.
        assert_eq!(sorted_lines(&errors), sorted_lines(&merged_errors));
        let st: serde_json::Value = serde_json::from_slice(
            &std::fs::read(d.join(format!("merged.{ext}.stats.json"))).unwrap(),
        )
        .unwrap();
        let (read, failed) = (
            st["articles_read"].as_u64().unwrap(),
            st["articles_failed"].as_u64().unwrap(),
        );
        let counts = format!(
            "inputs given {} = read {read} + failed {failed}; claims {}; rebuttals {}; links {}; unanswered claims {}; unmatched rebuttals {};",
            read + failed,
            st["claims"],
            st["rebuttals"],
            st["links"],
            st["unanswered"],
            st["unmatched"]
        );
        assert!(summary.contains(&counts), "{summary} vs {counts}");
        assert_eq!(st["shards"], serde_json::json!(["0/3", "1/3", "2/3"]));
    }
    // A missing shard is refused rather than merged into a report that looks complete.
    let o = riposte(&[
        "merge",
        s(&d.join("shard0.csv")),
        s(&d.join("shard2.csv")),
        "-o",
        s(&d.join("partial.csv")),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("1/3 missing"), "{}", stderr(&o));
}

#[test]
fn killed_shard_leaves_no_marker_and_is_redone() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let jsonl = corpus(d, 20);
    let out = d.join("shard.csv");
    let marker = d.join("shard.csv.done");
    let args = ["pair", s(&jsonl), "-o", s(&out), "--shard", "0/2", "-q"];

    let mut child = Command::new(bin())
        .args(args)
        .current_dir(root())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    if child.try_wait().unwrap().is_none() {
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(!marker.exists(), "a killed shard must not leave a marker");
        assert!(
            !out.exists(),
            "the report is renamed into place only when complete"
        );
    } else {
        eprintln!("note: the shard finished within 300 ms; the kill was not exercised");
        std::fs::remove_file(&marker).unwrap();
    }

    // The report written but no marker (killed between the two): redone, not skipped.
    std::fs::write(&out, "stale").unwrap();
    let o = riposte(&args[..args.len() - 1]);
    let code = o.status.code();
    assert!(matches!(code, Some(0 | 1)), "{}", stderr(&o));
    assert!(!stderr(&o).contains("skipping"));
    assert!(marker.exists());
    let first = std::fs::read(&out).unwrap();
    assert_ne!(first, b"stale");

    // Done and unchanged: skipped, report untouched.
    let o = riposte(&args[..args.len() - 1]);
    assert!(stderr(&o).contains("already done"), "{}", stderr(&o));
    assert_eq!(
        o.status.code(),
        code,
        "a skip repeats the recorded exit code"
    );
    assert_eq!(std::fs::read(&out).unwrap(), first);

    // Same inputs but --force, or changed inputs: redone.
    let o = riposte(&[&args[..args.len() - 1], &["--force"]].concat());
    assert!(!stderr(&o).contains("already done"), "{}", stderr(&o));
    let mut text = std::fs::read_to_string(&jsonl).unwrap();
    text.push_str("{\"id\":\"late\",\"text\":\"The Alliance accused the ministry of lying. The ministry denied it.\"}\n");
    std::fs::write(&jsonl, text).unwrap();
    let o = riposte(&args[..args.len() - 1]);
    assert!(!stderr(&o).contains("already done"), "{}", stderr(&o));
    assert!(marker.exists());
}

#[test]
fn shard_env_reads_slurm_variables() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let explicit = d.join("explicit.csv");
    let o = riposte(&[
        "pair",
        "data/articles",
        "-o",
        s(&explicit),
        "--shard",
        "1/3",
        "-q",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // `--array=1-3` numbers tasks from 1: task 2 is the second shard, index 1.
    for (id, min) in [("1", "0"), ("2", "1")] {
        let env_out = d.join(format!("env{id}.csv"));
        let o = Command::new(bin())
            .args([
                "pair",
                "data/articles",
                "-o",
                s(&env_out),
                "--shard",
                "env",
                "-q",
            ])
            .current_dir(root())
            .env("SLURM_ARRAY_TASK_ID", id)
            .env("SLURM_ARRAY_TASK_MIN", min)
            .env("SLURM_ARRAY_TASK_COUNT", "3")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert_eq!(
            std::fs::read(&explicit).unwrap(),
            std::fs::read(&env_out).unwrap()
        );
        let st = std::fs::read_to_string(d.join(format!("env{id}.csv.stats.json"))).unwrap();
        assert!(st.contains("\"shard\": \"1/3\""), "{st}");
    }
    // Kubernetes gives no count: without one the error says what to set.
    let o = Command::new(bin())
        .args([
            "pair",
            "data/articles",
            "-o",
            s(&d.join("k.csv")),
            "--shard",
            "env",
        ])
        .current_dir(root())
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("RIPOSTE_SHARD_COUNT")
        .env("JOB_COMPLETION_INDEX", "0")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--shard-count"), "{}", stderr(&o));
    for bad in ["3/3", "0/0", "x/2", "2"] {
        let o = riposte(&[
            "pair",
            "data/articles",
            "-o",
            s(&d.join("b.csv")),
            "--shard",
            bad,
        ]);
        assert_eq!(o.status.code(), Some(2), "--shard {bad}");
        assert!(stderr(&o).contains("shard"), "{}", stderr(&o));
    }
}

#[test]
fn stdin_stream_merges_to_the_single_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let jsonl = corpus(d, 1);
    let single = d.join("single.jsonl");
    riposte(&[
        "pair",
        s(&jsonl),
        "--format",
        "jsonl",
        "-o",
        s(&single),
        "-q",
    ]);
    // Small batches, so that the stream really is cut into several.
    let o = Command::new(bin())
        .args([
            "pair",
            "-",
            "--format",
            "jsonl",
            "-o",
            "-",
            "--batch-size",
            "4",
            "-q",
        ])
        .current_dir(root())
        .stdin(std::fs::File::open(&jsonl).unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let streamed = d.join("streamed.jsonl");
    std::fs::write(&streamed, &o.stdout).unwrap();
    assert_ne!(
        std::fs::read(&single).unwrap(),
        o.stdout,
        "batches come out in input order"
    );
    let merged = d.join("merged.jsonl");
    let o = riposte(&["merge", s(&streamed), "-o", s(&merged), "-q"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&single).unwrap(),
        std::fs::read(&merged).unwrap()
    );
}
