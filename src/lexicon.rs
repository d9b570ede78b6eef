//! Word lists and the gazetteer, kept as plain files in data/ and compiled in, so the binary
//! works from any directory; a `--config` TOML file can extend them.

use crate::text::Token;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

// The maps below are looked up for every token of every sentence (several times per token in
// attribute and classify), with short string keys: SipHash's DoS resistance costs more there
// than the whole lookup is worth, and the keys come from our own compiled-in word lists.

/// The bit of a built-in word class (data/lexicon/words.tsv) in [`Lexicon::word_mask`]. A
/// literal class name folds to a constant where [`Lexicon::is`] is inlined.
#[inline]
fn class_bit(class: &str) -> Option<u32> {
    match class {
        "company_suffix" => Some(0),
        "corporate_office" => Some(1),
        "court_noun" => Some(2),
        "determiner" => Some(3),
        "doc_noun" => Some(4),
        "joint_word" => Some(5),
        "legal_object" => Some(6),
        "legal_passive" => Some(7),
        "like_army" => Some(8),
        "like_body" => Some(9),
        "like_company" => Some(10),
        "like_ngo" => Some(11),
        "like_paper" => Some(12),
        "like_regulator" => Some(13),
        "national_office" => Some(14),
        "nonresponse" => Some(15),
        "nonresponse_neg" => Some(16),
        "org_noun" => Some(17),
        "passive_aux" => Some(18),
        "person_noun" => Some(19),
        "pronoun_person" => Some(20),
        "pronoun_thing" => Some(21),
        "reference_noun" => Some(22),
        "skip" => Some(23),
        "title" => Some(24),
        "weekday" => Some(25),
        _ => None,
    }
}

/// [`Token::classes`] bits 56–58: the most words of an alias starting with the word, or 7
/// for seven or more.
const ALIAS_WORDS_SHIFT: u32 = 56;
const ALIAS_WORDS: u64 = 7 << ALIAS_WORDS_SHIFT;
/// [`Token::classes`] bit: some cue starts with the word (as `cue_index` stands after
/// [`Lexicon::reindex`]).
const CUE_START: u64 = 1 << 59;
/// [`Token::classes`] bit: the word is a one-word gazetteer alias.
const PARTY_WORD: u64 = 1 << 60;
/// [`Token::classes`] bit: the word is a one-word cue (as `cue_index` stands after
/// [`Lexicon::reindex`]).
const SINGLE_CUE: u64 = 1 << 61;
/// [`Token::classes`] bit: the word starts some gazetteer alias.
const ALIAS_START: u64 = 1 << 62;
/// [`Token::classes`] bit: the classes have been looked up.
const MARKED: u64 = 1 << 63;

/// [`Token::classes`] bits 26–39: one more than the position in `Lexicon::cue_lists` of the
/// cues the word starts (0 when it starts none), so that a marked token finds its cues
/// without a look-up of `cue_index`.
const CUE_LIST_SHIFT: u32 = 26;
const CUE_LIST: u64 = ((1 << 14) - 1) << CUE_LIST_SHIFT;
/// [`Token::classes`] bits 40–55: one more than the position in `Lexicon::party_entries` of
/// the word's entry as a one-word gazetteer alias (0 when it is none, or when there were too
/// many to number), so that a marked token finds its entry without a look-up of `gazetteer`.
const PARTY_ENTRY_SHIFT: u32 = 40;
const PARTY_ENTRY: u64 = ((1 << 16) - 1) << PARTY_ENTRY_SHIFT;

/// What a token's marked classes tell of the item a list numbers in them ([`CUE_LIST`],
/// [`PARTY_ENTRY`]): none when `flag` is clear, the item when the word has a number, and
/// `None` (ask the map) when the token is not marked or the word has no number.
#[inline]
fn numbered<T>(classes: u64, flag: u64, bits: u64, shift: u32, list: &[T]) -> Option<Option<&T>> {
    if classes & MARKED == 0 {
        return None;
    }
    if classes & flag == 0 {
        return Some(None);
    }
    match (classes & bits) >> shift {
        0 => None,
        n => Some(list.get(n as usize - 1)),
    }
}

fn alias_words_bits(words: usize) -> u64 {
    (words.min(7) as u64) << ALIAS_WORDS_SHIFT
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CueClass {
    Speech,
    Accuse,
    Rebut,
    Respond,
    NonDenial,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CueEntry {
    /// Folded tokens of the cue ("called on" → ["called", "on"]).
    pub tokens: Vec<String>,
    pub class: CueClass,
    /// Unit kind suggested by the cue, if any.
    pub kind: Option<String>,
    /// A verb that can take the speaker as its subject.
    pub verb: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartyType {
    Country,
    Demonym,
    Capital,
    Institution,
}

#[derive(Debug, Clone)]
pub struct GazEntry {
    pub party: String,
    pub ptype: PartyType,
}

#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    pub cues: Vec<CueEntry>,
    /// First token → indices into `cues`, longest cue first.
    pub cue_index: HashMap<String, Vec<usize>>,
    /// The lists of `cue_index` as [`Lexicon::reindex`] left them, in the order their
    /// positions were given to the words ([`CUE_LIST`]).
    cue_lists: Vec<Vec<usize>>,
    /// The entries of the one-word keys of `gazetteer`, as numbered in their words' masks
    /// ([`PARTY_ENTRY`]).
    party_entries: Vec<GazEntry>,
    pub wrongdoing: Vec<String>,
    pub residue: Vec<String>,
    pub abbrev_never: HashSet<String>,
    pub abbrev_maybe: HashSet<String>,
    pub months: HashSet<String>,
    pub sentence_starters: HashSet<String>,
    /// Word classes; [`Lexicon::reindex`] must run after editing them.
    pub words: HashMap<String, HashSet<String>>,
    /// Word → the bits ([`class_bit`]) of the built-in classes it is in, and [`ALIAS_START`]
    /// for the first word of an alias: one look-up answers
    /// `is(class, word)`, where the class map and then the class's set took two, for
    /// questions asked several times per token (issue 7).
    word_masks: HashMap<String, u64>,
    /// `word_masks` again, for the look-up of every token ([`Lexicon::mark`]): see
    /// [`WordTable`].
    word_table: WordTable,
    /// Folded alias tokens (joined by space) → party.
    pub gazetteer: HashMap<String, GazEntry>,
    /// Longest alias in tokens, to bound the lookup window.
    pub gaz_max_len: usize,
    /// First token of every alias (kept by [`Lexicon::add_party`]): most capitalised words
    /// start no alias, and this answers them before any window is joined (issue 7).
    /// ... and the most words of an alias it starts, which bounds the window joined.
    gaz_first: HashMap<String, usize>,
    /// `wrongdoing` split by [`Lexicon::reindex`]: single-word prefixes, and multi-word
    /// phrases as word lists. Checked for every token of every sentence; splitting the phrases
    /// there allocated one Vec per phrase per token.
    wrongdoing_words: Vec<String>,
    wrongdoing_phrases: Vec<Vec<String>>,
    /// Indices into `wrongdoing_words` / `wrongdoing_phrases` by the first byte of the word
    /// (of the phrase's first word); an empty word or first word is filed under every byte.
    /// Both checks run for every token of a sentence, against some ninety prefixes (issue 7).
    wrong_words_by_byte: Vec<Vec<usize>>,
    wrong_phrases_by_byte: Vec<Vec<usize>>,
    /// Some wrongdoing word is empty, so every word starts with one.
    wrong_word_empty: bool,
    /// The beginnings of every wrongdoing word and phrase's first word (see
    /// [`Lexicon::may_start_wrongdoing`]).
    wrong_heads: WordHeads,
    /// Per built-in class ([`class_bit`]): the byte lengths (63 standing for 63 or more) and
    /// the first bytes of its words. Most words asked about are in no class, and these
    /// answer them without hashing the word (issue 7).
    class_shapes: [ClassShape; 32],
}

/// A word of at most 16 bytes as two integers: its bytes, little endian, zero past its end
/// (the first and last four bytes, or eight for a word over eight bytes, or the first,
/// middle and last byte of a word under four, each shifted to its place). With the length,
/// equal keys are equal words. The tokenizer loads the same key at once from the lowercased
/// text ([`crate::text::Marks::ascii`]).
#[inline]
fn short_key(w: &[u8]) -> Option<(u64, u64)> {
    let n = w.len();
    // Whole-word loads (the slices are in bounds by the arm), not byte by byte.
    let u32_at = |i: usize| {
        w.get(i..i + 4)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u32::from_le_bytes) as u64
    };
    let u64_at = |i: usize| {
        w.get(i..i + 8)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u64::from_le_bytes)
    };
    match n {
        0 => Some((0, 0)),
        1..=3 => Some((
            w[0] as u64 | (w[n / 2] as u64) << (8 * (n / 2)) | (w[n - 1] as u64) << (8 * (n - 1)),
            0,
        )),
        4..=8 => Some((u32_at(0) | u32_at(n - 4) << (8 * (n - 4)), 0)),
        9..=16 => Some((u64_at(0), u64_at(n - 8) >> (8 * (16 - n)))),
        _ => None,
    }
}

/// One slot of a [`WordTable`].
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    key: (u64, u64),
    /// Length of the word plus one; 0 for an empty slot.
    len: u64,
    mask: u64,
}

/// Word → classes for the words of up to 16 bytes ([`short_key`]), open addressing with
/// linear probing. `mark` looks up every token of every sentence: hashing the word as a
/// string, probing the map and comparing the key with `memcmp` took some 75 instructions a
/// token; here a multiply, a load and a compare of the slot's one-byte tag (in an array of its
/// own, so the many words in no class never touch the slots), and for a match two loads and
/// two comparisons, answer. Longer words are left
/// to the map. (Scoring keeps what it knows of each word in one too, 0 for a word it has not
/// met.)
///
/// Each slot has a tag byte in an array of its own, probed first: 0 for an empty slot, else
/// seven bits of the word's hash. The slots of the lexicon's thousand-odd words take 128 KiB,
/// more than the L1 cache holds, and most tokens are in no class: probing the slots for them
/// was 8 % of the run's D1 read misses (issue 7). Their tags take 4 KiB, and a slot is read
/// only when its tag matches.
#[derive(Debug, Clone, Default)]
pub(crate) struct WordTable {
    slots: Vec<Slot>,
    tags: Vec<u8>,
    /// `slots.len()` is `1 << bits`.
    bits: u32,
    used: usize,
}

impl WordTable {
    /// The home slot of a word and its tag (never 0).
    #[inline]
    fn home(&self, key: (u64, u64), len: u64) -> (usize, u8) {
        let h = (key.0 ^ key.1 ^ len.wrapping_mul(0xA076_1D64_78BD_642F))
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
        // The tag is from the bits just below those of the home slot, which it does not
        // tell again.
        let tag = (h >> (57 - self.bits)) as u8 | 0x80;
        ((h >> (64 - self.bits)) as usize, tag)
    }

    /// The classes of `w`, or `None` when it is too long for the table (ask the map).
    #[inline(always)]
    pub(crate) fn get(&self, w: &str) -> Option<u64> {
        let key = short_key(w.as_bytes())?;
        Some(self.get_key(key, w.len()))
    }

    /// The classes of the word of `len` bytes (at most 16) whose [`short_key`] is `key`.
    #[inline(always)]
    fn get_key(&self, key: (u64, u64), len: usize) -> u64 {
        debug_assert!(len <= 16);
        if self.used == 0 {
            return 0;
        }
        let len = len as u64 + 1;
        let mask = self.tags.len() - 1;
        let (mut i, tag) = self.home(key, len);
        loop {
            let t = self.tags[i];
            if t == 0 {
                return 0;
            }
            if t == tag {
                let s = &self.slots[i];
                if s.key == key && s.len == len {
                    return s.mask;
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Sets the classes of `w`; a word too long for the table is left out (false).
    pub(crate) fn set(&mut self, w: &str, classes: u64) -> bool {
        let Some(key) = short_key(w.as_bytes()) else {
            return false;
        };
        if (self.used + 1) * 2 > self.slots.len() {
            let old = std::mem::take(&mut self.slots);
            self.bits = (self.bits + 1).max(6);
            self.slots = vec![Slot::default(); 1 << self.bits];
            self.tags = vec![0; 1 << self.bits];
            self.used = 0;
            for s in old.into_iter().filter(|s| s.len != 0) {
                self.put(s);
            }
        }
        self.put(Slot {
            key,
            len: w.len() as u64 + 1,
            mask: classes,
        });
        true
    }

    /// The words set.
    pub(crate) fn len(&self) -> usize {
        self.used
    }

    fn put(&mut self, slot: Slot) {
        let mask = self.slots.len() - 1;
        let (mut i, tag) = self.home(slot.key, slot.len);
        loop {
            let s = &mut self.slots[i];
            if s.len == 0 {
                *s = slot;
                self.tags[i] = tag;
                self.used += 1;
                return;
            }
            if s.key == slot.key && s.len == slot.len {
                s.mask = slot.mask;
                return;
            }
            i = (i + 1) & mask;
        }
    }
}

impl crate::text::Marks for Lexicon {
    #[inline(always)]
    fn ascii(&self, norm: &str, head: u128) -> u64 {
        let classes = if norm.len() <= 16 {
            self.word_table
                .get_key((head as u64, (head >> 64) as u64), norm.len())
        } else {
            self.word_masks.get(norm).copied().unwrap_or(0)
        };
        classes | MARKED
    }

    #[inline(always)]
    fn word(&self, norm: &str) -> u64 {
        self.all_classes(norm) | MARKED
    }
}

/// The lengths and first bytes of one class's words: a word whose length or first byte is
/// not among them cannot be one.
#[derive(Debug, Clone, Copy, Default)]
struct ClassShape {
    lens: u64,
    firsts: [u64; 4],
}

impl ClassShape {
    fn add(&mut self, w: &str) {
        self.lens |= 1 << w.len().min(63);
        if let Some(&b) = w.as_bytes().first() {
            self.firsts[b as usize >> 6] |= 1 << (b & 63);
        }
    }

    #[inline]
    fn may_hold(&self, w: &str) -> bool {
        if self.lens >> w.len().min(63) & 1 == 0 {
            return false;
        }
        match w.as_bytes().first() {
            Some(&b) => self.firsts[b as usize >> 6] >> (b & 63) & 1 == 1,
            None => true,
        }
    }
}

const CUES: &str = include_str!("../data/lexicon/cues.tsv");
const WRONGDOING: &str = include_str!("../data/lexicon/wrongdoing.txt");
const RESIDUE: &str = include_str!("../data/lexicon/residue.txt");
const ABBREV: &str = include_str!("../data/lexicon/abbreviations.txt");
const WORDS: &str = include_str!("../data/lexicon/words.tsv");
const PARTIES: &str = include_str!("../data/gazetteer/parties.tsv");

fn lines(s: &str) -> impl Iterator<Item = &str> {
    s.lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
}

pub fn parse_class(s: &str) -> Option<CueClass> {
    Some(match s {
        "speech" => CueClass::Speech,
        "accuse" => CueClass::Accuse,
        "rebut" => CueClass::Rebut,
        "respond" => CueClass::Respond,
        "nondenial" => CueClass::NonDenial,
        _ => return None,
    })
}

fn parse_ptype(s: &str) -> PartyType {
    match s {
        "country" => PartyType::Country,
        "demonym" => PartyType::Demonym,
        "capital" => PartyType::Capital,
        _ => PartyType::Institution,
    }
}

/// Folds an alias into the token form the matcher sees ("U.S." → "u.s").
pub fn alias_key(alias: &str) -> String {
    let normed = crate::text::Normed::new(alias);
    normed
        .tokens()
        .into_iter()
        .map(|t| t.norm)
        .collect::<Vec<_>>()
        .join(" ")
}

impl Lexicon {
    pub fn builtin() -> Self {
        let mut lex = Lexicon::default();
        for l in lines(CUES) {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() >= 4 {
                lex.add_cue(f[0], f[1], f[2], f[3] == "v");
            }
        }
        lex.wrongdoing = lines(WRONGDOING).map(|l| l.trim().to_string()).collect();
        lex.residue = lines(RESIDUE)
            .map(|l| crate::text::fold(l.trim()))
            .collect();
        for l in lines(ABBREV) {
            let (k, v) = l.split_once('\t').unwrap_or((l, ""));
            let set: HashSet<String> = v
                .split_whitespace()
                .map(|w| w.trim_end_matches('.').to_string())
                .collect();
            match k {
                "never" => lex.abbrev_never = set,
                "maybe" => lex.abbrev_maybe = set,
                "months" => lex.months = set,
                "starters" => lex.sentence_starters = set,
                _ => {}
            }
        }
        for l in lines(WORDS) {
            let (k, v) = l.split_once('\t').unwrap_or((l, ""));
            lex.words
                .entry(k.to_string())
                .or_default()
                .extend(v.split_whitespace().map(str::to_string));
        }
        for l in lines(PARTIES) {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() >= 3 {
                lex.add_party(f[0], f[1], f[2]);
            }
        }
        lex.reindex();
        lex
    }

    pub fn add_cue(&mut self, form: &str, class: &str, kind: &str, verb: bool) {
        let Some(class) = parse_class(class) else {
            return;
        };
        let tokens: Vec<String> = form.split_whitespace().map(crate::text::fold).collect();
        if tokens.is_empty() {
            return;
        }
        let kind = (kind != "-" && !kind.is_empty()).then(|| kind.to_string());
        self.cues.push(CueEntry {
            tokens,
            class,
            kind,
            verb,
        });
    }

    pub fn add_party(&mut self, alias: &str, party: &str, ptype: &str) {
        let key = alias_key(alias);
        if key.is_empty() {
            return;
        }
        self.gaz_max_len = self.gaz_max_len.max(key.split(' ').count());
        let first = key.split(' ').next().unwrap_or_default();
        let words = key.split(' ').count();
        let longest = match self.gaz_first.get_mut(first) {
            Some(n) => {
                *n = (*n).max(words);
                *n
            }
            None => {
                self.gaz_first.insert(first.to_string(), words);
                words
            }
        };
        let m = self.word_masks.entry(first.to_string()).or_default();
        *m = (*m & !ALIAS_WORDS) | ALIAS_START | alias_words_bits(longest);
        let m = *m;
        self.word_table.set(first, m);
        let entry = GazEntry {
            party: party.to_string(),
            ptype: parse_ptype(ptype),
        };
        if !key.contains(' ') {
            let m = self.word_masks.entry(key.clone()).or_default();
            *m |= PARTY_WORD;
            Self::number_party_entry(&mut self.party_entries, m, &entry);
            let m = *m;
            self.word_table.set(&key, m);
        }
        self.gazetteer.insert(key, entry);
    }

    /// Gives a one-word alias's mask the number of its entry ([`PARTY_ENTRY`]), or puts the
    /// new entry in the place its number already holds.
    fn number_party_entry(entries: &mut Vec<GazEntry>, mask: &mut u64, entry: &GazEntry) {
        let n = (*mask & PARTY_ENTRY) >> PARTY_ENTRY_SHIFT;
        if n != 0 {
            entries[n as usize - 1] = entry.clone();
        } else if entries.len() < (PARTY_ENTRY >> PARTY_ENTRY_SHIFT) as usize {
            entries.push(entry.clone());
            *mask |= (entries.len() as u64) << PARTY_ENTRY_SHIFT;
        }
    }

    /// Rebuilds the derived indexes; call after editing `cues` or `wrongdoing`.
    pub fn reindex(&mut self) {
        self.wrongdoing_words = self
            .wrongdoing
            .iter()
            .filter(|w| !w.contains(' '))
            .cloned()
            .collect();
        self.wrongdoing_phrases = self
            .wrongdoing
            .iter()
            .filter(|w| w.contains(' '))
            .map(|w| w.split(' ').map(str::to_string).collect())
            .collect();
        let by_byte = |firsts: Vec<Option<u8>>| {
            let mut table = vec![Vec::new(); 256];
            for (i, f) in firsts.into_iter().enumerate() {
                match f {
                    Some(b) => table[b as usize].push(i),
                    None => table.iter_mut().for_each(|v| v.push(i)),
                }
            }
            table
        };
        self.wrong_words_by_byte = by_byte(
            self.wrongdoing_words
                .iter()
                .map(|w| w.as_bytes().first().copied())
                .collect(),
        );
        self.wrong_phrases_by_byte = by_byte(
            self.wrongdoing_phrases
                .iter()
                .map(|p| p.first().and_then(|w| w.as_bytes().first().copied()))
                .collect(),
        );
        self.wrong_word_empty = self.wrongdoing_words.iter().any(|w| w.is_empty());
        self.wrong_heads = WordHeads::of(
            self.wrongdoing_words.iter().map(String::as_str).chain(
                self.wrongdoing_phrases
                    .iter()
                    .map(|p| p.first().map_or("", String::as_str)),
            ),
        );
        self.word_masks.clear();
        for (w, &n) in &self.gaz_first {
            *self.word_masks.entry(w.clone()).or_default() |= ALIAS_START | alias_words_bits(n);
        }
        self.party_entries.clear();
        for (k, g) in self.gazetteer.iter().filter(|(k, _)| !k.contains(' ')) {
            let m = self.word_masks.entry(k.clone()).or_default();
            *m |= PARTY_WORD;
            Self::number_party_entry(&mut self.party_entries, m, g);
        }
        self.class_shapes = Default::default();
        for (class, set) in &self.words {
            if let Some(b) = class_bit(class) {
                for w in set {
                    *self.word_masks.entry(w.clone()).or_default() |= 1 << b;
                    self.class_shapes[b as usize].add(w);
                }
            }
        }
        self.cue_index.clear();
        for (i, c) in self.cues.iter().enumerate() {
            self.cue_index
                .entry(c.tokens[0].clone())
                .or_default()
                .push(i);
        }
        for v in self.cue_index.values_mut() {
            let cues = &self.cues;
            v.sort_by_key(|&i| std::cmp::Reverse(cues[i].tokens.len()));
        }
        self.cue_lists.clear();
        for (w, v) in &self.cue_index {
            let m = self.word_masks.entry(w.clone()).or_default();
            *m |= CUE_START;
            if v.iter().any(|&i| self.cues[i].tokens.len() == 1) {
                *m |= SINGLE_CUE;
            }
            // A lexicon with more cue words than the bits hold leaves the rest to the map.
            let n = self.cue_lists.len() as u64 + 1;
            if n <= CUE_LIST >> CUE_LIST_SHIFT {
                *m |= n << CUE_LIST_SHIFT;
                self.cue_lists.push(v.clone());
            }
        }
        self.word_table = WordTable::default();
        for (w, &m) in &self.word_masks {
            self.word_table.set(w, m);
        }
    }

    /// Whether some alias added by [`Lexicon::add_party`] starts with this token.
    pub fn may_start_alias(&self, norm: &str) -> bool {
        self.gaz_first.contains_key(norm)
    }

    // Always inlined so that a literal class name is matched to its bit at compile time:
    // left to the compiler, many callers kept the call and compared the name with every
    // class name on each look-up. What follows the match stays out of line.
    #[inline(always)]
    pub fn is(&self, class: &str, word: &str) -> bool {
        match class_bit(class) {
            Some(b) => self.is_bit(b, word),
            None => self.is_other(class, word),
        }
    }

    /// The bit of a built-in class in [`Lexicon::word_mask`], `None` for any other class.
    #[inline(always)]
    pub fn class_mask(class: &str) -> Option<u64> {
        class_bit(class).map(|b| 1 << b)
    }

    fn is_bit(&self, b: u32, word: &str) -> bool {
        self.class_shapes[b as usize].may_hold(word) && self.word_mask(word) >> b & 1 == 1
    }

    #[cold]
    fn is_other(&self, class: &str, word: &str) -> bool {
        self.words.get(class).is_some_and(|s| s.contains(word))
    }

    /// The built-in classes `word` is in, as bits (see [`Lexicon::is`]).
    #[inline]
    pub fn word_mask(&self, word: &str) -> u64 {
        self.all_classes(word)
            & !(ALIAS_START
                | SINGLE_CUE
                | PARTY_WORD
                | ALIAS_WORDS
                | CUE_START
                | CUE_LIST
                | PARTY_ENTRY)
    }

    /// `word_masks[word]`, from the table when the word fits it. Inlined into `mark`'s
    /// loop: the call's own entry and exit were a third of its cost.
    #[inline(always)]
    fn all_classes(&self, word: &str) -> u64 {
        match self.word_table.get(word) {
            Some(m) => m,
            None => self.word_masks.get(word).copied().unwrap_or(0),
        }
    }

    /// The cues starting with the token's word, longest first (`cue_index`); a marked token
    /// that starts none is answered without a look-up.
    #[inline]
    pub fn cues_at_tok(&self, t: &Token) -> Option<&Vec<usize>> {
        numbered(
            t.classes,
            CUE_START,
            CUE_LIST,
            CUE_LIST_SHIFT,
            &self.cue_lists,
        )
        .unwrap_or_else(|| self.cue_index.get(t.norm))
    }

    /// False when the token is marked and its word starts no cue (then
    /// [`Lexicon::cues_at_tok`] is `None`).
    #[inline]
    pub fn may_start_cue_tok(&self, t: &Token) -> bool {
        t.classes & MARKED == 0 || t.classes & CUE_START != 0
    }

    /// Whether the token's word is in one of the built-in classes of `mask` (bits of
    /// [`Lexicon::class_mask`]): `is_tok` of each class, or-ed, from the marked classes
    /// when it has them.
    #[inline]
    pub fn in_any_tok(&self, mask: u64, t: &Token) -> bool {
        if t.classes & MARKED != 0 {
            t.classes & mask != 0
        } else {
            self.word_mask(t.norm) & mask != 0
        }
    }

    /// The most words of a gazetteer alias that starts with the token's word (0 if none
    /// does), from its marked classes when it has them; `usize::MAX` for seven or more.
    #[inline]
    pub fn alias_words_tok(&self, t: &Token) -> usize {
        let n = if t.classes & MARKED != 0 {
            ((t.classes & ALIAS_WORDS) >> ALIAS_WORDS_SHIFT) as usize
        } else {
            self.gaz_first.get(t.norm).map_or(0, |&n| n.min(7))
        };
        if n == 7 {
            usize::MAX
        } else {
            n
        }
    }

    /// Whether the token's word is a one-word cue, from its marked classes when it has them.
    #[inline]
    pub fn single_cue_tok(&self, t: &Token) -> bool {
        if t.classes & MARKED != 0 {
            t.classes & SINGLE_CUE != 0
        } else {
            self.cue_index
                .get(t.norm)
                .is_some_and(|c| c.iter().any(|&i| self.cues[i].tokens.len() == 1))
        }
    }

    /// Whether the token's word is a one-word gazetteer alias, from its marked classes when
    /// it has them.
    #[inline]
    pub fn party_word_tok(&self, t: &Token) -> bool {
        if t.classes & MARKED != 0 {
            t.classes & PARTY_WORD != 0
        } else {
            self.gazetteer.contains_key(t.norm)
        }
    }

    /// The token's word's entry as a one-word gazetteer alias (`gazetteer[norm]`), from its
    /// marked classes when it has them.
    #[inline]
    pub fn party_word_entry_tok(&self, t: &Token) -> Option<&GazEntry> {
        numbered(
            t.classes,
            PARTY_WORD,
            PARTY_ENTRY,
            PARTY_ENTRY_SHIFT,
            &self.party_entries,
        )
        .unwrap_or_else(|| self.gazetteer.get(t.norm))
    }

    /// Looks up the classes of each token once ([`Token::classes`]), for the many
    /// [`Lexicon::is_tok`] and [`Lexicon::may_start_alias_tok`] questions asked of it later:
    /// attribution asks several per token, each a hash of the word (a tenth of a run).
    ///
    /// Returns the classes of all the tokens or-ed ([`Lexicon::any_tok_is`]): a stage that
    /// walks a sentence looking for a word of some class skips the walk when none is there.
    ///
    /// Attribution marks its tokens as it draws them ([`Lexicon::tokenize_marked`]); this is
    /// the plain way, for tokens made otherwise, and the reference the tests hold that to.
    pub fn mark(&self, toks: &mut [Token]) -> u64 {
        let mut all = 0;
        for t in toks {
            t.classes = self.all_classes(t.norm) | MARKED;
            all |= t.classes;
        }
        all
    }

    /// The tokens of `normed[start..end]` ([`crate::text::tokenize`]), marked as
    /// [`Lexicon::mark`] marks them, and their classes or-ed as it returns them: marked as
    /// they are drawn (see [`crate::text::tokenize_marking`]).
    pub fn tokenize_marked<'a>(
        &self,
        normed: &'a crate::text::Normed,
        start: usize,
        end: usize,
    ) -> (Vec<Token<'a>>, u64) {
        crate::text::tokenize_marking(normed, start, end, self)
    }

    /// Whether some token whose classes or-ed to `all` ([`Lexicon::mark`]) may be in
    /// `class`: false only when none is (a class outside the built-in ones may always be).
    #[inline]
    pub fn any_tok_is(&self, class: &str, all: u64) -> bool {
        match class_bit(class) {
            Some(b) => all >> b & 1 == 1,
            None => true,
        }
    }

    /// Whether some token whose classes or-ed to `all` ([`Lexicon::mark`]) starts a cue: false
    /// only when none does ([`Lexicon::may_start_cue_tok`] of each).
    #[inline]
    pub fn any_tok_may_start_cue(&self, all: u64) -> bool {
        all & CUE_START != 0
    }

    /// [`Lexicon::is`] for a token's word, from its marked classes when it has them.
    #[inline]
    pub fn is_tok(&self, class: &str, t: &Token) -> bool {
        match class_bit(class) {
            Some(b) if t.classes & MARKED != 0 => t.classes >> b & 1 == 1,
            _ => self.is(class, t.norm),
        }
    }

    /// [`Lexicon::may_start_alias`] for a token's word, from its marked classes when it has
    /// them.
    #[inline]
    pub fn may_start_alias_tok(&self, t: &Token) -> bool {
        if t.classes & MARKED != 0 {
            t.classes & ALIAS_START != 0
        } else {
            self.may_start_alias(t.norm)
        }
    }

    /// False when `norm` can neither be a wrongdoing word nor start a wrongdoing phrase
    /// ([`Lexicon::is_wrongdoing`], [`Lexicon::wrongdoing_phrase_at`]): its first bytes begin
    /// none of them ([`WordHeads`]). Classify asks both of every token of a speaker's
    /// sentence, from the end until one matches; the candidate loops behind them
    /// mispredicted on almost every token, and these bit tests turn most tokens away (issue 7).
    #[inline]
    pub fn may_start_wrongdoing(&self, norm: &str) -> bool {
        self.wrong_heads.may_start(norm)
    }

    pub fn is_wrongdoing(&self, norm: &str) -> bool {
        if self.wrong_word_empty {
            return true;
        }
        // Only the words filed under the first byte can be a prefix of `norm`.
        let Some(&first) = norm.as_bytes().first() else {
            return false;
        };
        self.wrong_words_by_byte
            .get(first as usize)
            .is_some_and(|ix| {
                ix.iter()
                    .any(|&i| norm.starts_with(self.wrongdoing_words[i].as_str()))
            })
    }

    /// Multi-word wrongdoing phrases ("covered up", "war crime") over a token window.
    pub fn wrongdoing_phrase_at(&self, norms: &[&str]) -> bool {
        // Every phrase has at least one word, so an empty window matches none; otherwise only
        // the phrases filed under the first norm's first byte (or under every byte) can match.
        let Some(head) = norms.first() else {
            return false;
        };
        let Some(&first) = head.as_bytes().first() else {
            // An empty first norm is matched only by an empty first word, filed everywhere.
            return self.phrases_match(self.wrong_phrases_by_byte.first(), norms);
        };
        self.phrases_match(self.wrong_phrases_by_byte.get(first as usize), norms)
    }

    fn phrases_match(&self, ix: Option<&Vec<usize>>, norms: &[&str]) -> bool {
        ix.is_some_and(|ix| {
            ix.iter().any(|&i| {
                let parts = &self.wrongdoing_phrases[i];
                norms.len() >= parts.len()
                    && parts
                        .iter()
                        .zip(norms)
                        .all(|(p, n)| n.starts_with(p.as_str()))
            })
        })
    }
}

/// Which beginnings the words of a prefix list have. First the first two bytes, in a table
/// of every pair (a one-byte word stands for every pair it begins; a word asked about that
/// is shorter than two bytes passes): one bit test turns most words away. Then each list
/// word's first four bytes, or all of a shorter one, hashed with their length into a bit
/// table: a word asked about starts a word of the list only if one of its own beginnings of
/// those lengths is in it. Two bytes alone were too few: "the" and "in" began "theft" and
/// "incursion", and their full checks were half of finding wrongdoing words (issue 7). An
/// empty word in the list leaves every answer to the full check; hash collisions only let
/// a word through to it.
#[derive(Debug, Clone)]
struct WordHeads {
    pairs: Box<[u64; 1024]>,
    bits: [u64; 64],
    /// Bit `k` (1 to 4): some word's beginning is `k` bytes long.
    lens: u8,
    any: bool,
}

impl Default for WordHeads {
    /// Before [`Lexicon::reindex`]: every word may start one.
    fn default() -> Self {
        WordHeads {
            pairs: Box::new([0; 1024]),
            bits: [0; 64],
            lens: 0,
            any: true,
        }
    }
}

impl WordHeads {
    fn of<'a>(words: impl Iterator<Item = &'a str>) -> WordHeads {
        let mut h = WordHeads {
            pairs: Box::new([0; 1024]),
            bits: [0; 64],
            lens: 0,
            any: false,
        };
        for w in words {
            match *w.as_bytes() {
                [] => {}
                [a] => (0..256).for_each(|b| h.set_pair(a as usize * 256 + b)),
                [a, b, ..] => h.set_pair(a as usize * 256 + b as usize),
            }
            let head = &w.as_bytes()[..w.len().min(4)];
            if head.is_empty() {
                h.any = true;
            } else {
                h.lens |= 1 << head.len();
                let i = Self::slot(head);
                h.bits[i / 64] |= 1 << (i % 64);
            }
        }
        h
    }

    fn set_pair(&mut self, i: usize) {
        self.pairs[i / 64] |= 1 << (i % 64);
    }

    /// The table bit of a beginning of one to four bytes.
    #[inline]
    fn slot(head: &[u8]) -> usize {
        let v = match *head {
            [a, b, c, d] => u32::from_le_bytes([a, b, c, d]),
            _ => head.iter().rev().fold(0, |v, &x| v << 8 | u32::from(x)),
        };
        let key = u64::from(v) | (head.len() as u64) << 32;
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize
    }

    #[inline]
    fn may_start(&self, word: &str) -> bool {
        if self.any {
            return true;
        }
        let bytes = word.as_bytes();
        if let [a, b, ..] = *bytes {
            let i = a as usize * 256 + b as usize;
            if self.pairs[i / 64] >> (i % 64) & 1 == 0 {
                return false;
            }
        }
        let mut lens = self.lens;
        while lens != 0 {
            let k = lens.trailing_zeros() as usize;
            if k > bytes.len() {
                break;
            }
            let i = Self::slot(&bytes[..k]);
            if self.bits[i / 64] >> (i % 64) & 1 == 1 {
                return true;
            }
            lens &= lens - 1;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_loads() {
        let lex = Lexicon::builtin();
        assert!(lex.cues.len() > 100);
        assert_eq!(
            lex.gazetteer.get("islamabad").map(|g| g.party.as_str()),
            Some("Pakistan")
        );
        assert_eq!(
            lex.gazetteer.get("u.s").map(|g| g.party.as_str()),
            Some("United States")
        );
        assert!(lex.abbrev_never.contains("mr"));
        assert!(lex.is("pronoun_person", "he"));
        assert!(lex.is_wrongdoing("terrorism"));
    }

    /// Tokens marked as they are drawn are the tokens drawn and then marked, over generated
    /// text of lexicon words and near misses of every length about the sixteen bytes of the
    /// table's keys and the tokenizer's block, cased, joined and glued.
    #[test]
    fn tokens_marked_as_drawn_match_tokens_marked_after() {
        let mut lex = Lexicon::builtin();
        lex.add_party("Abcdefghijklmnop", "Sixteen", "country");
        lex.add_party("Abcdefghijklmnopq", "Seventeen", "country");
        lex.add_party("Abcdefghijklmno", "Fifteen", "country");
        lex.reindex();
        let mut words: Vec<String> = lex.word_masks.keys().cloned().collect();
        words.sort();
        let alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        for n in 1..=34 {
            words.push(alphabet[..n].to_string());
            words.push(alphabet[n..n + 2].repeat(n / 2 + 1));
        }
        let marks = [
            " ",
            "  ",
            ", ",
            ". ",
            "'s ",
            "\u{2019}s ",
            "s' ",
            "-",
            ".",
            "'",
            "&",
            "\n",
            "\u{201C}",
            "\u{2014}",
            "é",
            "É",
            "\u{A0}",
            "\0",
            "",
        ];
        let mut rng = crate::testrng::XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(rng.next() % 10) {
                let w = rng.pick(&words);
                match rng.next() % 4 {
                    0 => s.push_str(&w.to_uppercase()),
                    1 => {
                        let mut c = w.chars();
                        s.extend(c.next().map(|c| c.to_ascii_uppercase()));
                        s.push_str(c.as_str());
                    }
                    _ => s.push_str(w),
                }
                s.push_str(rng.pick::<&str>(&marks));
            }
            let normed = crate::text::Normed::new(&s);
            // The whole text, and slices of it that cut words.
            let mut cuts = vec![(0, s.len())];
            for _ in 0..3 {
                let a = (rng.next() % (s.len() as u64 + 1)) as usize;
                let b = a + (rng.next() % (s.len() - a + 1) as u64) as usize;
                if s.is_char_boundary(a) && s.is_char_boundary(b) {
                    cuts.push((a, b));
                }
            }
            for (a, b) in cuts {
                let mut after = crate::text::tokenize(&normed, a, b);
                let all = lex.mark(&mut after);
                assert_eq!(
                    lex.tokenize_marked(&normed, a, b),
                    (after, all),
                    "{:?}",
                    &s[a..b]
                );
            }
        }
    }

    #[test]
    fn class_bits_answer_as_the_sets() {
        let lex = Lexicon::builtin();
        let words: HashSet<&String> = lex.words.values().flatten().collect();
        for class in lex.words.keys() {
            assert!(class_bit(class).is_some(), "{class} has no bit");
            // Near misses too: same first byte or same length as a class word, non-ASCII
            // first bytes, and words past the 63 bytes the length filter tells apart.
            let long = "a".repeat(70);
            let near: Vec<String> = words
                .iter()
                .flat_map(|w| {
                    [
                        format!("{w}s"),
                        w.chars().skip(1).collect(),
                        w.to_uppercase(),
                    ]
                })
                .chain([
                    long.clone(),
                    format!("{long}x"),
                    "éclat".into(),
                    "’s".into(),
                ])
                .collect();
            for w in words
                .iter()
                .map(|w| w.as_str())
                .chain(near.iter().map(String::as_str))
                .chain(["", "zzz"])
            {
                let slow = lex.words.get(class).is_some_and(|s| s.contains(w));
                assert_eq!(lex.is(class, w), slow, "{class} {w}");
            }
        }
        assert!(!lex.is("no_such_class", "he"));
        let t = "He said the Foreign Ministry of Pakistan and the U.S. envoy's report, denied \
                 accused India rejected Islamabad claims of the United States, Addis Ababa";
        let normed = crate::text::Normed::new(t);
        let mut toks = normed.tokens();
        let plain = toks.clone();
        let all = lex.mark(&mut toks);
        for class in lex
            .words
            .keys()
            .map(String::as_str)
            .chain(["no_such_class"])
        {
            let any = toks.iter().any(|t| lex.is_tok(class, t));
            assert!(lex.any_tok_is(class, all) || !any, "{class}");
            if class_bit(class).is_some() {
                assert_eq!(lex.any_tok_is(class, all), any, "{class}");
            }
            assert!(!lex.any_tok_is(class, 0) || class_bit(class).is_none());
        }
        let classes: Vec<&str> = lex.words.keys().map(String::as_str).collect();
        for (m, p) in toks.iter().zip(&plain) {
            // Every pair of built-in classes at once, marked and not.
            for a in &classes {
                for b in &classes {
                    let mask =
                        Lexicon::class_mask(a).unwrap_or(0) | Lexicon::class_mask(b).unwrap_or(0);
                    let want = lex.is_tok(a, p) || lex.is_tok(b, p);
                    assert_eq!(lex.in_any_tok(mask, m), want, "{a} {b} {}", p.norm);
                    assert_eq!(lex.in_any_tok(mask, p), want, "{a} {b} {}", p.norm);
                }
            }
            assert_eq!(lex.may_start_alias_tok(m), lex.may_start_alias(p.norm));
            assert_eq!(lex.single_cue_tok(m), lex.single_cue_tok(p), "{}", p.norm);
            assert_eq!(lex.alias_words_tok(m), lex.alias_words_tok(p), "{}", p.norm);
            assert_eq!(lex.cues_at_tok(m), lex.cue_index.get(p.norm), "{}", p.norm);
            let longest = lex
                .gazetteer
                .keys()
                .filter(|k| k.split(' ').next() == Some(p.norm))
                .map(|k| k.split(' ').count())
                .max()
                .unwrap_or(0);
            let want = if longest >= 7 { usize::MAX } else { longest };
            assert_eq!(lex.alias_words_tok(p), want, "{}", p.norm);
            assert_eq!(lex.party_word_tok(m), lex.party_word_tok(p), "{}", p.norm);
            assert_eq!(lex.may_start_alias_tok(p), lex.may_start_alias(p.norm));
            for class in lex
                .words
                .keys()
                .map(String::as_str)
                .chain(["no_such_class"])
            {
                assert_eq!(
                    lex.is_tok(class, m),
                    lex.is(class, p.norm),
                    "{class} {}",
                    p.norm
                );
                assert_eq!(lex.is_tok(class, p), lex.is(class, p.norm));
            }
        }
    }

    #[test]
    fn marked_cue_lists_match_the_index() {
        let mut lex = Lexicon::builtin();
        let check = |lex: &Lexicon| {
            let words: Vec<String> = lex
                .cue_index
                .keys()
                .flat_map(|w| [w.clone(), format!("{w}s"), w.chars().skip(1).collect()])
                .chain(["".into(), "zzz".into(), "a".repeat(40)])
                .collect();
            for w in words {
                let mut t = [Token {
                    start: 0,
                    end: w.len(),
                    norm: w.as_str(),
                    cap: false,
                    poss: false,
                    hyphen: false,
                    classes: 0,
                }];
                let plain = lex.cues_at_tok(&t[0]).cloned();
                assert!(lex.may_start_cue_tok(&t[0]));
                lex.mark(&mut t);
                assert_eq!(lex.cues_at_tok(&t[0]).cloned(), plain, "{w:?}");
                assert!(lex.may_start_cue_tok(&t[0]) || plain.is_none(), "{w:?}");
                assert_eq!(plain.as_ref(), lex.cue_index.get(w.as_str()), "{w:?}");
            }
        };
        check(&lex);
        // A configured cue, longer than the table's words, after a reindex.
        lex.add_cue("counterproductively remonstrated", "rebut", "-", true);
        lex.add_cue("said firmly", "speech", "-", true);
        lex.reindex();
        check(&lex);
    }

    #[test]
    fn word_table_answers_as_the_map() {
        let mut lex = Lexicon::builtin();
        let check = |lex: &Lexicon, w: &str| {
            let want = lex.word_masks.get(w).copied().unwrap_or(0);
            assert_eq!(lex.all_classes(w), want, "{w:?}");
        };
        let keys: Vec<String> = lex.word_masks.keys().cloned().collect();
        for w in &keys {
            check(&lex, w);
            // Near misses: one byte changed, dropped or added, at either end or inside.
            let b = w.as_bytes();
            for k in 0..b.len() {
                let mut x = b.to_vec();
                x[k] ^= 1;
                if let Ok(x) = String::from_utf8(x) {
                    check(&lex, &x);
                }
                let mut y = b.to_vec();
                y.remove(k);
                if let Ok(y) = String::from_utf8(y) {
                    check(&lex, &y);
                }
            }
            check(&lex, &format!("{w}s"));
            check(&lex, &format!("a{w}"));
        }
        // Every word of up to 17 bytes over a small alphabet of a few lengths, so that the
        // overlapping halves of the key are tried against each other.
        let mut rng = crate::testrng::XorShift(0x5DEE_CE66_D1CE_4E5B);
        let alphabet = b"ab'.";
        for _ in 0..50_000 {
            let n = (rng.next() % 18) as usize;
            let w: String = (0..n).map(|_| *rng.pick(alphabet) as char).collect();
            check(&lex, &w);
        }
        // Parties added after the index was built are seen at once.
        lex.add_party("Zzyzx Republic", "Zzyzx", "country");
        lex.add_party("Qwv", "Qwv", "country");
        for w in ["zzyzx", "republic", "qwv", "zzyzx republic"] {
            check(&lex, w);
        }
        assert_ne!(lex.all_classes("qwv"), 0);
    }

    #[test]
    fn short_keys_tell_words_apart() {
        let words = [
            "",
            "a",
            "b",
            "ab",
            "ba",
            "aa",
            "aba",
            "abb",
            "abc",
            "abcd",
            "abce",
            "abcde",
            "abcdf",
            "xbcde",
            "abcdefgh",
            "abcdefgi",
            "abcdefghi",
            "abcdefghj",
            "bbcdefghi",
            "abcdefghijklmnop",
            "abcdefghijklmnoq",
            "bbcdefghijklmnop",
            "abcdefghijklmnopq",
            "\0",
            "\0\0",
            "\0\0\0\0",
        ];
        for x in words {
            for y in words {
                let (kx, ky) = (short_key(x.as_bytes()), short_key(y.as_bytes()));
                if x.len() > 16 || y.len() > 16 {
                    assert!(x.len() <= 16 || kx.is_none());
                    continue;
                }
                assert_eq!(x == y, kx == ky && x.len() == y.len(), "{x:?} {y:?}");
            }
        }
    }

    #[test]
    fn wrongdoing_tables_answer_as_the_full_scans() {
        let lex = Lexicon::builtin();
        let words: Vec<&str> = "terrorism terror war crimes crime covered up killed said the a \
                                aggression violat violation cover-up massacre x '' é"
            .split(' ')
            .chain([""])
            .collect();
        // Every list word's prefixes, extensions and one-byte changes: the near misses of
        // the two-byte filter.
        let near: Vec<String> = lex
            .wrongdoing
            .iter()
            .flat_map(|w| w.split(' '))
            .flat_map(|w| {
                let mut v: Vec<String> = (0..=w.len())
                    .filter(|&k| w.is_char_boundary(k))
                    .map(|k| w[..k].to_string())
                    .collect();
                v.push(format!("{w}s"));
                v.push(format!("x{w}"));
                for (i, c) in w.char_indices().take(3) {
                    let other = if c == 'z' { 'y' } else { 'z' };
                    v.push(format!("{}{other}{}", &w[..i], &w[i + c.len_utf8()..]));
                }
                v
            })
            .collect();
        let words: Vec<&str> = words
            .into_iter()
            .chain(near.iter().map(String::as_str))
            .collect();
        let mut turned_away = 0;
        for (i, w) in words.iter().enumerate() {
            // The filter never turns away a word that is one or starts a phrase.
            let either = lex.is_wrongdoing(w)
                || (i..words.len().min(i + 4)).any(|j| lex.wrongdoing_phrase_at(&words[i..j]));
            assert!(lex.may_start_wrongdoing(w) || !either, "{w:?}");
            turned_away += usize::from(!lex.may_start_wrongdoing(w));
        }
        assert!(
            turned_away > words.len() / 10,
            "{turned_away} of {}",
            words.len()
        );
        for w in &words {
            let slow = lex
                .wrongdoing_words
                .iter()
                .any(|x| w.starts_with(x.as_str()));
            assert_eq!(lex.is_wrongdoing(w), slow, "{w:?}");
        }
        for i in 0..words.len() {
            for j in i..words.len().min(i + 4) {
                let win = &words[i..j];
                let slow = lex.wrongdoing_phrases.iter().any(|p| {
                    win.len() >= p.len()
                        && p.iter().zip(win).all(|(a, n)| n.starts_with(a.as_str()))
                });
                assert_eq!(lex.wrongdoing_phrase_at(win), slow, "{win:?}");
            }
        }
    }

    /// `WordHeads` never turns away a word that starts a word of the list, over generated
    /// lists (empty, one-byte and multi-byte words among them) and words made of their
    /// pieces, and turns most others away.
    #[test]
    fn word_heads_keep_every_word_a_list_word_starts() {
        let pieces = [
            "t", "h", "e", "ft", "in", "war", "\u{e9}", "x", "terr", "cover",
        ];
        let mut rng = crate::testrng::XorShift(0x9E37_79B9_7F4A_7C15);
        let mut pick =
            |n: u64| -> String { (0..rng.next() % n).map(|_| *rng.pick(&pieces)).collect() };
        let (mut asked, mut away) = (0, 0);
        for _ in 0..300 {
            let list: Vec<String> = (0..1 + pick(4).len() % 6).map(|_| pick(4)).collect();
            let heads = WordHeads::of(list.iter().map(String::as_str));
            for _ in 0..100 {
                let w = pick(6);
                let starts = list.iter().any(|x| w.starts_with(x.as_str()));
                assert!(heads.may_start(&w) || !starts, "{list:?} {w:?}");
                asked += usize::from(!starts);
                away += usize::from(!heads.may_start(&w));
            }
        }
        assert!(away > asked / 4, "{away} of {asked}");
    }
}
