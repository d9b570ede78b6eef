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
    best_match, count_terms, jaro_winkler_with, name_similarity_by, prepare_as, reference_by,
    score_with_reference, Analyzer, JaroSide, Prepared, Score, Term, Weights, SHARED_KEPT,
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
    pair_id_of_hash(PairHasher::new(article, claim_text).hash(rebuttal_text))
}

/// A pair id from its hash: `format!("p{:016x}", h)` by hand, since every row has an id and
/// the formatting machinery cost more than the hash.
pub(crate) fn pair_id_of_hash(h: u64) -> String {
    let mut id = String::with_capacity(17);
    id.push('p');
    for k in (0..16).rev() {
        id.push(char::from(
            b"0123456789abcdef"[(h >> (4 * k)) as usize & 15],
        ));
    }
    id
}

/// [`pair_id_of_hash`] as bytes, written straight into a report (the two-source writer
/// makes its ids with that one, which costs it less there).
fn pair_id_bytes(h: u64) -> [u8; 17] {
    let mut id = [b'p'; 17];
    id[1..9].copy_from_slice(&hex_digits((h >> 32) as u32));
    id[9..].copy_from_slice(&hex_digits(h as u32));
    id
}

/// The eight lowercase hex digits of `x`, most significant first, each nibble moved into a
/// byte of its own and made a digit all at once: a table look-up per digit was a fiftieth of
/// writing a row (issue 7).
fn hex_digits(x: u32) -> [u8; 8] {
    let mut v = x as u64;
    v = (v | v << 16) & 0x0000_FFFF_0000_FFFF;
    v = (v | v << 8) & 0x00FF_00FF_00FF_00FF;
    v = (v | v << 4) & 0x0F0F_0F0F_0F0F_0F0F;
    // 1 in each byte whose nibble is 10 or more (adding 6 carries it into bit 4).
    let letters = (v + 0x0606_0606_0606_0606) >> 4 & 0x0101_0101_0101_0101;
    (v + 0x3030_3030_3030_3030 + letters * (b'a' - b'0' - 10) as u64).to_be_bytes()
}

/// [`pair_id`]'s hashes for one claim, its part of the hashed bytes laid down once.
pub(crate) struct PairHasher {
    buf: Vec<u8>,
    /// Where the article's part of `buf` ends.
    article: usize,
    prefix: usize,
}

impl PairHasher {
    pub(crate) fn new(article: &str, claim_text: &str) -> Self {
        let mut buf = Vec::with_capacity(article.len() + claim_text.len() + 512);
        buf.extend_from_slice(article.as_bytes());
        buf.push(0x1f);
        let article = buf.len();
        buf.extend_from_slice(claim_text.as_bytes());
        buf.push(0x1f);
        let prefix = buf.len();
        PairHasher {
            buf,
            article,
            prefix,
        }
    }

    /// The hasher of another claim of the same article, in the same buffer: a buffer for
    /// each claim was a fortieth of pairing's heap blocks (issue 7).
    pub(crate) fn set_claim(&mut self, claim_text: &str) {
        self.buf.truncate(self.article);
        self.buf.extend_from_slice(claim_text.as_bytes());
        self.buf.push(0x1f);
        self.prefix = self.buf.len();
    }

    /// The hash of the pair id of the claim and `rebuttal_text`.
    pub(crate) fn hash(&mut self, rebuttal_text: &str) -> u64 {
        self.buf.truncate(self.prefix);
        self.buf.extend_from_slice(rebuttal_text.as_bytes());
        xxhash_rust::xxh3::xxh3_64(&self.buf)
    }
}

/// Document frequencies of content terms over the units of a batch.
pub fn batch_df(units: &[&Unit], an: &Analyzer, lex: &Lexicon) -> (HashMap<Term, u32>, u32) {
    let terms: Vec<Vec<Term>> = units
        .iter()
        .map(|u| an.shared_terms(&u.text, lex))
        .collect();
    (df_of_terms(terms.iter()), units.len() as u32)
}

/// Document frequency over the units' term lists (each unit counts a term once).
fn df_of_terms<'a, S: std::hash::BuildHasher + Default>(
    terms: impl Iterator<Item = &'a Vec<Term>>,
) -> HashMap<Term, u32, S> {
    let counts: Vec<Vec<(Term, u32)>> = terms.map(|t| count_terms(t)).collect();
    df_of_counts(counts.iter())
}

/// [`df_of_terms`] from each unit's [`count_terms`], whose terms are already distinct.
fn df_of_counts<'a, S: std::hash::BuildHasher + Default>(
    counts: impl Iterator<Item = &'a Vec<(Term, u32)>>,
) -> HashMap<Term, u32, S> {
    let mut df: HashMap<Term, u32, S> = HashMap::default();
    for unit in counts {
        for (x, _) in unit {
            // Look up before inserting: most terms are already there.
            match df.get_mut(x.as_ref()) {
                Some(c) => *c += 1,
                None => {
                    df.insert(x.clone(), 1);
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
    CONFIDENCES[level]
}

/// A row's confidences, lowest first.
const CONFIDENCES: [&str; 3] = ["low", "medium", "high"];

/// The parts of the evidence, "; " between them, appended to `out`. Pieced together in one
/// buffer: `format!` for each part and a join was a hundredth of a run (issue 7). A streamed
/// report writes each row's evidence straight into its CSV ([`RowAt::push_evidence_csv`]).
fn push_evidence(out: &mut Vec<u8>, s: &Score, rule: &str) {
    if !rule.is_empty() {
        out.extend_from_slice(b"rule: ");
        out.extend_from_slice(rule.as_bytes());
        out.extend_from_slice(b"; ");
    }
    if !s.shared.is_empty() {
        out.extend_from_slice(b"shared: ");
        for (k, t) in s.shared.iter().enumerate() {
            if k > 0 {
                out.extend_from_slice(b", ");
            }
            out.extend_from_slice(t.as_bytes());
        }
        out.extend_from_slice(b"; ");
    }
    if !s.reference_phrase.is_empty() {
        out.extend_from_slice("reference: \u{201c}".as_bytes());
        out.extend_from_slice(s.reference_phrase.as_bytes());
        out.extend_from_slice("\u{201d}; ".as_bytes());
    }
    out.extend_from_slice(b"order ");
    // The digits without the formatter, which cost more than the rest of the evidence.
    crate::report::push_fixed(out, s.order, 2);
}

#[cfg(test)]
mod df_tests {
    use super::*;

    #[test]
    fn document_frequencies_from_counts_match_a_plain_count() {
        let words = ["extrem", "deal", "sanction", "a", "b", "extremist"];
        let mut rng = crate::testrng::XorShift(0x2545F4914F6CDD1D);
        let mut next = || rng.next();
        for _ in 0..200 {
            let units: Vec<Vec<Term>> = (0..next() % 6)
                .map(|_| {
                    (0..next() % 9)
                        .map(|_| Term::from(words[(next() % words.len() as u64) as usize]))
                        .collect()
                })
                .collect();
            let mut plain: HashMap<String, u32> = HashMap::new();
            for u in &units {
                let distinct: std::collections::BTreeSet<&str> =
                    u.iter().map(|t| t.as_ref()).collect();
                for t in distinct {
                    *plain.entry(t.to_string()).or_default() += 1;
                }
            }
            let fast: HashMap<Term, u32> = df_of_terms(units.iter());
            let fast: HashMap<String, u32> =
                fast.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
            assert_eq!(fast, plain, "{units:?}");
        }
    }
}

#[cfg(test)]
mod formatting_tests {
    use super::*;

    /// `evidence` as it was written with `format!` and a join: the specification.
    fn evidence_reference(s: &Score, rule: &str) -> String {
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

    #[test]
    fn evidence_matches_its_formatted_reference() {
        let shared = [
            vec![],
            vec![Term::from("extrem")],
            vec!["a".into(), "b".into()],
        ];
        for rule in ["", "blanket answer to the accusations as a whole"] {
            for sh in &shared {
                for phrase in ["", "those claims"] {
                    for order in [0.0f32, 0.005, 0.125, 0.5, 0.999, 1.0, 0.335] {
                        let s = Score {
                            order,
                            shared: sh.clone(),
                            reference_phrase: phrase.into(),
                            ..Default::default()
                        };
                        // Appended to what the buffer holds.
                        let mut got = b"x".to_vec();
                        push_evidence(&mut got, &s, rule);
                        let got = String::from_utf8(got).unwrap();
                        assert_eq!(got, ["x", &evidence_reference(&s, rule)].concat());
                        // A row's evidence from its score and rule, and its length bound.
                        let row = RowAt {
                            pair_id: 0,
                            status: Status::Paired,
                            basis: "",
                            confidence: "",
                            claim: None,
                            rebuttal: None,
                            score: Some(s.clone()),
                            note: rule.to_string().into(),
                        };
                        let mut buf = EvidenceBuf::default();
                        assert_eq!(row.evidence(&mut buf), &got[1..]);
                        assert!(row.evidence_len() >= got.len() - 1);
                    }
                }
            }
        }
    }

    /// The fixed cells' check by their letters answers as encoding each, for every
    /// delimiter, and they are the statuses a row has.
    #[test]
    fn fixed_cells_verbatim_as_encoded() {
        for s in [Status::Paired, Status::Unanswered, Status::Unmatched] {
            assert!(FIXED_CELLS.contains(&s.as_str()));
        }
        for s in CONFIDENCES.into_iter().chain(["specific", "blanket"]) {
            assert!(FIXED_CELLS.contains(&s), "{s}");
        }
        for delimiter in 0..=255u8 {
            for keep_newlines in [false, true] {
                let opts = crate::report::CsvOptions {
                    delimiter,
                    keep_newlines,
                    ..Default::default()
                };
                assert_eq!(
                    fixed_cells_verbatim(&opts),
                    all_verbatim(FIXED_CELLS, &opts),
                    "{delimiter}"
                );
            }
        }
    }

    #[test]
    fn hex_digits_are_the_formatted_ones() {
        let mut rng = crate::testrng::XorShift(0x9E37_79B9_7F4A_7C15);
        let special = [0, u64::MAX, 0x0123_4567_89ab_cdef, 0xa0a0_9f9f_0a0a_f9f9];
        for h in special.into_iter().chain((0..10_000).map(|_| rng.next())) {
            assert_eq!(pair_id_bytes(h), format!("p{h:016x}").as_bytes(), "{h:x}");
        }
    }

    #[test]
    fn pair_id_is_the_hash_in_sixteen_hex_digits() {
        for (a, c, r) in [("a1", "claim", "rebuttal"), ("", "", ""), ("x", "“é”", "")] {
            let mut buf = Vec::new();
            for (k, part) in [a, c, r].iter().enumerate() {
                if k > 0 {
                    buf.push(0x1f);
                }
                buf.extend_from_slice(part.as_bytes());
            }
            let want = format!("p{:016x}", xxhash_rust::xxh3::xxh3_64(&buf));
            assert_eq!(pair_id(a, c, r), want);
            let h = xxhash_rust::xxh3::xxh3_64(&buf);
            assert_eq!(pair_id_bytes(h), want.as_bytes());
            // A claim's hasher, reused for several rebuttals, long and short.
            let mut h = PairHasher::new(a, c);
            for r in [r, "a much longer rebuttal text than any before it", "", r] {
                assert_eq!(pair_id_of_hash(h.hash(r)), pair_id(a, c, r));
            }
            // One article's hasher, set to other claims, longer and shorter.
            let mut h = PairHasher::new(a, "a claim longer than any of the others");
            for c in [c, "", "another claim", c] {
                h.set_claim(c);
                for r in [r, "a much longer rebuttal text than any before it", ""] {
                    assert_eq!(pair_id_of_hash(h.hash(r)), pair_id(a, c, r));
                }
            }
        }
    }
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

/// Whether a rebuttal's folded text names the claim it answers ("the allegations of
/// supporting extremist activities"): a reference noun, then "of" or "that".
fn names_its_claim(folded: &str, lex: &Lexicon) -> bool {
    // Each "of" or "that" standing as a word (whitespace or the text's ends either side), and
    // the word before it: found from their first bytes, as splitting the whole text into
    // words cost ten times more (issue 7).
    let bytes = folded.as_bytes();
    memchr::memchr2_iter(b'o', b't', bytes).any(|i| {
        let w = if bytes[i] == b'o' { "of" } else { "that" };
        let before = &folded[..i];
        folded[i..].starts_with(w)
            && folded[i + w.len()..]
                .chars()
                .next()
                .is_none_or(char::is_whitespace)
            && before.chars().next_back().is_none_or(char::is_whitespace)
            && before
                .trim_end()
                .rsplit(char::is_whitespace)
                .next()
                .is_some_and(|p| !p.is_empty() && lex.is("reference_noun", p))
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
    rows_of(
        article,
        units,
        pair_rows_at(article, units, prepared, lex, opts),
    )
}

/// [`pair_article`]'s rows from their [`RowAt`]s.
fn rows_of(article: &str, units: &[Unit], rows: Vec<RowAt>) -> Vec<Row> {
    let mut buf = EvidenceBuf::default();
    rows.into_iter()
        .map(|r| Row {
            article: article.into(),
            pair_id: pair_id_of_hash(r.pair_id),
            status: r.status,
            basis: r.basis,
            confidence: r.confidence,
            claim: r.claim.map(|i| units[i].clone()),
            rebuttal: r.rebuttal.map(|i| units[i].clone()),
            evidence: r.evidence(&mut buf).to_string(),
            score: r.score,
        })
        .collect()
}

/// A report row with its units as indices into the article's units: a streamed report
/// formats it through a [`RowView`], and cloning both units into every row was a fortieth
/// of a run (issue 7).
struct RowAt {
    /// The hash of the pair id ([`pair_id_of_hash`]).
    pair_id: u64,
    status: Status,
    basis: &'static str,
    confidence: &'static str,
    claim: Option<usize>,
    rebuttal: Option<usize>,
    score: Option<Score>,
    /// A paired row's rule (its evidence is made from the rule and the score), or the whole
    /// evidence of a row without a score. The evidence is made only where it is written:
    /// straight into its cell for a streamed CSV ([`RowAt::push_evidence_csv`]), into one
    /// buffer for the other formats ([`RowAt::evidence`]); a `String` for each row was a
    /// twentieth of pairing's heap blocks (issue 7).
    note: Rule,
}

/// Scratch for writing [`RowAt::evidence`].
#[derive(Default)]
struct EvidenceBuf {
    text: Vec<u8>,
}

impl RowAt {
    /// The row's evidence, written into `buf` if it is made from the score.
    fn evidence<'a>(&'a self, buf: &'a mut EvidenceBuf) -> &'a str {
        match &self.score {
            Some(s) => {
                buf.text.clear();
                push_evidence(&mut buf.text, s, &self.note);
                std::str::from_utf8(&buf.text).expect("evidence is pieced together from strs")
            }
            None => &self.note,
        }
    }

    /// [`RowAt::evidence`] as the CSV cell [`crate::report::push_text_csv`] makes of it,
    /// written in `out` itself: made in a buffer and then encoded from there, it was copied
    /// once more and scanned for its text's needs apart (issue 7).
    fn push_evidence_csv(&self, out: &mut Vec<u8>, opts: &crate::report::CsvOptions) {
        match &self.score {
            Some(s) => {
                let at = out.len();
                out.push(crate::report::IN_PLACE);
                push_evidence(out, s, &self.note);
                crate::report::encode_in_place(out, at, opts);
            }
            None => crate::report::push_text_csv(out, &self.note, opts),
        }
    }

    /// At least the length of [`RowAt::evidence`], for sizing a report's buffer (the fixed
    /// parts of a made one take under 64 bytes).
    fn evidence_len(&self) -> usize {
        match &self.score {
            Some(s) => {
                64 + self.note.len()
                    + s.reference_phrase.len()
                    + s.shared.iter().map(|t| t.len()).sum::<usize>()
            }
            None => self.note.len(),
        }
    }

    /// The row, `pair_id` its [`RowAt::pair_id`] written out and `evidence` its
    /// [`RowAt::evidence`].
    fn view<'a>(
        &'a self,
        article: &'a str,
        units: &'a [Unit],
        pair_id: &'a str,
        evidence: &'a str,
    ) -> RowView<'a> {
        RowView {
            article,
            pair_id,
            status: self.status,
            basis: self.basis,
            confidence: self.confidence,
            claim: self.claim.map(|i| &units[i]),
            rebuttal: self.rebuttal.map(|i| &units[i]),
            score: self.score.as_ref(),
            evidence,
        }
    }
}

thread_local! {
    /// The Jaro–Winkler similarities of names met so far on this thread: the same few
    /// names (countries, capitals, ministries) meet again and again in a batch of articles.
    static NAME_MEMO: std::cell::RefCell<NameMemo> = Default::default();
}

/// Names as numbers, and the similarities of pairs of them met lately.
struct NameMemo {
    /// A name's number by its shared string's address ([`NameMemo::article_names`]).
    ids: rustc_hash::FxHashMap<*const u8, u32>,
    /// The names numbered, by number: held, so that no other string takes the address of one
    /// while `ids` has it.
    held: Vec<Term>,
    /// By number, the name's place among the names of the article being numbered
    /// ([`NOT_HERE`] outside it).
    here: Vec<u32>,
    /// By the pair of ids `a << 32 | b`, in its slot ([`NameMemo::slot`]; four slots share a
    /// cache line, [`MemoLine`]): the similarity of name `a` to name `b` ([`NO_PAIR`] for an
    /// empty slot). A pair whose slot another takes is worked out again when next met: a map
    /// of every pair met cost a lookup four times the slot's and grew with the run (issue 7).
    jw: Vec<MemoLine>,
    /// `jw` has `1 << bits` slots, in `1 << (bits - 2)` lines.
    bits: u32,
}

/// Four [`NameMemo::jw`] slots, a cache line: those of the pairs of one name `a` with names
/// `b` numbered alike but for their last two bits ([`NameMemo::slot`]).
#[derive(Clone, Copy)]
#[repr(align(64))]
struct MemoLine([(u64, f64); 4]);

/// A [`NameMemo::jw`] slot no pair is in (ids are below [`NAME_MEMO_MAX`]).
const NO_PAIR: u64 = u64::MAX;

/// A [`MemoLine`] of empty slots.
const NO_PAIRS: MemoLine = MemoLine([(NO_PAIR, 0.0); 4]);

/// Slots of a thread's [`NameMemo::jw`] (as a power of two): half a megabyte, room for the
/// name pairs of a few thousand articles.
const NAME_PAIR_BITS: u32 = 15;

impl Default for NameMemo {
    fn default() -> Self {
        NameMemo::with_bits(NAME_PAIR_BITS)
    }
}

impl NameMemo {
    /// A memo of `1 << bits` slots (`bits` at least 3: [`NameMemo::slot`] shifts by
    /// `64 - (bits - 2)`, which must be below 64).
    fn with_bits(bits: u32) -> Self {
        assert!(
            (3..=40).contains(&bits),
            "NameMemo bits {bits} out of 3..=40"
        );
        NameMemo {
            ids: Default::default(),
            held: Vec::new(),
            here: Vec::new(),
            jw: vec![NO_PAIRS; 1 << (bits - 2)],
            bits,
        }
    }

    /// The article's names as numbers. A name is told by its shared string, not hashed as
    /// text: a word's name is one string in a thread's table ([`Prepared::names`]), so its
    /// address is one number for the article and for the memo at once, where a map of each
    /// article's addresses and one of the memo's texts cost a fiftieth of a run (issue 7).
    /// Two strings of one text would only be two numbers of the same name, whose matches
    /// are the same.
    fn article_names<'p>(&mut self, prepared: &'p [Prepared]) -> ArticleNames<'p> {
        let total = prepared.iter().map(|p| p.names.len()).sum();
        if self.held.len() + total > NAME_MEMO_MAX {
            self.ids.clear();
            self.held.clear();
            self.here.clear();
            self.jw.fill(NO_PAIRS);
        }
        let NameMemo {
            ids, held, here, ..
        } = self;
        let mut names = ArticleNames {
            name_of: Vec::new(),
            global: Vec::new(),
            units: UnitNames::with_capacity(total, prepared.len()),
        };
        for p in prepared {
            for n in &p.names {
                let id = *ids.entry(n.as_ptr()).or_insert_with(|| {
                    held.push(n.clone());
                    here.push(NOT_HERE);
                    held.len() as u32 - 1
                });
                let at = &mut here[id as usize];
                if *at == NOT_HERE {
                    *at = names.name_of.len() as u32;
                    names.name_of.push(n);
                    names.global.push(id as u64);
                }
                names.units.items.push(*at as usize);
            }
            names.units.end_list();
        }
        for &id in &names.global {
            here[id as usize] = NOT_HERE;
        }
        names
    }

    /// The slot of the pair `key`: its line by the hash of the pair less `b`'s last two bits,
    /// its place in the line by those bits. A claim name's best match is looked up against
    /// each of a rebuttal's names, which were mostly numbered together when first met: with
    /// a line of its own for each pair, nearly every one of those was a cache miss, the run's
    /// hottest line; so they are a third fewer (issue 7). Pairs fall on the slots as evenly.
    fn slot(&mut self, key: u64) -> &mut (u64, f64) {
        let line = (key >> 2).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - (self.bits - 2));
        &mut self.jw[line as usize].0[(key & 3) as usize]
    }

    /// The similarity of the names of the pair `key`, `sim()` if it is not kept.
    fn similarity(&mut self, key: u64, sim: impl FnOnce() -> f64) -> f64 {
        let slot = self.slot(key);
        if slot.0 != key {
            *slot = (key, sim());
        }
        slot.1
    }
}

/// A [`NameMemo::here`] of a name not in the article.
const NOT_HERE: u32 = u32::MAX;

/// An article's names as numbers ([`NameMemo::article_names`]).
struct ArticleNames<'p> {
    /// Each distinct name, by its number in the article.
    name_of: Vec<&'p str>,
    /// Each distinct name's number in the [`NameMemo`].
    global: Vec<u64>,
    /// Each unit's names ([`Prepared::names`]) by their numbers in the article, in order.
    units: UnitNames,
}

/// Names a thread's [`NameMemo`] keeps before it starts over, so odd input cannot grow it
/// without bound (and ids stay below 32 bits).
const NAME_MEMO_MAX: usize = 1 << 16;

/// For each rebuttal, each claim name's [`best_match`] among the rebuttal's names (by the
/// article's numbers of `names`), for the claims of its dispute; NaN where not needed. One
/// list for all rebuttals, one for each of the article's names, in the order of `rebuttals`.
fn best_names_of(
    names: &ArticleNames,
    units: &[Unit],
    rebuttals: &[usize],
    claims: &[usize],
    memo: &mut NameMemo,
) -> Vec<f64> {
    let ArticleNames {
        name_of,
        global,
        units: unit_name_ids,
    } = names;
    let mut sides: Vec<Option<JaroSide>> = (0..name_of.len()).map(|_| None).collect();
    let n = name_of.len();
    let mut best = vec![f64::NAN; n * rebuttals.len()];
    let mut theirs: Vec<usize> = Vec::new();
    for (best_of, &ri) in best.chunks_exact_mut(n.max(1)).zip(rebuttals) {
        // A rebuttal's distinct names: its best match is the same over them.
        theirs.clear();
        for &b in unit_name_ids.of(ri) {
            if !theirs.contains(&b) {
                theirs.push(b);
            }
        }
        if theirs.is_empty() {
            continue;
        }
        // A name the rebuttal uses itself matches exactly, and nothing beats 1.0: the
        // names claim and rebuttal share are most of those looked up (issue 7).
        for &b in &theirs {
            best_of[b] = 1.0;
        }
        let dispute = units[ri].dispute_idx;
        for &ci in claims
            .iter()
            .filter(|&&ci| units[ci].dispute_idx == dispute)
        {
            for &a in unit_name_ids.of(ci) {
                if best_of[a].is_nan() {
                    best_of[a] = best_match(theirs.len(), |k| {
                        let b = theirs[k];
                        memo.similarity(global[a] << 32 | global[b], || {
                            let side = sides[b].get_or_insert_with(|| JaroSide::new(name_of[b]));
                            jaro_winkler_with(name_of[a], side)
                        })
                    });
                }
            }
        }
    }
    best
}

/// Which links (claim, rebuttal, total) are among their claim's `top_k` best, ties to the
/// earlier rebuttal: one sort of all links by claim, no map of claims to their links.
fn top_k_kept(links: &[(usize, usize, f32)], top_k: usize) -> Vec<bool> {
    let mut ks: Vec<usize> = (0..links.len()).collect();
    ks.sort_by(|&a, &b| {
        let (a, b) = (&links[a], &links[b]);
        a.0.cmp(&b.0).then(b.2.total_cmp(&a.2)).then(a.1.cmp(&b.1))
    });
    let mut keep = vec![true; links.len()];
    let mut rank = 0;
    for (n, &k) in ks.iter().enumerate() {
        rank = if n > 0 && links[ks[n - 1]].0 == links[k].0 {
            rank + 1
        } else {
            0
        };
        if rank >= top_k {
            keep[k] = false;
        }
    }
    keep
}

/// The rule a link was made by, in its evidence: most are one of a few fixed sentences.
type Rule = std::borrow::Cow<'static, str>;

/// A link: (claim index, rebuttal index, score, basis, rule).
type Link = (usize, usize, Score, &'static str, Rule);

/// Moves the score of claim `ci` out of a rebuttal's scores (by claim, ascending): each link
/// is one claim's, and cloning its score (the shared terms, the phrase) cost more than the
/// rest of making it.
fn take_score(scored: &mut [(usize, Score)], ci: usize) -> Score {
    match scored.binary_search_by_key(&ci, |s| s.0) {
        Ok(k) => std::mem::take(&mut scored[k].1),
        Err(_) => Score::default(),
    }
}

/// Per unit, the group of claims whose reference to any rebuttal is the same
/// ([`reference_by`]): those without a party, and each speaker's by its aliases (`usize::MAX`
/// for a unit that is no claim). A rebuttal works it out once per group, not once per claim
/// (a fortieth of pairing, issue 7).
fn reference_groups(units: &[Unit], claims: &[usize]) -> Vec<usize> {
    units
        .iter()
        .map(|u| {
            if u.role != Role::Claim {
                return usize::MAX;
            }
            claims
                .iter()
                .position(|&k| {
                    let o = &units[k];
                    o.party.is_empty() == u.party.is_empty()
                        && (u.party.is_empty() || o.speaker_aliases == u.speaker_aliases)
                })
                .unwrap_or(usize::MAX)
        })
        .collect()
}

/// Claim × rebuttal pairs of an article from which [`pair_rows_at`] scores its rebuttals
/// in parallel: an article of a few thousand pairs or more, which may be the only one of a run.
const PARALLEL_PAIRS: usize = 4096;

/// [`pair_article`]'s rows, units by index.
fn pair_rows_at(
    article: &str,
    units: &[Unit],
    prepared: &[Prepared],
    lex: &Lexicon,
    opts: &PairOptions,
) -> Vec<RowAt> {
    pair_rows_from(article, units, prepared, lex, opts, PARALLEL_PAIRS)
}

/// An article's units' names as numbers ([`pair_rows_from`]), each unit's in the order of
/// its [`Prepared::names`]: one list for all units, as a list for each unit was a twentieth
/// of pairing's heap blocks (issue 7).
type UnitNames = crate::score::Lists<usize>;

/// The lists [`pair_rows_from`] makes for each rebuttal, kept from one rebuttal to the next
/// and cleared: made afresh, they were a fifth of pairing's heap blocks (issue 7).
#[derive(Default)]
struct RebuttalScratch<'p> {
    /// The claims of the rebuttal's dispute.
    cands: Vec<usize>,
    /// Each reference group's ([`reference_groups`]) reference, once worked out.
    refs: Vec<(usize, (f32, &'p str))>,
    /// [`VectorProbe::cosine_top`]'s scratch.
    shared: Vec<(usize, f32)>,
    /// Each candidate claim with its score, by claim.
    scored: Vec<(usize, Score)>,
    /// The scores' lexical parts, largest first.
    by_lex: Vec<f32>,
    /// [`crate::score::Vector::probe`]'s table.
    probe: Vec<u32>,
}

/// [`pair_rows_at`], rebuttals scored in parallel from `parallel_pairs` claim × rebuttal
/// pairs.
fn pair_rows_from<'p>(
    article: &str,
    units: &[Unit],
    prepared: &'p [Prepared],
    lex: &Lexicon,
    opts: &PairOptions,
    parallel_pairs: usize,
) -> Vec<RowAt> {
    let w = &opts.weights;
    let claims: Vec<usize> = (0..units.len())
        .filter(|&i| units[i].role == Role::Claim)
        .collect();
    let rebuttals: Vec<usize> = (0..units.len())
        .filter(|&i| units[i].role == Role::Rebuttal)
        .collect();
    // Each distinct name of the article as a number: a claim name's best match against a
    // rebuttal's names is worked out once per rebuttal, however many of its candidate claims
    // use that name (names were a third of scoring, issue 7).
    let best_of_article = |m: &mut NameMemo| {
        let names = m.article_names(prepared);
        let best = best_names_of(&names, units, &rebuttals, &claims, m);
        (names, best)
    };
    let (names, best_names) = NAME_MEMO.with(|m| match m.try_borrow_mut() {
        Ok(mut m) => best_of_article(&mut m),
        Err(_) => best_of_article(&mut NameMemo::with_bits(6)),
    });
    let (name_of, unit_name_ids) = (&names.name_of, &names.units);
    let ref_group = reference_groups(units, &claims);
    // (claim index, rebuttal index, score, basis, rule)
    let link_rebuttal = |k: usize, ri: usize, out: &mut Vec<Link>, sc: &mut RebuttalScratch<'p>| {
        let RebuttalScratch {
            cands,
            refs,
            shared,
            scored,
            by_lex,
            probe,
        } = sc;
        let best_of = &best_names[k * name_of.len()..(k + 1) * name_of.len()];
        let r = &units[ri];
        cands.clear();
        cands.extend(
            claims
                .iter()
                .copied()
                .filter(|&ci| units[ci].dispute_idx == r.dispute_idx),
        );
        if cands.is_empty() {
            return;
        }
        let rp = &prepared[ri];
        refs.clear();
        scored.clear();
        rp.dice.probe(|dice| {
            rp.vector.probe(probe, |vector| {
                scored.extend(cands.iter().map(|&ci| {
                    let c = &prepared[ci];
                    let names = name_similarity_by(&c.names, &rp.names, |a| {
                        best_of[unit_name_ids.of(ci)[a]]
                    });
                    let d = if !c.has_content() || !rp.has_content() {
                        0.0
                    } else {
                        dice.similarity(&c.dice) as f32
                    };
                    let group = ref_group[ci];
                    let reference = match refs.iter().find(|g| g.0 == group) {
                        Some(g) => g.1,
                        None => {
                            let found = reference_by(&units[ci], &c.aliases, &rp.refs);
                            refs.push((group, found));
                            found
                        }
                    };
                    let cosine = vector.cosine_top(&c.vector, SHARED_KEPT, shared);
                    let s = score_with_reference(&units[ci], r, w, names, d, reference, cosine);
                    (ci, s)
                }))
            })
        });
        let best_lex = scored.iter().map(|s| s.1.lexical).fold(0.0, f32::max);
        let best_ref = scored.iter().map(|s| s.1.reference).fold(0.0, f32::max);
        let content_terms = prepared[ri].vector.terms.len();
        let cued = !r.cue.is_empty();
        // 1. blanket
        // "the allegations of supporting extremist activities" names its claim: specific.
        // Asked only of a rebuttal that would otherwise be blanket: splitting every
        // rebuttal into words for it was a sixtieth of a run (issue 7).
        let blanket = (best_ref >= 0.8 && best_lex < 0.45
            || best_ref >= 0.6
                && cued
                && best_lex < 0.15
                && matches!(r.kind.as_str(), "rejection" | "dismissal" | "denial"))
            && !names_its_claim(&prepared[ri].folded, lex);
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
            let targets: Vec<&(usize, Score)> = if named.is_empty() || named.len() == scored.len() {
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
            let rule: Rule = if targets.len() == scored.len() {
                "blanket answer to the accusations as a whole".into()
            } else {
                [
                    "blanket answer to the claims of ",
                    &units[targets[0].0].speaker,
                ]
                .concat()
                .into()
            };
            let targets: Vec<usize> = targets.iter().map(|s| s.0).collect();
            out.extend(
                targets
                    .into_iter()
                    .map(|ci| (ci, ri, take_score(scored, ci), "blanket", rule.clone())),
            );
            return;
        }
        // 2. short denial
        if cued && content_terms <= 3 {
            if let Some(ci) = scored
                .iter()
                .map(|s| s.0)
                .filter(|&ci| {
                    units[ci].sentence < r.sentence
                        && r.paragraph - units[ci].paragraph.min(r.paragraph) <= 2
                })
                .max_by_key(|&ci| units[ci].sentence)
            {
                out.push((
                    ci,
                    ri,
                    take_score(scored, ci),
                    "specific",
                    ["short ", &r.kind, " answers the claim just before it"]
                        .concat()
                        .into(),
                ));
                return;
            }
        }
        // 3. specific, when one claim stands out by content; otherwise the rebuttal
        // answers the dispute's claims together (what annotators and readers do with a
        // spokesperson's general defence), each link still above the threshold.
        let best = scored.iter().map(|s| s.1.total).fold(f32::MIN, f32::max);
        if best < w.min_score.min(w.general_min_score) {
            return;
        }
        // Content decides specificity: the best claim's lexical score must be high
        // enough and clearly ahead of the runner-up's.
        by_lex.clear();
        by_lex.extend(scored.iter().map(|s| s.1.lexical));
        by_lex.sort_by(|a, b| b.total_cmp(a));
        let second_lex = by_lex.get(1).copied().unwrap_or(0.0);
        let stands_out = best_lex >= w.specific_lexical && best_lex - second_lex >= w.specific_gap;
        if (stands_out || scored.len() == 1) && best >= w.min_score {
            let best_spec = scored
                .iter()
                .filter(|s| s.1.lexical >= best_lex)
                .map(|s| s.1.total)
                .fold(f32::MIN, f32::max);
            out.extend(
                scored
                    .drain(..)
                    .filter(|s| s.1.total >= w.min_score && s.1.total >= best_spec - w.margin)
                    .map(|(ci, s)| (ci, ri, s, "specific", "".into())),
            );
            return;
        }
        // A general answer covers what was said before it; a lede answer (first
        // paragraphs) covers the accusations the article goes on to report.
        let lede = r.paragraph <= 2;
        scored.retain(|s| {
            s.1.total >= w.general_min_score && (lede || answered_source(units, s.0, r, &claims))
        });
        let top = scored.iter().map(|s| s.1.total).fold(0.0, f32::max);
        out.extend(
            scored
                .drain(..)
                .filter(|s| s.1.total >= w.general_relative * top)
                .map(|(ci, s)| {
                    (
                        ci,
                        ri,
                        s,
                        "blanket",
                        "general answer: no single claim stands out".into(),
                    )
                }),
        );
    };
    // Rebuttals in parallel only for an article big enough to be worth it: articles are
    // already paired in parallel, and a parallel loop inside each cost a fortieth of a
    // streamed run at two threads (issue 7). The links come in the rebuttals' order either
    // way.
    let mut links: Vec<Link> = if claims.len() * rebuttals.len() >= parallel_pairs {
        let per_rebuttal: Vec<Vec<Link>> = rebuttals
            .par_iter()
            .enumerate()
            .map_init(RebuttalScratch::default, |sc, (k, &ri)| {
                let mut out = Vec::new();
                link_rebuttal(k, ri, &mut out, sc);
                out
            })
            .collect();
        // Sized at once: grown as they came, the list was copied over and over.
        let mut links = Vec::with_capacity(per_rebuttal.iter().map(Vec::len).sum());
        links.extend(per_rebuttal.into_iter().flatten());
        links
    } else {
        let mut links = Vec::with_capacity(rebuttals.len() + claims.len());
        let mut sc = RebuttalScratch::default();
        for (k, &ri) in rebuttals.iter().enumerate() {
            link_rebuttal(k, ri, &mut links, &mut sc);
        }
        links
    };
    // top-k per claim. A claim has at most one link to each rebuttal: with no more
    // rebuttals than `top_k` (most articles) every link is kept, and sorting them all to
    // see was a two-hundredth of a run (issue 7).
    let totals = |links: &[Link]| -> Vec<(usize, usize, f32)> {
        links.iter().map(|l| (l.0, l.1, l.2.total)).collect()
    };
    if opts.top_k > 0 && rebuttals.len() > opts.top_k {
        let keep = top_k_kept(&totals(&links), opts.top_k);
        let mut k = 0;
        links.retain(|_| {
            k += 1;
            keep[k - 1]
        });
    } else {
        debug_assert!(
            opts.top_k == 0 || top_k_kept(&totals(&links), opts.top_k).iter().all(|&k| k)
        );
    }
    // A row for each link kept, and at most one for each claim and rebuttal without any.
    let mut rows = Vec::with_capacity(links.len() + claims.len() + rebuttals.len());
    // One hasher and one list of a claim's links for the article, not one of each per claim.
    let mut hasher = PairHasher::new(article, "");
    let mut mine: Vec<usize> = Vec::with_capacity(links.len());
    for &ci in &claims {
        let c = &units[ci];
        hasher.set_claim(&c.text);
        mine.clear();
        mine.extend((0..links.len()).filter(|&k| links[k].0 == ci));
        if mine.is_empty() {
            rows.push(RowAt {
                pair_id: hasher.hash(""),
                status: Status::Unanswered,
                basis: "",
                confidence: "",
                claim: Some(ci),
                rebuttal: None,
                score: None,
                note: "no rebuttal of this dispute scores above the threshold".into(),
            });
            continue;
        }
        mine.sort_by(|&a, &b| {
            let (a, b) = (&links[a], &links[b]);
            b.2.total
                .total_cmp(&a.2.total)
                .then(units[a.1].sentence.cmp(&units[b.1].sentence))
        });
        for &k in &mine {
            // Each link is one claim's: its score and rule move into the row.
            let (_, ri, s, basis, rule) = &mut links[k];
            let (ri, basis, s) = (*ri, *basis, std::mem::take(s));
            let r = &units[ri];
            rows.push(RowAt {
                pair_id: hasher.hash(&r.text),
                status: Status::Paired,
                basis,
                confidence: confidence(s.total, basis == "blanket", s.reference, c, r),
                claim: Some(ci),
                rebuttal: Some(ri),
                score: Some(s),
                note: std::mem::take(rule),
            });
        }
    }
    hasher.set_claim("");
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
            rows.push(RowAt {
                pair_id: hasher.hash(&r.text),
                status: Status::Unmatched,
                basis: "",
                confidence: "",
                claim: None,
                rebuttal: Some(ri),
                score: None,
                note: why.into(),
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
            let prepared = prepare_article(units, None, an, lex, batch.as_ref());
            pair_article(id, units, &prepared, lex, opts)
        })
        .flatten()
        .collect()
}

/// The units of one article prepared for scoring, with document frequencies from `batch`
/// or else from the article's own units.
fn prepare_article(
    units: &[Unit],
    tokens: Option<&crate::text::TokenLists>,
    an: &Analyzer,
    lex: &Lexicon,
    batch: Option<&(HashMap<Term, u32>, u32)>,
) -> Vec<Prepared> {
    prepare_article_with(units, tokens, an, lex, batch, false)
}

/// Each term's IDF from its background and article document frequencies (`n` units), as
/// [`Analyzer::idf_of_counts`] gives it. Most terms share a few document frequencies (outside
/// the background and in one unit, most of all): each such frequency's IDF is worked out
/// once, not once per term with a call to `logf` (issue 7).
fn article_idf(an: &Analyzer, bg_df: &[u32], df: &[u32], n: u32) -> Vec<f32> {
    let mut known = [None; 64];
    bg_df
        .iter()
        .zip(df)
        .map(|(&bg, &df)| {
            let idf = || an.idf_of_counts(bg, df, n);
            match bg.checked_add(df).and_then(|k| known.get_mut(k as usize)) {
                Some(slot) => *slot.get_or_insert_with(idf),
                None => idf(),
            }
        })
        .collect()
}

/// [`prepare_article`], with every unit prepared if `all` (as it was before units never
/// scored were left out).
fn prepare_article_with(
    units: &[Unit],
    tokens: Option<&crate::text::TokenLists>,
    an: &Analyzer,
    lex: &Lexicon,
    batch: Option<&(HashMap<Term, u32>, u32)>,
    all: bool,
) -> Vec<Prepared> {
    // Each unit's terms are computed once and serve both the article's document
    // frequencies and its vector; computing them twice was a tenth of a run (issue 7).
    let tokens = tokens.filter(|t| t.len() == units.len());
    let crate::score::ArticleTerms {
        vocab,
        counts,
        bg_df,
        names,
    } = an.article_terms(units, tokens, lex);
    let idf: Vec<f32> = match batch {
        Some((df, n)) => (0..vocab.len() as u32)
            .map(|t| {
                let in_batch = df.get(vocab.term(t).as_ref()).copied().unwrap_or(0);
                an.idf_of_counts(bg_df[t as usize], in_batch, *n)
            })
            .collect(),
        None => {
            let mut df = vec![0u32; vocab.len()];
            // Each unit's terms are distinct: each counts once for it.
            for &(t, _) in &counts.items {
                df[t as usize] += 1;
            }
            article_idf(an, &bg_df, &df, units.len() as u32)
        }
    };
    let vocab = std::sync::Arc::new(vocab);
    // A speaker's aliases, folded once for all its claims.
    let mut aliases: Vec<(&[String], std::sync::Arc<[crate::score::RefAlias]>)> = Vec::new();
    units
        .iter()
        .zip(names)
        .enumerate()
        .map(|(k, (u, nm))| {
            let c = counts.of(k);
            // A unit with no counterpart in its dispute is never scored; it only counts
            // towards the document frequencies.
            let scored = all
                || units
                    .iter()
                    .any(|o| o.role != u.role && o.dispute_idx == u.dispute_idx);
            if scored {
                prepare_as(u, c, nm, &vocab, &idf, lex, Some(u.role), || {
                    let mine = &u.speaker_aliases[..];
                    if let Some(known) = aliases.iter().find(|a| a.0 == mine) {
                        return known.1.clone();
                    }
                    let folded = crate::score::RefAlias::of(u, lex);
                    aliases.push((mine, folded.clone()));
                    folded
                })
            } else {
                Prepared::default()
            }
        })
        .collect()
}

/// Pairs one article with its own IDF ([`IdfScope::Article`], whatever `opts.idf` says)
/// and encodes its report rows as [`encode_report_rows`] encodes [`pair_batch_with`]'s
/// rows, without cloning units into rows. `tokens`, if given, are the units' tokens
/// ([`crate::extract::Extraction::unit_tokens`]), which spare tokenising them again.
/// Returns where each row ends and how many rows are paired, unanswered and unmatched.
#[allow(clippy::too_many_arguments)]
pub fn pair_encode_article(
    id: &str,
    units: &[Unit],
    tokens: Option<&crate::text::TokenLists>,
    an: &Analyzer,
    lex: &Lexicon,
    opts: &PairOptions,
    explain: bool,
    format: crate::report::Format,
    csv: &crate::report::CsvOptions,
    out: &mut Vec<u8>,
) -> std::io::Result<(Vec<usize>, [u64; 3])> {
    let prepared = prepare_article(units, tokens, an, lex, None);
    let rows = pair_rows_at(id, units, &prepared, lex, opts);
    let mut counts = [0u64; 3];
    for r in &rows {
        counts[r.status as usize] += 1;
    }
    if format != crate::report::Format::Csv {
        let mut evidence = EvidenceBuf::default();
        let cells: Vec<Vec<crate::report::Cell>> = rows
            .iter()
            .map(|r| {
                let pair_id = pair_id_of_hash(r.pair_id);
                row_cells(
                    &r.view(id, units, &pair_id, r.evidence(&mut evidence)),
                    explain,
                )
            })
            .collect();
        let ends = crate::report::encode_rows(&cells, &report_headers(explain), format, csv, out)?;
        return Ok((ends, counts));
    }
    let cells = ArticleCells::new(id, units, explain, csv);
    // Room for every row at once: grown as they came, the buffer was copied over and over
    // (a fiftieth of pairing, issue 7). Numbers, fixed cells and delimiters take under 160
    // bytes a row.
    let unit_len = |u: Option<usize>| u.map_or(0, |u| cells.ends[u][RULE] - cells.starts[u]);
    let need: usize = rows
        .iter()
        .map(|r| cells.article + unit_len(r.claim) + unit_len(r.rebuttal) + 2 * r.evidence_len())
        .sum();
    out.reserve(need + 160 * rows.len());
    let mut ends = Vec::with_capacity(rows.len());
    for r in &rows {
        cells.push_row(r, explain, csv, out);
        ends.push(out.len());
    }
    Ok((ends, counts))
}

/// The CSV cells of an article's units, each encoded once: a claim is in a row for each of
/// its links and a rebuttal in a row for each claim it answers, and checking their texts
/// again for every row was a sixth of a `pair` run (issue 7).
struct ArticleCells {
    /// The cells, then [`SHORT_PART`] bytes that are none.
    buf: Vec<u8>,
    /// Per unit, where each of its [`UNIT_PARTS`] parts ends in `buf`; the first starts where
    /// the unit's previous part (or the previous unit) ends, at `starts[u]`.
    ends: Vec<[usize; UNIT_PARTS]>,
    starts: Vec<usize>,
    /// The article's own cell, at the start of `buf`.
    article: usize,
    /// Pair ids, statuses, confidences and bases are written as they are.
    fixed_verbatim: bool,
}

/// A unit's parts in [`ArticleCells`]: its five head cells (id, speaker, side, kind, text,
/// delimited), its start and end (delimited: they are side by side in a row, and copied as
/// one), paragraph, dispute, cue, quote type and rule.
const UNIT_PARTS: usize = 7;
const HEAD: usize = 0;
const SPAN: usize = 1;
const PARAGRAPH: usize = 2;
const DISPUTE: usize = 3;
const CUE: usize = 4;
const QUOTE_TYPE: usize = 5;
const RULE: usize = 6;

/// The cells of a fixed vocabulary a streamed row has: its statuses, confidences, bases, and
/// pair ids, which are `p` and 16 lowercase hex digits.
const FIXED_CELLS: [&str; 9] = [
    "paired",
    "unanswered",
    "unmatched",
    "high",
    "medium",
    "low",
    "specific",
    "blanket",
    "p0123456789abcdef",
];

/// Whether every one of [`FIXED_CELLS`] is written as it is ([`all_verbatim`]). Short
/// lowercase words need neither fitting nor a formula guard: only a delimiter among their
/// letters would quote them. Encoding each for every article to see was a two-hundredth of
/// a run (issue 7).
fn fixed_cells_verbatim(opts: &crate::report::CsvOptions) -> bool {
    !FIXED_CELLS
        .iter()
        .any(|s| s.as_bytes().contains(&opts.delimiter))
}

/// The bytes [`ArticleCells::push_bytes`] copies at once: what most parts of a unit take
/// but its head (its start and end, paragraph, dispute, cue and quote type), and the
/// article's cell.
const SHORT_PART: usize = 32;

/// Distinct values of a column whose cells [`ArticleCells::new`] keeps for copying: beyond
/// them (an article of many speakers) the others are encoded each time.
const KNOWN_CELLS_MAX: usize = 16;

impl ArticleCells {
    fn new<'a>(
        article: &str,
        units: &'a [Unit],
        explain: bool,
        opts: &crate::report::CsvOptions,
    ) -> Self {
        // Room for the padding after the last cell too ([`SHORT_PART`]), which would
        // otherwise grow and copy the whole buffer once more.
        let mut buf = Vec::with_capacity(
            article.len() + units.iter().map(|u| u.text.len() + 128).sum::<usize>() + SHORT_PART,
        );
        crate::report::push_text_csv(&mut buf, article, opts);
        let article_end = buf.len();
        let mut ends = Vec::with_capacity(units.len());
        let mut starts = Vec::with_capacity(units.len());
        // Speakers, sides, kinds, disputes, cues and quote types come from a few values an
        // article uses again and again: each value's cell is encoded once per column and
        // copied after that (checking each again was a fiftieth of a run, issue 7).
        let mut known: [Vec<(&str, usize, usize)>; 6] =
            std::array::from_fn(|_| Vec::with_capacity(KNOWN_CELLS_MAX));
        let mut cell = |buf: &mut Vec<u8>, column: usize, s: &'a str| {
            // An empty cell (most cues) is nothing to write.
            if s.is_empty() {
                return;
            }
            let seen = &mut known[column];
            match seen.iter().find(|c| c.0 == s) {
                Some(&(_, from, to)) => buf.extend_from_within(from..to),
                None => {
                    let from = buf.len();
                    crate::report::push_text_csv(buf, s, opts);
                    if seen.len() < KNOWN_CELLS_MAX {
                        seen.push((s, from, buf.len()));
                    }
                }
            }
        };
        let d = opts.delimiter;
        for u in units {
            starts.push(buf.len());
            let mut e = [0; UNIT_PARTS];
            // The five cells `push_unit_csv` writes.
            crate::report::push_text_csv(&mut buf, &u.unit_id, opts);
            for (column, s) in [&u.speaker, &u.side, &u.kind].into_iter().enumerate() {
                buf.push(d);
                cell(&mut buf, column, s);
            }
            buf.push(d);
            crate::report::push_text_csv(&mut buf, &u.text, opts);
            e[HEAD] = buf.len();
            crate::report::push_int(&mut buf, u.start as i64);
            buf.push(d);
            crate::report::push_int(&mut buf, u.end as i64);
            e[SPAN] = buf.len();
            crate::report::push_int(&mut buf, u.paragraph as i64);
            e[PARAGRAPH] = buf.len();
            cell(&mut buf, 3, &u.dispute);
            e[DISPUTE] = buf.len();
            cell(&mut buf, 4, &u.cue);
            e[CUE] = buf.len();
            cell(&mut buf, 5, &u.quote_type);
            e[QUOTE_TYPE] = buf.len();
            if explain {
                crate::report::push_text_csv(&mut buf, &u.rule, opts);
            }
            e[RULE] = buf.len();
            ends.push(e);
        }
        // Room for a short copy ([`ArticleCells::push_part`]) from the last part.
        buf.resize(buf.len() + SHORT_PART, 0);
        let fixed_verbatim = fixed_cells_verbatim(opts);
        ArticleCells {
            buf,
            ends,
            starts,
            article: article_end,
            fixed_verbatim,
        }
    }

    /// Appends part `k` of unit `u`.
    fn push_part(&self, out: &mut Vec<u8>, u: usize, k: usize) {
        let start = if k == 0 {
            self.starts[u]
        } else {
            self.ends[u][k - 1]
        };
        self.push_bytes(out, start, self.ends[u][k]);
    }

    /// Appends `buf[from..to]`: up to [`SHORT_PART`] bytes (all but the heads with their
    /// texts) as a copy of that many, cut back to the part's end. Copied by their lengths,
    /// known only at run time, a row's dozen short parts were a call to `memcpy` each
    /// (issue 7).
    fn push_bytes(&self, out: &mut Vec<u8>, from: usize, to: usize) {
        if to - from <= SHORT_PART {
            let at = out.len();
            let short: &[u8; SHORT_PART] = self.buf[from..from + SHORT_PART]
                .try_into()
                .expect("a short part's bytes");
            out.extend_from_slice(short);
            out.truncate(at + (to - from));
        } else {
            out.extend_from_slice(&self.buf[from..to]);
        }
    }

    /// The row as [`push_row_csv`] writes its [`RowAt::view`].
    fn push_row(
        &self,
        r: &RowAt,
        explain: bool,
        opts: &crate::report::CsvOptions,
        out: &mut Vec<u8>,
    ) {
        let d = opts.delimiter;
        let fixed = |out: &mut Vec<u8>, s: &str| {
            out.push(d);
            if self.fixed_verbatim {
                out.extend_from_slice(s.as_bytes());
            } else {
                crate::report::push_text_csv(out, s, opts);
            }
        };
        // A unit's part, or an empty cell without the unit.
        let part = |out: &mut Vec<u8>, u: Option<usize>, k: usize| {
            out.push(d);
            if let Some(u) = u {
                self.push_part(out, u, k);
            }
        };
        let num = |out: &mut Vec<u8>, f: fn(&Score) -> f32| {
            out.push(d);
            if let Some(s) = &r.score {
                crate::report::push_fixed3(out, f(s) as f64);
            }
        };
        self.push_bytes(out, 0, self.article);
        out.push(d);
        if self.fixed_verbatim {
            out.extend_from_slice(&pair_id_bytes(r.pair_id));
        } else {
            crate::report::push_text_csv(out, &pair_id_of_hash(r.pair_id), opts);
        }
        fixed(out, r.status.as_str());
        num(out, |s| s.total);
        fixed(out, r.confidence);
        fixed(out, r.basis);
        for u in [r.claim, r.rebuttal] {
            match u {
                Some(u) => part(out, Some(u), HEAD),
                // Five empty cells.
                None => out.extend_from_slice(&[d; 5]),
            }
        }
        out.push(d);
        r.push_evidence_csv(out, opts);
        num(out, |s| s.lexical);
        num(out, |s| s.fuzzy);
        num(out, |s| s.reference);
        for u in [r.claim, r.rebuttal] {
            match u {
                Some(u) => part(out, Some(u), SPAN),
                // Two empty cells.
                None => out.extend_from_slice(&[d; 2]),
            }
        }
        out.extend_from_slice(&[d; 2]);
        num(out, |s| s.order);
        part(out, r.claim.or(r.rebuttal), DISPUTE);
        for k in [PARAGRAPH, CUE, QUOTE_TYPE] {
            part(out, r.claim, k);
            part(out, r.rebuttal, k);
        }
        out.push(d);
        if explain {
            part(out, r.claim, RULE);
            part(out, r.rebuttal, RULE);
        }
        out.extend_from_slice(b"\r\n");
    }
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
    let mut cells = Vec::with_capacity(REPORT_COLUMNS.len() + 2);
    row_fields(r, explain, &mut cells);
    cells
}

/// Receives the cells of a report row in column order ([`row_fields`]): collected as
/// [`crate::report::Cell`]s by [`row_cells`], or written as CSV by [`encode_report_rows`]
/// without a `String` per cell.
trait RowSink {
    fn text(&mut self, s: &str);
    fn int(&mut self, i: i64);
    fn num(&mut self, x: f64);
    fn empty(&mut self);
    /// The row's article.
    fn article(&mut self, s: &str) {
        self.text(s);
    }
    /// A cell of a small fixed vocabulary (pair id, status, confidence, basis).
    fn fixed(&mut self, s: &str) {
        self.text(s);
    }
    /// A unit's id, speaker, side, kind and text (five empty cells without a unit).
    fn unit(&mut self, u: Option<&Unit>, _is_claim: bool)
    where
        Self: Sized,
    {
        unit_fields(self, u);
    }
}

/// [`RowSink::unit`], cell by cell.
fn unit_fields(sink: &mut dyn RowSink, u: Option<&Unit>) {
    match u {
        Some(u) => {
            for s in [&u.unit_id, &u.speaker, &u.side, &u.kind, &u.text] {
                sink.text(s);
            }
        }
        None => (0..5).for_each(|_| sink.empty()),
    }
}

impl RowSink for Vec<crate::report::Cell> {
    fn text(&mut self, s: &str) {
        self.push(crate::report::Cell::Text(s.to_string()));
    }
    fn int(&mut self, i: i64) {
        self.push(crate::report::Cell::Int(i));
    }
    fn num(&mut self, x: f64) {
        self.push(crate::report::Cell::Num(x));
    }
    fn empty(&mut self) {
        self.push(crate::report::Cell::Empty);
    }
}

/// CSV cells as [`crate::report::encode_rows`] writes them, straight into `out`.
struct CsvSink<'a> {
    out: &'a mut Vec<u8>,
    opts: &'a crate::report::CsvOptions,
    first: bool,
    known: KnownCells<'a>,
}

/// Parts of a CSV row its writer already has: a unit written in many rows (a claim and its
/// `top_k` responses, a response among many claims' candidates) is encoded or checked once.
#[derive(Clone, Copy, Default)]
pub(crate) struct KnownCells<'a> {
    /// The claim's five cells as [`push_unit_csv`] writes them.
    pub claim: Option<&'a [u8]>,
    /// [`crate::report::cell_needs`] of the rebuttal's text.
    pub rebuttal_text_needs: Option<(bool, bool)>,
    /// The rebuttal's id, speaker, side and kind are written as they are
    /// ([`heads_verbatim`]); only read with `rebuttal_text_needs`.
    pub rebuttal_heads_verbatim: bool,
    /// The article's cell as [`crate::report::push_text_csv`] writes it.
    pub article: Option<&'a [u8]>,
    /// The pair id, status, confidence and basis are written as they are: most of a row's
    /// cells are short, and checking each was a twentieth of a two-source run.
    pub fixed_verbatim: bool,
}

/// Whether every one of `cells` is written as it is: nothing to quote, fit or guard.
pub(crate) fn all_verbatim<'s>(
    cells: impl IntoIterator<Item = &'s str>,
    opts: &crate::report::CsvOptions,
) -> bool {
    cells.into_iter().all(|s| {
        let mut out = Vec::with_capacity(s.len());
        crate::report::push_text_csv(&mut out, s, opts);
        out == s.as_bytes()
    })
}

/// [`KnownCells::rebuttal_heads_verbatim`] of `u`.
pub(crate) fn heads_verbatim(u: &Unit, opts: &crate::report::CsvOptions) -> bool {
    all_verbatim(
        [&u.unit_id, &u.speaker, &u.side, &u.kind].map(|s| s.as_str()),
        opts,
    )
}

impl CsvSink<'_> {
    fn sep(&mut self) {
        if !self.first {
            self.out.push(self.opts.delimiter);
        }
        self.first = false;
    }
}

impl RowSink for CsvSink<'_> {
    fn text(&mut self, s: &str) {
        self.sep();
        crate::report::push_text_csv(self.out, s, self.opts);
    }
    fn int(&mut self, i: i64) {
        self.sep();
        crate::report::push_int(self.out, i);
    }
    fn num(&mut self, x: f64) {
        self.sep();
        crate::report::push_fixed3(self.out, x);
    }
    fn empty(&mut self) {
        self.sep();
    }
    fn article(&mut self, s: &str) {
        match self.known.article {
            Some(cell) => {
                self.sep();
                self.out.extend_from_slice(cell);
            }
            None => self.text(s),
        }
    }
    fn fixed(&mut self, s: &str) {
        if self.known.fixed_verbatim {
            self.sep();
            self.out.extend_from_slice(s.as_bytes());
        } else {
            self.text(s);
        }
    }
    fn unit(&mut self, u: Option<&Unit>, is_claim: bool) {
        match (u, is_claim, self.known) {
            (
                Some(_),
                true,
                KnownCells {
                    claim: Some(cells), ..
                },
            ) => {
                self.sep();
                self.out.extend_from_slice(cells);
            }
            (
                Some(u),
                false,
                KnownCells {
                    rebuttal_text_needs: Some(needs),
                    rebuttal_heads_verbatim,
                    ..
                },
            ) => {
                for s in [&u.unit_id, &u.speaker, &u.side, &u.kind] {
                    if rebuttal_heads_verbatim {
                        self.sep();
                        self.out.extend_from_slice(s.as_bytes());
                    } else {
                        self.text(s);
                    }
                }
                self.sep();
                crate::report::push_text_csv_with(self.out, &u.text, needs, self.opts);
            }
            _ => unit_fields(self, u),
        }
    }
}

/// A unit's five cells (id, speaker, side, kind, text) as CSV, delimited but with no
/// delimiter before or after: what [`KnownCells::claim`] holds.
pub(crate) fn push_unit_csv(out: &mut Vec<u8>, u: &Unit, opts: &crate::report::CsvOptions) {
    let mut sink = CsvSink {
        out,
        opts,
        first: true,
        known: KnownCells::default(),
    };
    sink.unit(Some(u), false);
}

/// The report row's cells, in [`report_headers`] order, into `sink`.
fn row_fields(r: &RowView, explain: bool, sink: &mut impl RowSink) {
    let text = |sink: &mut dyn RowSink, u: Option<&Unit>, f: &dyn Fn(&Unit) -> &str| match u {
        Some(u) => sink.text(f(u)),
        None => sink.empty(),
    };
    let int = |sink: &mut dyn RowSink, u: Option<&Unit>, f: &dyn Fn(&Unit) -> usize| match u {
        Some(u) => sink.int(f(u) as i64),
        None => sink.empty(),
    };
    let num = |sink: &mut dyn RowSink, f: &dyn Fn(&Score) -> f32| match r.score {
        Some(s) => sink.num(f(s) as f64),
        None => sink.empty(),
    };
    let dispute = r
        .claim
        .or(r.rebuttal)
        .map(|u| u.dispute.as_str())
        .unwrap_or_default();
    sink.article(r.article);
    sink.fixed(r.pair_id);
    sink.fixed(r.status.as_str());
    num(sink, &|s| s.total);
    sink.fixed(r.confidence);
    sink.fixed(r.basis);
    sink.unit(r.claim, true);
    sink.unit(r.rebuttal, false);
    sink.text(r.evidence);
    num(sink, &|s| s.lexical);
    num(sink, &|s| s.fuzzy);
    num(sink, &|s| s.reference);
    for u in [r.claim, r.rebuttal] {
        int(sink, u, &|u| u.start);
        int(sink, u, &|u| u.end);
    }
    sink.empty();
    sink.empty();
    num(sink, &|s| s.order);
    sink.text(dispute);
    int(sink, r.claim, &|u| u.paragraph);
    int(sink, r.rebuttal, &|u| u.paragraph);
    text(sink, r.claim, &|u| &u.cue);
    text(sink, r.rebuttal, &|u| &u.cue);
    text(sink, r.claim, &|u| &u.quote_type);
    text(sink, r.rebuttal, &|u| &u.quote_type);
    sink.empty();
    if explain {
        text(sink, r.claim, &|u| &u.rule);
        text(sink, r.rebuttal, &|u| &u.rule);
    }
}

/// Encodes report rows as [`crate::report::encode_rows`] encodes their [`row_cells`],
/// appending to `out`, and returns where each row ends. CSV rows are written cell by cell
/// without building the cells: a `String` per cell was a twentieth of a run (issue 7).
pub fn encode_report_rows(
    rows: &[Row],
    explain: bool,
    format: crate::report::Format,
    opts: &crate::report::CsvOptions,
    out: &mut Vec<u8>,
) -> std::io::Result<Vec<usize>> {
    if format != crate::report::Format::Csv {
        let cells = report_table(rows, explain).rows;
        return crate::report::encode_rows(&cells, &report_headers(explain), format, opts, out);
    }
    let mut ends = Vec::with_capacity(rows.len());
    for r in rows {
        push_row_csv(&RowView::from(r), explain, opts, out);
        ends.push(out.len());
    }
    Ok(ends)
}

/// One report row as CSV, the bytes [`crate::report::encode_rows`] writes for its
/// [`row_cells`].
fn push_row_csv(r: &RowView, explain: bool, opts: &crate::report::CsvOptions, out: &mut Vec<u8>) {
    push_row_csv_known(r, KnownCells::default(), explain, opts, out);
}

/// [`push_row_csv`] with parts of the row already encoded or checked.
pub(crate) fn push_row_csv_known(
    r: &RowView,
    known: KnownCells,
    explain: bool,
    opts: &crate::report::CsvOptions,
    out: &mut Vec<u8>,
) {
    let mut sink = CsvSink {
        out,
        opts,
        first: true,
        known,
    };
    row_fields(r, explain, &mut sink);
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{encode_rows, CsvOptions, Format};

    /// A CSV row is the same bytes as the generic cells through the csv writer, whatever
    /// the text holds, and the same again with the claim's cells and the rebuttal text's
    /// needs known beforehand.
    #[test]
    fn known_cells_encode_as_their_cells() {
        use crate::report::{encode_rows, CsvOptions, Format};
        let texts = [
            "plain text, with a comma",
            "a \"quoted\" word",
            "=SUM(A1) formula",
            "-minus first",
            "line\nbreak and\r\nCRLF",
            "two  spaces   here",
            "sep\u{2028}line",
            "tab\tinside",
            "",
            "caf\u{e9} \u{201c}curly\u{201d}",
        ];
        let long = "x".repeat(crate::report::MAX_CELL_CHARS + 10);
        let score = Score {
            lexical: 0.12345,
            fuzzy: 0.0625,
            reference: 1.0,
            order: 0.0,
            total: -0.0004,
            shared: vec!["a".into()],
            reference_phrase: String::new(),
        };
        for (k, t) in texts.iter().copied().chain([long.as_str()]).enumerate() {
            let mut c = crate::retrieve::Item::unit(&format!("c{k}"), t, Role::Claim).unit;
            c.speaker = t.to_string();
            c.cue = "@cue".into();
            let mut r =
                crate::retrieve::Item::unit("r,1", texts[(k + 1) % texts.len()], Role::Rebuttal)
                    .unit;
            r.speaker = texts[(k + 2) % texts.len()].to_string();
            for keep_newlines in [false, true] {
                for delimiter in [b',', b';', b'\t', b'\'', b'h'] {
                    let opts = CsvOptions {
                        keep_newlines,
                        delimiter,
                        ..CsvOptions::default()
                    };
                    for explain in [false, true] {
                        for (rebuttal, sc) in [(Some(&r), Some(&score)), (None, None)] {
                            let v = RowView {
                                article: t,
                                pair_id: "p1",
                                status: Status::Paired,
                                basis: "specific",
                                confidence: "high",
                                claim: Some(&c),
                                rebuttal,
                                score: sc,
                                evidence: t,
                            };
                            let cells = row_cells(&v, explain);
                            let headers = report_headers(explain);
                            let mut want = Vec::new();
                            encode_rows(&[cells], &headers, Format::Csv, &opts, &mut want).unwrap();
                            let mut got = Vec::new();
                            push_row_csv_known(&v, KnownCells::default(), explain, &opts, &mut got);
                            let mut cells = Vec::new();
                            push_unit_csv(&mut cells, &c, &opts);
                            let needs = crate::report::cell_needs(r.text.as_bytes(), delimiter);
                            let mut cached = Vec::new();
                            let mut article = Vec::new();
                            crate::report::push_text_csv(&mut article, v.article, &opts);
                            let known = KnownCells {
                                claim: Some(&cells),
                                rebuttal_text_needs: Some(needs),
                                rebuttal_heads_verbatim: heads_verbatim(&r, &opts),
                                article: Some(&article),
                                fixed_verbatim: all_verbatim(
                                    [v.pair_id, v.status.as_str(), v.confidence, v.basis],
                                    &opts,
                                ),
                            };
                            push_row_csv_known(&v, known, explain, &opts, &mut cached);
                            assert_eq!(got, cached);
                            assert_eq!(
                                String::from_utf8_lossy(&got),
                                String::from_utf8_lossy(&want),
                                "text {k}, delimiter {delimiter}, keep_newlines {keep_newlines}"
                            );
                        }
                    }
                }
            }
        }
    }

    /// The best matches of claim names among rebuttal names, from the thread's memo of name
    /// pairs, are the ones worked out afresh, article after article.
    #[test]
    fn remembered_name_matches_are_fresh_ones() {
        let mut rng = crate::testrng::XorShift(0x9E3779B97F4A7C15);
        let mut next = || rng.next();
        let pool: Vec<Term> = [
            "pakistan",
            "india",
            "pakistani",
            "indian",
            "islamabad",
            "delhi",
            "ministry",
            "x\u{e9}",
        ]
        .map(Term::from)
        .into();
        let mut memo = NameMemo::with_bits(3);
        for article in 0..300 {
            let n = (next() % 9) as usize;
            let mut units: Vec<Unit> = (0..n)
                .map(|k| {
                    let role = if next() % 2 == 0 {
                        Role::Claim
                    } else {
                        Role::Rebuttal
                    };
                    let mut u = crate::retrieve::Item::unit(&format!("u{k}"), "t", role).unit;
                    u.dispute_idx = (next() % 2) as usize;
                    u
                })
                .collect();
            // Names as pairing has them: one shared string for each, but now and then a
            // string of its own for a name met before.
            let prepared: Vec<Prepared> = (0..n)
                .map(|_| {
                    let mut p = Prepared::default();
                    p.names = (0..next() % 4)
                        .map(|_| {
                            let k = (next() % pool.len() as u64) as usize;
                            if next() % 8 == 0 {
                                Term::from(&*pool[k])
                            } else {
                                pool[k].clone()
                            }
                        })
                        .collect();
                    p
                })
                .collect();
            let names: Vec<Vec<&str>> = prepared
                .iter()
                .map(|p| p.names.iter().map(|n| &**n).collect())
                .collect();
            units.iter_mut().for_each(|u| u.text = "t".into());
            let claims: Vec<usize> = (0..n).filter(|&i| units[i].role == Role::Claim).collect();
            let rebuttals: Vec<usize> = (0..n)
                .filter(|&i| units[i].role == Role::Rebuttal)
                .collect();
            if article % 50 == 0 {
                // Full: it starts over.
                let mut p = Prepared::default();
                p.names = (0..NAME_MEMO_MAX)
                    .map(|k| Term::from(format!("n{k}")))
                    .collect();
                memo.article_names(std::slice::from_ref(&p));
                assert_eq!(memo.held.len(), NAME_MEMO_MAX);
            }
            let article_names = memo.article_names(&prepared);
            assert!(memo.here.iter().all(|&h| h == NOT_HERE));
            for (u, ns) in names.iter().enumerate() {
                let numbered: Vec<&str> = article_names
                    .units
                    .of(u)
                    .iter()
                    .map(|&k| article_names.name_of[k])
                    .collect();
                assert_eq!(&numbered, ns);
            }
            let got = best_names_of(&article_names, &units, &rebuttals, &claims, &mut memo);
            for (k, &ri) in rebuttals.iter().enumerate() {
                for &ci in &claims {
                    if units[ci].dispute_idx != units[ri].dispute_idx || names[ri].is_empty() {
                        continue;
                    }
                    for (a, &name) in names[ci].iter().enumerate() {
                        let want = best_match(names[ri].len(), |b| {
                            crate::score::jaro_winkler(name, names[ri][b])
                        });
                        let have =
                            got[k * article_names.name_of.len() + article_names.units.of(ci)[a]];
                        assert_eq!(have.to_bits(), want.to_bits(), "{name} in {:?}", names[ri]);
                    }
                }
            }
        }
    }

    /// A claim named by the words before and after it, word pair by word pair.
    #[test]
    fn names_its_claim_reads_word_pairs() {
        let lex = Lexicon::builtin();
        let words = [
            "allegations",
            "of",
            "that",
            "claims",
            "the",
            "x",
            "",
            " ",
            "\u{a0}",
        ];
        let mut rng = crate::testrng::XorShift(0x2545F4914F6CDD1D);
        let mut next = || rng.next();
        let mut named = 0;
        for _ in 0..5000 {
            let text = crate::score::random_words(&mut next, &words, &[" ", "  ", "\t", "\n"], 7);
            let plain = text
                .split_whitespace()
                .collect::<Vec<_>>()
                .windows(2)
                .any(|w| matches!(w[1], "of" | "that") && lex.is("reference_noun", w[0]));
            assert_eq!(names_its_claim(&text, &lex), plain, "{text:?}");
            named += plain as usize;
        }
        assert!(named > 100);
    }

    /// The links kept per claim are the ones a map of claims to their links, each sorted,
    /// keeps: ties, equal rebuttals and NaN totals included.
    #[test]
    fn top_k_by_one_sort_keeps_what_sorting_each_claim_keeps() {
        let mut rng = crate::testrng::XorShift(0x2545F4914F6CDD1D);
        let mut next = || rng.next();
        let totals = [0.1f32, 0.2, 0.2, -0.0, 0.0, f32::NAN, 0.5];
        for _ in 0..2000 {
            let links: Vec<(usize, usize, f32)> = (0..next() % 14)
                .map(|_| {
                    (
                        (next() % 4) as usize,
                        (next() % 5) as usize,
                        totals[(next() % totals.len() as u64) as usize],
                    )
                })
                .collect();
            for top_k in 1..5 {
                let mut by_claim: HashMap<usize, Vec<usize>> = HashMap::new();
                for (k, l) in links.iter().enumerate() {
                    by_claim.entry(l.0).or_default().push(k);
                }
                let mut want = vec![true; links.len()];
                for ks in by_claim.values() {
                    let mut ks = ks.clone();
                    ks.sort_by(|&a, &b| {
                        links[b]
                            .2
                            .total_cmp(&links[a].2)
                            .then(links[a].1.cmp(&links[b].1))
                    });
                    for &k in ks.iter().skip(top_k) {
                        want[k] = false;
                    }
                }
                assert_eq!(top_k_kept(&links, top_k), want, "{links:?} {top_k}");
            }
        }
    }

    /// An article's IDFs, each document frequency's worked out once, are the ones worked out
    /// term by term.
    #[test]
    fn article_idf_is_each_terms_idf() {
        let an = Analyzer::new();
        let mut rng = crate::testrng::XorShift(0x9E3779B97F4A7C15);
        for _ in 0..2000 {
            let len = (rng.next() % 40) as usize;
            let n = 1 + (rng.next() % 30) as u32;
            let bg: Vec<u32> = (0..len)
                .map(|_| [0, 1, 5, 60, 70, 5000][(rng.next() % 6) as usize])
                .collect();
            let df: Vec<u32> = (0..len).map(|_| (rng.next() % 5) as u32).collect();
            let plain: Vec<u32> = (0..len)
                .map(|t| an.idf_of_counts(bg[t], df[t], n).to_bits())
                .collect();
            let fast: Vec<u32> = article_idf(&an, &bg, &df, n)
                .iter()
                .map(|x| x.to_bits())
                .collect();
            assert_eq!(fast, plain);
        }
    }

    /// The articles of `dirs`, each with the units extracted from it.
    fn extracted(dirs: &[&str], lex: &Lexicon) -> Vec<(crate::article::Article, Vec<Unit>)> {
        dirs.iter()
            .flat_map(|dir| crate::score::extracted_articles(dir, lex))
            .map(|(art, ex)| (art, ex.units))
            .collect()
    }

    /// Claims of one reference group refer alike to every rebuttal, phrase and all.
    #[test]
    fn claims_of_a_reference_group_refer_alike() {
        let lex = Lexicon::builtin();
        let an = Analyzer::new();
        let (mut shared, mut groups_with_party) = (0, 0);
        let dirs = [
            "data/articles",
            "data/heldout/articles",
            "data/blind/articles",
        ];
        for (art, units) in extracted(&dirs, &lex) {
            let p = prepare_article_with(&units, None, &an, &lex, None, true);
            let claims: Vec<usize> = (0..units.len())
                .filter(|&i| units[i].role == Role::Claim)
                .collect();
            let group = reference_groups(&units, &claims);
            for (i, u) in units.iter().enumerate() {
                assert_eq!(group[i] == usize::MAX, u.role != Role::Claim);
            }
            for ri in (0..units.len()).filter(|&i| units[i].role == Role::Rebuttal) {
                for &a in &claims {
                    for &b in &claims {
                        let of = |c: usize| {
                            let (s, phrase) = reference_by(&units[c], &p[c].aliases, &p[ri].refs);
                            (s.to_bits(), phrase.to_string())
                        };
                        if group[a] == group[b] {
                            assert_eq!(of(a), of(b), "{}", art.id);
                            shared += (a != b) as usize;
                            groups_with_party += (a != b && !units[a].party.is_empty()) as usize;
                        }
                    }
                }
            }
        }
        assert!(shared > 0 && groups_with_party > 0);
    }

    /// Leaving out the units that are never scored changes no row.
    #[test]
    fn units_never_scored_need_no_preparing() {
        let lex = Lexicon::builtin();
        let an = Analyzer::new();
        let mut skipped = 0;
        for (art, units) in extracted(&["data/articles", "data/heldout/articles"], &lex) {
            let units = &units;
            for idf in [IdfScope::Article, IdfScope::Batch] {
                let batch = (idf == IdfScope::Batch)
                    .then(|| batch_df(&units.iter().collect::<Vec<_>>(), &an, &lex));
                let opts = PairOptions {
                    idf,
                    ..Default::default()
                };
                let rows = |all: bool| {
                    let p = prepare_article_with(units, None, &an, &lex, batch.as_ref(), all);
                    format!("{:?}", pair_article(&art.id, units, &p, &lex, &opts))
                };
                assert_eq!(rows(false), rows(true), "{}", art.id);
            }
            skipped += units
                .iter()
                .filter(|u| {
                    !units
                        .iter()
                        .any(|o| o.role != u.role && o.dispute_idx == u.dispute_idx)
                })
                .count();
        }
        assert!(skipped > 0);
    }

    /// Rebuttals scored one after the other make the rows they make scored in parallel.
    #[test]
    fn rebuttals_in_turn_pair_as_in_parallel() {
        let lex = Lexicon::builtin();
        let an = Analyzer::new();
        let opts = PairOptions::default();
        let mut rows = 0;
        for (art, ex) in crate::score::extracted_articles("data/articles", &lex) {
            let p = prepare_article(&ex.units, None, &an, &lex, None);
            let [in_turn, parallel] = [usize::MAX, 0].map(|from| {
                let at = pair_rows_from(&art.id, &ex.units, &p, &lex, &opts, from);
                format!("{:?}", rows_of(&art.id, &ex.units, at))
            });
            assert_eq!(in_turn, parallel, "{}", art.id);
            rows += ex.units.len();
        }
        assert!(rows > 50);
    }

    /// Names are told apart by their shared strings: with every name a string of its own
    /// (as a stem cache that started over would make some), an article pairs the same.
    #[test]
    fn names_in_strings_of_their_own_pair_alike() {
        let lex = Lexicon::builtin();
        let an = Analyzer::new();
        let opts = PairOptions::default();
        let mut names = 0;
        for (art, ex) in crate::score::extracted_articles("data/articles", &lex) {
            let shared = prepare_article(&ex.units, None, &an, &lex, None);
            let mut own = shared.clone();
            for p in &mut own {
                for n in &mut p.names {
                    *n = Term::from(&**n);
                    names += 1;
                }
            }
            let rows =
                |p: &[Prepared]| format!("{:?}", pair_article(&art.id, &ex.units, p, &lex, &opts));
            assert_eq!(rows(&own), rows(&shared), "{}", art.id);
        }
        assert!(names > 50);
    }

    #[test]
    fn rows_encode_as_their_cells() {
        let lex = Lexicon::builtin();
        let mut rows = Vec::new();
        let mut articles = Vec::new();
        for e in std::fs::read_dir("data/articles").unwrap() {
            let path = e.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let art = crate::article::Article {
                id: path.display().to_string(),
                origin: path.display().to_string(),
                text,
                ..Default::default()
            };
            let ex = crate::extract::extract(&art, &lex, &Default::default()).unwrap();
            rows.extend(pair_batch(
                &[(art.id.clone(), ex.units.clone())],
                &lex,
                &Default::default(),
            ));
            articles.push((art.id.clone(), (ex.units, ex.unit_tokens)));
        }
        assert!(rows.iter().any(|r| r.status == Status::Unmatched));
        assert!(rows.iter().any(|r| r.status == Status::Unanswered));
        for explain in [false, true] {
            for (delimiter, keep_newlines) in
                [(b',', false), (b';', true), (b'\'', false), (b'e', false)]
            {
                let opts = CsvOptions {
                    delimiter,
                    keep_newlines,
                    ..Default::default()
                };
                let headers = report_headers(explain);
                for format in [Format::Csv, Format::Jsonl] {
                    let (mut fast, mut want) = (Vec::new(), Vec::new());
                    let ends =
                        encode_report_rows(&rows, explain, format, &opts, &mut fast).unwrap();
                    let cells = report_table(&rows, explain).rows;
                    let want_ends =
                        encode_rows(&cells, &headers, format, &opts, &mut want).unwrap();
                    assert_eq!(ends, want_ends);
                    assert!(fast == want, "{explain} {}", delimiter as char);
                }
                // One article at a time, units never cloned: the same bytes again.
                for format in [Format::Csv, Format::Jsonl] {
                    let (mut fast, mut want) = (Vec::new(), Vec::new());
                    let an = Analyzer::new();
                    let popts = PairOptions::default();
                    for (id, units) in &articles {
                        let rows =
                            pair_batch_with(&[(id.clone(), units.0.clone())], &an, &lex, &popts);
                        let start = fast.len();
                        let (ends, counts) = pair_encode_article(
                            id,
                            &units.0,
                            Some(&units.1),
                            &an,
                            &lex,
                            &popts,
                            explain,
                            format,
                            &opts,
                            &mut fast,
                        )
                        .unwrap();
                        let base = want.len();
                        let want_ends =
                            encode_report_rows(&rows, explain, format, &opts, &mut want).unwrap();
                        assert_eq!(start, base);
                        assert_eq!(ends, want_ends);
                        let count =
                            |s: Status| rows.iter().filter(|r| r.status == s).count() as u64;
                        assert_eq!(
                            counts,
                            [
                                count(Status::Paired),
                                count(Status::Unanswered),
                                count(Status::Unmatched)
                            ]
                        );
                    }
                    assert!(fast == want);
                }
            }
        }
    }
}
