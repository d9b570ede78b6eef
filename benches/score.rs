//! Criterion benchmarks of the score and pair stages on the bundled articles.
//! Run: `cargo bench --bench score`.

use criterion::{criterion_group, criterion_main, Criterion};
use riposte::pair::{batch_df, pair_batch, PairOptions};
use riposte::score::{prepare, score, Analyzer, Weights};
use riposte::{Hints, Lexicon, Role};
use std::hint::black_box;

fn units() -> Vec<(String, Vec<riposte::Unit>)> {
    let lex = Lexicon::builtin();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/articles").to_string();
    let batch = riposte::read::read_inputs(&[dir], &Default::default());
    batch
        .articles
        .iter()
        .filter_map(|a| {
            riposte::extract::extract(a, &lex, &Hints::default())
                .ok()
                .map(|e| (a.id.clone(), e.units))
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let lex = Lexicon::builtin();
    let arts = units();
    let an = Analyzer::new();
    let all: Vec<&riposte::Unit> = arts.iter().flat_map(|a| a.1.iter()).collect();
    let (df, n) = batch_df(&all, &an, &lex);
    let prepared: Vec<_> = all.iter().map(|u| prepare(u, &an, &lex, &df, n)).collect();
    let claims: Vec<usize> = (0..all.len())
        .filter(|&i| all[i].role == Role::Claim)
        .collect();
    let rebuttals: Vec<usize> = (0..all.len())
        .filter(|&i| all[i].role == Role::Rebuttal)
        .collect();
    let w = Weights::default();
    c.bench_function("score/claim x rebuttal matrix (all bundled units)", |b| {
        b.iter(|| {
            let mut sum = 0.0f32;
            for &ci in &claims {
                for &ri in &rebuttals {
                    sum += score(all[ci], &prepared[ci], all[ri], &prepared[ri], &lex, &w).total;
                }
            }
            black_box(sum)
        })
    });
    c.bench_function("score/prepare units", |b| {
        b.iter(|| {
            all.iter()
                .map(|u| prepare(u, &an, &lex, &df, n).vector.terms.len())
                .sum::<usize>()
        })
    });
    c.bench_function("pair/pair_batch (18 articles)", |b| {
        b.iter(|| black_box(pair_batch(&arts, &lex, &PairOptions::default()).len()))
    });
    let lex2 = Lexicon::builtin();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data/articles").to_string();
    let batch = riposte::read::read_inputs(&[dir], &Default::default());
    c.bench_function("extract/18 articles (segment+attribute+classify)", |b| {
        b.iter(|| {
            batch
                .articles
                .iter()
                .map(|a| {
                    riposte::extract::extract(a, &lex2, &Hints::default())
                        .map(|e| e.units.len())
                        .unwrap_or(0)
                })
                .sum::<usize>()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
