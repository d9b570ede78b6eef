//! Stage 3 — attribute: who speaks each sentence.
//!
//! One pass in reading order keeps a small discourse state (the last person speaker, the last
//! non-person subject, the last country named) so pronouns ("he", "it"), descriptions ("the
//! spokesperson"), surnames ("Khan"), acronyms ("FO") and "the country" resolve to the entity
//! the article introduced earlier. A second pass gives every sentence of a quote the speaker
//! found anywhere around that quote (trailing attribution, "He said, “..."), and quotes with
//! no attribution at all inherit the last quoted speaker (floating quotes).

use crate::lexicon::{CueClass, Lexicon, PartyType};
use crate::segment::Segmented;
use crate::text::{Normed, Token};
use bumpalo::Bump;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntityKind {
    Person,
    Org,
    Country,
    Document,
}

#[derive(Debug, Clone)]
pub struct Entity {
    pub id: usize,
    /// The fullest form the article used ("Shafqat Ali Khan", "joint statement").
    pub name: String,
    pub kind: EntityKind,
    /// Canonical parties known from the gazetteer or the words around the name.
    pub parties: Vec<String>,
    /// The organisation a person speaks for ("FO spokesperson X" → the FO).
    pub affiliation: Option<usize>,
    /// Lowercase nouns it was introduced with (spokesperson, ministry, statement).
    pub descriptors: Vec<String>,
    /// A name that does not identify a party by itself (Foreign Office, the ministry): its
    /// party comes from the dispute structure.
    pub generic: bool,
    /// Domestic side named by a role word when no party is known: ministers, ministries and
    /// "the government" are the government; "opposition leader" is the opposition.
    pub role_party: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuoteType {
    Direct,
    Indirect,
    Mixed,
    Floating,
    MultiParagraph,
}

impl QuoteType {
    pub fn as_str(&self) -> &'static str {
        match self {
            QuoteType::Direct => "direct",
            QuoteType::Indirect => "indirect",
            QuoteType::Mixed => "mixed",
            QuoteType::Floating => "floating",
            QuoteType::MultiParagraph => "multi-paragraph",
        }
    }
}

/// A cue word found in a sentence.
#[derive(Debug, Clone, Copy)]
pub struct CueHit {
    pub tok: usize,
    pub len: usize,
    pub entry: usize,
    pub in_quote: bool,
    /// Used as a verb (not "the allegations", "Pakistan's alleged involvement").
    pub as_verb: bool,
}

/// Tokens and cues of one sentence.
///
/// All but the tokens (which pairing takes over, see `extract`) are borrowed rather than
/// owned: from the arena of the [`Normed`] text [`attribute`] was given, or, for an empty
/// list or the flags of an unquoted sentence, from static data. A Vec of each was four
/// allocations and frees per sentence, some 60 heap blocks an article (issue 7).
#[derive(Debug, Clone)]
pub struct SentenceInfo<'a> {
    pub tokens: Vec<Token<'a>>,
    /// Whether each token starts inside a quote.
    pub quoted: &'a [bool],
    pub cues: &'a [CueHit],
    /// Speech quotes (not scare quotes) overlapping the sentence.
    pub speech_quotes: &'a [usize],
    /// Fragment quotes overlapping the sentence.
    pub fragment_quotes: &'a [usize],
}

impl SentenceInfo<'_> {
    /// The lexicon entry of the cue starting at token `tok` (the frame verb, usually).
    pub fn cue_at<'l>(&self, tok: usize, lex: &'l Lexicon) -> Option<&'l crate::lexicon::CueEntry> {
        self.cues
            .iter()
            .find(|c| c.tok == tok)
            .map(|c| &lex.cues[c.entry])
    }

    /// Words outside quotes.
    pub fn frame_words(&self) -> usize {
        self.tokens
            .iter()
            .zip(self.quoted)
            .filter(|(t, q)| !**q && t.is_word())
            .count()
    }
    pub fn quoted_words(&self) -> usize {
        self.quoted.iter().filter(|q| **q).count()
    }
}

///
/// Its strings borrow the [`Normed`] text that [`attribute`] was given (the mention is of
/// the text, a frame rule is in its arena): a `String` of each was two allocations and two
/// frees per attributed sentence (issue 7).
#[derive(Debug, Clone)]
pub struct Attribution<'a> {
    pub speaker: Option<usize>,
    /// The words that named the speaker ("he", "the spokesperson").
    pub mention: &'a str,
    pub quote_type: QuoteType,
    pub confidence: f32,
    pub rule: &'a str,
    /// Token index of the reporting verb inside this sentence, when the frame is here.
    pub verb: Option<usize>,
    /// Token range of the speaker mention inside this sentence.
    pub speaker_span: Option<(usize, usize)>,
}

/// What attribution found in an article; the tokens' norms borrow the [`Normed`] text
/// [`attribute`] was given.
#[derive(Debug, Clone, Default)]
pub struct Attributed<'a> {
    pub infos: Vec<SentenceInfo<'a>>,
    pub attributions: Vec<Attribution<'a>>,
    pub entities: Vec<Entity>,
    /// Sentences holding a non-response ("did not respond", "declined to comment").
    pub nonresponse: Vec<bool>,
    /// Entities named in each sentence outside the speaker's own mention: (token, entity).
    /// In the text's arena, as [`SentenceInfo`]'s lists.
    pub mentions: Vec<&'a [(usize, usize)]>,
}

/// Discourse state carried through the article.
#[derive(Default)]
struct State {
    last_person_speaker: Option<usize>,
    last_person: Option<usize>,
    last_thing: Option<usize>,
    last_country: Option<usize>,
    /// The last country that spoke or was a sentence subject: "Britain expelled ...
    /// Foreign Secretary X told ..." — X speaks for Britain.
    last_country_actor: Option<usize>,
    /// Every country actor so far, newest last (for an office whose country is the one the
    /// sentence accuses: it belongs to the other side).
    country_actors: Vec<usize>,
    /// The last named organisation that spoke or was a subject (for "chief executive X").
    last_org_actor: Option<usize>,
    /// The last named organisation that spoke: "According to the union, ... Regional
    /// secretary X said" — X is the union's, though the council was named in between.
    last_org_speaker: Option<usize>,
}

pub struct Ctx<'a> {
    pub text: &'a str,
    pub lex: &'a Lexicon,
}

impl<'a> Ctx<'a> {
    #[inline]
    fn w(&self, t: &Token, class: &str) -> bool {
        self.lex.is_tok(class, t)
    }
    fn gap<'b>(&'b self, toks: &[Token], i: usize) -> &'b str {
        if i == 0 || i >= toks.len() {
            return "";
        }
        &self.text[toks[i - 1].end..toks[i].start]
    }
    /// `self.gap(toks, i).contains(',')`, over the gap's bytes: asked of most gaps of a
    /// sentence's first words, where the slicing of the text and the search cost more than
    /// the byte or two of a gap.
    fn comma_at(&self, toks: &[Token], i: usize) -> bool {
        has_comma(gap_bytes(self.text, toks, i))
    }

    /// `has_punct(self.gap(toks, i))`, a one-byte gap (a space, nearly always) answered by
    /// its byte without slicing the text to a str.
    fn punct_at(&self, toks: &[Token], i: usize) -> bool {
        match gap_bytes(self.text, toks, i) {
            &[b] => ascii_punct(b),
            _ => has_punct(self.gap(toks, i)),
        }
    }
    fn raw<'b>(&'b self, t: &Token) -> &'b str {
        &self.text[t.start..t.end]
    }
    /// Gazetteer match starting at token i (capitalised first word), longest first.
    #[inline]
    /// The party is the lexicon's own string: most callers only ask how long the match is.
    pub fn gaz_at(&self, toks: &[Token], i: usize) -> Option<(usize, &'a str, PartyType)> {
        // Every key is the norms of its tokens joined by spaces, and norms hold no space: a
        // key can only match if its first token is this one. Most words start no alias and
        // are answered here, without a call: this is asked of every word of every sentence.
        if !toks[i].cap || !self.lex.may_start_alias_tok(&toks[i]) {
            return None;
        }
        self.gaz_from(toks, i)
    }

    /// [`Ctx::gaz_at`] for a capitalised word that starts some alias.
    fn gaz_from(&self, toks: &[Token], i: usize) -> Option<(usize, &'a str, PartyType)> {
        // No alias starting with this word is longer than `alias_words_tok` words: longer
        // keys would be looked up in vain.
        let mut max = self
            .lex
            .gaz_max_len
            .min(toks.len() - i)
            .min(self.lex.alias_words_tok(&toks[i]));
        // Multi-word aliases cannot cross punctuation. Most gaps are one space.
        if let Some(k) = (i + 1..i + max).find(|&k| {
            let g = self.gap(toks, k);
            g != " " && !g.trim().is_empty()
        }) {
            max = k - i;
        }
        if max == 1 {
            // A one-word key is the word itself: nothing to join.
            return self.gaz_word(toks, i);
        }
        self.gaz_window(toks, i, max)
    }

    /// The gazetteer entry whose key is token `i`'s word alone, as [`Ctx::gaz_longest`]
    /// gives it: found from the token's marked classes, without hashing the word.
    #[inline]
    fn gaz_word(&self, toks: &[Token], i: usize) -> Option<(usize, &'a str, PartyType)> {
        let g = self.lex.party_word_entry_tok(&toks[i])?;
        // "US" must be written in capitals to be the country, not the pronoun.
        if toks[i].norm == "us" && self.raw(&toks[i]) != "US" {
            return None;
        }
        Some((1, g.party.as_str(), g.ptype))
    }

    /// The longest gazetteer key among the norms of the `max` words from `i` joined by
    /// spaces and its prefixes that end with a word.
    fn gaz_window(
        &self,
        toks: &[Token],
        i: usize,
        max: usize,
    ) -> Option<(usize, &'a str, PartyType)> {
        // speed (issue 7): every candidate key is a prefix of the longest one, so it is
        // joined once and sliced, instead of joined afresh for each length; in a buffer on
        // the stack when it fits, as it nearly always does.
        let words = &toks[i..i + max];
        let total = words.iter().map(|t| t.norm.len() + 1).sum::<usize>();
        let mut buf = [0u8; 128];
        let mut ends = [0usize; 8];
        if total > buf.len() || max > ends.len() {
            return self.gaz_joined(toks, i, max);
        }
        let mut n = 0;
        for (k, t) in words.iter().enumerate() {
            if k > 0 {
                buf[n] = b' ';
                n += 1;
            }
            buf[n..n + t.norm.len()].copy_from_slice(t.norm.as_bytes());
            n += t.norm.len();
            ends[k] = n;
        }
        // SAFETY: whole norms (each a `str`) and ASCII spaces: valid UTF-8, each end on a
        // character boundary. Checked again, it was a call for each capitalised word that
        // starts an alias.
        let joined = unsafe { std::str::from_utf8_unchecked(&buf[..n]) };
        self.gaz_longest(toks, i, joined, &ends[..max])
    }

    /// [`Ctx::gaz_from`] for a window too long for its buffer: the key joined on the heap.
    #[cold]
    fn gaz_joined(
        &self,
        toks: &[Token],
        i: usize,
        max: usize,
    ) -> Option<(usize, &'a str, PartyType)> {
        let words = &toks[i..i + max];
        let mut joined =
            String::with_capacity(words.iter().map(|t| t.norm.len() + 1).sum::<usize>());
        let mut ends = Vec::with_capacity(max);
        for t in words {
            if !joined.is_empty() {
                joined.push(' ');
            }
            joined.push_str(t.norm);
            ends.push(joined.len());
        }
        self.gaz_longest(toks, i, &joined, &ends)
    }

    /// The longest gazetteer key among the prefixes `joined[..ends[k]]` of the norms of the
    /// words from `i` joined by spaces.
    fn gaz_longest(
        &self,
        toks: &[Token],
        i: usize,
        joined: &str,
        ends: &[usize],
    ) -> Option<(usize, &'a str, PartyType)> {
        // A key of two words or more is never "us", which `gaz_word` holds to capitals.
        for len in (2..=ends.len()).rev() {
            if let Some(g) = self.lex.gazetteer.get(&joined[..ends[len - 1]]) {
                return Some((len, g.party.as_str(), g.ptype));
            }
        }
        // An empty window (the word starts no alias) has no one-word key either.
        (!ends.is_empty()).then(|| self.gaz_word(toks, i)).flatten()
    }
    /// Parties named inside one hyphenated token ("Indo-US" → India, United States), handed
    /// to `f` one by one as the lexicon's own strings.
    fn each_hyphen_party(&self, t: &Token, mut f: impl FnMut(&'a str)) {
        let raw = self.raw(t);
        if !raw.contains('-') {
            return;
        }
        let mut seen: Vec<&'a str> = Vec::new();
        for part in raw.split('-') {
            if part.chars().next().is_some_and(|c| c.is_uppercase()) {
                // Folded on the stack: only the look-up needs it.
                let found = crate::text::with_folded(part, |key| {
                    // "US" must be written in capitals to be the country, not the pronoun.
                    if key == "us" && part != "US" {
                        return None;
                    }
                    self.lex.gazetteer.get(key)
                });
                if let Some(g) = found {
                    if !seen.contains(&g.party.as_str()) {
                        seen.push(g.party.as_str());
                        f(g.party.as_str());
                    }
                }
            }
        }
    }
    /// Every party named in tokens[a..b], in order.
    pub fn parties_in(&self, toks: &[Token], a: usize, b: usize) -> Vec<String> {
        let mut out = Vec::new();
        self.each_party_in(toks, a, b, |_, p| out.push(p.to_string()));
        out
    }

    /// [`Ctx::parties_in`] handed to `f` one by one, as the lexicon's own strings: most
    /// callers keep a few of them, or none, and a String for each was an allocation.
    fn each_party_in(&self, toks: &[Token], a: usize, b: usize, mut f: impl FnMut(usize, &'a str)) {
        let mut i = a;
        while i < b.min(toks.len()) {
            if let Some((len, p, _)) = self.gaz_at(toks, i) {
                f(i, p);
                i += len;
                continue;
            }
            if toks[i].hyphen {
                self.each_hyphen_party(&toks[i], |p| f(i, p));
            }
            i += 1;
        }
    }
}

/// The cues of a sentence, pushed to `out`.
fn cue_hits(ctx: &Ctx, toks: &[Token], quoted: &[bool], out: &mut Vec<CueHit>) {
    let mut i = 0;
    while i < toks.len() {
        // Most words start no cue: passed over before anything else is asked of them.
        if !ctx.lex.may_start_cue_tok(&toks[i]) {
            i += 1;
            continue;
        }
        let mut matched = None;
        // A capitalised word inside a sentence is a name ("United States", "Claims Court"),
        // not a cue; at the start of a sentence or of a quote it may be either.
        let sentence_start = || i == 0 || ctx.gap(toks, i).chars().any(crate::text::is_quote_mark);
        // Most words start no cue: asked first, it spares them the look at the gap.
        let cands = ctx.lex.cues_at_tok(&toks[i]);
        let name_like = || toks[i].cap && !sentence_start();
        if let Some(cands) = cands.filter(|_| !name_like()) {
            for &ci in cands {
                let c = &ctx.lex.cues[ci];
                // Its first word is the token's, by which the cues were looked up: compared
                // from the second on (issue 7: a string comparison less per candidate).
                if i + c.tokens.len() <= toks.len()
                    && c.tokens[1..]
                        .iter()
                        .zip(&toks[i + 1..])
                        .all(|(a, b)| *a == b.norm)
                {
                    matched = Some((ci, c.tokens.len()));
                    break;
                }
            }
        }
        if let Some((ci, len)) = matched {
            let c = &ctx.lex.cues[ci];
            // A determiner, possessive or "of" before it makes it a noun or adjective:
            // "the allegations", "Pakistan's alleged involvement".
            let prev = i.checked_sub(1).map(|p| &toks[p]);
            let nominal = prev.is_some_and(|p| {
                p.poss
                    || ctx.w(p, "determiner")
                    || matches!(
                        p.norm,
                        "of" | "such"
                            | "these"
                            | "those"
                            | "their"
                            | "our"
                            | "my"
                            | "your"
                            | "any"
                            | "all"
                    )
            }) && !prev.is_some_and(|p| ctx.w(p, "passive_aux"));
            out.push(CueHit {
                tok: i,
                len,
                entry: ci,
                in_quote: quoted[i],
                as_verb: c.verb && !nominal,
            });
            i += len;
        } else {
            i += 1;
        }
    }
}

/// A person noun, also inside a compound ("secretary-general", "editor-in-chief").
fn person_word(ctx: &Ctx, t: &Token) -> bool {
    ctx.w(t, "person_noun") || (t.hyphen && t.norm.split('-').any(|p| ctx.lex.is("person_noun", p)))
}

/// A word that makes an organisation a company, a newspaper or an NGO: not its country's
/// side, whatever country its name or description mentions.
fn civil_word(ctx: &Ctx, t: &Token) -> bool {
    // `trim_end_matches('.')` without the set-up of its pattern search (see `trim_suffix`).
    let w = trim_suffix(t.norm, ".");
    // The three classes in one look-up of the word.
    let civil = class_mask("like_company") | class_mask("like_paper") | class_mask("like_ngo");
    ctx.lex.word_mask(w) & civil != 0
}

/// Whether `folded` is `fold(name)`, for an ASCII name (false for any other): folding maps
/// its bytes one to one.
fn folds_to(name: &str, folded: &str) -> bool {
    name.len() == folded.len()
        && name.is_ascii()
        && name
            .bytes()
            .zip(folded.bytes())
            .all(|(a, b)| b == crate::text::fold_ascii(a))
}

/// The norms of a name's tokens, for the name look-ups: on the stack for a name of a few
/// words, as nearly all are, where a Vec was collected for every name met.
enum Norms<'t> {
    Stack([&'t str; 8], usize),
    Heap(Vec<&'t str>),
}

impl<'t> Norms<'t> {
    fn of(toks: &'t [Token]) -> Norms<'t> {
        let mut buf = [""; 8];
        match buf.get_mut(..toks.len()) {
            Some(b) => {
                for (w, t) in b.iter_mut().zip(toks) {
                    *w = t.norm;
                }
                Norms::Stack(buf, toks.len())
            }
            None => Norms::Heap(toks.iter().map(|t| t.norm).collect()),
        }
    }
}

impl<'t> std::ops::Deref for Norms<'t> {
    type Target = [&'t str];
    fn deref(&self) -> &[&'t str] {
        match self {
            Norms::Stack(buf, n) => &buf[..*n],
            Norms::Heap(v) => v,
        }
    }
}

/// The bit of a built-in class (all the classes this file names are), folded to a constant
/// where the name is a literal: `lex.word_mask(w) & class_mask(c) != 0` is `lex.is(c, w)`
/// with one look-up of the word for any number of classes, where `is` looked the word up
/// again, and matched a class name not known until run time, for each class of a list.
#[inline(always)]
fn class_mask(class: &str) -> u64 {
    Lexicon::class_mask(class).unwrap_or(0)
}

fn np_word(ctx: &Ctx, t: &Token) -> bool {
    // The word classes in one test of the token's marked classes.
    let classes = class_mask("determiner")
        | class_mask("title")
        | class_mask("person_noun")
        | class_mask("org_noun")
        | class_mask("doc_noun")
        | class_mask("joint_word");
    t.cap || t.poss || ctx.lex.in_any_tok(classes, t) || person_word(ctx, t) || np_filler(t.norm)
}

/// Words outside the classes that a noun phrase takes (numerals, "official", "ruling").
fn np_filler(norm: &str) -> bool {
    matches!(
        norm,
        "another"
            | "one"
            | "two"
            | "three"
            | "both"
            | "other"
            | "official"
            | "press"
            | "media"
            | "national"
            | "federal"
            | "public"
            | "central"
            | "local"
            | "regional"
            | "country"
            | "opposition"
            | "ruling"
            | "team"
    )
}

/// Skippable words between a subject and its verb ("on Friday", "also", "has repeatedly").
fn skippable(ctx: &Ctx, toks: &[Token], i: usize) -> bool {
    let t = &toks[i];
    ctx.w(t, "skip")
        || ctx.w(t, "weekday")
        || (t.norm == "on" && toks.get(i + 1).is_some_and(|n| ctx.w(n, "weekday")))
}

/// The gap before token `i`, less the apostrophe of a plural possessive inside a name
/// ("Workers’ Union"), which the tokenizer leaves outside the word.
fn name_gap<'a>(ctx: &'a Ctx, toks: &[Token], i: usize) -> &'a str {
    let g = ctx.gap(toks, i);
    if i > 0 && toks[i - 1].poss && toks[i - 1].cap && toks[i].cap {
        g.trim_start_matches(['\'', '\u{2019}'])
    } else {
        g
    }
}

/// Steps back from verb `v` over the words that may stand between a subject and its verb
/// ("on Friday", "also", "has repeatedly"); returns where the subject must end.
fn skip_back(ctx: &Ctx, toks: &[Token], quoted: &[bool], v: usize) -> usize {
    let mut i = v;
    while i > 0 && !ctx.punct_at(toks, i) && skippable(ctx, toks, i - 1) && !quoted[i - 1] {
        i -= 1;
    }
    i
}

/// `gap.contains(&b',')` as a plain loop: the slice search goes through `memchr`, whose
/// call and set-up outweigh the byte or two of a gap (a third of a million instructions on
/// the 200-article yardstick).
fn has_comma(gap: &[u8]) -> bool {
    for &b in gap {
        if b == b',' {
            return true;
        }
    }
    false
}

/// [`has_punct`] of a one-character ASCII gap.
fn ascii_punct(b: u8) -> bool {
    matches!(b, b',' | b';' | b':' | b'(' | b')' | b'\n' | b'\r' | b'"')
}

/// `has_punct(name_gap(ctx, toks, i))`: a one-byte gap is answered by its byte (an
/// apostrophe, which the name gap would drop, is no punctuation either).
fn name_punct_at(ctx: &Ctx, toks: &[Token], i: usize) -> bool {
    match gap_bytes(ctx.text, toks, i) {
        &[b] => ascii_punct(b),
        _ => has_punct(name_gap(ctx, toks, i)),
    }
}

/// The bytes of `text` between tokens `i - 1` and `i`; none before the first token or past
/// the last (nor for tokens out of order).
fn gap_bytes<'t>(text: &'t str, toks: &[Token], i: usize) -> &'t [u8] {
    if i == 0 || i >= toks.len() {
        return &[];
    }
    text.as_bytes()
        .get(toks[i - 1].end..toks[i].start)
        .unwrap_or_default()
}

fn has_punct(gap: &str) -> bool {
    // Most gaps are one byte (a space), an ASCII character: only its own test applies.
    if let &[b] = gap.as_bytes() {
        return ascii_punct(b);
    }
    gap.chars().any(|c| {
        matches!(c, ',' | ';' | ':' | '(' | ')' | '\n' | '\r')
            || crate::text::is_quote_mark(c)
            || c == '\u{2014}'
            || c == '\u{2013}'
    })
}

/// Subject noun phrase left of token `v`: returns (np range, apposition range).
fn np_left(
    ctx: &Ctx,
    toks: &[Token],
    quoted: &[bool],
    v: usize,
) -> Option<((usize, usize), Option<(usize, usize)>)> {
    let mut i = skip_back(ctx, toks, quoted, v);
    // "In a statement posted on its channel, it said": a lowercase pronoun subject
    if i > 0
        && !quoted[i - 1]
        && !ctx.punct_at(toks, i)
        && (ctx.w(&toks[i - 1], "pronoun_person") || ctx.w(&toks[i - 1], "pronoun_thing"))
        && i >= 2
        && ctx.comma_at(toks, i - 1)
        && !ctx.gap(toks, i - 1).chars().any(crate::text::is_quote_mark)
    {
        return Some(((i - 1, i), None));
    }
    let mut appos = None;
    // "The Department of Foreign Affairs (DFA) said": step over a bracketed acronym.
    let bracketed = i >= 2
        && ctx.gap(toks, i).trim() == ")"
        && ctx.gap(toks, i - 1).trim_end().ends_with('(')
        && toks[i - 1].is_acronym(ctx.text);
    if bracketed {
        i -= 1;
    }
    let gap = ctx.gap(toks, i);
    if bracketed {
        // the name ends right before the bracket
    } else if i > 0 && gap.contains(',') && !gap.chars().any(crate::text::is_quote_mark) {
        // "S, while speaking at ..., said" / "S, a spokeswoman for Acme, said": jump over the
        // parenthetical to the comma that opens it.
        let end_par = i;
        let mut j = i - 1;
        loop {
            if quoted[j] {
                return None;
            }
            if j == 0 {
                return None;
            }
            if ctx.comma_at(toks, j) {
                break;
            }
            j -= 1;
        }
        if end_par - j > 14 {
            return None;
        }
        appos = Some((j, end_par));
        i = j;
    } else if i > 0 && has_punct(gap) {
        return None;
    }
    let end = i;
    // "A Zambian environmental group": a lowercase modifier belongs to the phrase when a
    // determiner, name or possessive stands before it
    let modifier = |k: usize| {
        k >= 1
            && !toks[k].cap
            && !quoted[k]
            && (ctx.w(&toks[k - 1], "determiner") || toks[k - 1].cap || toks[k - 1].poss)
            && toks[k].norm.chars().all(|c| c.is_alphabetic() || c == '-')
            // From the token's marked classes, not a hash of its word (issue 7).
            && ctx.lex.cues_at_tok(&toks[k]).is_none()
    };
    while i > 0 && !quoted[i - 1] && (np_word(ctx, &toks[i - 1]) || (i < end && modifier(i - 1))) {
        let g = name_gap(ctx, toks, i);
        if i < end && has_punct(g) {
            break;
        }
        i -= 1;
        // "Ministry of External Affairs", "India and the United States"
        if i > 1
            && matches!(toks[i - 1].norm, "of" | "and" | "for")
            && toks[i - 2].cap
            && !quoted[i - 2]
            && !ctx.punct_at(toks, i)
            && !ctx.punct_at(toks, i - 1)
        {
            i -= 1;
        }
    }
    if i == end {
        return None;
    }
    // "The Russian embassy in London": the head is the embassy, not the city.
    if i >= 2
        && matches!(toks[i - 1].norm, "in" | "at")
        && (ctx.w(&toks[i - 2], "org_noun")
            || ctx.w(&toks[i - 2], "person_noun")
            // "Analysts in New Delhi", "Diplomats in Addis Ababa"
            || (toks[i - 2].norm.ends_with('s') && toks[i - 2].norm.len() > 3 && !toks[i - 2].poss))
        && !ctx.punct_at(toks, i)
    {
        let mut k = i - 2;
        while k > 0 && !quoted[k - 1] && np_word(ctx, &toks[k - 1]) && !ctx.punct_at(toks, k) {
            k -= 1;
        }
        return Some(((k, i - 1), appos));
    }
    // A leading "and"/"of" means we stopped inside a phrase; drop it.
    while i < end && matches!(toks[i].norm, "and" | "of" | "for") {
        i += 1;
    }
    (i < end).then_some(((i, end), appos))
}

/// "The documentary, “Offside”, broadcast on Thursday by Meridian TV, alleged that ...": a
/// sentence-initial noun phrase, then parentheticals (titles in quotes, participles,
/// relative clauses) up to the comma right before the verb. Tried only when the plain
/// look-back fails, and only for a phrase that opens the sentence and names something.
fn initial_subject(
    ctx: &Ctx,
    toks: &[Token],
    quoted: &[bool],
    v: usize,
) -> Option<((usize, usize), Option<(usize, usize)>)> {
    let i = skip_back(ctx, toks, quoted, v);
    if i == 0 || !ctx.comma_at(toks, i) {
        return None;
    }
    let k = (1..i).find(|&k| ctx.comma_at(toks, k))?;
    if k > 6 || i - k > 30 || (0..k).any(|t| quoted[t]) {
        return None;
    }
    let first = &toks[0];
    let opens = ctx.w(first, "determiner") || first.poss || (first.cap && !ctx.w(first, "skip"));
    let last = &toks[k - 1];
    let names = ctx.w(last, "doc_noun")
        || ctx.w(last, "org_noun")
        || ctx.w(last, "person_noun")
        || (last.cap && k >= 2);
    // every word a noun-phrase word, no cue verb, no punctuation inside the phrase
    let all_np = (0..k).all(|t| {
        let word = np_word(ctx, &toks[t])
            || (t > 0 && toks[t].norm.chars().all(|c| c.is_alphabetic() || c == '-'));
        let inside = t + 1 == k || !ctx.punct_at(toks, t + 1);
        word && inside && ctx.lex.cues_at_tok(&toks[t]).is_none()
    });
    (opens && names && all_np).then_some(((0, k), Some((k, i))))
}

/// Noun phrase right of token `from` ("said the spokesperson", "according to Khan").
fn np_right(ctx: &Ctx, toks: &[Token], quoted: &[bool], from: usize) -> Option<(usize, usize)> {
    let mut i = from;
    let noun = |t: &Token| ctx.w(t, "org_noun") || ctx.w(t, "person_noun") || ctx.w(t, "doc_noun");
    while i < toks.len() && !quoted[i] {
        // "a leading patient organisation": up to two modifiers before a known noun. Asked
        // only of a word that is no noun-phrase word (issue 7: its look ahead was made for
        // every word of the phrase).
        let modifier = || {
            !toks[i].cap
                && i > from
                && (i + 1..toks.len().min(i + 3)).any(|k| noun(&toks[k]) && !quoted[k])
                && !matches!(
                    toks[i].norm,
                    "of" | "on" | "in" | "for" | "that" | "to" | "and"
                )
        };
        if !np_word(ctx, &toks[i]) && !modifier() {
            break;
        }
        if i > from && name_punct_at(ctx, toks, i) {
            break;
        }
        i += 1;
        if i + 1 < toks.len()
            && matches!(toks[i].norm, "of" | "and" | "for")
            && toks[i + 1].cap
            && !ctx.punct_at(toks, i)
        {
            i += 1;
        }
    }
    if i == from {
        // a pronoun: "said he"
        if from < toks.len()
            && (ctx.w(&toks[from], "pronoun_person") || ctx.w(&toks[from], "pronoun_thing"))
        {
            return Some((from, from + 1));
        }
        return None;
    }
    Some((from, i))
}

/// The sentence's own leading noun phrase (its grammatical subject, roughly).
fn leading_np(ctx: &Ctx, toks: &[Token], quoted: &[bool]) -> Option<(usize, usize)> {
    let mut a = 0;
    // skip a fronted adverbial up to the first comma ("In a statement, the ministry ...")
    if let Some(c) = (1..toks.len().min(10)).find(|&k| ctx.comma_at(toks, k)) {
        if !toks[0].cap
            || matches!(
                toks[0].norm,
                "in" | "on"
                    | "responding"
                    | "reacting"
                    | "separately"
                    | "meanwhile"
                    | "however"
                    | "earlier"
                    | "later"
                    | "since"
                    | "last"
                    | "after"
                    | "before"
                    | "speaking"
            )
        {
            a = c;
        }
    }
    if a < toks.len()
        && !quoted[a]
        && (ctx.w(&toks[a], "pronoun_person") || ctx.w(&toks[a], "pronoun_thing"))
    {
        return Some((a, a + 1));
    }
    let r = np_right(ctx, toks, quoted, a)?;
    Some(r)
}

/// Where the first word of `folded` ends (`find(' ')`, else its length) and its last word
/// starts (one past `rfind(' ')`, else 0): [`Resolver::first_word`], [`Resolver::last_word`].
#[cfg(test)]
fn word_bounds(folded: &str) -> (usize, usize) {
    (
        folded.find(' ').unwrap_or(folded.len()),
        folded.rfind(' ').map_or(0, |i| i + 1),
    )
}

/// The bytes of `w.to_uppercase()` handed to `f`, in a stack buffer for a short ASCII word:
/// the acronym look-up asks it of most one-word names it is given.
fn with_upper<R>(w: &str, f: impl FnOnce(&[u8]) -> R) -> R {
    let mut buf = [0u8; 32];
    match buf.get_mut(..w.len()) {
        Some(b) if w.is_ascii() => {
            b.copy_from_slice(w.as_bytes());
            b.make_ascii_uppercase();
            f(b)
        }
        _ => f(w.to_uppercase().as_bytes()),
    }
}

/// A word's hash for the entity look-ups: equal words hash alike, so a differing hash
/// answers "not this word" with one comparison.
#[inline]
fn word_hash(w: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(w)
}

/// One bit of 64 standing for a word (from its [`word_hash`]).
#[inline]
fn word_bit(w: &str) -> u64 {
    1 << (word_hash(w) >> 58)
}

/// The bits ([`word_bit`]) of every word of a folded name, split at spaces as `has_word`
/// splits it: the specification of [`Name::bits`].
#[cfg(test)]
fn name_bits(folded: &str) -> u64 {
    folded.split(' ').fold(0, |m, w| m | word_bit(w))
}

/// An entity's name as the look-ups compare it, worked out once per name: `find_name` and
/// `find_descriptor_except` ask these of every recent entity on every mention.
///
/// Its strings are in the arena of the article's [`crate::text::Normed`] text (they live as
/// long as it, until the extraction is dropped after pairing): a name's two `String`s and
/// the map's copy of the folded one were some 200 instructions of allocating and freeing
/// per name (issue 7).
struct Name<'n> {
    /// The folded name.
    folded: &'n str,
    /// [`acronym_chars`] of the name as written.
    acronym: &'n str,
    /// Where the first word of `folded` ends and its last word starts ([`word_bounds`]).
    bounds: (usize, usize),
    /// [`word_hash`] of the first and of the last word: the one-word look-ups compare these
    /// before any string.
    keys: (u64, u64),
    /// [`word_bit`] of every word of `folded` and of every descriptor (also of the names the
    /// entity had before a rename): an entity whose bits lack a head's has neither, and
    /// `find_descriptor_except` passes it without comparing strings.
    bits: u64,
    /// The entity's kind (kinds never change after `add`): the look-ups that walk the names
    /// pass the kinds they do not want over without reading their entities.
    kind: EntityKind,
    /// The built-in word classes of the name's words, a final '.' cut (see
    /// [`Resolver::name_classes`]), with [`CLASSES_KNOWN`] once worked out: asked only of
    /// the organisations a description may stand for, and of each many times.
    classes: std::cell::Cell<u64>,
}

/// [`Name::classes`] holds the classes (no class takes this bit).
const CLASSES_KNOWN: u64 = 1 << 63;

impl<'n> Name<'n> {
    /// The name of an entity of `kind` (kinds never change after [`Resolver::add`]).
    fn new(arena: &'n Bump, name: &str, kind: EntityKind) -> Name<'n> {
        let (folded, acronym) = fold_and_acronym(arena, name);
        // One walk over the words gives the bounds, the hashes and the bits: the name is
        // split at each space as `split(' ')` splits it.
        let mut bits = 0;
        let mut start = 0;
        let mut first = None;
        for (i, &b) in folded.as_bytes().iter().enumerate() {
            if b == b' ' {
                let h = word_hash(&folded[start..i]);
                bits |= 1 << (h >> 58);
                first.get_or_insert((i, h));
                start = i + 1;
            }
        }
        let last = word_hash(&folded[start..]);
        bits |= 1 << (last >> 58);
        let (first_end, first) = first.unwrap_or((folded.len(), last));
        Name {
            acronym,
            keys: (first, last),
            bits,
            bounds: (first_end, start),
            folded,
            kind,
            classes: std::cell::Cell::new(0),
        }
    }
}

/// A set of 1024 bits standing for hashes: a hash whose bit is clear was never added. Names
/// met for the first time, most of them, ask the one-word look-ups in vain: the filters
/// answer them without a walk over the recent entities.
#[derive(Default)]
struct Filter([u64; 16]);

impl Filter {
    fn add(&mut self, h: u64) {
        let i = (h >> 54) as usize;
        self.0[i >> 6] |= 1 << (i & 63);
    }

    #[inline]
    fn may_hold(&self, h: u64) -> bool {
        let i = (h >> 54) as usize;
        self.0[i >> 6] >> (i & 63) & 1 == 1
    }
}

/// A hash of a byte string, for the acronym filter.
fn bytes_hash(b: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(b)
}

struct Resolver<'a, 'b> {
    ctx: &'a Ctx<'b>,
    entities: Vec<Entity>,
    st: State,
    /// Where the names' strings are: the article's `Normed` text's arena.
    arena: &'a Bump,
    /// Every entity's name as the look-ups compare it, kept in step with renames (see
    /// `rename`) and new descriptors (see [`Name::bits`]).
    names: Vec<Name<'a>>,
    /// Folded name → newest entity of that name, for the exact look-up.
    by_name: rustc_hash::FxHashMap<&'a str, usize>,
    /// [`Filter`] of the first and last words of every name held (before renames too), by
    /// [`word_hash`]: a word none of them hashes as has no one-word match in `find_word`.
    word_filter: Filter,
    /// [`Filter`] of every acronym held and of its tails of three or more bytes, by
    /// [`bytes_hash`]: an uppercased word none of them hashes as is no acronym's.
    acronym_filter: Filter,
    /// Party → first country entity standing for it.
    /// Keyed by a copy in the arena: a String key was a heap block per country (issue 7).
    countries: rustc_hash::FxHashMap<&'a str, usize>,
    /// `resolve_inner`'s list of the parties a phrase names, kept for the next.
    named: Vec<&'b str>,
    /// The most bytes of an acronym held (before renames too).
    acronym_max: usize,
}

/// How far back the fuzzy name look-ups search. Articles name a few dozen entities at most
/// (≤ 18 in the bundled and held-out sets); a bounded window keeps a text that names
/// thousands of them linear instead of quadratic.
const RECENT: usize = 64;

/// Sentences searched on each side for the attribution of a quote's sentence.
const QUOTE_WINDOW: usize = 64;

fn looks_org(ctx: &Ctx, toks: &[Token]) -> bool {
    toks.iter().any(|t| {
        ctx.w(t, "org_noun")
            || ctx.w(t, "company_suffix")
            || matches!(
                t.norm,
                "inc"
                    | "corp"
                    | "ltd"
                    | "plc"
                    | "llc"
                    | "co"
                    | "group"
                    | "fc"
                    | "times"
                    | "news"
                    | "post"
                    | "herald"
                    | "tribune"
                    | "daily"
                    | "gazette"
                    | "journal"
                    | "telegraph"
                    | "guardian"
                    | "express"
                    | "party"
            )
    })
}

/// `s.trim_end_matches(suffix)`: each copy of `suffix` at the end removed. The pattern
/// search behind `trim_end_matches` took some 250 instructions to set up for a word.
fn trim_suffix<'s>(mut s: &'s str, suffix: &str) -> &'s str {
    while let Some(rest) = s.strip_suffix(suffix) {
        s = rest;
    }
    s
}

/// `name.split(' ').any(|w| w == word)`, splitting bytes: the `str` split searches for
/// each space with `memchr`, whose set-up outweighs the few bytes of a name's word, and this
/// runs for every recent entity of every descriptor look-up.
fn has_word(name: &str, word: &str) -> bool {
    name.as_bytes()
        .split(|&b| b == b' ')
        .any(|w| w == word.as_bytes())
}

impl<'a, 'b> Resolver<'a, 'b> {
    fn new(ctx: &'a Ctx<'b>, arena: &'a Bump) -> Self {
        Resolver {
            ctx,
            arena,
            // Articles name some twenty entities: room for them up front spares the
            // regrowths.
            entities: Vec::with_capacity(32),
            st: State::default(),
            names: Vec::with_capacity(32),
            // Room for as many names (renames add one each): grown from empty, the map was
            // rehashed three or four times an article.
            by_name: rustc_hash::FxHashMap::with_capacity_and_hasher(32, Default::default()),
            word_filter: Filter::default(),
            acronym_filter: Filter::default(),
            // Articles name a few countries: room for them spares the regrowths.
            countries: rustc_hash::FxHashMap::with_capacity_and_hasher(8, Default::default()),
            named: Vec::new(),
            acronym_max: 0,
        }
    }

    fn add(
        &mut self,
        name: String,
        kind: EntityKind,
        parties: Vec<String>,
        descriptors: Vec<String>,
        generic: bool,
    ) -> usize {
        let id = self.entities.len();
        let mut n = Name::new(self.arena, &name, kind);
        n.bits = descriptors.iter().fold(n.bits, |m, d| m | word_bit(d));
        self.by_name.insert(n.folded, id);
        self.filter_name(&n);
        self.names.push(n);
        if kind == EntityKind::Country
            && parties.len() == 1
            && !self.countries.contains_key(parties[0].as_str())
        {
            let party = &*self.arena.alloc_str(&parties[0]);
            self.countries.insert(party, id);
        }
        self.entities.push(Entity {
            role_party: None,
            id,
            name,
            kind,
            parties,
            affiliation: None,
            descriptors,
            generic,
        });
        id
    }

    /// Adds a name's words and acronym to the filters.
    fn filter_name(&mut self, n: &Name) {
        self.word_filter.add(n.keys.0);
        self.word_filter.add(n.keys.1);
        let a = n.acronym.as_bytes();
        self.acronym_max = self.acronym_max.max(a.len());
        self.acronym_filter.add(bytes_hash(a));
        for k in 1..a.len().saturating_sub(2) {
            self.acronym_filter.add(bytes_hash(&a[k..]));
        }
    }

    fn recent(&self) -> impl Iterator<Item = &Entity> {
        self.entities.iter().rev().take(RECENT)
    }

    fn rename(&mut self, id: usize, name: String) {
        let mut n = Name::new(self.arena, &name, self.names[id].kind);
        // The old name's bits stay: a bit set in vain only costs a string comparison, and
        // the descriptors' bits are among them.
        n.bits |= self.names[id].bits;
        self.by_name.insert(n.folded, id);
        self.filter_name(&n);
        self.names[id] = n;
        self.entities[id].name = name;
    }

    /// The first word of an entity's folded name (`split(' ').next()`): `find_name` asks it
    /// of every recent entity, and the split iterator cost more than the comparisons.
    fn first_word(&self, id: usize) -> &str {
        let n = &self.names[id];
        &n.folded[..n.bounds.0]
    }

    /// The last word of an entity's folded name (`split(' ').next_back()`).
    fn last_word(&self, id: usize) -> &str {
        let n = &self.names[id];
        &n.folded[n.bounds.1..]
    }

    fn find_name(&self, name_norm: &[&str]) -> Option<usize> {
        // A one-word name is its own key: most look-ups are of one word.
        if let [w] = name_norm {
            // exact, then surname / single-token match against a longer name, newest first
            if let Some(&id) = self.by_name.get(*w) {
                return Some(id);
            }
            return self.find_word(w);
        }
        // The words joined by spaces, after a space: `tail` below, and the name itself
        // without the space; on the stack when it fits, as names nearly always do.
        let mut buf = [0u8; 128];
        let spaced: std::borrow::Cow<str> =
            match name_norm.iter().map(|w| w.len() + 1).sum::<usize>() {
                n if n <= buf.len() => {
                    let mut at = 0;
                    for w in name_norm {
                        buf[at] = b' ';
                        buf[at + 1..at + 1 + w.len()].copy_from_slice(w.as_bytes());
                        at += 1 + w.len();
                    }
                    // SAFETY: whole words (each a `str`) after ASCII spaces: valid UTF-8.
                    // Checked again, it was a call for each name of several words.
                    unsafe { std::str::from_utf8_unchecked(&buf[..n]) }.into()
                }
                _ => [" ", &name_norm.join(" ")].concat().into(),
            };
        let joined = spaced.get(1..).unwrap_or_default();
        if let Some(&id) = self.by_name.get(joined) {
            return Some(id);
        }
        if name_norm.len() < 2 {
            return None;
        }
        // "Fifth Fleet" for "the U.S. Navy's Fifth Fleet"; else a longer mention of a person
        // known by part of the name. speed (issue 7): both rules in one pass over the names,
        // newest first as `recent` (an organisation's match wins at once, the person's is
        // kept), instead of one pass over the entities for each: those two walks were most
        // of `find_name`, itself 1.2 % of a run.
        let tail = spaced.as_ref();
        // A name that ends with the tail, or that the joined name (two words or more) ends
        // with or that ends with it and has a space, ends with its last word: the hashes of
        // the last words pass most names over before their strings are compared.
        let last = word_hash(&tail[tail.rfind(' ').map_or(0, |k| k + 1)..]);
        let mut person = None;
        for (id, n) in self.names.iter().enumerate().rev().take(RECENT) {
            // A one-word name (no space: its last word starts at 0) may end the joined name
            // in the middle of its last word.
            if n.keys.1 != last && n.bounds.1 != 0 {
                continue;
            }
            match n.kind {
                EntityKind::Org if n.keys.1 == last && n.folded.ends_with(tail) => {
                    return Some(id);
                }
                EntityKind::Person
                    if person.is_none()
                        && (n.folded.ends_with(joined) || joined.ends_with(n.folded)) =>
                {
                    person = Some(id);
                }
                _ => {}
            }
        }
        person
    }

    /// The one-word rules of `find_name` after the exact look-up, in one pass over the recent
    /// entities instead of one pass per rule (with the words compared by hash first): a
    /// name met for the first time went through all of them, a tenth of attribution.
    fn find_word(&self, w: &str) -> Option<usize> {
        let h = word_hash(w);
        // The newest match of each rule after the first, which returns at once:
        // [person's first word, organisation's first word, organisation's last word].
        let mut found = [None; 3];
        // Over the names, newest first as `recent`: an entity is looked at only when a word
        // of its name hashes as `w` does; none is, when no name ever had such a word.
        let named = self.word_filter.may_hold(h);
        for (id, n) in self
            .names
            .iter()
            .enumerate()
            .rev()
            .take(RECENT)
            .filter(|_| named)
        {
            let (fh, lh) = n.keys;
            if fh != h && lh != h {
                continue;
            }
            let e = &self.entities[id];
            match e.kind {
                EntityKind::Person => {
                    if lh == h && self.last_word(e.id) == w {
                        return Some(e.id);
                    }
                    // Family name first (Lin Jiawei → Lin) or a first name used alone.
                    if found[0].is_none()
                        && fh == h
                        && e.name.contains(' ')
                        && self.first_word(e.id) == w
                    {
                        found[0] = Some(e.id);
                    }
                }
                EntityKind::Org if !e.generic => {
                    // "Veltrix" for "Veltrix Payments Ltd."
                    if found[1].is_none() && fh == h && self.first_word(e.id) == w {
                        found[1] = Some(e.id);
                    }
                    if found[2].is_none()
                        && lh == h
                        && self.names[e.id].folded.contains(' ')
                        && self.last_word(e.id) == w
                    {
                        found[2] = Some(e.id);
                    }
                }
                _ => {}
            }
        }
        if let Some(id) = found[0].or(found[1]) {
            return Some(id);
        }
        // "the Sentinel" for "The Daily Sentinel": a distinctive last word names the
        // organisation alone; a common noun ("Union", "Council") does not.
        if found[2].is_some() && !self.ctx.lex.is("org_noun", w) && !self.ctx.lex.is("doc_noun", w)
        {
            return found[2];
        }
        // acronym of an organisation: FO → Foreign Office; "FDA" for "U.S. Food and Drug
        // Administration"
        if w.len() < 2 {
            return None;
        }
        // An ASCII word uppercases to as many bytes, which no acronym held can end with when
        // they are more than its longest: most words are answered without uppercasing them.
        if w.is_ascii() && w.len() > self.acronym_max {
            return None;
        }
        with_upper(w, |upper| {
            if !self.acronym_filter.may_hold(bytes_hash(upper)) {
                return None;
            }
            self.names
                .iter()
                .enumerate()
                .rev()
                .take(RECENT)
                .find(|(_, n)| {
                    n.kind != EntityKind::Person && {
                        let a = n.acronym.as_bytes();
                        a == upper || (upper.len() >= 3 && a.ends_with(upper))
                    }
                })
                .map(|(id, _)| id)
        })
    }

    /// `find_name` as plain scans, one per rule: the specification of its one pass.
    #[cfg(test)]
    fn find_name_scan(&self, name_norm: &[&str]) -> Option<usize> {
        // A one-word name is its own key: most look-ups are of one word.
        let joined: std::borrow::Cow<str> = match name_norm {
            [w] => (*w).into(),
            _ => name_norm.join(" ").into(),
        };
        // exact, then surname / single-token match against a longer name, newest first
        if let Some(&id) = self.by_name.get(joined.as_ref()) {
            return Some(id);
        }
        if name_norm.len() == 1 {
            let w = name_norm[0];
            if let Some(e) = self
                .recent()
                .find(|e| e.kind == EntityKind::Person && self.last_word(e.id) == w)
            {
                return Some(e.id);
            }
            // Family name first (Lin Jiawei → Lin) or a first name used alone.
            if let Some(e) = self.recent().find(|e| {
                e.kind == EntityKind::Person && e.name.contains(' ') && self.first_word(e.id) == w
            }) {
                return Some(e.id);
            }
            // "Veltrix" for "Veltrix Payments Ltd."
            if let Some(e) = self
                .recent()
                .find(|e| e.kind == EntityKind::Org && !e.generic && self.first_word(e.id) == w)
            {
                return Some(e.id);
            }
            // "the Sentinel" for "The Daily Sentinel": a distinctive last word names the
            // organisation alone; a common noun ("Union", "Council") does not.
            if !self.ctx.lex.is("org_noun", w) && !self.ctx.lex.is("doc_noun", w) {
                if let Some(e) = self.recent().find(|e| {
                    e.kind == EntityKind::Org
                        && !e.generic
                        && self.names[e.id].folded.contains(' ')
                        && self.last_word(e.id) == w
                }) {
                    return Some(e.id);
                }
            }
            // acronym of an organisation: FO → Foreign Office
            // Uppercased only if some recent entity is a candidate.
            let upper = std::cell::OnceCell::new();
            if let Some(e) = self.recent().find(|e| {
                w.len() >= 2 && e.kind != EntityKind::Person && {
                    // "FDA" for "U.S. Food and Drug Administration"
                    let upper: &String = upper.get_or_init(|| w.to_uppercase());
                    let a = &self.names[e.id].acronym;
                    *a == *upper || (upper.len() >= 3 && a.ends_with(upper.as_str()))
                }
            }) {
                return Some(e.id);
            }
        }
        // "Fifth Fleet" for "the U.S. Navy's Fifth Fleet"
        if name_norm.len() >= 2 {
            let tail = [" ", joined.as_ref()].concat();
            if let Some(e) = self
                .recent()
                .find(|e| e.kind == EntityKind::Org && self.names[e.id].folded.ends_with(&tail))
            {
                return Some(e.id);
            }
        }
        // a longer mention of a person known by part of the name
        if name_norm.len() >= 2 {
            if let Some(e) = self.recent().find(|e| {
                e.kind == EntityKind::Person && {
                    let en = &self.names[e.id].folded;
                    en.ends_with(joined.as_ref()) || joined.ends_with(*en)
                }
            }) {
                return Some(e.id);
            }
        }
        None
    }

    fn find_descriptor(&self, head: &str) -> Option<usize> {
        self.find_descriptor_except(head, usize::MAX)
    }

    /// The newest recent entity but `except` described by `head` or with `head` as a word of
    /// its name.
    fn find_described(&self, head: &str, except: usize) -> Option<usize> {
        let bit = word_bit(head);
        // Over the names, newest first as `recent`: the bits pass most over without a look
        // at their entities.
        self.names
            .iter()
            .enumerate()
            .rev()
            .take(RECENT)
            .filter(|&(id, n)| id != except && n.bits & bit != 0)
            .find(|&(id, n)| {
                self.entities[id].descriptors.iter().any(|d| d == head) || has_word(n.folded, head)
            })
            .map(|(id, _)| id)
    }

    /// The built-in classes ([`Lexicon::word_mask`]) of the words of entity `id`'s folded
    /// name, each with a final '.' cut, or-ed: a class's bit is set when `lex.is(class, w)`
    /// holds for one of them.
    fn name_classes(&self, id: usize) -> u64 {
        let n = &self.names[id];
        let known = n.classes.get();
        if known & CLASSES_KNOWN != 0 {
            return known;
        }
        let lex = self.ctx.lex;
        let classes = n
            .folded
            .split(' ')
            .fold(CLASSES_KNOWN, |m, w| m | lex.word_mask(trim_suffix(w, ".")));
        n.classes.set(classes);
        classes
    }

    /// Gives entity `id` one more descriptor, which must not be among its descriptors yet.
    fn add_descriptor(&mut self, id: usize, d: String) {
        self.names[id].bits |= word_bit(&d);
        self.entities[id].descriptors.push(d);
    }

    fn find_descriptor_except(&self, head: &str, except: usize) -> Option<usize> {
        if let Some(id) = self.find_described(head, except) {
            return Some(id);
        }
        // "the regulator" for the Payments Conduct Authority, "the company" for Acme Ltd.
        // Words that also name other things ("my administration", "the office") do not
        // stand for a named organisation by themselves.
        if matches!(head, "administration" | "office" | "board") {
            return None;
        }
        let head_classes = self.ctx.lex.word_mask(head);
        for bit in [
            class_mask("like_regulator"),
            class_mask("like_company"),
            class_mask("like_paper"),
            class_mask("like_body"),
            class_mask("like_army"),
        ] {
            if head_classes & bit != 0 {
                // Each name's words are looked up once, not once per description met.
                return self
                    .recent()
                    .find(|e| e.kind == EntityKind::Org && self.name_classes(e.id) & bit != 0)
                    .map(|e| e.id);
            }
        }
        None
    }

    /// Resolves the mention tokens[a..b] (plus optional apposition) to an entity, noting a
    /// domestic role side when the entity has no party of its own.
    fn resolve(
        &mut self,
        toks: &[Token],
        a: usize,
        b: usize,
        appos: Option<(usize, usize)>,
    ) -> Option<usize> {
        // The parties named, in a list kept from call to call (issue 7: a Vec made for each
        // phrase was three heap blocks an article).
        let mut named = std::mem::take(&mut self.named);
        named.clear();
        let id = self.resolve_inner(toks, a, b, appos, &mut named);
        self.named = named;
        let id = id?;
        // Most entities resolved already have a side: the words are gathered only for one
        // that may take a role.
        if self.takes_role(id) {
            let appos = appos.map_or(&[][..], |(x, y)| &toks[x..y]);
            self.apply_role(id, &toks[a..b], appos);
        }
        Some(id)
    }

    /// Whether `apply_role` may give the entity a side: it has none yet.
    fn takes_role(&self, id: usize) -> bool {
        let e = &self.entities[id];
        e.parties.is_empty()
            && e.role_party.is_none()
            && e.affiliation.is_none()
            && e.kind != EntityKind::Country
    }

    /// The role named among the words of `words` and then `more`.
    fn apply_role(&mut self, id: usize, words: &[Token], more: &[Token]) {
        if !self.takes_role(id) {
            return;
        }
        let has = |set: &[&str]| words.iter().chain(more).any(|t| set.contains(&t.norm));
        let role = if has(&["opposition"]) {
            Some("opposition")
        } else if has(&[
            "minister",
            "ministers",
            "ministry",
            "government",
            "cabinet",
            "administration",
        ]) {
            Some("government")
        } else {
            None
        };
        // Where a country is already acting in the article, its government is that country
        // ("Mines Minister X" after "the Zambian ..."); otherwise the side is "government".
        let acting_country = self
            .st
            .last_country_actor
            .filter(|_| role == Some("government"))
            .map(|c| self.static_parties(c))
            .filter(|p| p.len() == 1)
            .map(<[String]>::to_vec);
        let e = &mut self.entities[id];
        match (role, acting_country) {
            (Some("government"), Some(country)) => e.parties = country,
            (Some(r), _) => {
                e.role_party = Some(r.to_string());
                e.generic = true;
            }
            _ => {}
        }
    }

    fn resolve_inner(
        &mut self,
        toks: &[Token],
        a: usize,
        b: usize,
        appos: Option<(usize, usize)>,
        named: &mut Vec<&'b str>,
    ) -> Option<usize> {
        let ctx = self.ctx;
        let np = &toks[a..b];
        if np.len() == 1 {
            if ctx.w(&np[0], "pronoun_person") {
                return self.st.last_person_speaker.or(self.st.last_person);
            }
            if ctx.w(&np[0], "pronoun_thing") {
                return self.st.last_thing;
            }
        }
        // strip determiners
        let mut s = a;
        while s < b && (ctx.w(&toks[s], "determiner") || toks[s].norm == "another") {
            s += 1;
        }
        if s == b {
            return None;
        }
        let body = &toks[s..b];
        if body.len() == 1 && body[0].norm == "country" {
            return self.st.last_country;
        }
        // The parties named in the phrase and its apposition, in order; one walk serves both
        // uses below.
        ctx.each_party_in(toks, a, b, |_, p| named.push(p));
        if let Some((x, y)) = appos {
            ctx.each_party_in(toks, x, y, |_, p| named.push(p));
        }
        // A person speaks for one party: the first one named around them.
        let first_party: Option<&str> = named.first().copied();
        // The alias at the phrase's start, asked three times below.
        let gaz_s = ctx.gaz_at(toks, s);
        // "Pakistan's Ministry of External Affairs": the owner named in front decides,
        // whatever country an institution of that name belongs to elsewhere.
        let owner = gaz_s
            .filter(|g| s + g.0 < b && toks[s + g.0 - 1].poss)
            .map(|g| g.1);
        // Borrowed: copied (`owned`) only where an entity keeps them (issue 7: a Vec of
        // Strings made for every phrase was some six heap blocks an article).
        let parties: &[&str] = match &owner {
            Some(o) => std::slice::from_ref(o),
            None => {
                named.sort_unstable();
                named.dedup();
                named
            }
        };
        let owned =
            |parties: &[&str]| -> Vec<String> { parties.iter().map(|p| p.to_string()).collect() };
        // "Greece and Cyprus accused Turkey": two parties speaking together, one side.
        if let Some((l1, p1, _)) = gaz_s.filter(|g| s + g.0 < b) {
            let and = s + l1;
            let second = (and + 1..b.min(and + 3))
                .find(|&k| toks[k].cap)
                .filter(|&k| toks[and + 1..k].iter().all(|t| t.norm == "the"));
            if toks[and].norm == "and" && !toks[s + l1 - 1].poss {
                if let Some((l2, p2, _)) = second
                    .and_then(|k| ctx.gaz_at(toks, k).map(|g| (k, g)))
                    .filter(|(k, g)| k + g.0 == b && g.1 != p1)
                    .map(|(_, g)| g)
                {
                    let _ = l2;
                    let name = ctx.text[toks[s].start..toks[b - 1].end].to_string();
                    let norm = Norms::of(&toks[s..b]);
                    if let Some(id) = self.find_name(&norm) {
                        return Some(id);
                    }
                    let parties = vec![p1.to_string(), p2.to_string()];
                    let id = self.add(name, EntityKind::Country, parties, vec![], false);
                    return Some(id);
                }
            }
        }
        // The whole phrase is a party alias ("India", "Islamabad", "Pakistan's government").
        if let Some((len, party, _)) = gaz_s.filter(|g| s + g.0 <= b) {
            let rest = &toks[s + len..b];
            if rest.is_empty()
                || rest.iter().all(|t| {
                    matches!(
                        t.norm,
                        "government"
                            | "administration"
                            | "authorities"
                            | "officials"
                            | "leadership"
                    )
                })
            {
                let name = ctx.text[toks[s].start..toks[s + len - 1].end]
                    .trim_end_matches(['’', '\''])
                    .to_string();
                let name = name
                    .strip_suffix("’s")
                    .or_else(|| name.strip_suffix("'s"))
                    .unwrap_or(&name)
                    .to_string();
                let known = crate::text::with_folded(&name, |key| self.find_name(&[key]));
                let id = match known {
                    Some(id) => id,
                    None => {
                        let parties = vec![party.to_string()];
                        self.add(name, EntityKind::Country, parties, vec![], false)
                    }
                };
                self.st.last_country = Some(id);
                return Some(id);
            }
        }
        // "The Ministry of Health", "Department of Foreign Affairs": a capitalised institution
        // name whose words would otherwise read as titles.
        // "India's Ministry of External Affairs": the possessive country gives the party
        let lead = body.iter().take_while(|t| t.poss && t.cap).count();
        let body = if lead < body.len() && body[lead..].iter().any(|t| ctx.w(t, "org_noun")) {
            &body[lead..]
        } else {
            body
        };
        // "Office of the U.S. Trade Representative", "Ministry of the Interior"
        let all_cap = body.iter().enumerate().all(|(k, t)| {
            t.cap
                || matches!(t.norm, "of" | "for" | "and")
                || (t.norm == "the" && k > 0 && body[k - 1].norm == "of")
        });
        // The organisation word ends the name or heads an "of"/"for" phrase; "Chief Cabinet
        // Secretary Hiroshi Kanzaki" is a person.
        let institution = body.iter().enumerate().any(|(k, t)| {
            ctx.w(t, "org_noun")
                && (k + 1 == body.len() || matches!(body[k + 1].norm, "of" | "for"))
        });
        // "Amalgamated Transit Workers’ Union": a plural possessive inside the name is part of
        // it, not an owner in front of it.
        let plural_poss = |t: &Token| {
            let w = &ctx.text[t.start..t.end];
            t.poss && !w.ends_with("'s") && !w.ends_with("\u{2019}s")
        };
        let inner_owner = body[..body.len().saturating_sub(1)]
            .iter()
            .any(|t| t.poss && !plural_poss(t));
        let last_poss = body.last().is_some_and(|t| t.poss);
        if all_cap && institution && body.len() >= 2 && !inner_owner && !last_poss {
            let name = ctx.text[body[0].start..body[body.len() - 1].end].to_string();
            let norm = Norms::of(body);
            if let Some(id) = self.find_name(&norm) {
                return Some(id);
            }
            let generic = parties.is_empty()
                && body.iter().all(|t| {
                    ctx.w(t, "title")
                        || ctx.w(t, "org_noun")
                        || matches!(t.norm, "of" | "for" | "and")
                });
            if !generic {
                if let Some(id) = self.name_described(&name, &norm) {
                    return Some(id);
                }
            }
            // "Ghana Journalists Association": a civil body named after its country is not
            // that country's side.
            let civil = body.iter().any(|t| civil_word(ctx, t));
            let parties = if civil { vec![] } else { owned(parties) };
            let id = self.add(name, EntityKind::Org, parties, vec![], generic);
            if !civil {
                self.national_party(id, toks, s, b);
            }
            return Some(id);
        }
        // Last run of capitalised words that is not a title, demonym or party alias: a name.
        let mut run_end = None;
        let mut run_start = b;
        for k in (s..b).rev() {
            let t = &toks[k];
            // Titles start a person's name ("President Donald Trump") but belong to an
            // institution's ("Foreign Office", "Defence Ministry").
            let org_run = run_end.is_some_and(|re| ctx.w(&toks[re - 1], "org_noun"));
            let is_name_word = t.cap
                && (!(ctx.w(t, "title") || ctx.w(t, "person_noun")) || org_run)
                && ctx
                    .gaz_at(toks, k)
                    .is_none_or(|g| g.2 == PartyType::Institution && !t.poss);
            if is_name_word
                && (run_end.is_none()
                    || run_start == k + 1
                    || (run_start == k + 2 && toks[k + 1].norm == "of"))
            {
                if run_end.is_none() {
                    run_end = Some(k + 1);
                }
                run_start = k;
            } else if run_end.is_some() && !(t.norm == "of" && run_start == k + 1) {
                break;
            }
        }
        // The descriptors a name takes: lowercase nouns of the phrase and its apposition. A
        // person is "the spokesperson", never "the alliance": organisation words around a
        // person name the organisation they speak for (see `affiliate`). Made only for a
        // name, and as Strings only for what an entity keeps (issue 7: a Vec of them made
        // for every known name was some five heap blocks an article).
        let descriptors = |person: bool| {
            toks[s..b]
                .iter()
                .filter(move |t| {
                    !t.cap
                        && (ctx.w(t, "person_noun") || ctx.w(t, "org_noun") || ctx.w(t, "doc_noun"))
                })
                .chain(
                    appos
                        .map(|(x, y)| &toks[x..y])
                        .unwrap_or(&[])
                        .iter()
                        .filter(move |t| {
                            !t.cap && (ctx.w(t, "person_noun") || ctx.w(t, "org_noun"))
                        }),
                )
                .filter(move |t| !person || ctx.w(t, "person_noun"))
                .map(|t| t.norm)
        };
        if let Some(re) = run_end {
            // the run must be at the end of the phrase (a head), or followed only by nouns
            let mut name_toks = &toks[run_start..re];
            while name_toks.last().is_some_and(|t| t.poss && re < b) {
                name_toks = &name_toks[..name_toks.len() - 1];
            }
            if name_toks.is_empty() {
                return None;
            }
            let mut name_end = name_toks[name_toks.len() - 1].end;
            // keep the dot of "Inc." / "Ltd." / "Jr." as the article wrote it
            let last = name_toks[name_toks.len() - 1].norm;
            if ctx.text[name_end..].starts_with('.')
                && (ctx.lex.abbrev_maybe.contains(last) || ctx.lex.abbrev_never.contains(last))
            {
                name_end += 1;
            }
            // Copied only where an entity keeps it (issue 7: most names met are known).
            let name = &ctx.text[name_toks[0].start..name_end];
            let norm = Norms::of(name_toks);
            let head_is_noun = re < b && toks[b - 1].norm != name_toks[name_toks.len() - 1].norm;
            if !head_is_noun || re == b {
                if let Some(id) = self.find_name(&norm) {
                    let e = &mut self.entities[id];
                    for d in descriptors(e.kind == EntityKind::Person) {
                        if !e.descriptors.iter().any(|k| k == d) {
                            self.names[id].bits |= word_bit(d);
                            e.descriptors.push(d.to_string());
                        }
                    }
                    if e.parties.is_empty() && !parties.is_empty() && e.kind != EntityKind::Country
                    {
                        e.parties = owned(parties);
                    }
                    // prefer the fullest written form
                    let fuller = name.len() > e.name.len()
                        && e.kind == EntityKind::Person
                        && crate::text::fold(name).ends_with(&crate::text::fold(&e.name));
                    if fuller {
                        self.rename(id, name.to_string());
                    }
                    let e = &self.entities[id];
                    if e.kind == EntityKind::Person
                        && e.parties.is_empty()
                        && e.affiliation.is_none()
                    {
                        self.affiliate(id, toks, s, run_start, b, appos);
                    }
                    return Some(id);
                }
                let org = looks_org(ctx, name_toks)
                    || name_toks.iter().all(|t| t.is_acronym(ctx.text))
                    || (name_toks.len() == 1
                        && !toks[s..b]
                            .iter()
                            .any(|t| ctx.w(t, "title") || ctx.w(t, "person_noun")));
                let kind = if org {
                    EntityKind::Org
                } else {
                    EntityKind::Person
                };
                // Generic institution names (Foreign Office, Defence Ministry) name no party.
                let generic = org
                    && name_toks.iter().all(|t| {
                        ctx.w(t, "title")
                            || ctx.w(t, "org_noun")
                            || t.norm == "of"
                            || matches!(
                                t.norm,
                                "affairs" | "external" | "home" | "office" | "ministry"
                            )
                    });
                if kind == EntityKind::Org && !generic {
                    if let Some(id) = self.name_described(name, &norm) {
                        return Some(id);
                    }
                }
                // "Australia's third-largest supermarket chain, Coastline Fresh Markets Pty
                // Ltd.": a company, newspaper or NGO is not its country's side.
                let civil = kind == EntityKind::Org
                    && toks[s..b]
                        .iter()
                        .chain(name_toks.iter())
                        .any(|t| civil_word(ctx, t));
                let own_parties = if kind == EntityKind::Person {
                    first_party.map(str::to_string).into_iter().collect()
                } else if civil {
                    vec![]
                } else {
                    owned(parties)
                };
                let descriptors = descriptors(kind == EntityKind::Person)
                    .map(str::to_string)
                    .collect();
                let id = self.add(name.to_string(), kind, own_parties, descriptors, generic);
                if kind == EntityKind::Person {
                    self.affiliate(id, toks, s, run_start, b, appos);
                }
                return Some(id);
            }
        }
        // A description: "the spokesperson", "the joint statement", "the ministry".
        let head = body
            .iter()
            .rev()
            .find(|t| ctx.w(t, "person_noun") || ctx.w(t, "org_noun") || ctx.w(t, "doc_noun"))?;
        // "a State Department spokesperson" introduces someone new; "the spokesperson" is
        // the one already met.
        let indefinite = s > a && matches!(toks[s - 1].norm, "a" | "an" | "another");
        let introduces = indefinite && ctx.w(head, "person_noun");
        if !introduces {
            if let Some(id) = self.find_descriptor(head.norm) {
                return Some(id);
            }
        }
        let kind = if ctx.w(head, "person_noun") {
            EntityKind::Person
        } else if ctx.w(head, "doc_noun") {
            EntityKind::Document
        } else {
            EntityKind::Org
        };
        let mut words = body
            .iter()
            .filter(|t| !t.cap || ctx.w(t, "org_noun"))
            .map(|t| trim_suffix(trim_suffix(ctx.raw(t), "’s"), "'s"));
        // The words joined as `join(" ")` joins them, straight into room for all of them
        // (issue 7: a Vec of the words was a heap block more for every new description).
        let name = match words.next() {
            None => ctx.raw(head).to_string(),
            Some(first) => {
                let most = body[body.len() - 1].end - body[0].start + body.len();
                let mut name = String::with_capacity(most);
                name.push_str(first);
                for w in words {
                    name.push(' ');
                    name.push_str(w);
                }
                name
            }
        };
        // "A Zambian environmental group" is not Zambia: a demonym makes a party only of
        // state bodies, not of groups, companies or newspapers
        let civil = civil_word(ctx, head);
        let parties = if civil { vec![] } else { owned(parties) };
        let id = self.add(name, kind, parties, vec![head.norm.to_string()], true);
        // "a ministry spokesperson" speaks for the ministry named before
        if kind == EntityKind::Person {
            if let Some(org) = body
                .iter()
                .filter(|t| ctx.w(t, "org_noun") && t.norm != head.norm)
                .find_map(|t| self.find_descriptor_except(t.norm, id))
            {
                self.entities[id].affiliation = Some(org);
            }
        }
        // "The company rejected the claims. ... 'No concealment,' a spokesman said": a bare
        // spokesman speaks for the organisation that just spoke.
        if introduces && body.len() == 1 && self.entities[id].affiliation.is_none() {
            if let Some(o) = self.st.last_org_speaker.filter(|&o| o != id) {
                self.entities[id].affiliation = Some(o);
            }
        }
        // "The spokesperson for India's Ministry of External Affairs": the organisation
        // named right after the description.
        if kind == EntityKind::Person
            && self.entities[id].affiliation.is_none()
            && toks
                .get(b)
                .is_some_and(|t| matches!(t.norm, "for" | "of" | "at"))
            && b + 1 < toks.len()
        {
            let end = toks.len().min(b + 10);
            let window = format!(
                " {} ",
                crate::text::fold(&ctx.text[toks[b + 1].start..toks[end - 1].end])
                    .replace(['\'', '\u{2019}'], " ")
            );
            let org = self
                .recent()
                .filter(|e| e.kind == EntityKind::Org && !e.generic && e.id != id)
                .filter(|e| contains_word_run(&window, self.names[e.id].folded))
                .max_by_key(|e| self.names[e.id].folded.len())
                .map(|e| e.id);
            if let Some(org) = org {
                self.entities[id].affiliation = Some(org);
            }
        }
        // "the military's public relations directorate" speaks for the military
        if let Some(owner) = body.iter().filter(|t| t.poss).find_map(|t| {
            self.find_descriptor_except(t.norm, id)
                .or_else(|| self.find_name(&[t.norm]))
        }) {
            if owner != id {
                self.entities[id].affiliation = Some(owner);
            }
        }
        Some(id)
    }

    /// "An environmental group accused ..." then "The Green Rivers Alliance said": the name
    /// introduces the organisation the article first only described.
    fn name_described(&mut self, name: &str, norm: &[&str]) -> Option<usize> {
        let lex = self.ctx.lex;
        // The first of the classes the word is in, by its position in the list.
        let class_of = |w: &str| {
            let m = lex.word_mask(w);
            [
                class_mask("like_ngo"),
                class_mask("like_company"),
                class_mask("like_paper"),
                class_mask("like_regulator"),
            ]
            .iter()
            .position(|&b| m & b != 0)
        };
        // The classes of the name's words, a bit for each. speed (issue 7): a name of none of
        // them can name no described organisation, and is answered without the walk over
        // every entity, each of whose descriptors was looked up (nor a Vec of its classes).
        let name_classes = norm
            .iter()
            .filter_map(|w| class_of(trim_suffix(w, ".")))
            .fold(0u32, |m, c| m | 1 << c);
        if name_classes == 0 {
            return None;
        }
        let id = self
            .entities
            .iter()
            .rev()
            .find(|e| {
                e.kind == EntityKind::Org
                    && e.generic
                    && e.role_party.is_none()
                    && e.parties.is_empty()
                    && e.descriptors
                        .iter()
                        .any(|d| class_of(d).is_some_and(|c| name_classes >> c & 1 == 1))
            })?
            .id;
        self.rename(id, name.to_string());
        self.entities[id].generic = false;
        Some(id)
    }

    /// A national office with no country named ("Foreign Secretary X", "the Ministry of
    /// Defence"): the country of a fronted "In Moscow," or else the country acting just before.
    fn national_party(&mut self, id: usize, toks: &[Token], s: usize, b: usize) {
        let ctx = self.ctx;
        let e = &self.entities[id];
        if !e.parties.is_empty() || e.affiliation.is_some() {
            return;
        }
        let national = toks[s..b].iter().any(|t| ctx.w(t, "national_office"));
        // "Opposition leader X" is the opposition's, whoever spoke before
        let corporate = toks[s..b].iter().any(|t| ctx.w(t, "corporate_office"))
            && !toks[s..b].iter().any(|t| t.norm == "opposition");
        // "chief executive Priya Raman", "regional secretary X": the organisation acting just
        // before, when no country is in play
        let to_org = |me: &mut Self| {
            let org = me.st.last_org_speaker.or(me.st.last_org_actor);
            if let Some(o) = org.filter(|&o| o != id) {
                me.entities[id].affiliation = Some(o);
            }
        };
        if !national {
            if corporate {
                to_org(self);
            }
            return;
        }
        if self.st.last_country_actor.is_none() && corporate {
            to_org(self);
            return;
        }
        let fronted = (toks.len() > 2 && toks[0].norm == "in")
            .then(|| ctx.gaz_at(toks, 1))
            .flatten()
            .filter(|g| ctx.comma_at(toks, 1 + g.0))
            .map(|g| g.1);
        // "Separately, the Ministry of Defence accused Russian forces of ...": not Russia's
        // ministry; the latest country actor that is not the one the sentence goes on to name.
        // The parties are compared borrowed: only the one kept is copied (issue 7).
        let mut named_after: Vec<&str> = Vec::new();
        ctx.each_party_in(toks, b, toks.len(), |_, p| named_after.push(p));
        let first_party = |c: usize| self.static_parties(c).first().map(String::as_str);
        let party = fronted.or_else(|| {
            let latest = self.st.last_country_actor.and_then(first_party);
            if latest.is_some_and(|p| named_after.contains(&p)) {
                self.st
                    .country_actors
                    .iter()
                    .rev()
                    .take(RECENT)
                    .filter_map(|&c| first_party(c))
                    .find(|p| !named_after.contains(p))
                    .or(latest)
            } else {
                latest
            }
        });
        if let Some(p) = party.map(str::to_string) {
            self.entities[id].parties = vec![p];
        }
    }

    /// "FO spokesperson X", "X, the PCA's executive director", "chief executive X": the
    /// organisation (or country) a person speaks for.
    fn affiliate(
        &mut self,
        id: usize,
        toks: &[Token],
        s: usize,
        run_start: usize,
        b: usize,
        appos: Option<(usize, usize)>,
    ) {
        let ctx = self.ctx;
        // The words before the name, then the apposition's: walked as ranges, where both
        // were collected into a vector for every person named.
        let (x, y) = appos.unwrap_or((0, 0));
        for k in (s..run_start).chain(x..y) {
            // "the group's director", "deputy council leader X": a description of an
            // organisation named before
            if !toks[k].cap && ctx.w(&toks[k], "org_noun") {
                if let Some(org) = self.find_descriptor_except(toks[k].norm, id) {
                    self.entities[id].affiliation = Some(org);
                    break;
                }
            }
            if !toks[k].cap || (ctx.w(&toks[k], "title") && !ctx.w(&toks[k], "org_noun")) {
                continue;
            }
            // The word and the next, both capitalised (this one is).
            let pair_key = [toks[k].norm, toks.get(k + 1).map_or("", |t| t.norm)];
            if toks.get(k + 1).is_some_and(|t| t.cap) {
                if let Some(org) = self
                    .find_name(&pair_key)
                    .filter(|&o| o != id && self.entities[o].kind != EntityKind::Person)
                {
                    self.entities[id].affiliation = Some(org);
                    break;
                }
            }
            if let Some(org) = self
                .find_name(&[toks[k].norm])
                .filter(|&o| o != id && self.entities[o].kind != EntityKind::Person)
            {
                self.entities[id].affiliation = Some(org);
                break;
            }
        }
        // A national office with no country named ("Foreign Secretary X"): the
        // country that was acting just before.
        self.national_party(id, toks, s, b);
    }

    /// `norm`: a folded form the name may have (the norm of its one token), taken for the
    /// name's own when it is ([`folds_to`]), spared folding the name again.
    fn country(&mut self, name: &str, norm: Option<&str>, party: &str) -> usize {
        let known = match norm.filter(|n| folds_to(name, n)) {
            Some(key) => self.find_name(&[key]),
            None => crate::text::with_folded(name, |key| self.find_name(&[key])),
        };
        let id = match known.filter(|&id| self.entities[id].kind == EntityKind::Country) {
            Some(id) => id,
            None => match self.countries.get(party) {
                Some(&id) => id,
                None => self.add(
                    name.to_string(),
                    EntityKind::Country,
                    vec![party.to_string()],
                    vec![],
                    false,
                ),
            },
        };
        self.st.last_country = Some(id);
        id
    }

    /// Parties known before the dispute stage: the entity's own, else its organisation's.
    fn static_parties(&self, id: usize) -> &[String] {
        let mut e = &self.entities[id];
        for _ in 0..4 {
            if !e.parties.is_empty() {
                return &e.parties;
            }
            match e.affiliation {
                Some(a) if a != e.id => e = &self.entities[a],
                _ => break,
            }
        }
        &[]
    }

    fn note(&mut self, id: usize, as_speaker: bool) {
        match self.entities[id].kind {
            EntityKind::Person => {
                self.st.last_person = Some(id);
                if as_speaker {
                    self.st.last_person_speaker = Some(id);
                }
            }
            EntityKind::Country => {
                self.st.last_country = Some(id);
                self.st.last_thing = Some(id);
                self.st.last_country_actor = Some(id);
                self.st.country_actors.push(id);
            }
            _ => {
                self.st.last_thing = Some(id);
                let e = &self.entities[id];
                // an institution of a known country acts for it ("the European Commission")
                if !e.parties.is_empty() {
                    self.st.last_country_actor = Some(id);
                    self.st.country_actors.push(id);
                    self.st.country_actors.push(id);
                }
                if e.kind == EntityKind::Org && !e.generic {
                    self.st.last_org_actor = Some(id);
                    if as_speaker {
                        self.st.last_org_speaker = Some(id);
                    }
                }
            }
        }
    }
}

/// A name as the article wrote it, from `first` to `last`: possessive dropped, the dot of a
/// final abbreviation ("Inc.", "Jr.") kept.
/// Whether `window` holds `words` between two spaces: `window.contains(" {words} ")`
/// without building the needle for every entity tried.
fn contains_word_run(window: &str, words: &str) -> bool {
    let (w, n) = (window.as_bytes(), words.len());
    let mut from = 0;
    while let Some(i) = window.get(from..).and_then(|rest| rest.find(words)) {
        let at = from + i;
        if at > 0 && w[at - 1] == b' ' && w.get(at + n) == Some(&b' ') {
            return true;
        }
        // Overlapping matches count too: step one character past this one's start.
        from = at + window[at..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

fn written_name(ctx: &Ctx, first: &Token, last: &Token) -> String {
    let mut end = last.end;
    if last.poss {
        let raw = &ctx.text[first.start..end];
        let trimmed = raw
            .strip_suffix("’s")
            .or_else(|| raw.strip_suffix("'s"))
            .unwrap_or(raw);
        return trimmed.to_string();
    }
    if ctx.text[end..].starts_with('.')
        && (ctx.lex.abbrev_maybe.contains(last.norm) || ctx.lex.abbrev_never.contains(last.norm))
    {
        end += 1;
    }
    ctx.text[first.start..end].to_string()
}

/// `fold(name)` and the first letters of the name's capitalised words ([`acronym_chars`]):
/// for an ASCII name, whose words start after ASCII whitespace (as `char::is_whitespace` has
/// it, vertical tab included), a byte map and a walk over its bytes, where the split and the
/// collecting of chars were a fifth of adding an entity.
fn fold_and_acronym<'n>(arena: &'n Bump, name: &str) -> (&'n str, &'n str) {
    // No more capitalised words than one in two bytes: the acronym of a name of up to
    // twice this many bytes fits a buffer of this many on the stack.
    const ACRONYM_BUF: usize = 32;
    if !name.is_ascii() || name.len() > 2 * ACRONYM_BUF {
        let folded = arena.alloc_str(&crate::text::fold(name));
        return (folded, arena.alloc_str(&acronym_chars(name)));
    }
    // speed (issue 7): the folding is a byte map the compiler does sixteen bytes at a time,
    // and the acronym is looked for only after the few whitespace bytes; one walk doing
    // both (and zeroing the acronym's room in the arena) took some 20 instructions a byte,
    // and Name::new was 1.4 % of a run's instructions.
    let folded = arena.alloc_slice_copy(name.as_bytes());
    for b in folded.iter_mut() {
        *b = crate::text::fold_ascii(*b);
    }
    let raw = name.as_bytes();
    let mut acronym = [0u8; ACRONYM_BUF];
    let mut len = 0;
    let mut note = |b: u8| {
        if b.is_ascii_uppercase() {
            acronym[len] = b;
            len += 1;
        }
    };
    if let Some(&b) = raw.first() {
        note(b);
    }
    for (i, &b) in raw.iter().enumerate() {
        if b <= b' ' && crate::text::is_ascii_space(b) {
            if let Some(&next) = raw.get(i + 1) {
                note(next);
            }
        }
    }
    let acronym = arena.alloc_slice_copy(&acronym[..len]);
    // SAFETY: ASCII in, ASCII out (`fold_ascii`; the acronym's bytes are the name's):
    // valid UTF-8.
    unsafe {
        (
            std::str::from_utf8_unchecked(folded),
            std::str::from_utf8_unchecked(acronym),
        )
    }
}

/// The first letters of a name's capitalised words, over chars, for any name.
fn acronym_chars(name: &str) -> String {
    name.split_whitespace()
        .filter(|w| w.chars().next().is_some_and(|c| c.is_uppercase()))
        .filter_map(|w| w.chars().next())
        .collect()
}

/// The reporting verb of a sentence frame: first cue verb outside quotes that is not an
/// infinitive ("asked to respond") or negated.
fn frame_verb(ctx: &Ctx, toks: &[Token], info_cues: &[CueHit]) -> Option<usize> {
    // "In a statement posted on its channel, it said ...": a fronted phrase holds no frame
    let fronted_end = if toks.first().is_some_and(|t| {
        matches!(
            t.norm,
            "in" | "at"
                | "on"
                | "after"
                | "during"
                | "before"
                | "speaking"
                | "asked"
                | "responding"
                | "reacting"
                | "writing"
        )
    }) {
        (1..toks.len().min(16))
            .find(|&k| ctx.comma_at(toks, k))
            .unwrap_or(0)
    } else {
        0
    };
    info_cues
        .iter()
        .filter(|c| c.tok >= fronted_end || ctx.lex.cues[c.entry].class != CueClass::Speech)
        .filter(|c| !c.in_quote && (c.as_verb || ctx.lex.cues[c.entry].tokens[0] == "according"))
        .find(|c| {
            let prev = c.tok.checked_sub(1).map(|p| toks[p].norm);
            // "Trump was also asked ...": a passive speech verb without "by" has no speaker
            let aux = (1..=3).take_while(|&k| c.tok >= k).find(|&k| {
                !ctx.w(&toks[c.tok - k], "skip") || ctx.w(&toks[c.tok - k], "passive_aux")
            });
            let passive_no_agent = aux.is_some_and(|k| ctx.w(&toks[c.tok - k], "passive_aux"))
                && toks.get(c.tok + 1).is_none_or(|t| t.norm != "by");
            !matches!(prev, Some("to") | Some("not") | Some("n't") | Some("never"))
                && !passive_no_agent
        })
        .map(|c| c.tok)
}

/// The run of `quotes` (sorted, none overlapping the next) that touches the span
/// `start..end`, stepped to from `from`, which no quote of the run may come before: the
/// `partition_point`s of the quotes ending by `start` and of those starting before `end`.
fn quotes_touching(
    quotes: &[crate::segment::Quote],
    from: usize,
    start: usize,
    end: usize,
) -> (usize, usize) {
    let mut lo = from;
    while lo < quotes.len() && quotes[lo].end() <= start {
        lo += 1;
    }
    let mut hi = lo;
    while hi < quotes.len() && quotes[hi].start() < end {
        hi += 1;
    }
    (lo, hi)
}

/// Whether each token starts inside one of the `quotes` (`Quote::contains`).
///
/// In `arena`; for the sentences no quote touches (most), a static run of `false`.
fn quoted_tokens<'a>(
    arena: &'a Bump,
    tokens: &[Token],
    quotes: &[crate::segment::Quote],
) -> &'a [bool] {
    static UNQUOTED: [bool; 256] = [false; 256];
    if quotes.is_empty() && tokens.len() <= UNQUOTED.len() {
        return &UNQUOTED[..tokens.len()];
    }
    // speed (issue 7): tokens come in order of their starts, so the tokens inside a piece
    // are one run, found by binary search: asking every quote's pieces about every token
    // was a fortieth of attribution.
    let quoted = arena.alloc_slice_fill_copy(tokens.len(), false);
    for &(a, b) in quotes.iter().flat_map(|q| &q.pieces) {
        let mut k = tokens.partition_point(|t| t.start < a);
        while k < tokens.len() && tokens[k].start < b {
            quoted[k] = true;
            k += 1;
        }
    }
    quoted
}

/// `items` copied to `arena` (an empty list to no place in it).
fn in_arena<'a, T: Copy>(arena: &'a Bump, items: &[T]) -> &'a [T] {
    if items.is_empty() {
        &[]
    } else {
        arena.alloc_slice_copy(items)
    }
}

/// The sentences that overlap the span of `quote` (from its first piece's start to its last
/// piece's end), as a range of positions in `sentences`, which must be in reading order and
/// none overlapping the next.
fn sentences_over(
    sentences: &[crate::segment::Sentence],
    quote: &crate::segment::Quote,
) -> (usize, usize) {
    (
        sentences.partition_point(|s| s.end <= quote.start()),
        sentences.partition_point(|s| s.start < quote.end()),
    )
}

/// "did not respond", "declined to comment", "could not be reached".
///
/// Out of line (as `link_documents`, `register_documents` and `frame`): asked of few
/// sentences, and inlined into `attribute` its code sat among what every sentence runs.
#[inline(never)]
fn is_nonresponse(ctx: &Ctx, toks: &[Token]) -> bool {
    toks.windows(2).enumerate().any(|(i, w)| {
        let neg = ctx.w(&w[0], "nonresponse_neg")
            || w[0].norm == "to" && i > 0 && ctx.w(&toks[i - 1], "nonresponse_neg");
        (neg && ctx.w(&w[1], "nonresponse"))
            || (neg
                && w[1].norm == "immediately"
                && toks.get(i + 2).is_some_and(|t| ctx.w(t, "nonresponse")))
            || (w[0].norm == "not"
                && w[1].norm == "be"
                && toks.get(i + 2).is_some_and(|t| t.norm == "reached"))
    })
}

pub fn attribute<'a>(normed: &'a Normed, seg: &Segmented, lex: &Lexicon) -> Attributed<'a> {
    let text = normed.text();
    let arena = normed.arena();
    let ctx = Ctx { text, lex };
    let mut infos = Vec::with_capacity(seg.sentences.len());
    // Where a sentence's lists are put together before they are copied to the arena.
    let (mut cue_buf, mut speech_buf, mut fragment_buf) = (Vec::new(), Vec::new(), Vec::new());
    // Each sentence's token classes or-ed (see `Lexicon::mark`).
    let mut classes = Vec::with_capacity(seg.sentences.len());
    // Where the quotes touching the previous sentence start: sentences come in reading
    // order, so the run for the next one starts there or later.
    let mut from = 0;
    let mut prev_start = 0;
    for s in &seg.sentences {
        let (tokens, all) = lex.tokenize_marked(normed, s.start, s.end);
        classes.push(all);
        // Quotes are sorted and never overlap, so those touching this sentence are one
        // contiguous run. speed (issue 7): it is stepped to from the previous sentence's
        // run, most often a step away or none, rather than searched for from the first
        // quote of the article; each quote is stepped over once, so a text full of quote
        // marks stays linear.
        if s.start < prev_start {
            from = 0;
        }
        prev_start = s.start;
        let (lo, hi) = quotes_touching(&seg.quotes, from, s.start, s.end);
        from = lo;
        let near = &seg.quotes[lo..hi];
        let quoted = quoted_tokens(arena, &tokens, near);
        // A sentence none of whose words starts a cue is not walked for cues.
        cue_buf.clear();
        if lex.any_tok_may_start_cue(all) {
            cue_hits(&ctx, &tokens, quoted, &mut cue_buf);
        }
        speech_buf.clear();
        fragment_buf.clear();
        for q in near {
            if q.pieces.iter().any(|&(a, b)| a < s.end && b > s.start) {
                if q.is_speech(text) {
                    speech_buf.push(q.id);
                } else {
                    fragment_buf.push(q.id);
                }
            }
        }
        infos.push(SentenceInfo {
            tokens,
            quoted,
            cues: in_arena(arena, &cue_buf),
            speech_quotes: in_arena(arena, &speech_buf),
            fragment_quotes: in_arena(arena, &fragment_buf),
        });
    }
    let mut r = Resolver::new(&ctx, normed.arena());
    // Where each frame rule is put together before it is copied to the arena; room for the
    // longest rules spares its regrowths (issue 7: some three heap blocks an article).
    let mut rule_buf = String::with_capacity(64);
    let n = infos.len();
    // Whether "not" may be no nonresponse_neg word (a configured lexicon): then no sentence
    // is passed over for lacking one.
    let not_unlisted = !lex.is("nonresponse_neg", "not");
    let mut attributions: Vec<Option<Attribution>> = vec![None; n];
    let mut nonresponse = vec![false; n];
    let mut mentions = Vec::with_capacity(n);
    let (mut mention_buf, mut doc_buf) = (Vec::new(), Vec::new());
    for (si, info) in infos.iter().enumerate() {
        let toks = &info.tokens;
        let q = info.quoted;
        // Every non-response holds a nonresponse_neg word, or "not" ("could not be
        // reached"), itself one in the built-in lists.
        nonresponse[si] = (not_unlisted || lex.any_tok_is("nonresponse_neg", classes[si]))
            && is_nonresponse(&ctx, toks);
        // Register names and countries in reading order so "the country" and "it" resolve.
        // Out of line, as the rare steps below: the loop every sentence runs through stays
        // small in the instruction cache (about half the sentences have a frame).
        let found = match frame_verb(&ctx, toks, info.cues) {
            Some(v) => frame(
                &mut r,
                info,
                v,
                si,
                normed,
                &mut rule_buf,
                &mut attributions,
            ),
            None => None,
        };
        // Outside the frame, subjects and countries still shape later resolution.
        if found.is_none() {
            if let Some((a, b)) = leading_np(&ctx, toks, q) {
                let is_pron = b - a == 1
                    && (ctx.w(&toks[a], "pronoun_person") || ctx.w(&toks[a], "pronoun_thing"));
                if !is_pron
                    && toks[a..b]
                        .iter()
                        .any(|t| t.cap || ctx.w(t, "doc_noun") || ctx.w(t, "org_noun"))
                {
                    if let Some(id) = r.resolve(toks, a, b, None) {
                        r.note(id, false);
                    }
                }
            }
        }
        // Documents introduced as "in a joint statement" after "made by X": the document
        // belongs to X's side.
        // Both look for a word of one class, in most sentences in vain.
        if lex.any_tok_is("reference_noun", classes[si]) {
            register_documents(&mut r, toks, q);
        }
        let skip_span = found.map(|f| f.1).unwrap_or((0, 0));
        mention_buf.clear();
        register_mentions::<true>(&mut r, toks, skip_span, &mut mention_buf);
        if lex.any_tok_is("doc_noun", classes[si]) {
            let speaker = found.map(|f| f.0);
            link_documents(&mut r, toks, q, &mention_buf, speaker, &mut doc_buf);
        }
        mentions.push(in_arena(arena, &mention_buf));
    }
    // Pass 2: quotes without a frame in their own sentence take the quote's attribution.
    // The speaker, and the sentence whose attribution holds the words that named them: the
    // words are copied only for the sentences that take them.
    let mut last_quote_speaker: Option<(usize, usize)> = None;
    // Sentences in reading order, none overlapping the next (as the segmenter makes them).
    let in_order = seg.sentences.windows(2).all(|w| w[0].end <= w[1].start);
    for si in 0..n {
        let info = &infos[si];
        if let Some(a) = &attributions[si] {
            // The last speaker on the record, quoted or not: a floating quote after "S said
            // they were surprised." is S's.
            last_quote_speaker = a.speaker.map(|s| (s, si));
            continue;
        }
        if info.speech_quotes.is_empty()
            || info.quoted_words() == 0
            || info.frame_words() > info.quoted_words()
        {
            continue;
        }
        let qid = info.speech_quotes[0];
        let quote = &seg.quotes[qid];
        // any other sentence of the same quote that has a frame
        // the sentences of one quote are contiguous: look only among its neighbours
        // speed (issue 7): a sentence holding the quote overlaps its span; when the sentences
        // are in order, those that do are found by binary search instead of asked one by one.
        let (near_lo, near_hi) = if in_order {
            sentences_over(&seg.sentences, quote)
        } else {
            (0, n)
        };
        let sibling = (si.saturating_sub(QUOTE_WINDOW).max(near_lo)
            ..(si + QUOTE_WINDOW).min(n).min(near_hi))
            .filter(|&k| k != si && infos[k].speech_quotes.contains(&qid))
            .find(|&k| attributions[k].as_ref().is_some_and(|a| a.verb.is_some()));
        // a paragraph-initial "He said:" in the sentence before
        let colon_intro = si.checked_sub(1).and_then(|p| {
            let ps = &seg.sentences[p];
            let ends_colon = text[ps.start..ps.end].trim_end().ends_with(':');
            (ends_colon && attributions[p].is_some()).then_some(p)
        });
        let multi = quote.pieces.len() > 1;
        // a quote over several paragraphs is reported as such whoever is found to speak it
        let attributed = if multi {
            QuoteType::MultiParagraph
        } else {
            QuoteType::Direct
        };
        let (att, qt, conf, rule) = if let Some(a) = sibling {
            (Some(a), attributed, 0.85, "quote-span")
        } else if let Some(a) = colon_intro {
            (Some(a), attributed, 0.85, "colon-intro")
        } else {
            let floating = if multi {
                QuoteType::MultiParagraph
            } else {
                QuoteType::Floating
            };
            (None, floating, 0.6, "floating:inherit")
        };
        let mention_of = |k: usize| attributions[k].as_ref().map_or("", |a| a.mention);
        let (speaker, mention) = match att {
            Some(k) => (
                attributions[k].as_ref().and_then(|a| a.speaker),
                mention_of(k),
            ),
            None => match last_quote_speaker {
                Some((s, k)) => (Some(s), mention_of(k)),
                None => (r.st.last_person_speaker, ""),
            },
        };
        if speaker.is_none() {
            continue;
        }
        attributions[si] = Some(Attribution {
            speaker,
            mention,
            quote_type: qt,
            confidence: conf,
            rule,
            verb: None,
            speaker_span: None,
        });
        last_quote_speaker = speaker.map(|s| (s, si));
    }
    let attributions = attributions
        .into_iter()
        .map(|a| {
            a.unwrap_or(Attribution {
                speaker: None,
                mention: "",
                quote_type: QuoteType::Indirect,
                confidence: 0.0,
                rule: "",
                verb: None,
                speaker_span: None,
            })
        })
        .collect();
    Attributed {
        infos,
        attributions,
        entities: r.entities,
        nonresponse,
        mentions,
    }
}

/// The attribution of sentence `si` from its frame verb `v`: the speaker and the words that
/// named them, noted in `attributions[si]`.
#[inline(never)]
fn frame<'a>(
    r: &mut Resolver,
    info: &SentenceInfo,
    v: usize,
    si: usize,
    normed: &'a Normed,
    rule_buf: &mut String,
    attributions: &mut [Option<Attribution<'a>>],
) -> Option<(usize, (usize, usize))> {
    let ctx = r.ctx;
    let lex = ctx.lex;
    let text = normed.text();
    let toks = &info.tokens;
    let q = info.quoted;
    let mut found: Option<(usize, (usize, usize))> = None;
    let cue0 = &info.cue_at(v, lex).unwrap_or(&lex.cues[0]).tokens[0];
    let after_quote = v > 0 && ctx.gap(toks, v).chars().any(crate::text::is_quote_mark);
    let aux = (1..=3)
        .take_while(|&k| v >= k)
        .find(|&k| !ctx.w(&toks[v - k], "skip") || ctx.w(&toks[v - k], "passive_aux"));
    let passive = aux.is_some_and(|k| ctx.w(&toks[v - k], "passive_aux"))
        && toks.get(v + 1).is_some_and(|t| t.norm == "by");
    let span = if cue0 == "according" {
        np_right(ctx, toks, q, v + 2).map(|r| (r, None))
    } else if passive {
        np_right(ctx, toks, q, v + 2).map(|r| (r, None))
    } else if after_quote || v == 0 {
        np_right(
            ctx,
            toks,
            q,
            v + info.cue_at(v, lex).unwrap_or(&lex.cues[0]).tokens.len(),
        )
        .map(|r| (r, None))
        .or_else(|| np_left(ctx, toks, q, v))
    } else {
        np_left(ctx, toks, q, v)
            .or_else(|| initial_subject(ctx, toks, q, v))
            .or_else(|| {
                // "... and accused the country of" / "X fined Y, accusing it of": the
                // subject is the sentence's own
                let prev = v.checked_sub(1).map(|p| toks[p].norm);
                let participle = toks[v].norm.ends_with("ing") && ctx.comma_at(toks, v);
                if matches!(prev, Some("and") | Some("but")) || participle {
                    leading_np(ctx, toks, q).map(|r| (r, None))
                } else {
                    None
                }
            })
    };
    let span = span.map(|((a, b), appos)| {
        // ", a spokesman for the U.S. Navy," — only a noun phrase, never a clause
        // ", a spokesman for X," or a name in apposition ("minister, Roselyn Baptiste,")
        let name_follows = b + 1 < toks.len()
            && toks[b].cap
            && toks[b + 1].cap
            && toks[b..]
                .iter()
                .zip(b..)
                .take_while(|(t, k)| t.cap && (*k == b || !ctx.punct_at(toks, *k)))
                .count()
                >= 2;
        let starts_np = b < toks.len()
            && (ctx.w(&toks[b], "determiner")
                || ctx.w(&toks[b], "title")
                || toks[b].poss
                || name_follows);
        if appos.is_none() && starts_np && ctx.comma_at(toks, b) && !q[b] {
            let mut e = b;
            while e < toks.len().min(b + 12)
                && !q[e]
                && (e == b || !ctx.punct_at(toks, e))
                && (np_word(ctx, &toks[e]) || matches!(toks[e].norm, "for" | "of" | "at"))
            {
                e += 1;
            }
            ((a, b), Some((b, e)))
        } else {
            ((a, b), appos)
        }
    });
    // "the association's president, former world champion Lotte Vermeulen,": the
    // name that ends the apposition is the speaker, the description its apposition.
    let span = span.map(|((a, b), appos)| match appos {
        Some((x, y)) if toks[a..b].iter().any(|t| person_word(ctx, t)) => {
            let mut k = y;
            while k > x && toks[k - 1].cap && !q[k - 1] {
                k -= 1;
            }
            let names = toks[k..y].iter().filter(|t| !ctx.w(t, "title")).count();
            let lead_in = k == x
                || (!ctx.w(&toks[k - 1], "determiner")
                    && !matches!(toks[k - 1].norm, "for" | "of" | "at" | "in"));
            if y - k >= 2 && names >= 2 && lead_in {
                ((k, y), Some((a, b)))
            } else {
                ((a, b), appos)
            }
        }
        _ => ((a, b), appos),
    });
    if let Some(((a, b), appos)) = span {
        if let Some(id) = r.resolve(toks, a, b, appos) {
            // "The spokesperson for India's Ministry of External Affairs": the
            // organisation speaks, and "the spokesperson" later is still its voice.
            let head = a.checked_sub(2).filter(|&h| {
                matches!(toks[h + 1].norm, "for" | "of")
                    && ctx.w(&toks[h], "person_noun")
                    && !toks[h].cap
            });
            if let Some(h) = head {
                let e = &r.entities[id];
                if e.kind == EntityKind::Org && !e.descriptors.iter().any(|d| d == toks[h].norm) {
                    r.add_descriptor(id, toks[h].norm.to_string());
                }
            }
            found = Some((id, (a, b)));
        }
    }
    if let Some((id, span)) = found {
        let mention = &text[toks[span.0].start..toks[span.1 - 1].end];
        let qt = if !info.speech_quotes.is_empty() {
            QuoteType::Direct
        } else if !info.fragment_quotes.is_empty() {
            QuoteType::Mixed
        } else {
            QuoteType::Indirect
        };
        let pron = span.1 - span.0 == 1
            && (ctx.w(&toks[span.0], "pronoun_person") || ctx.w(&toks[span.0], "pronoun_thing"));
        attributions[si] = Some(Attribution {
            speaker: Some(id),
            mention,
            quote_type: qt,
            confidence: if pron { 0.8 } else { 0.9 },
            rule: {
                let cue = &info.cue_at(v, lex).unwrap_or(&lex.cues[0]).tokens;
                let rule = &mut *rule_buf;
                rule.clear();
                rule.push_str("frame:");
                for (k, t) in cue.iter().enumerate() {
                    if k > 0 {
                        rule.push(' ');
                    }
                    rule.push_str(t);
                }
                if pron {
                    rule.push_str(";pronoun");
                }
                normed.arena().alloc_str(rule)
            },
            verb: Some(v),
            speaker_span: Some(span),
        });
        r.note(id, true);
    }
    found
}

/// A determiner just before token `i`, or two before it with one adjective between. Out of
/// line: `register_mentions` asks it of few words, and inlined (as a closure) its set-up was
/// paid on every word.
#[inline(never)]
fn det_before(ctx: &Ctx, toks: &[Token], i: usize) -> bool {
    (i > 0 && ctx.w(&toks[i - 1], "determiner"))
        || (i > 1
            && matches!(toks[i - 2].norm, "the" | "a" | "an")
            && !toks[i].cap
            && !ctx.punct_at(toks, i))
}

/// Records, in reading order, the parties and known names a sentence mentions; updates the
/// last country so "the country" resolves to the one named just before.
///
/// `PASS_OVER` passes over at once the words none of its steps can act on; off only in the
/// test that holds it against the walk through every step.
///
/// Out of line, with its rare additions in [`add_titled`] and [`add_org`]: inlined, it made
/// `attribute`'s per-sentence loop some 10 KB larger in the instruction cache.
#[inline(never)]
fn register_mentions<const PASS_OVER: bool>(
    r: &mut Resolver,
    toks: &[Token],
    skip: (usize, usize),
    out: &mut Vec<(usize, usize)>,
) {
    let ctx = r.ctx;
    // Both nouns asked at once.
    let mention_nouns = class_mask("org_noun") | class_mask("person_noun");
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        // Most words are none of what the steps below look for (a capital, a hyphen, an
        // organisation or person noun, "country"): passed over with one test.
        if PASS_OVER
            && !t.cap
            && !t.hyphen
            && !ctx.lex.in_any_tok(mention_nouns, t)
            && t.norm != "country"
        {
            i += 1;
            continue;
        }
        if i >= skip.0 && i < skip.1 {
            i += 1;
            continue;
        }
        if let Some((len, party, _)) = ctx.gaz_at(toks, i) {
            let name = &ctx.text[toks[i].start..toks[i + len - 1].end];
            let name = name
                .strip_suffix("’s")
                .or_else(|| name.strip_suffix("'s"))
                .unwrap_or(name);
            let norm = (len == 1).then_some(toks[i].norm);
            let id = r.country(name, norm, party);
            out.push((i, id));
            i += len;
            continue;
        }
        if toks[i].hyphen {
            // Each party as the lexicon's string, not a String made for it.
            ctx.each_hyphen_party(&toks[i], |p| {
                let id = r.country(p, None, p);
                out.push((i, id));
            });
        }
        let t = &toks[i];
        // "the tabloid", "a British tabloid": one adjective may sit between. Asked only of
        // the words that need it (most words are neither "country" nor a lowercase noun).
        let country = t.norm == "country";
        if country && det_before(ctx, toks, i) {
            if let Some(c) = r.st.last_country {
                out.push((i, c));
            }
        } else if !country
            && !t.cap
            && (ctx.w(t, "org_noun") || ctx.w(t, "person_noun"))
            && toks.get(i + 1).is_none_or(|n| !ctx.w(n, "org_noun"))
            && det_before(ctx, toks, i)
        {
            if let Some(e) = r.find_descriptor(t.norm) {
                out.push((i, e));
            } else if ctx.w(t, "org_noun") && !t.poss {
                // "accused the government of ...": a target the article never named otherwise
                let e = r.add(
                    t.norm.to_string(),
                    EntityKind::Org,
                    vec![],
                    vec![t.norm.to_string()],
                    true,
                );
                r.apply_role(e, std::slice::from_ref(t), &[]);
                out.push((i, e));
            }
        } else if t.cap
            && !ctx.w(t, "title")
            && !ctx.w(t, "determiner")
            && (i > 0 || !ctx.lex.sentence_starters.contains(t.norm))
        {
            let mut j = i;
            while j < toks.len()
                && toks[j].cap
                && !ctx.w(&toks[j], "title")
                && (j == i || !name_punct_at(ctx, toks, j))
                && ctx.gaz_at(toks, j).is_none()
            {
                j += 1;
                // "Shoppers’ Voice": a plural possessive inside a name does not end it
                let inner = j < toks.len()
                    && toks[j].cap
                    && !name_punct_at(ctx, toks, j)
                    && ctx.gaz_at(toks, j).is_none();
                if toks[j - 1].poss && !inner {
                    break;
                }
                // "Ministry of Mines and Minerals Development": an institution's name runs on
                // over "of" (and, after an "of", over "and"); "Microsoft and Google" stay two.
                let joins = j + 1 < toks.len()
                    && toks[j + 1].cap
                    && !ctx.punct_at(toks, j)
                    && !ctx.punct_at(toks, j + 1)
                    && ctx.gaz_at(toks, j + 1).is_none()
                    && match toks[j].norm {
                        "of" => toks[i..j].iter().any(|t| ctx.w(t, "org_noun")),
                        "and" => toks[i..j].iter().any(|t| t.norm == "of"),
                        _ => false,
                    };
                if joins {
                    j += 1;
                }
            }
            if j > i {
                let norm = Norms::of(&toks[i..j]);
                let titled = i > 0 && ctx.w(&toks[i - 1], "title") && toks[i - 1].cap;
                if let Some(e) = r.find_name(&norm) {
                    out.push((i, e));
                } else if titled && j - i >= 2 && !looks_org(ctx, &toks[i..j]) {
                    let e = add_titled(r, toks, i, j);
                    out.push((i, e));
                } else if (looks_org(ctx, &toks[i..j])
                    || (i > 0
                        && (toks[i - 1].norm == "by" || ctx.w(&toks[i - 1], "org_noun"))
                        && j - i >= 2))
                    && !toks[i..j].iter().all(|t| ctx.w(t, "org_noun"))
                {
                    let e = add_org(r, toks, i, j);
                    out.push((i, e));
                }
                i = j;
                continue;
            }
        }
        i += 1;
    }
}

/// A new person named `toks[i..j]` after a title ("US President Donald Trump"), for
/// `register_mentions`: out of line, as most names met are known or not a person's.
#[cold]
#[inline(never)]
fn add_titled(r: &mut Resolver, toks: &[Token], i: usize, j: usize) -> usize {
    let ctx = r.ctx;
    // "US President Donald Trump": a person, of the party named just before.
    let name = ctx.text[toks[i].start..toks[j - 1].end].to_string();
    let name = name
        .strip_suffix("’s")
        .or_else(|| name.strip_suffix("'s"))
        .unwrap_or(&name)
        .to_string();
    let mut parties = ctx.parties_in(toks, i.saturating_sub(4), i);
    parties.dedup();
    let desc: Vec<String> = toks[i.saturating_sub(3)..i]
        .iter()
        .filter(|t| ctx.w(t, "person_noun"))
        .map(|t| t.norm.to_string())
        .collect();
    let e = r.add(name, EntityKind::Person, parties, desc, false);
    r.apply_role(e, &toks[i.saturating_sub(3)..i], &[]);
    e
}

/// A new organisation named `toks[i..j]`, for `register_mentions`: out of line, as
/// [`add_titled`].
#[cold]
#[inline(never)]
fn add_org(r: &mut Resolver, toks: &[Token], i: usize, j: usize) -> usize {
    let ctx = r.ctx;
    let name = written_name(ctx, &toks[i], &toks[j - 1]);
    // "Iran's Islamic Revolutionary Guard Corps", "the Indonesian Nickel Board";
    // not "Australia, Coastline Fresh Markets Pty Ltd.": a company is no side.
    let company = toks[i..j]
        .iter()
        .any(|t| ctx.lex.is("like_company", t.norm.trim_end_matches('.')));
    let mut parties = if company {
        vec![]
    } else {
        ctx.parties_in(toks, i.saturating_sub(2), i)
    };
    parties.dedup();
    let e = r.add(name, EntityKind::Org, parties, vec![], false);
    // "the Ministry of Mines" is the government's side, like "the ministry";
    // "the Food and Drug Administration" is an agency of its own.
    if toks[i].norm == "ministry" {
        r.apply_role(e, std::slice::from_ref(&toks[i]), &[]);
        r.entities[e].generic = false;
    }
    e
}

/// A document speaks for whoever issued it: "a report by Frontline Rights Monitor", "a
/// warning letter from the FDA", "In a 24-page report, the Network said ...". Later "the
/// report said" then resolves to the document, and its side is its author's.
#[inline(never)]
fn link_documents(
    r: &mut Resolver,
    toks: &[Token],
    q: &[bool],
    mentions: &[(usize, usize)],
    speaker: Option<usize>,
    docs: &mut Vec<usize>,
) {
    let ctx = r.ctx;
    let doc_for = |r: &mut Resolver, k: usize| -> usize {
        let head = toks[k].norm;
        match r
            .find_descriptor(head)
            .filter(|&d| r.entities[d].kind == EntityKind::Document)
        {
            Some(d) => d,
            None => {
                // "a joint statement" is a speaker of its own, as readers cite it
                let name = if k > 0 && toks[k - 1].norm == "joint" {
                    format!("joint {head}")
                } else {
                    head.to_string()
                };
                r.add(
                    name,
                    EntityKind::Document,
                    vec![],
                    vec![head.to_string()],
                    true,
                )
            }
        }
    };
    // The sentence's unquoted document nouns, found once for the three walks below, each of
    // which went over every token asking for them; in the caller's list, kept from sentence
    // to sentence (issue 7: a Vec for each was some five heap blocks an article).
    docs.clear();
    docs.extend((0..toks.len()).filter(|&k| !q[k] && ctx.w(&toks[k], "doc_noun")));
    let docs = &docs[..];
    for &k in docs {
        // "a report by X", or "The documentary, ..., broadcast on Thursday by X"
        let by = toks
            .get(k + 1)
            .is_some_and(|t| matches!(t.norm, "by" | "from"))
            .then_some(k + 1)
            .or_else(|| {
                (k + 2..toks.len().min(k + 14)).find(|&j| {
                    toks[j].norm == "by"
                        && toks[k + 1..j].iter().any(|t| {
                            matches!(
                                t.norm,
                                "broadcast"
                                    | "published"
                                    | "released"
                                    | "aired"
                                    | "produced"
                                    | "made"
                                    | "written"
                                    | "issued"
                                    | "commissioned"
                                    | "filed"
                                    | "sent"
                                    | "prepared"
                                    | "compiled"
                            )
                        })
                })
            });
        if let Some(j) = by {
            if let Some(&(_, author)) = mentions.iter().find(|&&(t, _)| t > j && t <= j + 6) {
                let d = doc_for(r, k);
                if d != author
                    && r.entities[d].parties.is_empty()
                    && r.entities[d].affiliation.is_none()
                {
                    r.entities[d].affiliation = Some(author);
                }
            }
        }
    }
    // "X issued a statement rejecting ...": the statement is X's
    for &k in docs.iter().filter(|&&k| k >= 2) {
        let issued = matches!(
            toks[k - 2].norm,
            "issued" | "released" | "published" | "posted"
        ) || (k >= 3
            && ctx.w(&toks[k - 1], "title")
            && matches!(toks[k - 3].norm, "issued" | "released" | "published"));
        if !issued {
            continue;
        }
        let author = mentions
            .iter()
            .rev()
            .find(|&&(t, e)| t < k - 1 && r.entities[e].kind != EntityKind::Document)
            .map(|&(_, e)| e);
        if let Some(author) = author {
            let d = doc_for(r, k);
            if d != author
                && r.entities[d].parties.is_empty()
                && r.entities[d].affiliation.is_none()
            {
                r.entities[d].affiliation = Some(author);
                if speaker == Some(d) && !r.static_parties(d).is_empty() {
                    r.st.last_country_actor = Some(d);
                    r.st.country_actors.push(d);
                }
            }
        }
    }
    // "X accused Y ..., in a joint statement issued after ...": the document is the
    // speaker's, wherever the adjunct stands in the sentence.
    if let Some(sp) = speaker {
        for &k in docs.iter().filter(|&&k| k >= 2) {
            let det = (k - 2..k)
                .rev()
                .find(|&j| matches!(toks[j].norm, "a" | "an" | "its" | "their"));
            // an adjunct set off by a comma; "rejected the accusations in a joint
            // statement by X" names the other side's document
            // "hit back in a statement, saying": the adjunct closes right after the noun
            let closes = k + 1 >= toks.len()
                || (ctx.comma_at(toks, k + 1)
                    && !matches!(
                        toks[k + 1].norm,
                        "by" | "from" | "issued" | "released" | "published"
                    ));
            let framed = det.is_some_and(|j| {
                j >= 1
                    && toks[j - 1].norm == "in"
                    && (ctx.comma_at(toks, j - 1) || closes)
                    && toks[j + 1..k]
                        .iter()
                        .all(|t| matches!(t.norm, "joint" | "written" | "brief"))
            });
            if framed {
                let d = doc_for(r, k);
                if d != sp
                    && r.entities[d].parties.is_empty()
                    && r.entities[d].affiliation.is_none()
                {
                    r.entities[d].affiliation = Some(sp);
                }
            }
        }
    }
    // "In a statement, X said" / "In its report, X said"
    if let Some(sp) = speaker {
        if toks.len() > 3 && toks[0].norm == "in" {
            if let Some(k) = (1..4.min(toks.len()))
                .find(|&k| ctx.w(&toks[k], "doc_noun") && ctx.comma_at(toks, k + 1))
            {
                let d = doc_for(r, k);
                if d != sp
                    && r.entities[d].parties.is_empty()
                    && r.entities[d].affiliation.is_none()
                {
                    r.entities[d].affiliation = Some(sp);
                }
            }
        }
    }
}

#[inline(never)]
fn register_documents(r: &mut Resolver, toks: &[Token], q: &[bool]) {
    let ctx = r.ctx;
    // speed (issue 7): the walk to the unquoted reference nouns in a loop of its own, what
    // is done at each out of line (`document_by`); with it in its body, the walk kept its
    // state on the stack, some 20 instructions a word.
    for i in (0..toks.len()).filter(|&i| !q[i] && ctx.w(&toks[i], "reference_noun")) {
        document_by(r, toks, i);
    }
}

/// [`register_documents`] at the reference noun `toks[i]`.
#[inline(never)]
fn document_by(r: &mut Resolver, toks: &[Token], i: usize) {
    let ctx = r.ctx;
    // "(accusations) made by X ... in a joint statement"
    let by = (i + 1..toks.len().min(i + 4)).find(|&k| toks[k].norm == "by");
    let Some(by) = by else { return };
    let accusers: Vec<String> = {
        let end = (by + 1..toks.len())
            .find(|&k| matches!(toks[k].norm, "against" | "in" | "on" | "over"))
            .unwrap_or(toks.len());
        let mut p = ctx.parties_in(toks, by + 1, end);
        p.sort();
        p.dedup();
        p
    };
    if accusers.is_empty() {
        return;
    }
    if let Some(k) = (by..toks.len())
        .find(|&k| toks[k].norm == "in" && toks.get(k + 1).is_some_and(|t| ctx.w(t, "determiner")))
    {
        let mut e = k + 2;
        while e < toks.len() && !ctx.w(&toks[e], "doc_noun") && e < k + 5 {
            e += 1;
        }
        if e < toks.len() && ctx.w(&toks[e], "doc_noun") {
            let name = toks[k + 2..=e]
                .iter()
                .map(|t| ctx.raw(t))
                .collect::<Vec<_>>()
                .join(" ");
            let head = toks[e].norm.to_string();
            if r.find_descriptor(&head).is_none() {
                r.add(
                    name,
                    EntityKind::Document,
                    accusers.clone(),
                    vec![head],
                    false,
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_bounds_give_the_first_and_last_words_of_a_split() {
        for f in [
            "",
            " ",
            "a",
            "ab",
            "a b",
            " a",
            "a ",
            "  ",
            "foreign office",
            "u.s navy 's fleet",
            "é b ç",
            "x  y",
        ] {
            let (first_end, last_start) = word_bounds(f);
            assert_eq!(Some(&f[..first_end]), f.split(' ').next(), "{f:?}");
            assert_eq!(Some(&f[last_start..]), f.split(' ').next_back(), "{f:?}");
        }
    }

    #[test]
    fn trim_suffix_matches_trim_end_matches() {
        let pieces = ["'s", "’s", "s", "'", "’", "a", "S", ""];
        let mut rng = crate::testrng::XorShift(0x51_7CC1_B727_220A);
        for _ in 0..20_000 {
            let len = (rng.next() % 6) as usize;
            let w: String = (0..len).map(|_| *rng.pick(&pieces)).collect();
            for suffix in ["'s", "’s", "s", "'", "ss"] {
                assert_eq!(trim_suffix(&w, suffix), w.trim_end_matches(suffix), "{w:?}");
            }
        }
    }

    #[test]
    fn names_hold_what_their_specifications_give() {
        let pieces = [
            "", " ", "a", "B", "Foreign", "office", "É", "ç", "\u{A0}", "\t", "\u{0B}", "’s",
            "U.S.", "x", "  ", "Ltd.", "\u{2003}", "İ", "`", "Z`s", "\n", "\r", "\u{0C}",
        ];
        let mut rng = crate::testrng::XorShift(0x9E37_79B9_7F4A_7C15);
        // Names around the longest whose acronym is gathered on the stack (64 bytes), with
        // as many capitalised words as they can hold.
        let dense = (60..70)
            .flat_map(|n| ["A ", " A", "A\t", "Ab"].map(|w| w.repeat(n / 2) + &"B".repeat(n % 2)));
        let drawn = (0..20_000).map(|k| {
            // One in eight long enough for the stack buffer not to do.
            let len = if k % 8 == 0 {
                20 + rng.next() % 30
            } else {
                rng.next() % 7
            };
            (0..len).map(|_| *rng.pick(&pieces)).collect::<String>()
        });
        for name in dense.chain(drawn) {
            let arena = Bump::new();
            let n = Name::new(&arena, &name, EntityKind::Org);
            let f = crate::text::fold(&name);
            assert_eq!(n.folded, f, "{name:?}");
            assert_eq!(n.bounds, word_bounds(&f), "{name:?}");
            let (a, b) = word_bounds(&f);
            assert_eq!(n.keys, (word_hash(&f[..a]), word_hash(&f[b..])), "{name:?}");
            assert_eq!(n.bits, name_bits(&f), "{name:?}");
            assert_eq!(n.acronym, acronym_chars(&name), "{name:?}");
        }
    }

    /// Entities made at random (names from a small vocabulary, so that words recur; kinds,
    /// generic flags, descriptors, renames; more than `RECENT` of them), then every look-up
    /// asked of the one-pass version and of the plain scans.
    #[test]
    fn one_pass_look_ups_answer_as_the_scans() {
        let lex = Lexicon::builtin();
        let ctx = Ctx {
            text: "",
            lex: &lex,
        };
        let vocab = [
            "Khan",
            "Ali",
            "Foreign",
            "Office",
            "FO",
            "Ministry",
            "Acme",
            "Ltd.",
            "the",
            "Sentinel",
            "Daily",
            "U.S.",
            "Navy",
            "spokesperson",
            "group",
            "FDA",
            "Food",
            "Drug",
            "Administration",
            "x",
            "É",
            "union",
            "Lin",
            "Jiawei",
            "Fifth",
            "Fleet",
            "of",
            "U.S. Food and Drug Administration",
            "Department of Foreign Affairs",
        ];
        let kinds = [
            EntityKind::Person,
            EntityKind::Org,
            EntityKind::Country,
            EntityKind::Document,
        ];
        for seed in 1..40u64 {
            let mut rng = crate::testrng::XorShift(seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
            let mut pick = |n: usize| (rng.next() % n as u64) as usize;
            let arena = Bump::new();
            let mut r = Resolver::new(&ctx, &arena);
            let count = 1 + pick(90);
            for _ in 0..count {
                let words = 1 + pick(3);
                let name: Vec<&str> = (0..words).map(|_| vocab[pick(vocab.len())]).collect();
                let desc: Vec<String> = (0..pick(3))
                    .map(|_| crate::text::fold(vocab[pick(vocab.len())]))
                    .collect();
                let id = r.add(
                    name.join(" "),
                    kinds[pick(kinds.len())],
                    vec![],
                    desc,
                    pick(2) == 0,
                );
                match pick(6) {
                    0 => {
                        let other = vocab[pick(vocab.len())];
                        r.rename(id, format!("{other} {}", name.join(" ")));
                    }
                    1 => {
                        let d = crate::text::fold(vocab[pick(vocab.len())]);
                        if !r.entities[id].descriptors.contains(&d) {
                            r.add_descriptor(id, d);
                        }
                    }
                    2 => {
                        let k = pick(id + 1);
                        r.entities[k].generic = !r.entities[k].generic;
                    }
                    _ => {}
                }
            }
            let words: Vec<String> = vocab
                .iter()
                .map(|w| crate::text::fold(w))
                // "ali xkhan" ends with "khan" inside its last word.
                .chain(["", "fda", "dfa", "us", "food drug", "xkhan"].map(String::from))
                .collect();
            assert_eq!(r.find_name(&[]), r.find_name_scan(&[]));
            // Every acronym held (the longest among them too) and its tails, as one word.
            for n in &r.names {
                let a = n.acronym.to_lowercase();
                for (k, _) in a.char_indices() {
                    let one = [&a[k..]];
                    assert_eq!(r.find_name(&one), r.find_name_scan(&one), "{a:?} {seed}");
                }
            }
            for id in 0..r.names.len() {
                for class in [
                    "like_regulator",
                    "like_company",
                    "like_paper",
                    "like_body",
                    "like_army",
                ] {
                    let bit = Lexicon::class_mask(class).unwrap_or(0);
                    let plain = r.names[id]
                        .folded
                        .split(' ')
                        .any(|w| lex.is(class, w.trim_end_matches('.')));
                    // Asked twice: worked out, then kept.
                    for _ in 0..2 {
                        assert_eq!(r.name_classes(id) & bit != 0, plain, "{id} {class}");
                    }
                }
            }
            for w in &words {
                let one = [w.as_str()];
                assert_eq!(
                    r.find_name(&one),
                    r.find_name_scan(&one),
                    "{w:?} seed {seed}"
                );
                for except in [usize::MAX, 0, count / 2, count.saturating_sub(1)] {
                    let plain = r
                        .recent()
                        .filter(|e| e.id != except)
                        .find(|e| {
                            e.descriptors.iter().any(|d| d == w)
                                || r.names[e.id].folded.split(' ').any(|x| x == w)
                        })
                        .map(|e| e.id);
                    assert_eq!(r.find_described(w, except), plain, "{w:?} seed {seed}");
                }
                for v in &words {
                    let two = [w.as_str(), v.as_str()];
                    assert_eq!(r.find_name(&two), r.find_name_scan(&two), "{two:?}");
                    let three = [v.as_str(), v.as_str(), w.as_str()];
                    assert_eq!(r.find_name(&three), r.find_name_scan(&three), "{three:?}");
                }
                // Past the stack buffer of the joined name.
                let long = "x".repeat(130);
                let far = [long.as_str(), w.as_str()];
                assert_eq!(r.find_name(&far), r.find_name_scan(&far), "{w:?}");
            }
        }
    }

    #[test]
    fn stack_joined_gazetteer_keys_match_heap_joined() {
        let lex = Lexicon::builtin();
        let text = "The United States of America and the United Kingdom, Addis Ababa and \
                    New Delhi met U.S. and US officials; Islamabad’s Foreign Office and the \
                    Democratic Republic of the Congo. A Aa Bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb \
                    Cccccccccccccccccccccccccccccccccccccccc Dddddddddddddddddddddddddddddddddddddd \
                    Eeeeeeeeeeeeeeeeeeeeeeeee United Arab Emirates";
        let ctx = Ctx { text, lex: &lex };
        let normed = crate::text::Normed::new(text);
        let toks = normed.tokens();
        for i in 0..toks.len() {
            for max in 1..=(toks.len() - i).min(10) {
                assert_eq!(
                    ctx.gaz_window(&toks, i, max),
                    ctx.gaz_joined(&toks, i, max),
                    "{i} {max}"
                );
            }
        }
    }

    #[test]
    fn non_responses_hold_a_nonresponse_neg_word() {
        let lex = Lexicon::builtin();
        assert!(lex.is("nonresponse_neg", "not"));
        for t in [
            "The ministry did not respond to a request for comment.",
            "He declined to comment.",
            "Officials could not be reached.",
            "The company did not immediately respond.",
            "She refused to answer questions.",
            "They failed to reply.",
            "He never responded.",
            "A spokesman was unavailable for comment.",
            "The minister said the claims were false.",
            "It isn't known whether they will reply.",
            "not be reached",
            "Not be reached",
        ] {
            let ctx = Ctx { text: t, lex: &lex };
            let normed = crate::text::Normed::new(t);
            let mut toks = normed.tokens();
            let all = lex.mark(&mut toks);
            if is_nonresponse(&ctx, &toks) {
                assert!(lex.any_tok_is("nonresponse_neg", all), "{t}");
            }
        }
    }

    #[test]
    fn has_word_splits_as_str_split() {
        let names = [
            "",
            " ",
            "a",
            "a b",
            " a",
            "a ",
            "x  y",
            "foreign office",
            "é b ç",
            "u.s navy",
        ];
        let words = [
            "", "a", "b", "x", "y", "office", "foreign", "é", "ç", "u.s", "navy", "fo",
        ];
        for n in names {
            for w in words {
                assert_eq!(has_word(n, w), n.split(' ').any(|x| x == w), "{n:?} {w:?}");
            }
        }
    }

    #[test]
    fn word_runs_are_found_as_padded_needles() {
        let windows = [
            " xa a a ",
            " a a ",
            " aa a ",
            "",
            " ",
            "  ",
            " foreign ministry of x ",
            " é b ",
        ];
        let words = ["a a", "a", "", "foreign ministry", "x", "é", "b", "aa"];
        for w in windows {
            for x in words {
                let want = w.contains(&format!(" {x} "));
                assert_eq!(contains_word_run(w, x), want, "{w:?} {x:?}");
            }
        }
    }

    /// A closed double quote of these pieces, for the tests that place quotes at random.
    fn quote_of(id: usize, pieces: Vec<(usize, usize)>) -> crate::segment::Quote {
        crate::segment::Quote {
            id,
            pieces: pieces.into(),
            closed: true,
            single: false,
            words: 0,
        }
    }

    #[test]
    fn quoted_tokens_match_asking_every_quote() {
        let mut rng = crate::testrng::XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..2_000 {
            let mut at = 0;
            let tokens: Vec<Token> = (0..rng.next() % 30)
                .map(|_| {
                    at += 1 + (rng.next() % 6) as usize;
                    Token {
                        start: at,
                        end: at + 1,
                        norm: "w",
                        cap: false,
                        poss: false,
                        hyphen: false,
                        classes: 0,
                    }
                })
                .collect();
            // Pieces anywhere, in any order, overlapping or empty: the run is found for each.
            let quotes: Vec<crate::segment::Quote> = (0..rng.next() % 4)
                .map(|id| {
                    quote_of(
                        id as usize,
                        (0..1 + rng.next() % 3)
                            .map(|_| {
                                let a = (rng.next() % (at as u64 + 8)) as usize;
                                (a, a + (rng.next() % 40) as usize)
                            })
                            .collect(),
                    )
                })
                .collect();
            let plain: Vec<bool> = tokens
                .iter()
                .map(|t| quotes.iter().any(|q| q.contains(t.start)))
                .collect();
            let arena = Bump::new();
            assert_eq!(quoted_tokens(&arena, &tokens, &quotes), plain, "{quotes:?}");
        }
    }

    #[test]
    fn marked_gazetteer_matches_match_unmarked() {
        let lex = Lexicon::builtin();
        // Every alias with its words capitalised, set apart by commas and run together, with
        // near misses and the pronoun "us" in both cases.
        let title = |k: &str| -> String {
            k.split(' ')
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().chain(c).collect::<String>())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        let mut keys: Vec<&String> = lex.gazetteer.keys().collect();
        keys.sort();
        let titled: Vec<String> = keys.iter().map(|k| title(k)).collect();
        let text = format!(
            "{}. {}. {}s. Us US us U.S. Indo-US Pakistan's. {}",
            titled.join(", "),
            titled.join(" "),
            titled.join("s "),
            keys.iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let ctx = Ctx {
            text: &text,
            lex: &lex,
        };
        let normed = crate::text::Normed::new(&text);
        let plain = normed.tokens();
        let mut marked = plain.clone();
        lex.mark(&mut marked);
        let mut found = 0;
        for i in 0..plain.len() {
            let want = ctx.gaz_at(&plain, i);
            found += usize::from(want.is_some());
            assert_eq!(ctx.gaz_at(&marked, i), want, "{i} {}", plain[i].norm);
        }
        assert!(found > keys.len());
    }

    #[test]
    fn quote_sentences_lie_in_the_searched_range() {
        let mut rng = crate::testrng::XorShift(0xD1B5_4A32_D192_ED03);
        for _ in 0..3_000 {
            let mut at = 0;
            let sentences: Vec<crate::segment::Sentence> = (0..rng.next() % 12)
                .map(|index| {
                    let start = at + (rng.next() % 3) as usize;
                    at = start + 1 + (rng.next() % 20) as usize;
                    crate::segment::Sentence {
                        index: index as usize,
                        paragraph: 0,
                        start,
                        end: at,
                    }
                })
                .collect();
            let mut p = (rng.next() % (at as u64 + 4)) as usize;
            let pieces: Vec<(usize, usize)> = (0..1 + rng.next() % 3)
                .map(|_| {
                    let a = p + (rng.next() % 10) as usize;
                    p = a + (rng.next() % 30) as usize;
                    (a, p)
                })
                .collect();
            let quote = quote_of(0, pieces);
            let (lo, hi) = sentences_over(&sentences, &quote);
            for (k, s) in sentences.iter().enumerate() {
                let holds = quote.pieces.iter().any(|&(a, b)| a < s.end && b > s.start);
                assert!(
                    !holds || (lo..hi).contains(&k),
                    "{k} {quote:?} {sentences:?}"
                );
            }
        }
    }

    #[test]
    fn mentions_passed_over_match_the_full_walk() {
        let lex = Lexicon::builtin();
        let vocab = [
            "the",
            "country",
            "Country",
            "ministry",
            "Ministry",
            "spokesperson",
            "of",
            "and",
            "Pakistan",
            "India's",
            "United",
            "States",
            "Indo-US",
            "well-known",
            "government",
            "Acme",
            "Ltd.",
            "said",
            "a",
            "Khan",
            "Ali",
            "Foreign",
            "Office",
            "newspaper",
            "by",
            "President",
            "Trump",
            "union",
            "Workers’",
            "Union",
            ",",
            "Daily",
            "Sentinel",
            "it",
            "The",
            "group",
            "countries",
            "accused",
            "statement",
            "report",
        ];
        for seed in 1..60u64 {
            let mut rng = crate::testrng::XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let text: String = (0..200)
                .map(|_| *rng.pick(&vocab))
                .collect::<Vec<_>>()
                .join(" ");
            let ctx = Ctx {
                text: &text,
                lex: &lex,
            };
            let (arena, plain_arena) = (Bump::new(), Bump::new());
            let (mut fast, mut plain) = (
                Resolver::new(&ctx, &arena),
                Resolver::new(&ctx, &plain_arena),
            );
            let normed = crate::text::Normed::new(&text);
            let mut toks = normed.tokens();
            lex.mark(&mut toks);
            // Sentences of a few words to a few dozen, each with a speaker span or none.
            let mut a = 0;
            while a < toks.len() {
                let b = (a + 1 + (rng.next() % 30) as usize).min(toks.len());
                let s = &toks[a..b];
                let x = (rng.next() % (s.len() as u64 + 1)) as usize;
                let y = x + (rng.next() % 4) as usize;
                let (mut fast_out, mut plain_out) = (vec![(7, 7)], vec![(7, 7)]);
                register_mentions::<true>(&mut fast, s, (x, y), &mut fast_out);
                register_mentions::<false>(&mut plain, s, (x, y), &mut plain_out);
                assert_eq!(fast_out, plain_out, "{seed} {a}");
                a = b;
            }
            let names = |r: &Resolver| -> Vec<(String, Vec<String>)> {
                r.entities
                    .iter()
                    .map(|e| (e.name.clone(), e.parties.clone()))
                    .collect()
            };
            assert_eq!(names(&fast), names(&plain), "{seed}");
            assert!(!fast.entities.is_empty());
        }
    }

    #[test]
    fn gap_tests_answer_as_the_char_walks() {
        let plain = |gap: &str| {
            gap.chars().any(|c| {
                matches!(c, ',' | ';' | ':' | '(' | ')' | '\n' | '\r')
                    || crate::text::is_quote_mark(c)
                    || c == '\u{2014}'
                    || c == '\u{2013}'
            })
        };
        let chars: Vec<char> = (0u8..128)
            .map(char::from)
            .chain(['\u{2014}', '\u{2013}', '“', '”', '’', '«', 'é', '\u{A0}'])
            .collect();
        for &c in &chars {
            for &d in &chars[..40] {
                for g in [c.to_string(), format!("{c}{d}"), format!("{d}{c}")] {
                    assert_eq!(has_punct(&g), plain(&g), "{g:?}");
                }
            }
        }
        let lex = Lexicon::builtin();
        // Every ASCII character alone between two words, then mixed gaps.
        let singles: String = (1u8..128)
            .map(char::from)
            .filter(|c| !c.is_alphanumeric())
            .map(|c| format!("Aa{c}Bb "))
            .collect();
        let text = &format!(
            "{singles}He said, “no”; it, is (as) — “x”,y ,  z,,w  é,é Workers’ Union's' \
             People's'Party Jones' Own Co:Ltd.(X)Y\n\"Z\"–Q"
        );
        let ctx = Ctx { text, lex: &lex };
        let normed = crate::text::Normed::new(text);
        let toks = normed.tokens();
        for i in 0..toks.len() + 2 {
            assert_eq!(
                ctx.comma_at(&toks, i),
                ctx.gap(&toks, i).contains(','),
                "{i}"
            );
            assert_eq!(ctx.punct_at(&toks, i), has_punct(ctx.gap(&toks, i)), "{i}");
            // (A name's gap is asked only within the sentence.)
            if i < toks.len() {
                assert_eq!(
                    name_punct_at(&ctx, &toks, i),
                    has_punct(name_gap(&ctx, &toks, i)),
                    "{i}"
                );
            }
        }
    }

    #[test]
    fn stepped_quote_runs_match_the_binary_searches() {
        let mut rng = crate::testrng::XorShift(0x2545_F491_4F6C_DD1D);
        for _ in 0..2_000 {
            // Sorted quotes, none overlapping the next, of one to three pieces.
            let mut at = 0;
            let quotes: Vec<crate::segment::Quote> = (0..rng.next() % 8)
                .map(|id| {
                    quote_of(
                        id as usize,
                        (0..1 + rng.next() % 3)
                            .map(|_| {
                                let a = at + (rng.next() % 5) as usize;
                                at = a + 1 + (rng.next() % 15) as usize;
                                (a, at)
                            })
                            .collect(),
                    )
                })
                .collect();
            // Sentences in order, as `attribute` walks them, with its restart.
            let (mut from, mut start) = (0, 0);
            for _ in 0..10 {
                start += (rng.next() % 12) as usize;
                let end = start + (rng.next() % 25) as usize;
                let lo = quotes.partition_point(|q| q.end() <= start);
                let hi = quotes.partition_point(|q| q.start() < end).max(lo);
                let got = quotes_touching(&quotes, from, start, end);
                assert_eq!(got, (lo, hi), "{start} {end} {quotes:?}");
                from = got.0;
                start = end;
            }
        }
    }

    #[test]
    fn class_masks_answer_as_is() {
        let lex = Lexicon::builtin();
        let words: Vec<String> = lex
            .words
            .values()
            .flatten()
            .flat_map(|w| {
                [
                    w.clone(),
                    format!("{w}."),
                    format!("{w}s"),
                    w.chars().skip(1).collect(),
                ]
            })
            .chain(["", ".", "zzz", "group.", "a".repeat(40).as_str()].map(String::from))
            .collect();
        let ctx = Ctx {
            text: "",
            lex: &lex,
        };
        for w in &words {
            for c in lex.words.keys() {
                assert_eq!(
                    lex.word_mask(w) & class_mask(c) != 0,
                    lex.is(c, w),
                    "{c} {w}"
                );
            }
            let t = Token {
                start: 0,
                end: 0,
                norm: w.as_str(),
                cap: false,
                poss: false,
                hyphen: false,
                classes: 0,
            };
            let plain = ["like_company", "like_paper", "like_ngo"]
                .iter()
                .any(|c| lex.is(c, w.trim_end_matches('.')));
            assert_eq!(civil_word(&ctx, &t), plain, "{w}");
        }
    }

    #[test]
    fn stacked_norms_match_the_collected() {
        let text = (0..20)
            .map(|k| format!("W{k}"))
            .collect::<Vec<_>>()
            .join(" é ");
        let normed = crate::text::Normed::new(&text);
        let toks = normed.tokens();
        for a in 0..toks.len() {
            for b in a..=toks.len() {
                let plain: Vec<&str> = toks[a..b].iter().map(|t| t.norm).collect();
                assert_eq!(&*Norms::of(&toks[a..b]), &plain[..], "{a} {b}");
            }
        }
    }

    #[test]
    fn folds_to_answers_as_fold() {
        let pieces = ["a", "B", "`", "'", "’", "é", "É", " ", ".", "US", "s", "Z"];
        let mut rng = crate::testrng::XorShift(0x1234_5678_9ABC_DEF1);
        for _ in 0..20_000 {
            let word = |rng: &mut crate::testrng::XorShift| -> String {
                (0..rng.next() % 6).map(|_| *rng.pick(&pieces)).collect()
            };
            let name = word(&mut rng);
            let other = word(&mut rng);
            let f = crate::text::fold(&name);
            assert_eq!(folds_to(&name, &f), name.is_ascii(), "{name:?}");
            assert_eq!(
                folds_to(&name, &other),
                name.is_ascii() && f == other,
                "{name:?} {other:?}"
            );
        }
    }

    #[test]
    fn np_words_answer_as_the_class_by_class_tests() {
        let lex = Lexicon::builtin();
        let mut words: Vec<String> = lex.words.values().flatten().cloned().collect();
        words.sort();
        let text = format!(
            "{} Secretary-General editor-in-chief vice-president non-person Acme's the \
             another one team ruling others",
            words.join(" ")
        );
        let ctx = Ctx {
            text: &text,
            lex: &lex,
        };
        let plain = |t: &Token| {
            person_word(&ctx, t)
                || t.cap
                || t.poss
                || ctx.w(t, "determiner")
                || ctx.w(t, "title")
                || ctx.w(t, "person_noun")
                || ctx.w(t, "org_noun")
                || ctx.w(t, "doc_noun")
                || ctx.w(t, "joint_word")
                || np_filler(t.norm)
        };
        let normed = crate::text::Normed::new(&text);
        let unmarked = normed.tokens();
        let mut marked = unmarked.clone();
        lex.mark(&mut marked);
        let mut some = 0;
        for (m, u) in marked.iter().zip(&unmarked) {
            let want = plain(u);
            some += usize::from(want);
            assert_eq!(np_word(&ctx, m), want, "{}", u.norm);
            assert_eq!(np_word(&ctx, u), want, "{}", u.norm);
        }
        assert!(some > words.len() / 4);
    }
}
