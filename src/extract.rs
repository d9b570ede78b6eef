//! The extraction pipeline for one article: segment → attribute → classify.

use crate::article::Article;
use crate::attribute;
use crate::classify::{self, Dispute, Hints};
use crate::error::InputIssue;
use crate::lexicon::Lexicon;
use crate::segment;
use crate::unit::Unit;

/// Above this many sentences an article is reported rather than processed half-way.
pub const MAX_SENTENCES: usize = 20_000;

/// Default cap on claims + rebuttals in one article. A long news article has dozens; pairing
/// compares every claim with every rebuttal, so thousands mean machine-made text, and the
/// article is reported rather than paired half-way.
pub const MAX_UNITS: usize = 2_000;

/// Per-article caps; above either one the article is an error, not a partial result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_sentences: usize,
    pub max_units: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_sentences: MAX_SENTENCES,
            max_units: MAX_UNITS,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Extraction {
    pub units: Vec<Unit>,
    pub disputes: Vec<Dispute>,
    pub warnings: Vec<InputIssue>,
    pub sentences: usize,
    /// Each unit's words as attribution tokenised them (and the lexicon marked them), with
    /// offsets into the unit's `text`; their norms borrow the article's `Normed` text, which
    /// the lists keep. Pairing reuses them rather than tokenising every unit again (issue 7).
    pub unit_tokens: crate::text::TokenLists,
}

pub fn extract(article: &Article, lex: &Lexicon, hints: &Hints) -> Result<Extraction, InputIssue> {
    extract_with(article, lex, hints, &Limits::default())
}

/// [`extract`] with explicit caps.
pub fn extract_with(
    article: &Article,
    lex: &Lexicon,
    hints: &Hints,
    limits: &Limits,
) -> Result<Extraction, InputIssue> {
    let seg = segment::segment(&article.origin, &article.text, lex);
    if seg.sentences.is_empty() {
        return Err(InputIssue::error(
            &article.origin,
            None,
            "no-sentences",
            "no body sentences found (only headings, residue or blank text)",
        ));
    }
    if seg.sentences.len() > limits.max_sentences {
        return Err(InputIssue::error(
            &article.origin,
            None,
            "too-many-sentences",
            format!(
                "{} sentences exceeds the cap of {}",
                seg.sentences.len(),
                limits.max_sentences
            ),
        ));
    }
    // The tokens of a unit's sentence, with offsets into the unit's text (a unit is one
    // sentence: `u.sentence` counts from 1, `u.byte_start` is where it starts), are kept for
    // pairing; a sentence's tokens are moved out unless another unit needs them too.
    let normed = crate::text::Normed::new(&article.text);
    let (unit_tokens, c) = crate::text::TokenLists::keep(normed, |normed| {
        let mut att = attribute::attribute(normed, &seg, lex);
        let c = classify::classify(&article.id, &article.text, &seg, &att, lex, hints);
        let mut uses = vec![0usize; att.infos.len()];
        for u in &c.units {
            uses[u.sentence - 1] += 1;
        }
        let lists = c
            .units
            .iter()
            .map(|u| {
                let si = u.sentence - 1;
                uses[si] -= 1;
                let mut toks = if uses[si] == 0 {
                    std::mem::take(&mut att.infos[si].tokens)
                } else {
                    att.infos[si].tokens.clone()
                };
                for t in &mut toks {
                    t.start -= u.byte_start;
                    t.end -= u.byte_start;
                }
                toks
            })
            .collect();
        (lists, c)
    });
    if c.units.len() > limits.max_units {
        return Err(InputIssue::error(
            &article.origin,
            None,
            "too-many-units",
            format!(
                "{} claims and rebuttals exceeds --max-article-units {}",
                c.units.len(),
                limits.max_units
            ),
        ));
    }
    Ok(Extraction {
        units: c.units,
        disputes: c.disputes,
        warnings: seg.warnings,
        sentences: seg.sentences.len(),
        unit_tokens,
    })
}

/// One line per sentence: what the attribution stage found and what became of it. For
/// `--explain`: a reviewer can see why a sentence is, or is not, a unit.
pub fn explain(article: &Article, lex: &Lexicon, hints: &Hints) -> Vec<String> {
    let seg = segment::segment(&article.origin, &article.text, lex);
    let mut out = Vec::new();
    for p in &seg.paragraphs {
        if p.kind != segment::ParaKind::Body {
            out.push(format!(
                "{} ¶{} skipped as {:?}: {}",
                article.id,
                p.index + 1,
                p.kind,
                &article.text[p.start..p.end]
            ));
        }
    }
    let normed = crate::text::Normed::new(&article.text);
    let att = attribute::attribute(&normed, &seg, lex);
    let c = classify::classify(&article.id, &article.text, &seg, &att, lex, hints);
    for e in &att.entities {
        out.push(format!(
            "{} entity e{}: {:?} {:?} party={} affiliation={:?} role={:?} descriptors={:?}",
            article.id,
            e.id,
            e.name,
            e.kind,
            c.party(&att, e.id).join(" + "),
            e.affiliation.map(|a| att.entities[a].name.as_str()),
            e.role_party,
            e.descriptors
        ));
    }
    for d in &c.disputes {
        out.push(format!("{} dispute: {}", article.id, d.label()));
    }
    for (si, s) in seg.sentences.iter().enumerate() {
        let a = &att.attributions[si];
        let speaker = a
            .speaker
            .map(|e| att.entities[e].name.as_str())
            .unwrap_or("-");
        let unit = c.units.iter().find(|u| u.sentence == si + 1);
        let decision = match unit {
            Some(u) => format!("{} ({}) [{}]", u.role.as_str(), u.kind, u.rule),
            None if att.nonresponse[si] => "no unit: non-response".to_string(),
            None if a.speaker.is_none() => "no unit: no speaker".to_string(),
            None => format!(
                "no unit: speaker {speaker} (party {}) has no role here [{}]",
                a.speaker
                    .map(|e| c.party(&att, e).join(" + "))
                    .unwrap_or_default(),
                a.rule
            ),
        };
        out.push(format!(
            "{} s{} ¶{} speaker={} mention={:?} | {} | {}",
            article.id,
            si + 1,
            s.paragraph + 1,
            speaker,
            a.mention,
            decision,
            &article.text[s.start..s.end]
        ));
    }
    out
}
