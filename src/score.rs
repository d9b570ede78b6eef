//! Stage 5 — score: the evidence that a rebuttal answers a claim, as separate, visible parts.
//!
//! - lexical: TF-IDF cosine over folded, stemmed content words, with word families folded
//!   (extremism / extremist → extrem). IDF comes from the batch plus a built-in background
//!   (data/lexicon/background.tsv) so a single article still has sensible weights.
//! - fuzzy: Sørensen–Dice on character bigrams of the content words, and Jaro–Winkler between
//!   the names each side uses, for spellings and inflections stemming misses.
//! - reference: the rebuttal points at the claim's source or at the claim as such ("the joint
//!   statement", "those allegations").
//! - order: a weak prior that answers follow accusations, nearby.

use crate::lexicon::Lexicon;
use crate::unit::Unit;
use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::hash::BuildHasher;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Weights {
    pub lexical: f32,
    pub fuzzy: f32,
    pub reference: f32,
    pub order: f32,
    /// Links below this composite score are not made (unless blanket).
    pub min_score: f32,
    /// A rebuttal also links to other claims scoring within this margin of its best one.
    pub margin: f32,
    /// A claim "stands out" for a rebuttal (specific link) when its lexical score reaches
    /// this and its composite beats the runner-up by `specific_gap`.
    pub specific_lexical: f32,
    pub specific_gap: f32,
    /// Otherwise the rebuttal answers every claim of the dispute scoring at least this.
    pub general_min_score: f32,
    /// ... and at least this fraction of the best of those claims' scores: a general
    /// defence still answers what it shares words or a reference with rather than
    /// everything (measured on all three gold sets: +0.01 pair F1 on two, no change on one).
    pub general_relative: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            lexical: 0.5,
            fuzzy: 0.15,
            reference: 0.2,
            order: 0.15,
            min_score: 0.12,
            margin: 0.02,
            specific_lexical: 0.15,
            specific_gap: 0.05,
            general_min_score: 0.04,
            general_relative: 0.4,
        }
    }
}

const BACKGROUND: &str = include_str!("../data/lexicon/background.tsv");

/// Words that carry no topic: grammar words and the reporting/cue vocabulary itself (which
/// says *that* something was claimed, not *what*). Not a generic stop list: "not", "no",
/// "against" and "US" stay.
const FUNCTION_WORDS: &[&str] = &[
    "the", "a", "an", "of", "to", "in", "on", "at", "for", "and", "or", "but", "is", "are", "was",
    "were", "be", "been", "being", "by", "with", "as", "that", "this", "these", "those", "it",
    "its", "from", "has", "have", "had", "will", "would", "can", "could", "should", "may", "might",
    "which", "who", "whom", "whose", "what", "when", "where", "while", "than", "then", "there",
    "their", "they", "them", "he", "she", "his", "her", "we", "our", "i", "you", "your", "also",
    "said", "says", "say", "told", "added", "such", "any", "all", "into", "about", "over", "after",
    "before", "if", "so", "do", "does", "did", "very", "more", "most", "other", "its", "mr", "ms",
    "mrs",
];

pub struct Analyzer {
    stemmer: Stemmer,
    /// FUNCTION_WORDS as a set: `terms` asks it for every token of every unit, and a linear
    /// scan of the hundred-word list showed up in the profile (issue 7).
    function_words: rustc_hash::FxHashSet<&'static str>,
    bg_df: rustc_hash::FxHashMap<String, u32>,
    bg_n: u32,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

/// Folds a stem to its word family (extremist → extrem, denial → deni).
fn family(stem: &str) -> &str {
    for suf in [
        "ists", "ist", "isms", "ism", "ical", "ic", "al", "ity", "ment",
    ] {
        if let Some(base) = stem.strip_suffix(suf) {
            if base.chars().count() >= 4 {
                return base;
            }
        }
    }
    stem
}

/// A content term ([`Analyzer::terms`]), shared: the same word's term is in many units, in
/// the stem cache and in the document frequencies, and a `String` for each of them was a
/// fiftieth of a run (issue 7).
pub type Term = std::sync::Arc<str>;

/// A key of a document-frequency map: looked up by the term's text.
pub trait DfKey: std::borrow::Borrow<str> + std::hash::Hash + Eq {}
impl<K: std::borrow::Borrow<str> + std::hash::Hash + Eq> DfKey for K {}

/// What a thread knows of the words it has met: whether each is a grammar word and, once
/// asked, its term (`family(stem(word))`) as a number, with each term's text, its first eight
/// bytes as a number ([`text_prefix`]) and its background document frequency. Snowball
/// stemming was the largest single cost of `terms` (issue 7), and a news vocabulary is small
/// next to its token count; one look-up of the word answers both the grammar-word test and the
/// term, and numbered terms let an article's vocabulary be gathered without hashing them again.
#[derive(Default)]
struct TermTable {
    /// The words met, by their packed [`WordEntry`]: one look-up per token of every unit, and
    /// hashing each as a string and comparing it with `memcmp` was most of the cost of
    /// `terms` (issue 7). Words too long for it are in `long_words`.
    words: crate::lexicon::WordTable,
    long_words: rustc_hash::FxHashMap<String, WordEntry>,
    terms: Vec<TermInfo>,
    by_text: rustc_hash::FxHashMap<Term, u32>,
    /// Scratch of [`Analyzer::article_terms`]: each term's place among an article's distinct
    /// terms, [`NO_TERM`] outside one.
    local: Vec<u32>,
    /// The words kept as names ([`Prepared::names`]), each shared by all its mentions: a
    /// `String` for each was a hundredth of pairing (issue 7).
    names: Vec<Term>,
}

/// What a [`TermTable`] knows of a word, packed as its [`crate::lexicon::WordTable`] holds it
/// (never 0, which is a word not met), each part read where it is asked: unpacking every part
/// of every token's entry cost more than the few read (issue 7).
#[derive(Clone, Copy)]
struct WordEntry(u64);

const NO_TERM: u32 = u32::MAX;
/// The bits a [`WordEntry::name`] is packed in, all set for none.
const NAME_BITS: u32 = 28;
const NO_NAME: u32 = (1 << NAME_BITS) - 1;

impl WordEntry {
    /// A word first met, neither term nor name yet.
    fn new(function: bool, not_content: bool, party: bool) -> Self {
        WordEntry(
            NO_TERM as u64
                | (function as u64) << 32
                | (not_content as u64) << 33
                | (party as u64) << 34
                | 1 << 35
                | (NO_NAME as u64) << 36,
        )
    }

    /// A grammar word (no name either).
    fn function(self) -> bool {
        self.0 >> 32 & 1 == 1
    }

    /// Not a word, a grammar word, a one-word cue or a reference noun.
    fn not_content(self) -> bool {
        self.0 >> 33 & 1 == 1
    }

    /// A one-word party name (not content when capitalised).
    fn party(self) -> bool {
        self.0 >> 34 & 1 == 1
    }

    /// [`NO_TERM`] until the word is first kept as a term.
    fn term(self) -> u32 {
        self.0 as u32
    }

    /// [`NO_NAME`] until the word is first kept as a name: its place in [`TermTable::names`].
    fn name(self) -> u32 {
        (self.0 >> 36) as u32 & NO_NAME
    }

    fn with_term(self, term: u32) -> Self {
        WordEntry(self.0 & !(u32::MAX as u64) | term as u64)
    }

    fn with_name(self, name: u32) -> Self {
        WordEntry(self.0 & !((NO_NAME as u64) << 36) | ((name & NO_NAME) as u64) << 36)
    }
}

impl TermTable {
    fn word(&self, w: &str) -> Option<WordEntry> {
        match self.words.get(w) {
            Some(0) => None,
            Some(v) => Some(WordEntry(v)),
            None => self.long_words.get(w).copied(),
        }
    }

    fn set_word(&mut self, w: &str, e: WordEntry) {
        if !self.words.set(w, e.0) {
            self.long_words.insert(w.to_string(), e);
        }
    }

    fn word_count(&self) -> usize {
        self.words.len() + self.long_words.len()
    }
}

struct TermInfo {
    text: Term,
    prefix: u64,
    /// The text has whitespace in it ([`Vocab::spaced`]).
    spaced: bool,
    /// In the built-in background (the same for every [`Analyzer`]).
    bg_df: u32,
}

thread_local! {
    static TERMS: std::cell::RefCell<TermTable> = Default::default();
}

/// Words kept in a thread's [`TermTable`] before it starts over (between texts, never inside
/// one), so odd input (every word new) cannot grow it without bound.
const STEM_CACHE_MAX: usize = 1 << 16;

impl Analyzer {
    /// Runs `f` with this thread's [`TermTable`], emptied first if it is full.
    fn with_terms<R>(&self, f: impl FnOnce(&mut TermTable) -> R) -> R {
        TERMS.with(|t| match t.try_borrow_mut() {
            Ok(mut t) => {
                if t.word_count() >= STEM_CACHE_MAX {
                    *t = TermTable::default();
                }
                f(&mut t)
            }
            Err(_) => f(&mut TermTable::default()),
        })
    }

    /// The number of `family(stem(word))` in `table`, added if new.
    fn term_number(
        &self,
        terms: &mut Vec<TermInfo>,
        by_text: &mut rustc_hash::FxHashMap<Term, u32>,
        word: &str,
    ) -> u32 {
        let stemmed = self.stemmer.stem(word);
        let stem = family(&stemmed);
        if let Some(&id) = by_text.get(stem) {
            return id;
        }
        let id = terms.len() as u32;
        let text = Term::from(stem);
        terms.push(TermInfo {
            prefix: text_prefix(&text),
            spaced: has_whitespace(&text),
            bg_df: self.bg_df.get(&*text).copied().unwrap_or(0),
            text: text.clone(),
        });
        by_text.insert(text, id);
        id
    }

    /// Appends the numbers of the text's content terms ([`Analyzer::terms`]) to `out`, and
    /// its names ([`Prepared::names`]) to `names` if given.
    fn term_numbers(
        &self,
        table: &mut TermTable,
        text: &str,
        toks: &[crate::text::Token],
        lex: &Lexicon,
        out: &mut Vec<u32>,
        mut names: Option<&mut Vec<Term>>,
    ) {
        // Multi-word party names ("Addis Ababa", "United States") are out for the same
        // reason as one-word ones below: found as [`in_multi_word_party`] finds them, asking
        // at each token past the last name found, in the walk over the tokens (a list of
        // flags for each unit was a hundredth of pairing, issue 7).
        let ctx = crate::attribute::Ctx { text, lex };
        let mut party_end = 0;
        for (k, t) in toks.iter().enumerate() {
            if k >= party_end {
                if let Some((len, _, _)) = ctx.gaz_at(toks, k).filter(|g| g.0 > 1) {
                    party_end = k + len;
                }
            }
            let party = k < party_end;
            let n = t.norm;
            // Capitalised words that are not sentence-initial.
            let name = k > 0 && t.cap && n.len() > 2 && names.is_some();
            let term = !party && (n != "us" || text[t.start..t.end].starts_with("US"));
            if !name && !term {
                continue;
            }
            // An entry new or changed is put back in the table once, when the token is done:
            // twice for a word first met as a term cost a hundredth of pairing (issue 7).
            let (mut e, mut changed) = match table.word(n) {
                Some(e) => (e, false),
                None => {
                    // What the lexicon says of a token depends on its word alone (its marked
                    // classes are the word's), so it is asked once per word.
                    let function = self.function_words.contains(n);
                    let e = WordEntry::new(
                        function,
                        !t.is_word()
                            || function
                            || lex.single_cue_tok(t)
                            || lex.is_tok("reference_noun", t),
                        lex.party_word_tok(t),
                    );
                    (e, true)
                }
            };
            if name && !e.function() {
                if let Some(names) = names.as_deref_mut() {
                    if e.name() == NO_NAME && table.names.len() < NO_NAME as usize {
                        e = e.with_name(table.names.len() as u32);
                        table.names.push(Term::from(n));
                        changed = true;
                    }
                    names.push(match table.names.get(e.name() as usize) {
                        Some(known) => known.clone(),
                        None => Term::from(n),
                    });
                }
            }
            // Party names are on both sides of every exchange; the side gate already uses
            // them, and as content they would make every claim look alike.
            if !term || e.not_content() || (t.cap && e.party()) {
                if changed {
                    table.set_word(n, e);
                }
                continue;
            }
            if e.term() == NO_TERM {
                e = e.with_term(self.term_number(&mut table.terms, &mut table.by_text, n));
                changed = true;
            }
            if changed {
                table.set_word(n, e);
            }
            out.push(e.term());
        }
    }

    pub fn new() -> Self {
        let mut bg_df = rustc_hash::FxHashMap::default();
        let mut bg_n = 1;
        for line in BACKGROUND.lines() {
            if let Some(n) = line.strip_prefix("#N\t") {
                bg_n = n.trim().parse().unwrap_or(1);
                continue;
            }
            if line.starts_with('#') {
                continue;
            }
            if let Some((t, df)) = line.split_once('\t') {
                bg_df.insert(t.to_string(), df.trim().parse().unwrap_or(0));
            }
        }
        Analyzer {
            stemmer: Stemmer::create(Algorithm::English),
            function_words: FUNCTION_WORDS.iter().copied().collect(),
            bg_df,
            bg_n,
        }
    }

    /// Content terms of a text: folded, stemmed, family-folded; cue words and grammar words out.
    pub fn terms(&self, text: &str, lex: &Lexicon) -> Vec<String> {
        let normed = crate::text::Normed::new(text);
        self.terms_of(text, &normed.tokens(), lex)
            .iter()
            .map(|t| t.to_string())
            .collect()
    }

    /// [`Analyzer::terms`] as shared [`Term`]s.
    pub fn shared_terms(&self, text: &str, lex: &Lexicon) -> Vec<Term> {
        let normed = crate::text::Normed::new(text);
        self.terms_of(text, &normed.tokens(), lex)
    }

    /// [`Analyzer::terms`] and the names [`prepare`] keeps, from one tokenisation of the
    /// text: pairing needs both for every unit, and tokenising twice was a twentieth of a run.
    pub fn terms_and_names(&self, text: &str, lex: &Lexicon) -> (Vec<Term>, Vec<Term>) {
        let normed = crate::text::Normed::new(text);
        self.terms_and_names_of(text, &normed.tokens(), lex)
    }

    /// [`Analyzer::terms_and_names`] from the text's tokens, `Normed::new(text).tokens()`
    /// made (and perhaps marked by the lexicon) earlier.
    pub fn terms_and_names_of(
        &self,
        text: &str,
        toks: &[crate::text::Token],
        lex: &Lexicon,
    ) -> (Vec<Term>, Vec<Term>) {
        self.with_terms(|table| {
            let (mut ids, mut names) = (Vec::new(), Vec::new());
            self.term_numbers(table, text, toks, lex, &mut ids, Some(&mut names));
            let terms = ids
                .iter()
                .map(|&id| table.terms[id as usize].text.clone())
                .collect();
            (terms, names)
        })
    }

    /// Capitalised words that are not sentence-initial, as [`Prepared::names`] keeps them.
    fn names_of(&self, toks: &[crate::text::Token]) -> Vec<Term> {
        toks.iter()
            .skip(1)
            .filter(|t| t.cap && t.norm.len() > 2 && !self.function_words.contains(t.norm))
            .map(|t| Term::from(t.norm))
            .collect()
    }

    fn terms_of(&self, text: &str, toks: &[crate::text::Token], lex: &Lexicon) -> Vec<Term> {
        self.with_terms(|table| {
            let mut ids = Vec::new();
            self.term_numbers(table, text, toks, lex, &mut ids, None);
            ids.iter()
                .map(|&id| table.terms[id as usize].text.clone())
                .collect()
        })
    }

    /// The content terms of an article's units in one [`Vocab`], each unit's distinct terms
    /// in it with their counts (as [`count_terms`] gives them), each term's background
    /// document frequency, and the units' names ([`Analyzer::terms_and_names`]). `tokens`,
    /// if given, are the units' tokens.
    pub(crate) fn article_terms(
        &self,
        units: &[Unit],
        tokens: Option<&crate::text::TokenLists>,
        lex: &Lexicon,
    ) -> ArticleTerms {
        self.with_terms(|table| {
            // Room for every token's term: grown as they came, the list was copied over and
            // over.
            let tokens_in = |t: &crate::text::TokenLists| t.lists().iter().map(Vec::len).sum();
            let mut seen: Vec<u32> = Vec::with_capacity(tokens.map_or(0, tokens_in));
            let mut ends: Vec<usize> = Vec::with_capacity(units.len());
            let mut names = Vec::with_capacity(units.len());
            for (k, u) in units.iter().enumerate() {
                let (normed, fresh);
                let toks = match tokens {
                    Some(t) => &t.lists()[k][..],
                    None => {
                        normed = crate::text::Normed::new(&u.text);
                        fresh = normed.tokens();
                        &fresh[..]
                    }
                };
                let mut unit_names = Vec::new();
                self.term_numbers(table, &u.text, toks, lex, &mut seen, Some(&mut unit_names));
                names.push(unit_names);
                ends.push(seen.len());
            }
            let TermTable { terms, local, .. } = table;
            if local.len() < terms.len() {
                local.resize(terms.len(), NO_TERM);
            }
            let mut distinct: Vec<u32> = Vec::with_capacity(seen.len());
            for &g in &seen {
                if local[g as usize] == NO_TERM {
                    local[g as usize] = distinct.len() as u32;
                    distinct.push(g);
                }
            }
            let info = |x: u32| &terms[distinct[x as usize] as usize];
            let vocab = text_order(
                distinct.len(),
                |x| info(x).prefix,
                |x, y| info(x).text.cmp(&info(y).text),
            );
            // Each term's place in the article's vocabulary, where its place among the
            // article's terms was; and the vocabulary's texts and background frequencies, in
            // the same pass over it.
            let n = vocab.len();
            let (mut texts, mut bg_df, mut spaced) =
                (Vec::with_capacity(n), Vec::with_capacity(n), false);
            for (r, &x) in vocab.iter().enumerate() {
                let g = distinct[x as usize] as usize;
                local[g] = r as u32;
                let t = &terms[g];
                texts.push(t.text.clone());
                bg_df.push(t.bg_df);
                spaced |= t.spaced;
            }
            for g in &mut seen {
                *g = local[*g as usize];
            }
            let mut start = 0;
            let (mut bits, mut count) =
                (vec![0u64; vocab.len().div_ceil(64)], vec![0; vocab.len()]);
            let mut counts = Lists::with_capacity(seen.len(), ends.len());
            for &end in &ends {
                id_counts(&seen[start..end], &mut bits, &mut count, &mut counts.items);
                counts.end_list();
                start = end;
            }
            for &g in &distinct {
                local[g as usize] = NO_TERM;
            }
            ArticleTerms {
                bg_df,
                vocab: Vocab {
                    terms: texts,
                    spaced,
                },
                counts,
                names,
            }
        })
    }

    /// [`Analyzer::idf`] with the term's document frequencies in the background and the batch
    /// known.
    pub(crate) fn idf_of_counts(&self, bg_df: u32, batch_df: u32, batch_n: u32) -> f32 {
        let df = bg_df + batch_df;
        let n = self.bg_n + batch_n;
        ((1.0 + n as f32) / (1.0 + df as f32)).ln() + 1.0
    }

    pub fn idf<K: DfKey, S: BuildHasher>(
        &self,
        term: &str,
        batch_df: &HashMap<K, u32, S>,
        batch_n: u32,
    ) -> f32 {
        self.idf_of_counts(
            self.bg_df.get(term).copied().unwrap_or(0),
            batch_df.get(term).copied().unwrap_or(0),
            batch_n,
        )
    }
}

/// Which tokens lie inside a multi-word party name ("Addis Ababa"), longest alias first.
pub(crate) fn in_multi_word_party(
    text: &str,
    toks: &[crate::text::Token],
    lex: &Lexicon,
) -> Vec<bool> {
    let ctx = crate::attribute::Ctx { text, lex };
    let mut in_party = vec![false; toks.len()];
    let mut i = 0;
    while i < toks.len() {
        match ctx.gaz_at(toks, i) {
            Some((len, _, _)) if len > 1 => {
                in_party[i..i + len].iter_mut().for_each(|x| *x = true);
                i += len;
            }
            _ => i += 1,
        }
    }
    in_party
}

/// Each distinct term in order, with how often it occurs: runs of the sorted terms, no hash
/// map. A unit's document frequencies and its vector are both made from them, so its terms
/// are sorted once.
pub fn count_terms(terms: &[Term]) -> Vec<(Term, u32)> {
    let mut sorted: Vec<&Term> = terms.iter().collect();
    sorted.sort_unstable_by(|a, b| a.as_ref().cmp(b.as_ref()));
    let mut out: Vec<(Term, u32)> = Vec::with_capacity(sorted.len());
    let mut i = 0;
    while i < sorted.len() {
        let t = sorted[i];
        let mut j = i + 1;
        while j < sorted.len() && sorted[j].as_ref() == t.as_ref() {
            j += 1;
        }
        out.push((t.clone(), (j - i) as u32));
        i = j;
    }
    out
}

/// An article's terms as [`Analyzer::article_terms`] finds them.
pub(crate) struct ArticleTerms {
    pub vocab: Vocab,
    /// Per unit, its distinct terms' ids (ascending) with how often each occurs: one list
    /// for all units, as a list for each unit was a sixtieth of pairing's heap blocks
    /// (issue 7).
    pub counts: Lists<(u32, u32)>,
    /// Per term id, its background document frequency.
    pub bg_df: Vec<u32>,
    /// Per unit, its names.
    pub names: Vec<Vec<Term>>,
}

/// A list for each of several things (an article's units), kept as one list with where each
/// one's part ends: a `Vec` for each was a heap block per unit (issue 7).
#[derive(Debug, Default)]
pub(crate) struct Lists<T> {
    /// Every list's items, one list after the other.
    pub items: Vec<T>,
    ends: Vec<usize>,
}

impl<T> Lists<T> {
    pub fn with_capacity(items: usize, lists: usize) -> Self {
        Lists {
            items: Vec::with_capacity(items),
            ends: Vec::with_capacity(lists),
        }
    }

    /// Ends the list being pushed to `items`; the next item starts the next list.
    pub fn end_list(&mut self) {
        self.ends.push(self.items.len());
    }

    /// List `k`.
    pub fn of(&self, k: usize) -> &[T] {
        let start = if k == 0 { 0 } else { self.ends[k - 1] };
        &self.items[start..self.ends[k]]
    }
}

/// `n` distinct texts (by number) in text order, given each one's [`text_prefix`] and a
/// comparison of two of them: by the prefixes as numbers, then by the whole texts where those
/// are alike (comparing the texts throughout was most of the cost).
fn text_order(
    n: usize,
    prefix: impl Fn(u32) -> u64,
    cmp: impl Fn(u32, u32) -> std::cmp::Ordering,
) -> Vec<u32> {
    // Each text's number in the low bits of its prefix, sorted as plain numbers: sorting
    // pairs by their prefix cost an article a sixtieth of a run (issue 7). Texts alike in
    // the bits kept are put in order below.
    const LOW: u32 = 20;
    const MASK: u64 = (1 << LOW) - 1;
    if n >= 1 << LOW {
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_unstable_by(|&x, &y| prefix(x).cmp(&prefix(y)).then_with(|| cmp(x, y)));
        return order;
    }
    let mut keys: Vec<u64> = (0..n as u32)
        .map(|x| prefix(x) >> LOW << LOW | x as u64)
        .collect();
    keys.sort_unstable();
    let mut i = 0;
    while i < keys.len() {
        let j = i + keys[i..]
            .iter()
            .take_while(|&&k| k >> LOW == keys[i] >> LOW)
            .count();
        if j - i > 1 {
            keys[i..j].sort_unstable_by(|&x, &y| cmp((x & MASK) as u32, (y & MASK) as u32));
        }
        i = j;
    }
    keys.iter().map(|&k| (k & MASK) as u32).collect()
}

/// [`run_counts`] of ids below `64 * bits.len()` and `count.len()`, appended to `out`, without
/// sorting them: each id's bit is set and its occurrences counted, then the bits are read in
/// order. `bits` and `count` are all zero before and after. Sorting each unit's terms was a
/// sixtieth of a run (issue 7).
fn id_counts(ids: &[u32], bits: &mut [u64], count: &mut [u32], out: &mut Vec<(u32, u32)>) {
    // The words of `bits` the ids fall in.
    let (mut lo, mut hi) = (usize::MAX, 0);
    for &id in ids {
        let w = id as usize / 64;
        bits[w] |= 1 << (id % 64);
        count[id as usize] += 1;
        lo = lo.min(w);
        hi = hi.max(w);
    }
    for w in lo..=hi.min(bits.len().saturating_sub(1)) {
        let mut b = std::mem::take(&mut bits[w]);
        while b != 0 {
            let id = w * 64 + b.trailing_zeros() as usize;
            out.push((id as u32, std::mem::take(&mut count[id])));
            b &= b - 1;
        }
    }
}

/// Sorts `ids` and counts the runs: each distinct id, ascending, with how often it occurs.
#[cfg(test)]
fn run_counts(ids: &mut [u32]) -> Vec<(u32, u32)> {
    ids.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(ids.len());
    for &id in ids.iter() {
        match out.last_mut() {
            Some((last, n)) if *last == id => *n += 1,
            _ => out.push((id, 1)),
        }
    }
    out
}

/// Distinct content terms in text order: a term's place here is its id in the [`Vector`]s
/// made with the vocabulary. Pairing makes one for each article, so its vectors, document
/// frequencies and cosines work on small numbers instead of hashing and comparing the terms'
/// text (a tenth of a run, issue 7).
#[derive(Debug, Default)]
pub struct Vocab {
    terms: Vec<Term>,
    /// Some term has whitespace in it: a unit's content words are not simply its terms
    /// joined by spaces once whitespace is squeezed out ([`DiceKey::of_squeezed`]).
    spaced: bool,
}

/// Whether `s` has a char that [`DiceKey::new`] squeezes out.
fn has_whitespace(s: &str) -> bool {
    s.chars().any(char::is_whitespace)
}

impl Vocab {
    pub fn len(&self) -> usize {
        self.terms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// The term of id `id`.
    pub fn term(&self, id: u32) -> &Term {
        &self.terms[id as usize]
    }

    /// One vocabulary for the terms of many units, and each unit's distinct terms as ids in
    /// ascending order (= text order) with how often they occur: what [`count_terms`] gives,
    /// in ids. The plain way the tests hold [`Analyzer::article_terms`] to.
    #[cfg(test)]
    pub fn intern(units: &[Vec<Term>]) -> (Self, Vec<Vec<(u32, u32)>>) {
        // One word's term is one shared string within a thread's run, so its address names
        // it; two addresses of the same text (the stem cache started over) meet in the sort.
        let total: usize = units.iter().map(|u| u.len()).sum();
        let mut first: rustc_hash::FxHashMap<usize, u32> =
            rustc_hash::FxHashMap::with_capacity_and_hasher(total, Default::default());
        let mut distinct: Vec<&Term> = Vec::new();
        let mut seen: Vec<u32> = Vec::with_capacity(total);
        for t in units.iter().flatten() {
            let next = distinct.len() as u32;
            let id = *first
                .entry(std::sync::Arc::as_ptr(t) as *const u8 as usize)
                .or_insert(next);
            if id == next {
                distinct.push(t);
            }
            seen.push(id);
        }
        let by_rank = text_order(
            distinct.len(),
            |x| text_prefix(distinct[x as usize]),
            |x, y| distinct[x as usize].cmp(distinct[y as usize]),
        );
        let mut id = vec![0u32; distinct.len()];
        let mut terms: Vec<Term> = Vec::with_capacity(distinct.len());
        for &x in &by_rank {
            let t = distinct[x as usize];
            if terms.last().is_none_or(|last| last != t) {
                terms.push(t.clone());
            }
            id[x as usize] = terms.len() as u32 - 1;
        }
        let mut at = 0;
        let counts = units
            .iter()
            .map(|u| {
                let mut ids: Vec<u32> = seen[at..at + u.len()]
                    .iter()
                    .map(|&x| id[x as usize])
                    .collect();
                at += u.len();
                run_counts(&mut ids)
            })
            .collect();
        let spaced = terms.iter().any(|t| has_whitespace(t));
        (Vocab { terms, spaced }, counts)
    }

    /// [`Vocab::of_counts`], shared, with each term's [`Analyzer::idf`].
    fn with_idf<K: DfKey, S: BuildHasher>(
        counts: &[(Term, u32)],
        an: &Analyzer,
        batch_df: &HashMap<K, u32, S>,
        batch_n: u32,
    ) -> (std::sync::Arc<Self>, Vec<(u32, u32)>, Vec<f32>) {
        let (vocab, ids) = Vocab::of_counts(counts);
        let idf = vocab
            .terms
            .iter()
            .map(|t| an.idf(t, batch_df, batch_n))
            .collect();
        (std::sync::Arc::new(vocab), ids, idf)
    }

    /// The vocabulary of one unit's [`count_terms`], whose ids are its places there.
    fn of_counts(counts: &[(Term, u32)]) -> (Self, Vec<(u32, u32)>) {
        let terms: Vec<Term> = counts.iter().map(|t| t.0.clone()).collect();
        let ids = counts
            .iter()
            .enumerate()
            .map(|(k, t)| (k as u32, t.1))
            .collect();
        let spaced = terms.iter().any(|t| has_whitespace(t));
        (Vocab { terms, spaced }, ids)
    }
}

/// The first eight bytes of `t` as a big-endian number, zeros after a shorter text: texts in
/// order have prefixes in order (equal ones only if the texts are alike that far).
fn text_prefix(t: &str) -> u64 {
    let b = t.as_bytes();
    match b.first_chunk::<8>() {
        Some(head) => u64::from_be_bytes(*head),
        None => b
            .iter()
            .enumerate()
            .fold(0, |k, (i, &c)| k | (c as u64) << (56 - 8 * i)),
    }
}

/// A sparse TF-IDF vector, L2-normalised, terms sorted for deterministic iteration.
#[derive(Debug, Clone, Default)]
pub struct Vector {
    /// (id in `vocab`, weight), ids ascending: in the terms' text order.
    pub terms: Vec<(u32, f32)>,
    vocab: std::sync::Arc<Vocab>,
}

impl Vector {
    pub fn build<K: DfKey, S: BuildHasher>(
        terms: &[Term],
        an: &Analyzer,
        batch_df: &HashMap<K, u32, S>,
        batch_n: u32,
    ) -> Self {
        Self::from_counts(&count_terms(terms), an, batch_df, batch_n)
    }

    /// [`Vector::build`] from the terms' [`count_terms`].
    pub fn from_counts<K: DfKey, S: BuildHasher>(
        counts: &[(Term, u32)],
        an: &Analyzer,
        batch_df: &HashMap<K, u32, S>,
        batch_n: u32,
    ) -> Self {
        let (vocab, ids, idf) = Vocab::with_idf(counts, an, batch_df, batch_n);
        Self::from_ids(&ids, &idf, &vocab)
    }

    /// The vector of a unit's distinct term ids in `vocab` with their counts (ascending ids),
    /// `idf` holding each id's inverse document frequency.
    pub fn from_ids(counts: &[(u32, u32)], idf: &[f32], vocab: &std::sync::Arc<Vocab>) -> Self {
        // The vector comes out in term order, and its norm is summed in that order too; it
        // used to follow a randomly seeded hash map's order, so its last bit could change
        // from run to run.
        let mut v: Vec<(u32, f32)> = Vec::with_capacity(counts.len());
        for &(t, n) in counts {
            // Most terms occur once in a unit: ln 1 is exactly 0, and 1 times the weight is
            // the weight, without a call to `logf`.
            let tf = if n == 1 { 1.0 } else { 1.0 + (n as f32).ln() };
            v.push((t, tf * idf[t as usize]));
        }
        let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
        if norm > 0.0 {
            for x in &mut v {
                x.1 /= norm;
            }
        }
        Vector {
            terms: v,
            vocab: vocab.clone(),
        }
    }

    /// The text of the `k`-th term.
    pub fn term(&self, k: usize) -> &str {
        self.vocab.term(self.terms[k].0)
    }

    /// Cosine and the first `k` shared terms by contribution, largest first (ties by term):
    /// the only ones a score keeps, so the others are never copied.
    pub fn cosine_top(&self, other: &Vector, k: usize) -> (f32, Vec<Term>) {
        // Ids of one vocabulary (an article's units) compare as their terms do.
        let same = std::sync::Arc::ptr_eq(&self.vocab, &other.vocab);
        let (mut i, mut j) = (0, 0);
        let mut sum = 0.0;
        let mut shared: Vec<(usize, f32)> = Vec::new();
        while i < self.terms.len() && j < other.terms.len() {
            let ord = if same {
                self.terms[i].0.cmp(&other.terms[j].0)
            } else {
                self.term(i).cmp(other.term(j))
            };
            match ord {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    let c = self.terms[i].1 * other.terms[j].1;
                    sum += c;
                    shared.push((i, c));
                    i += 1;
                    j += 1;
                }
            }
        }
        (sum.min(1.0), self.top_terms(&mut shared, k))
    }

    /// The first `k` of the shared terms (place in `self`, contribution), largest first.
    fn top_terms(&self, shared: &mut [(usize, f32)], k: usize) -> Vec<Term> {
        // Most pairs scored share no term.
        if shared.is_empty() {
            return Vec::new();
        }
        // A vector's terms are distinct and in text order, so their places order ties as
        // their texts do (and, all distinct, leave an unstable sort no ties to break).
        shared.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        shared
            .iter()
            .take(k)
            .map(|x| self.vocab.term(self.terms[x.0].0).clone())
            .collect()
    }

    /// Runs `f` with this vector's terms placed in a table by id, for comparing many vectors
    /// of its vocabulary with it (a rebuttal meets every claim of its dispute). The table is
    /// `at`, all zeros before and after: the caller keeps it from one probe to the next, as a
    /// table for each was a twentieth of pairing's heap blocks (issue 7).
    pub(crate) fn probe<R>(&self, at: &mut Vec<u32>, f: impl FnOnce(&VectorProbe) -> R) -> R {
        if at.len() < self.vocab.len() {
            at.resize(self.vocab.len(), 0);
        }
        for (j, &(t, _)) in self.terms.iter().enumerate() {
            if let Some(a) = at.get_mut(t as usize) {
                *a = j as u32 + 1;
            }
        }
        let r = f(&VectorProbe {
            vector: self,
            at: &at[..self.vocab.len()],
        });
        for &(t, _) in &self.terms {
            if let Some(a) = at.get_mut(t as usize) {
                *a = 0;
            }
        }
        r
    }
}

/// A [`Vector`] with its terms' places in a table by id ([`Vector::probe`]).
pub(crate) struct VectorProbe<'a> {
    vector: &'a Vector,
    /// Per id of the vocabulary, 1 + the term's place in `vector`, 0 if it has none.
    at: &'a [u32],
}

impl VectorProbe<'_> {
    /// `other.cosine_top(probed, k)`: for a vector of the same vocabulary, each of its terms
    /// looked up in the table instead of walking both lists side by side (a fiftieth of
    /// pairing, issue 7). Its terms come in ascending ids as the walk meets them, so the
    /// contributions are added in the same order. `shared` is scratch: a list for each pair
    /// that shares a term cost more than finding them.
    pub(crate) fn cosine_top(
        &self,
        other: &Vector,
        k: usize,
        shared: &mut Vec<(usize, f32)>,
    ) -> (f32, Vec<Term>) {
        let mine = self.vector;
        if !std::sync::Arc::ptr_eq(&mine.vocab, &other.vocab) {
            return other.cosine_top(mine, k);
        }
        let mut sum = 0.0;
        shared.clear();
        for (i, &(t, w)) in other.terms.iter().enumerate() {
            let j = self.at.get(t as usize).copied().unwrap_or(0);
            if j != 0 {
                let c = w * mine.terms[j as usize - 1].1;
                sum += c;
                shared.push((i, c));
            }
        }
        (sum.min(1.0), other.top_terms(shared, k))
    }
}

/// Everything the scorer needs about one unit, computed once.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    pub vector: Vector,
    /// Capitalised words that are not sentence-initial: names and key phrases.
    pub names: Vec<Term>,
    /// Folded text, for reference phrases.
    pub folded: String,
    /// The content words (the vector's terms) joined by spaces, ready for Sørensen–Dice.
    pub dice: DiceKey,
    /// Those words joined are not empty.
    has_content: bool,
    /// The unit as a rebuttal for [`reference`]: its words, found once.
    pub refs: RefSide,
    /// The unit's speaker aliases as a claim for [`reference`], folded once (and once for
    /// all the claims of a speaker in an article).
    pub aliases: std::sync::Arc<[RefAlias]>,
}

impl Prepared {
    /// Whether the unit has a content word: without one on either side, the fuzzy part has
    /// no Sørensen–Dice.
    pub fn has_content(&self) -> bool {
        self.has_content
    }
}

/// Where each ASCII byte's bucket starts in a counting sort of `keys`: `starts[c]` is how
/// many keys are below `c`.
fn bucket_starts(keys: &[u8]) -> [u32; 129] {
    let mut starts = [0u32; 129];
    for &c in keys {
        starts[c as usize + 1] += 1;
    }
    for k in 1..129 {
        starts[k] += starts[k - 1];
    }
    starts
}

/// The bigrams of ASCII bytes as [`DiceKey`] keeps them (`a << 32 | b`), sorted. Both bytes
/// are below 128, so two counting passes of 128 buckets (second byte, then first) sort them
/// in linear time; a comparison sort of every unit's bigrams was a fiftieth of a run
/// (issue 7). Short lists are left to the comparison sort, which is cheaper there.
fn sorted_ascii_bigrams(bytes: &[u8]) -> Vec<u64> {
    debug_assert!(bytes.is_ascii());
    let n = bytes.len().saturating_sub(1);
    if n < 64 {
        let mut v: Vec<u64> = bytes
            .windows(2)
            .map(|w| (w[0] as u64) << 32 | w[1] as u64)
            .collect();
        v.sort_unstable();
        return v;
    }
    // Pass 1: stable by the second byte into `by_second` (first-byte indices).
    let mut count = bucket_starts(&bytes[1..]);
    let mut by_second = vec![0u32; n];
    for i in 0..n {
        let b = bytes[i + 1] as usize;
        by_second[count[b] as usize] = i as u32;
        count[b] += 1;
    }
    // Pass 2: stable by the first byte, which leaves the pairs in (first, second) order.
    let mut count = bucket_starts(&bytes[..n]);
    let mut out = vec![0u64; n];
    for &i in &by_second {
        let i = i as usize;
        let a = bytes[i] as usize;
        out[count[a] as usize] = (a as u64) << 32 | bytes[i + 1] as u64;
        count[a] += 1;
    }
    out
}

/// The character bigrams of a string, as `strsim::sorensen_dice` sees it (whitespace
/// removed). strsim rebuilt a hash map of one side's bigrams for every claim × rebuttal pair;
/// this is made once per unit (issue 7).
#[derive(Debug, Clone, Default)]
pub struct DiceKey {
    /// The string less its whitespace.
    squeezed: Vec<u8>,
    /// The sorted bigrams of a non-ASCII `squeezed`, each `(a, b)` as `a << 32 | b`, which
    /// sorts as the pair does. An ASCII one (nearly all: content words are folded) keeps
    /// none: a [`DiceProbe`] reads its bytes, and sorting every unit's bigrams was a thirtieth
    /// of a run (issue 7).
    bigrams: Vec<u64>,
    /// The table slots ([`dice_bucket`]) of the bigrams of two ASCII chars, all of an ASCII
    /// `squeezed`'s: a claim meets several rebuttals' tables, and reading them off the bytes
    /// each time cost more. Two keys of which one is ASCII can only share such bigrams.
    buckets: Vec<u16>,
    /// For a key compared with many probed ones (a claim), each of `buckets` with how many
    /// times it has occurred up to there, `bucket | n << 16` ([`DiceKey::count_occurrences`]);
    /// empty otherwise.
    occurrences: Vec<u32>,
    ascii: bool,
}

/// Buckets of a [`DiceProbe`]'s table: one for each pair of ASCII bytes.
const DICE_BUCKETS: usize = 128 * 128;

/// The table slot of the ASCII bigram `w`.
#[inline]
fn dice_bucket(w: &[u8]) -> u16 {
    (w[0] as u16) << 7 | w[1] as u16
}

/// A count for each bucket of a [`DiceProbe`]'s table: as an array, its slots
/// ([`dice_slot`]) need no bounds check, which was a third of comparing (issue 7).
type DiceCounts = [u32; DICE_BUCKETS];

/// A table of [`DiceCounts`], all zero.
fn dice_counts() -> Box<DiceCounts> {
    vec![0; DICE_BUCKETS]
        .into_boxed_slice()
        .try_into()
        .unwrap_or_else(|_| unreachable!("the table has DICE_BUCKETS counts"))
}

/// The slot of bucket `b` (of two 7-bit chars, so below [`DICE_BUCKETS`]) or of an
/// occurrence `b | n << 16` ([`DiceKey::occurrences`]).
#[inline]
fn dice_slot(b: u32) -> usize {
    b as usize & (DICE_BUCKETS - 1)
}

thread_local! {
    /// A [`DiceProbe`]'s bigram counts (all zero between probes) and the slots a comparison
    /// took from them.
    static DICE_TABLE: std::cell::RefCell<(Box<DiceCounts>, Vec<u16>)> =
        std::cell::RefCell::new((dice_counts(), Vec::new()));
}

impl DiceKey {
    pub fn new(s: &str) -> Self {
        if s.is_ascii() {
            // Content words are nearly always ASCII: bytes are chars, and a bigram is a
            // pair of adjacent bytes.
            let mut squeezed: Vec<u8> = Vec::with_capacity(s.len());
            squeezed.extend(s.bytes().filter(|&b| !crate::text::is_ascii_space(b)));
            return Self::of_ascii(squeezed);
        }
        Self::of_chars(s.chars().filter(|c| !c.is_whitespace()).collect())
    }

    /// [`DiceKey::new`] of a string that `squeezed` is, less its whitespace: a unit's content
    /// is its terms joined by spaces, and copying the terms one after the other spares going
    /// through the content byte by byte for its spaces (a sixtieth of a run, issue 7).
    pub(crate) fn of_squeezed(squeezed: String) -> Self {
        if squeezed.is_ascii() {
            Self::of_ascii(squeezed.into_bytes())
        } else {
            Self::of_chars(squeezed)
        }
    }

    /// The key of an ASCII string with its whitespace squeezed out.
    fn of_ascii(squeezed: Vec<u8>) -> Self {
        let buckets = squeezed.windows(2).map(dice_bucket).collect();
        DiceKey {
            squeezed,
            bigrams: Vec::new(),
            buckets,
            occurrences: Vec::new(),
            ascii: true,
        }
    }

    /// The key of a non-ASCII string with its whitespace squeezed out.
    fn of_chars(squeezed: String) -> Self {
        let mut bigrams: Vec<u64> = squeezed
            .chars()
            .zip(squeezed.chars().skip(1))
            .map(|(a, b)| (a as u64) << 32 | b as u64)
            .collect();
        bigrams.sort_unstable();
        let buckets = bigrams
            .iter()
            .filter(|&&g| g >> 32 < 128 && g & 0xffff_ffff < 128)
            .map(|&g| ((g >> 32) as u16) << 7 | (g & 127) as u16)
            .collect();
        DiceKey {
            squeezed: squeezed.into_bytes(),
            bigrams,
            buckets,
            occurrences: Vec::new(),
            ascii: false,
        }
    }

    fn is_ascii(&self) -> bool {
        self.ascii
    }

    /// Keeps [`DiceKey::occurrences`], for a key that [`DiceProbe::similarity`] will meet
    /// again and again: its `n`-th occurrence of a bigram is common with a probed key that has
    /// `n` or more of it, so the common bigrams are counted without taking them from the
    /// probe's table and putting them back (most of the cost of comparing, issue 7).
    pub(crate) fn count_occurrences(mut self) -> Self {
        // More occurrences of one bigram than the bits hold: compared bigram by bigram.
        if self.buckets.len() >= 1 << 16 {
            return self;
        }
        let run = |counts: &mut DiceCounts, buckets: &[u16]| {
            let occurrences = buckets
                .iter()
                .map(|&b| {
                    let n = &mut counts[dice_slot(b.into())];
                    *n += 1;
                    b as u32 | *n << 16
                })
                .collect();
            for &b in buckets {
                counts[dice_slot(b.into())] = 0;
            }
            occurrences
        };
        self.occurrences = DICE_TABLE.with(|t| match t.try_borrow_mut() {
            Ok(mut t) => run(&mut t.0, &self.buckets),
            Err(_) => run(&mut dice_counts(), &self.buckets),
        });
        self
    }

    /// The bigrams, sorted.
    fn sorted_bigrams(&self) -> std::borrow::Cow<'_, [u64]> {
        if self.is_ascii() {
            std::borrow::Cow::Owned(sorted_ascii_bigrams(&self.squeezed))
        } else {
            std::borrow::Cow::Borrowed(&self.bigrams)
        }
    }

    /// What every similarity answers before counting common bigrams.
    fn trivial(&self, other: &DiceKey) -> Option<f64> {
        if self.squeezed == other.squeezed {
            return Some(1.0);
        }
        if self.squeezed.len() < 2 || other.squeezed.len() < 2 {
            return Some(0.0);
        }
        None
    }

    /// strsim's ratio from the number of common bigrams, including its use of byte lengths in
    /// the denominator.
    fn ratio(&self, other: &DiceKey, common: usize) -> f64 {
        (2 * common) as f64 / (self.squeezed.len() + other.squeezed.len() - 2) as f64
    }

    /// Exactly `strsim::sorensen_dice` of the two source strings: the multiset intersection
    /// of sorted bigrams is the same count strsim's decrement-a-hash-map loop arrives at.
    pub fn similarity(&self, other: &DiceKey) -> f64 {
        if let Some(s) = self.trivial(other) {
            return s;
        }
        let (a, b) = (self.sorted_bigrams(), other.sorted_bigrams());
        let (mut i, mut j, mut common) = (0, 0, 0usize);
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    common += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        self.ratio(other, common)
    }

    /// Runs `f` with this key's bigrams counted in a table, for comparing many keys with it
    /// (a rebuttal meets every claim of its dispute) without sorting anyone's bigrams.
    pub fn probe<R>(&self, f: impl FnOnce(&mut DiceProbe) -> R) -> R {
        let run = |counts: &mut DiceCounts, taken: &mut Vec<u16>| {
            for &b in &self.buckets {
                counts[dice_slot(b.into())] += 1;
            }
            f(&mut DiceProbe {
                key: self,
                counts,
                taken,
            })
        };
        DICE_TABLE.with(|t| match t.try_borrow_mut() {
            Ok(mut t) => {
                /// Empties the thread's table after the probe, even one that panicked.
                struct Clear<'t>(&'t DiceKey, &'t mut (Box<DiceCounts>, Vec<u16>));
                impl Drop for Clear<'_> {
                    fn drop(&mut self) {
                        let (counts, taken) = &mut *self.1;
                        for &b in &self.0.buckets {
                            counts[dice_slot(b.into())] = 0;
                        }
                        taken.clear();
                    }
                }
                let clear = Clear(self, &mut t);
                let (counts, taken) = &mut *clear.1;
                run(counts, taken)
            }
            Err(_) => run(&mut dice_counts(), &mut Vec::new()),
        })
    }
}

/// A [`DiceKey`] with its bigrams counted in a table ([`DiceKey::probe`]).
pub struct DiceProbe<'a> {
    key: &'a DiceKey,
    counts: &'a mut DiceCounts,
    taken: &'a mut Vec<u16>,
}

impl DiceProbe<'_> {
    /// [`DiceKey::similarity`] of the probed key and `other`: their common bigrams are the
    /// ones `other` can take from the table, each as often as the table holds it, when either
    /// key is ASCII (the table holds the probed key's bigrams of two ASCII chars).
    pub fn similarity(&mut self, other: &DiceKey) -> f64 {
        let key = self.key;
        if let Some(s) = key.trivial(other) {
            return s;
        }
        if !key.is_ascii() && !other.is_ascii() {
            return key.similarity(other);
        }
        if !other.occurrences.is_empty() {
            let common = other
                .occurrences
                .iter()
                .filter(|&&o| self.counts[dice_slot(o)] >= o >> 16)
                .count();
            return key.ratio(other, common);
        }
        let mut common = 0usize;
        for &b in &other.buckets {
            let n = &mut self.counts[dice_slot(b.into())];
            if *n > 0 {
                *n -= 1;
                common += 1;
                self.taken.push(b);
            }
        }
        for &b in self.taken.iter() {
            self.counts[dice_slot(b.into())] += 1;
        }
        self.taken.clear();
        key.ratio(other, common)
    }
}

pub fn prepare<K: DfKey, S: BuildHasher>(
    u: &Unit,
    an: &Analyzer,
    lex: &Lexicon,
    batch_df: &HashMap<K, u32, S>,
    batch_n: u32,
) -> Prepared {
    let (terms, names) = an.terms_and_names(&u.text, lex);
    prepare_parts(u, terms, names, an, lex, batch_df, batch_n)
}

/// [`prepare`] for a unit whose [`Analyzer::terms`] are already known (the batch needed them
/// for document frequencies first; computing them twice was a tenth of a `pair` run).
pub fn prepare_with_terms<K: DfKey, S: BuildHasher>(
    u: &Unit,
    terms: Vec<Term>,
    an: &Analyzer,
    lex: &Lexicon,
    batch_df: &HashMap<K, u32, S>,
    batch_n: u32,
) -> Prepared {
    let normed = crate::text::Normed::new(&u.text);
    let names = an.names_of(&normed.tokens());
    prepare_parts(u, terms, names, an, lex, batch_df, batch_n)
}

/// [`prepare`] from a unit's [`Analyzer::terms_and_names`].
pub fn prepare_parts<K: DfKey, S: BuildHasher>(
    u: &Unit,
    terms: Vec<Term>,
    names: Vec<Term>,
    an: &Analyzer,
    lex: &Lexicon,
    batch_df: &HashMap<K, u32, S>,
    batch_n: u32,
) -> Prepared {
    let (vocab, ids, idf) = Vocab::with_idf(&count_terms(&terms), an, batch_df, batch_n);
    prepare_as(u, &ids, names, &vocab, &idf, lex, None, || {
        RefAlias::of(u, lex)
    })
}

/// [`prepare_parts`] from the unit's distinct term ids in `vocab` with their counts, `idf`
/// holding each id's inverse document frequency, for a unit that is only ever scored in its
/// own role (`Some`), as pairing scores claims against rebuttals: a claim's rebuttal side
/// (`folded`, `refs`) and a rebuttal's claim side (`aliases`) are left empty, since nothing
/// reads them. `aliases` gives the unit's [`RefAlias::of`].
#[allow(clippy::too_many_arguments)]
pub(crate) fn prepare_as(
    u: &Unit,
    counts: &[(u32, u32)],
    names: Vec<Term>,
    vocab: &std::sync::Arc<Vocab>,
    idf: &[f32],
    lex: &Lexicon,
    role: Option<crate::unit::Role>,
    aliases: impl FnOnce() -> std::sync::Arc<[RefAlias]>,
) -> Prepared {
    use crate::unit::Role;
    let vector = Vector::from_ids(counts, idf, vocab);
    // The vector's terms are the distinct terms in sorted order: the sorted, deduplicated
    // list that `content` joins, without sorting it again.
    let words = counts.iter().map(|&(t, _)| &**vocab.term(t));
    let dice = if vocab.spaced {
        DiceKey::new(&words.collect::<Vec<_>>().join(" "))
    } else {
        let mut squeezed = String::with_capacity(words.clone().map(str::len).sum());
        words.for_each(|w| squeezed.push_str(w));
        DiceKey::of_squeezed(squeezed)
    };
    // A claim meets every rebuttal of its dispute, each probed.
    let dice = if role == Some(Role::Claim) {
        dice.count_occurrences()
    } else {
        dice
    };
    let as_rebuttal = role != Some(Role::Claim);
    let folded = if as_rebuttal {
        without_own_mention(u)
    } else {
        String::new()
    };
    // Distinct terms: at most one is empty, and two or more are joined by a space.
    let has_content =
        counts.len() > 1 || counts.first().is_some_and(|t| !vocab.term(t.0).is_empty());
    Prepared {
        vector,
        dice,
        has_content,
        names,
        refs: if as_rebuttal {
            RefSide::new(&folded, lex)
        } else {
            RefSide::default()
        },
        aliases: if role != Some(Role::Rebuttal) {
            aliases()
        } else {
            Default::default()
        },
        folded,
    }
}

/// The folded text less the speaker's own mention: in "Tajikistan's Foreign Ministry
/// spokesman rejected the accusations", "Foreign Ministry" is who answers, not the source
/// answered.
fn without_own_mention(u: &Unit) -> String {
    let (text, mention) = (u.text.as_str(), u.speaker_mention.as_str());
    // Only a mention of four chars or more is taken out, so only such a one is looked for,
    // at each place its first byte is: setting up a substring searcher for each rebuttal cost
    // more than folding it (issue 7). A match of whole chars starts on a char boundary.
    let at = match mention.as_bytes().first() {
        Some(&first) if mention.chars().count() >= 4 => memchr::memchr_iter(first, text.as_bytes())
            .find(|&i| text.as_bytes()[i..].starts_with(mention.as_bytes())),
        _ => None,
    };
    match at {
        // a subject with its apposition ("X's Foreign Ministry spokesman, Farrukh Nazarov,")
        Some(at) if text[..at].split_whitespace().nth(8).is_none() => {
            crate::text::fold(&text[at + mention.len()..])
        }
        Some(at) => crate::text::fold(&format!("{} {}", &text[..at], &text[at + mention.len()..])),
        None => crate::text::fold(text),
    }
}

/// One claim × rebuttal score with its parts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Score {
    pub lexical: f32,
    pub fuzzy: f32,
    pub reference: f32,
    pub order: f32,
    pub total: f32,
    /// The vocabulary's own terms, not a copy of each: a `String` for each was a sixtieth of
    /// pairing's heap blocks (issue 7).
    pub shared: Vec<Term>,
    pub reference_phrase: String,
}

/// `w.trim_end_matches("'s")`, as the tests' plain readings of a rebuttal take its words.
#[cfg(test)]
fn trim_poss(w: &str) -> &str {
    &w[..trimmed_len(w.as_bytes())]
}

/// The length of `w` less its trailing `'s`es (`w.trim_end_matches("'s")`), by bytes:
/// without building a substring searcher per call, as [`RefSide::new`] trims every word.
fn trimmed_len(mut w: &[u8]) -> usize {
    while let [rest @ .., b'\'', b's'] = w {
        w = rest;
    }
    w.len()
}

/// A rebuttal's folded text split as [`reference`] reads it, with what does not depend on the
/// claim worked out once: a rebuttal is scored against every claim of its dispute, and
/// re-splitting it for each was a twentieth of a run (issue 7).
#[derive(Debug, Clone, Default)]
pub struct RefSide {
    /// The folded text with a space either side, for whole-word searches.
    padded: String,
    /// Each word as a byte range of `padded`.
    words: Vec<(usize, usize)>,
    /// The best reference phrase of the rebuttal's own words ("those claims").
    best: (f32, String),
    /// The (trimmed) words that stand as a source: before a reference noun ("India's
    /// allegations") or after "by". A claim's one-word alias is a source only if it is one of
    /// these, which spares a walk over the rebuttal for every alias of every claim.
    sources: Vec<(usize, usize)>,
}

/// The words of a text (runs of alphanumeric chars, `-` and `'`) as byte ranges, each one
/// past its place in the text (as in the text padded with a space in front). Byte by byte for
/// ASCII, which a rebuttal nearly all is.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    // A word and its gap take five or six bytes of news text.
    let mut words = Vec::with_capacity(text.len() / 4 + 1);
    let bytes = text.as_bytes();
    #[cfg(target_arch = "x86_64")]
    if bytes.is_ascii() {
        ascii_word_spans(bytes, &mut words);
        return words;
    }
    // Whether the char at `i` is a word's, and its length.
    let at = |i: usize| -> (bool, usize) {
        let b = bytes[i];
        if b.is_ascii() {
            (WORD_BYTES[b as usize], 1)
        } else {
            let c = text[i..].chars().next().unwrap_or_default();
            (c.is_alphanumeric(), c.len_utf8())
        }
    };
    let mut i = 0;
    loop {
        while i < bytes.len() {
            let (word, len) = at(i);
            if word {
                break;
            }
            i += len;
        }
        if i >= bytes.len() {
            return words;
        }
        let start = i;
        while i < bytes.len() {
            let (word, len) = at(i);
            if !word {
                break;
            }
            i += len;
        }
        words.push((start + 1, i + 1));
    }
}

/// [`word_spans`] of an ASCII text, from where its words start and end as bits, 64 bytes at
/// a time: byte by byte, the words were half the cost of a rebuttal's [`RefSide`] (issue 7).
#[cfg(target_arch = "x86_64")]
fn ascii_word_spans(bytes: &[u8], words: &mut Vec<(usize, usize)>) {
    // Whether the byte before the chunk is a word's, and where the word it is in starts.
    let (mut carry, mut start) = (0u64, 0);
    for (c, chunk) in bytes.chunks(64).enumerate() {
        let m = if let Ok(full) = <&[u8; 64]>::try_from(chunk) {
            word_bits(full)
        } else {
            // Padded with a byte of no word, which ends a word running to the end.
            let mut padded = [0u8; 64];
            padded[..chunk.len()].copy_from_slice(chunk);
            word_bits(&padded)
        };
        let before = m << 1 | carry;
        let starts = m & !before;
        let mut edges = starts | (!m & before);
        while edges != 0 {
            let i = edges.trailing_zeros() as usize;
            if starts >> i & 1 == 1 {
                start = 64 * c + i;
            } else {
                words.push((start + 1, 64 * c + i + 1));
            }
            edges &= edges - 1;
        }
        carry = m >> 63;
    }
    if carry == 1 {
        words.push((start + 1, bytes.len() + 1));
    }
}

/// Which of 64 ASCII bytes are [`WORD_BYTES`], as bits (SSE2 is part of every x86_64).
#[cfg(target_arch = "x86_64")]
fn word_bits(chunk: &[u8; 64]) -> u64 {
    use core::arch::x86_64::*;
    let mut m = 0u64;
    // SAFETY: SSE2 is baseline on x86_64, and each load reads 16 of the 64 bytes. The bytes
    // are ASCII, so the signed comparisons order them as unsigned ones would.
    unsafe {
        let at = |b: u8| _mm_set1_epi8(b as i8);
        for k in 0..4 {
            let v = _mm_loadu_si128(chunk.as_ptr().add(16 * k) as *const __m128i);
            let within = |v: __m128i, lo: u8, hi: u8| {
                _mm_and_si128(_mm_cmpgt_epi8(v, at(lo - 1)), _mm_cmplt_epi8(v, at(hi + 1)))
            };
            let digit = within(v, b'0', b'9');
            // A letter of either case is a lowercase one with the 0x20 bit set.
            let letter = within(_mm_or_si128(v, at(0x20)), b'a', b'z');
            let marks = _mm_or_si128(_mm_cmpeq_epi8(v, at(b'-')), _mm_cmpeq_epi8(v, at(b'\'')));
            let word = _mm_or_si128(_mm_or_si128(digit, letter), marks);
            m |= (_mm_movemask_epi8(word) as u16 as u64) << (16 * k);
        }
    }
    m
}

/// The ASCII bytes of words ([`word_spans`]): letters, digits, `-` and `'`.
const WORD_BYTES: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'-' || c == b'\'';
        b += 1;
    }
    t
};

impl RefSide {
    pub fn new(rebuttal_folded: &str, lex: &Lexicon) -> Self {
        let mut padded = String::with_capacity(rebuttal_folded.len() + 2);
        padded.push(' ');
        padded.push_str(rebuttal_folded);
        padded.push(' ');
        let words = word_spans(rebuttal_folded);
        // One pass over the words, each trimmed and looked up once, the best phrase kept as
        // places until the end: lists of the trimmed words and of their look-ups, and a
        // phrase formatted for each better one, were most of the cost (issue 7).
        // (strength, the word before, the reference noun)
        let mut best = (0.0f32, (0, 0), (0, 0));
        let mut sources = Vec::new();
        let mut before = (0, 0);
        // Words are compared as bytes: slicing the text at each was most of the cost.
        let bytes = padded.as_bytes();
        for (i, &(s, e)) in words.iter().enumerate() {
            let trimmed = (s, s + trimmed_len(&bytes[s..e]));
            if lex.is("reference_noun", &padded[trimmed.0..trimmed.1]) {
                let prev = if i > 0 { words[i - 1] } else { (0, 0) };
                let strength = if matches!(
                    &padded[prev.0..prev.1],
                    "such" | "these" | "those" | "the" | "this" | "that" | "their" | "its"
                ) {
                    0.8
                } else {
                    0.6
                };
                if strength > best.0 {
                    best = (strength, prev, trimmed);
                }
                if i > 0 {
                    sources.push(before);
                }
            }
            if i > 0 && &bytes[before.0..before.1] == b"by" {
                sources.push(trimmed);
            }
            before = trimmed;
        }
        let phrase = if best.0 > 0.0 {
            let (prev, w) = (&padded[best.1 .0..best.1 .1], &padded[best.2 .0..best.2 .1]);
            // Copied again only if trimmed (the first word has no word before it).
            let phrase = [prev, " ", w].concat();
            match phrase.trim() {
                t if t.len() == phrase.len() => phrase,
                t => t.to_string(),
            }
        } else {
            String::new()
        };
        RefSide {
            best: (best.0, phrase),
            padded,
            words,
            sources,
        }
    }

    /// Whether `a` is one of the rebuttal's words (less possessives) that comes before a
    /// reference noun or after "by".
    fn names_source(&self, a: &str) -> bool {
        self.sources.iter().any(|&(s, e)| &self.padded[s..e] == a)
    }

    fn word(&self, i: usize) -> &str {
        &self.padded[self.words[i].0..self.words[i].1]
    }
}

/// One speaker alias of a claim, folded once for [`reference`].
#[derive(Debug, Clone)]
pub struct RefAlias {
    alias: String,
    /// `" "` and the alias folded ([`RefAlias::folded`]): the alias starting a word of the
    /// padded rebuttal. One string for both was a fiftieth of pairing's heap blocks (issue 7).
    needle: String,
    doc_noun: bool,
    /// `folded` has a space (a name of several words), asked for every rebuttal.
    spaced: bool,
}

impl RefAlias {
    /// The claim's aliases, collected straight into the shared list [`Prepared::aliases`]
    /// keeps (a list made first and copied into it was one more block a speaker).
    pub fn of(claim: &Unit, lex: &Lexicon) -> std::sync::Arc<[RefAlias]> {
        claim
            .speaker_aliases
            .iter()
            .map(|alias| {
                let needle = [" ", &crate::text::fold(alias)].concat();
                let folded = &needle[1..];
                RefAlias {
                    alias: alias.clone(),
                    doc_noun: lex.is("doc_noun", folded),
                    spaced: folded.contains(' '),
                    needle,
                }
            })
            .collect()
    }

    /// The alias folded.
    fn folded(&self) -> &str {
        &self.needle[1..]
    }
}

/// How the rebuttal refers to claims: (strength, phrase). 1.0 names the claim's source,
/// 0.8 points back at "such references"/"those claims", 0.6 mentions allegations generally.
pub fn reference(claim: &Unit, rebuttal_folded: &str, lex: &Lexicon) -> (f32, String) {
    reference_prepared(
        claim,
        &RefAlias::of(claim, lex),
        &RefSide::new(rebuttal_folded, lex),
    )
}

/// [`reference`] from a claim's [`RefAlias`]es and a rebuttal's [`RefSide`].
pub fn reference_prepared(claim: &Unit, aliases: &[RefAlias], r: &RefSide) -> (f32, String) {
    let (strength, phrase) = reference_by(claim, aliases, r);
    (strength, phrase.to_string())
}

/// [`reference_prepared`] with its phrase borrowed. It depends on the claim only through
/// whether it has a party and through its aliases, so claims of one speaker share it.
pub(crate) fn reference_by<'a>(
    claim: &Unit,
    aliases: &'a [RefAlias],
    r: &'a RefSide,
) -> (f32, &'a str) {
    // The best of the rebuttal's own words; the claim's speaker or its descriptors ("the
    // joint statement", "the regulator") can only beat it.
    let mut best: (f32, Option<&str>) = (r.best.0, None);
    if !claim.party.is_empty() {
        let n = r.words.len();
        for al in aliases {
            let a = al.folded();
            if a.len() < 3 {
                continue;
            }
            // A one-word party name counts only as a source ("India's allegations", "made by
            // India"); elsewhere it is as likely the object of a counter-charge.
            // A document is named as the source when the rebuttal says whose it is ("a joint
            // statement issued by Egypt", "the letter from the FDA"), not when the responder
            // speaks "in a statement" of its own.
            let document_source = al.doc_noun
                && (1..n).any(|i| {
                    let (w0, w1) = (r.word(i - 1), r.word(i));
                    (w0 == "joint" && w1 == a)
                        || (w0 == a && matches!(w1, "issued" | "released" | "by" | "from"))
                });
            let as_source = al.spaced || document_source || r.names_source(a);
            if as_source && r.padded.contains(al.needle.as_str()) {
                // A longer name ("the joint statement") pins the source down better than a
                // party name the rebuttal may mention for other reasons.
                let is_generic = matches!(a, "statement" | "report" | "ministry" | "government");
                let s = if is_generic {
                    0.9
                } else if al.spaced {
                    1.0
                } else {
                    0.95
                };
                if s > best.0 {
                    best = (s, Some(al.alias.as_str()));
                }
            }
        }
    }
    match best.1 {
        Some(alias) => (best.0, alias),
        None => (r.best.0, &r.best.1),
    }
}

pub fn score(
    claim: &Unit,
    c: &Prepared,
    rebuttal: &Unit,
    r: &Prepared,
    _lex: &Lexicon,
    w: &Weights,
) -> Score {
    let names = name_similarity(&c.names, &r.names, |a, b| {
        jaro_winkler(&c.names[a], &r.names[b])
    });
    score_with_names(claim, c, rebuttal, r, w, names)
}

/// `strsim::jaro_winkler`, bit for bit, over bytes and bit sets for ASCII strings of at most
/// 64 bytes (names nearly always are): strsim decodes the second string afresh for every
/// character of the first and allocates its flags, and names are compared for every claim ×
/// rebuttal.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    jaro_winkler_with(a, &JaroSide::new(b))
}

/// The second string of [`jaro_winkler`] made ready once, for comparing many strings with
/// it (a rebuttal's names meet every name of every claim of its dispute).
pub struct JaroSide<'a> {
    s: &'a str,
    /// Where each byte occurs in `s`, as bits, for an ASCII `s` of at most 64 bytes.
    at: Option<Box<[u64; 128]>>,
}

impl<'a> JaroSide<'a> {
    pub fn new(s: &'a str) -> Self {
        let at = (s.is_ascii() && s.len() <= 64).then(|| {
            let mut at = Box::new([0u64; 128]);
            for (j, &y) in s.as_bytes().iter().enumerate() {
                at[y as usize] |= 1 << j;
            }
            at
        });
        JaroSide { s, at }
    }
}

/// [`jaro_winkler`] of `a` and the side's string.
pub fn jaro_winkler_with(a: &str, side: &JaroSide) -> f64 {
    let b = side.s;
    // Equal strings score exactly 1.0 by either path below (all characters match in order,
    // and the prefix bonus scales 1.0 - 1.0).
    if a == b {
        return 1.0;
    }
    let Some(at) = side.at.as_deref() else {
        return strsim::jaro_winkler(a, b);
    };
    if !a.is_ascii() || a.len() > 64 {
        return strsim::jaro_winkler(a, b);
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (al, bl) = (a.len(), b.len());
    let sim = if al == 0 && bl == 0 {
        1.0
    } else if al == 0 || bl == 0 {
        0.0
    } else {
        let range = (al.max(bl) / 2).saturating_sub(1);
        // `at`: where each byte occurs in `b`. strsim's first unflagged match in the window
        // is the lowest bit of (occurrences & window & unflagged).
        let (mut a_flags, mut b_flags) = (0u64, 0u64);
        let mut matches = 0usize;
        // The window of byte i of `a` is bytes i - range ..= i + range of `b`: its bounds as
        // masks, moved one bit a byte rather than made from shifts of each byte's bounds
        // (names meet names for every rebuttal, issue 7). An empty window is no mask.
        let ones = |n: usize| if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
        let all_b = ones(bl);
        let (mut below_hi, mut below_lo) = (ones(bl.min(range + 1)), 0u64);
        for (i, &x) in a.iter().enumerate() {
            if i > 0 {
                below_hi = (below_hi << 1 | 1) & all_b;
                if i > range {
                    below_lo = below_lo << 1 | 1;
                }
            }
            let window = below_hi & !below_lo;
            // `a` is ASCII: the mask keeps `x` as it is, and spares a bounds check.
            let free = at[x as usize & 127] & window & !b_flags;
            if free != 0 {
                a_flags |= 1 << i;
                b_flags |= 1 << free.trailing_zeros();
                matches += 1;
            }
        }
        if matches == 0 {
            0.0
        } else {
            // The k-th matched byte of `a` against the k-th matched byte of `b`.
            let mut transpositions = 0usize;
            let (mut af, mut bf) = (a_flags, b_flags);
            while af != 0 {
                let (i, j) = (af.trailing_zeros() as usize, bf.trailing_zeros() as usize);
                if a[i] != b[j] {
                    transpositions += 1;
                }
                af &= af - 1;
                bf &= bf - 1;
            }
            transpositions /= 2;
            ((matches as f64 / al as f64)
                + (matches as f64 / bl as f64)
                + ((matches - transpositions) as f64 / matches as f64))
                / 3.0
        }
    };
    if sim > 0.7 {
        let prefix = a.iter().take(4).zip(b).take_while(|(x, y)| x == y).count();
        sim + 0.1 * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// How well the names of a claim (`a` of them) meet those of a rebuttal (`b`): for each claim
/// name the best Jaro–Winkler against the rebuttal's names, averaged. `sim(i, j)` is the
/// similarity of claim name `i` and rebuttal name `j`, which a caller may have cached.
pub fn name_similarity<A, B>(
    a: &[A],
    b: &[B],
    mut sim: impl FnMut(usize, usize) -> f64,
) -> Option<f32> {
    name_similarity_by(a, b, |i| best_match(b.len(), |j| sim(i, j)))
}

/// The best of `sim(j)` for `j` in `0..n` (0.0 if none), as [`name_similarity`] takes it
/// for one claim name.
pub fn best_match(n: usize, mut sim: impl FnMut(usize) -> f64) -> f64 {
    // No similarity exceeds 1.0, so the first exact match is the best: the names a claim
    // and its rebuttal share are nearly always spelt alike.
    let mut best = 0.0f64;
    for j in 0..n {
        best = best.max(sim(j));
        if best == 1.0 {
            break;
        }
    }
    best
}

/// [`name_similarity`] from each claim name's [`best_match`] against the rebuttal's names,
/// `best(i)`, which a caller may have kept from another claim with the same name.
pub fn name_similarity_by<A, B>(
    a: &[A],
    b: &[B],
    mut best: impl FnMut(usize) -> f64,
) -> Option<f32> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let s: f64 = (0..a.len()).map(&mut best).sum::<f64>() / a.len() as f64;
    Some(s as f32)
}

/// [`score`] with the name similarity ([`name_similarity`]) already worked out.
pub fn score_with_names(
    claim: &Unit,
    c: &Prepared,
    rebuttal: &Unit,
    r: &Prepared,
    w: &Weights,
    names: Option<f32>,
) -> Score {
    let dice = if !c.has_content() || !r.has_content() {
        0.0
    } else {
        c.dice.similarity(&r.dice) as f32
    };
    let reference = reference_by(claim, &c.aliases, &r.refs);
    let cosine = c.vector.cosine_top(&r.vector, SHARED_KEPT);
    score_with_reference(claim, rebuttal, w, names, dice, reference, cosine)
}

/// Shared terms a score keeps ([`Score::shared`]).
pub(crate) const SHARED_KEPT: usize = 5;

/// [`score_with_names`] from its parts, which a caller may have worked out otherwise: the
/// Sørensen–Dice similarity of the contents (0.0 when either is empty; with a [`DiceProbe`]),
/// the claim's [`reference_by`] (kept from another claim of the same speaker), and the cosine
/// of the claim's vector with the rebuttal's and their [`SHARED_KEPT`] top shared terms
/// ([`Vector::cosine_top`]).
#[allow(clippy::too_many_arguments)]
pub(crate) fn score_with_reference(
    claim: &Unit,
    rebuttal: &Unit,
    w: &Weights,
    names: Option<f32>,
    dice: f32,
    (reference, phrase): (f32, &str),
    (lexical, shared): (f32, Vec<Term>),
) -> Score {
    let fuzzy = match names {
        Some(n) => 0.5 * dice + 0.5 * n,
        None => dice,
    };
    let reference_phrase = phrase.to_string();
    // Order prior: answers usually follow, and nearby; a lede rebuttal may come first.
    let dp = rebuttal.paragraph as f32 - claim.paragraph as f32;
    let order = if dp >= 0.0 {
        (-dp / 4.0).exp()
    } else {
        0.5 * (dp / 4.0).exp()
    };
    let total = w.lexical * lexical + w.fuzzy * fuzzy + w.reference * reference + w.order * order;
    Score {
        lexical,
        fuzzy,
        reference,
        order,
        total,
        shared,
        reference_phrase,
    }
}

/// Each article file of `dir`, read and extracted (for tests on real articles).
#[cfg(test)]
pub(crate) fn extracted_articles(
    dir: &str,
    lex: &Lexicon,
) -> Vec<(crate::article::Article, crate::extract::Extraction)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let art = crate::article::Article {
                id: path.display().to_string(),
                text: std::fs::read_to_string(&path).unwrap(),
                ..Default::default()
            };
            let ex = crate::extract::extract(&art, lex, &Default::default()).unwrap();
            (art, ex)
        })
        .collect()
}

/// A text of fewer than `most` of `words`, each followed by one of `gaps`, drawn by `next`.
#[cfg(test)]
pub(crate) fn random_words(
    next: &mut impl FnMut() -> u64,
    words: &[&str],
    gaps: &[&str],
    most: u64,
) -> String {
    (0..next() % most)
        .map(|_| {
            let w = words[(next() % words.len() as u64) as usize];
            [w, gaps[(next() % gaps.len() as u64) as usize]].concat()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thread's words, short ones in the word table and long ones in the map, read back as
    /// a plain map of them holds them, entries updated as their terms are found.
    #[test]
    fn term_table_words_read_back_as_a_map() {
        let mut rng = crate::testrng::XorShift(0x9E3779B97F4A7C15);
        let mut next = || rng.next();
        let mut table = TermTable::default();
        let mut plain: HashMap<String, (bool, bool, bool, u32, u32)> = HashMap::new();
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let w: String = (0..len)
                .map(|k| ['a', 'b', 'é', 'x'][((next() >> k) % 4) as usize])
                .collect();
            let got = table
                .word(&w)
                .map(|e| (e.function(), e.not_content(), e.party(), e.term(), e.name()));
            assert_eq!(got, plain.get(&w).copied(), "{w:?}");
            let bits = next();
            let (function, not_content, party) = (bits & 1 == 1, bits & 2 == 2, bits & 4 == 4);
            let term = if bits & 8 == 8 {
                NO_TERM
            } else {
                (bits >> 32) as u32 % 5000
            };
            let name = if bits & 16 == 16 {
                NO_NAME
            } else {
                (bits >> 40) as u32 % 5000
            };
            let e = WordEntry::new(function, not_content, party)
                .with_term(term)
                .with_name(name);
            table.set_word(&w, e);
            plain.insert(w, (function, not_content, party, term, name));
        }
        assert_eq!(table.word_count(), plain.len());
        assert!(!table.long_words.is_empty());
    }

    /// A unit's Sørensen–Dice key from its terms one after the other is the key of its content
    /// words joined by spaces, and it has content when that is not empty: spaced, empty and
    /// non-ASCII terms too.
    #[test]
    fn dice_keys_of_squeezed_terms_are_those_of_the_joined_content() {
        let an = Analyzer::new();
        let lex = Lexicon::builtin();
        let u = crate::retrieve::Item::unit("u", "t", crate::unit::Role::Claim).unit;
        let pool = [
            "ab",
            "",
            "c d",
            "\u{e9}t\u{e9}",
            "x\u{a0}y",
            "abc",
            "b",
            "c\td",
        ];
        let mut rng = crate::testrng::XorShift(0x2545F4914F6CDD1D);
        let mut next = || rng.next();
        let empty: HashMap<String, u32> = HashMap::new();
        for _ in 0..3000 {
            let plain_only = next() % 2 == 0;
            let terms: Vec<Term> = (0..next() % 5)
                .map(|_| pool[(next() % pool.len() as u64) as usize])
                .filter(|t| !plain_only || !has_whitespace(t))
                .map(Term::from)
                .collect();
            let p = prepare_parts(&u, terms.clone(), Vec::new(), &an, &lex, &empty, 1);
            let mut distinct: Vec<&str> = terms.iter().map(|t| &**t).collect();
            distinct.sort_unstable();
            distinct.dedup();
            let content = distinct.join(" ");
            assert_eq!(
                format!("{:?}", p.dice),
                format!("{:?}", DiceKey::new(&content)),
                "{terms:?}"
            );
            assert_eq!(p.has_content(), !content.is_empty(), "{terms:?}");
        }
    }

    /// [`RefSide::new`] as it was written, in passes over lists of the words: the
    /// specification of the one-pass version.
    fn ref_side_plain(rebuttal_folded: &str, lex: &Lexicon) -> RefSide {
        let mut padded = String::with_capacity(rebuttal_folded.len() + 2);
        padded.push(' ');
        padded.push_str(rebuttal_folded);
        padded.push(' ');
        // A word and its gap take five or six bytes of news text.
        let words = word_spans(rebuttal_folded);
        let trimmed: Vec<(usize, usize)> = words
            .iter()
            .map(|&(s, e)| (s, s + trim_poss(&padded[s..e]).len()))
            .collect();
        let ref_noun: Vec<bool> = trimmed
            .iter()
            .map(|&(s, e)| lex.is("reference_noun", &padded[s..e]))
            .collect();
        let mut best = (0.0f32, String::new());
        for i in 0..words.len() {
            if !ref_noun[i] {
                continue;
            }
            let (s, e) = trimmed[i];
            let w = &padded[s..e];
            let prev = if i > 0 {
                &padded[words[i - 1].0..words[i - 1].1]
            } else {
                ""
            };
            let strength = if matches!(
                prev,
                "such" | "these" | "those" | "the" | "this" | "that" | "their" | "its"
            ) {
                0.8
            } else {
                0.6
            };
            if strength > best.0 {
                best = (strength, format!("{prev} {w}").trim().to_string());
            }
        }
        let mut sources = Vec::new();
        for i in 1..words.len() {
            if ref_noun[i] {
                sources.push(trimmed[i - 1]);
            }
            let (s, e) = trimmed[i - 1];
            if &padded[s..e] == "by" {
                sources.push(trimmed[i]);
            }
        }
        RefSide {
            padded,
            words,
            best,
            sources,
        }
    }

    #[test]
    fn a_rebuttal_side_in_one_pass_is_the_one_in_passes() {
        let lex = Lexicon::builtin();
        let words = [
            "the",
            "those",
            "allegations",
            "india's",
            "claims's",
            "by",
            "its",
            "report",
            "x",
            "\u{e9}t\u{e9}",
            "statement",
            "'s",
            "-",
            "such",
            "ruling",
        ];
        let mut rng = crate::testrng::XorShift(0x9E3779B97F4A7C15);
        let mut next = || rng.next();
        let mut best = 0;
        for _ in 0..20_000 {
            let text = random_words(&mut next, &words, &[" ", ", ", "  ", ".", ""], 9);
            let (fast, plain) = (RefSide::new(&text, &lex), ref_side_plain(&text, &lex));
            assert_eq!(format!("{fast:?}"), format!("{plain:?}"), "{text:?}");
            best += (plain.best.0 > 0.0) as usize;
        }
        assert!(best > 1000);
    }

    /// A unit's folded text less its speaker's mention, found at the places of the
    /// mention's first byte, is the one `str::find` and a clone of the text give.
    #[test]
    fn own_mention_found_by_its_first_byte_is_the_one_find_finds() {
        fn plain(u: &Unit) -> String {
            let text = match u.text.find(u.speaker_mention.as_str()) {
                Some(at)
                    if u.speaker_mention.chars().count() >= 4
                        && u.text[..at].split_whitespace().count() <= 8 =>
                {
                    u.text[at + u.speaker_mention.len()..].to_string()
                }
                Some(at) if u.speaker_mention.chars().count() >= 4 => format!(
                    "{} {}",
                    &u.text[..at],
                    &u.text[at + u.speaker_mention.len()..]
                ),
                _ => u.text.clone(),
            };
            crate::text::fold(&text)
        }
        let words = [
            "Foreign",
            "Ministry",
            "F",
            "For",
            "\u{e9}t\u{e9}",
            "said",
            "a",
            " ",
        ];
        let mut rng = crate::testrng::XorShift(0x2545F4914F6CDD1D);
        let mut next = || rng.next();
        let mut u = crate::retrieve::Item::unit("u", "t", crate::unit::Role::Rebuttal).unit;
        let mut pick = |n: u64| -> String {
            (0..next() % n)
                .map(|_| words[(next() % words.len() as u64) as usize])
                .collect::<Vec<_>>()
                .join(" ")
        };
        for _ in 0..20_000 {
            u.text = pick(24);
            u.speaker_mention = pick(4);
            assert_eq!(without_own_mention(&u), plain(&u), "{u:?}");
        }
    }

    /// A probed vector's cosines and top shared terms with vectors of its vocabulary, by
    /// its table of ids, are the side-by-side walk's, bit for bit; of another vocabulary too.
    #[test]
    fn probed_cosines_are_the_walked_ones() {
        let pool = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
        let mut rng = crate::testrng::XorShift(0x9E3779B97F4A7C15);
        let mut next = || rng.next();
        let mut shared = 0;
        for _ in 0..300 {
            let units: Vec<Vec<Term>> = (0..1 + next() % 6)
                .map(|_| {
                    (0..next() % 9)
                        .map(|_| Term::from(pool[(next() % pool.len() as u64) as usize]))
                        .collect()
                })
                .collect();
            let (vocab, counts) = Vocab::intern(&units);
            let vocab = std::sync::Arc::new(vocab);
            // Weights with ties, so that the order of the shared terms is tested.
            let idf: Vec<f32> = (0..vocab.len())
                .map(|_| [0.5, 1.0, 1.5][(next() % 3) as usize])
                .collect();
            let vectors: Vec<Vector> = counts
                .iter()
                .map(|c| Vector::from_ids(c, &idf, &vocab))
                .collect();
            let other = Vector::build(
                &units[0],
                &Analyzer::new(),
                &HashMap::<String, u32>::new(),
                1,
            );
            // One table for every probe, as pairing keeps it, all zeros between probes.
            let mut table = Vec::new();
            for r in &vectors {
                r.probe(&mut table, |p| {
                    for c in vectors.iter().chain([&other]) {
                        for k in [0, 1, 3, 5] {
                            let (want, got) =
                                (c.cosine_top(r, k), p.cosine_top(c, k, &mut vec![(9, 0.5)]));
                            assert_eq!(want.0.to_bits(), got.0.to_bits());
                            assert_eq!(want.1, got.1);
                            shared += want.1.len();
                        }
                    }
                });
                assert!(table.iter().all(|&x| x == 0));
            }
        }
        assert!(shared > 1000);
    }

    /// A term frequency of one weighs its term by its IDF alone, as `1 + ln 1` does.
    #[test]
    fn a_single_occurrence_weighs_as_one_plus_its_log() {
        assert_eq!((1.0f32).ln().to_bits(), 0.0f32.to_bits());
        let vocab = std::sync::Arc::new(Vocab::default());
        let mut rng = crate::testrng::XorShift(0x2545F4914F6CDD1D);
        for _ in 0..2000 {
            let idf: Vec<f32> = (0..4).map(|_| (rng.next() % 1000) as f32 / 97.0).collect();
            let counts: Vec<(u32, u32)> =
                (0..4).map(|t| (t, 1 + (rng.next() % 3) as u32)).collect();
            let v = Vector::from_ids(&counts, &idf, &vocab);
            let plain: Vec<f32> = counts
                .iter()
                .map(|&(t, n)| (1.0 + (n as f32).ln()) * idf[t as usize])
                .collect();
            let norm = plain.iter().map(|x| x * x).sum::<f32>().sqrt();
            for (k, &(_, w)) in v.terms.iter().enumerate() {
                let want = if norm > 0.0 {
                    plain[k] / norm
                } else {
                    plain[k]
                };
                assert_eq!(w.to_bits(), want.to_bits());
            }
        }
    }

    #[test]
    fn families_meet() {
        let an = Analyzer::new();
        let lex = Lexicon::builtin();
        let a = an.terms("accused the country of supporting extremism", &lex);
        let b = an.terms(
            "dismissed the allegations of supporting extremist activities",
            &lex,
        );
        assert!(
            a.iter().any(|t| b.contains(t) && t.starts_with("extrem")),
            "{a:?} {b:?}"
        );
        // cue words are not content
        assert!(!a.iter().any(|t| t.starts_with("accus")));
    }

    #[test]
    fn jaro_winkler_matches_strsim() {
        let mut rng = crate::testrng::XorShift(0x9E3779B97F4A7C15);
        let mut next = || rng.next();
        let letters = b"aabbcdeinorst";
        let word = |n: u64, len: usize| -> String {
            (0..len)
                .map(|k| letters[((n >> (k * 4 % 60)) % letters.len() as u64) as usize] as char)
                .collect()
        };
        for _ in 0..50_000 {
            let (x, y) = (next(), next());
            let a = word(x, (x % 20) as usize);
            let b = word(y, (y % 20) as usize);
            let long_a = a.repeat(1 + (y % 4) as usize);
            let long_b = b.repeat(1 + (x % 4) as usize);
            for (a, b) in [(&long_a, &b), (&a, &long_b), (&long_a, &long_b)] {
                if a.len() <= 64 && b.len() <= 64 {
                    assert_eq!(
                        jaro_winkler(a, b).to_bits(),
                        strsim::jaro_winkler(a, b).to_bits(),
                        "{a:?} {b:?}"
                    );
                }
            }
            for (a, b) in [(&a, &b), (&a, &a), (&b, &a)] {
                assert_eq!(
                    jaro_winkler(a, b).to_bits(),
                    strsim::jaro_winkler(a, b).to_bits(),
                    "{a:?} {b:?}"
                );
            }
        }
        let long = "x".repeat(70);
        for (a, b) in [
            ("", ""),
            ("", "a"),
            ("pakistan", "pakistani"),
            ("café", "cafe"),
        ] {
            assert_eq!(jaro_winkler(a, b), strsim::jaro_winkler(a, b));
        }
        assert_eq!(jaro_winkler(&long, "xx"), strsim::jaro_winkler(&long, "xx"));
    }

    #[test]
    fn name_similarity_stops_at_an_exact_match_without_changing_the_result() {
        let names = [
            "pakistan",
            "india",
            "pakistani",
            "indian",
            "islamabad",
            "india",
            "x",
        ];
        let pick = |mask: u32| -> Vec<String> {
            (0..names.len())
                .filter(|k| mask >> k & 1 == 1)
                .map(|k| names[k].to_string())
                .collect()
        };
        for ma in 0..1u32 << names.len() {
            let a = pick(ma);
            for mb in (0..1u32 << names.len()).step_by(7) {
                let b = pick(mb);
                let fast = name_similarity(&a, &b, |i, j| jaro_winkler(&a[i], &b[j]));
                let plain = (!a.is_empty() && !b.is_empty()).then(|| {
                    let s: f64 = a
                        .iter()
                        .map(|x| {
                            b.iter()
                                .map(|y| strsim::jaro_winkler(x, y))
                                .fold(0.0, f64::max)
                        })
                        .sum::<f64>()
                        / a.len() as f64;
                    s as f32
                });
                assert_eq!(
                    fast.map(f32::to_bits),
                    plain.map(f32::to_bits),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn a_kept_jaro_side_and_kept_best_matches_score_as_name_similarity() {
        let pool = [
            "pakistan",
            "india",
            "pakistani",
            "indian",
            "modi",
            "sharif",
            "café",
            "x",
            "",
        ];
        let mut rng = crate::testrng::XorShift(0x9E3779B97F4A7C15);
        let mut next = || rng.next();
        let pick = |next: &mut dyn FnMut() -> u64, n: u64| -> Vec<String> {
            (0..next() % n)
                .map(|_| pool[(next() % pool.len() as u64) as usize].to_string())
                .collect()
        };
        let long = "n".repeat(70);
        for _ in 0..2_000 {
            let mut b = pick(&mut next, 4);
            if next() % 8 == 0 {
                b.push(long.clone());
            }
            let sides: Vec<JaroSide> = b.iter().map(|x| JaroSide::new(x)).collect();
            // One memo across several claims, as pairing keeps it per rebuttal.
            let mut memo: HashMap<String, f64> = HashMap::new();
            for _ in 0..4 {
                let a = pick(&mut next, 5);
                let plain = name_similarity(&a, &b, |i, j| strsim::jaro_winkler(&a[i], &b[j]));
                let kept = name_similarity_by(&a, &b, |i| {
                    *memo.entry(a[i].clone()).or_insert_with(|| {
                        best_match(sides.len(), |j| jaro_winkler_with(&a[i], &sides[j]))
                    })
                });
                assert_eq!(
                    plain.map(f32::to_bits),
                    kept.map(f32::to_bits),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    /// Possessives trimmed on bytes are the repeated strips of `'s` from the text.
    #[test]
    fn possessives_trim_as_repeated_suffix_strips() {
        let mut rng = crate::testrng::XorShift(0x2545F4914F6CDD1D);
        let mut next = || rng.next();
        let pieces = ["'", "s", "'s", "a", "\u{e9}", "S"];
        for _ in 0..5_000 {
            let w: String = (0..next() % 8)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let mut plain = w.as_str();
            while let Some(r) = plain.strip_suffix("'s") {
                plain = r;
            }
            assert_eq!(trim_poss(&w), plain, "{w:?}");
        }
    }

    #[test]
    fn ids_counted_by_their_bits_are_the_sorted_runs() {
        let mut rng = crate::testrng::XorShift(0x2545_F491_4F6C_DD1D);
        let mut next = || rng.next();
        for _ in 0..2000 {
            let v = 1 + (next() % 300) as usize;
            let (mut bits, mut count) = (vec![0u64; v.div_ceil(64)], vec![0u32; v]);
            for _ in 0..4 {
                let mut ids: Vec<u32> = (0..next() % 40)
                    .map(|_| (next() % v as u64) as u32)
                    .collect();
                // Appended to what the list holds.
                let mut got = vec![(7, 7)];
                id_counts(&ids, &mut bits, &mut count, &mut got);
                assert_eq!(got[1..], run_counts(&mut ids));
                assert!(bits.iter().all(|&b| b == 0) && count.iter().all(|&n| n == 0));
            }
        }
    }

    #[test]
    fn word_spans_are_the_char_walk() {
        let plain = |text: &str| {
            let mut words = Vec::new();
            let mut start = None;
            for (i, c) in text.char_indices() {
                let in_word = c.is_alphanumeric() || c == '-' || c == '\'';
                match (in_word, start) {
                    (true, None) => start = Some(i),
                    (false, Some(s)) => {
                        words.push((s + 1, i + 1));
                        start = None;
                    }
                    _ => {}
                }
            }
            if let Some(s) = start {
                words.push((s + 1, text.len() + 1));
            }
            words
        };
        let pieces = [
            "a", "B7", " ", "-", "'", ",", "\u{e9}", "\u{201c}", "\u{3c0}", "\t", "x\u{308}",
        ];
        let mut rng = crate::testrng::XorShift(0x9E3779B97F4A7C15);
        let mut next = || rng.next();
        for _ in 0..20_000 {
            let t: String = (0..next() % 12)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            assert_eq!(word_spans(&t), plain(&t), "{t:?}");
        }
        // ASCII texts, read 64 bytes at a time: words across and up to every chunk's end,
        // and every ASCII byte.
        let ascii = [
            "ab", "Z9", " ", "-", "'", ",", "\t", "x", "@", "[", "`", "{", "/", ":", "\u{7f}", "\0",
        ];
        for _ in 0..20_000 {
            let t: String = (0..next() % 90)
                .map(|_| ascii[(next() % ascii.len() as u64) as usize])
                .collect();
            assert_eq!(word_spans(&t), plain(&t), "{t:?}");
        }
        let every: String = (0u8..128).map(char::from).collect();
        assert_eq!(word_spans(&every), plain(&every));
    }

    #[test]
    fn kept_sources_answer_as_the_walk_over_the_words() {
        let lex = Lexicon::builtin();
        let words = [
            "by",
            "india",
            "india's",
            "allegations",
            "claims",
            "the",
            "statement",
            "by",
            "x",
            "by",
            "report",
        ];
        let mut rng = crate::testrng::XorShift(0x2545F4914F6CDD1D);
        let mut next = || rng.next();
        for _ in 0..5_000 {
            let t: Vec<&str> = (0..next() % 8)
                .map(|_| words[(next() % words.len() as u64) as usize])
                .collect();
            let r = RefSide::new(&t.join(" "), &lex);
            let n = r.words.len();
            // The walk `reference` made over the words, less their possessives.
            let trimmed: Vec<&str> = (0..n).map(|i| trim_poss(r.word(i))).collect();
            let ref_noun: Vec<bool> = trimmed
                .iter()
                .map(|w| lex.is("reference_noun", w))
                .collect();
            for a in words.iter().chain(&["", "zz"]) {
                let walk = (1..n).any(|i| {
                    let (x, y) = (trimmed[i - 1], trimmed[i]);
                    (x == *a && ref_noun[i]) || (x == "by" && y == *a)
                });
                assert_eq!(r.names_source(a), walk, "{t:?} {a:?}");
            }
        }
    }

    /// Texts put in order by their prefixes' leading bits and then by comparison come in
    /// plain text order, among them texts alike in their first eight bytes and more.
    #[test]
    fn text_order_is_the_sorted_order() {
        let mut rng = crate::testrng::XorShift(0x2545F4914F6CDD1D);
        let mut next = || rng.next();
        let pieces = [
            "a",
            "b",
            "government",
            "governmen",
            "\u{e9}",
            "z",
            "\u{1}",
            " ",
        ];
        for _ in 0..2_000 {
            let mut texts: Vec<String> = (0..next() % 40)
                .map(|_| {
                    (0..next() % 5)
                        .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                        .collect()
                })
                .collect();
            texts.sort();
            texts.dedup();
            // In an order of their own, not the sorted one.
            let n = texts.len();
            let shuffled: Vec<&String> = (0..n).map(|k| &texts[(k * 7 + 3) % n]).collect();
            if n > 0 && (7 % n == 0 || n % 7 == 0) {
                continue;
            }
            let got: Vec<&String> = text_order(
                n,
                |x| text_prefix(shuffled[x as usize]),
                |x, y| shuffled[x as usize].cmp(shuffled[y as usize]),
            )
            .iter()
            .map(|&x| shuffled[x as usize])
            .collect();
            assert_eq!(got, texts.iter().collect::<Vec<_>>());
        }
    }

    /// An article's vocabulary gives each unit what [`count_terms`] gives, in ids: terms
    /// long and short, alike in their first eight bytes or more, and the same text in
    /// different strings (a stem cache that started over).
    #[test]
    fn interned_terms_count_as_count_terms() {
        let words = [
            "a",
            "b",
            "ab",
            "abcdefgh",
            "abcdefghi",
            "abcdefgg",
            "abcdefgh\0",
            "extrem",
            "extremi",
            "z\u{e9}",
            "",
            "abcdefghij",
        ];
        let pool: Vec<Term> = words.iter().map(|w| Term::from(*w)).collect();
        let copies: Vec<Term> = words.iter().map(|w| Term::from(*w)).collect();
        let mut rng = crate::testrng::XorShift(0x2545F4914F6CDD1D);
        let mut next = || rng.next();
        for _ in 0..300 {
            let units: Vec<Vec<Term>> = (0..next() % 7)
                .map(|_| {
                    (0..next() % 12)
                        .map(|_| {
                            let k = (next() % words.len() as u64) as usize;
                            if next() % 4 == 0 {
                                copies[k].clone()
                            } else {
                                pool[k].clone()
                            }
                        })
                        .collect()
                })
                .collect();
            let (vocab, ids) = Vocab::intern(&units);
            let all: Vec<&str> = vocab.terms.iter().map(|t| t.as_ref()).collect();
            assert!(all.windows(2).all(|w| w[0] < w[1]), "{all:?}");
            for (u, got) in units.iter().zip(&ids) {
                let got: Vec<(String, u32)> = got
                    .iter()
                    .map(|&(t, n)| (vocab.term(t).to_string(), n))
                    .collect();
                let want: Vec<(String, u32)> = count_terms(u)
                    .into_iter()
                    .map(|(t, n)| (t.to_string(), n))
                    .collect();
                assert_eq!(got, want, "{u:?}");
            }
        }
    }

    /// [`Analyzer::terms`] as it was written before the thread's table: the grammar-word
    /// test, the lexicon's tests and the stemmer, one token at a time.
    fn terms_plain(an: &Analyzer, text: &str, lex: &Lexicon) -> Vec<String> {
        let normed = crate::text::Normed::new(text);
        let toks = normed.tokens();
        let in_party = in_multi_word_party(text, &toks, lex);
        toks.iter()
            .zip(in_party)
            .filter(|(_, party)| !party)
            .map(|(t, _)| t)
            .filter(|t| t.is_word())
            .filter(|t| {
                let n = t.norm;
                let raw = &text[t.start..t.end];
                if n == "us" && !raw.starts_with("US") {
                    return false;
                }
                !FUNCTION_WORDS.contains(&n)
                    && !lex.single_cue_tok(t)
                    && !lex.is_tok("reference_noun", t)
                    && (!t.cap || !lex.party_word_tok(t))
            })
            .map(|t| family(&an.stemmer.stem(t.norm)).to_string())
            .collect()
    }

    /// An article's numbered terms are each unit's [`count_terms`] of its [`Analyzer::terms`],
    /// with its names, from the units' tokens or without them, and again after the thread's
    /// table has filled up and started over.
    #[test]
    fn article_terms_are_each_units_counted_terms() {
        let an = Analyzer::new();
        let lex = Lexicon::builtin();
        let articles: Vec<_> = ["data/articles", "data/heldout/articles"]
            .into_iter()
            .flat_map(|dir| extracted_articles(dir, &lex))
            .map(|(_, ex)| (ex.units, ex.unit_tokens))
            .collect();
        for round in 0..2 {
            if round == 1 {
                let many: String = (0..STEM_CACHE_MAX + 10)
                    .map(|k| format!("w{k}x "))
                    .collect();
                assert!(an.terms(&many, &lex).len() > STEM_CACHE_MAX);
            }
            for (units, tokens) in &articles {
                for toks in [None, Some(tokens)] {
                    let got = an.article_terms(units, toks, &lex);
                    let all: Vec<&str> = got.vocab.terms.iter().map(|t| t.as_ref()).collect();
                    assert!(all.windows(2).all(|w| w[0] < w[1]), "{all:?}");
                    for (t, &df) in all.iter().zip(&got.bg_df) {
                        assert_eq!(an.bg_df.get(*t).copied().unwrap_or(0), df, "{t}");
                    }
                    for (k, u) in units.iter().enumerate() {
                        let (terms, names) = an.terms_and_names(&u.text, &lex);
                        let strings: Vec<String> = terms.iter().map(|t| t.to_string()).collect();
                        assert_eq!(strings, terms_plain(&an, &u.text, &lex), "{}", u.text);
                        let normed = crate::text::Normed::new(&u.text);
                        let toks = normed.tokens();
                        assert_eq!(names, an.names_of(&toks), "{}", u.text);
                        let want: Vec<(String, u32)> = count_terms(&terms)
                            .into_iter()
                            .map(|(t, n)| (t.to_string(), n))
                            .collect();
                        let have: Vec<(String, u32)> = got
                            .counts
                            .of(k)
                            .iter()
                            .map(|&(t, n)| (got.vocab.term(t).to_string(), n))
                            .collect();
                        assert_eq!(have, want, "{}", u.text);
                        assert_eq!(got.names[k], names);
                    }
                }
            }
        }
    }

    /// Vectors of one vocabulary (ids compared) and of separate ones (texts compared) give the
    /// same cosine and shared terms.
    #[test]
    fn cosine_by_ids_matches_cosine_by_text() {
        let an = Analyzer::new();
        let lex = Lexicon::builtin();
        let df: HashMap<Term, u32> = HashMap::new();
        let texts = [
            "accused the country of supporting extremism and terror",
            "denied supporting extremist terror groups in the country",
            "the sanctions on oil exports and the tanker seizure",
            "sanctions, sanctions and more sanctions on the country",
            "",
        ];
        let terms: Vec<Vec<Term>> = texts.iter().map(|t| an.shared_terms(t, &lex)).collect();
        let (vocab, ids) = Vocab::intern(&terms);
        let idf: Vec<f32> = (0..vocab.len() as u32)
            .map(|t| an.idf(vocab.term(t), &df, 0))
            .collect();
        let vocab = std::sync::Arc::new(vocab);
        let joint: Vec<Vector> = ids
            .iter()
            .map(|c| Vector::from_ids(c, &idf, &vocab))
            .collect();
        let own: Vec<Vector> = terms
            .iter()
            .map(|t| Vector::build(t, &an, &df, 0))
            .collect();
        let mut some_shared = false;
        for a in 0..texts.len() {
            for b in 0..texts.len() {
                let (x, y) = (
                    joint[a].cosine_top(&joint[b], 3),
                    own[a].cosine_top(&own[b], 3),
                );
                assert_eq!(x.0.to_bits(), y.0.to_bits(), "{a} {b}");
                assert_eq!(x.1, y.1, "{a} {b}");
                some_shared |= a != b && !x.1.is_empty();
                let weights =
                    |v: &Vector| v.terms.iter().map(|t| t.1.to_bits()).collect::<Vec<_>>();
                assert_eq!(weights(&joint[a]), weights(&own[a]));
            }
        }
        assert!(some_shared);
    }

    #[test]
    fn counting_sort_of_bigrams_matches_a_comparison_sort() {
        let mut rng = crate::testrng::XorShift(0x2545F4914F6CDD1D);
        let mut next = || rng.next();
        for len in (0..200).chain([500, 1000]) {
            for alphabet in [3u64, 27, 128] {
                let bytes: Vec<u8> = (0..len).map(|_| (next() % alphabet) as u8).collect();
                let mut want: Vec<u64> = bytes
                    .windows(2)
                    .map(|w| (w[0] as u64) << 32 | w[1] as u64)
                    .collect();
                want.sort_unstable();
                assert_eq!(sorted_ascii_bigrams(&bytes), want, "{bytes:?}");
            }
        }
        let long = "extrem support activ nuclear deal sanction tanker militari ".repeat(3);
        let other = "deal sanction tanker extrem support oil export ".repeat(2);
        assert_eq!(
            DiceKey::new(&long).similarity(&DiceKey::new(&other)),
            strsim::sorensen_dice(&long, &other)
        );
    }

    /// A probe's similarities are the plain ones (and strsim's), for probed and compared keys
    /// of all kinds: ASCII or not, short, equal, with repeated bigrams; and the table is
    /// empty again after each probe.
    #[test]
    fn dice_probe_matches_the_plain_similarity() {
        let mut rng = crate::testrng::XorShift(0x9E3779B97F4A7C15);
        let mut next = || rng.next();
        let alphabet = ["a", "b", "c", "ab", " ", "é", "\t", "x", "aa"];
        let mut word = |n: u64| -> String {
            (0..n % 14)
                .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                .collect()
        };
        let keys: Vec<String> = (0..300).map(|k| word(k * 7 + 3)).collect();
        for (k, probed) in keys.iter().enumerate() {
            let pk = DiceKey::new(probed);
            let others: Vec<&String> = keys.iter().skip(k % 7).step_by(11).collect();
            // Compared bigram by bigram, and by their occurrences.
            let got: Vec<(f64, f64)> = pk.probe(|p| {
                others
                    .iter()
                    .map(|o| {
                        let counted = DiceKey::new(o).count_occurrences();
                        (p.similarity(&DiceKey::new(o)), p.similarity(&counted))
                    })
                    .collect()
            });
            for (o, (g, c)) in others.iter().zip(got) {
                let plain = pk.similarity(&DiceKey::new(o));
                assert_eq!(g.to_bits(), plain.to_bits(), "{probed:?} vs {o:?}");
                assert_eq!(c.to_bits(), plain.to_bits(), "{probed:?} vs {o:?}");
                assert_eq!(g, strsim::sorensen_dice(probed, o), "{probed:?} vs {o:?}");
            }
            DICE_TABLE.with(|t| {
                let t = t.borrow();
                assert!(t.0.iter().all(|&n| n == 0) && t.1.is_empty());
            });
        }
    }

    #[test]
    fn dice_key_matches_strsim() {
        let cases = [
            ("", ""),
            ("a", "a"),
            ("ab", "ab c"),
            ("nuclear deal sanction", "deal sanction tanker"),
            ("aaaa", "aa"),
            ("café naïve", "cafe naive"),
            ("extrem support", "activ extrem support"),
            ("x", "xy"),
            ("a\tb\u{0B}c\u{0C}d\re\nf", "ab cd ef"),
            ("a\u{1C}b", "ab"),
        ];
        for (a, b) in cases {
            let fast = DiceKey::new(a).similarity(&DiceKey::new(b));
            assert_eq!(fast, strsim::sorensen_dice(a, b), "{a:?} vs {b:?}");
        }
    }
}
