//! Stage 4 — classify: find the disputes (who accuses whom) from the cue structure, then give
//! each attributed sentence its role (claim / rebuttal / none) and kind.
//!
//! Principles, not article-specific rules:
//! - a dispute is keyed by the responding party; its accusers are the parties whose
//!   accusations target it, or that its rebuttals name ("accusations made by India");
//! - an accusation by a responder against one of its own accusers is a counter-accusation,
//!   i.e. a rebuttal, not a new dispute;
//! - once a party has answered (or been accused), everything it says on the record in that
//!   article is part of its answer, cue word or not (defence);
//! - legal senses ("the court rejected the petition", "was charged with"), negated acts ("did
//!   not deny") and non-responses ("declined to comment") are not units.

use crate::attribute::{Attributed, CueHit, EntityKind, SentenceInfo};
use crate::lexicon::{CueClass, Lexicon};
use crate::segment::Segmented;
use crate::text::Token;
use crate::unit::{Role, Shared, Unit};
use std::collections::BTreeSet;
use std::sync::Arc;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dispute {
    pub responder: String,
    pub accusers: BTreeSet<String>,
}

impl Dispute {
    /// "A + B → C": the accusers in order, then the responder. Built piece by piece: the
    /// formatting machinery and a list of cloned names cost more than the label.
    pub fn label(&self) -> String {
        let len =
            self.accusers.iter().map(|a| a.len() + 3).sum::<usize>() + self.responder.len() + 5;
        let mut out = String::with_capacity(len);
        for (i, a) in self.accusers.iter().enumerate() {
            if i > 0 {
                out.push_str(" + ");
            }
            out.push_str(a);
        }
        out.push_str(" → ");
        out.push_str(&self.responder);
        out
    }
}

/// Side hints from the command line (`--accuser`, `--responder`): party names or aliases.
#[derive(Debug, Clone, Default)]
pub struct Hints {
    pub accusers: Vec<String>,
    pub responders: Vec<String>,
}

#[derive(Debug, Clone, Default)]
struct Act {
    si: usize,
    speaker: usize,
    /// The act's cues (those that count): its range of the article's list of them, one list
    /// for every act rather than one each.
    cues: std::ops::Range<usize>,
    accuse: bool,
    rebut: bool,
    nondenial: bool,
    respond: bool,
    /// Wrongdoing words about another party; false for an act that accuses, whose
    /// `accuse || wrongdoing` (all that is asked) it cannot change.
    wrongdoing: bool,
    /// Parties named as the source of what is rejected ("made by X", "X's allegations"):
    /// read only for an act that rebuts, responds or does not deny, and empty for others.
    named_accusers: Vec<String>,
    /// "against X" in a rebuttal: the responder itself (as `named_accusers`).
    against: Option<String>,
    /// Speaks on the record here (reporting verb or attributed quote).
    speech: bool,
    /// Where the reported content starts (its likely subject): see [`Act::zone_entities`].
    zone: Zone,
    /// "described X as Y", "called X ‘Z’": a verdict, rebuttal or criticism by side.
    evaluative: bool,
    /// An accusation of falsehood ("accused the paper of a ‘campaign of falsehoods’"): it
    /// answers the target's own charges when the target has made any.
    falsity: bool,
}

/// Token ranges at the start of reported content: after the frame verb, and after a later
/// "and said" of the same speaker.
#[derive(Debug, Clone, Copy, Default)]
struct Zone {
    first: (usize, usize),
    second: Option<(usize, usize)>,
}

impl Zone {
    fn holds(&self, t: usize) -> bool {
        (t >= self.first.0 && t < self.first.1) || self.second.is_some_and(|(a, b)| t >= a && t < b)
    }
}

impl Act {
    /// Entities mentioned in the zone other than the speaker, in order: read from the
    /// mentions when the one pass that needs them asks.
    fn zone_entities<'a>(&self, att: &'a Attributed) -> impl Iterator<Item = usize> + 'a {
        let (speaker, zone) = (self.speaker, self.zone);
        att.mentions[self.si]
            .iter()
            .filter(move |&&(t, e)| zone.holds(t) && e != speaker)
            .map(|&(_, e)| e)
    }

    /// Entities mentioned outside the speaker mention, in order: read from the mentions
    /// when asked (two passes ask), not kept in a list of every act's own.
    fn targets<'a>(&self, att: &'a Attributed) -> impl Iterator<Item = usize> + 'a {
        let speaker = self.speaker;
        att.mentions[self.si]
            .iter()
            .map(|m| m.1)
            .filter(move |&e| e != speaker)
    }
}

/// What a cue's word can make of a legal sense: every test of [`is_legal`] asks the word
/// first, and one match on it turns most cues away (three matches of it, one after the
/// other, each mispredicted on the cue words: a sixth of classifying was these filters).
#[derive(Clone, Copy, PartialEq, Eq)]
enum LegalWord {
    None,
    /// "rejected", "dismissed", "denied": the court or a legal object rejected.
    Rejection,
    /// "accused", "indicted": passive legal senses.
    Passive,
    /// "charged": passive, and "charged with".
    Charged,
    /// "charges": "charges with".
    Charges,
}

fn legal_word(w: &str) -> LegalWord {
    match w {
        "rejected" | "rejects" | "reject" | "dismissed" | "dismisses" | "dismiss" | "denied"
        | "denies" | "rejection" => LegalWord::Rejection,
        "accused" | "indicted" | "convicted" | "sentenced" => LegalWord::Passive,
        "charged" => LegalWord::Charged,
        "charges" => LegalWord::Charges,
        _ => LegalWord::None,
    }
}

/// `subject_court` is asked only for a rejection word: finding out folds the speaker's name,
/// and most cues are no such word.
fn is_legal(
    toks: &[Token],
    c: &CueHit,
    lex: &Lexicon,
    subject_court: &mut impl FnMut() -> bool,
) -> bool {
    let word = legal_word(toks[c.tok].norm);
    if word == LegalWord::None {
        return false;
    }
    let is_w = |cl: &str, t: &Token| lex.is_tok(cl, t);
    if word == LegalWord::Rejection {
        if subject_court() {
            return true;
        }
        let window = &toks[c.tok + 1..toks.len().min(c.tok + 6)];
        if window.iter().any(|t| is_w("legal_object", t))
            && !window.iter().any(|t| is_w("reference_noun", t))
        {
            return true;
        }
    }
    // "was charged with", "has been accused in" — passive legal senses; with an agent
    // ("was accused by a patient group of ...") it is that agent's accusation
    if matches!(word, LegalWord::Passive | LegalWord::Charged)
        && c.tok > 0
        && is_w("passive_aux", &toks[c.tok - 1])
        && toks.get(c.tok + 1).is_none_or(|t| t.norm != "by")
    {
        return true;
    }
    if matches!(word, LegalWord::Charged | LegalWord::Charges)
        && toks.get(c.tok + 1).is_some_and(|t| t.norm == "with")
    {
        return true;
    }
    false
}

/// "urged both sides to ...", "called on all parties to ...": an appeal, not an accusation.
fn even_handed(toks: &[Token], c: &CueHit) -> bool {
    // The next two words, as a pair rather than a list of each cue's own.
    let after = &toks[c.tok + c.len..toks.len().min(c.tok + c.len + 3)];
    let word = |k: usize| after.get(k).map(|t| t.norm);
    matches!(
        (word(0), word(1)),
        (Some("both"), _)
            | (Some("all"), Some("parties"))
            | (Some("all"), Some("sides"))
            | (Some("the"), Some("two"))
            | (Some("each"), Some("side"))
    )
}

fn negated(toks: &[Token], c: &CueHit) -> bool {
    // A word's first byte turns away all but a few words before the list is matched (a
    // match on the length first mispredicted on most cues).
    let negator = |t: &Token| {
        matches!(t.norm.as_bytes().first(), Some(b'n' | b'w'))
            && matches!(t.norm, "not" | "n't" | "never" | "no" | "without")
    };
    let before = &toks[c.tok.saturating_sub(2)..c.tok];
    before.iter().any(negator) && !matches!(toks[c.tok].norm, "basis" | "evidence")
}

/// The plain reading of [`negated`].
#[cfg(test)]
fn negated_plain(toks: &[Token], c: &CueHit) -> bool {
    (1..=2).any(|k| {
        c.tok >= k
            && matches!(
                toks[c.tok - k].norm,
                "not" | "n't" | "never" | "no" | "without"
            )
    }) && !matches!(toks[c.tok].norm, "basis" | "evidence")
}

/// Whether a word of the sentence says the position is a standing one ("has repeatedly
/// denied", "has long rejected"). Each word's length and first byte are one key, compared
/// with the four words' keys without a branch, and only a word that passes is compared
/// whole: a match on the length first jumped through a table for every word of every
/// rebuttal, mispredicted on most (a tenth of classifying).
fn standing_word(toks: &[Token]) -> bool {
    const fn key(len: usize, first: u8) -> u32 {
        (len as u32) << 8 | first as u32
    }
    toks.iter().any(|t| {
        let b = t.norm.as_bytes();
        let k = key(b.len(), b.first().copied().unwrap_or(0));
        (k == key(10, b'r')) | (k == key(12, b'c')) | (k == key(4, b'l')) | (k == key(6, b'a'))
            && matches!(t.norm, "repeatedly" | "consistently" | "long" | "always")
    })
}

/// The plain reading of [`standing_word`].
#[cfg(test)]
fn standing_plain(toks: &[Token]) -> bool {
    toks.iter()
        .any(|t| matches!(t.norm, "repeatedly" | "consistently" | "long" | "always"))
}

/// Whether a wrongdoing word or phrase starts after token `t` (see
/// [`Lexicon::is_wrongdoing`], [`Lexicon::wrongdoing_phrase_at`]).
fn wrongdoing_after<'a>(
    toks: &'a [Token],
    t: usize,
    lex: &Lexicon,
    norms: &mut Vec<&'a str>,
) -> bool {
    let tail = toks.get(t + 1..).unwrap_or_default();
    // The phrase test takes the words as a list: listed into the caller's buffer at the
    // first word that may start a phrase (a one-byte word always may).
    // The words that may start one are found by a search of their own (walked in one loop
    // with the tests, every word paid for the spilled state of the list).
    let mut listed = false;
    let mut from = 0;
    while let Some(i) = next_token(tail, from, |t| lex.may_start_wrongdoing(t.norm)) {
        from = i + 1;
        if lex.is_wrongdoing(tail[i].norm) {
            return true;
        }
        if !listed {
            norms.clear();
            norms.extend(tail.iter().map(|x| x.norm));
            listed = true;
        }
        if lex.wrongdoing_phrase_at(&norms[i..]) {
            return true;
        }
    }
    false
}

/// The first token from `from` on that `hit` holds for. Kept out of line: inlined into the
/// loops that act on each hit, the search carried their bookkeeping through every token.
#[inline(never)]
fn next_token(toks: &[Token], from: usize, hit: impl Fn(&Token) -> bool) -> Option<usize> {
    toks.get(from..)?.iter().position(hit).map(|k| from + k)
}

/// The next token from `from` on that may name an accuser's side: a reference or document
/// noun ("allegations by X", "X's report"), or "against".
fn next_naming_token(toks: &[Token], from: usize, lex: &Lexicon) -> Option<usize> {
    next_token(toks, from, |t| {
        lex.is_tok("reference_noun", t) || lex.is_tok("doc_noun", t) || t.norm == "against"
    })
}

/// The plain reading of [`wrongdoing_after`]: the last wrongdoing word of the sentence
/// comes after `t`.
#[cfg(test)]
fn wrongdoing_after_plain(toks: &[Token], t: usize, lex: &Lexicon) -> bool {
    let norms: Vec<&str> = toks.iter().map(|t| t.norm).collect();
    let last_wrong = (0..toks.len()).rev().find(|&i| {
        lex.may_start_wrongdoing(norms[i])
            && (lex.is_wrongdoing(norms[i]) || lex.wrongdoing_phrase_at(&norms[i..]))
    });
    last_wrong.is_some_and(|w| w > t)
}

/// An act's decision as the walks over nearby acts ask it (see `decided` in [`classify`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mark {
    Undecided,
    Rebuttal,
    /// A claim with its cue token.
    CuedClaim,
    /// A claim without one.
    Claim,
}

impl Mark {
    fn of(d: &Option<(Role, usize, String, Option<usize>)>) -> Mark {
        match d {
            None => Mark::Undecided,
            Some((Role::Rebuttal, ..)) => Mark::Rebuttal,
            Some((Role::Claim, _, _, Some(_))) => Mark::CuedClaim,
            Some((Role::Claim, _, _, None)) => Mark::Claim,
        }
    }
}

/// Whether two sides are the same: most that are were lent by the same entity, and are
/// told so without comparing their names.
fn same_party(a: &[String], b: &[String]) -> bool {
    (std::ptr::eq(a.as_ptr(), b.as_ptr()) && a.len() == b.len()) || a == b
}

pub struct Classified {
    pub units: Vec<Unit>,
    pub disputes: Vec<Dispute>,
    /// The sides inferred for generic speakers, behind [`Classified::party`]: listing every
    /// entity's party for each article was a thirtieth of classifying, and only `--explain`
    /// reads them.
    inferred: Vec<Option<Vec<String>>>,
}

impl Classified {
    /// Final party of entity `id` of `att` (the attribution this was classified from).
    pub fn party<'a>(&'a self, att: &'a Attributed, id: usize) -> &'a [String] {
        party_of(att, &self.inferred, id, 0)
    }
}

/// The name a reviewer should see: an unnamed spokesperson or a document speaks in the name
/// of the organisation it belongs to ("a company spokesperson" → "Lumora Inc.").
fn display_speaker(att: &Attributed, id: usize) -> String {
    let mut e = &att.entities[id];
    for _ in 0..4 {
        // a press statement is its issuer's voice; a report or documentary is a speaker of
        // its own, as readers cite it
        let unnamed = e.generic
            && (e.kind == EntityKind::Person
                || (e.kind == EntityKind::Document && e.name.eq_ignore_ascii_case("statement")));
        match e.affiliation {
            Some(a) if unnamed && a != e.id => e = &att.entities[a],
            _ => break,
        }
    }
    e.name.clone()
}

/// Acts searched on each side for the claim an elaboration continues.
const ELABORATION_WINDOW: usize = 200;

/// The acts of `window` whose paragraph is within `reach` of `par`, given the paragraph of
/// every act in reading order (nondecreasing): the window's passes test every act in it
/// for a paragraph that close, and most are not. The plain form of [`Reach::acts`].
#[cfg(test)]
fn within_paragraphs(
    act_par: &[usize],
    window: std::ops::Range<usize>,
    par: usize,
    reach: usize,
) -> std::ops::Range<usize> {
    let lo = act_par.partition_point(|&p| p + reach < par);
    let hi = act_par.partition_point(|&p| p <= par + reach);
    let start = window.start.max(lo);
    start..window.end.min(hi).max(start)
}

/// [`within_paragraphs`] for paragraphs asked in nondecreasing order, as a pass over the
/// acts asks them: the bounds only move forward, stepped to rather than searched for (the
/// two binary searches per act were a thirtieth of classifying).
struct Reach<'a> {
    act_par: &'a [usize],
    reach: usize,
    /// The first act within reach of the last paragraph asked, and the first past it.
    lo: usize,
    hi: usize,
    last: usize,
}

impl<'a> Reach<'a> {
    fn new(act_par: &'a [usize], reach: usize) -> Self {
        Reach {
            act_par,
            reach,
            lo: 0,
            hi: 0,
            last: 0,
        }
    }

    fn acts(&mut self, window: std::ops::Range<usize>, par: usize) -> std::ops::Range<usize> {
        if par < self.last {
            // Asked out of order: start again, so the answer holds whatever the order.
            (self.lo, self.hi) = (0, 0);
        }
        self.last = par;
        let ap = self.act_par;
        while self.lo < ap.len() && ap[self.lo] + self.reach < par {
            self.lo += 1;
        }
        self.hi = self.hi.max(self.lo);
        while self.hi < ap.len() && ap[self.hi] <= par + self.reach {
            self.hi += 1;
        }
        let start = window.start.max(self.lo);
        start..window.end.min(self.hi).max(start)
    }
}

/// Character offsets of byte offsets, counted on from the last one asked: units come in
/// reading order, so each stretch of the text is counted once (an index of the text's
/// multi-byte characters cost more to build than all the counting).
struct CharCount<'t> {
    text: &'t str,
    byte: usize,
    chars: usize,
}

impl CharCount<'_> {
    /// The characters before `byte`, a character boundary of the text.
    fn of(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            (self.byte, self.chars) = (0, 0);
        }
        // As bytes: the offsets are character boundaries, and slicing the text as a string
        // checked both again.
        self.chars += char_count(&self.text.as_bytes()[self.byte..byte]);
        self.byte = byte;
        self.chars
    }
}

/// The characters of `b`, whole UTF-8 characters: its bytes less its continuation bytes
/// (`10xxxxxx`), sixteen at a time with SSE2 (part of every x86_64), the last few by one more
/// block read back over the ones counted. Counting the text's characters up to every unit
/// was a twentieth of classifying, and std's count takes eight bytes at a time.
fn char_count(b: &[u8]) -> usize {
    // As signed bytes, continuation bytes are the ones below -64.
    let scalar = |b: &[u8]| b.iter().filter(|&&x| (x as i8) < -64).count();
    #[cfg(target_arch = "x86_64")]
    let continuations = {
        use core::arch::x86_64::*;
        let blocks = b.len() / 16;
        let rest = b.len() % 16;
        let mut n = 0;
        // SAFETY: SSE2 is baseline on x86_64; block k reads bytes 16k..16k+16 of `b`, which
        // `blocks` leaves room for, and the last read, made only when there is a block, the
        // last 16 bytes of `b`.
        unsafe {
            let limit = _mm_set1_epi8(-64);
            let zero = _mm_setzero_si128();
            let load = |at: usize| _mm_loadu_si128(b.as_ptr().add(at) as *const __m128i);
            // Per-lane counts, summed out before a lane can pass 255.
            let mut k = 0;
            while k < blocks {
                let end = blocks.min(k + 255);
                let mut acc = zero;
                while k < end {
                    acc = _mm_sub_epi8(acc, _mm_cmplt_epi8(load(16 * k), limit));
                    k += 1;
                }
                let s = _mm_sad_epu8(acc, zero);
                n += (_mm_cvtsi128_si64(s) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(s, s))) as usize;
            }
            if rest > 0 && blocks > 0 {
                let last = _mm_movemask_epi8(_mm_cmplt_epi8(load(b.len() - 16), limit)) as u32;
                n += (last >> (16 - rest)).count_ones() as usize;
            } else {
                n += scalar(&b[16 * blocks..]);
            }
        }
        n
    };
    #[cfg(not(target_arch = "x86_64"))]
    let continuations = scalar(b);
    b.len() - continuations
}

/// A reporting verb that asserts rather than merely relays ("reported", "claimed").
fn reports(act: &Act, att: &Attributed) -> bool {
    att.attributions[act.si].verb.is_some_and(|v| {
        matches!(
            att.infos[act.si].tokens[v].norm,
            "reported"
                | "reports"
                | "claimed"
                | "claims"
                | "alleged"
                | "alleges"
                | "published"
                | "wrote"
                | "quoted"
        )
    })
}

/// The party of an entity: gazetteer/affiliation, else inferred, else its own name.
/// Always lent, from the entity or the inference (a one-name side is a slice of the name):
/// the dispute passes ask for the parties of every act's speaker several times over, and
/// building a list of one cloned name for each answer was a tenth of classifying.
fn party_of<'a>(
    att: &'a Attributed,
    inferred: &'a [Option<Vec<String>>],
    id: usize,
    depth: usize,
) -> &'a [String] {
    let e = &att.entities[id];
    if !e.parties.is_empty() {
        return &e.parties;
    }
    if let Some(p) = &inferred[id] {
        return p;
    }
    if let Some(a) = e.affiliation {
        if depth < 4 && a != id {
            let p = party_of(att, inferred, a, depth + 1);
            if !p.is_empty() {
                return p;
            }
        }
    }
    if let Some(r) = &e.role_party {
        return std::slice::from_ref(r);
    }
    if e.generic {
        return &[];
    }
    std::slice::from_ref(&e.name)
}

/// Inserts the names `set` lacks. Most are in it already (each act of a side names the
/// same accusers), and cloning every name only to find that out was a fifth of building
/// the disputes.
fn add_missing<'s>(set: &mut BTreeSet<String>, names: impl IntoIterator<Item = &'s String>) {
    for n in names {
        if !set.contains(n) {
            set.insert(n.clone());
        }
    }
}

fn join(p: &[String]) -> String {
    // Most sides are one party, and joining a list of one still sizes and copies it piece
    // by piece.
    match p {
        [one] => one.clone(),
        _ => p.join(" + "),
    }
}

pub fn classify(
    article_id: &str,
    text: &str,
    seg: &Segmented,
    att: &Attributed,
    lex: &Lexicon,
    hints: &Hints,
) -> Classified {
    let ctx = crate::attribute::Ctx { text, lex };
    let mut acts: Vec<Act> = Vec::with_capacity(att.attributions.len());
    let mut cue_hits: Vec<CueHit> = Vec::new();
    // The words of a sentence's tail, for the wrongdoing phrase test (one list per article).
    let mut norms_buf: Vec<&str> = Vec::new();
    // Whether each speaker's name has a court word, worked out when a rejection cue of its
    // first asks: a speaker makes many statements, and folding its name for each was 0.4 %
    // of a run (and for every speaker, as much again: most say no rejection word).
    let mut court_named: Vec<Option<bool>> = vec![None; att.entities.len()];
    for (si, a) in att.attributions.iter().enumerate() {
        let Some(speaker) = a.speaker else { continue };
        if att.nonresponse[si] {
            continue;
        }
        let info: &SentenceInfo = &att.infos[si];
        let toks = &info.tokens;
        let span = a.speaker_span.unwrap_or((0, 0));
        let mut subject_court = || {
            *court_named[speaker].get_or_insert_with(|| {
                att.entities[speaker]
                    .name
                    .split_whitespace()
                    .any(|w| crate::text::with_folded(w, |f| lex.is("court_noun", f)))
            })
        };
        let first_cue = cue_hits.len();
        cue_hits.extend(
            info.cues
                .iter()
                .filter(|c| !(c.tok >= span.0 && c.tok < span.1))
                .filter(|c| {
                    !is_legal(toks, c, lex, &mut subject_court)
                        && !negated(toks, c)
                        && !even_handed(toks, c)
                })
                .cloned(),
        );
        let cue_range = first_cue..cue_hits.len();
        let cues = &cue_hits[cue_range.clone()];
        // The classes of the cues, as bits: asked five times, each a walk of the cues.
        let classes = cues
            .iter()
            .fold(0u8, |m, c| m | 1 << lex.cues[c.entry].class as u8);
        let class = |cl: CueClass| classes >> cl as u8 & 1 == 1;
        let frame_accuses = a.verb.is_some_and(|v| {
            cues.iter()
                .any(|c| c.tok == v && lex.cues[c.entry].class == CueClass::Accuse)
        });
        let accuse = class(CueClass::Accuse);
        let rebut = if frame_accuses {
            // "accused the paper of publishing “false” figures": the verdict words belong
            // to the accusation; only a rebuttal verb makes it an answer too
            cues.iter()
                .any(|c| lex.cues[c.entry].class == CueClass::Rebut && c.as_verb && !c.in_quote)
        } else {
            class(CueClass::Rebut)
        };
        let nondenial = class(CueClass::NonDenial);
        let respond = class(CueClass::Respond);
        // Who an act answers (the accusers it names, "against X") is read for answers
        // only: the passes below ask no other act, and searching every speaker's words for
        // them was a twelfth of classifying.
        let answers = rebut || nondenial || respond;
        let mut named_accusers = Vec::new();
        let mut against = None;
        if answers {
            // The tokens that can name an accuser are found by a search of their own, and only
            // they reach the work below: walked in one loop with it, every token paid for the
            // spilled bookkeeping of its windows (a tenth of classifying).
            let mut from = 0;
            while let Some(i) = next_naming_token(toks, from, lex) {
                from = i + 1;
                let t = &toks[i];
                if info.quoted[i] {
                    continue;
                }
                if lex.is_tok("reference_noun", t) || lex.is_tok("doc_noun", t) {
                    // "made by X", "by X", "a warning letter from X"
                    if let Some(by) = (i + 1..toks.len().min(i + 4))
                        .find(|&k| matches!(toks[k].norm, "by" | "from"))
                    {
                        let end = (by + 1..toks.len())
                            .find(|&k| {
                                matches!(
                                    toks[k].norm,
                                    "against"
                                        | "in"
                                        | "on"
                                        | "over"
                                        | "that"
                                        | "of"
                                        | "which"
                                        | "who"
                                )
                            })
                            .unwrap_or(toks.len());
                        named_accusers.extend(ctx.parties_in(toks, by + 1, end));
                        for &(t, e) in att.mentions[si] {
                            if t > by && t < end && att.entities[e].kind != EntityKind::Country {
                                named_accusers.extend(att.entities[e].parties.iter().cloned());
                                if att.entities[e].parties.is_empty() && !att.entities[e].generic {
                                    named_accusers.push(att.entities[e].name.clone());
                                }
                            }
                        }
                    }
                    // "allegations in a television documentary": the document's author
                    if lex.is_tok("reference_noun", t)
                        && toks.get(i + 1).is_some_and(|n| n.norm == "in")
                    {
                        if let Some(k) = (i + 2..toks.len().min(i + 6))
                            .find(|&k| lex.is_tok("doc_noun", &toks[k]))
                        {
                            let doc = att.entities.iter().find(|e| {
                                e.kind == EntityKind::Document
                                    && e.descriptors.iter().any(|d| d == toks[k].norm)
                            });
                            if let Some(author) = doc.and_then(|d| d.affiliation) {
                                let a = &att.entities[author];
                                if !a.parties.is_empty() {
                                    named_accusers.extend(a.parties.iter().cloned());
                                } else if !a.generic {
                                    named_accusers.push(a.name.clone());
                                }
                            }
                        }
                    }
                    // "India's allegations", "US allegations"
                    for k in i.saturating_sub(3)..i {
                        if let Some((_, p, _)) = ctx.gaz_at(toks, k) {
                            named_accusers.push(p.to_string());
                        }
                    }
                }
                if t.norm == "against" {
                    if let Some((_, p, _)) = (i + 1 < toks.len())
                        .then(|| ctx.gaz_at(toks, i + 1))
                        .flatten()
                    {
                        against = Some(p.to_string());
                    }
                }
            }
            // "hit back at a British tabloid": whoever is answered is an accuser
            for c in cues {
                let cl = lex.cues[c.entry].class;
                if matches!(cl, CueClass::Rebut | CueClass::Respond)
                    && toks
                        .get(c.tok + c.len)
                        .is_some_and(|t| t.norm == "at" || t.norm == "to")
                {
                    // "hit back at a British tabloid": the tabloid, not Britain
                    let window: Vec<usize> = att.mentions[si]
                        .iter()
                        .filter(|&&(t, _)| t > c.tok + c.len && t <= c.tok + c.len + 5)
                        .map(|&(_, e)| e)
                        .collect();
                    let has_org = window
                        .iter()
                        .any(|&e| att.entities[e].kind != EntityKind::Country);
                    for &e in &window {
                        if has_org && att.entities[e].kind == EntityKind::Country {
                            continue;
                        }
                        let ent = &att.entities[e];
                        if !ent.parties.is_empty() {
                            named_accusers.extend(ent.parties.iter().cloned());
                        } else if !ent.generic {
                            named_accusers.push(ent.name.clone());
                        }
                    }
                }
            }
            named_accusers.sort();
            named_accusers.dedup();
        }
        // Wrongdoing words make an allegation only when a party other than the speaker is
        // the subject of the reported content ("India says X-based group orchestrated ...").
        let zone_start = match a.verb {
            Some(v) if v < toks.len() / 2 => {
                v + info.cue_at(v, lex).unwrap_or(&lex.cues[0]).tokens.len()
                    + usize::from(toks.get(v + 1).is_some_and(|t| t.norm == "that"))
            }
            _ => 0,
        };
        let zone_end = zone_start + 8;
        // "... told the committee that the EU would act, and said Indonesia had ...": a later
        // reporting verb of the same speaker opens a second zone.
        let second_zone: Option<(usize, usize)> = info
            .cues
            .iter()
            .filter(|c| {
                c.as_verb
                    && !c.in_quote
                    && c.tok >= zone_end
                    && lex.cues[c.entry].class == CueClass::Speech
                    && c.tok > 0
                    && toks[c.tok - 1].norm == "and"
            })
            .map(|c| {
                let z = c.tok
                    + c.len
                    + usize::from(toks.get(c.tok + c.len).is_some_and(|t| t.norm == "that"));
                (z, z + 8)
            })
            .next();
        let zone = Zone {
            first: (zone_start, zone_end),
            second: second_zone,
        };
        // Only words after the first such mention can make it one, so the sentence is read
        // for wrongdoing words from there, and not at all when nobody else is its subject:
        // reading every speaker's sentence for them was a third of classifying.
        // And every pass asks `accuse || wrongdoing`: an act that accuses is not read at all.
        let wrongdoing = !accuse && {
            let first_other = att.mentions[si]
                .iter()
                .filter(|&&(t, e)| {
                    // The sides compared (names, string by string) only for a mention in the
                    // zone: most are not.
                    let same_side = || {
                        let own = &att.entities[speaker].parties;
                        let theirs = &att.entities[e].parties;
                        !theirs.is_empty() && theirs.iter().all(|p| own.contains(p))
                    };
                    zone.holds(t) && e != speaker && !same_side()
                })
                .map(|&(t, _)| t)
                .min();
            first_other.is_some_and(|t| wrongdoing_after(toks, t, lex, &mut norms_buf))
        };
        let speech =
            a.verb.is_some() || !info.speech_quotes.is_empty() || !info.fragment_quotes.is_empty();
        // "described the deployments as “routine exercises”", "called the interference
        // ‘wildly irresponsible’": a verdict on the other side's conduct or words.
        let evaluative = a.verb.is_some_and(|v| {
            matches!(
                toks[v].norm,
                "described"
                    | "describing"
                    | "called"
                    | "calling"
                    | "labelled"
                    | "labeled"
                    | "branded"
                    | "termed"
                    | "terming"
            ) && toks
                .get(v + 1)
                .is_none_or(|t| t.norm != "on" && t.norm != "for")
                && (v + 1..toks.len().min(v + 8)).any(|k| toks[k].norm == "as" || info.quoted[k])
        });
        acts.push(Act {
            si,
            speaker,
            accuse,
            rebut,
            nondenial,
            respond,
            falsity: frame_accuses && class(CueClass::Rebut),
            cues: cue_range,
            wrongdoing,
            named_accusers,
            against,
            speech,
            evaluative,
            zone,
        });
    }

    // Party inference for generic speakers (Foreign Office, the ministry): a rebuttal "against
    // X" puts them on X's side.
    let mut inferred: Vec<Option<Vec<String>>> = vec![None; att.entities.len()];
    for act in &acts {
        if act.rebut || act.respond || act.nondenial {
            if let Some(x) = &act.against {
                if party_of(att, &inferred, act.speaker, 0).is_empty() {
                    inferred[act.speaker] = Some(vec![x.clone()]);
                }
            }
        }
    }
    let hint_party = |name: &str| -> String {
        let key = crate::lexicon::alias_key(name);
        lex.gazetteer
            .get(&key)
            .map(|g| g.party.clone())
            .unwrap_or_else(|| name.to_string())
    };
    let hinted_acc: Vec<String> = hints.accusers.iter().map(|h| hint_party(h)).collect();
    let hinted_resp: Vec<String> = hints.responders.iter().map(|h| hint_party(h)).collect();

    let build = |inferred: &[Option<Vec<String>>]| -> Vec<Dispute> {
        let mut disputes: Vec<Dispute> = Vec::new();
        let find = |ds: &Vec<Dispute>, r: &str| ds.iter().position(|d| d.responder == r);
        for r in &hinted_resp {
            if find(&disputes, r).is_none() {
                disputes.push(Dispute {
                    responder: r.clone(),
                    accusers: hinted_acc.iter().cloned().collect(),
                });
            }
        }
        for act in &acts {
            if !(act.rebut || act.nondenial || act.respond) {
                continue;
            }
            let p = party_of(att, inferred, act.speaker, 0);
            if p.len() != 1 || hinted_acc.contains(&p[0]) {
                continue;
            }
            let idx = match find(&disputes, &p[0]) {
                Some(i) => i,
                None => {
                    disputes.push(Dispute {
                        responder: p[0].clone(),
                        accusers: BTreeSet::new(),
                    });
                    disputes.len() - 1
                }
            };
            add_missing(
                &mut disputes[idx].accusers,
                act.named_accusers.iter().filter(|a| **a != p[0]),
            );
        }
        // The sentence of each party's first answer, in a list walked for a name: an article
        // has a few answering parties, and hashing every answer's name into a map (SipHash
        // once, then Fx) and growing it cost more than the walks.
        let mut first_answer: Vec<(&str, usize)> = Vec::new();
        for a in acts.iter().filter(|a| a.rebut || a.nondenial || a.respond) {
            if let [p] = party_of(att, inferred, a.speaker, 0) {
                if !first_answer.iter().any(|&(q, _)| q == p) {
                    first_answer.push((p, a.si));
                }
            }
        }
        // Accusation edges: non-responders first, so a responder's accusation against its own
        // accuser is seen as the counter-accusation it is.
        // Each edge's target parties are its range of one list for every edge.
        let mut edges: Vec<(bool, usize, &[String], std::ops::Range<usize>)> = Vec::new();
        let mut targets: Vec<&String> = Vec::new();
        for (ai, act) in acts.iter().enumerate() {
            if !(act.accuse || (act.wrongdoing && act.speech)) || act.rebut {
                continue;
            }
            let p = party_of(att, inferred, act.speaker, 0);
            if p.is_empty() {
                continue;
            }
            let first = targets.len();
            for t in act.targets(att) {
                for tp in party_of(att, inferred, t, 0) {
                    if !p.contains(tp) && !targets[first..].contains(&tp) {
                        targets.push(tp);
                    }
                }
            }
            // A responder is one once it has answered: an accusation it makes before its
            // first answer opens the exchange rather than countering it.
            let is_resp = p.len() == 1
                && find(&disputes, &p[0]).is_some()
                && first_answer
                    .iter()
                    .find(|&&(q, _)| q == p[0])
                    .is_some_and(|&(_, s)| s < act.si);
            edges.push((is_resp, ai, p, first..targets.len()));
        }
        // Charges of falsehood come after substantive charges: when the target has accused
        // the speaker of something, the falsehood charge is the answer to it.
        edges.sort_by_key(|e| (e.0, acts[e.1].falsity, e.1));
        for &(_, ai, p, ref ts) in &edges {
            let ts = &targets[ts.clone()];
            let act = &acts[ai];
            // A demand or an accusation verb needs a named target; bare wrongdoing words in
            // someone's speech need it too.
            let responder_of_p = if p.len() == 1 {
                find(&disputes, &p[0])
            } else {
                None
            };
            let mut chosen = None;
            for &t in ts {
                if let Some(ri) = responder_of_p {
                    if disputes[ri].accusers.contains(t) {
                        chosen = None;
                        break; // counter-accusation
                    }
                }
                if find(&disputes, t).is_some() || chosen.is_none() {
                    chosen = Some(t);
                    if find(&disputes, t).is_some() {
                        break;
                    }
                }
            }
            let Some(t) = chosen else { continue };
            if !act.accuse && find(&disputes, t).is_none() {
                continue; // wrongdoing words alone do not open a dispute
            }
            let idx = match find(&disputes, t) {
                Some(i) => i,
                None => {
                    disputes.push(Dispute {
                        responder: t.clone(),
                        accusers: BTreeSet::new(),
                    });
                    disputes.len() - 1
                }
            };
            add_missing(&mut disputes[idx].accusers, p);
        }
        // A party that answers although every accusation against it was read as a counter-
        // charge in another dispute ("Belgrade has always denied ...") still has accusers.
        for d in disputes.iter_mut().filter(|d| d.accusers.is_empty()) {
            for (_, _, p, ts) in &edges {
                if targets[ts.clone()].contains(&&d.responder) && !p.contains(&d.responder) {
                    add_missing(&mut d.accusers, *p);
                }
            }
        }
        // "The board dismissed a newspaper report ..." then "The Morning Courier reported
        // that ...": the outlet reporting right after an unattributed rebuttal is its accuser.
        for d in disputes.iter_mut() {
            let first_answer = acts
                .iter()
                .filter(|a| a.rebut || a.nondenial || a.respond)
                .find(|a| {
                    party_of(att, inferred, a.speaker, 0) == std::slice::from_ref(&d.responder)
                })
                .map(|a| a.si);
            let Some(si_r) = first_answer else { continue };
            // Acts are in sentence order: those after `si_r` start where the search does.
            let after = acts.partition_point(|a| a.si <= si_r);
            let reporter = acts[after..].iter().find(|a| {
                a.si <= si_r + 3
                    && reports(a, att)
                    && !party_of(att, inferred, a.speaker, 0).contains(&d.responder)
            });
            if let Some(a) = reporter {
                add_missing(&mut d.accusers, party_of(att, inferred, a.speaker, 0));
            }
        }
        disputes.retain(|d| !d.accusers.is_empty());
        disputes
    };
    // Built when first asked for below (as it was before any side changed there), and again
    // only if sides changed: building it twice was most of the cost of disputes (issue 7).
    let mut first: Option<Vec<Dispute>> = None;
    // Generic speakers that rebut without "against X": the single dispute's responder.
    let mut changed = false;
    for act in &acts {
        if (act.rebut || act.nondenial || act.respond)
            && party_of(att, &inferred, act.speaker, 0).is_empty()
        {
            let cand: Vec<&Dispute> = first
                .get_or_insert_with(|| build(&inferred))
                .iter()
                .filter(|d| {
                    act.named_accusers.is_empty()
                        || act.named_accusers.iter().any(|a| d.accusers.contains(a))
                })
                .collect();
            if cand.len() == 1 {
                inferred[act.speaker] = Some(vec![cand[0].responder.clone()]);
                changed = true;
            }
        }
    }
    // Generic speakers still without a side stand for themselves ("the army").
    for act in &acts {
        if party_of(att, &inferred, act.speaker, 0).is_empty() {
            let e = &att.entities[act.speaker];
            inferred[act.speaker] =
                Some(vec![e.role_party.clone().unwrap_or_else(|| e.name.clone())]);
            changed = true;
        }
    }
    let disputes = match first {
        Some(d) if !changed => d,
        _ => build(&inferred),
    };
    // Sides are settled from here on: each act's party, computed once for the passes below.
    let act_party: Vec<&[String]> = acts
        .iter()
        .map(|a| party_of(att, &inferred, a.speaker, 0))
        .collect();

    // The paragraph of each act: nondecreasing, as the acts are in reading order.
    let act_par: Vec<usize> = acts.iter().map(|a| seg.sentences[a.si].paragraph).collect();

    // Roles.
    let mut units = Vec::with_capacity(acts.len());
    let first_claim: Vec<Option<usize>> = vec![None; disputes.len()];
    let mut first_claim = first_claim;
    let mut cued_rebuttal: Vec<bool> = vec![false; disputes.len()];
    let mut decided: Vec<Option<(Role, usize, String, Option<usize>)>> = vec![None; acts.len()];
    for (ai, act) in acts.iter().enumerate() {
        let p = act_party[ai];
        if p.is_empty() {
            continue;
        }
        // The targets' parties other than the speaker's own, read where a branch asks rather
        // than listed for every act.
        let tparties = || {
            act.targets(att)
                .flat_map(|t| party_of(att, &inferred, t, 0))
                .filter(|tp| !p.contains(tp))
        };
        let resp = if p.len() == 1 {
            disputes.iter().position(|d| d.responder == p[0])
        } else {
            None
        };
        let kind_of = |cl: CueClass| -> Option<(String, usize)> {
            cue_hits[act.cues.clone()]
                .iter()
                .filter(|c| lex.cues[c.entry].class == cl)
                .min_by_key(|c| (c.in_quote, !c.as_verb, c.tok))
                .map(|c| {
                    (
                        lex.cues[c.entry]
                            .kind
                            .clone()
                            .unwrap_or_else(|| "defence".into()),
                        c.tok,
                    )
                })
        };
        // A charge against one's own accuser is a counter-charge only once the exchange has
        // begun (a claim against the speaker, or its answer, came first); before that it is
        // a claim of its own ("Serbia accused Kosovo ..." opening a second dispute).
        let begun = |d: usize, first_claim: &[Option<usize>], cued: &[bool]| {
            cued[d] || first_claim[d].is_some_and(|c| c < act.si)
        };
        if let Some(d) = resp {
            let begun_here = begun(d, &first_claim, &cued_rebuttal);
            if act.rebut || act.nondenial || act.respond || (act.evaluative && begun_here) {
                let (kind, tok) = if act.rebut {
                    kind_of(CueClass::Rebut).unwrap_or(("rejection".into(), 0))
                } else if act.nondenial {
                    kind_of(CueClass::NonDenial).unwrap_or(("non-denial response".into(), 0))
                } else if act.accuse && tparties().any(|t| disputes[d].accusers.contains(t)) {
                    (
                        "counter-accusation".into(),
                        kind_of(CueClass::Accuse).map(|k| k.1).unwrap_or(0),
                    )
                } else if act.evaluative && !act.respond {
                    (
                        "dismissal".into(),
                        att.attributions[act.si].verb.unwrap_or(0),
                    )
                } else {
                    (
                        "defence".into(),
                        kind_of(CueClass::Respond).map(|k| k.1).unwrap_or(0),
                    )
                };
                if act.rebut || act.nondenial {
                    cued_rebuttal[d] = true;
                }
                decided[ai] = Some((Role::Rebuttal, d, kind, Some(tok)));
                continue;
            }
            if (act.accuse || act.wrongdoing)
                && (begun_here || act.falsity)
                && tparties().any(|t| disputes[d].accusers.contains(t))
            {
                let tok = kind_of(CueClass::Accuse).map(|k| k.1);
                decided[ai] = Some((Role::Rebuttal, d, "counter-accusation".into(), tok));
                continue;
            }
        }
        // Claims: the speaker accuses the responder of a dispute it is an accuser in.
        if act.accuse || (act.wrongdoing && act.speech) || act.evaluative {
            let acc_disputes: Vec<usize> = (0..disputes.len())
                .filter(|&d| p.iter().all(|x| disputes[d].accusers.contains(x)))
                .collect();
            let target_d = acc_disputes
                .iter()
                .copied()
                .find(|&d| tparties().any(|t| *t == disputes[d].responder))
                .or_else(|| (acc_disputes.len() == 1 && act.accuse).then(|| acc_disputes[0]));
            if let Some(d) = target_d {
                let (kind, tok) = kind_of(CueClass::Accuse)
                    .map(|(k, t)| (k, Some(t)))
                    .unwrap_or_else(|| {
                        if act.evaluative {
                            ("criticism".into(), att.attributions[act.si].verb)
                        } else {
                            ("allegation".into(), None)
                        }
                    });
                decided[ai] = Some((Role::Claim, d, kind, tok));
                if first_claim[d].is_none() {
                    first_claim[d] = Some(act.si);
                }
                continue;
            }
        }
    }
    // An accuser on the record about the party it accuses ("the DFA said that two China
    // Coast Guard ships had ...") states the accusation, cue word or not.
    // Each act's decision as one byte, kept with `decided` through the answering and
    // elaboration passes (the defence pass after them reads only `decided`), for the walks of
    // the acts near each one below: walking `decided` read an entry of 56 bytes for every act
    // passed (the walks were a sixth of classifying).
    let mut mark: Vec<Mark> = decided.iter().map(Mark::of).collect();
    let mut reach1 = Reach::new(&act_par, 1);
    for ai in 0..acts.len() {
        if mark[ai] != Mark::Undecided || !acts[ai].speech {
            continue;
        }
        let act = &acts[ai];
        let p = &act_party[ai];
        if p.is_empty() {
            continue;
        }
        // A party in the middle of answering (its side rebutted within the last two
        // paragraphs) that speaks about its accuser without a cue goes on answering it (the
        // defence below), even if it has charges of its own.
        let par = act_par[ai];
        let answering = p.len() == 1
            && reach1
                .acts(ai.saturating_sub(ELABORATION_WINDOW)..ai, par)
                .rev()
                .any(|k| {
                    mark[k] == Mark::Rebuttal
                        && par - act_par[k].min(par) <= 1
                        && same_party(act_party[k], p)
                });
        if answering {
            continue;
        }
        // Parties the reported content is about (its first words): "said that China had ...".
        // Listed only when a dispute of the speaker's side asks (the tests below answer
        // alike in any order).
        let mut zp: Option<Vec<&String>> = None;
        // ... and an accuser *reporting* or *alleging* states a claim whatever its subject
        let reporting = reports(act, att);
        // ... and so does the accuser's document (a warning letter, a report): its findings
        // are the accusation, whatever their grammatical subject ("inspectors had found").
        let document = att.entities[act.speaker].kind == EntityKind::Document;
        let d = (0..disputes.len()).find(|&d| {
            disputes[d].responder != p[0]
                && p.iter().all(|x| disputes[d].accusers.contains(x))
                && (reporting
                    || document
                    || zp
                        .get_or_insert_with(|| {
                            act.zone_entities(att)
                                .flat_map(|e| party_of(att, &inferred, e, 0))
                                .collect()
                        })
                        .contains(&&disputes[d].responder))
        });
        if let Some(d) = d {
            decided[ai] = Some((Role::Claim, d, "allegation".into(), None));
            mark[ai] = Mark::Claim;
            if first_claim[d].is_none_or(|c| c > act.si) {
                first_claim[d] = Some(act.si);
            }
        }
    }
    // Elaboration: what the speaker of a cued claim goes on to say on the record, nearby,
    // states the same accusation in detail ("Its controls were not fit for purpose").
    let mut reach2 = Reach::new(&act_par, 2);
    for ai in 0..acts.len() {
        if mark[ai] != Mark::Undecided || !acts[ai].speech {
            continue;
        }
        let act = &acts[ai];
        let s_par = act_par[ai];
        // a cued claim of the same side nearby, or the same speaker's claim just before
        // (a quote that runs on over paragraphs)
        // Only acts within two paragraphs can match; acts are in reading order, so a bounded
        // window around this one holds them (and keeps 10,000 claims linear), and within it
        // the acts of those paragraphs.
        let window =
            ai.saturating_sub(ELABORATION_WINDOW)..(ai + ELABORATION_WINDOW).min(acts.len());
        let window = reach2.acts(window, s_par);
        let source = window.filter(|&k| k != ai).find(|&k| {
            let k_par = act_par[k];
            match mark[k] {
                Mark::CuedClaim => {
                    k_par.abs_diff(s_par) <= 2 && same_party(act_party[k], act_party[ai])
                }
                Mark::Claim => {
                    acts[k].speaker == act.speaker && k < ai && s_par - k_par.min(s_par) <= 1
                }
                _ => false,
            }
        });
        if let Some(k) = source {
            let d = decided[k].as_ref().map(|x| x.1).unwrap_or(0);
            let kind = if act.wrongdoing || act.accuse {
                "allegation"
            } else {
                "criticism"
            };
            decided[ai] = Some((Role::Claim, d, kind.into(), None));
            mark[ai] = Mark::Claim;
        }
    }
    // Defence: what a responder says on the record once the exchange has begun.
    for (ai, act) in acts.iter().enumerate() {
        if mark[ai] != Mark::Undecided || !act.speech {
            continue;
        }
        let p = &act_party[ai];
        if p.len() != 1 {
            continue;
        }
        let Some(d) = disputes.iter().position(|d| d.responder == p[0]) else {
            continue;
        };
        let begun = cued_rebuttal[d] || first_claim[d].is_some_and(|c| c < act.si);
        // "The Sentinel reported last week that ...": an outlet's own story is what the
        // accuser attacks, not its answer.
        if begun && !reports(act, att) {
            let conf_kind = if act.accuse || act.wrongdoing {
                "counter-accusation"
            } else {
                "defence"
            };
            decided[ai] = Some((Role::Rebuttal, d, conf_kind.into(), None));
        }
    }
    let mut chars = CharCount {
        text,
        byte: 0,
        chars: 0,
    };
    // Each dispute's label once, not twice per unit; it, the article id, a party and a
    // speaker's names are shared by the units that have them, not copied into each.
    let labels: Vec<Shared> = disputes.iter().map(|d| d.label().into()).collect();
    let article: Shared = article_id.into();
    let mut parties: Vec<(&[String], Shared)> = Vec::new();
    let mut names: Vec<Option<Arc<[String]>>> = vec![None; att.entities.len()];
    for (ai, act) in acts.iter().enumerate() {
        // Each decision is read once, here, so its kind moves into the unit.
        let Some((role, d, kind, cue_tok)) = decided[ai].take() else {
            continue;
        };
        let si = act.si;
        let s = &seg.sentences[si];
        let a = &att.attributions[si];
        let info = &att.infos[si];
        let p = &act_party[ai];
        let cue = match cue_tok {
            Some(t) => cue_hits[act.cues.clone()]
                .iter()
                .find(|c| c.tok == t)
                .map(|c| {
                    text[info.tokens[c.tok].start..info.tokens[c.tok + c.len - 1].end].to_string()
                })
                .unwrap_or_default(),
            None => String::new(),
        };
        let side_word = if role == Role::Claim {
            "accuser"
        } else {
            "responder"
        };
        let mut confidence = a.confidence;
        if cue.is_empty() {
            confidence -= 0.15;
        }
        // Only a rebuttal's rule notes it; claims are half the units.
        let standing = role == Role::Rebuttal && standing_word(&info.tokens);
        // Built piece by piece rather than by `format!`: every unit has a rule, a side and an
        // id, and formatting them was a fiftieth of a run (issue 7).
        let speaker_kind = match att.entities[act.speaker].kind {
            EntityKind::Person => "person",
            EntityKind::Org => "organisation",
            EntityKind::Country => "party",
            EntityKind::Document => "document",
        };
        let mut rule = String::with_capacity(a.rule.len() + labels[d].len() + cue.len() + 96);
        for piece in [
            a.rule,
            "; speaker=",
            speaker_kind,
            "; ",
            side_word,
            " of dispute ",
            labels[d].as_str(),
        ] {
            rule.push_str(piece);
        }
        if cue.is_empty() {
            for piece in ["; no cue: ", kind.as_str(), " by the ", side_word] {
                rule.push_str(piece);
            }
        } else {
            rule.push_str("; cue=");
            rule.push_str(&cue);
        }
        if standing {
            rule.push_str("; standing position (background)");
        }
        let party = match parties.iter().find(|(q, _)| q == p) {
            Some((_, party)) => party.clone(),
            None => {
                let party = Shared::from(join(p));
                parties.push((p, party.clone()));
                party
            }
        };
        let mut side = String::with_capacity(side_word.len() + 2 + party.len());
        side.push_str(side_word);
        side.push_str(": ");
        side.push_str(&party);
        let aliases = names[act.speaker]
            .get_or_insert_with(|| {
                let speaker = &att.entities[act.speaker];
                std::iter::once(&speaker.name)
                    .chain(&speaker.descriptors)
                    .cloned()
                    .collect()
            })
            .clone();
        units.push(Unit {
            article: article.clone(),
            unit_id: crate::text::prefixed_number('s', si + 1),
            role,
            kind,
            speaker: display_speaker(att, act.speaker),
            speaker_mention: a.mention.to_string(),
            side,
            party,
            dispute: labels[d].clone(),
            quote_type: a.quote_type.as_str().into(),
            cue,
            text: text[s.start..s.end].to_string(),
            start: chars.of(s.start),
            end: chars.of(s.end),
            paragraph: s.paragraph + 1,
            sentence: si + 1,
            confidence: (confidence.clamp(0.05, 0.99) * 100.0).round() / 100.0,
            rule,
            dispute_idx: d,
            speaker_entity: act.speaker,
            byte_start: s.start,
            byte_end: s.end,
            speaker_aliases: aliases,
        });
    }
    Classified {
        units,
        disputes,
        inferred,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_matches_the_formatted_join() {
        for (acc, resp) in [
            (&[][..], "C"),
            (&["A"][..], "C"),
            (&["B", "A", "É"][..], ""),
        ] {
            let d = Dispute {
                responder: resp.into(),
                accusers: acc.iter().map(|a| a.to_string()).collect(),
            };
            let plain = format!(
                "{} → {}",
                d.accusers.iter().cloned().collect::<Vec<_>>().join(" + "),
                d.responder
            );
            assert_eq!(d.label(), plain);
        }
    }

    #[test]
    fn add_missing_matches_extend() {
        let names: Vec<String> = ["A", "B", "C", "D", ""]
            .iter()
            .map(|n| n.to_string())
            .collect();
        let mut rng = crate::testrng::XorShift(0x5DEE_CE66_D1CE_4E5B);
        for _ in 0..500 {
            let mut pick = |n: u64| -> Vec<&String> {
                (0..rng.next() % n).map(|_| rng.pick(&names)).collect()
            };
            let (start, add) = (pick(5), pick(7));
            let mut fast: BTreeSet<String> = start.iter().map(|n| n.to_string()).collect();
            let mut plain = fast.clone();
            add_missing(&mut fast, add.iter().copied());
            plain.extend(add.iter().map(|n| n.to_string()));
            assert_eq!(fast, plain, "{start:?} {add:?}");
        }
    }

    /// The paragraphs of up to `most` acts in reading order (nondecreasing), and the last.
    fn act_paragraphs(rng: &mut crate::testrng::XorShift, most: u64) -> (Vec<usize>, usize) {
        let mut par = 0;
        let act_par = (0..rng.next() % most)
            .map(|_| {
                par += (rng.next() % 3) as usize;
                par
            })
            .collect();
        (act_par, par)
    }

    /// A window of acts out of `n`, starting anywhere up to past the end.
    fn act_window(rng: &mut crate::testrng::XorShift, n: usize) -> std::ops::Range<usize> {
        let a = (rng.next() % (n as u64 + 2)) as usize;
        let b = a + (rng.next() % 6) as usize;
        a.min(n)..b.min(n)
    }

    /// `within_paragraphs` keeps exactly the acts of the window within reach, over generated
    /// paragraph runs, windows and reaches.
    #[test]
    fn within_paragraphs_matches_the_window_filter() {
        let mut rng = crate::testrng::XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..3000 {
            let (act_par, par) = act_paragraphs(&mut rng, 12);
            let window = act_window(&mut rng, act_par.len());
            let at = (rng.next() % (par as u64 + 4)) as usize;
            let reach = (rng.next() % 3) as usize;
            let fast: Vec<usize> = within_paragraphs(&act_par, window.clone(), at, reach).collect();
            let plain: Vec<usize> = window
                .filter(|&k| act_par[k].abs_diff(at) <= reach)
                .collect();
            assert_eq!(fast, plain, "{act_par:?} {at} {reach}");
        }
    }

    /// `Reach::acts` answers as `within_paragraphs` over generated paragraph runs, asked
    /// mostly in order (as the passes ask) and now and then out of it.
    #[test]
    fn reach_matches_within_paragraphs() {
        let mut rng = crate::testrng::XorShift(0x2545_F491_4F6C_DD1D);
        for _ in 0..2000 {
            let (act_par, par) = act_paragraphs(&mut rng, 14);
            let reach = (rng.next() % 3) as usize;
            let mut r = Reach::new(&act_par, reach);
            let mut at = 0;
            for _ in 0..12 {
                if rng.next() % 8 == 0 {
                    at = (rng.next() % (par as u64 + 4)) as usize;
                } else {
                    at += (rng.next() % 2) as usize;
                }
                let window = act_window(&mut rng, act_par.len());
                assert_eq!(
                    r.acts(window.clone(), at),
                    within_paragraphs(&act_par, window, at, reach),
                    "{act_par:?} {at} {reach}"
                );
            }
        }
    }

    /// `char_count` counts as `chars().count()`, over generated text of one- to four-byte
    /// characters, short and past the 255 blocks a lane counts before it is summed.
    #[test]
    fn char_count_matches_chars() {
        let pieces = [
            "a",
            " ",
            "\u{e9}",
            "\u{bf}",
            "\u{7ff}",
            "\u{201C}",
            "\u{1F600}",
            "bc",
            "\u{7f}",
            "\u{80}",
        ];
        let mut rng = crate::testrng::XorShift(0x2545_F491_4F6C_DD1D);
        for i in 0..400 {
            let n = if i % 50 == 0 { 3000 } else { rng.next() % 60 };
            let text: String = (0..n).map(|_| *rng.pick(&pieces)).collect();
            assert_eq!(
                char_count(text.as_bytes()),
                text.chars().count(),
                "{}",
                text.len()
            );
        }
        // Every block with continuation bytes in the same lanes, for longer than a lane
        // counts before it is summed.
        let text = "\u{1F600}".repeat(2000);
        assert_eq!(char_count(text.as_bytes()), 2000);
    }

    /// `CharCount::of` counts the characters before each boundary asked, in order or not,
    /// over generated text of one- to four-byte characters.
    #[test]
    fn char_count_matches_counting_from_the_start() {
        let pieces = ["a", " ", "\u{e9}", "\u{201C}", "\u{1F600}", "bc"];
        let mut rng = crate::testrng::XorShift(0x5DEE_CE66_D1CE_4E5B);
        for _ in 0..2000 {
            let text: String = (0..rng.next() % 20).map(|_| *rng.pick(&pieces)).collect();
            let bounds: Vec<usize> = (0..=text.len())
                .filter(|&b| text.is_char_boundary(b))
                .collect();
            let mut count = CharCount {
                text: &text,
                byte: 0,
                chars: 0,
            };
            let mut at = 0;
            for _ in 0..10 {
                at = if rng.next() % 6 == 0 {
                    (rng.next() % bounds.len() as u64) as usize
                } else {
                    (at + (rng.next() % 3) as usize).min(bounds.len() - 1)
                };
                let b = bounds[at];
                assert_eq!(count.of(b), text[..b].chars().count(), "{text:?} {b}");
            }
        }
    }

    #[test]
    fn join_matches_the_slice_join() {
        for p in [
            &[][..],
            &["India".to_string()],
            &["A".into(), "B".into(), "".into()],
        ] {
            assert_eq!(join(p), p.join(" + "));
        }
    }

    /// `even_handed` answers as matching the list of the next words, over generated
    /// sentences of appeal words and cues anywhere in them.
    #[test]
    fn even_handed_matches_the_word_list() {
        let words = [
            "both", "all", "parties", "sides", "the", "two", "each", "side", "x",
        ];
        let mut rng = crate::testrng::XorShift(0x2545_F491_4F6C_DD1D);
        for _ in 0..4000 {
            let n = 1 + (rng.next() % 7) as usize;
            let toks: Vec<Token> = (0..n).map(|_| token(rng.pick::<&str>(&words))).collect();
            let tok = (rng.next() % n as u64) as usize;
            let len = 1 + (rng.next() % (n - tok) as u64) as usize;
            let c = CueHit {
                tok,
                len,
                entry: 0,
                in_quote: false,
                as_verb: true,
            };
            let after: Vec<&str> = toks[c.tok + c.len..toks.len().min(c.tok + c.len + 3)]
                .iter()
                .map(|t| t.norm)
                .collect();
            let plain = matches!(
                after.as_slice(),
                ["both", ..]
                    | ["all", "parties", ..]
                    | ["all", "sides", ..]
                    | ["the", "two", ..]
                    | ["each", "side", ..]
            );
            assert_eq!(even_handed(&toks, &c), plain, "{:?} {tok} {len}", after);
        }
    }

    /// `negated` and `standing_word` answer as their plain readings over generated
    /// sentences of the words they look for, near misses and plain words, with a cue at
    /// every token; `legal_word` tells each sense's words as their lists did.
    #[test]
    fn cue_filters_match_the_plain_ones() {
        let words = [
            "rejected",
            "rejects",
            "reject",
            "dismissed",
            "dismisses",
            "dismiss",
            "denied",
            "denies",
            "rejection",
            "charged",
            "accused",
            "indicted",
            "convicted",
            "sentenced",
            "charges",
            "with",
            "by",
            "was",
            "been",
            "is",
            "petition",
            "appeal",
            "claims",
            "report",
            "allegations",
            "not",
            "n't",
            "never",
            "no",
            "without",
            "nor",
            "wit",
            "basis",
            "evidence",
            "repeatedly",
            "consistently",
            "long",
            "always",
            "longer",
            "alway",
            "repeatedlx",
            "r",
            "",
            "a",
            "the",
            "said",
        ];
        let mut rng = crate::testrng::XorShift(0x1405_7B7E_F767_814F);
        for _ in 0..6000 {
            let n = 1 + (rng.next() % 9) as usize;
            let text: Vec<&str> = (0..n).map(|_| *rng.pick(&words)).collect();
            let toks: Vec<Token> = text.iter().map(|w| token(w)).collect();
            assert_eq!(standing_word(&toks), standing_plain(&toks), "{text:?}");
            for tok in 0..n {
                let c = CueHit {
                    tok,
                    len: 1 + (rng.next() % (n - tok) as u64) as usize,
                    entry: 0,
                    in_quote: false,
                    as_verb: true,
                };
                assert_eq!(
                    negated(&toks, &c),
                    negated_plain(&toks, &c),
                    "{text:?} {tok}"
                );
            }
        }
        // `is_legal` asks each sense of the word as the word lists it replaced did.
        for w in words {
            let word = legal_word(w);
            let rejection = matches!(
                w,
                "rejected"
                    | "rejects"
                    | "reject"
                    | "dismissed"
                    | "dismisses"
                    | "dismiss"
                    | "denied"
                    | "denies"
                    | "rejection"
            );
            let passive = matches!(
                w,
                "charged" | "accused" | "indicted" | "convicted" | "sentenced"
            );
            let charges = matches!(w, "charged" | "charges");
            assert_eq!(word == LegalWord::Rejection, rejection, "{w}");
            let (p, ch) = (
                matches!(word, LegalWord::Passive | LegalWord::Charged),
                matches!(word, LegalWord::Charged | LegalWord::Charges),
            );
            assert_eq!((p, ch), (passive, charges), "{w}");
            assert_eq!(
                word == LegalWord::None,
                !(rejection || passive || charges),
                "{w}"
            );
        }
    }

    #[test]
    fn marks_tell_the_decisions_apart() {
        let d = |role, tok| Some((role, 0, String::new(), tok));
        assert_eq!(Mark::of(&None), Mark::Undecided);
        assert_eq!(Mark::of(&d(Role::Rebuttal, None)), Mark::Rebuttal);
        assert_eq!(Mark::of(&d(Role::Rebuttal, Some(1))), Mark::Rebuttal);
        assert_eq!(Mark::of(&d(Role::Claim, Some(0))), Mark::CuedClaim);
        assert_eq!(Mark::of(&d(Role::Claim, None)), Mark::Claim);
        let (a, b) = (vec!["A".to_string()], vec!["A".to_string()]);
        assert!(same_party(&a, &a) && same_party(&a, &b) && !same_party(&a, &[]));
        assert!(!same_party(&a, &["B".to_string()]) && same_party(&[], &[]));
    }

    fn token(w: &str) -> Token<'_> {
        Token {
            start: 0,
            end: 0,
            norm: w,
            cap: false,
            poss: false,
            hyphen: false,
            classes: 0,
        }
    }

    /// `wrongdoing_after` answers as the plain scan for every start token, over generated
    /// sentences of wrongdoing words, phrase words, their near misses and plain words.
    #[test]
    fn wrongdoing_after_matches_the_plain_scan() {
        let lex = Lexicon::builtin();
        let words = [
            "war",
            "crimes",
            "crime",
            "covered",
            "up",
            "covering",
            "terrorism",
            "terror",
            "the",
            "said",
            "india",
            "wa",
            "cover",
            "extremists",
            "",
            "t",
            "up.",
            "warcrime",
        ];
        let mut rng = crate::testrng::XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..4000 {
            let n = (rng.next() % 9) as usize;
            let text: Vec<&str> = (0..n).map(|_| *rng.pick(&words)).collect();
            let toks: Vec<Token> = text.iter().map(|w| token(w)).collect();
            for t in 0..n + 2 {
                assert_eq!(
                    wrongdoing_after(&toks, t, &lex, &mut vec!["stale"]),
                    wrongdoing_after_plain(&toks, t, &lex),
                    "{text:?} after {t}"
                );
            }
        }
    }
}
