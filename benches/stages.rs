//! Criterion benchmarks of each stage of `riposte pair` on the bundled articles, to show where
//! the time goes (issue 7). Each stage is timed on inputs the earlier stages produced outside
//! the timed loop. Run: `cargo bench --bench stages`.

use criterion::{criterion_group, criterion_main, Criterion};
use riposte::pair::{pair_batch, report_table, PairOptions};
use riposte::report::{write_table, CsvOptions, Format};
use riposte::{attribute, classify, segment, Hints, Lexicon};
use std::hint::black_box;

// The allocator `riposte` runs on, so that each stage is timed as it runs there: on glibc's
// malloc the allocating stages (tokenising, attribution) look slower than they are.
#[global_allocator]
static GLOBAL: riposte::alloc::Mimalloc = riposte::alloc::Mimalloc;

fn bench(c: &mut Criterion) {
    let lex = Lexicon::builtin();
    let hints = Hints::default();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/articles").to_string();
    let articles =
        riposte::read::read_inputs(std::slice::from_ref(&dir), &Default::default()).articles;
    let segs: Vec<_> = articles
        .iter()
        .map(|a| segment::segment(&a.origin, &a.text, &lex))
        .collect();
    let normed: Vec<_> = articles
        .iter()
        .map(|a| riposte::text::Normed::new(&a.text))
        .collect();
    let atts: Vec<_> = normed
        .iter()
        .zip(&segs)
        .map(|(n, s)| attribute::attribute(n, s, &lex))
        .collect();
    let units: Vec<(String, Vec<riposte::Unit>)> = articles
        .iter()
        .filter_map(|a| {
            riposte::extract::extract(a, &lex, &hints)
                .ok()
                .map(|e| (a.id.clone(), e.units))
        })
        .collect();
    let rows = pair_batch(&units, &lex, &PairOptions::default());
    let table = report_table(&rows, false);
    let n = articles.len();

    let mut g = c.benchmark_group(format!("stages ({n} articles)"));
    g.bench_function("0 read", |b| {
        b.iter(|| {
            riposte::read::read_inputs(black_box(std::slice::from_ref(&dir)), &Default::default())
                .articles
                .len()
        })
    });
    g.bench_function("1 segment", |b| {
        b.iter(|| {
            articles
                .iter()
                .map(|a| segment::segment(&a.origin, &a.text, &lex).sentences.len())
                .sum::<usize>()
        })
    });
    g.bench_function("2 attribute", |b| {
        b.iter(|| {
            articles
                .iter()
                .zip(&segs)
                .map(|(a, s)| {
                    let normed = riposte::text::Normed::new(&a.text);
                    attribute::attribute(&normed, s, &lex).entities.len()
                })
                .sum::<usize>()
        })
    });
    g.bench_function("3 classify", |b| {
        b.iter(|| {
            articles
                .iter()
                .zip(segs.iter().zip(&atts))
                .map(|(a, (s, at))| {
                    classify::classify(&a.id, &a.text, s, at, &lex, &hints)
                        .units
                        .len()
                })
                .sum::<usize>()
        })
    });
    g.bench_function("4 score + pair", |b| {
        b.iter(|| pair_batch(black_box(&units), &lex, &PairOptions::default()).len())
    });
    g.bench_function("5 report (table + CSV)", |b| {
        b.iter(|| {
            let t = report_table(black_box(&rows), false);
            let mut out = Vec::with_capacity(1 << 20);
            write_table(&t, Format::Csv, &CsvOptions::default(), &mut out).unwrap();
            out.len()
        })
    });
    g.bench_function("5b report (CSV only)", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(1 << 20);
            write_table(
                black_box(&table),
                Format::Csv,
                &CsvOptions::default(),
                &mut out,
            )
            .unwrap();
            out.len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
