//! Benchmark driver for the two-source engine (run by bench/ape.sh and bench/arguana.sh).
//!
//!   bench ape DEV.txt [--sweep]            pair P/R/F1 on APE RR, with baselines
//!   bench arguana DIR [--sweep]            nDCG@10 on ArguAna through the library
//!   bench arguana-score REPORT.csv QRELS   nDCG@10 of a `riposte pair --claims` report
//!   bench scale-recall CLAIMS RESPONSES REPORT.csv [N] [TOP_K]
//!                                          share of N sampled claims whose exact all-pairs
//!                                          composite best is in the report

use riposte::benchdata::{
    exact_best_ids, ndcg, parse_ape, parse_qrels, prf, recall_of_best, report_links,
    sample_indices, ApePassage, Prf,
};
use riposte::read::ReadOptions;
use riposte::retrieve::{align_ordered, read_side, Engine, Item, Match, Options, Weighting};
use riposte::{Lexicon, Role};
use std::collections::{HashMap, HashSet};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sweep = args.iter().any(|a| a == "--sweep");
    match args.first().map(String::as_str) {
        Some("ape") => ape(&args[1], sweep),
        Some("arguana") => arguana(&args[1], sweep),
        Some("arguana-score") => arguana_score(&args[1], &args[2]),
        Some("scale-recall") => scale_recall(&args[1..]),
        _ => {
            eprintln!("usage: bench ape DEV.txt | arguana DIR | arguana-score REPORT QRELS");
            std::process::exit(2);
        }
    }
}

fn show(name: &str, s: &Prf) {
    println!(
        "{name:<44} P {:.3}  R {:.3}  F1 {:.3}  ({} correct / {} predicted / {} gold)",
        s.precision, s.recall, s.f1, s.correct, s.predicted, s.gold
    );
}

type Link = (usize, usize, usize);

fn gold_links(ps: &[ApePassage]) -> HashSet<Link> {
    ps.iter()
        .enumerate()
        .flat_map(|(p, x)| x.gold().into_iter().map(move |(i, j)| (p, i, j)))
        .collect()
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

/// Baseline: plain TF-IDF cosine (lowercased words, IDF over every argument of the file), each
/// reply argument to its most similar review argument of the same passage pair.
fn tfidf_argmax(ps: &[ApePassage]) -> HashSet<Link> {
    let mut df: HashMap<String, f64> = HashMap::new();
    let mut n = 0.0;
    for p in ps {
        for a in p.reviews.iter().chain(&p.replies) {
            n += 1.0;
            let mut w = words(&a.text);
            w.sort();
            w.dedup();
            for x in w {
                *df.entry(x).or_default() += 1.0;
            }
        }
    }
    let vec = |t: &str| {
        let mut v: HashMap<String, f64> = HashMap::new();
        for w in words(t) {
            *v.entry(w).or_default() += 1.0;
        }
        for (w, x) in v.iter_mut() {
            *x *= ((1.0 + n) / (1.0 + df[w])).ln() + 1.0;
        }
        let norm = v.values().map(|x| x * x).sum::<f64>().sqrt().max(1e-12);
        v.values_mut().for_each(|x| *x /= norm);
        v
    };
    let mut out = HashSet::new();
    for (pi, p) in ps.iter().enumerate() {
        let rv: Vec<_> = p.reviews.iter().map(|a| vec(&a.text)).collect();
        for (j, b) in p.replies.iter().enumerate() {
            let q = vec(&b.text);
            let best = rv
                .iter()
                .enumerate()
                .map(|(i, d)| {
                    let s: f64 = q.iter().map(|(w, x)| x * d.get(w).unwrap_or(&0.0)).sum();
                    (i, s)
                })
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
            if let Some((i, _)) = best {
                out.insert((pi, i, j));
            }
        }
    }
    out
}

/// Baseline: the j-th reply argument answers the j-th review argument (the last one beyond).
fn order_only(ps: &[ApePassage]) -> HashSet<Link> {
    let mut out = HashSet::new();
    for (pi, p) in ps.iter().enumerate() {
        if p.reviews.is_empty() {
            continue;
        }
        for j in 0..p.replies.len() {
            out.insert((pi, j.min(p.reviews.len() - 1), j));
        }
    }
    out
}

/// Reply arguments as the engine's queries, review arguments as its corpus, one group per
/// passage pair, positions in argument order.
fn ape_items(ps: &[ApePassage]) -> (Vec<Item>, Vec<Item>) {
    let mut replies = Vec::new();
    let mut reviews = Vec::new();
    for (pi, p) in ps.iter().enumerate() {
        for (j, a) in p.replies.iter().enumerate() {
            let mut it = Item::unit(&format!("{pi}/reply{j}"), &a.text, Role::Claim);
            it.group = Some(pi.to_string());
            it.position = Some((j, p.replies.len()));
            replies.push(it);
        }
        for (i, a) in p.reviews.iter().enumerate() {
            let mut it = Item::unit(&format!("{pi}/review{i}"), &a.text, Role::Rebuttal);
            it.group = Some(pi.to_string());
            it.position = Some((i, p.reviews.len()));
            reviews.push(it);
        }
    }
    (replies, reviews)
}

#[derive(Clone, Copy, Debug)]
enum Rule {
    /// Each reply to its best review argument.
    Argmax,
    /// Order-aware alignment inside the passage pair (`align_ordered`, back, repeat costs).
    Ordered(f32, f32),
    /// Greedy one-to-one assignment inside the passage pair, best scores first; replies left
    /// over (more replies than reviews) fall back to their argmax.
    OneToOne,
}

fn decide(
    ps: &[ApePassage],
    replies: &[Item],
    reviews: &[Item],
    matches: &[Vec<Match>],
    rule: Rule,
) -> HashSet<Link> {
    // Item index → (passage, local index).
    let local = |it: &Item| -> (usize, usize) {
        let (p, rest) = it.unit.unit_id.split_once('/').unwrap();
        let k: usize = rest
            .trim_start_matches(|c: char| c.is_alphabetic())
            .parse()
            .unwrap();
        (p.parse().unwrap(), k)
    };
    let mut out = HashSet::new();
    match rule {
        Rule::Ordered(back, repeat) => {
            // Dense score matrix per passage: reply × review (groups are small).
            let mut mats: HashMap<usize, Vec<Vec<f32>>> = HashMap::new();
            for (p, x) in ps.iter().enumerate() {
                if !x.reviews.is_empty() && !x.replies.is_empty() {
                    mats.insert(p, vec![vec![0.0; x.reviews.len()]; x.replies.len()]);
                }
            }
            for (q, ms) in matches.iter().enumerate() {
                let (p, j) = local(&replies[q]);
                for m in ms {
                    if let Some(mat) = mats.get_mut(&p) {
                        mat[j][local(&reviews[m.response]).1] = m.score.total;
                    }
                }
            }
            for (p, mat) in mats {
                for (j, i) in align_ordered(&mat, back, repeat).into_iter().enumerate() {
                    out.insert((p, i, j));
                }
            }
        }
        Rule::Argmax => {
            for (q, ms) in matches.iter().enumerate() {
                if let Some(m) = ms.first() {
                    let (p, j) = local(&replies[q]);
                    out.insert((p, local(&reviews[m.response]).1, j));
                }
            }
        }
        Rule::OneToOne => {
            let mut by_passage: HashMap<usize, Vec<(f32, usize, usize)>> = HashMap::new();
            for (q, ms) in matches.iter().enumerate() {
                for m in ms {
                    let (p, j) = local(&replies[q]);
                    by_passage.entry(p).or_default().push((
                        m.score.total,
                        local(&reviews[m.response]).1,
                        j,
                    ));
                }
            }
            for (p, mut cand) in by_passage {
                cand.sort_by(|a, b| b.0.total_cmp(&a.0).then((a.1, a.2).cmp(&(b.1, b.2))));
                let mut used_rev = HashSet::new();
                let mut used_rep = HashSet::new();
                for &(_, i, j) in &cand {
                    if !used_rev.contains(&i) && !used_rep.contains(&j) {
                        used_rev.insert(i);
                        used_rep.insert(j);
                        out.insert((p, i, j));
                    }
                }
                for &(_, i, j) in &cand {
                    if used_rep.insert(j) {
                        out.insert((p, i, j));
                    }
                }
            }
        }
    }
    let _ = ps;
    out
}

fn ape(path: &str, sweep: bool) {
    let text = std::fs::read_to_string(path).expect("read APE file");
    let ps = parse_ape(&text);
    let gold = gold_links(&ps);
    let n_rev: usize = ps.iter().map(|p| p.reviews.len()).sum();
    let n_rep: usize = ps.iter().map(|p| p.replies.len()).sum();
    println!(
        "APE {path}: {} passage pairs, {n_rev} review arguments, {n_rep} reply arguments, {} gold pairs",
        ps.len(),
        gold.len()
    );
    show(
        "baseline: TF-IDF cosine argmax",
        &prf(&tfidf_argmax(&ps), &gold),
    );
    show("baseline: order only", &prf(&order_only(&ps), &gold));
    let lex = Lexicon::builtin();
    let (replies, reviews) = ape_items(&ps);
    let run = |opts: &Options, rule: Rule| -> Prf {
        let e = Engine::new(&replies, &reviews, &lex, opts);
        let m = e.matches();
        prf(&decide(&ps, &replies, &reviews, &m, rule), &gold)
    };
    // Reference cues ("the comment", "these claims") say that a text answers *something*;
    // with reviews on the corpus side they only favour reviews that use those words.
    let base = Options {
        candidates: 1000,
        weights: riposte::score::Weights {
            reference: 0.0,
            ..Default::default()
        },
        ..Options::default()
    };
    let mut configs: Vec<(String, Options, Rule)> = vec![
        (
            "riposte index only (TF-IDF) argmax".into(),
            Options {
                weights: riposte::score::Weights {
                    lexical: 1.0,
                    fuzzy: 0.0,
                    reference: 0.0,
                    ..Default::default()
                },
                ..base.clone()
            },
            Rule::Argmax,
        ),
        (
            "riposte composite argmax".into(),
            base.clone(),
            Rule::Argmax,
        ),
        (
            "riposte composite one-to-one".into(),
            base.clone(),
            Rule::OneToOne,
        ),
        (
            "riposte composite + position 0.1 argmax".into(),
            Options {
                position: 0.1,
                ..base.clone()
            },
            Rule::Argmax,
        ),
        (
            "riposte composite + position 0.1 one-to-one".into(),
            Options {
                position: 0.1,
                ..base.clone()
            },
            Rule::OneToOne,
        ),
        (
            "riposte composite ordered(0.2, 0.1)".into(),
            base.clone(),
            Rule::Ordered(0.2, 0.1),
        ),
        (
            "riposte composite + position 0.05 ordered".into(),
            Options {
                position: 0.05,
                ..base.clone()
            },
            Rule::Ordered(0.2, 0.1),
        ),
    ];
    if sweep {
        for pos in [0.0, 0.05, 0.1, 0.2, 0.3] {
            for width in [0.25, 0.5, 1.0] {
                for fuzzy in [0.0, 0.15] {
                    for bigrams in [false] {
                        let o = Options {
                            position: pos,
                            position_width: width,
                            bigrams,
                            weights: riposte::score::Weights {
                                fuzzy,
                                ..base.weights.clone()
                            },
                            ..base.clone()
                        };
                        for rule in [
                            Rule::Argmax,
                            Rule::OneToOne,
                            Rule::Ordered(0.05, 0.05),
                            Rule::Ordered(0.1, 0.05),
                            Rule::Ordered(0.2, 0.1),
                        ] {
                            configs.push((
                                format!(
                                    "sweep pos {pos} w {width} fz {fuzzy} bi {bigrams} {rule:?}"
                                ),
                                o.clone(),
                                rule,
                            ));
                        }
                    }
                }
            }
        }
    }
    for (name, o, rule) in configs {
        show(&name, &run(&o, rule));
    }
}

fn load_beir(dir: &str, lex: &Lexicon) -> (Vec<Item>, Vec<Item>) {
    let ro = ReadOptions::default();
    let q = read_side(&[format!("{dir}/queries.jsonl")], Role::Claim, &ro, lex);
    let c = read_side(&[format!("{dir}/corpus.jsonl")], Role::Rebuttal, &ro, lex);
    (q.items, c.items)
}

fn mean_ndcg(
    rankings: &HashMap<String, Vec<String>>,
    qrels: &HashMap<String, HashMap<String, f64>>,
) -> f64 {
    let empty = Vec::new();
    let s: f64 = qrels
        .iter()
        .map(|(q, g)| ndcg(rankings.get(q).unwrap_or(&empty), g, 10))
        .sum();
    s / qrels.len().max(1) as f64
}

fn arguana(dir: &str, sweep: bool) {
    let lex = Lexicon::builtin();
    let qrels = parse_qrels(&std::fs::read_to_string(format!("{dir}/qrels/test.tsv")).unwrap());
    let t0 = std::time::Instant::now();
    let (queries, corpus) = load_beir(dir, &lex);
    eprintln!(
        "loaded {} queries, {} docs in {:.2}s",
        queries.len(),
        corpus.len(),
        t0.elapsed().as_secs_f64()
    );
    // No reference cues: in a retrieval corpus they mark a text as an answer to *something*,
    // not to this query.
    let base = Options {
        exclude_same_id: true,
        top_k: 10,
        weights: riposte::score::Weights {
            reference: 0.0,
            ..Default::default()
        },
        ..Options::default()
    };
    let no_titles: Vec<Item> = corpus
        .iter()
        .map(|i| Item {
            context: String::new(),
            ..i.clone()
        })
        .collect();
    let mut configs: Vec<(String, Options, bool)> = vec![
        ("index only TF-IDF".into(), base.clone(), true),
        (
            "index only BM25 k1 0.9 b 0.4".into(),
            Options {
                weighting: Weighting::Bm25 { k1: 0.9, b: 0.4 },
                ..base.clone()
            },
            true,
        ),
        ("composite (default weights)".into(), base.clone(), false),
        (
            "composite fz 0 + hubness k 5 w 0.5".into(),
            Options {
                hub_k: 5,
                hub_weight: 0.5,
                weights: riposte::score::Weights {
                    fuzzy: 0.0,
                    ..base.weights.clone()
                },
                ..base.clone()
            },
            false,
        ),
    ];
    if sweep {
        for bigrams in [false, true] {
            for fuzzy in [0.0, 0.05, 0.15, 0.3] {
                for cands in [50, 200] {
                    configs.push((
                        format!("composite fz {fuzzy} bi {bigrams} cands {cands}"),
                        Options {
                            bigrams,
                            candidates: cands,
                            weights: riposte::score::Weights {
                                fuzzy,
                                ..base.weights.clone()
                            },
                            ..base.clone()
                        },
                        false,
                    ));
                }
            }
        }
    }
    if sweep {
        for p in [0.5, 1.5, 2.0, 2.5, 3.0] {
            configs.push((
                format!("index only TF-IDF idf^{p}"),
                Options {
                    idf_power: p,
                    ..base.clone()
                },
                true,
            ));
        }
        for k in [5, 10, 20] {
            for hw in [0.25, 0.5, 0.75, 1.0] {
                configs.push((
                    format!("composite fz 0 hub k {k} w {hw}"),
                    Options {
                        hub_k: k,
                        hub_weight: hw,
                        weights: riposte::score::Weights {
                            fuzzy: 0.0,
                            ..base.weights.clone()
                        },
                        ..base.clone()
                    },
                    false,
                ));
            }
        }
        configs.push(("index only TF-IDF, no titles".into(), base.clone(), true));
        configs.push((
            "index only TF-IDF bigrams".into(),
            Options {
                bigrams: true,
                ..base.clone()
            },
            true,
        ));
    }
    for (name, o, index_only) in configs {
        let t = std::time::Instant::now();
        let docs = if name.contains("no titles") {
            &no_titles
        } else {
            &corpus
        };
        let e = Engine::new(&queries, docs, &lex, &o);
        let mut rankings = HashMap::new();
        if index_only {
            for (q, c) in e.candidates(10).into_iter().enumerate() {
                rankings.insert(
                    queries[q].unit.unit_id.clone(),
                    c.into_iter()
                        .map(|x| corpus[x.0].unit.unit_id.clone())
                        .collect(),
                );
            }
        } else {
            for (q, ms) in e.matches().into_iter().enumerate() {
                rankings.insert(
                    queries[q].unit.unit_id.clone(),
                    ms.into_iter()
                        .take(10)
                        .map(|m| corpus[m.response].unit.unit_id.clone())
                        .collect(),
                );
            }
        }
        println!(
            "{name:<44} nDCG@10 {:.4}  ({:.2}s)",
            mean_ndcg(&rankings, &qrels),
            t.elapsed().as_secs_f64()
        );
    }
}

fn arguana_score(report: &str, qrels: &str) {
    let qrels = parse_qrels(&std::fs::read_to_string(qrels).unwrap());
    let bytes = std::fs::read(report).unwrap();
    let bytes = bytes
        .strip_prefix(&[0xEF, 0xBB, 0xBF][..])
        .unwrap_or(&bytes);
    let mut rdr = csv::Reader::from_reader(bytes);
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (ci, ri) = (col("claim_id"), col("rebuttal_id"));
    let mut rankings: HashMap<String, Vec<String>> = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let r = rankings.entry(rec[ci].to_string()).or_default();
        if !rec[ri].is_empty() {
            r.push(rec[ri].to_string());
        }
    }
    println!(
        "nDCG@10 {:.4} over {} queries ({} ranked in the report)",
        mean_ndcg(&rankings, &qrels),
        qrels.len(),
        rankings.len()
    );
}

/// Recall of the exact best on the scale run: the engine is rebuilt with the CLI's default
/// two-source options, and every response is scored for each sampled claim.
fn scale_recall(args: &[String]) {
    let n: usize = args.get(3).map_or(500, |x| x.parse().unwrap());
    let top_k: usize = args.get(4).map_or(10, |x| x.parse().unwrap());
    let lex = Lexicon::builtin();
    let ro = ReadOptions::default();
    let claims = read_side(&[args[0].clone()], Role::Claim, &ro, &lex).items;
    let responses = read_side(&[args[1].clone()], Role::Rebuttal, &ro, &lex).items;
    let links = report_links(&std::fs::read(&args[2]).unwrap()).unwrap();
    let opts = Options {
        top_k,
        ..Options::default()
    };
    let engine = Engine::new(&claims, &responses, &lex, &opts);
    let t = std::time::Instant::now();
    let sample = sample_indices(claims.len(), n, 42);
    let best = exact_best_ids(
        &engine,
        &claims,
        &responses,
        &sample,
        opts.weights.min_score,
    );
    let (found, total) = recall_of_best(&best, &links);
    println!(
        "exact best in top {top_k}: {found} / {total} sampled claims = {:.2} % (brute force {:.1}s, {} responses each)",
        100.0 * found as f64 / total.max(1) as f64,
        t.elapsed().as_secs_f64(),
        responses.len()
    );
}
