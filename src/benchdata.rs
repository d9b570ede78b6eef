//! Loaders and scorers for the public benchmarks the two-source engine is measured on (the
//! data stays outside the repository; see bench/README.md). Kept in the library so that the
//! normal test suite checks them on small fixtures.

use crate::retrieve::{Engine, Item};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// One argument span: its sentences joined, and the link label it carries (if any).
#[derive(Debug, Clone, PartialEq)]
pub struct ApeArg {
    pub text: String,
    pub link: Option<u32>,
}

/// One review/rebuttal passage pair of the APE RR data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApePassage {
    pub submission: String,
    pub reviews: Vec<ApeArg>,
    pub replies: Vec<ApeArg>,
}

impl ApePassage {
    /// Gold links (review index, reply index): arguments sharing a link label.
    pub fn gold(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for (i, a) in self.reviews.iter().enumerate() {
            for (j, b) in self.replies.iter().enumerate() {
                if a.link.is_some() && a.link == b.link {
                    out.push((i, j));
                }
            }
        }
        out
    }
}

fn clean(s: &str) -> String {
    s.split_whitespace()
        .filter(|w| *w != "<sep>")
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses the five-column APE format; argument spans are rebuilt from the BIO labels of
/// column 2, their link from column 3 on the span's first sentence.
pub fn parse_ape(text: &str) -> Vec<ApePassage> {
    let mut out = Vec::new();
    let mut cur = ApePassage::default();
    // Which side the open span is on, so an I- line after O does not extend a closed span.
    let mut open: Option<bool> = None;
    for line in text.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if !cur.reviews.is_empty() || !cur.replies.is_empty() || !cur.submission.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            open = None;
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 4 {
            continue;
        }
        if cur.submission.is_empty() {
            if let Some(s) = cols.get(4) {
                cur.submission = s.trim().to_string();
            }
        }
        let bio = cols[1].trim();
        let link = cols[2]
            .trim()
            .split_once('-')
            .and_then(|(_, k)| k.parse::<u32>().ok());
        let is_review = bio.ends_with("Review");
        let sentence = clean(cols[0]);
        if bio.starts_with("B-") {
            let arg = ApeArg {
                text: sentence,
                link,
            };
            if is_review {
                cur.reviews.push(arg);
            } else {
                cur.replies.push(arg);
            }
            open = Some(is_review);
        } else if bio.starts_with("I-") && open == Some(is_review) {
            let side = if is_review {
                &mut cur.reviews
            } else {
                &mut cur.replies
            };
            if let Some(a) = side.last_mut() {
                a.text.push(' ');
                a.text.push_str(&sentence);
            }
        } else {
            open = None;
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub correct: usize,
    pub predicted: usize,
    pub gold: usize,
}

/// Precision, recall and F1 of predicted links against gold links (any hashable link key).
pub fn prf<T: std::hash::Hash + Eq>(predicted: &HashSet<T>, gold: &HashSet<T>) -> Prf {
    let correct = predicted.intersection(gold).count();
    let p = if predicted.is_empty() {
        0.0
    } else {
        correct as f64 / predicted.len() as f64
    };
    let r = if gold.is_empty() {
        0.0
    } else {
        correct as f64 / gold.len() as f64
    };
    let f1 = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    Prf {
        precision: p,
        recall: r,
        f1,
        correct,
        predicted: predicted.len(),
        gold: gold.len(),
    }
}

/// BEIR qrels (`query-id corpus-id score`, header line optional): query → doc → gain.
pub fn parse_qrels(text: &str) -> HashMap<String, HashMap<String, f64>> {
    let mut out: HashMap<String, HashMap<String, f64>> = HashMap::new();
    for line in text.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.len() < 3 {
            continue;
        }
        let Ok(g) = cols[2].parse::<f64>() else {
            continue;
        };
        out.entry(cols[0].to_string())
            .or_default()
            .insert(cols[1].to_string(), g);
    }
    out
}

/// nDCG@k of one ranking (doc ids, best first) with graded gains, log2 discount (BEIR/trec_eval).
pub fn ndcg(ranking: &[String], gains: &HashMap<String, f64>, k: usize) -> f64 {
    let dcg: f64 = ranking
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, d)| gains.get(d).copied().unwrap_or(0.0) / ((i + 2) as f64).log2())
        .sum();
    let mut ideal: Vec<f64> = gains.values().copied().filter(|g| *g > 0.0).collect();
    ideal.sort_by(|a, b| b.total_cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(k)
        .enumerate()
        .map(|(i, g)| g / ((i + 2) as f64).log2())
        .sum();
    if idcg == 0.0 {
        0.0
    } else {
        dcg / idcg
    }
}

/// The links of a `riposte pair --claims` CSV report: claim id → its rebuttal ids in report
/// order (none for an `unanswered` claim). A leading byte-order mark is skipped.
pub fn report_links(csv_bytes: &[u8]) -> Result<HashMap<String, Vec<String>>, csv::Error> {
    let bytes = csv_bytes
        .strip_prefix(&[0xEF, 0xBB, 0xBF][..])
        .unwrap_or(csv_bytes);
    let mut rdr = csv::Reader::from_reader(bytes);
    let h = rdr.headers()?.clone();
    let col = |name: &str| h.iter().position(|x| x == name);
    let (Some(c), Some(r)) = (col("claim_id"), col("rebuttal_id")) else {
        return Ok(HashMap::new());
    };
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for rec in rdr.records() {
        let rec = rec?;
        let links = out.entry(rec[c].to_string()).or_default();
        if !rec[r].is_empty() {
            links.push(rec[r].to_string());
        }
    }
    Ok(out)
}

/// `k` distinct indices out of `0..n`, the same for the same seed on every platform (a
/// partial Fisher–Yates shuffle driven by SplitMix64), so a recall sample can be repeated.
pub fn sample_indices(n: usize, k: usize, seed: u64) -> Vec<usize> {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut idx: Vec<usize> = (0..n).collect();
    let k = k.min(n);
    for i in 0..k {
        let j = i + (next() % (n - i) as u64) as usize;
        idx.swap(i, j);
    }
    idx.truncate(k);
    idx.sort_unstable();
    idx
}

/// For each sampled claim: its id and the id of its exact best response under the full
/// composite, `None` when even the best scores below `min_score` (the claim should then be
/// reported unanswered).
pub fn exact_best_ids(
    engine: &Engine,
    claims: &[Item],
    responses: &[Item],
    sample: &[usize],
    min_score: f32,
) -> Vec<(String, Option<String>)> {
    sample
        .par_iter()
        .map(|&ci| {
            let best = engine
                .exact_best(ci)
                .filter(|m| m.score.total >= min_score)
                .map(|m| responses[m.response].unit.unit_id.clone());
            (claims[ci].unit.unit_id.clone(), best)
        })
        .collect()
}

/// Recall of the exact best: (found, total). A claim counts as found when its exact best
/// response is among its reported links, or when it has none above the threshold and the
/// report leaves it unanswered.
pub fn recall_of_best(
    best: &[(String, Option<String>)],
    links: &HashMap<String, Vec<String>>,
) -> (usize, usize) {
    let found = best
        .iter()
        .filter(|(c, b)| {
            let got = links.get(c).map(Vec::as_slice).unwrap_or(&[]);
            match b {
                Some(r) => got.contains(r),
                None => got.is_empty() && links.contains_key(c),
            }
        })
        .count();
    (found, best.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    const APE: &str = "Intro sentence.\tO\tO\tReview\t7\n\
<sep> The proof of lemma two is incomplete.\tB-Review\tB-1\tReview\t7\n\
It skips the base case.\tI-Review\tI-1\tReview\t7\n\
Figures are small.\tB-Review\tO\tReview\t7\n\
Thanks.\tO\tO\tReply\t7\n\
We completed the proof.\tB-Reply\tB-1\tReply\t7\n\
The base case is now in the appendix.\tI-Reply\tI-1\tReply\t7\n\
\n\
Another review.\tB-Review\tB-2\tReview\t8\n\
A reply.\tB-Reply\tB-2\tReply\t8\n";

    #[test]
    fn ape_spans_and_gold() {
        let ps = parse_ape(APE);
        assert_eq!(ps.len(), 2);
        assert_eq!(ps[0].submission, "7");
        assert_eq!(ps[0].reviews.len(), 2);
        assert_eq!(
            ps[0].reviews[0].text,
            "The proof of lemma two is incomplete. It skips the base case."
        );
        assert_eq!(ps[0].reviews[1].link, None);
        assert_eq!(ps[0].replies.len(), 1);
        assert_eq!(ps[0].gold(), vec![(0, 0)]);
        assert_eq!(ps[1].gold(), vec![(0, 0)]);
    }

    #[test]
    fn prf_and_ndcg() {
        let gold: HashSet<(u8, u8)> = [(0, 0), (1, 1)].into();
        let pred: HashSet<(u8, u8)> = [(0, 0), (1, 0)].into();
        let s = prf(&pred, &gold);
        assert_eq!((s.precision, s.recall, s.f1), (0.5, 0.5, 0.5));
        let q = parse_qrels("query-id\tcorpus-id\tscore\nq1\td2\t1\n");
        let g = &q["q1"];
        assert_eq!(ndcg(&["d2".into(), "d1".into()], g, 10), 1.0);
        let second = ndcg(&["d1".into(), "d2".into()], g, 10);
        assert!((second - 1.0 / 3f64.log2()).abs() < 1e-12);
        assert_eq!(ndcg(&["d1".into()], g, 10), 0.0);
    }

    /// The scale benchmark's chain on a fixture: report → links, exact brute force → best,
    /// and the engine's top 3 must hold every exact best.
    #[test]
    fn scale_report_links_and_exact_recall() {
        use crate::retrieve::{pair_two_sources, Options};
        use crate::{Lexicon, Role};
        let lex = Lexicon::builtin();
        let unit = |i: usize, t: &str, role| Item::unit(&format!("{i}"), t, role);
        let claims: Vec<Item> = [
            "The port authority raised harbour fees for fishing boats without consultation.",
            "Inspectors found toxic waste dumped in the river near the copper mine.",
            "The football club hid losses from its shareholders for three seasons.",
            "zzz qqq",
        ]
        .iter()
        .enumerate()
        .map(|(i, t)| unit(i, t, Role::Claim))
        .collect();
        let responses: Vec<Item> = [
            "Harbour fees for fishing boats were set after consultation, the port authority said.",
            "The mine denies dumping waste; the river samples were clean.",
            "Shareholders saw every loss the club made, its chairman said.",
            "Copper mining upstream is safe, the company said.",
            "The weather in the capital was mild on Monday.",
        ]
        .iter()
        .enumerate()
        .map(|(i, t)| unit(i, t, Role::Rebuttal))
        .collect();
        let opts = Options {
            top_k: 3,
            ..Options::default()
        };
        let rows = pair_two_sources(&claims, &responses, &lex, &opts);
        let table = crate::pair::report_table(&rows, false);
        let mut csv_bytes = Vec::new();
        crate::report::write_table(
            &table,
            crate::report::Format::Csv,
            &crate::report::CsvOptions::default(),
            &mut csv_bytes,
        )
        .unwrap();
        let links = report_links(&csv_bytes).unwrap();
        assert_eq!(links.len(), 4);
        assert!(links["3"].is_empty(), "{links:?}");
        assert_eq!(links["0"][0], "0");
        let engine = Engine::new(&claims, &responses, &lex, &opts);
        let sample = sample_indices(claims.len(), 10, 7);
        assert_eq!(sample, vec![0, 1, 2, 3]);
        let best = exact_best_ids(
            &engine,
            &claims,
            &responses,
            &sample,
            opts.weights.min_score,
        );
        assert_eq!(best[0], ("0".to_string(), Some("0".to_string())));
        assert_eq!(best[3].1, None);
        assert_eq!(recall_of_best(&best, &links), (4, 4));
        // A best response the report missed is a miss, and so is a claim it never mentions.
        let mut wrong = links.clone();
        wrong.insert("0".into(), vec!["4".into()]);
        wrong.remove("3");
        assert_eq!(recall_of_best(&best, &wrong), (2, 4));
    }

    #[test]
    fn samples_are_distinct_and_repeatable() {
        let a = sample_indices(1000, 50, 1);
        assert_eq!(a, sample_indices(1000, 50, 1));
        assert_ne!(a, sample_indices(1000, 50, 2));
        let mut d = a.clone();
        d.dedup();
        assert_eq!(d.len(), 50);
        assert!(a.iter().all(|&i| i < 1000));
    }
}
