//! Time against size on pathological articles (issue 6): each case at 1x, 2x and 4x its base
//! size. Near-linear scaling means the 4x time is about four times the 1x time; a quadratic
//! spot shows up as about sixteen. Criterion's throughput line (bytes/s) should stay flat.
//!
//! Run: `cargo bench --bench pathological` (about three minutes).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use riposte::extract::{extract_with, Limits};
use riposte::pair::{pair_batch, PairOptions};
use riposte::{Article, Hints, Lexicon};
use std::hint::black_box;
use std::time::Duration;

/// Stray quote marks of every kind, `bytes` long.
fn quote_marks(bytes: usize) -> String {
    let marks = "“”\"‘’«»„\"'";
    let mut t = String::from("The minister said ");
    while t.len() < bytes {
        t.push_str(marks);
    }
    t
}

/// One sentence without punctuation, `bytes` long.
fn long_sentence(bytes: usize) -> String {
    "officials accused the ministry of corruption and ".repeat(bytes / 50)
}

/// `n` accusations, five to a paragraph: every sentence a claim.
fn accusations(n: usize) -> String {
    (0..n)
        .map(|i| {
            let sep = if i % 5 == 4 { "\n\n" } else { " " };
            format!("India accused Pakistan of sponsoring terrorism in case {i}.{sep}")
        })
        .collect()
}

/// `n` quotations, every other one without attribution (a floating quote).
fn quotations(n: usize) -> String {
    (0..n)
        .map(|i| {
            if i % 2 == 0 {
                format!("“We deny case {i},” the ministry said. ")
            } else {
                format!("“Case {i} is a fabrication.”\n\n")
            }
        })
        .collect()
}

/// Abbreviations repeated `n` times: thousands of short sentences, one new entity each.
fn abbreviations(n: usize) -> String {
    "Mr. Dr. U.S. U.N. Feb. U.S.U.S.U.S.A. ".repeat(n)
}

/// Makes a case's text at a given size (bytes, sentences or repetitions).
type Generator = fn(usize) -> String;

/// `n` people, each named once, then `n` statements by a party first named after all of them:
/// entity look-ups over a long list of distinct names.
fn names(n: usize) -> String {
    let mut t = String::new();
    for i in 0..n {
        let name: String = format!("{i:05}")
            .bytes()
            .map(|b| char::from(b'A' + (b - b'0')))
            .collect();
        t.push_str(&format!(
            "Officer Ka{} Smith said the road was closed.\n\n",
            name.to_lowercase()
        ));
    }
    t.push_str(&"Kenya denied the report.\n\n".repeat(n));
    t
}

fn bench(c: &mut Criterion) {
    let lex = Lexicon::builtin();
    let hints = Hints::default();
    // Lifted caps, so every size does the full work instead of stopping at a limit.
    let limits = Limits {
        max_sentences: usize::MAX,
        max_units: usize::MAX,
    };
    let cases: [(&str, Generator, usize); 6] = [
        ("quote-marks", quote_marks, 256 * 1024),
        ("long-sentence", long_sentence, 1280 * 1024),
        ("accusations", accusations, 2_500),
        ("quotations", quotations, 2_500),
        ("abbreviations", abbreviations, 1_000),
        ("distinct-names", names, 2_000),
    ];
    for (name, make, base) in cases {
        let mut g = c.benchmark_group(format!("extract/{name}"));
        g.sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(4));
        for scale in [1, 2, 4] {
            let art = Article::new(name, make(base * scale));
            g.throughput(Throughput::Bytes(art.text.len() as u64));
            g.bench_with_input(
                BenchmarkId::from_parameter(format!("{scale}x")),
                &art,
                |b, a| b.iter(|| black_box(extract_with(a, &lex, &hints, &limits).ok())),
            );
        }
        g.finish();
    }
    // Pairing is claims x rebuttals by design (hence --max-article-units); with only claims it
    // must stay linear.
    let mut g = c.benchmark_group("pair/accusations");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for scale in [1, 2, 4] {
        let art = Article::new("accusations", accusations(2_500 * scale));
        let units = extract_with(&art, &lex, &hints, &limits).unwrap().units;
        g.throughput(Throughput::Elements(units.len() as u64));
        let batch = vec![(art.id.clone(), units)];
        g.bench_with_input(
            BenchmarkId::from_parameter(format!("{scale}x")),
            &batch,
            |b, u| b.iter(|| black_box(pair_batch(u, &lex, &PairOptions::default()))),
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
