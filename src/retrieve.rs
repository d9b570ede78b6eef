//! Two-source pairing: every unit of one source is a candidate claim, every unit of the other a
//! candidate response, and pairing rests on the scorer alone.
//!
//! The claims × responses matrix is never built. Responses go into an inverted index of
//! TF-IDF (or BM25) weights over [`Analyzer::terms`]; each claim walks only the posting lists of
//! its own terms, keeps its best `candidates` responses, and only those get the full composite
//! (lexical + fuzzy + reference + position). Memory is the index plus one score accumulator
//! per worker thread, so it grows with the input, not with the product of the two sides.

use crate::error::InputIssue;
use crate::lexicon::Lexicon;
use crate::pair::{Row, Status};
use crate::read::{self, Format, ReadOptions};
use crate::report::{cell_needs, push_fixed};
use crate::score::{reference, Analyzer, Score, Weights};
use crate::unit::{Role, Unit};
use rayon::prelude::*;
use std::collections::HashMap;

/// One candidate unit of one side, with what the engine needs beyond the [`Unit`].
#[derive(Debug, Clone)]
pub struct Item {
    pub unit: Unit,
    /// When a claim has a group, only responses of the same group are candidates.
    pub group: Option<String>,
    /// (index, count) within an ordered source (a document's sentences, a group's lines);
    /// `None` where order means nothing (a retrieval corpus).
    pub position: Option<(usize, usize)>,
    /// Indexed with the text but not reported (a title).
    pub context: String,
}

impl Item {
    /// A pre-segmented unit: the id is carried into `claim_id`/`rebuttal_id` as it is.
    pub fn unit(id: &str, text: &str, role: Role) -> Item {
        let n = text.chars().count();
        Item {
            unit: Unit {
                article: Default::default(),
                unit_id: id.to_string(),
                role,
                kind: "unit".into(),
                speaker: String::new(),
                speaker_mention: String::new(),
                side: side_name(role).into(),
                party: Default::default(),
                dispute: Default::default(),
                quote_type: Default::default(),
                cue: String::new(),
                text: text.to_string(),
                start: 0,
                end: n,
                paragraph: 1,
                sentence: 1,
                confidence: 1.0,
                rule: "pre-segmented".into(),
                dispute_idx: 0,
                speaker_entity: 0,
                byte_start: 0,
                byte_end: text.len(),
                speaker_aliases: Default::default(),
            },
            group: None,
            position: None,
            context: String::new(),
        }
    }
}

fn side_name(role: Role) -> &'static str {
    match role {
        Role::Claim => "claims",
        Role::Rebuttal => "responses",
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Weighting {
    /// Cosine of sublinear-tf × IDF vectors.
    TfIdf,
    /// Okapi BM25 document weights, query terms weighted by IDF.
    Bm25 { k1: f32, b: f32 },
}

#[derive(Debug, Clone)]
pub struct Options {
    pub weights: Weights,
    /// Weight of the position prior (0 = off). Separate from `weights.order`, which is the
    /// same-article paragraph prior of the main job and means something else.
    pub position: f32,
    /// Width of the position prior, in fractions of the source length.
    pub position_width: f32,
    /// How candidates are generated.
    pub weighting: Weighting,
    /// Responses per claim that get the full composite.
    pub candidates: usize,
    /// Responses reported per claim (0 = all candidates above `min_score`).
    pub top_k: usize,
    pub exclude_same_id: bool,
    /// Add adjacent-term pairs to the vectors.
    pub bigrams: bool,
    /// IDF exponent in the TF-IDF weights: above 1 lets rare, topic-specific terms dominate.
    pub idf_power: f32,
    /// Hubness correction (CSLS): a response close to many claims is a poorer answer to each.
    /// The mean cosine of a response to its `hub_k` nearest claims, times `hub_weight`, is
    /// subtracted from the composite. 0 = off.
    pub hub_k: usize,
    pub hub_weight: f32,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            weights: Weights::default(),
            position: 0.0,
            position_width: 0.25,
            weighting: Weighting::TfIdf,
            candidates: 50,
            top_k: 3,
            exclude_same_id: false,
            bigrams: false,
            idf_power: 1.0,
            hub_k: 0,
            hub_weight: 0.0,
        }
    }
}

/// One scored candidate response of one claim.
#[derive(Debug, Clone)]
pub struct Match {
    /// Index into the responses given to [`Engine::new`].
    pub response: usize,
    pub score: Score,
}

/// Sparse vector: (term id, weight), sorted by term id.
type Sparse = Vec<(u32, f32)>;

/// Sparse vectors back to back, vector `k` at `pairs[ends[k - 1]..ends[k]]`: one `Vec` per
/// unit cost a header and an allocation's overhead each, a fifth of the vectors themselves.
#[derive(Default)]
struct Vectors {
    pairs: Vec<(u32, f32)>,
    ends: Vec<u32>,
}

impl Vectors {
    /// One unit's term counts, sorted by term id.
    fn push_counts(&mut self, seq: &[u32]) {
        self.pairs.extend_from_slice(&counts(seq));
        self.ends.push(self.pairs.len() as u32);
    }

    /// Each vector's weights rewritten in place by `f`, on the pool.
    fn weigh(&mut self, f: impl Fn(&mut [(u32, f32)]) + Sync) {
        let Vectors { pairs, ends } = self;
        let mut slices = Vec::with_capacity(ends.len());
        let mut rest = pairs.as_mut_slice();
        let mut from = 0;
        for &e in ends.iter() {
            let (v, r) = std::mem::take(&mut rest).split_at_mut(e as usize - from);
            slices.push(v);
            rest = r;
            from = e as usize;
        }
        slices.into_par_iter().for_each(&f);
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn iter(&self) -> impl Iterator<Item = &[(u32, f32)]> {
        (0..self.len()).map(move |k| &self[k])
    }
}

impl std::ops::Index<usize> for Vectors {
    type Output = [(u32, f32)];

    fn index(&self, k: usize) -> &[(u32, f32)] {
        let from = if k == 0 { 0 } else { self.ends[k - 1] as usize };
        &self.pairs[from..self.ends[k] as usize]
    }
}

/// Both sides analysed and the responses indexed.
pub struct Engine<'a> {
    claims: &'a [Item],
    responses: &'a [Item],
    vocab: Vec<String>,
    claim_vecs: Vectors,
    resp_vecs: Vectors,
    /// Claim-side query weights for candidate generation where they differ from `claim_vecs`
    /// (BM25); TF-IDF queries with the claim vectors themselves.
    claim_query: Option<Vec<Sparse>>,
    /// term id → (response slot, weight), slots increasing. Slots order responses by group so
    /// that one group is one contiguous slot range.
    postings: Vec<Vec<(u32, f32)>>,
    slot_to_resp: Vec<u32>,
    group_slots: HashMap<String, (u32, u32)>,
    /// Each term's rank in string order (`u32::MAX` for bigrams), to rebuild a claim's sorted
    /// content words (once per claim) from its vector.
    content_rank: Vec<u32>,
    /// The responses' sorted content words, which the fuzzy part compares against every
    /// candidate, back to back in one string: one `String` each cost more than the index.
    resp_text: String,
    resp_ends: Vec<u32>,
    /// Whether each response's content words are ASCII, for [`Engine::fuzzy_ceiling`].
    resp_ascii: Vec<bool>,
    /// Folded response texts, kept only when some claim names its source (speaker aliases):
    /// otherwise the reference part depends on the response alone and is in `resp_ref`.
    resp_folded: Vec<String>,
    resp_ref: Vec<(f32, String)>,
    /// `resp_ref`'s scores alone, read for every candidate: packed, not 32 bytes apart.
    resp_ref_score: Vec<f32>,
    /// Per response: mean cosine to its nearest claims (hubness), 0 when off.
    resp_hub: Vec<f32>,
    opts: Options,
    lex: &'a Lexicon,
    /// Accumulators for [`Engine::top_n`] between uses, see [`Scratch`].
    scratch: std::sync::Mutex<Vec<(Vec<f32>, Vec<u32>)>>,
}

/// One worker's scratch for [`Engine::top_n`]: an accumulator slot per response, all zero
/// between claims, and the slots touched. Rayon calls `map_init`'s init for every piece of
/// work it splits off, tens of thousands of times in a run; a fresh zeroed accumulator each
/// time (80 KB at 20,000 responses) was more memory traffic than the search itself. They go
/// back to the engine when the piece is done, and are taken again by the next.
struct Scratch<'e> {
    acc: Vec<f32>,
    touched: Vec<u32>,
    home: &'e std::sync::Mutex<Vec<(Vec<f32>, Vec<u32>)>>,
}

impl Drop for Scratch<'_> {
    fn drop(&mut self) {
        // Unwinding out of a search may leave slots set: such an accumulator is not reused.
        if std::thread::panicking() {
            return;
        }
        if let Ok(mut free) = self.home.lock() {
            free.push((
                std::mem::take(&mut self.acc),
                std::mem::take(&mut self.touched),
            ));
        }
    }
}

fn analyse(an: &Analyzer, lex: &Lexicon, item: &Item, bigrams: bool) -> Vec<String> {
    let mut t = if item.context.is_empty() {
        an.terms(&item.unit.text, lex)
    } else {
        an.terms(&format!("{}\n{}", item.context, item.unit.text), lex)
    };
    if bigrams {
        let pairs: Vec<String> = t.windows(2).map(|w| format!("{}_{}", w[0], w[1])).collect();
        t.extend(pairs);
    }
    t
}

fn counts(terms: &[u32]) -> Vec<(u32, f32)> {
    let mut sorted = terms.to_vec();
    sorted.sort_unstable();
    // Exactly sized: one vector per unit is kept for the whole run.
    let distinct =
        sorted.windows(2).filter(|w| w[0] != w[1]).count() + usize::from(!sorted.is_empty());
    let mut v: Vec<(u32, f32)> = Vec::with_capacity(distinct);
    for t in sorted {
        match v.last_mut() {
            Some(last) if last.0 == t => last.1 += 1.0,
            _ => v.push((t, 1.0)),
        }
    }
    v
}

/// Term ids in first-seen order, with document frequencies.
#[derive(Default)]
struct Vocab {
    ids: HashMap<String, u32>,
    terms: Vec<String>,
    df: Vec<u32>,
}

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<WordHasher>>;
type FastSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<WordHasher>>;

/// A word hashed in one call: the streaming `Xxh3` hasher set up its whole state (hundreds of
/// bytes) for each of the millions of word lookups.
#[derive(Default)]
struct WordHasher(u64);

impl std::hash::Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = xxhash_rust::xxh3::xxh3_64_with_seed(bytes, self.0);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The terms of each distinct written word, analysed once: a corpus repeats a few tens of
/// thousands of words millions of times, so tokenising, folding and stemming every occurrence
/// was most of the indexing. A word's terms depend on the word alone (see [`words`]) except
/// inside a multi-word party name ("Addis Ababa"), which [`Analyzer::terms`] leaves out as a
/// whole: a text holding a word that can start one is checked as the analyser checks it.
#[derive(Default)]
struct WordTerms<'a> {
    /// word as written → range of `ids`
    map: FastMap<&'a str, (u32, u32)>,
    /// Term ids, `u32::MAX` until the term is first used; `strs` holds the terms.
    ids: Vec<u32>,
    strs: Vec<String>,
    /// First words of the gazetteer's multi-word names. Looked up for every capitalised word
    /// of both sides, with the words' own one-call hash rather than SipHash.
    multi_first: FastSet<String>,
}

impl WordTerms<'_> {
    fn new(lex: &Lexicon) -> Self {
        WordTerms {
            multi_first: lex
                .gazetteer
                .keys()
                .filter_map(|k| k.split_once(' ').map(|(first, _)| first.to_string()))
                .collect(),
            ..WordTerms::default()
        }
    }
}

/// Whether `w`, one of [`words`], can start a multi-word party name: capitalised and, as
/// [`crate::text::tokenize`] normalises it, the first word of one. Most words are turned
/// away by their first letter or, in ASCII, by their lowercase form, before any tokenising.
fn starts_multi(w: &str, multi_first: &FastSet<String>) -> bool {
    let Some(c) = w.chars().next() else {
        return false;
    };
    if c.is_ascii() && !c.is_ascii_uppercase() {
        return false;
    }
    if w.is_ascii() {
        // In ASCII the token's form is the lowercase word, less a possessive ending. Looked
        // up whole and cut at each joining mark, that is every form its first token can have.
        // Lowercased on the stack: this runs for every capitalised word of both sides.
        let mut buf = [0u8; 48];
        let lower: &str = match buf.get_mut(..w.len()) {
            Some(b) => {
                b.copy_from_slice(w.as_bytes());
                b.make_ascii_lowercase();
                // SAFETY: `w` is ASCII and lowercasing ASCII leaves ASCII: valid UTF-8. Checked
                // again, it was a call for each of a million words.
                unsafe { std::str::from_utf8_unchecked(b) }
            }
            None => return multi_first_of(w, multi_first),
        };
        // ASCII: byte offsets are character offsets.
        let cuts = lower
            .bytes()
            .enumerate()
            .filter(|&(_, c)| matches!(c, b'-' | b'\'' | b'.' | b'&'))
            .map(|(k, _)| &lower[..k]);
        if !std::iter::once(lower)
            .chain(cuts)
            .any(|f| multi_first.contains(f))
        {
            return false;
        }
    }
    multi_first_of(w, multi_first)
}

/// The tokenizer's own reading of [`starts_multi`].
fn multi_first_of(w: &str, multi_first: &FastSet<String>) -> bool {
    let normed = crate::text::Normed::new(w);
    let tok = normed.tokens();
    tok.first()
        .is_some_and(|t| t.cap && multi_first.contains(t.norm))
}

/// [`in_multi_party`] for `ws`, the [`words`] of `text`, tokenising only a few words from
/// each one that can start a name instead of the whole text. The same flags: a name is found
/// from its first token onwards, spanning at most `gaz_max_len` tokens, and names are taken
/// left to right without overlapping, as [`crate::score::in_multi_word_party`] takes them.
///
/// `starts`: [`starts_multi`] of each word.
fn multi_party_words(text: &str, ws: &[&str], starts: &[bool], lex: &Lexicon) -> Vec<bool> {
    let ctx = crate::attribute::Ctx { text, lex };
    let at = |w: &str| w.as_ptr() as usize - text.as_ptr() as usize;
    let mut flags = vec![false; ws.len()];
    let normed = crate::text::Normed::new(text);
    let mut k = 0;
    while k < ws.len() {
        if starts[k] {
            // One word past the longest name, so that the tokens look as they do in the whole.
            let to = ws
                .get(k + lex.gaz_max_len)
                .map_or(text.len(), |w| at(w) + w.len());
            let toks = crate::text::tokenize(&normed, at(ws[k]), to);
            if let Some((len, _, _)) = ctx.gaz_at(&toks, 0) {
                if len > 1 {
                    flags[k..(k + len).min(ws.len())].fill(true);
                    k += len;
                    continue;
                }
            }
        }
        k += 1;
    }
    flags
}

/// Which words of `text` (as [`words`] lists them) lie inside a multi-word party name, found
/// exactly as [`Analyzer::terms`] finds them.
fn in_multi_party(text: &str, lex: &Lexicon) -> Vec<bool> {
    let normed = crate::text::Normed::new(text);
    let toks = normed.tokens();
    crate::score::in_multi_word_party(text, &toks, lex)
}

/// The words of `text`, as written, where [`crate::text::tokenize`] draws them. A token
/// starts at an alphanumeric character after a non-alphanumeric one and every decision that
/// extends it looks only inside it, so [`Analyzer::terms`] of the word alone is the word's
/// share of the terms of the whole text.
fn words<'t>(text: &'t str, out: &mut Vec<&'t str>) {
    out.extend(crate::text::words(text).map(|(start, end, _)| &text[start..end]));
}

impl Vocab {
    fn id(&mut self, t: String) -> u32 {
        match self.ids.get(&t) {
            Some(&id) => id,
            None => {
                let id = self.terms.len() as u32;
                self.terms.push(t.clone());
                self.ids.insert(t, id);
                self.df.push(0);
                id
            }
        }
    }

    /// [`Vocab::intern`] without bigrams, analysing each distinct word once. Term ids come
    /// out in the same first-seen order, so vectors and sums are the same to the bit.
    fn intern_words<'a>(
        &mut self,
        items: &'a [Item],
        an: &Analyzer,
        lex: &Lexicon,
        cache: &mut WordTerms<'a>,
    ) -> Vectors {
        // Counts, not term sequences: both sides' sequences at once were the peak of the run.
        let mut out = Vectors::default();
        for block in items.chunks(1024) {
            // On the workers: the words, which of them lie inside a multi-word party name
            // (finding the names tokenises the whole text: a fifth of the set-up on one thread)
            // and the words already analysed. What is left on one thread is what fixes the
            // term ids, which follow first use: new words, and ids for terms used first here.
            let (map, multi_first) = (&cache.map, &cache.multi_first);
            let split: Vec<(Vec<&'a str>, Vec<bool>, Vec<Option<(u32, u32)>>)> = block
                .par_iter()
                .map(|i| {
                    // Sized for words of four letters and a space on average: grown by
                    // doubling, this was a realloc every few words.
                    let mut w = Vec::with_capacity((i.context.len() + i.unit.text.len()) / 5 + 1);
                    words(&i.context, &mut w);
                    words(&i.unit.text, &mut w);
                    let starts: Vec<bool> =
                        w.iter().map(|w| starts_multi(w, multi_first)).collect();
                    let party = if starts.contains(&true) {
                        if i.context.is_empty() {
                            multi_party_words(&i.unit.text, &w, &starts, lex)
                        } else {
                            in_multi_party(&format!("{}\n{}", i.context, i.unit.text), lex)
                        }
                    } else {
                        Vec::new()
                    };
                    let known = w.iter().map(|w| map.get(w).copied()).collect();
                    (w, party, known)
                })
                .collect();
            let mut ranges: Vec<(Vec<(u32, u32)>, Vec<bool>)> = Vec::with_capacity(block.len());
            for (ws, party, known) in split {
                let rs: Vec<(u32, u32)> = ws
                    .into_iter()
                    .zip(known)
                    .map(|(w, r)| match r.or_else(|| cache.map.get(w).copied()) {
                        Some(r) => r,
                        None => {
                            let a = cache.ids.len() as u32;
                            for t in an.terms(w, lex) {
                                cache.ids.push(u32::MAX);
                                cache.strs.push(t);
                            }
                            let r = (a, cache.ids.len() as u32);
                            cache.map.insert(w, r);
                            r
                        }
                    })
                    .collect();
                for (k, &(a, b)) in rs.iter().enumerate() {
                    if party.get(k).copied().unwrap_or(false) {
                        continue;
                    }
                    // Ids are given at a term's first use, not when its word is first seen:
                    // a word met first inside a party name must not take an id early.
                    for j in a as usize..b as usize {
                        if cache.ids[j] == u32::MAX {
                            cache.ids[j] = self.id(cache.strs[j].clone());
                        }
                    }
                }
                ranges.push((rs, party));
            }
            let ids = &cache.ids;
            let vectors: Vec<Vec<(u32, f32)>> = ranges
                .into_par_iter()
                .map_init(Vec::new, |seq, (rs, party)| {
                    seq.clear();
                    for (k, (a, b)) in rs.into_iter().enumerate() {
                        if !party.get(k).copied().unwrap_or(false) {
                            seq.extend_from_slice(&ids[a as usize..b as usize]);
                        }
                    }
                    counts(seq)
                })
                .collect();
            for v in vectors {
                // One count per distinct term: its document frequency.
                for &(id, _) in &v {
                    self.df[id as usize] += 1;
                }
                out.pairs.extend_from_slice(&v);
                out.ends.push(out.pairs.len() as u32);
            }
        }
        out.pairs.shrink_to_fit();
        out
    }

    fn count(&mut self, seq: &[u32]) {
        let mut seen = seq.to_vec();
        seen.sort_unstable();
        seen.dedup();
        for id in seen {
            self.df[id as usize] += 1;
        }
    }

    /// Analyses `items` a block at a time and keeps only their term counts: holding every
    /// unit's terms as `String`s at once cost more memory than the whole index.
    fn intern(&mut self, items: &[Item], an: &Analyzer, lex: &Lexicon, bigrams: bool) -> Vectors {
        let mut out = Vectors::default();
        for block in items.chunks(1024) {
            let terms: Vec<Vec<String>> = block
                .par_iter()
                .map(|i| analyse(an, lex, i, bigrams))
                .collect();
            for t in terms {
                let seq: Vec<u32> = t.into_iter().map(|t| self.id(t)).collect();
                self.count(&seq);
                out.push_counts(&seq);
            }
        }
        out.pairs.shrink_to_fit();
        out
    }
}

fn normalise(v: &mut [(u32, f32)]) {
    let n = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
    if n > 0.0 {
        for x in v.iter_mut() {
            x.1 /= n;
        }
    }
}

/// The cosine alone, summed in the same order as [`cosine`] so both give the same bits.
fn dot(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    dot_sum(a, b).min(1.0)
}

/// The unclamped sum of [`dot`]: in term order, as the index accumulates a claim's terms.
fn dot_sum(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
    let (mut i, mut j) = (0, 0);
    let mut sum = 0.0;
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    sum
}

/// (`n` = 0: all of them). Offers at or above `floor` are only pushed; when `4n` are held,
/// one selection keeps the best `n` and raises `floor` to the `n`-th: of thousands offered,
/// most are turned away by one comparison and the rest cost a push.
struct Top {
    n: usize,
    held: Vec<(usize, f32)>,
    /// Once raised, the `n`-th best score seen: anything strictly below cannot enter.
    floor: f32,
}

/// A sort key ordering by `x` descending, as [`f32::total_cmp`] orders, then by `i`
/// ascending: one integer comparison instead of a float's and an index's.
fn desc_then_index(x: f32, i: usize) -> u64 {
    // `total_cmp`'s own mapping of the bits to a signed integer, then to an unsigned one.
    let b = x.to_bits() as i32;
    let t = (b ^ ((((b >> 31) as u32) >> 1) as i32)) as u32 ^ 0x8000_0000;
    debug_assert!(i <= u32::MAX as usize);
    (u64::from(!t) << 32) | i as u64
}

/// Best first: score descending as [`f32::total_cmp`] orders, then response ascending, as
/// one integer comparison ([`desc_then_index`]).
fn better(a: &(usize, f32), b: &(usize, f32)) -> std::cmp::Ordering {
    desc_then_index(a.1, a.0).cmp(&desc_then_index(b.1, b.0))
}

impl Top {
    fn new(n: usize) -> Top {
        Top {
            n,
            // Never more than `4n` held: sized once, not grown by doubling for every claim.
            held: Vec::with_capacity(4 * n),
            floor: 0.0,
        }
    }

    fn offer(&mut self, x: (usize, f32)) {
        self.held.push(x);
        if self.n > 0 && self.held.len() >= 4 * self.n {
            self.held.select_nth_unstable_by(self.n - 1, better);
            self.held.truncate(self.n);
            self.floor = self.held[self.n - 1].1;
        }
    }

    /// The best `n`, in no particular order.
    fn into_best(mut self) -> Vec<(usize, f32)> {
        if self.n > 0 && self.held.len() > self.n {
            self.held.select_nth_unstable_by(self.n - 1, better);
            self.held.truncate(self.n);
        }
        self.held
    }

    fn into_sorted(mut self) -> Vec<(usize, f32)> {
        // Up to 4n are held: the best n are picked out before sorting.
        if self.n > 0 && self.held.len() > self.n {
            self.held.select_nth_unstable_by(self.n - 1, better);
            self.held.truncate(self.n);
        }
        self.held.sort_unstable_by(better);
        self.held
    }
}

/// One query term's postings into the accumulator. Kept apart from the rest of the candidate
/// search so that the slice bounds stay in registers: inlined there, they were reloaded from
/// the stack for every posting.
#[inline(never)]
fn add_dense(acc: &mut [f32], list: &[(u32, f32)], wq: f32) {
    // Four postings a round: the loop's own counting was a fifth of the work. A list holds
    // each slot once, and each add is the same as in the plain loop.
    let mut quads = list.chunks_exact(4);
    for q in quads.by_ref() {
        acc[q[0].0 as usize] += wq * q[0].1;
        acc[q[1].0 as usize] += wq * q[1].1;
        acc[q[2].0 as usize] += wq * q[2].1;
        acc[q[3].0 as usize] += wq * q[3].1;
    }
    for &(slot, wd) in quads.remainder() {
        acc[slot as usize] += wq * wd;
    }
}

/// [`add_dense`], noting each slot's first touch.
#[inline(never)]
fn add_sparse(acc: &mut [f32], touched: &mut Vec<u32>, list: &[(u32, f32)], wq: f32) {
    for &(slot, wd) in list {
        let s = &mut acc[slot as usize];
        if *s == 0.0 {
            touched.push(slot);
        }
        *s += wq * wd;
    }
}

/// The largest of `xs`, all at least 0. Eight running maxima, one per lane, written as the
/// compare-and-select that x86's `maxps` is: a single running maximum is a chain of
/// dependent compares that the compiler cannot vectorise without fast-math.
fn max_of(xs: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let mut chunks = xs.chunks_exact(8);
    for c in chunks.by_ref() {
        for j in 0..8 {
            lanes[j] = if c[j] > lanes[j] { c[j] } else { lanes[j] };
        }
    }
    let mut m = chunks
        .remainder()
        .iter()
        .fold(0.0f32, |m, &v| if v > m { v } else { m });
    for l in lanes {
        m = if l > m { l } else { m };
    }
    m
}

/// Slots per stretch of the dense search's accumulator.
const STRETCH: usize = 64;

/// [`max_of`] of one stretch. A whole stretch is reduced with SSE2 (part of every x86_64):
/// the generic loop, vectorised or not, cost about a sixteenth of a two-source run, as much
/// as the postings it summarises. `maxps(v, m)` is `if v > m { v } else { m }` lane by lane,
/// the same selection [`max_of`] makes.
#[inline]
fn stretch_max(xs: &[f32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if let Ok(xs) = <&[f32; STRETCH]>::try_from(xs) {
        use core::arch::x86_64::{_mm_cvtss_f32, _mm_shuffle_ps};
        use core::arch::x86_64::{_mm_loadu_ps, _mm_max_ps, _mm_movehl_ps, _mm_setzero_ps};
        // SAFETY: SSE2 is baseline on x86_64; every load reads 4 of the array's 64 floats.
        unsafe {
            let p = xs.as_ptr();
            let mut m = [_mm_setzero_ps(); 4];
            for i in 0..STRETCH / 16 {
                for (j, mj) in m.iter_mut().enumerate() {
                    *mj = _mm_max_ps(_mm_loadu_ps(p.add(16 * i + 4 * j)), *mj);
                }
            }
            let a = _mm_max_ps(_mm_max_ps(m[0], m[1]), _mm_max_ps(m[2], m[3]));
            let b = _mm_max_ps(a, _mm_movehl_ps(a, a));
            let c = _mm_max_ps(b, _mm_shuffle_ps::<0b01>(b, b));
            return _mm_cvtss_f32(c);
        }
    }
    max_of(xs)
}

/// Slots tested together in a stretch that may hold candidates.
const GROUP: usize = 16;

/// Whether any of `xs` is at least `t` (`t` not NaN). Sixteen slots as four SSE2 compares and
/// one mask, where testing them one by one was a thirtieth of a two-source run.
#[inline]
fn any_at_least(xs: &[f32], t: f32) -> bool {
    #[cfg(target_arch = "x86_64")]
    if let Ok(xs) = <&[f32; GROUP]>::try_from(xs) {
        use core::arch::x86_64::_mm_set1_ps;
        use core::arch::x86_64::{_mm_cmpge_ps, _mm_loadu_ps, _mm_movemask_ps, _mm_or_ps};
        // SAFETY: SSE2 is baseline on x86_64; every load reads 4 of the array's 16 floats.
        unsafe {
            let p = xs.as_ptr();
            let t = _mm_set1_ps(t);
            let ge = |k: usize| _mm_cmpge_ps(_mm_loadu_ps(p.add(4 * k)), t);
            let any = _mm_or_ps(_mm_or_ps(ge(0), ge(1)), _mm_or_ps(ge(2), ge(3)));
            return _mm_movemask_ps(any) != 0;
        }
    }
    xs.iter().any(|&v| v >= t)
}

/// Zeroes one stretch: a whole one as sixteen stores in place rather than a `memset` call per
/// stretch (a third of the fixed cost per claim of the dense search).
#[inline]
fn clear_stretch(xs: &mut [f32]) {
    if xs.len() == STRETCH {
        for q in xs.chunks_exact_mut(4) {
            q.copy_from_slice(&[0.0; 4]);
        }
    } else {
        xs.fill(0.0);
    }
}

/// Content words of a vector, sorted and space-joined: what the fuzzy part compares.
fn content(vocab: &[String], rank: &[u32], v: &[(u32, f32)]) -> String {
    let mut ids: Vec<u32> = v
        .iter()
        .map(|x| x.0)
        .filter(|&t| rank[t as usize] != u32::MAX)
        .collect();
    ids.sort_unstable_by_key(|&t| rank[t as usize]);
    let mut s = String::with_capacity(ids.len() * 8);
    for (k, &t) in ids.iter().enumerate() {
        if k > 0 {
            s.push(' ');
        }
        s.push_str(&vocab[t as usize]);
    }
    s
}

/// One claim's side of the fuzzy part: Indel similarity over characters. Where both sides
/// are ASCII, bytes are characters and [`AsciiLcs`] gives the same value without decoding
/// UTF-8 for every candidate; rapidfuzz's character comparator is set up only if some
/// candidate is not ASCII.
struct Fuzzy {
    text: String,
    bytes: Option<AsciiLcs>,
    chars: std::cell::OnceCell<rapidfuzz::distance::indel::BatchComparator<char>>,
}

impl Fuzzy {
    /// `ascii`: whether `other` is ASCII (known per response, so not scanned again here).
    fn similarity(&self, other: &str, ascii: bool) -> f64 {
        match &self.bytes {
            Some(b) if ascii => {
                // As rapidfuzz's Indel: 1 - (a + b - 2 lcs) / (a + b), in f64.
                let max = self.text.len() + other.len();
                let dist = max - 2 * b.lcs(other.as_bytes());
                1.0 - dist as f64 / max as f64
            }
            _ => self
                .chars
                .get_or_init(|| rapidfuzz::distance::indel::BatchComparator::new(self.text.chars()))
                .normalized_similarity(other.chars()),
        }
    }
}

/// Longest common subsequence of one ASCII text with others, by the bit-parallel recurrence
/// rapidfuzz uses (Hyyrö), so the same integer: `S' = (S + (S & M)) | (S - (S & M))` per
/// byte of the other text, over the text's bits in 64-bit words. rapidfuzz's generic version
/// went through a 256-row pattern table allocated and zeroed per claim, a bounds check per
/// word and a word-count dispatch per comparison; the fuzzy part compares every kept
/// candidate (368k at the scale run), so this one is specialised to ASCII (128 rows) and to
/// the usual one to four words.
struct AsciiLcs {
    words: usize,
    /// `pm[c * words + w]`: bit `i` of word `w` is set where byte `64 w + i` of the text is `c`.
    pm: Vec<u64>,
}

impl AsciiLcs {
    /// `text` must be ASCII.
    fn new(text: &[u8]) -> AsciiLcs {
        let words = text.len().div_ceil(64).max(1);
        let mut pm = vec![0u64; 128 * words];
        for (i, &c) in text.iter().enumerate() {
            pm[(c & 127) as usize * words + i / 64] |= 1 << (i % 64);
        }
        AsciiLcs { words, pm }
    }

    /// LCS length with `other`, which must be ASCII.
    fn lcs(&self, other: &[u8]) -> usize {
        match self.words {
            1 => lcs_one(&self.pm, other),
            2 => lcs_two(&self.pm, other),
            3 => lcs_words::<3>(&self.pm, other),
            4 => lcs_words::<4>(&self.pm, other),
            _ => lcs_any(&self.pm, self.words, other),
        }
    }
}

/// One row of the recurrence: `s` updated by the match bits `m` of one byte.
#[inline(always)]
fn lcs_step(s: &mut [u64], m: &[u64]) {
    let mut carry = false;
    for (s, &m) in s.iter_mut().zip(m) {
        let u = *s & m;
        let (a, c1) = s.overflowing_add(u);
        let (x, c2) = a.overflowing_add(carry as u64);
        carry = c1 | c2;
        *s = x | (*s - u);
    }
}

fn lcs_one(pm: &[u64], other: &[u8]) -> usize {
    let rows: &[u64; 128] = pm.try_into().expect("128 rows");
    let mut s = !0u64;
    for &c in other {
        let u = s & rows[(c & 127) as usize];
        s = s.wrapping_add(u) | (s - u);
    }
    (!s).count_ones() as usize
}

/// Two words as one `u128`: the carry between them is the integer addition's own.
fn lcs_two(pm: &[u64], other: &[u8]) -> usize {
    let pm: &[u64; 256] = pm.try_into().expect("128 rows");
    let mut s = !0u128;
    for &c in other {
        let k = (c & 127) as usize * 2;
        let (lo, hi) = (pm[k], pm[k + 1]);
        let u = s & ((hi as u128) << 64 | lo as u128);
        s = s.wrapping_add(u) | (s - u);
    }
    (!s).count_ones() as usize
}

fn lcs_words<const N: usize>(pm: &[u64], other: &[u8]) -> usize {
    let mut s = [!0u64; N];
    for &c in other {
        let k = (c & 127) as usize * N;
        let row: &[u64; N] = pm[k..k + N].try_into().expect("N words");
        lcs_step(&mut s, row);
    }
    s.iter().map(|x| (!x).count_ones() as usize).sum()
}

fn lcs_any(pm: &[u64], words: usize, other: &[u8]) -> usize {
    let mut s = vec![!0u64; words];
    for &c in other {
        let k = (c & 127) as usize * words;
        lcs_step(&mut s, &pm[k..k + words]);
    }
    s.iter().map(|x| (!x).count_ones() as usize).sum()
}

/// The parts of a composite that need no character-level work.
struct Parts {
    lexical: f32,
    reference: f32,
    position: f32,
}

fn cosine(a: &[(u32, f32)], b: &[(u32, f32)]) -> (f32, Vec<(u32, f32)>) {
    let (mut i, mut j) = (0, 0);
    let mut sum = 0.0;
    let mut shared = Vec::with_capacity(a.len().min(b.len()));
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                let c = a[i].1 * b[j].1;
                sum += c;
                shared.push((a[i].0, c));
                i += 1;
                j += 1;
            }
        }
    }
    (sum.min(1.0), shared)
}

/// Where a unit sits in its ordered source, 0..=1.
fn relative(p: (usize, usize)) -> f32 {
    if p.1 <= 1 {
        0.5
    } else {
        p.0 as f32 / (p.1 - 1) as f32
    }
}

impl<'a> Engine<'a> {
    pub fn new(
        claims: &'a [Item],
        responses: &'a [Item],
        lex: &'a Lexicon,
        opts: &Options,
    ) -> Engine<'a> {
        let an = Analyzer::new();
        // Term ids in first-seen order over claims then responses: deterministic.
        let mut voc = Vocab::default();
        let (claim_terms, resp_terms) = if opts.bigrams {
            (
                voc.intern(claims, &an, lex, true),
                voc.intern(responses, &an, lex, true),
            )
        } else {
            let mut cache = WordTerms::new(lex);
            (
                voc.intern_words(claims, &an, lex, &mut cache),
                voc.intern_words(responses, &an, lex, &mut cache),
            )
        };
        let Vocab {
            ids,
            terms: vocab,
            df,
        } = voc;
        drop(ids);
        // IDF over both sides plus the built-in background, as in the main job, so that two
        // short documents still get sensible weights.
        let n = (claims.len() + responses.len()) as u32;
        let batch_df: HashMap<String, u32> = vocab
            .iter()
            .zip(&df)
            .map(|(t, d)| (t.clone(), *d))
            .collect();
        let idf: Vec<f32> = vocab.iter().map(|t| an.idf(t, &batch_df, n)).collect();
        drop(batch_df);
        let (claim_query, index_vecs): (Option<Vec<Sparse>>, Option<Vectors>) = match opts.weighting
        {
            Weighting::TfIdf => (None, None),
            Weighting::Bm25 { k1, b } => {
                let total = resp_terms.pairs.iter().map(|x| x.1 as f64).sum::<f64>() as f32;
                let avgdl = total / responses.len().max(1) as f32;
                let q = claim_terms
                    .iter()
                    .map(|c| c.iter().map(|x| (x.0, idf[x.0 as usize])).collect())
                    .collect();
                let mut d = Vectors {
                    pairs: resp_terms.pairs.clone(),
                    ends: resp_terms.ends.clone(),
                };
                d.weigh(|v| {
                    let dl: f32 = v.iter().map(|x| x.1).sum();
                    for x in v.iter_mut() {
                        x.1 = x.1 * (k1 + 1.0) / (x.1 + k1 * (1.0 - b + b * dl / avgdl.max(1.0)));
                    }
                });
                (Some(q), Some(d))
            }
        };
        // The counts become the TF-IDF vectors where they lie.
        // The same `powf` of each term's IDF, taken once per term instead of per occurrence.
        let idf_weight: Vec<f32> = idf.iter().map(|i| i.powf(opts.idf_power)).collect();
        let tfidf = |v: &mut [(u32, f32)]| {
            for x in v.iter_mut() {
                x.1 = (1.0 + x.1.ln()) * idf_weight[x.0 as usize];
            }
            normalise(v);
        };
        let (mut claim_vecs, mut resp_vecs) = (claim_terms, resp_terms);
        claim_vecs.weigh(tfidf);
        resp_vecs.weigh(tfidf);
        // Slots: responses stably sorted by group; ungrouped ones first.
        let mut slot_to_resp: Vec<u32> = (0..responses.len() as u32).collect();
        slot_to_resp.sort_by(|&a, &b| {
            responses[a as usize]
                .group
                .cmp(&responses[b as usize].group)
        });
        let mut group_slots: HashMap<String, (u32, u32)> = HashMap::new();
        for (slot, &r) in slot_to_resp.iter().enumerate() {
            if let Some(g) = &responses[r as usize].group {
                let e = group_slots
                    .entry(g.clone())
                    .or_insert((slot as u32, slot as u32));
                e.1 = slot as u32 + 1;
            }
        }
        let ivecs = index_vecs.as_ref().unwrap_or(&resp_vecs);
        // Sized up front: grown by doubling, the lists held up to twice their postings.
        let mut sizes = vec![0usize; vocab.len()];
        for v in ivecs.iter() {
            for &(t, _) in v {
                sizes[t as usize] += 1;
            }
        }
        let mut postings: Vec<Vec<(u32, f32)>> =
            sizes.into_iter().map(Vec::with_capacity).collect();
        for (slot, &r) in slot_to_resp.iter().enumerate() {
            for &(t, w) in &ivecs[r as usize] {
                postings[t as usize].push((slot as u32, w));
            }
        }
        drop(index_vecs);
        let mut by_text: Vec<u32> = (0..vocab.len() as u32)
            .filter(|&t| !vocab[t as usize].contains('_'))
            .collect();
        by_text.sort_unstable_by(|&a, &b| vocab[a as usize].cmp(&vocab[b as usize]));
        let mut content_rank = vec![u32::MAX; vocab.len()];
        for (rank, &t) in by_text.iter().enumerate() {
            content_rank[t as usize] = rank as u32;
        }
        // Sized up front: doubling a string of every response would briefly need twice that.
        let size: usize = resp_vecs
            .iter()
            .map(|v| {
                v.iter()
                    .filter(|x| content_rank[x.0 as usize] != u32::MAX)
                    .map(|x| vocab[x.0 as usize].len() + 1)
                    .sum::<usize>()
            })
            .sum();
        let mut resp_text = String::with_capacity(size);
        let mut resp_ends = Vec::with_capacity(responses.len());
        let mut resp_ascii = Vec::with_capacity(responses.len());
        for v in resp_vecs.iter() {
            let c = content(&vocab, &content_rank, v);
            resp_ascii.push(c.is_ascii());
            resp_text.push_str(&c);
            resp_ends.push(resp_text.len() as u32);
        }
        let named = claims.iter().any(|c| !c.unit.speaker_aliases.is_empty());
        let resp_folded: Vec<String> = if opts.weights.reference > 0.0 && named {
            responses
                .par_iter()
                .map(|r| crate::text::fold(&r.unit.text))
                .collect()
        } else {
            Vec::new()
        };
        let resp_ref = if opts.weights.reference > 0.0 {
            let anonymous = Item::unit("", "", Role::Claim).unit;
            responses
                .par_iter()
                .map(|r| reference(&anonymous, &crate::text::fold(&r.unit.text), lex))
                .collect()
        } else {
            Vec::new()
        };
        let resp_hub = if opts.hub_k > 0 && opts.hub_weight > 0.0 {
            hubness(&claim_vecs, &resp_vecs, vocab.len(), opts.hub_k)
        } else {
            vec![0.0; responses.len()]
        };
        Engine {
            resp_hub,
            claims,
            responses,
            vocab,
            claim_vecs,
            resp_vecs,
            claim_query,
            postings,
            slot_to_resp,
            group_slots,
            content_rank,
            resp_text,
            resp_ends,
            resp_ascii,
            resp_folded,
            resp_ref_score: resp_ref.iter().map(|r| r.0).collect(),
            resp_ref,
            opts: opts.clone(),
            lex,
            scratch: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn scratch(&self) -> Scratch<'_> {
        let (acc, touched) = self
            .scratch
            .lock()
            .ok()
            .and_then(|mut free| free.pop())
            .unwrap_or_else(|| (vec![0.0; self.responses.len()], Vec::new()));
        Scratch {
            acc,
            touched,
            home: &self.scratch,
        }
    }

    /// Slot range a claim may pair with.
    fn range(&self, claim: &Item) -> (u32, u32) {
        match &claim.group {
            Some(g) => self.group_slots.get(g).copied().unwrap_or((0, 0)),
            None => (0, self.slot_to_resp.len() as u32),
        }
    }

    /// The best `n` responses of one claim by index score alone: (response, score), best
    /// first, ties by response index. `acc` is a per-thread scratch of one slot per response.
    fn top_n(
        &self,
        ci: usize,
        n: usize,
        acc: &mut [f32],
        touched: &mut Vec<u32>,
    ) -> Vec<(usize, f32)> {
        self.search(ci, n, acc, touched).into_sorted()
    }

    /// [`Engine::top_n`]'s candidates, not yet picked out and sorted.
    fn search(&self, ci: usize, n: usize, acc: &mut [f32], touched: &mut Vec<u32>) -> Top {
        let claim = &self.claims[ci];
        let (lo, hi) = self.range(claim);
        // A small ordered group is scored whole when the position prior is on: an answer
        // that shares no word with its claim can still win on position.
        let whole = self.opts.position > 0.0 && claim.group.is_some() && ((hi - lo) as usize) <= n;
        if whole {
            touched.extend(lo..hi);
        }
        let query = match &self.claim_query {
            Some(q) => q[ci].as_slice(),
            None => &self.claim_vecs[ci],
        };
        let lists: Vec<(&[(u32, f32)], f32)> = query
            .iter()
            .map(|&(t, wq)| {
                let list = &self.postings[t as usize];
                let a = list.partition_point(|p| p.0 < lo);
                let b = list.partition_point(|p| p.0 < hi);
                (&list[a..b], wq)
            })
            .collect();
        let visits: usize = lists.iter().map(|l| l.0.len()).sum();
        // When the claim's posting lists cover much of the range (common words), a branch-free
        // accumulation and one scan of the range beat tracking each first touch. The sums are
        // the same either way: terms are added in the same order.
        // With the position prior on, the sparse search also offers touched slots that sum
        // to 0, which the dense one does not: there the choice stays where it was.
        let share = if self.opts.position > 0.0 { 4 } else { 8 };
        let dense = !whole && visits * share >= (hi - lo) as usize;
        if dense {
            for &(list, wq) in &lists {
                add_dense(acc, list, wq);
            }
        } else {
            for &(list, wq) in &lists {
                add_sparse(acc, touched, list, wq);
            }
        }
        // Only a group scored whole can list a slot twice.
        if whole {
            touched.sort_unstable();
            touched.dedup();
        }
        let excluded = |r: usize| {
            self.opts.exclude_same_id && self.responses[r].unit.unit_id == claim.unit.unit_id
        };
        let mut top = Top::new(n);
        if dense {
            // Scores are sums of positive products. Each stretch of 64 slots is reduced to its
            // maximum first; at least `n` slots score at or above the `n`-th largest of those
            // maxima, so the `n`-th best score is at least that much and only stretches whose
            // maximum reaches it (about `n` of them, of hundreds) are looked at slot by slot.
            // Where a claim's own id is excluded its slot could be among those `n`, and the
            // bound is not used.
            let range = &mut acc[lo as usize..hi as usize];
            let maxima: Vec<f32> = range.chunks(STRETCH).map(stretch_max).collect();
            let mut bound = 0.0f32;
            if n > 0 && !self.opts.exclude_same_id && maxima.len() > n {
                // Maxima are +0.0 or above and never NaN ([`max_of`] starts from +0.0 and
                // only takes what is larger), so their bits order as their values: selected
                // as integers, not with `total_cmp` for every comparison (a thirtieth of a
                // two-source run).
                let mut m: Vec<u32> = maxima.iter().map(|x| x.to_bits()).collect();
                let at = m.len() - n;
                let (_, nth, _) = m.select_nth_unstable(at);
                bound = f32::from_bits(*nth);
            }
            // Above 0 as well: an untouched slot is no candidate.
            let bound = f32::from_bits(bound.to_bits().max(1));
            let mut base = lo as usize;
            for (wide, &most) in range.chunks_mut(STRETCH).zip(&maxima) {
                if most >= bound && most >= top.floor {
                    // A stretch that reaches the bound mostly holds slots below it: sixteen
                    // at a time are passed over when none reaches it, then each is tested
                    // as before.
                    for (g, group) in wide.chunks(GROUP).enumerate() {
                        if !any_at_least(group, bound.max(top.floor)) {
                            continue;
                        }
                        for (k, &v) in group.iter().enumerate() {
                            if v >= bound && v >= top.floor {
                                let r = self.slot_to_resp[base + g * GROUP + k] as usize;
                                if !excluded(r) {
                                    top.offer((r, v));
                                }
                            }
                        }
                    }
                }
                base += wide.len();
                clear_stretch(wide);
            }
        } else {
            for &s in touched.iter() {
                let v = std::mem::take(&mut acc[s as usize]);
                if (v > 0.0 || self.opts.position > 0.0) && v >= top.floor {
                    let r = self.slot_to_resp[s as usize] as usize;
                    if !excluded(r) {
                        top.offer((r, v));
                    }
                }
            }
            touched.clear();
        }
        top
    }

    /// `index`: the candidate's index score when it is the cosine itself (TF-IDF queries with
    /// the claim vector, summing the same products in the same order), saving the merge.
    fn parts(&self, ci: usize, ri: usize, index: Option<f32>) -> Parts {
        let lexical = match index {
            Some(s) if self.claim_query.is_none() => s.min(1.0),
            _ => dot(&self.claim_vecs[ci], &self.resp_vecs[ri]),
        };
        self.parts_with(ci, ri, lexical)
    }

    fn parts_with(&self, ci: usize, ri: usize, lexical: f32) -> Parts {
        let claim = &self.claims[ci].unit;
        // The cached phrase is not cloned here: most candidates are never reported.
        let reference = if self.opts.weights.reference <= 0.0 {
            0.0
        } else if claim.speaker_aliases.is_empty() {
            self.resp_ref_score[ri]
        } else {
            reference(claim, &self.resp_folded[ri], self.lex).0
        };
        // The weight first: reading a response's `Item` is a cache miss per candidate.
        let position = match self.opts.position > 0.0 {
            false => (None, None),
            true => (self.claims[ci].position, self.responses[ri].position),
        };
        let position = match position {
            (Some(a), Some(b)) => {
                let d = (relative(a) - relative(b)).abs();
                (-d / self.opts.position_width.max(1e-3)).exp()
            }
            _ => 0.0,
        };
        Parts {
            lexical,
            reference,
            position,
        }
    }

    fn reference(&self, ci: usize, ri: usize) -> (f32, String) {
        let claim = &self.claims[ci].unit;
        if claim.speaker_aliases.is_empty() {
            self.resp_ref[ri].clone()
        } else {
            reference(claim, &self.resp_folded[ri], self.lex)
        }
    }

    fn total(&self, p: &Parts, ri: usize, fuzzy: f32) -> f32 {
        let w = &self.opts.weights;
        w.lexical * (p.lexical - self.opts.hub_weight * self.resp_hub[ri])
            + w.fuzzy * fuzzy
            + w.reference * p.reference
            + self.opts.position * p.position
    }

    /// The fuzzy part's comparator for one claim, set up once: `None` when the claim has no
    /// content word, and then every fuzzy part is 0.
    fn comparator(&self, ci: usize) -> Option<Fuzzy> {
        let v = &self.claim_vecs[ci];
        if v.iter()
            .all(|x| self.content_rank[x.0 as usize] == u32::MAX)
        {
            return None;
        }
        let text = self.content(v);
        Some(Fuzzy {
            bytes: text.is_ascii().then(|| AsciiLcs::new(text.as_bytes())),
            chars: std::cell::OnceCell::new(),
            text,
        })
    }

    fn fuzzy(&self, fz: Option<&Fuzzy>, ri: usize) -> f32 {
        let rc = self.resp_content(ri);
        match fz {
            Some(fz) if !rc.is_empty() => fz.similarity(rc, self.resp_ascii[ri]) as f32,
            _ => 0.0,
        }
    }

    /// The most [`Engine::fuzzy`] can be for this pair, from the two lengths alone: Indel
    /// similarity is `1 - distance / (a + b)`, and the distance is at least `|a - b|`.
    /// Computed as rapidfuzz computes the similarity, so it is never below it. Lengths are
    /// bytes, so only where both sides are ASCII; elsewhere the ceiling is 1.
    fn fuzzy_ceiling(&self, fz: Option<&Fuzzy>, ri: usize) -> f32 {
        let Some(fz) = fz else {
            return 0.0;
        };
        // From the offsets alone: the text itself is a cache miss per candidate.
        let from = if ri == 0 {
            0
        } else {
            self.resp_ends[ri - 1] as usize
        };
        let len = self.resp_ends[ri] as usize - from;
        if len == 0 {
            return 0.0;
        }
        if fz.bytes.is_none() || !self.resp_ascii[ri] {
            return 1.0;
        }
        let (a, b) = (fz.text.len(), len);
        (1.0 - a.abs_diff(b) as f64 / (a + b) as f64) as f32
    }

    fn resp_content(&self, ri: usize) -> &str {
        let from = if ri == 0 {
            0
        } else {
            self.resp_ends[ri - 1] as usize
        };
        &self.resp_text[from..self.resp_ends[ri] as usize]
    }

    fn content(&self, v: &[(u32, f32)]) -> String {
        content(&self.vocab, &self.content_rank, v)
    }

    /// The full composite of one claim × response pair.
    pub fn score(&self, ci: usize, ri: usize, fuzzy: f32) -> Score {
        let (mut score, shared) = self.score_bare(ci, ri, fuzzy);
        score.shared = shared
            .into_iter()
            .map(|s| match &self.vocab[s.0 as usize] {
                t if t.contains('_') => t.replace('_', " ").into(),
                t => crate::score::Term::from(t.as_str()),
            })
            .collect();
        if self.opts.weights.reference > 0.0 {
            score.reference_phrase = self.reference(ci, ri).1;
        }
        score
    }

    /// [`Engine::score`] without its strings (`shared` and `reference_phrase` left empty),
    /// and the shared terms (up to 5, best first) as term ids: a streamed report writes them
    /// into the row's evidence without a `String` each.
    fn score_bare(&self, ci: usize, ri: usize, fuzzy: f32) -> (Score, Vec<(u32, f32)>) {
        // The cosine's sum is `dot`'s, term for term: one merge gives both.
        let (lexical, mut shared) = cosine(&self.claim_vecs[ci], &self.resp_vecs[ri]);
        let p = self.parts_with(ci, ri, lexical);
        // Term ids are distinct: no ties, so no need of a stable sort's buffer.
        shared.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        shared.truncate(5);
        let score = Score {
            lexical: p.lexical,
            fuzzy,
            reference: p.reference,
            order: p.position,
            total: self.total(&p, ri, fuzzy),
            shared: Vec::new(),
            reference_phrase: String::new(),
        };
        (score, shared)
    }

    /// The reference phrase of [`Engine::score`], borrowed where it is the response's own.
    fn reference_phrase(&self, ci: usize, ri: usize) -> std::borrow::Cow<'_, str> {
        if self.opts.weights.reference <= 0.0 {
            "".into()
        } else if self.claims[ci].unit.speaker_aliases.is_empty() {
            self.resp_ref[ri].1.as_str().into()
        } else {
            self.reference(ci, ri).1.into()
        }
    }

    /// A claim's report rows as [`links`] makes them from [`Engine::kept`], with the
    /// evidence written straight from the term ids.
    fn kept_links(
        &self,
        ci: usize,
        article: &str,
        acc: &mut [f32],
        touched: &mut Vec<u32>,
    ) -> Vec<Link> {
        let c = &self.claims[ci];
        let kept = self.kept_fuzzy(ci, acc, touched);
        if kept.is_empty() {
            return links(c, article, self.responses, Vec::new());
        }
        // The kept responses' texts are hashed into the pair ids and copied into the rows, and
        // their vectors merged with the claim's for the shared terms: each a cache miss of its
        // own (20,000 responses, read in no order). Touched here all at once, one line in 64
        // bytes, the misses overlap instead of coming one after another, row by row.
        let mut touch = 0u32;
        for &(ri, _) in &kept {
            for line in self.responses[ri].unit.text.as_bytes().chunks(64) {
                touch ^= u32::from(line[0]);
            }
            for line in self.resp_vecs[ri].chunks(8) {
                touch ^= line[0].0;
            }
        }
        std::hint::black_box(touch);
        let mut ids = PairIds::new(article, &c.unit.text);
        kept.into_iter()
            .map(|(ri, fuzzy)| {
                let (score, shared) = self.score_bare(ci, ri, fuzzy);
                let mut out = Vec::with_capacity(96);
                push_evidence(
                    &mut out,
                    shared.iter().map(|s| self.vocab[s.0 as usize].as_str()),
                    &self.reference_phrase(ci, ri),
                    &score,
                );
                Link {
                    pair_id: ids.of(&self.responses[ri].unit.text),
                    status: Status::Paired,
                    confidence: confidence(score.total),
                    response: Some(ri),
                    // Only whole strings and ASCII were pushed.
                    evidence: String::from_utf8(out).unwrap_or_default(),
                    score: Some(score),
                }
            })
            .collect()
    }

    /// What the report keeps of one claim: its best `top_k` candidates scoring at least
    /// `min_score`, best first, ties by response index — the same as the head of
    /// [`Engine::matches`] for that claim. Candidates come in by falling index score, and one
    /// whose composite could not reach the current `top_k`-th best even with a perfect fuzzy
    /// part is never given the character-level comparison.
    pub fn kept(&self, ci: usize, acc: &mut [f32], touched: &mut Vec<u32>) -> Vec<Match> {
        self.kept_fuzzy(ci, acc, touched)
            .into_iter()
            .map(|(ri, fuzzy)| Match {
                response: ri,
                score: self.score(ci, ri, fuzzy),
            })
            .collect()
    }

    /// [`Engine::kept`]: (response, fuzzy part), best first.
    fn kept_fuzzy(&self, ci: usize, acc: &mut [f32], touched: &mut Vec<u32>) -> Vec<(usize, f32)> {
        // In any order: they are sorted by their bounds below.
        let cands = self
            .search(ci, self.opts.candidates, acc, touched)
            .into_best();
        if cands.is_empty() {
            return Vec::new();
        }
        let keep = if self.opts.top_k == 0 {
            usize::MAX
        } else {
            self.opts.top_k
        };
        let min_score = self.opts.weights.min_score;
        let perfect: f32 = if self.opts.weights.fuzzy > 0.0 {
            1.0
        } else {
            0.0
        };
        let fz = self.comparator(ci);
        let mut scored: Vec<(usize, f32, f32)> = Vec::with_capacity(cands.len());
        // The best `keep` totals so far, for the bound.
        let mut best: Vec<f32> = Vec::new();
        // Highest bound first: the best totals are found early and raise the bar that spares
        // the rest their character-level comparison. Which candidates are kept does not
        // depend on this order, only how many are compared.
        let parts: Vec<(usize, Parts, f32)> = cands
            .into_iter()
            .map(|(ri, index)| {
                let p = self.parts(ci, ri, Some(index));
                let bound = self.total(&p, ri, perfect.min(self.fuzzy_ceiling(fz.as_ref(), ri)));
                (ri, p, bound)
            })
            .collect();
        // Sorted as keys: responses are distinct, so the order is total.
        let mut order: Vec<(u64, u32)> = parts
            .iter()
            .enumerate()
            .map(|(k, x)| (desc_then_index(x.2, x.0), k as u32))
            .collect();
        order.sort_unstable_by_key(|x| x.0);
        for &(_, k) in &order {
            let (ri, ref p, bound) = parts[k as usize];
            // Strictly below: a candidate that can only tie still wins ties by index.
            if bound < min_score
                || (best.len() == keep && best.iter().copied().fold(f32::MAX, f32::min) > bound)
            {
                break;
            }
            let fuzzy = self.fuzzy(fz.as_ref(), ri);
            let total = self.total(p, ri, fuzzy);
            scored.push((ri, fuzzy, total));
            if best.len() < keep {
                best.push(total);
            } else if let Some(k) = (0..best.len()).min_by(|&a, &b| best[a].total_cmp(&best[b])) {
                if total > best[k] {
                    best[k] = total;
                }
            }
        }
        scored.sort_unstable_by_key(|x| desc_then_index(x.2, x.0));
        scored
            .into_iter()
            .filter(|x| x.2 >= min_score)
            .take(keep)
            .map(|(ri, fuzzy, _)| (ri, fuzzy))
            .collect()
    }

    /// Every claim's candidates with the full composite, best first (ties by response index).
    /// Output order follows the claims, whatever the thread count.
    pub fn matches(&self) -> Vec<Vec<Match>> {
        (0..self.claims.len())
            .into_par_iter()
            .map_init(
                || self.scratch(),
                |s, ci| {
                    let cands = self.top_n(ci, self.opts.candidates, &mut s.acc, &mut s.touched);
                    if cands.is_empty() {
                        return Vec::new();
                    }
                    // Indel similarity over the sorted content words: spellings and
                    // inflections stemming misses. rapidfuzz's bit-parallel kernel, set up once
                    // per claim, keeps this cheap on long texts where strsim's quadratic
                    // Levenshtein (or its bigram hash maps) dominated the run.
                    let fz = self.comparator(ci);
                    let mut out: Vec<Match> = cands
                        .into_iter()
                        .map(|(ri, _)| {
                            let fuzzy = self.fuzzy(fz.as_ref(), ri);
                            Match {
                                response: ri,
                                score: self.score(ci, ri, fuzzy),
                            }
                        })
                        .collect();
                    out.sort_by(|a, b| {
                        b.score
                            .total
                            .total_cmp(&a.score.total)
                            .then(a.response.cmp(&b.response))
                    });
                    out
                },
            )
            .collect()
    }

    /// The exact best response of one claim under the full composite, scoring every response
    /// it may pair with (its group, minus its own id when asked): ties by response index.
    /// Quadratic over a whole run, so it is only the yardstick the benchmarks hold the
    /// candidate generator to, never part of pairing.
    pub fn exact_best(&self, ci: usize) -> Option<Match> {
        let claim = &self.claims[ci];
        let (lo, hi) = self.range(claim);
        let fz = self.comparator(ci);
        let mut best: Option<Match> = None;
        for slot in lo..hi {
            let ri = self.slot_to_resp[slot as usize] as usize;
            if self.opts.exclude_same_id && self.responses[ri].unit.unit_id == claim.unit.unit_id {
                continue;
            }
            let fuzzy = self.fuzzy(fz.as_ref(), ri);
            let score = self.score(ci, ri, fuzzy);
            let better = match &best {
                None => true,
                Some(b) => {
                    score.total > b.score.total || (score.total == b.score.total && ri < b.response)
                }
            };
            if better {
                best = Some(Match {
                    response: ri,
                    score,
                });
            }
        }
        best
    }

    /// Index scores only (no composite): the candidate generator, for tests and baselines.
    pub fn candidates(&self, n: usize) -> Vec<Vec<(usize, f32)>> {
        (0..self.claims.len())
            .into_par_iter()
            .map_init(
                || self.scratch(),
                |s, ci| self.top_n(ci, n, &mut s.acc, &mut s.touched),
            )
            .collect()
    }
}

/// Order-aware decoding for two ordered sources (a review and its point-by-point rebuttal):
/// assigns each response `j` (rows of `scores`, in order) one claim (columns) maximising the
/// total score, where going back to an earlier claim costs `back` and answering the same
/// claim again costs `repeat`. Answers mostly follow the claims' order, which a per-response
/// argmax cannot see. Dynamic programming, O(rows × cols²).
pub fn align_ordered(scores: &[Vec<f32>], back: f32, repeat: f32) -> Vec<usize> {
    let m = scores.len();
    let Some(n) = scores.first().map(|r| r.len()) else {
        return Vec::new();
    };
    if n == 0 {
        return Vec::new();
    }
    let mut best = vec![vec![f32::MIN; n]; m];
    let mut from = vec![vec![0usize; n]; m];
    best[0].clone_from(&scores[0]);
    for j in 1..m {
        for i in 0..n {
            let mut b = (f32::MIN, 0);
            for (k, &prev) in best[j - 1].iter().enumerate() {
                let cost = if k > i {
                    back
                } else if k == i {
                    repeat
                } else {
                    0.0
                };
                let v = prev - cost;
                if v > b.0 {
                    b = (v, k);
                }
            }
            best[j][i] = scores[j][i] + b.0;
            from[j][i] = b.1;
        }
    }
    let mut i = (0..n)
        .max_by(|&a, &b| best[m - 1][a].total_cmp(&best[m - 1][b]).then(b.cmp(&a)))
        .unwrap_or(0);
    let mut out = vec![0; m];
    for j in (0..m).rev() {
        out[j] = i;
        i = from[j][i];
    }
    out
}

/// Mean cosine of each response to its `k` nearest claims, through an inverted index over the
/// claims (never the full matrix).
fn hubness(claims: &Vectors, responses: &Vectors, n_terms: usize, k: usize) -> Vec<f32> {
    let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); n_terms];
    for (ci, v) in claims.iter().enumerate() {
        for &(t, w) in v {
            postings[t as usize].push((ci as u32, w));
        }
    }
    (0..responses.len())
        .into_par_iter()
        .map_init(
            || (vec![0.0f32; claims.len()], Vec::<u32>::new()),
            |(acc, touched), r| {
                for &(t, w) in &responses[r] {
                    for &(c, wc) in &postings[t as usize] {
                        if acc[c as usize] == 0.0 {
                            touched.push(c);
                        }
                        acc[c as usize] += w * wc;
                    }
                }
                let mut sims: Vec<f32> = touched.iter().map(|&c| acc[c as usize]).collect();
                for &c in touched.iter() {
                    acc[c as usize] = 0.0;
                }
                touched.clear();
                sims.sort_by(|a, b| b.total_cmp(a));
                // The best neighbour is often the response's own twin (a query that is also in
                // the corpus); it says nothing about hubness.
                let near: Vec<f32> = sims.into_iter().filter(|&x| x < 0.999).take(k).collect();
                near.iter().sum::<f32>() / k as f32
            },
        )
        .collect()
}

fn confidence(total: f32) -> &'static str {
    if total >= 0.4 {
        "high"
    } else if total >= 0.22 {
        "medium"
    } else {
        "low"
    }
}

fn evidence(s: &Score) -> String {
    let mut out = Vec::with_capacity(96);
    push_evidence(
        &mut out,
        s.shared.iter().map(|t| &**t),
        &s.reference_phrase,
        s,
    );
    // Only whole strings and ASCII were pushed.
    String::from_utf8(out).unwrap_or_default()
}

/// A row's evidence: the shared terms (a bigram's `_` written as a space), the reference
/// phrase, and the fuzzy and position parts of `s`.
fn push_evidence<'t>(
    out: &mut Vec<u8>,
    shared: impl Iterator<Item = &'t str>,
    phrase: &str,
    s: &Score,
) {
    let mut any = false;
    for t in shared {
        out.extend_from_slice(if any { b", " } else { b"shared: " });
        any = true;
        if t.contains('_') {
            out.extend_from_slice(t.replace('_', " ").as_bytes());
        } else {
            out.extend_from_slice(t.as_bytes());
        }
    }
    if any {
        out.extend_from_slice(b"; ");
    }
    if !phrase.is_empty() {
        out.extend_from_slice("reference: \u{201c}".as_bytes());
        out.extend_from_slice(phrase.as_bytes());
        out.extend_from_slice("\u{201d}; ".as_bytes());
    }
    out.extend_from_slice(b"fuzzy ");
    push_fixed(out, s.fuzzy, 2);
    if s.order > 0.0 {
        out.extend_from_slice(b"; position ");
        push_fixed(out, s.order, 2);
    }
}

/// [`pair_id`], printed without the formatter: the same id.
fn pair_id_of(article: &str, claim_text: &str, rebuttal_text: &str) -> String {
    PairIds::new(article, claim_text).of(rebuttal_text)
}

/// [`pair_id`]s of one claim's rows: the article and claim part of the hashed bytes is laid
/// down once per claim, not copied again for each of its rows.
struct PairIds(crate::pair::PairHasher);

impl PairIds {
    fn new(article: &str, claim_text: &str) -> PairIds {
        PairIds(crate::pair::PairHasher::new(article, claim_text))
    }

    /// [`crate::pair::pair_id`] of the claim and `rebuttal_text`, the claim's part of the
    /// hashed bytes laid out once.
    fn of(&mut self, rebuttal_text: &str) -> String {
        crate::pair::pair_id_of_hash(self.0.hash(rebuttal_text))
    }
}

/// One report row of a claim, holding only what the units do not.
struct Link {
    pair_id: String,
    status: Status,
    confidence: &'static str,
    response: Option<usize>,
    score: Option<Score>,
    evidence: String,
}

fn article_of(c: &Item) -> String {
    c.group
        .clone()
        .unwrap_or_else(|| c.unit.article.to_string())
}

/// A claim's rows: one per kept match, or one `unanswered` row.
fn links(c: &Item, article: &str, responses: &[Item], kept: Vec<Match>) -> Vec<Link> {
    if kept.is_empty() {
        return vec![Link {
            pair_id: pair_id_of(article, &c.unit.text, ""),
            status: Status::Unanswered,
            confidence: "",
            response: None,
            score: None,
            evidence: "no response scores above the threshold".into(),
        }];
    }
    let mut ids = PairIds::new(article, &c.unit.text);
    kept.into_iter()
        .map(|m| Link {
            pair_id: ids.of(&responses[m.response].unit.text),
            status: Status::Paired,
            confidence: confidence(m.score.total),
            response: Some(m.response),
            evidence: evidence(&m.score),
            score: Some(m.score),
        })
        .collect()
}

fn view<'a>(
    c: &'a Item,
    article: &'a str,
    responses: &'a [Item],
    l: &'a Link,
) -> crate::pair::RowView<'a> {
    crate::pair::RowView {
        article,
        pair_id: &l.pair_id,
        status: l.status,
        basis: if l.status == Status::Paired {
            "specific"
        } else {
            ""
        },
        confidence: l.confidence,
        claim: Some(&c.unit),
        rebuttal: l.response.map(|r| &responses[r].unit),
        score: l.score.as_ref(),
        evidence: &l.evidence,
    }
}

fn with_candidates(opts: &Options) -> Options {
    let mut opts = opts.clone();
    opts.candidates = opts.candidates.max(opts.top_k);
    opts
}

/// Pairs two sources: each claim keeps its `top_k` best responses scoring at least
/// `min_score`; a claim with none is `unanswered`. Rows follow the order of the claims.
pub fn pair_two_sources(
    claims: &[Item],
    responses: &[Item],
    lex: &Lexicon,
    opts: &Options,
) -> Vec<Row> {
    let opts = with_candidates(opts);
    let engine = Engine::new(claims, responses, lex, &opts);
    let kept: Vec<Vec<Match>> = (0..claims.len())
        .into_par_iter()
        .map_init(
            || engine.scratch(),
            |s, ci| engine.kept(ci, &mut s.acc, &mut s.touched),
        )
        .collect();
    let mut rows = Vec::new();
    for (ci, ms) in kept.into_iter().enumerate() {
        let c = &claims[ci];
        let article = article_of(c);
        for l in links(c, &article, responses, ms) {
            let v = view(c, &article, responses, &l);
            rows.push(Row {
                article: article.clone(),
                pair_id: l.pair_id.clone(),
                status: v.status,
                basis: v.basis,
                confidence: v.confidence,
                claim: Some(c.unit.clone()),
                rebuttal: v.rebuttal.cloned(),
                score: l.score.clone(),
                evidence: l.evidence.clone(),
            });
        }
    }
    rows
}

/// Claims scored and formatted per block of the streamed report: enough to keep both threads
/// busy, small enough that the two blocks in flight (one scored, one written) stay a few MiB.
const BLOCK: usize = 64;

/// One claim's report rows: their bytes, where each ends, and how many are paired.
type ClaimRows = (Vec<u8>, Vec<usize>, usize);

/// Rows written by [`write_two_sources`].
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    pub paired: usize,
    pub unanswered: usize,
}

/// [`pair_two_sources`] straight into a report: claims are scored and their rows formatted a
/// block at a time on the worker threads, then written in claim order. The report is the
/// same bytes as writing [`pair_two_sources`]'s table, but never sits in memory whole.
pub fn write_two_sources(
    claims: &[Item],
    responses: &[Item],
    lex: &Lexicon,
    opts: &Options,
    explain: bool,
    out: &mut crate::report::RowWriter,
) -> crate::error::Result<Written> {
    let (format, csv) = (out.format(), out.csv_options().clone());
    let opts = with_candidates(opts);
    let engine = Engine::new(claims, responses, lex, &opts);
    let headers = crate::pair::report_headers(explain);
    let mut written = Written::default();
    // Every pair id is `p` and 16 lowercase hex digits: written as it is if those are.
    let fixed_verbatim = crate::pair::all_verbatim(
        [
            Status::Paired.as_str(),
            Status::Unanswered.as_str(),
            "high",
            "medium",
            "low",
            "specific",
            "p0123456789abcdef",
        ],
        &csv,
    );
    // What each response's text needs in a CSV cell, found once: a response is in the rows
    // of many claims. Two flags each, where its encoded cells would have been megabytes.
    let resp_needs: Vec<((bool, bool), bool)> = if format == crate::report::Format::Csv {
        responses
            .par_iter()
            .map(|r| {
                (
                    cell_needs(r.unit.text.as_bytes(), csv.delimiter),
                    crate::pair::heads_verbatim(&r.unit, &csv),
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    // Row buffers go back to the workers once written: allocated on one thread and freed on
    // another, a hundred megabytes of them kept the allocator fetching and zeroing fresh pages.
    let buffers: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());
    let recycle = |mut b: Vec<u8>| {
        b.clear();
        // An outsized one (a claim with thousands of rows) is let go.
        if b.capacity() > 1 << 20 {
            return;
        }
        if let Ok(mut pool) = buffers.lock() {
            pool.push(b);
        }
    };
    let score_block = |lo: usize, hi: usize| -> Vec<std::io::Result<ClaimRows>> {
        (lo..hi)
            .into_par_iter()
            .map_init(
                || engine.scratch(),
                |s, ci| {
                    let c = &claims[ci];
                    let article = article_of(c);
                    let ls = engine.kept_links(ci, &article, &mut s.acc, &mut s.touched);
                    let paired = ls.iter().filter(|l| l.status == Status::Paired).count();
                    // Sized for the row's two texts and its other cells at once: grown by
                    // doubling, every claim's rows were copied several times.
                    let mut bytes = buffers
                        .lock()
                        .map(|mut b| b.pop())
                        .ok()
                        .flatten()
                        .unwrap_or_default();
                    bytes.reserve(
                        ls.iter()
                            .map(|l| {
                                let r = l.response.map_or(0, |r| responses[r].unit.text.len());
                                256 + c.unit.text.len() + r + l.evidence.len()
                            })
                            .sum(),
                    );
                    let ends = if format == crate::report::Format::Csv {
                        let mut claim_cells = Vec::with_capacity(64 + c.unit.text.len());
                        crate::pair::push_unit_csv(&mut claim_cells, &c.unit, &csv);
                        let mut article_cell = Vec::with_capacity(article.len());
                        crate::report::push_text_csv(&mut article_cell, &article, &csv);
                        ls.iter()
                            .map(|l| {
                                let resp = l.response.and_then(|r| resp_needs.get(r).copied());
                                let known = crate::pair::KnownCells {
                                    claim: Some(&claim_cells),
                                    rebuttal_text_needs: resp.map(|r| r.0),
                                    rebuttal_heads_verbatim: resp.is_some_and(|r| r.1),
                                    article: Some(&article_cell),
                                    fixed_verbatim,
                                };
                                crate::pair::push_row_csv_known(
                                    &view(c, &article, responses, l),
                                    known,
                                    explain,
                                    &csv,
                                    &mut bytes,
                                );
                                bytes.len()
                            })
                            .collect()
                    } else {
                        let cells: Vec<Vec<crate::report::Cell>> = ls
                            .iter()
                            .map(|l| {
                                crate::pair::row_cells(&view(c, &article, responses, l), explain)
                            })
                            .collect();
                        crate::report::encode_rows(&cells, &headers, format, &csv, &mut bytes)?
                    };
                    Ok((bytes, ends, paired))
                },
            )
            .collect()
    };
    let mut write_block = |rows: Vec<std::io::Result<ClaimRows>>,
                           out: &mut crate::report::RowWriter|
     -> crate::error::Result<()> {
        for r in rows {
            let (bytes, ends, paired) = r.map_err(|e| crate::error::Error::Io {
                path: "<report>".into(),
                source: e,
            })?;
            out.push_rows(&bytes, &ends)?;
            if paired == 0 {
                written.unanswered += 1;
            }
            written.paired += paired;
            recycle(bytes);
        }
        Ok(())
    };
    // Block k + 1 is scored on the pool while this thread writes block k: written between
    // blocks, the report's hundred megabytes left the workers idle.
    let mut pending = None;
    for lo in (0..claims.len()).step_by(BLOCK) {
        let hi = (lo + BLOCK).min(claims.len());
        let mut next = None;
        rayon::in_place_scope(|s| {
            s.spawn(|_| next = Some(score_block(lo, hi)));
            pending.take().map_or(Ok(()), |p| write_block(p, out))
        })?;
        pending = next;
    }
    if let Some(p) = pending {
        write_block(p, out)?;
    }
    Ok(written)
}

/// One side read from the inputs, with an account of what could not be read.
#[derive(Debug, Default)]
pub struct Side {
    pub items: Vec<Item>,
    pub issues: Vec<InputIssue>,
    pub failed: usize,
}

/// Every body sentence of a document, in order, as a unit of `role`.
pub fn document_items(id: &str, text: &str, role: Role, lex: &Lexicon) -> Vec<Item> {
    let seg = crate::segment::segment(id, text, lex);
    let count = seg.sentences.len();
    // Byte → char offsets in one pass over the text.
    let mut chars_before = Vec::with_capacity(count * 2);
    let mut bounds: Vec<usize> = seg
        .sentences
        .iter()
        .flat_map(|s| [s.start, s.end])
        .collect();
    bounds.sort_unstable();
    let mut ci = 0;
    let mut last = 0;
    for b in &bounds {
        ci += text[last..*b].chars().count();
        last = *b;
        chars_before.push((*b, ci));
    }
    let char_at = |b: usize| {
        chars_before
            .binary_search_by_key(&b, |x| x.0)
            .map(|k| chars_before[k].1)
            .unwrap_or(0)
    };
    seg.sentences
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let t = &text[s.start..s.end];
            let mut it = Item::unit(&format!("{id}:s{}", k + 1), t, role);
            let u = &mut it.unit;
            u.article = id.into();
            u.kind = "sentence".into();
            u.rule = "document sentence".into();
            u.start = char_at(s.start);
            u.end = char_at(s.end);
            u.byte_start = s.start;
            u.byte_end = s.end;
            u.paragraph = s.paragraph + 1;
            u.sentence = k + 1;
            it.position = Some((k, count));
            it
        })
        .collect()
}

fn json_str(v: &serde_json::Value, key: &str) -> Option<String> {
    match v.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// One line of [`jsonl_items`]: the unit and any warning, or the error that drops it.
fn jsonl_item(
    line: &str,
    lineno: usize,
    display: &str,
    stem: &str,
    role: Role,
) -> Result<(Item, Option<InputIssue>), InputIssue> {
    let v: serde_json::Value = serde_json::from_str(line)
        .map_err(|e| InputIssue::error(display, Some(lineno), "malformed-json", e.to_string()))?;
    let Some(t) = v.get("text").and_then(|t| t.as_str()) else {
        return Err(InputIssue::error(
            display,
            Some(lineno),
            "missing-field",
            "no string field `text`",
        ));
    };
    let mut warning = None;
    let id = match json_str(&v, "id").or_else(|| json_str(&v, "_id")) {
        Some(id) => id,
        None => {
            let id = format!("{stem}:line{lineno}");
            warning = Some(InputIssue::warning(
                display,
                Some(lineno),
                "missing-field",
                format!("no `id`; using {id}"),
            ));
            id
        }
    };
    let mut it = Item::unit(&id, t, role);
    it.unit.article = stem.into();
    it.unit.sentence = lineno;
    it.group = json_str(&v, "group");
    if let Some(g) = &it.group {
        it.unit.dispute = g.as_str().into();
    }
    it.context = json_str(&v, "title").unwrap_or_default();
    Ok((it, warning))
}

/// JSON Lines of pre-segmented units `{"id", "text", "group"?, "title"?}` (BEIR's `_id` is
/// accepted for `id`). Units of one group are ordered by line.
pub fn jsonl_items(text: &str, display: &str, role: Role, side: &mut Side) {
    let stem = std::path::Path::new(display)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| display.to_string());
    let first = side.items.len();
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    // Sized once: grown by doubling, the old and new copies of every unit were both resident.
    side.items.reserve(lines.len());
    // Parsed on the workers, in line order: one thread parsing both sides' JSON was the
    // longest serial stretch before the index is built. A block at a time, so that parsed
    // units are not held twice over.
    for block in lines.chunks(2048) {
        let parsed: Vec<Result<(Item, Option<InputIssue>), InputIssue>> = block
            .par_iter()
            .map(|&(i, line)| jsonl_item(line, i + 1, display, &stem, role))
            .collect();
        for p in parsed {
            match p {
                Ok((it, warning)) => {
                    side.issues.extend(warning);
                    side.items.push(it);
                }
                Err(issue) => {
                    side.issues.push(issue);
                    side.failed += 1;
                }
            }
        }
    }
    // Position within each group, in line order.
    let mut per_group: HashMap<String, Vec<usize>> = HashMap::new();
    for k in first..side.items.len() {
        if let Some(g) = &side.items[k].group {
            per_group.entry(g.clone()).or_default().push(k);
        }
    }
    for ks in per_group.values() {
        for (pos, &k) in ks.iter().enumerate() {
            side.items[k].position = Some((pos, ks.len()));
        }
    }
}

/// Reads one side: documents (text files, directories of them) are segmented into sentences;
/// JSONL lines and CSV records are units as they are.
pub fn read_side(inputs: &[String], role: Role, opts: &ReadOptions, lex: &Lexicon) -> Side {
    let mut side = Side::default();
    let sources = read::discover(inputs, &mut side.issues, &mut side.failed);
    for src in sources {
        if src.format == Format::Jsonl {
            let bytes = match &src.path {
                Some(p) => std::fs::read(p),
                None => {
                    let mut b = Vec::new();
                    std::io::Read::read_to_end(&mut std::io::stdin(), &mut b).map(|_| b)
                }
            };
            let bytes = match bytes {
                Ok(b) => b,
                Err(e) => {
                    side.issues.push(InputIssue::error(
                        &src.display,
                        None,
                        "unreadable",
                        format!("cannot read: {e}"),
                    ));
                    side.failed += 1;
                    continue;
                }
            };
            let decoded = read::decode(&bytes, &src.display, opts);
            // The raw bytes are a second copy of the file while its units are built.
            drop(bytes);
            match decoded {
                Ok((text, warn)) => {
                    side.issues.extend(warn);
                    jsonl_items(&text, &src.display, role, &mut side);
                }
                Err(issue) => {
                    side.issues.push(issue);
                    side.failed += 1;
                }
            }
            continue;
        }
        let mut batch = read::Batch::default();
        read::load(&src, opts, &mut batch);
        side.issues.extend(batch.issues);
        side.failed += batch.failed;
        for a in batch.articles {
            if src.format == Format::Csv {
                let mut it = Item::unit(&a.id, &a.text, role);
                it.unit.article = src.id.as_str().into();
                side.items.push(it);
            } else {
                side.items.extend(document_items(&a.id, &a.text, role, lex));
            }
        }
    }
    side
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pair::pair_id;

    /// The ASCII LCS kernels (one word, two as `u128`, three and four unrolled, any) against
    /// rapidfuzz's Indel, which they replace: the same f64 for every length around the word
    /// boundaries, on a small alphabet (long common subsequences) and a wide one.
    #[test]
    fn ascii_lcs_gives_rapidfuzzs_indel_similarity() {
        let mut rng = crate::testrng::Lcg(7);
        let mut next = |n: u64| (rng.next() >> 33) % n;
        let mut compared = 0;
        for alphabet in [b"ab ".as_slice(), b"etaoin shrdlucmfwypvbgkqjxz0123'-"] {
            for len1 in (1..=70).chain([127, 128, 129, 191, 192, 193, 255, 256, 257, 300]) {
                let a: Vec<u8> = (0..len1)
                    .map(|_| alphabet[next(alphabet.len() as u64) as usize])
                    .collect();
                let text = String::from_utf8(a).unwrap();
                let fz = Fuzzy {
                    bytes: Some(AsciiLcs::new(text.as_bytes())),
                    chars: std::cell::OnceCell::new(),
                    text: text.clone(),
                };
                let plain = rapidfuzz::distance::indel::BatchComparator::new(text.bytes());
                for _ in 0..6 {
                    let len2 = 1 + next(320) as usize;
                    let b: Vec<u8> = (0..len2)
                        .map(|_| alphabet[next(alphabet.len() as u64) as usize])
                        .collect();
                    let other = String::from_utf8(b).unwrap();
                    let want = plain.normalized_similarity(other.bytes());
                    assert_eq!(fz.similarity(&other, true).to_bits(), want.to_bits());
                    assert_eq!(fz.similarity(&text, true), 1.0);
                    compared += 1;
                }
            }
        }
        assert!(compared > 900);
    }

    fn items(texts: &[&str], role: Role) -> Vec<Item> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Item::unit(&format!("u{i}"), t, role))
            .collect()
    }

    /// `count` units of words from `vocab` drawn by a fixed-seed generator (`rng` carries
    /// on from one call to the next), the k-th `len(k)` words long: a small vocabulary gives
    /// many shared terms and many ties.
    fn random_items(
        vocab: &[&str],
        rng: &mut crate::testrng::Lcg,
        count: usize,
        len: impl Fn(usize) -> usize,
        role: Role,
    ) -> Vec<Item> {
        let texts: Vec<String> = (0..count)
            .map(|k| {
                let words: Vec<&str> = (0..len(k))
                    .map(|_| vocab[(rng.next() >> 33) as usize % vocab.len()])
                    .collect();
                words.join(" ")
            })
            .collect();
        items(&texts.iter().map(String::as_str).collect::<Vec<_>>(), role)
    }

    /// A whole stretch's SSE2 maximum equals the plain [`max_of`], wherever the largest value
    /// sits and whatever the zeros around it; clearing leaves every slot 0.
    #[test]
    fn stretch_max_equals_max_of() {
        let mut rng = crate::testrng::Lcg(7);
        for round in 0..2000 {
            let len = if round % 5 == 4 {
                round % STRETCH
            } else {
                STRETCH
            };
            let xs: Vec<f32> = (0..len)
                .map(|_| {
                    let r = (rng.next() >> 40) as u32;
                    // Mostly untouched slots, some tiny and some large sums.
                    match r % 4 {
                        0 | 1 => 0.0,
                        2 => f32::from_bits(1 + r % 1000),
                        _ => (r % 100_000) as f32 / 997.0,
                    }
                })
                .collect();
            assert_eq!(stretch_max(&xs).to_bits(), max_of(&xs).to_bits(), "{xs:?}");
            let mut ys = xs.clone();
            clear_stretch(&mut ys);
            assert!(ys.iter().all(|&y| y.to_bits() == 0));
        }
        let mut one = [0.0f32; STRETCH];
        for k in 0..STRETCH {
            one[k] = 2.5;
            assert_eq!(stretch_max(&one), 2.5);
            one[k] = 0.0;
        }
    }

    /// The grouped test agrees with testing each slot, at and around every value present.
    #[test]
    fn any_at_least_equals_each_slot() {
        let mut rng = crate::testrng::Lcg(11);
        for round in 0..3000 {
            let len = if round % 7 == 6 { round % GROUP } else { GROUP };
            let xs: Vec<f32> = (0..len)
                .map(|_| {
                    let r = (rng.next() >> 40) as u32;
                    if r % 3 == 0 {
                        0.0
                    } else {
                        (r % 5000) as f32 / 131.0
                    }
                })
                .collect();
            let mut ts: Vec<f32> = xs.clone();
            ts.extend(xs.iter().map(|&x| f32::from_bits(x.to_bits() + 1)));
            ts.extend([0.0, f32::from_bits(1), 1e9]);
            for t in ts {
                let plain = xs.iter().any(|&v| v >= t);
                assert_eq!(any_at_least(&xs, t), plain, "{t} {xs:?}");
            }
        }
    }

    /// The index's top-N equals a brute-force ranking of every claim × response cosine.
    #[test]
    fn desc_then_index_orders_as_total_cmp() {
        let mut xs = vec![
            0.0f32,
            -0.0,
            1.0,
            -1.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::MIN_POSITIVE,
            -f32::MIN_POSITIVE,
            f32::from_bits(1),
            0.5,
        ];
        let mut x = 12345u32;
        for _ in 0..2000 {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            xs.push(f32::from_bits(x));
            xs.push((x % 7) as f32 / 4.0);
        }
        let items: Vec<(usize, f32)> = xs.iter().enumerate().map(|(i, &v)| (i % 97, v)).collect();
        let mut by_cmp = items.clone();
        by_cmp.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut by_key = items;
        by_key.sort_by_key(|a| desc_then_index(a.1, a.0));
        let bits = |v: &[(usize, f32)]| v.iter().map(|a| (a.0, a.1.to_bits())).collect::<Vec<_>>();
        assert_eq!(bits(&by_cmp), bits(&by_key));
    }

    #[test]
    fn top_n_equals_brute_force() {
        let lex = Lexicon::builtin();
        let claims = items(
            &[
                "Tariffs on steel imports hurt farmers and exporters",
                "The ministry funded militant camps near the border",
                "Water rationing in the capital was mismanaged",
                "nothing in common at all xyzzy",
            ],
            Role::Claim,
        );
        let responses = items(
            &[
                "Steel tariffs protect farmers, the minister said",
                "No camps exist near the border; the ministry funds schools",
                "The capital's water supply is rationed fairly",
                "Exporters of steel welcomed the tariffs",
                "Border schools and camps were inspected by observers",
                "Rationing ended last week in the capital",
            ],
            Role::Rebuttal,
        );
        let opts = Options::default();
        let e = Engine::new(&claims, &responses, &lex, &opts);
        for n in [1, 2, 3, 10] {
            let got = e.candidates(n);
            for (ci, got_ci) in got.iter().enumerate() {
                let mut brute: Vec<(usize, f32)> = (0..responses.len())
                    .map(|ri| (ri, cosine(&e.claim_vecs[ci], &e.resp_vecs[ri]).0))
                    .filter(|x| x.1 > 0.0)
                    .collect();
                brute.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                brute.truncate(n);
                let g: Vec<usize> = got_ci.iter().map(|x| x.0).collect();
                let b: Vec<usize> = brute.iter().map(|x| x.0).collect();
                assert_eq!(g, b, "claim {ci}, n {n}");
                for (x, y) in got_ci.iter().zip(&brute) {
                    assert!((x.1 - y.1).abs() < 1e-5);
                }
            }
        }
    }

    /// The same on thousands of responses, where the candidate search reduces stretches of
    /// the accumulator to their maxima and turns most away unseen: a small vocabulary gives
    /// many ties and many slots under the bound.
    #[test]
    fn top_n_equals_brute_force_at_scale() {
        let lex = Lexicon::builtin();
        let vocab = [
            "tariff", "steel", "farmer", "border", "camp", "ministry", "water", "capital",
            "ration", "export", "school", "observer", "militant", "fund", "harbour", "grain",
            "pipeline", "treaty", "drone", "embassy", "sanction", "vaccine", "bridge", "quota",
        ];
        let mut rng = crate::testrng::Lcg(11);
        let claims = random_items(&vocab, &mut rng, 40, |k| 2 + k % 9, Role::Claim);
        let responses = random_items(&vocab, &mut rng, 3000, |k| 1 + k % 12, Role::Rebuttal);
        let e = Engine::new(&claims, &responses, &lex, &Options::default());
        for n in [1, 7, 50, 400] {
            let got = e.candidates(n);
            for (ci, got_ci) in got.iter().enumerate() {
                let mut brute: Vec<(usize, f32)> = (0..responses.len())
                    .map(|ri| (ri, dot_sum(&e.claim_vecs[ci], &e.resp_vecs[ri])))
                    .filter(|x| x.1 > 0.0)
                    .collect();
                brute.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                brute.truncate(n);
                assert_eq!(got_ci, &brute, "claim {ci}, n {n}");
            }
        }
    }

    /// What the report keeps of a claim, found with the bounds that spare candidates their
    /// character-level comparison, is the head of the full ranking of every candidate.
    #[test]
    fn kept_is_the_head_of_all_matches() {
        let lex = Lexicon::builtin();
        let words = [
            "tariffs",
            "steel",
            "farmers",
            "border",
            "camps",
            "ministry",
            "water",
            "capital",
            "rationing",
            "exporters",
            "schools",
            "observers",
            "militants",
            "funding",
            "harbour",
            "denied",
            "rejected",
            "accused",
            "baseless",
            "grain",
            "pipeline",
            "treaty",
        ];
        let mut rng = crate::testrng::Lcg(5);
        let claims = random_items(&words, &mut rng, 30, |k| 3 + k % 8, Role::Claim);
        let responses = random_items(&words, &mut rng, 800, |k| 2 + k % 11, Role::Rebuttal);
        for (top_k, min_score) in [(1, 0.0), (3, 0.2), (10, 0.0), (10, 0.35), (0, 0.3)] {
            let mut opts = Options {
                top_k,
                ..Options::default()
            };
            opts.weights.min_score = min_score;
            let e = Engine::new(&claims, &responses, &lex, &opts);
            let all = e.matches();
            let mut s = e.scratch();
            for (ci, all_ci) in all.iter().enumerate() {
                let got: Vec<(usize, f32)> = e
                    .kept(ci, &mut s.acc, &mut s.touched)
                    .iter()
                    .map(|m| (m.response, m.score.total))
                    .collect();
                let want: Vec<(usize, f32)> = all_ci
                    .iter()
                    .filter(|m| m.score.total >= min_score)
                    .take(if top_k == 0 { usize::MAX } else { top_k })
                    .map(|m| (m.response, m.score.total))
                    .collect();
                assert_eq!(
                    got, want,
                    "claim {ci}, top_k {top_k}, min_score {min_score}"
                );
            }
        }
    }

    #[test]
    fn groups_and_same_id() {
        let lex = Lexicon::builtin();
        let mut claims = items(&["steel tariffs hurt farmers"], Role::Claim);
        claims[0].group = Some("a".into());
        let mut responses = items(
            &["steel tariffs help farmers", "steel tariffs hurt farmers"],
            Role::Rebuttal,
        );
        responses[0].group = Some("b".into());
        responses[1].group = Some("a".into());
        let e = Engine::new(&claims, &responses, &lex, &Options::default());
        assert_eq!(
            e.candidates(5)[0].iter().map(|x| x.0).collect::<Vec<_>>(),
            vec![1]
        );
        // Same id as the claim ("u0" vs "u0"): dropped when asked.
        claims[0].group = None;
        let opts = Options {
            exclude_same_id: true,
            ..Options::default()
        };
        let e = Engine::new(&claims, &responses, &lex, &opts);
        assert_eq!(
            e.candidates(5)[0].iter().map(|x| x.0).collect::<Vec<_>>(),
            vec![1]
        );
    }

    #[test]
    fn alignment_follows_order_unless_scores_say_otherwise() {
        // Row 1 slightly prefers claim 0, but order (after claim 1) says claim 2.
        let s = vec![
            vec![0.1, 0.9, 0.0],
            vec![0.5, 0.1, 0.45],
            vec![0.0, 0.0, 0.9],
        ];
        assert_eq!(align_ordered(&s, 0.2, 0.1), vec![1, 2, 2]);
        // Free going back: plain argmax.
        assert_eq!(align_ordered(&s, 0.0, 0.0), vec![1, 0, 2]);
        assert!(align_ordered(&[], 0.1, 0.1).is_empty());
    }

    /// Units interned a word at a time give the same terms, ids and counts as units analysed
    /// whole, multi-word party names (also across a title and its text) included.
    #[test]
    fn interned_words_equal_analysed_units() {
        let lex = Lexicon::builtin();
        let an = Analyzer::new();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
        let mut texts: Vec<String> = vec![
            "Talks in Addis Ababa and the United States of America ended; Addis said Ababa.".into(),
            "The United States, and United Nations officials, met New Delhi's envoy in the US."
                .into(),
        ];
        for e in walkdir::WalkDir::new(root).into_iter().flatten() {
            if e.path().extension().is_some_and(|x| x == "txt") {
                if let Ok(t) = std::fs::read_to_string(e.path()) {
                    texts.extend(t.split(". ").map(String::from));
                }
            }
        }
        let mut items: Vec<Item> = texts
            .iter()
            .enumerate()
            .map(|(k, t)| Item::unit(&format!("u{k}"), t, Role::Claim))
            .collect();
        items[0].context = "Summit news from the United".into();
        items[1].context = "Addis".into();
        items[1].unit.text = "Ababa hosts the summit".into();
        let mut whole = Vocab::default();
        let a = whole.intern(&items, &an, &lex, false);
        let mut by_word = Vocab::default();
        let mut cache = WordTerms::new(&lex);
        let b = by_word.intern_words(&items, &an, &lex, &mut cache);
        assert_eq!(whole.terms, by_word.terms);
        assert_eq!(whole.df, by_word.df);
        assert_eq!(a.ends, b.ends);
        assert_eq!(a.pairs, b.pairs);
    }

    /// The quick test of a word that can start a multi-word party name turns away only words
    /// the tokenizer's own reading would turn away.
    #[test]
    fn starts_multi_agrees_with_the_tokenizer() {
        let lex = Lexicon::builtin();
        let cache = WordTerms::new(&lex);
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
        let mut text = String::from(
            "New York's Addis's United-States U.S. São Tomé Ábaco SOUTH Korea's o'Neill New&Co",
        );
        for e in walkdir::WalkDir::new(root).into_iter().flatten() {
            if e.path().extension().is_some_and(|x| x == "txt") {
                text.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
        let mut ws = Vec::new();
        words(&text, &mut ws);
        let mut starts = 0;
        for w in ws {
            let normed = crate::text::Normed::new(w);
            let tok = normed.tokens();
            let exact = tok
                .first()
                .is_some_and(|t| t.cap && cache.multi_first.contains(t.norm));
            assert_eq!(starts_multi(w, &cache.multi_first), exact, "{w}");
            starts += usize::from(exact);
        }
        assert!(starts > 10, "{starts}");
        // And the names found from those words are the names found in the whole text.
        for t in text.split(". ") {
            let mut ws = Vec::new();
            words(t, &mut ws);
            let mut whole = in_multi_party(t, &lex);
            whole.resize(ws.len(), false);
            let starts: Vec<bool> = ws
                .iter()
                .map(|w| starts_multi(w, &cache.multi_first))
                .collect();
            assert_eq!(multi_party_words(t, &ws, &starts, &lex), whole, "{t}");
        }
    }

    /// Analysing each word alone gives the terms of the whole text, and the words are where
    /// the tokenizer puts them, on every bundled article.
    #[test]
    fn word_terms_equal_text_terms() {
        let lex = Lexicon::builtin();
        let an = Analyzer::new();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
        let mut texts: Vec<String> = vec![
            "U.S. a.m. U.S.A e.g.x ab.c x.yz Pakistan\u{2019}s countries\u{2019} one-sided -x- 'quoted' \
             R&D US us Us \u{2014}dash\u{2014}"
                .into(),
        ];
        for e in walkdir::WalkDir::new(root).into_iter().flatten() {
            if e.path().extension().is_some_and(|x| x == "txt") {
                if let Ok(t) = std::fs::read_to_string(e.path()) {
                    texts.push(t);
                }
            }
        }
        assert!(texts.len() > 10);
        for t in &texts {
            let mut w = Vec::new();
            words(t, &mut w);
            let normed = crate::text::Normed::new(t);
            let spans: Vec<&str> = normed.tokens().iter().map(|k| &t[k.start..k.end]).collect();
            assert_eq!(w, spans);
            let party = in_multi_party(t, &lex);
            let by_word: Vec<String> = w
                .iter()
                .zip(party.iter().chain(std::iter::repeat(&false)))
                .filter(|(_, &p)| !p)
                .flat_map(|(w, _)| an.terms(w, &lex))
                .collect();
            assert_eq!(by_word, an.terms(t, &lex));
        }
    }

    #[test]
    fn pair_id_of_is_the_pair_id() {
        let long = "word ".repeat(200);
        for (a, c, r) in [
            ("", "", ""),
            ("art", "claim", ""),
            ("art", "a claim", "a rebuttal"),
            ("g", &long[..239], &long[..1]),
            ("g", &long, &long[..500]),
            ("caf\u{e9}", &long[..100], &long[..137]),
        ] {
            assert_eq!(pair_id_of(a, c, r), pair_id(a, c, r));
        }
        // One claim's ids in a row, the buffer reused.
        let mut ids = PairIds::new("g", &long[..300]);
        for r in [&long[..700], "", &long[..3], &long[..1000]] {
            assert_eq!(ids.of(r), pair_id("g", &long[..300], r));
        }
    }

    /// The evidence cell as it was first written, with `format!` and `join`.
    #[test]
    fn evidence_is_unchanged() {
        let old = |s: &Score| {
            let mut parts = Vec::new();
            if !s.shared.is_empty() {
                parts.push(format!("shared: {}", s.shared.join(", ")));
            }
            if !s.reference_phrase.is_empty() {
                parts.push(format!("reference: \u{201c}{}\u{201d}", s.reference_phrase));
            }
            parts.push(format!("fuzzy {:.2}", s.fuzzy));
            if s.order > 0.0 {
                parts.push(format!("position {:.2}", s.order));
            }
            parts.join("; ")
        };
        for shared in [vec![], vec!["steel".into(), "tariff hike".into()]] {
            for phrase in ["", "those allegations"] {
                for (fuzzy, order) in [(0.0, 0.0), (0.125, 0.375), (0.995, 1.0), (0.3333, 0.005)] {
                    let s = Score {
                        lexical: 0.5,
                        fuzzy,
                        reference: 0.0,
                        order,
                        total: 0.5,
                        shared: shared.clone(),
                        reference_phrase: phrase.into(),
                    };
                    assert_eq!(evidence(&s), old(&s));
                }
            }
        }
    }

    #[test]
    fn document_offsets_are_chars() {
        let lex = Lexicon::builtin();
        let text = "Café owners protested the tax. The mayor rejected it.";
        let it = document_items("d", text, Role::Claim, &lex);
        assert_eq!(it.len(), 2);
        for i in &it {
            let s: String = text
                .chars()
                .skip(i.unit.start)
                .take(i.unit.end - i.unit.start)
                .collect();
            assert_eq!(s, i.unit.text);
        }
    }
}
