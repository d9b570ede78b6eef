//! Replays every input the fuzzer (fuzz/, `extract` target) ever crashed on, through the same
//! path: decode → extract → pair. Files live in tests/fuzz-regressions/, one input each, named
//! after what they broke; README.md there is not an input.

use riposte::pair::{pair_batch, PairOptions};
use riposte::read::{decode, ReadOptions};
use riposte::{Article, Hints, Lexicon};
use std::path::PathBuf;

/// Mirrors fuzz/fuzz_targets/extract.rs; keep the two in step.
fn replay(data: &[u8], lex: &Lexicon) {
    let strict = data.first().is_some_and(|b| b & 1 == 1);
    let opts = ReadOptions {
        strict,
        ..ReadOptions::default()
    };
    let Ok((text, _)) = decode(data, "fuzz", &opts) else {
        return;
    };
    let art = Article::new("fuzz", text);
    let Ok(ex) = riposte::extract::extract(&art, lex, &Hints::default()) else {
        return;
    };
    let nchars = art.text.chars().count();
    for u in &ex.units {
        assert!(
            u.start <= u.end && u.end <= nchars,
            "unit range out of text"
        );
    }
    let _ = pair_batch(
        &[("fuzz".to_string(), ex.units)],
        lex,
        &PairOptions::default(),
    );
}

#[test]
fn fuzz_crashes_stay_fixed() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/fuzz-regressions exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"))
        .collect();
    files.sort();
    let lex = Lexicon::builtin();
    let mut failed = Vec::new();
    for f in &files {
        let data = std::fs::read(f).unwrap();
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| replay(&data, &lex))).is_err() {
            failed.push(f.display().to_string());
        }
    }
    println!("replayed {} fuzz regression inputs", files.len());
    assert!(failed.is_empty(), "crash again: {failed:?}");
}
