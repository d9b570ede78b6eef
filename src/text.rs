//! Character folding and word tokens shared by every stage.
//!
//! Folding is for matching only: offsets always point into the original text, so what a
//! reviewer sees in the report is exactly what the article said.

use bumpalo::Bump;

/// Folds typographic variants to one ASCII form and lowercases. Used only for comparisons.
pub fn fold_char(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}'
        | '\u{2033}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => '-',
        '\u{00A0}' | '\u{2007}' | '\u{202F}' | '\u{2009}' | '\u{200A}' | '\u{3000}' => ' ',
        _ => {
            if c.is_uppercase() {
                c.to_lowercase().next().unwrap_or(c)
            } else {
                c
            }
        }
    }
}

/// [`fold_char`] of an ASCII character, without its Unicode case tables.
#[inline]
pub(crate) fn fold_ascii(b: u8) -> u8 {
    match b {
        b'`' => b'\'',
        _ => b.to_ascii_lowercase(),
    }
}

/// An ASCII byte that `char::is_whitespace` answers yes for: space, tab, line feed,
/// vertical tab, form feed, carriage return (`u8::is_ascii_whitespace` leaves out the
/// vertical tab).
#[inline]
pub(crate) const fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t'..=b'\r')
}

/// Folds a whole string (see [`fold_char`]).
pub fn fold(s: &str) -> String {
    // Most text is ASCII, where folding is a byte map: each run of ASCII (all of an ASCII
    // name, most of a news sentence between its curly quotes and dashes) is copied and
    // lowercased whole, and `fold_char` maps only the other characters. Pushed a character
    // at a time, a unit's text cost ~2,000 instructions to fold (issue 7).
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    // One search of the whole text for a backquote, where one for each run between
    // non-ASCII characters cost more than the lowercasing.
    let backquote = memchr::memchr(b'`', b).is_some();
    let mut i = 0;
    while i < b.len() {
        let run = ascii_run(&b[i..]);
        if run > 0 {
            // `i` and `i + run` are character bounds: ASCII bytes on both sides.
            let from = out.len();
            out.push_str(&s[i..i + run]);
            out[from..].make_ascii_lowercase();
            i += run;
        }
        if let Some(c) = s[i..].chars().next() {
            out.push(fold_char(c));
            i += c.len_utf8();
        }
    }
    // `fold_char` makes no backquote: any in `out` is one of the text's own.
    if backquote {
        out = out.replace('`', "'");
    }
    out
}

/// How many bytes at the start of `b` are ASCII. News text is mostly ASCII: eight bytes
/// with no high bit set are passed in one test, where byte by byte was most of the walks
/// that use this.
fn ascii_run(b: &[u8]) -> usize {
    let mut i = 0;
    while let Some(chunk) = b.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0x80; 8]));
        if word & 0x8080_8080_8080_8080 != 0 {
            break;
        }
        i += 8;
    }
    i + b[i..]
        .iter()
        .position(|&c| c >= 0x80)
        .unwrap_or(b.len() - i)
}

/// [`fold`] of `s` handed to `f`, folded into a buffer on the stack when `s` is short ASCII
/// text: for look-ups of a name that keep nothing of its folded form.
pub fn with_folded<R>(s: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut buf = [0u8; 64];
    match buf.get_mut(..s.len()) {
        Some(b) if s.is_ascii() => {
            for (o, &c) in b.iter_mut().zip(s.as_bytes()) {
                *o = fold_ascii(c);
            }
            // SAFETY: ASCII in, ASCII out (`fold_ascii`): valid UTF-8. Checked again, it was
            // a call for each name looked up.
            f(unsafe { std::str::from_utf8_unchecked(b) })
        }
        _ => f(&fold(s)),
    }
}

pub fn is_open_double(c: char) -> bool {
    matches!(c, '\u{201C}' | '\u{201E}' | '\u{00AB}')
}
pub fn is_close_double(c: char) -> bool {
    matches!(c, '\u{201D}' | '\u{00BB}')
}
pub fn is_quote_mark(c: char) -> bool {
    matches!(
        c,
        '"' | '\u{201C}'
            | '\u{201D}'
            | '\u{201E}'
            | '\u{00AB}'
            | '\u{00BB}'
            | '\u{2018}'
            | '\u{2019}'
    )
}

/// A word of the original text. `norm` is folded, lowercased and has a possessive `'s`
/// removed; `start..end` covers the word as written (possessive included).
///
/// The norm is borrowed from the [`Normed`] text the token was drawn from: a `String` for
/// each word was a third of all the allocations of a run, and freeing them most of dropping
/// an article's attribution (issue 7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    pub start: usize,
    pub end: usize,
    pub norm: &'a str,
    /// First letter is uppercase.
    pub cap: bool,
    /// Written with a possessive `'s` / `’s` (or a bare trailing apostrophe after s).
    pub poss: bool,
    /// `norm` holds a '-' (the word is hyphenated): noted by the tokenizer's walk, where
    /// stages asked it of every word by searching the norm.
    pub hyphen: bool,
    /// The word's lexicon classes, once [`crate::lexicon::Lexicon::mark`] has looked them up
    /// (0 until then): see [`crate::lexicon::Lexicon::is_tok`].
    pub classes: u64,
}

impl Token<'_> {
    pub fn is_word(&self) -> bool {
        self.norm.chars().any(|c| c.is_alphabetic())
    }
    /// Acronyms like FO, MEA, ISPR.
    pub fn is_acronym(&self, text: &str) -> bool {
        // Counted as the letters go by, rather than collected first: asked of every word of
        // a name met for the first time.
        let mut letters = 0;
        for c in text[self.start..self.end].chars() {
            if c.is_alphabetic() {
                if !c.is_uppercase() {
                    return false;
                }
                letters += 1;
            }
        }
        letters >= 2
    }
}

/// A text and what the norms of its tokens borrow: the text with its ASCII letters
/// lowercased (every byte where it was, so an ASCII word's norm is the same bytes of it), and
/// an arena for the norms of the other words (and for attribution's names and rules, see
/// [`Normed::arena`]). The text is a copy, so that tokens kept with
/// it ([`TokenLists`]) borrow nothing else.
pub struct Normed {
    text: String,
    lower: String,
    wide: Bump,
}

/// Gap bytes after the lowercased text ([`lowered`]): the first stops the tokenizer's scan of
/// a word, and all of them let a word's first sixteen bytes be loaded at once.
const LOWER_PAD: usize = 16;

/// `text` with its ASCII letters lowercased, and [`LOWER_PAD`] gap bytes after it: the
/// tokenizer's scan of a word stops there without testing for the end at every byte.
fn lowered(text: &str) -> String {
    let mut lower = String::with_capacity(text.len() + LOWER_PAD);
    lower.push_str(text);
    lower.make_ascii_lowercase();
    lower.push_str("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
    lower
}

impl Normed {
    pub fn new(text: &str) -> Normed {
        Normed {
            text: text.to_string(),
            lower: lowered(text),
            wide: Bump::new(),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The tokens of the whole text.
    pub fn tokens(&self) -> Vec<Token<'_>> {
        tokenize(self, 0, self.text.len())
    }

    /// An arena for strings that live as long as the text: the norms of its non-ASCII words,
    /// and what stages keep with its tokens.
    pub fn arena(&self) -> &Bump {
        &self.wide
    }
}

/// Token lists kept together with the [`Normed`] text their norms borrow: an article's units'
/// tokens, which pairing reads after extraction ([`crate::extract::Extraction::unit_tokens`]).
/// Copying the norms out, and the tokens back for pairing, cost 3.5 M instructions per
/// 200 articles (issue 7).
#[derive(Default)]
pub struct TokenLists {
    /// Borrow `normed` (the `'static` is never handed out: see [`TokenLists::lists`]).
    /// Declared first, so dropped before it.
    lists: Vec<Vec<Token<'static>>>,
    normed: Option<Normed>,
}

impl TokenLists {
    /// The lists `f` makes of tokens of `normed`, kept with it, and what else `f` returns.
    ///
    /// `f` is given the text for any lifetime `'a`, so the tokens it returns can borrow
    /// nothing but it (or static data): nothing that may be gone before the lists are.
    pub fn keep<R>(
        normed: Normed,
        f: impl for<'a> FnOnce(&'a Normed) -> (Vec<Vec<Token<'a>>>, R),
    ) -> (TokenLists, R) {
        let (lists, r) = f(&normed);
        // SAFETY: the tokens borrow only `normed` (see above): its strings and the arena's
        // chunks are on the heap, where moving `normed` into the lists leaves them, and they
        // are never changed or freed while the lists hold the tokens (`normed` is not handed
        // out mutably, and the tokens are dropped first). The lists hand the tokens out
        // borrowed from themselves only.
        let lists =
            unsafe { std::mem::transmute::<Vec<Vec<Token<'_>>>, Vec<Vec<Token<'static>>>>(lists) };
        let normed = Some(normed);
        (TokenLists { lists, normed }, r)
    }

    /// The token lists, borrowed from `self`.
    pub fn lists(&self) -> &[Vec<Token<'_>>] {
        &self.lists
    }

    pub fn len(&self) -> usize {
        self.lists.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }
}

impl std::fmt::Debug for TokenLists {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.lists()).finish()
    }
}

impl Clone for TokenLists {
    /// A copy with norms of its own: the copied tokens borrow the copied text.
    fn clone(&self) -> TokenLists {
        let Some(normed) = &self.normed else {
            return TokenLists::default();
        };
        let copy = Normed {
            text: normed.text.clone(),
            lower: normed.lower.clone(),
            wide: Bump::new(),
        };
        TokenLists::keep(copy, |n| {
            let lists = self
                .lists()
                .iter()
                .map(|toks| {
                    toks.iter()
                        .map(|t| Token {
                            start: t.start,
                            end: t.end,
                            norm: &*n.wide.alloc_str(t.norm),
                            cap: t.cap,
                            poss: t.poss,
                            hyphen: t.hyphen,
                            classes: t.classes,
                        })
                        .collect()
                })
                .collect();
            (lists, ())
        })
        .0
    }
}

const fn is_joiner(c: char) -> bool {
    matches!(
        c,
        '-' | '\'' | '\u{2019}' | '.' | '&' | '\u{2010}' | '\u{2011}'
    )
}

/// The char at byte `pos` of `s` and its length in bytes; ASCII without decoding.
#[inline]
fn char_at(s: &str, pos: usize) -> (char, usize) {
    let b = s.as_bytes()[pos];
    if b < 0x80 {
        return (b as char, 1);
    }
    let c = s[pos..].chars().next().unwrap_or('\0');
    (c, c.len_utf8())
}

/// ASCII letters and digits, by byte: the tokenizer's inner loop over ASCII text.
static ASCII_ALNUM: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    t
};

/// `c.is_alphanumeric()`. ASCII, and the General Punctuation block (curly quotes, dashes,
/// ellipses: most of the non-ASCII characters of news text), which holds no letter or digit,
/// are answered without the Unicode tables, whose look-up costs hundreds of instructions.
#[inline]
pub fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if ('\u{2000}'..='\u{206F}').contains(&c) {
        false
    } else {
        c.is_alphanumeric()
    }
}

/// Byte classes of the tokenizer's walk: not part of a word (ASCII), lowercase ASCII letter
/// or digit, uppercase ASCII letter, first or later byte of a multi-byte character, an ASCII
/// joiner (see `is_joiner`; a word goes on over it only when a letter or digit follows).
const GAP: u8 = 0;
const LOWER: u8 = 1;
const UPPER: u8 = 2;
const MULTI: u8 = 4;
const JOIN: u8 = 8;

static BYTE_CLASS: [u8; 256] = {
    let mut t = [MULTI; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = if (b as u8).is_ascii_uppercase() {
            UPPER
        } else if (b as u8).is_ascii_alphanumeric() {
            LOWER
        } else if is_joiner(b as u8 as char) {
            JOIN
        } else {
            GAP
        };
        b += 1;
    }
    t
};

/// An ASCII word as [`fold`] gives it: the word lowercased, the same bytes of the lowercased
/// text. The word is `text[at..at + len]`, all ASCII.
#[inline(always)]
fn ascii_norm(normed: &Normed, at: usize, len: usize) -> &str {
    debug_assert!(normed.text.as_bytes()[at..at + len].is_ascii());
    debug_assert_eq!(normed.lower.len(), normed.text.len() + LOWER_PAD);
    // SAFETY: `lower` is the text with A-Z lowercased, byte for byte, so its bytes of
    // `at..at + len` are ASCII as the text's are (the tokenizer's walk met no byte of 0x80 or
    // more in the word): both ends are character bounds. Checked again, the slicing was a
    // tenth of making the token.
    unsafe { normed.lower.get_unchecked(at..at + len) }
}

/// Splits `text[range]` of the [`Normed`] text into word tokens with offsets into `text`.
///
/// Walks the bytes once, decoding only non-ASCII characters: every stage tokenises every
/// sentence, and collecting the characters of each slice first was most of its cost (issue 7).
/// Most words are ASCII letters and digits up to a space or a mark that joins nothing: the
/// walk takes those itself, over the lowercased text, whose closing gap byte stops the scan of
/// a word without a test of the slice's end at every byte; its other words (those that start
/// with a non-ASCII character, or meet a joiner that joins them to more: an apostrophe, or a
/// dot, hyphen or ampersand with a letter or digit after it) go to [`word_at`], out of the
/// loop, so that what it keeps does not crowd the loop's registers.
pub fn tokenize<'a>(normed: &'a Normed, start: usize, end: usize) -> Vec<Token<'a>> {
    tokenize_marking(normed, start, end, &NoMarks).0
}

/// What [`tokenize_marking`] asks of each token's word: its classes
/// ([`crate::lexicon::Lexicon::mark`]).
pub(crate) trait Marks {
    /// The classes of the ASCII word `norm`, given also as its first sixteen bytes (little
    /// endian, zero past the word's end).
    fn ascii(&self, norm: &str, head: u128) -> u64;
    /// The classes of any word.
    fn word(&self, norm: &str) -> u64;
}

/// `HEAD_MASK[n]` keeps the first `n` bytes of a word's sixteen (little endian): looked up,
/// where `!0u128 >> (128 - 8 * n)`, a shift of a `u128` by a variable amount, took about a
/// dozen instructions a token (1 % of a run's instructions, issue 7).
static HEAD_MASK: [u128; 17] = {
    let mut m = [0; 17];
    let mut n = 1;
    while n <= 16 {
        m[n] = !0u128 >> (128 - 8 * n);
        n += 1;
    }
    m
};

/// Where the run of ASCII letters and digits of the lowercased text `lower` ([`lowered`]) that
/// starts at `at`, within the text, ends; and the sixteen bytes from `at`, little endian.
///
/// Sixteen bytes are tested at once: a loop over the bytes mispredicted its exit at the end of
/// almost every word, whose lengths no predictor learns (3 % of a run's time, issue 7).
#[inline(always)]
fn word_run(lower: &[u8], at: usize) -> (usize, u128) {
    debug_assert!(at + LOWER_PAD <= lower.len());
    // SAFETY: `at` is within the text, and `lower` holds `LOWER_PAD` bytes past it: the
    // sixteen bytes loaded are within `lower`.
    let head = u128::from_le(unsafe { lower.as_ptr().add(at).cast::<u128>().read_unaligned() });
    #[cfg(target_arch = "x86_64")]
    let run = {
        use core::arch::x86_64::{
            _mm_add_epi8, _mm_cmplt_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
        };
        // SAFETY: SSE2 is part of x86_64. A byte in a range is one that, moved so the range
        // starts at -128, is below -128 plus the range's length (signed).
        unsafe {
            let v = core::mem::transmute::<u128, core::arch::x86_64::__m128i>(head);
            let within = |first: u8, count: u8| {
                let moved = _mm_add_epi8(v, _mm_set1_epi8(0x80u8.wrapping_sub(first) as i8));
                _mm_cmplt_epi8(moved, _mm_set1_epi8(0x80u8.wrapping_add(count) as i8))
            };
            let alnum = _mm_or_si128(within(b'a', 26), within(b'0', 10));
            (_mm_movemask_epi8(alnum) as u32).trailing_ones() as usize
        }
    };
    #[cfg(not(target_arch = "x86_64"))]
    let run = (0..16)
        .find(|&k| BYTE_CLASS[(head >> (8 * k)) as u8 as usize] & (LOWER | UPPER) == 0)
        .unwrap_or(16);
    let mut e = at + run;
    if run == 16 {
        // SAFETY: `lower` ends with a gap byte past the text, which stops the scan: `e`
        // stays within `lower`.
        while BYTE_CLASS[unsafe { *lower.get_unchecked(e) } as usize] & (LOWER | UPPER) != 0 {
            e += 1;
        }
    }
    (e, head)
}

/// No marks: [`tokenize`].
struct NoMarks;

impl Marks for NoMarks {
    #[inline(always)]
    fn ascii(&self, _: &str, _: u128) -> u64 {
        0
    }
    #[inline(always)]
    fn word(&self, _: &str) -> u64 {
        0
    }
}

/// [`tokenize`], each token's `classes` set by `marks` as it is drawn, and the classes of
/// all the tokens or-ed. An ASCII word's first bytes are loaded from the lowercased text
/// at once, where a look-up of its norm alone loads them by its length, one of three
/// branches whose way most tokens could not predict; and its token is marked while the walk
/// has it, not in a second pass over the sentence.
#[inline(always)]
pub(crate) fn tokenize_marking<'a>(
    normed: &'a Normed,
    start: usize,
    end: usize,
    marks: &impl Marks,
) -> (Vec<Token<'a>>, u64) {
    let text = normed.text.as_str();
    let slice = &text[start..end];
    let bytes = slice.as_bytes();
    let lower = normed.lower.as_bytes();
    // What `word_run`'s unchecked 16-byte loads rest on, asked once per sentence rather than
    // left to `Normed::new` alone: the padding after the text, ending the last word.
    assert!(lower.len() == text.len() + LOWER_PAD && BYTE_CLASS[lower[text.len()] as usize] == GAP);
    let mut all = 0;
    let n = bytes.len();
    // A word and the gap after it take five or six bytes of news text: a quarter of the
    // bytes is room enough that the vector is almost never regrown.
    let mut out = Vec::with_capacity(n / 4 + 1);
    let mut pos = 0;
    while pos < n {
        let k0 = BYTE_CLASS[bytes[pos] as usize];
        if k0 & (LOWER | UPPER | MULTI) == 0 {
            pos += 1;
            continue;
        }
        if k0 != MULTI {
            let at = start + pos;
            let (e, head) = word_run(lower, at);
            // A word that runs on past the slice ends with it; one that ends on a gap byte
            // within it has no possessive, no hyphen, no non-ASCII character; nor has one
            // that ends on a joiner other than an apostrophe (a sentence's last word, mostly)
            // with no letter or digit after it to join.
            let ends_slice = e >= start + n;
            if ends_slice
                || BYTE_CLASS[lower[e] as usize] == GAP
                || matches!(lower[e], b'.' | b'-' | b'&')
                    && (e + 1 == start + n
                        || BYTE_CLASS[lower[e + 1] as usize] & (LOWER | UPPER | MULTI) == 0)
            {
                let e = e.min(start + n);
                let len = e - at;
                let norm = ascii_norm(normed, at, len);
                let head = head & HEAD_MASK[len.min(16)];
                let classes = marks.ascii(norm, head);
                all |= classes;
                out.push(Token {
                    start: at,
                    end: e,
                    norm,
                    cap: k0 == UPPER,
                    poss: false,
                    hyphen: false,
                    classes,
                });
                pos = e - start + 1;
                continue;
            }
            pos = word_at(
                normed,
                start,
                end,
                pos,
                e - start,
                &mut out,
                marks,
                &mut all,
            );
        } else {
            pos = word_at(normed, start, end, pos, pos, &mut out, marks, &mut all);
        }
    }
    (out, all)
}

/// The word of `text[start..end]` of `normed` that starts at byte `pos` of the slice, pushed
/// to `out`, if the character there is alphanumeric; and where the walk goes on. The word's
/// characters up to byte `j` are known to be alphanumerics (`j` may be `pos`).
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn word_at<'a>(
    normed: &'a Normed,
    start: usize,
    end: usize,
    pos: usize,
    j: usize,
    out: &mut Vec<Token<'a>>,
    marks: &impl Marks,
    all: &mut u64,
) -> usize {
    let slice = &normed.text[start..end];
    let bytes = slice.as_bytes();
    let n = bytes.len();
    let k0 = BYTE_CLASS[bytes[pos] as usize];
    let (c, cl) = char_at(slice, pos);
    if !is_alnum(c) {
        return pos + cl;
    }
    let tok_start = pos;
    let mut j = j.max(pos + cl);
    // Whether the word holds a non-ASCII character. (Its case needs no note: an ASCII
    // word's norm is the lowercased text's bytes whatever they are.)
    let mut multi = k0 == MULTI;
    // Where the run of alphanumerics that ends at `j` starts (a joiner ends a run).
    let mut run_start = tok_start;
    let mut hyphen = false;
    // The word ends on a byte that is no part of any word (a space, mostly): the walk
    // goes on past it, where it would have come back to look at it again.
    let mut gap_after = false;
    loop {
        let mut k = GAP;
        while j < n {
            k = BYTE_CLASS[bytes[j] as usize];
            if k & (LOWER | UPPER) == 0 {
                break;
            }
            j += 1;
        }
        // Most words end at a space or a punctuation mark that joins nothing.
        if j >= n || k == GAP {
            gap_after = j < n;
            break;
        }
        let (cj, lj) = char_at(slice, j);
        if lj > 1 && is_alnum(cj) {
            multi = true;
            j += lj;
            continue;
        }
        let Some(ln) = joins(slice, j, cj, lj, || {
            run_start + char_at(slice, run_start).1 == j
        }) else {
            break;
        };
        // The joiners that fold to '-'.
        hyphen |= matches!(cj, '-' | '\u{2010}' | '\u{2011}');
        multi |= lj > 1 || ln > 1;
        run_start = j + lj;
        j += lj + ln;
    }
    let mut poss = false;
    let norm = if !multi {
        // Bytes, not a `str`: an ASCII word needs no character bounds checked.
        let wb = &bytes[tok_start..j];
        let len = wb.len();
        let at = start + tok_start;
        if len > 2 && wb[len - 2] == b'\'' && (wb[len - 1] | 0x20) == b's' {
            poss = true;
            ascii_norm(normed, at, len - 2)
        } else {
            // A word that ends on a gap byte is followed by no apostrophe.
            if !gap_after && (wb[len - 1] | 0x20) == b's' {
                poss = trailing_apostrophe(slice, j);
            }
            ascii_norm(normed, at, len)
        }
    } else {
        let mut norm = fold(&slice[tok_start..j]);
        if norm.ends_with("'s") && norm.len() > 2 {
            norm.truncate(norm.len() - 2);
            poss = true;
        } else if norm.ends_with('s') {
            poss = trailing_apostrophe(slice, j);
        }
        &*normed.wide.alloc_str(&norm)
    };
    let classes = marks.word(norm);
    *all |= classes;
    out.push(Token {
        start: start + tok_start,
        end: start + j,
        norm,
        cap: if k0 == MULTI {
            c.is_uppercase()
        } else {
            k0 == UPPER
        },
        poss,
        hyphen,
        classes,
    });
    j + usize::from(gap_after)
}

/// Whether `cj`, the character of `lj` bytes at byte `j` of `slice` after a word's
/// alphanumerics, joins the word on over the alphanumeric after it, and that one's length
/// if so. A dot joins only single letters (U.S, a.m) so sentence ends stay separate:
/// `run_single` tells whether the run of alphanumerics before it is one character.
#[inline]
fn joins(
    slice: &str,
    j: usize,
    cj: char,
    lj: usize,
    run_single: impl FnOnce() -> bool,
) -> Option<usize> {
    let n = slice.len();
    if !is_joiner(cj) || j + lj >= n {
        return None;
    }
    let (cn, ln) = char_at(slice, j + lj);
    if !is_alnum(cn) {
        return None;
    }
    if cj == '.' {
        let after = j + lj + ln;
        let next_single = after >= n || !is_alnum(char_at(slice, after).0);
        if !run_single() || !next_single {
            return None;
        }
    }
    Some(ln)
}

/// Whether a word ending in s just before byte `j` of `slice` is a plural possessive:
/// "countries’ ", an apostrophe followed by a space or the end.
#[inline]
fn trailing_apostrophe(slice: &str, j: usize) -> bool {
    let n = slice.len();
    if j >= n {
        return false;
    }
    let (cj, lj) = char_at(slice, j);
    matches!(cj, '\'' | '\u{2019}') && (j + lj >= n || char_at(slice, j + lj).0.is_whitespace())
}

/// The words of `text`, as [`tokenize`] draws its tokens: (start, end, first character),
/// byte offsets into `text`. The walk alone, for callers that need where the words are and
/// not their tokens.
pub fn words(text: &str) -> Words<'_> {
    Words { text, pos: 0 }
}

/// The iterator of [`words`].
pub struct Words<'t> {
    text: &'t str,
    pos: usize,
}

impl Iterator for Words<'_> {
    type Item = (usize, usize, char);

    #[inline]
    fn next(&mut self) -> Option<(usize, usize, char)> {
        let slice = self.text;
        let n = slice.len();
        let bytes = slice.as_bytes();
        let mut pos = self.pos;
        while pos < n {
            if bytes[pos] < 0x80 && !ASCII_ALNUM[bytes[pos] as usize] {
                pos += 1;
                continue;
            }
            let (c, cl) = char_at(slice, pos);
            if !is_alnum(c) {
                pos += cl;
                continue;
            }
            let tok_start = pos;
            let mut j = pos + cl;
            // Length of the run of alphanumerics that ends just before `j`; the character
            // before a token is never alphanumeric, so the run never reaches back past its
            // start.
            let mut run = 1usize;
            while j < n {
                if bytes[j] < 0x80 && ASCII_ALNUM[bytes[j] as usize] {
                    j += 1;
                    run += 1;
                    continue;
                }
                let (cj, lj) = char_at(slice, j);
                if is_alnum(cj) {
                    j += lj;
                    run += 1;
                    continue;
                }
                let Some(ln) = joins(slice, j, cj, lj, || run == 1) else {
                    break;
                };
                j += lj + ln;
                run = 1;
            }
            self.pos = j;
            return Some((tok_start, j, c));
        }
        self.pos = n;
        None
    }
}

/// The decimal digits of `n`, right-aligned in the buffer: they are `buf[first..]`.
pub(crate) fn decimal_digits(mut n: u64) -> ([u8; 20], usize) {
    let mut digits = [0u8; 20];
    let mut k = digits.len();
    loop {
        k -= 1;
        digits[k] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    (digits, k)
}

/// `format!("{prefix}{n}")` without the formatting machinery, which costs several times
/// more for a string made once per unit.
pub fn prefixed_number(prefix: char, n: usize) -> String {
    let (digits, k) = decimal_digits(n as u64);
    let mut out = String::with_capacity(prefix.len_utf8() + digits.len() - k);
    out.push(prefix);
    for &d in &digits[k..] {
        out.push(d as char);
    }
    out
}

/// Trims whitespace from a byte range of `text`.
pub fn trim_range(text: &str, start: usize, end: usize) -> (usize, usize) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead == s.len() {
        return (start, start);
    }
    (start + lead, end - trail)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokenizer as it was before the byte walk, kept as the specification.
    /// Splits `text[range]` into word tokens with offsets into `text`.
    fn tokenize_reference<'a>(
        text: &'a str,
        start: usize,
        end: usize,
        arena: &'a Bump,
    ) -> Vec<Token<'a>> {
        let slice = &text[start..end];
        let mut out = Vec::new();
        let chars: Vec<(usize, char)> = slice.char_indices().collect();
        let mut i = 0;
        while i < chars.len() {
            let (bi, c) = chars[i];
            if !c.is_alphanumeric() {
                i += 1;
                continue;
            }
            let tok_start = bi;
            let mut j = i + 1;
            while j < chars.len() {
                let cj = chars[j].1;
                if cj.is_alphanumeric() {
                    j += 1;
                } else if is_joiner(cj) && j + 1 < chars.len() && chars[j + 1].1.is_alphanumeric() {
                    // A dot joins only single letters (U.S, a.m) so sentence ends stay separate.
                    if cj == '.' {
                        let prev_alpha_run = chars[..j]
                            .iter()
                            .rev()
                            .take_while(|(_, c)| c.is_alphanumeric())
                            .count();
                        let next_alpha_run = chars[j + 1..]
                            .iter()
                            .take_while(|(_, c)| c.is_alphanumeric())
                            .count();
                        if prev_alpha_run != 1 || next_alpha_run != 1 {
                            break;
                        }
                    }
                    j += 2;
                } else {
                    break;
                }
            }
            let tok_end = if j < chars.len() {
                chars[j].0
            } else {
                slice.len()
            };
            let word = &slice[tok_start..tok_end];
            let mut norm = fold(word);
            let mut poss = false;
            if norm.ends_with("'s") && norm.len() > 2 {
                norm.truncate(norm.len() - 2);
                poss = true;
            } else if j < chars.len()
                && matches!(chars[j].1, '\'' | '\u{2019}')
                && norm.ends_with('s')
            {
                // countries’ — a trailing apostrophe after s, followed by a space
                let next = chars.get(j + 1).map(|x| x.1);
                if next.is_none_or(|n| n.is_whitespace()) {
                    poss = true;
                }
            }
            let cap = word.chars().next().is_some_and(|c| c.is_uppercase());
            out.push(Token {
                start: start + tok_start,
                end: start + tok_end,
                hyphen: norm.contains('-'),
                norm: arena.alloc_str(&norm),
                cap,
                poss,
                classes: 0,
            });
            i = j;
        }
        out
    }

    #[test]
    fn byte_walk_tokenizer_matches_the_reference() {
        let pieces = [
            "a",
            "B",
            "s",
            "'",
            "\u{2019}",
            ".",
            "-",
            "&",
            " ",
            "\n",
            "\u{0B}",
            "\u{A0}",
            "é",
            "É",
            "ß",
            "1",
            "`",
            "\u{201C}",
            "\u{2013}",
            "x",
            "Us",
            "'s",
            "\u{2019}s",
            "U.S.",
            "a.m.",
            "İ",
            "ǅ",
            "\u{2010}",
            "\u{2011}",
            "e\u{301}",
            "中",
            ",",
            "\u{2028}",
            "S",
            "'S",
            "Ab",
            "aBc",
            "Z9",
            "\u{2019}S",
            "É.",
            ".a",
        ];
        let mut rng = crate::testrng::XorShift(0x2545F4914F6CDD1D);
        let mut next = || rng.next();
        for _ in 0..20_000 {
            let len = (next() % 12) as usize;
            let s: String = (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            let pad = format!("x {s} y");
            let (normed, padded, arena) = (Normed::new(&s), Normed::new(&pad), Bump::new());
            assert_eq!(
                tokenize(&normed, 0, s.len()),
                tokenize_reference(&s, 0, s.len(), &arena),
                "{s:?}"
            );
            assert_eq!(
                tokenize(&padded, 2, 2 + s.len()),
                tokenize_reference(&pad, 2, 2 + s.len(), &arena),
                "{s:?}"
            );
            // Words that run on past the slice's ends.
            let glued = format!("x{s}y");
            assert_eq!(
                tokenize(&Normed::new(&glued), 1, 1 + s.len()),
                tokenize_reference(&glued, 1, 1 + s.len(), &arena),
                "{s:?}"
            );
            // The tokenizer's own walk draws the words where `words` does.
            let walked: Vec<(usize, usize)> = words(&s).map(|(a, b, _)| (a, b)).collect();
            let drawn: Vec<(usize, usize)> = tokenize(&normed, 0, s.len())
                .iter()
                .map(|t| (t.start, t.end))
                .collect();
            assert_eq!(walked, drawn, "{s:?}");
        }
        let t =
            "Pakistan\u{2019}s FO said the U.S. and one-sided countries\u{2019} claims' a.b.cd.";
        let arena = Bump::new();
        assert_eq!(
            tokenize(&Normed::new(t), 0, t.len()),
            tokenize_reference(t, 0, t.len(), &arena)
        );
    }

    /// Kept token lists, and copies of them, give back the tokens kept.
    #[test]
    fn kept_token_lists_give_back_the_kept_tokens() {
        let t = "Pakistan’s FO said the U.S. and Côte d’Ivoire’s one-sided ÉCLAT claims. Ab cd";
        // Owned, to outlive the tokens: (start, end, norm, cap, poss, hyphen, classes).
        let owned = |t: &Token| {
            let n = t.norm.to_string();
            (t.start, t.end, n, t.cap, t.poss, t.hyphen, t.classes)
        };
        let mut want = Vec::new();
        let (kept, ()) = TokenLists::keep(Normed::new(t), |n| {
            let toks = tokenize(n, 0, t.len());
            let lists = vec![toks[..5].to_vec(), toks[3..].to_vec(), Vec::new()];
            for l in &lists {
                want.push(l.iter().map(owned).collect::<Vec<_>>());
            }
            (lists, ())
        });
        let copy = kept.clone();
        drop(kept);
        assert_eq!(copy.len(), want.len());
        for (got, w) in copy.lists().iter().zip(&want) {
            assert_eq!(&got.iter().map(owned).collect::<Vec<_>>(), w);
        }
        assert!(TokenLists::default().clone().is_empty());
    }

    #[test]
    fn ascii_fast_path_folds_like_fold_char() {
        let all: String = (0u8..128).map(char::from).collect();
        let slow: String = all.chars().map(fold_char).collect();
        assert_eq!(fold(&all), slow);
    }

    #[test]
    fn tokens_keep_offsets_and_possessives() {
        let t = "Pakistan’s FO said the U.S. and one-sided countries’ claims.";
        let normed = Normed::new(t);
        let toks = tokenize(&normed, 0, t.len());
        let norms: Vec<&str> = toks.iter().map(|t| t.norm).collect();
        assert_eq!(
            norms,
            [
                "pakistan",
                "fo",
                "said",
                "the",
                "u.s",
                "and",
                "one-sided",
                "countries",
                "claims"
            ]
        );
        assert!(toks[0].poss);
        assert!(toks[7].poss);
        assert_eq!(&t[toks[0].start..toks[0].end], "Pakistan’s");
        assert!(toks[1].is_acronym(t));
    }

    #[test]
    fn mixed_text_folds_like_fold_char() {
        let t = "A`b “C” – É ß İ ǅ x\u{A0}y ‘Q’ 1";
        let slow: String = t.chars().map(fold_char).collect();
        assert_eq!(fold(t), slow);
        // Generated text: runs of ASCII (backquotes and capitals among them) between
        // multi-byte characters, at the start, the end and side by side.
        let alphabet: Vec<char> = "aZ`' .-9Q\u{A0}“”‘’–—ÉßİǅΣ\u{2033}é中".chars().collect();
        let mut rng = crate::testrng::XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..5000 {
            let len = (rng.next() % 24) as usize;
            let t: String = (0..len).map(|_| *rng.pick(&alphabet)).collect();
            let slow: String = t.chars().map(fold_char).collect();
            assert_eq!(fold(&t), slow, "{t:?}");
        }
    }

    #[test]
    fn with_folded_folds_as_fold() {
        let long = "A".repeat(64);
        let longer = "b".repeat(65);
        for s in [
            "",
            "Pakistan",
            "U.S.",
            "A`b",
            "“One‑sided”",
            "É",
            "x\u{A0}y",
            long.as_str(),
            longer.as_str(),
            "UNITED STATES",
            "Côte d'Ivoire",
        ] {
            assert_eq!(with_folded(s, str::to_string), fold(s), "{s:?}");
        }
        let all: String = (0u8..128).map(char::from).collect();
        for w in all.as_bytes().chunks(20) {
            let w = std::str::from_utf8(w).unwrap();
            assert_eq!(with_folded(w, str::to_string), fold(w), "{w:?}");
        }
    }

    #[test]
    fn fold_maps_typography() {
        assert_eq!(fold("“One‑sided” – ‘x’"), "\"one-sided\" - 'x'");
    }

    #[test]
    fn prefixed_number_formats_as_format_does() {
        for n in (0..2000).chain([9_999, 10_000, 123_456_789, usize::MAX]) {
            assert_eq!(prefixed_number('s', n), format!("s{n}"));
            assert_eq!(prefixed_number('é', n), format!("é{n}"));
        }
    }

    #[test]
    fn is_alnum_agrees_with_the_unicode_tables() {
        for c in '\0'..=char::MAX {
            assert_eq!(is_alnum(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn acronyms_are_words_of_two_or_more_uppercase_letters() {
        let t = "FO MEA ISPR U.S. A Fo fO 9/11 É.U. ÉU x-Y X-Y’S 12 AB3 ǅZ";
        for tok in tokenize(&Normed::new(t), 0, t.len()) {
            let letters: Vec<char> = t[tok.start..tok.end]
                .chars()
                .filter(|c| c.is_alphabetic())
                .collect();
            let slow = letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase());
            assert_eq!(tok.is_acronym(t), slow, "{}", &t[tok.start..tok.end]);
        }
    }
}
