//! `riposte eval`: score a units file (from `extract`) or a pair report (from `pair`) against
//! gold annotations (data/gold.jsonl; format in data/README.md).
//!
//! A predicted unit is right when its text contains the gold snippet and its role matches;
//! units are matched one-to-one. A speaker is right when, folded and without "the", one name
//! contains the other or both name the same gazetteer party.

use crate::error::{Error, Result};
use crate::lexicon::Lexicon;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Deserialize)]
pub struct GoldUnit {
    pub id: String,
    pub snippet: String,
    #[serde(default)]
    pub speaker: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct GoldArticle {
    pub id: String,
    #[serde(default)]
    pub claims: Vec<GoldUnit>,
    #[serde(default)]
    pub rebuttals: Vec<GoldUnit>,
    #[serde(default)]
    pub pairs: Vec<(String, String)>,
}

pub fn load_gold(path: &str) -> Result<Vec<GoldArticle>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Io {
        path: path.into(),
        source: e,
    })?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let g: GoldArticle = serde_json::from_str(line).map_err(|e| Error::Gold {
            path: path.into(),
            line: i + 1,
            message: e.to_string(),
        })?;
        out.push(g);
    }
    Ok(out)
}

/// A unit as read back from a units CSV or a pair report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PredUnit {
    pub article: String,
    pub id: String,
    pub role: String,
    pub speaker: String,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct Predictions {
    pub units: Vec<PredUnit>,
    /// (article, claim_id, rebuttal_id) for rows with status `paired`.
    pub links: BTreeSet<(String, String, String)>,
    /// (article, claim_id) for `unanswered` rows.
    pub unanswered: BTreeSet<(String, String)>,
    pub is_report: bool,
}

fn clean_cell(s: &str) -> String {
    crate::report::unguard(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads a units CSV or pair report CSV (BOM tolerated).
pub fn load_predictions(path: &str) -> Result<Predictions> {
    let bytes = std::fs::read(path).map_err(|e| Error::Io {
        path: path.into(),
        source: e,
    })?;
    let bytes = bytes
        .strip_prefix(&[0xEF, 0xBB, 0xBF][..])
        .unwrap_or(&bytes);
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers = rdr.headers()?.clone();
    let col = |n: &str| headers.iter().position(|h| h == n);
    let mut p = Predictions::default();
    let need = |c: Option<usize>, n: &str| {
        c.ok_or_else(|| Error::Report {
            path: path.into(),
            line: 1,
            message: format!("missing column `{n}`"),
        })
    };
    if col("pair_id").is_some() {
        p.is_report = true;
        let [art, st, cid, csp, ctx, rid, rsp, rtx] = [
            "article",
            "status",
            "claim_id",
            "claim_speaker",
            "claim_text",
            "rebuttal_id",
            "rebuttal_speaker",
            "rebuttal_text",
        ]
        .map(|n| need(col(n), n));
        let (art, st, cid, csp, ctx, rid, rsp, rtx) =
            (art?, st?, cid?, csp?, ctx?, rid?, rsp?, rtx?);
        let mut seen = BTreeSet::new();
        for rec in rdr.records() {
            let r = rec?;
            let g = |i: usize| r.get(i).unwrap_or("").to_string();
            let a = clean_cell(&g(art));
            if !g(cid).is_empty() && seen.insert((a.clone(), g(cid))) {
                p.units.push(PredUnit {
                    article: a.clone(),
                    id: g(cid),
                    role: "claim".into(),
                    speaker: g(csp),
                    text: clean_cell(&g(ctx)),
                });
            }
            if !g(rid).is_empty() && seen.insert((a.clone(), g(rid))) {
                p.units.push(PredUnit {
                    article: a.clone(),
                    id: g(rid),
                    role: "rebuttal".into(),
                    speaker: g(rsp),
                    text: clean_cell(&g(rtx)),
                });
            }
            match g(st).as_str() {
                "paired" => {
                    p.links.insert((a.clone(), g(cid), g(rid)));
                }
                "unanswered" => {
                    p.unanswered.insert((a.clone(), g(cid)));
                }
                _ => {}
            }
        }
    } else {
        let [art, id, role, sp, tx] =
            ["article", "unit_id", "role", "speaker", "text"].map(|n| need(col(n), n));
        let (art, id, role, sp, tx) = (art?, id?, role?, sp?, tx?);
        for rec in rdr.records() {
            let r = rec?;
            let g = |i: usize| r.get(i).unwrap_or("").to_string();
            p.units.push(PredUnit {
                article: clean_cell(&g(art)),
                id: g(id),
                role: g(role),
                speaker: g(sp),
                text: clean_cell(&g(tx)),
            });
        }
    }
    Ok(p)
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Prf {
    pub tp: usize,
    pub predicted: usize,
    pub gold: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Prf {
    fn new(tp: usize, predicted: usize, gold: usize, tp_gold: usize) -> Self {
        let precision = if predicted == 0 {
            if gold == 0 {
                1.0
            } else {
                0.0
            }
        } else {
            tp as f64 / predicted as f64
        };
        let recall = if gold == 0 {
            1.0
        } else {
            tp_gold as f64 / gold as f64
        };
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Prf {
            tp,
            predicted,
            gold,
            precision,
            recall,
            f1,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ArticleScore {
    pub article: String,
    pub claims: Prf,
    pub rebuttals: Prf,
    pub speakers_right: usize,
    pub speakers_checked: usize,
    pub pairs: Option<Prf>,
    /// Gold units not found, for reading: "c2 (claim): snippet".
    pub missed: Vec<String>,
    /// Predicted units matching no gold unit.
    pub spurious: Vec<String>,
    /// Predicted links that are not gold pairs, and gold pairs not predicted.
    pub wrong_links: Vec<String>,
    pub missed_links: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct EvalReport {
    pub claims: Prf,
    pub rebuttals: Prf,
    pub speaker_accuracy: f64,
    pub pairs: Option<Prf>,
    /// Gold claims with no pair that the report marks `unanswered`, over all such claims.
    pub unanswered_correct: Option<(usize, usize)>,
    pub articles: Vec<ArticleScore>,
    /// Predicted articles that have no gold line.
    pub unscored_articles: Vec<String>,
}

fn norm_speaker(s: &str) -> String {
    let f = crate::text::fold(s);
    let f = f.trim();
    f.strip_prefix("the ")
        .unwrap_or(f)
        .trim_end_matches("'s")
        .to_string()
}

pub fn speaker_matches(pred: &str, gold: &str, lex: &Lexicon) -> bool {
    let (p, g) = (norm_speaker(pred), norm_speaker(gold));
    if p.is_empty() || g.is_empty() {
        return false;
    }
    let contains_words = |a: &str, b: &str| format!(" {a} ").contains(&format!(" {b} "));
    if p == g || contains_words(&p, &g) || contains_words(&g, &p) {
        return true;
    }
    let party = |s: &str| {
        lex.gazetteer
            .get(&crate::lexicon::alias_key(s))
            .map(|e| e.party.clone())
    };
    matches!((party(pred), party(gold)), (Some(a), Some(b)) if a == b)
}

fn matches_snippet(text: &str, snippet: &str) -> bool {
    let t = crate::text::fold(text);
    let s = crate::text::fold(snippet);
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    t.contains(&s)
}

pub fn evaluate(gold: &[GoldArticle], pred: &Predictions, lex: &Lexicon) -> EvalReport {
    let mut by_article: BTreeMap<&str, Vec<&PredUnit>> = BTreeMap::new();
    for u in &pred.units {
        by_article.entry(u.article.as_str()).or_default().push(u);
    }
    let gold_ids: BTreeSet<&str> = gold.iter().map(|g| g.id.as_str()).collect();
    let mut rep = EvalReport {
        unscored_articles: by_article
            .keys()
            .filter(|a| !gold_ids.contains(*a))
            .map(|a| a.to_string())
            .collect(),
        ..Default::default()
    };
    let (mut ct, mut cp, mut cg, mut rt, mut rp, mut rg) = (0, 0, 0, 0, 0, 0);
    let (mut sr, mut sc) = (0, 0);
    let (mut pt, mut pp, mut pg) = (0, 0, 0);
    let (mut ua, mut ut) = (0, 0);
    for g in gold {
        let units = by_article.get(g.id.as_str()).cloned().unwrap_or_default();
        let mut sc_art = ArticleScore {
            article: g.id.clone(),
            ..Default::default()
        };
        // gold id → predicted unit id
        let mut mapping: BTreeMap<String, String> = BTreeMap::new();
        let mut used: BTreeSet<String> = BTreeSet::new();
        let mut role_scores = Vec::new();
        for (role, gunits) in [("claim", &g.claims), ("rebuttal", &g.rebuttals)] {
            let preds: Vec<&&PredUnit> = units.iter().filter(|u| u.role == role).collect();
            let mut tp = 0;
            for gu in gunits.iter() {
                let hit = preds
                    .iter()
                    .find(|u| !used.contains(&u.id) && matches_snippet(&u.text, &gu.snippet));
                match hit {
                    Some(u) => {
                        tp += 1;
                        used.insert(u.id.clone());
                        mapping.insert(gu.id.clone(), u.id.clone());
                        if !gu.speaker.is_empty() {
                            sc += 1;
                            if speaker_matches(&u.speaker, &gu.speaker, lex) {
                                sr += 1;
                                sc_art.speakers_right += 1;
                            } else {
                                sc_art.missed.push(format!(
                                    "{} speaker: predicted {:?}, gold {:?}",
                                    gu.id, u.speaker, gu.speaker
                                ));
                            }
                            sc_art.speakers_checked += 1;
                        }
                    }
                    None => {
                        // found with the wrong role?
                        let other = units
                            .iter()
                            .find(|u| u.role != role && matches_snippet(&u.text, &gu.snippet));
                        sc_art.missed.push(format!(
                            "{} ({role}{}): {}",
                            gu.id,
                            other
                                .map(|_| ", predicted with the other role")
                                .unwrap_or(""),
                            gu.snippet
                        ));
                    }
                }
            }
            for u in &preds {
                if !used.contains(&u.id) {
                    sc_art
                        .spurious
                        .push(format!("{} ({role}): {}", u.id, u.text));
                }
            }
            role_scores.push(Prf::new(tp, preds.len(), gunits.len(), tp));
        }
        sc_art.claims = role_scores[0].clone();
        sc_art.rebuttals = role_scores[1].clone();
        ct += sc_art.claims.tp;
        cp += sc_art.claims.predicted;
        cg += sc_art.claims.gold;
        rt += sc_art.rebuttals.tp;
        rp += sc_art.rebuttals.predicted;
        rg += sc_art.rebuttals.gold;
        if pred.is_report {
            let gold_links: BTreeSet<(String, String)> = g
                .pairs
                .iter()
                .filter_map(|(c, r)| Some((mapping.get(c)?.clone(), mapping.get(r)?.clone())))
                .collect();
            let pred_links: BTreeSet<(String, String)> = pred
                .links
                .iter()
                .filter(|l| l.0 == g.id)
                .map(|l| (l.1.clone(), l.2.clone()))
                .collect();
            let tp = pred_links.intersection(&gold_links).count();
            let rev: BTreeMap<&String, &String> = mapping.iter().map(|(g, p)| (p, g)).collect();
            let name = |p: &String| {
                rev.get(p)
                    .map(|g| g.to_string())
                    .unwrap_or_else(|| format!("{p}(not gold)"))
            };
            for l in pred_links.difference(&gold_links) {
                sc_art
                    .wrong_links
                    .push(format!("{} ↔ {}", name(&l.0), name(&l.1)));
            }
            for (c, r) in &g.pairs {
                let found = matches!((mapping.get(c), mapping.get(r)), (Some(pc), Some(pr)) if pred_links.contains(&(pc.clone(), pr.clone())));
                if !found {
                    sc_art.missed_links.push(format!("{c} ↔ {r}"));
                }
            }
            let gold_found = g.pairs.len() - sc_art.missed_links.len();
            let prf = Prf::new(tp, pred_links.len(), g.pairs.len(), gold_found);
            pt += tp;
            pp += pred_links.len();
            pg += g.pairs.len();
            let _ = gold_found;
            sc_art.pairs = Some(prf);
            let paired: BTreeSet<&String> = g.pairs.iter().map(|p| &p.0).collect();
            for c in g.claims.iter().filter(|c| !paired.contains(&c.id)) {
                ut += 1;
                if mapping
                    .get(&c.id)
                    .is_some_and(|pc| pred.unanswered.contains(&(g.id.clone(), pc.clone())))
                {
                    ua += 1;
                }
            }
        }
        rep.articles.push(sc_art);
    }
    rep.claims = Prf::new(ct, cp, cg, ct);
    rep.rebuttals = Prf::new(rt, rp, rg, rt);
    rep.speaker_accuracy = if sc == 0 { 0.0 } else { sr as f64 / sc as f64 };
    if pred.is_report {
        // recall counts gold pairs found (a predicted link matches at most one gold pair)
        rep.pairs = Some(Prf::new(pt, pp, pg, pt));
        rep.unanswered_correct = Some((ua, ut));
    }
    rep
}

pub fn render(rep: &EvalReport, verbose: bool) -> String {
    let mut s = String::new();
    let line = |name: &str, p: &Prf| {
        format!(
            "{name:<10} P {:.3}  R {:.3}  F1 {:.3}   (tp {}, predicted {}, gold {})\n",
            p.precision, p.recall, p.f1, p.tp, p.predicted, p.gold
        )
    };
    s += &line("claims", &rep.claims);
    s += &line("rebuttals", &rep.rebuttals);
    s += &format!("speakers   accuracy {:.3}\n", rep.speaker_accuracy);
    if let Some(p) = &rep.pairs {
        s += &line("pairs", p);
    }
    if let Some((a, t)) = rep.unanswered_correct {
        s += &format!("unanswered claims correctly left unanswered: {a}/{t}\n");
    }
    s += "\narticle                                 claimF1 rebutF1 speaker  pairF1\n";
    for a in &rep.articles {
        s += &format!(
            "{:<40} {:>6.3} {:>7.3} {:>3}/{:<3} {:>7}\n",
            a.article,
            a.claims.f1,
            a.rebuttals.f1,
            a.speakers_right,
            a.speakers_checked,
            a.pairs
                .as_ref()
                .map(|p| format!("{:.3}", p.f1))
                .unwrap_or_else(|| "-".into())
        );
        if verbose {
            for m in &a.missed {
                s += &format!("    missed   {m}\n");
            }
            for m in &a.spurious {
                s += &format!("    spurious {m}\n");
            }
            for m in &a.wrong_links {
                s += &format!("    wrong link  {m}\n");
            }
            for m in &a.missed_links {
                s += &format!("    missed link {m}\n");
            }
        }
    }
    if !rep.unscored_articles.is_empty() {
        s += &format!(
            "\n{} predicted article(s) without gold: {}\n",
            rep.unscored_articles.len(),
            rep.unscored_articles.join(", ")
        );
    }
    s
}
