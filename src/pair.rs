//! Stage 6 — pair: link each claim to the rebuttals that answer it.
//!
//! Rules, in order, for each rebuttal (only claims of the same dispute are candidates: the
//! side gate):
//! 1. blanket: it answers the accusations as a whole ("rejects those claims", "the joint
//!    statement is one-sided") and matches no single claim's content → linked to every claim
//!    of the source it names (or of the whole dispute), basis `blanket`;
//! 2. short denial: a cue and almost no content ("denies being involved") → the claim just
//!    before it;
//! 3. specific: the best-scoring claim, plus any within a small margin of it, above
//!    `min_score`.
//!
//! Each claim keeps its `top_k` best links; claims without any are `unanswered`, rebuttals
//! without any are `unmatched`.

use crate::lexicon::Lexicon;
use crate::score::{
    jaro_winkler, name_similarity, prepare_as, score_with_names, Analyzer, Prepared, Score, Weights,
};
use crate::unit::{Role, Unit};
use rayon::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct PairOptions {
    pub weights: Weights,
    /// Rebuttals kept per claim (0 = all).
    pub top_k: usize,
    /// Where document frequencies come from, besides the built-in background.
    pub idf: IdfScope,
}

impl Default for PairOptions {
    fn default() -> Self {
        PairOptions {
            weights: Weights::default(),
            top_k: 8,
            idf: IdfScope::Article,
        }
    }
}

/// The documents the IDF of a term is counted over (always plus the built-in background).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum IdfScope {
    /// The article's own units: an article's rows depend on that article alone, so shards,
    /// streamed batches and a single run agree row for row.
    #[default]
    Article,
    /// Every unit of the run (the behaviour before sharding): rows of one article change
    /// when other articles are added or removed.
    Batch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Paired,
    Unanswered,
    Unmatched,
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Paired => "paired",
            Status::Unanswered => "unanswered",
            Status::Unmatched => "unmatched",
        }
    }
}

/// One report row.
#[derive(Debug, Clone)]
pub struct Row {
    pub article: String,
    pub pair_id: String,
    pub status: Status,
    pub basis: &'static str,
    pub confidence: &'static str,
    pub claim: Option<Unit>,
    pub rebuttal: Option<Unit>,
    pub score: Option<Score>,
    pub evidence: String,
}

/// Stable across runs and versions: derived from the article id and both texts only.
pub fn pair_id(article: &str, claim_text: &str, rebuttal_text: &str) -> String {
    let mut buf = Vec::with_capacity(article.len() + claim_text.len() + rebuttal_text.len() + 2);
    buf.extend_from_slice(article.as_bytes());
    buf.push(0x1f);
    buf.extend_from_slice(claim_text.as_bytes());
    buf.push(0x1f);
    buf.extend_from_slice(rebuttal_text.as_bytes());
    format!("p{:016x}", xxhash_rust::xxh3::xxh3_64(&buf))
}

/// Document frequencies of content terms over the units of a batch.
pub fn batch_df(units: &[&Unit], an: &Analyzer, lex: &Lexicon) -> (HashMap<String, u32>, u32) {
    let terms: Vec<Vec<String>> = units.iter().map(|u| an.terms(&u.text, lex)).collect();
    (df_of_terms(terms.iter()), units.len() as u32)
}

/// Document frequency over the units' term lists (each unit counts a term once).
fn df_of_terms<'a, S: std::hash::BuildHasher + Default>(
    terms: impl Iterator<Item = &'a Vec<String>>,
) -> HashMap<String, u32, S> {
    let mut df: HashMap<String, u32, S> = HashMap::default();
    let mut seen: Vec<&str> = Vec::new();
    for t in terms {
        seen.clear();
        seen.extend(t.iter().map(String::as_str));
        seen.sort_unstable();
        seen.dedup();
        for &x in &seen {
            // Look up before inserting: most terms are already there, and the owned key is
            // only needed for a new one.
            match df.get_mut(x) {
                Some(c) => *c += 1,
                None => {
                    df.insert(x.to_string(), 1);
                }
            }
        }
    }
    df
}

fn confidence(total: f32, blanket: bool, reference: f32, c: &Unit, r: &Unit) -> &'static str {
    let mut level = if total >= 0.4 || (blanket && reference >= 0.9) {
        2
    } else if total >= 0.22 || blanket {
        1
    } else {
        0
    };
    if c.confidence.min(r.confidence) < 0.6 && level > 0 {
        level -= 1;
    }
    ["low", "medium", "high"][level]
}

fn evidence(s: &Score, rule: &str) -> String {
    let mut parts = Vec::new();
    if !rule.is_empty() {
        parts.push(format!("rule: {rule}"));
    }
    if !s.shared.is_empty() {
        parts.push(format!("shared: {}", s.shared.join(", ")));
    }
    if !s.reference_phrase.is_empty() {
        parts.push(format!("reference: \u{201c}{}\u{201d}", s.reference_phrase));
    }
    parts.push(format!("order {:.2}", s.order));
    parts.join("; ")
}

/// Whether an answer can reach claim `ci`: the claim's source (its speaker) had said
/// something the article reports before the answer. An answer to a source covers all of
/// that source's claims in the dispute, wherever the article reports them, but not claims
/// made only later by others (senators weighing in after the minister answered).
fn answered_source(units: &[Unit], ci: usize, r: &Unit, claims: &[usize]) -> bool {
    let c = &units[ci];
    claims.iter().any(|&k| {
        let o = &units[k];
        o.dispute_idx == c.dispute_idx
            && o.speaker_entity == c.speaker_entity
            && o.sentence < r.sentence
    })
}

/// Pairs the units of one article.
pub fn pair_article(
    article: &str,
    units: &[Unit],
    prepared: &[Prepared],
    lex: &Lexicon,
    opts: &PairOptions,
) -> Vec<Row> {
    let w = &opts.weights;
    let claims: Vec<usize> = (0..units.len())
        .filter(|&i| units[i].role == Role::Claim)
        .collect();
    let rebuttals: Vec<usize> = (0..units.len())
        .filter(|&i| units[i].role == Role::Rebuttal)
        .collect();
    // (claim index, rebuttal index, score, basis, rule)
    let per_rebuttal: Vec<Vec<(usize, usize, Score, &'static str, String)>> = rebuttals
        .par_iter()
        .map(|&ri| {
            let r = &units[ri];
            let cands: Vec<usize> = claims
                .iter()
                .copied()
                .filter(|&ci| units[ci].dispute_idx == r.dispute_idx)
                .collect();
            if cands.is_empty() {
                return vec![];
            }
            let scored: Vec<(usize, Score)> = cands
                .iter()
                .map(|&ci| {
                    let (c, rp) = (&prepared[ci], &prepared[ri]);
                    let names = name_similarity(&c.names, &rp.names, |a, b| {
                        jaro_winkler(&c.names[a], &rp.names[b])
                    });
                    (ci, score_with_names(&units[ci], c, r, rp, w, names))
                })
                .collect();
            let best_lex = scored.iter().map(|s| s.1.lexical).fold(0.0, f32::max);
            let best_ref = scored.iter().map(|s| s.1.reference).fold(0.0, f32::max);
            let content_terms = prepared[ri].vector.terms.len();
            let cued = !r.cue.is_empty();
            // 1. blanket
            // "the allegations of supporting extremist activities" names its claim: specific.
            let qualified = prepared[ri]
                .folded
                .split_whitespace()
                .collect::<Vec<_>>()
                .windows(2)
                .any(|w| lex.is("reference_noun", w[0]) && matches!(w[1], "of" | "that"));
            let blanket = !qualified
                && (best_ref >= 0.8 && best_lex < 0.45
                    || best_ref >= 0.6
                        && cued
                        && best_lex < 0.15
                        && matches!(r.kind.as_str(), "rejection" | "dismissal" | "denial"));
            if blanket {
                let named: Vec<&(usize, Score)> = if best_ref >= 0.9 {
                    scored
                        .iter()
                        .filter(|s| s.1.reference >= best_ref)
                        .collect()
                } else {
                    vec![]
                };
                // Like a general answer, a blanket one covers the accusations made before it,
                // unless it leads the article and answers what the article goes on to report.
                let lede = r.paragraph <= 2;
                let named_source = !named.is_empty() && named.len() < scored.len();
                let targets: Vec<&(usize, Score)> =
                    if named.is_empty() || named.len() == scored.len() {
                        scored.iter().collect()
                    } else {
                        named
                    };
                // A rebuttal naming the source ("the joint statement") answers all of it,
                // wherever the article reports each claim.
                let earlier: Vec<&(usize, Score)> = targets
                    .iter()
                    .copied()
                    .filter(|s| lede || named_source || answered_source(units, s.0, r, &claims))
                    .collect();
                let targets = if earlier.is_empty() { targets } else { earlier };
                let rule = format!(
                    "blanket answer to {}",
                    if targets.len() == scored.len() {
                        "the accusations as a whole".to_string()
                    } else {
                        format!("the claims of {}", units[targets[0].0].speaker)
                    }
                );
                return targets
                    .into_iter()
                    .map(|(ci, s)| (*ci, ri, s.clone(), "blanket", rule.clone()))
                    .collect();
            }
            // 2. short denial
            if cued && content_terms <= 3 {
                if let Some((ci, s)) = scored
                    .iter()
                    .filter(|(ci, _)| {
                        units[*ci].sentence < r.sentence
                            && r.paragraph - units[*ci].paragraph.min(r.paragraph) <= 2
                    })
                    .max_by_key(|(ci, _)| units[*ci].sentence)
                {
                    return vec![(
                        *ci,
                        ri,
                        s.clone(),
                        "specific",
                        format!("short {} answers the claim just before it", r.kind),
                    )];
                }
            }
            // 3. specific, when one claim stands out by content; otherwise the rebuttal
            // answers the dispute's claims together (what annotators and readers do with a
            // spokesperson's general defence), each link still above the threshold.
            let best = scored.iter().map(|s| s.1.total).fold(f32::MIN, f32::max);
            if best < w.min_score.min(w.general_min_score) {
                return vec![];
            }
            // Content decides specificity: the best claim's lexical score must be high
            // enough and clearly ahead of the runner-up's.
            let mut by_lex: Vec<f32> = scored.iter().map(|s| s.1.lexical).collect();
            by_lex.sort_by(|a, b| b.total_cmp(a));
            let second_lex = by_lex.get(1).copied().unwrap_or(0.0);
            let stands_out =
                best_lex >= w.specific_lexical && best_lex - second_lex >= w.specific_gap;
            if (stands_out || scored.len() == 1) && best >= w.min_score {
                let best_spec = scored
                    .iter()
                    .filter(|s| s.1.lexical >= best_lex)
                    .map(|s| s.1.total)
                    .fold(f32::MIN, f32::max);
                return scored
                    .iter()
                    .filter(|s| s.1.total >= w.min_score && s.1.total >= best_spec - w.margin)
                    .map(|(ci, s)| (*ci, ri, s.clone(), "specific", String::new()))
                    .collect();
            }
            // A general answer covers what was said before it; a lede answer (first
            // paragraphs) covers the accusations the article goes on to report.
            let lede = r.paragraph <= 2;
            let general: Vec<&(usize, Score)> = scored
                .iter()
                .filter(|s| s.1.total >= w.general_min_score)
                .filter(|s| lede || answered_source(units, s.0, r, &claims))
                .collect();
            let top = general.iter().map(|s| s.1.total).fold(0.0, f32::max);
            general
                .into_iter()
                .filter(|s| s.1.total >= w.general_relative * top)
                .map(|(ci, s)| {
                    (
                        *ci,
                        ri,
                        s.clone(),
                        "blanket",
                        "general answer: no single claim stands out".to_string(),
                    )
                })
                .collect()
        })
        .collect();
    let mut links: Vec<(usize, usize, Score, &'static str, String)> =
        per_rebuttal.into_iter().flatten().collect();
    // top-k per claim
    if opts.top_k > 0 {
        let mut by_claim: HashMap<usize, Vec<usize>> = HashMap::new();
        for (k, l) in links.iter().enumerate() {
            by_claim.entry(l.0).or_default().push(k);
        }
        let mut keep = vec![true; links.len()];
        for ks in by_claim.values() {
            let mut ks = ks.clone();
            ks.sort_by(|&a, &b| {
                links[b]
                    .2
                    .total
                    .total_cmp(&links[a].2.total)
                    .then(links[a].1.cmp(&links[b].1))
            });
            for &k in ks.iter().skip(opts.top_k) {
                keep[k] = false;
            }
        }
        let mut k = 0;
        links.retain(|_| {
            k += 1;
            keep[k - 1]
        });
    }
    let mut rows = Vec::new();
    for &ci in &claims {
        let c = &units[ci];
        let mut mine: Vec<&(usize, usize, Score, &'static str, String)> =
            links.iter().filter(|l| l.0 == ci).collect();
        if mine.is_empty() {
            rows.push(Row {
                article: article.into(),
                pair_id: pair_id(article, &c.text, ""),
                status: Status::Unanswered,
                basis: "",
                confidence: "",
                claim: Some(c.clone()),
                rebuttal: None,
                score: None,
                evidence: "no rebuttal of this dispute scores above the threshold".into(),
            });
            continue;
        }
        mine.sort_by(|a, b| {
            b.2.total
                .total_cmp(&a.2.total)
                .then(units[a.1].sentence.cmp(&units[b.1].sentence))
        });
        for (_, ri, s, basis, rule) in mine {
            let r = &units[*ri];
            rows.push(Row {
                article: article.into(),
                pair_id: pair_id(article, &c.text, &r.text),
                status: Status::Paired,
                basis,
                confidence: confidence(s.total, *basis == "blanket", s.reference, c, r),
                claim: Some(c.clone()),
                rebuttal: Some(r.clone()),
                score: Some(s.clone()),
                evidence: evidence(s, rule),
            });
        }
    }
    for &ri in &rebuttals {
        if !links.iter().any(|l| l.1 == ri) {
            let r = &units[ri];
            let why = if claims
                .iter()
                .any(|&ci| units[ci].dispute_idx == r.dispute_idx)
            {
                "no claim of its dispute scores above the threshold"
            } else {
                "no claim of its dispute was extracted"
            };
            rows.push(Row {
                article: article.into(),
                pair_id: pair_id(article, "", &r.text),
                status: Status::Unmatched,
                basis: "",
                confidence: "",
                claim: None,
                rebuttal: Some(r.clone()),
                score: None,
                evidence: why.into(),
            });
        }
    }
    rows
}

/// Pairs every article of a batch, in the batch's order. IDF comes from the background plus
/// the article's own units ([`IdfScope::Article`]) or all units of the batch
/// ([`IdfScope::Batch`]).
pub fn pair_batch(articles: &[(String, Vec<Unit>)], lex: &Lexicon, opts: &PairOptions) -> Vec<Row> {
    pair_batch_with(articles, &Analyzer::new(), lex, opts)
}

/// [`pair_batch`] with an [`Analyzer`] built once by the caller, for callers that pair many
/// small batches (a streamed run pairs each article on its own).
pub fn pair_batch_with(
    articles: &[(String, Vec<Unit>)],
    an: &Analyzer,
    lex: &Lexicon,
    opts: &PairOptions,
) -> Vec<Row> {
    let batch = match opts.idf {
        IdfScope::Batch => {
            let all: Vec<&Unit> = articles.iter().flat_map(|a| a.1.iter()).collect();
            Some(batch_df(&all, an, lex))
        }
        IdfScope::Article => None,
    };
    articles
        .par_iter()
        .map(|(id, units)| {
            // Each unit's terms are computed once and serve both the article's document
            // frequencies and its vector; computing them twice was a tenth of a run (issue 7).
            let (terms, names): (Vec<Vec<String>>, Vec<Vec<String>>) = units
                .iter()
                .map(|u| an.terms_and_names(&u.text, lex))
                .unzip();
            let prepared: Vec<Prepared> = match &batch {
                Some((df, n)) => prepare_all(units, terms, names, an, lex, df, *n),
                None => {
                    let df: rustc_hash::FxHashMap<String, u32> = df_of_terms(terms.iter());
                    prepare_all(units, terms, names, an, lex, &df, units.len() as u32)
                }
            };
            pair_article(id, units, &prepared, lex, opts)
        })
        .flatten()
        .collect()
}

fn prepare_all<S: std::hash::BuildHasher>(
    units: &[Unit],
    terms: Vec<Vec<String>>,
    names: Vec<Vec<String>>,
    an: &Analyzer,
    lex: &Lexicon,
    df: &HashMap<String, u32, S>,
    n: u32,
) -> Vec<Prepared> {
    units
        .iter()
        .zip(terms)
        .zip(names)
        .map(|((u, t), nm)| prepare_as(u, t, nm, an, lex, df, n, Some(u.role)))
        .collect()
}

pub const REPORT_COLUMNS: [&str; 35] = [
    "article",
    "pair_id",
    "status",
    "score",
    "confidence",
    "basis",
    "claim_id",
    "claim_speaker",
    "claim_side",
    "claim_kind",
    "claim_text",
    "rebuttal_id",
    "rebuttal_speaker",
    "rebuttal_side",
    "rebuttal_kind",
    "rebuttal_text",
    "evidence",
    "lexical",
    "fuzzy",
    "reference",
    "claim_start",
    "claim_end",
    "rebuttal_start",
    "rebuttal_end",
    "verdict",
    "note",
    "order",
    "dispute",
    "claim_paragraph",
    "rebuttal_paragraph",
    "claim_cue",
    "rebuttal_cue",
    "claim_quote_type",
    "rebuttal_quote_type",
    // Filled by `riposte pair --sample N`: the rows to judge for an unbiased precision.
    "sample",
];

/// One report row by reference: what a streamed report formats without cloning both units
/// into a [`Row`] for each of a claim's links.
#[derive(Debug, Clone, Copy)]
pub struct RowView<'a> {
    pub article: &'a str,
    pub pair_id: &'a str,
    pub status: Status,
    pub basis: &'static str,
    pub confidence: &'static str,
    pub claim: Option<&'a Unit>,
    pub rebuttal: Option<&'a Unit>,
    pub score: Option<&'a Score>,
    pub evidence: &'a str,
}

impl<'a> From<&'a Row> for RowView<'a> {
    fn from(r: &'a Row) -> Self {
        RowView {
            article: &r.article,
            pair_id: &r.pair_id,
            status: r.status,
            basis: r.basis,
            confidence: r.confidence,
            claim: r.claim.as_ref(),
            rebuttal: r.rebuttal.as_ref(),
            score: r.score.as_ref(),
            evidence: &r.evidence,
        }
    }
}

pub fn report_headers(explain: bool) -> Vec<&'static str> {
    let mut headers = REPORT_COLUMNS.to_vec();
    if explain {
        headers.extend(["claim_rule", "rebuttal_rule"]);
    }
    headers
}

pub fn report_table(rows: &[Row], explain: bool) -> crate::report::Table {
    crate::report::Table {
        headers: report_headers(explain),
        rows: rows
            .iter()
            .map(|r| row_cells(&RowView::from(r), explain))
            .collect(),
    }
}

/// The cells of one report row, in [`report_headers`] order.
pub fn row_cells(r: &RowView, explain: bool) -> Vec<crate::report::Cell> {
    use crate::report::Cell;
    let t = |s: &str| Cell::Text(s.to_string());
    let opt_t = |u: Option<&Unit>, f: &dyn Fn(&Unit) -> &str| {
        u.map(|u| Cell::Text(f(u).to_string()))
            .unwrap_or(Cell::Empty)
    };
    let opt_i = |u: Option<&Unit>, f: &dyn Fn(&Unit) -> usize| {
        u.map(|u| Cell::Int(f(u) as i64)).unwrap_or(Cell::Empty)
    };
    let sc = |f: &dyn Fn(&Score) -> f32| {
        r.score
            .map(|s| Cell::Num(f(s) as f64))
            .unwrap_or(Cell::Empty)
    };
    let dispute = r
        .claim
        .or(r.rebuttal)
        .map(|u| u.dispute.as_str())
        .unwrap_or_default();
    let mut v = vec![
        t(r.article),
        t(r.pair_id),
        t(r.status.as_str()),
        sc(&|s| s.total),
        t(r.confidence),
        t(r.basis),
        opt_t(r.claim, &|u| &u.unit_id),
        opt_t(r.claim, &|u| &u.speaker),
        opt_t(r.claim, &|u| &u.side),
        opt_t(r.claim, &|u| &u.kind),
        opt_t(r.claim, &|u| &u.text),
        opt_t(r.rebuttal, &|u| &u.unit_id),
        opt_t(r.rebuttal, &|u| &u.speaker),
        opt_t(r.rebuttal, &|u| &u.side),
        opt_t(r.rebuttal, &|u| &u.kind),
        opt_t(r.rebuttal, &|u| &u.text),
        t(r.evidence),
        sc(&|s| s.lexical),
        sc(&|s| s.fuzzy),
        sc(&|s| s.reference),
        opt_i(r.claim, &|u| u.start),
        opt_i(r.claim, &|u| u.end),
        opt_i(r.rebuttal, &|u| u.start),
        opt_i(r.rebuttal, &|u| u.end),
        Cell::Empty,
        Cell::Empty,
        sc(&|s| s.order),
        t(dispute),
        opt_i(r.claim, &|u| u.paragraph),
        opt_i(r.rebuttal, &|u| u.paragraph),
        opt_t(r.claim, &|u| &u.cue),
        opt_t(r.rebuttal, &|u| &u.cue),
        opt_t(r.claim, &|u| &u.quote_type),
        opt_t(r.rebuttal, &|u| &u.quote_type),
        Cell::Empty,
    ];
    if explain {
        v.push(opt_t(r.claim, &|u| &u.rule));
        v.push(opt_t(r.rebuttal, &|u| &u.rule));
    }
    v
}
