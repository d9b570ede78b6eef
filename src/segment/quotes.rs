//! Quote spans. Marks are paired by direction (“ opens, ” closes; ASCII " by context);
//! ’ followed by a letter is an apostrophe, not a closing mark. A paragraph that ends inside
//! a quote continues it when the next paragraph re-opens with a mark (the multi-paragraph
//! convention, where the mark count is odd in correct text). Unbalanced marks never abort:
//! the quote is closed at the paragraph end and a warning with the offset is emitted.

use super::Paragraph;
use crate::error::InputIssue;
use crate::text::{is_close_double, is_open_double};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub id: usize,
    /// One byte range per paragraph the quote covers, marks included.
    pub pieces: Pieces,
    /// False when no closing mark was found.
    pub closed: bool,
    /// Single-mark quote (‘...’), used in UK style for fragments and headlines.
    pub single: bool,
    /// Words with a letter or digit, counted up to [`WORDS_COUNTED`]: all that
    /// [`Quote::is_speech`] asks.
    pub words: usize,
}

impl Quote {
    pub fn start(&self) -> usize {
        self.pieces[0].0
    }
    pub fn end(&self) -> usize {
        self.pieces[self.pieces.len() - 1].1
    }
    pub fn contains(&self, pos: usize) -> bool {
        self.pieces.iter().any(|&(s, e)| pos >= s && pos < e)
    }
    /// Speech rather than a scare quote, title or fragment inside indirect speech.
    pub fn is_speech(&self, text: &str) -> bool {
        if self.pieces.len() > 1 || self.words >= WORDS_COUNTED {
            return true;
        }
        let (s, e) = self.pieces[0];
        let inner =
            text[s..e].trim_matches(|c: char| crate::text::is_quote_mark(c) || c.is_whitespace());
        self.words >= 4
            && (inner.contains(['.', '!', '?', ','])
                || inner.chars().next().is_some_and(|c| c.is_uppercase()))
    }
}

/// A quote's byte ranges, used as a slice of them. Nearly every quote is one piece, held in
/// place: a list of one for each was ten heap blocks an article (issue 7).
#[derive(Clone)]
pub enum Pieces {
    One([(usize, usize); 1]),
    Many(Vec<(usize, usize)>),
}

impl Default for Pieces {
    fn default() -> Self {
        Pieces::Many(Vec::new())
    }
}

impl std::ops::Deref for Pieces {
    type Target = [(usize, usize)];
    fn deref(&self) -> &[(usize, usize)] {
        match self {
            Pieces::One(p) => p,
            Pieces::Many(p) => p,
        }
    }
}

impl<'a> IntoIterator for &'a Pieces {
    type Item = &'a (usize, usize);
    type IntoIter = std::slice::Iter<'a, (usize, usize)>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl From<Vec<(usize, usize)>> for Pieces {
    fn from(pieces: Vec<(usize, usize)>) -> Self {
        match pieces[..] {
            [one] => Pieces::One([one]),
            _ => Pieces::Many(pieces),
        }
    }
}

impl Pieces {
    /// The pieces with one more after them.
    fn with(self, piece: (usize, usize)) -> Pieces {
        match self {
            Pieces::One([first]) => Pieces::Many(vec![first, piece]),
            Pieces::Many(mut pieces) if !pieces.is_empty() => {
                pieces.push(piece);
                Pieces::Many(pieces)
            }
            Pieces::Many(_) => Pieces::One([piece]),
        }
    }
}

/// Compared and shown as the slice, however held.
impl PartialEq for Pieces {
    fn eq(&self, other: &Pieces) -> bool {
        self[..] == other[..]
    }
}

impl Eq for Pieces {}

impl std::fmt::Debug for Pieces {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// For each ASCII byte: 2 if it is whitespace (as `char::is_whitespace`), 1 if it is a
/// letter or digit.
const ASCII_CLASS: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if crate::text::is_ascii_space(c) {
            2
        } else {
            c.is_ascii_alphanumeric() as u8
        };
        b += 1;
    }
    t
};

/// A quote of this many words is speech whatever else it is, so its words are counted no
/// further.
pub const WORDS_COUNTED: usize = 8;

/// The whitespace-separated words of `s` with a letter or digit in them, up to `cap`, in
/// one walk that looks ASCII bytes up in a table and decodes only the other characters, and
/// stops at `cap`: counting every word of every quote was half of finding the quotes.
fn count_words(s: &str, cap: usize) -> usize {
    let bytes = s.as_bytes();
    let mut n = 0;
    // 1 while the word under way has a letter or digit; a word counts at its first one.
    let mut alnum = 0;
    let mut i = 0;
    loop {
        // Eight ASCII bytes at a time, all at once, the cap looked at after the eight:
        // counting on past it changes nothing, as the count is capped at the end. Byte by
        // byte, the steps and the test after each were most of finding the quotes.
        while let Some(chunk) = bytes[i..].first_chunk::<8>() {
            let w = u64::from_le_bytes(*chunk);
            if w & HIGH != 0 {
                break;
            }
            let (words, after) = chunk_words(w, alnum);
            n += words;
            alnum = after;
            i += 8;
            if n >= cap {
                return cap;
            }
        }
        let class = match bytes.get(i) {
            None => break,
            Some(&b) if b.is_ascii() => {
                i += 1;
                ASCII_CLASS[usize::from(b)]
            }
            Some(_) => {
                let Some(c) = s.get(i..).and_then(|rest| rest.chars().next()) else {
                    break;
                };
                i += c.len_utf8();
                if c.is_whitespace() {
                    2
                } else {
                    u8::from(crate::text::is_alnum(c))
                }
            }
        };
        word_step(&mut n, &mut alnum, class);
        if n >= cap {
            return cap;
        }
    }
    n.min(cap)
}

/// The high bit of every byte.
const HIGH: u64 = 0x8080_8080_8080_8080;

/// `b` in every byte.
const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// The high bit of each byte of `w` (all ASCII) that is in `lo..=hi`: no sum below carries
/// into the next byte, as every byte is below 0x80.
fn in_range(w: u64, lo: u8, hi: u8) -> u64 {
    w.wrapping_add(splat(0x80 - lo)) & !w.wrapping_add(splat(0x7f - hi)) & HIGH
}

/// [`word_step`] over the eight ASCII bytes of `w` (first byte lowest), from state `alnum`:
/// the words counted and the state after. A letter or digit counts when the last letter,
/// digit or space before it is a space (or, with none in `w`, when `alnum` is 0): which
/// that is, is carried over the other bytes by three shifts.
fn chunk_words(w: u64, alnum: usize) -> (usize, usize) {
    let letter = in_range(w, b'0', b'9') | in_range(w | splat(0x20), b'a', b'z');
    let space = in_range(w, b'\t', b'\r') | in_range(w, b' ', b' ');
    // At each byte, the high bit set if the last letter or space up to it is a letter.
    let (mut state, mut known) = (letter, letter | space);
    for shift in [8, 16, 32] {
        state |= (state << shift) & !known;
        known |= known << shift;
    }
    let carried = (alnum as u64) << 7;
    state |= (carried * 0x0101_0101_0101_0101) & !known;
    let before = state << 8 | carried;
    // The counted bytes' bits, one per byte at most, summed into the top byte by one
    // multiplication (`count_ones` is a dozen steps without a popcount instruction).
    let counted = ((letter & !before) >> 7).wrapping_mul(0x0101_0101_0101_0101) >> 56;
    (counted as usize, (state >> 63) as usize)
}

/// One character of [`count_words`], by its class (2 whitespace, 1 letter or digit, 0
/// other), without a branch.
#[inline(always)]
fn word_step(n: &mut usize, alnum: &mut usize, class: u8) {
    let (word_char, space) = (usize::from(class & 1), usize::from(class >> 1));
    *n += word_char & (*alnum ^ 1);
    *alnum = (*alnum | word_char) & (space ^ 1);
}

/// The plain count that [`count_words`] is tested against.
#[cfg(test)]
fn count_words_plain(s: &str) -> usize {
    s.split_whitespace()
        .filter(|w| w.chars().any(crate::text::is_alnum))
        .count()
}

/// The quote mark (", « », ‘ ’ “ ” „) whose first byte is at `at`, if one is.
fn quote_mark_at(bytes: &[u8], at: usize) -> Option<char> {
    match bytes.get(at..)? {
        [b'"', ..] => Some('"'),
        [0xC2, 0xAB, ..] => Some('\u{AB}'),
        [0xC2, 0xBB, ..] => Some('\u{BB}'),
        [0xE2, 0x80, third, ..] => match third {
            0x98 => Some('\u{2018}'),
            0x99 => Some('\u{2019}'),
            0x9C => Some('\u{201C}'),
            0x9D => Some('\u{201D}'),
            0x9E => Some('\u{201E}'),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a paragraph starts with an opening mark (the re-open of a continued quote).
fn reopens(text: &str, p: &Paragraph) -> bool {
    let first = text[p.start..p.end].chars().next();
    matches!(first, Some(c) if is_open_double(c) || c == '"')
}

pub fn find(
    article_id: &str,
    text: &str,
    paragraphs: &[Paragraph],
) -> (Vec<Quote>, Vec<InputIssue>) {
    // A quote for every other paragraph, as a rule: grown from empty, the list was regrown
    // (and its quotes copied) twice or thrice in every article.
    let mut quotes: Vec<Quote> = Vec::with_capacity(paragraphs.len() / 2 + 1);
    let mut warnings = Vec::new();
    // An open double quote carried across paragraphs: its pieces so far.
    let mut carry: Option<Pieces> = None;
    // Newline offsets, once: counting from the start of the text for every warning made a
    // megabyte of stray quote marks quadratic.
    // Found at the first warning: most articles have none.
    let newlines = std::cell::OnceCell::new();
    let line_of = |pos: usize| {
        newlines
            .get_or_init(|| memchr::memchr_iter(b'\n', text.as_bytes()).collect::<Vec<usize>>())
            .partition_point(|&n| n < pos)
            + 1
    };
    for (pi, p) in paragraphs.iter().enumerate() {
        let para = &text[p.start..p.end];
        let mut open: Option<usize> = None; // byte offset of the opening mark in this paragraph
        let mut single_open: Option<usize> = None;
        if carry.is_some() {
            if reopens(text, p) {
                open = Some(p.start);
            } else {
                // Previous paragraph never closed and this one does not re-open: end it there.
                let pieces = carry.take().unwrap_or_default();
                let at = pieces.last().map(|x| x.0).unwrap_or(p.start);
                warnings.push(InputIssue::warning(
                    article_id,
                    Some(line_of(at)),
                    "unbalanced-quote",
                    format!("quote opened at byte {at} is never closed"),
                ));
                push(&mut quotes, text, pieces, false, false);
            }
        }
        let skip_first = open.is_some();
        // Only quote marks change anything below: '"', and the marks that start with byte
        // C2 (« ») or E2 (‘ ’ “ ” „). The bytes in between are skipped unread (by memchr),
        // where walking every character was a twentieth of a run (issue 7).
        for off in memchr::memchr3_iter(b'"', 0xC2, 0xE2, para.as_bytes()) {
            // The re-opening mark of a carried quote is the paragraph's first character.
            if skip_first && off == 0 {
                continue;
            }
            // Only a quote mark changes anything below, told by its bytes (C2 and E2 are
            // always lead bytes), and a single mark only at the top level, a closing one only
            // after an opening one: the other characters of those lead bytes (dashes,
            // apostrophes, no-break spaces) go without being decoded or their neighbours read.
            let Some(c) = quote_mark_at(para.as_bytes(), off) else {
                continue;
            };
            let matters = c == '"'
                || is_open_double(c)
                || is_close_double(c)
                || (open.is_none()
                    && (c == '\u{2018}' || (c == '\u{2019}' && single_open.is_some())));
            if !matters {
                continue;
            }
            let pos = p.start + off;
            let prev = para[..off].chars().next_back();
            let next = para[off + c.len_utf8()..].chars().next();
            let german_open = open.is_some_and(|o| text[o..].starts_with('\u{201E}'));
            let is_close = is_close_double(c)
                || (c == '"' && open.is_some())
                || (c == '\u{201C}' && german_open);
            let is_open = (is_open_double(c) && !(c == '\u{201C}' && german_open))
                || (c == '"' && open.is_none());
            if open.is_some() && is_close {
                let o = open.take().unwrap_or(pos);
                let end = pos + c.len_utf8();
                let pieces = with_piece(carry.take(), (o, end));
                push(&mut quotes, text, pieces, true, false);
                continue;
            }
            if is_open {
                if let Some(o) = open {
                    // A second opening mark before any close: the first one was unbalanced.
                    warnings.push(InputIssue::warning(
                        article_id,
                        Some(line_of(o)),
                        "unbalanced-quote",
                        format!("quote opened at byte {o} is not closed before another opens"),
                    ));
                    let pieces = with_piece(carry.take(), (o, pos));
                    push(&mut quotes, text, pieces, false, false);
                }
                open = Some(pos);
                single_open = None;
                continue;
            }
            if is_close && open.is_none() {
                warnings.push(InputIssue::warning(
                    article_id,
                    Some(line_of(pos)),
                    "unbalanced-quote",
                    format!("closing quote mark at byte {pos} has no opening mark"),
                ));
                continue;
            }
            // Single marks only count at the top level (nested ones belong to the outer quote).
            if open.is_none() {
                if c == '\u{2018}'
                    && prev.is_none_or(|p| {
                        p.is_whitespace() || matches!(p, '(' | '[' | '\u{2014}' | '-')
                    })
                    && next.is_some_and(crate::text::is_alnum)
                {
                    single_open = Some(pos);
                } else if c == '\u{2019}'
                    && single_open.is_some()
                    && next.is_none_or(|n| !crate::text::is_alnum(n))
                {
                    // `s’ ` may be a plural possessive; only accept if the span is plausible.
                    let o = single_open.take().unwrap_or(pos);
                    let end = pos + c.len_utf8();
                    push(&mut quotes, text, Pieces::One([(o, end)]), true, true);
                }
            }
        }
        if let Some(o) = open {
            let pieces = with_piece(carry.take(), (o, p.end));
            let next_reopens = paragraphs.get(pi + 1).is_some_and(|np| reopens(text, np));
            if next_reopens {
                carry = Some(pieces);
            } else {
                warnings.push(InputIssue::warning(
                    article_id,
                    Some(line_of(o)),
                    "unbalanced-quote",
                    format!("quote opened at byte {o} is never closed"),
                ));
                push(&mut quotes, text, pieces, false, false);
            }
        }
    }
    if let Some(pieces) = carry {
        push(&mut quotes, text, pieces, false, false);
    }
    quotes.sort_by_key(|q| q.start());
    for (i, q) in quotes.iter_mut().enumerate() {
        q.id = i;
    }
    (quotes, cap_warnings(article_id, warnings))
}

/// The pieces of a quote carried from earlier paragraphs, if any, with one more.
fn with_piece(carry: Option<Pieces>, piece: (usize, usize)) -> Pieces {
    match carry {
        Some(pieces) => pieces.with(piece),
        None => Pieces::One([piece]),
    }
}

/// Most unbalanced-quote warnings an article reports one by one; text that is mostly stray
/// marks would otherwise bury every other problem of the batch on stderr and in `--errors`.
pub const MAX_QUOTE_WARNINGS: usize = 20;

/// Keeps the first [`MAX_QUOTE_WARNINGS`] and says how many more there were, so the count is
/// still on the record.
fn cap_warnings(article_id: &str, mut warnings: Vec<InputIssue>) -> Vec<InputIssue> {
    if warnings.len() > MAX_QUOTE_WARNINGS {
        let more = warnings.len() - MAX_QUOTE_WARNINGS;
        let line = warnings[MAX_QUOTE_WARNINGS].line;
        warnings.truncate(MAX_QUOTE_WARNINGS);
        warnings.push(InputIssue::warning(
            article_id,
            line,
            "unbalanced-quote",
            format!("{more} more unbalanced quote marks not listed"),
        ));
    }
    warnings
}

fn push(quotes: &mut Vec<Quote>, text: &str, pieces: Pieces, closed: bool, single: bool) {
    if pieces.is_empty() {
        return;
    }
    let mut words = 0;
    for &(s, e) in &pieces {
        if words == WORDS_COUNTED {
            break;
        }
        words += count_words(&text[s..e], WORDS_COUNTED - words);
    }
    quotes.push(Quote {
        id: quotes.len(),
        pieces,
        closed,
        single,
        words,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicon;
    use crate::segment::paragraphs;

    fn q(t: &str) -> (Vec<Quote>, Vec<InputIssue>) {
        let ps = paragraphs::split(t, &Lexicon::builtin());
        find("t", t, &ps)
    }

    /// `chunk_words` answers as eight steps, over generated ASCII bytes (letters, digits,
    /// spaces, control bytes and punctuation next to the ranges' edges) and both states.
    #[test]
    fn chunk_words_matches_the_steps() {
        let bytes = b"09azAZ/:@[`{ \t\n\x0b\x0c\r\x08\x0e\x1f\x00\x7f-.,'";
        let mut rng = crate::testrng::XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..20_000 {
            let chunk: [u8; 8] = std::array::from_fn(|_| *rng.pick(bytes));
            for alnum in [0, 1] {
                let (mut n, mut state) = (0, alnum);
                for b in chunk {
                    word_step(&mut n, &mut state, ASCII_CLASS[usize::from(b)]);
                }
                assert_eq!(
                    chunk_words(u64::from_le_bytes(chunk), alnum),
                    (n, state),
                    "{chunk:?} {alnum}"
                );
            }
        }
    }

    /// `Pieces` built piece by piece (as a carried quote grows) or from a list hold, compare
    /// and show what a plain list does.
    #[test]
    fn pieces_hold_what_a_list_holds() {
        let mut rng = crate::testrng::XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..2_000 {
            let list: Vec<(usize, usize)> = (0..1 + rng.next() % 4)
                .map(|_| (rng.next() as usize % 50, rng.next() as usize % 50))
                .collect();
            let mut built = with_piece(None, list[0]);
            for &p in &list[1..] {
                built = with_piece(Some(built), p);
            }
            assert_eq!(&built[..], &list[..]);
            assert_eq!(built.iter().count(), (&built).into_iter().count());
            assert_eq!(built, Pieces::from(list.clone()));
            assert_eq!(matches!(built, Pieces::One(_)), list.len() == 1);
            assert_eq!(format!("{built:?}"), format!("{list:?}"));
        }
        assert!(Pieces::default().is_empty());
        assert_eq!(&Pieces::default().with((1, 2))[..], &[(1, 2)]);
    }

    /// `count_words` counts as splitting on whitespace and keeping the words with a letter
    /// or digit, over generated text of ASCII and Unicode spaces, control bytes, quote marks,
    /// punctuation and letters.
    #[test]
    fn count_words_matches_the_plain_count() {
        let pieces = [
            " ", "\t", "\n", "\u{b}", "\u{c}", "\r", "\u{1c}", "\u{85}", "\u{a0}", "\u{2009}",
            "\u{3000}", "\u{201C}", "\u{201D}", "\u{2014}", "-", ".", ",", "a", "Z", "7", "\u{e9}",
            "\u{4e2d}", "\u{663}",
        ];
        let mut rng = crate::testrng::XorShift(0x5DEE_CE66_D1CE_4E5B);
        for _ in 0..20_000 {
            let n = (rng.next() % 40) as usize;
            let t: String = (0..n).map(|_| *rng.pick(&pieces)).collect();
            for cap in 0..12 {
                assert_eq!(
                    count_words(&t, cap),
                    count_words_plain(&t).min(cap),
                    "{t:?} {cap}"
                );
            }
        }
    }

    /// `quote_mark_at` finds the quote marks as decoding the character there and asking
    /// whether it is one, at every lead byte memchr stops at, over generated text of the
    /// marks and of other characters with their lead bytes.
    #[test]
    fn quote_mark_at_matches_decoding() {
        let pieces = [
            "\"", "\u{AB}", "\u{BB}", "\u{A0}", "\u{C2}", "\u{2018}", "\u{2019}", "\u{201C}",
            "\u{201D}", "\u{201E}", "\u{201F}", "\u{2014}", "\u{2026}", "\u{20AC}", "a", "'",
        ];
        let mut rng = crate::testrng::XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..3_000 {
            let text: String = (0..rng.next() % 8).map(|_| *rng.pick(&pieces)).collect();
            for off in memchr::memchr3_iter(b'"', 0xC2, 0xE2, text.as_bytes()) {
                let plain = text[off..]
                    .chars()
                    .next()
                    .filter(|&c| crate::text::is_quote_mark(c));
                assert_eq!(quote_mark_at(text.as_bytes(), off), plain, "{text:?} {off}");
            }
        }
    }

    #[test]
    fn apostrophes_are_not_closers() {
        let (qs, w) = q("He said “Pakistan’s stance is clear,” and left.");
        assert_eq!(qs.len(), 1);
        assert!(w.is_empty());
        assert!(qs[0].closed);
    }

    #[test]
    fn multi_paragraph_quote_is_one_quote() {
        let t = "“First part goes on.\n\n“Second part ends here.”\n\nNarration.";
        let (qs, w) = q(t);
        assert_eq!(qs.len(), 1, "{qs:?}");
        assert_eq!(qs[0].pieces.len(), 2);
        assert!(w.is_empty());
    }

    #[test]
    fn unbalanced_is_a_warning() {
        let (qs, w) = q("He said “this never closes.\n\nNext paragraph.");
        assert_eq!(qs.len(), 1);
        assert!(!qs[0].closed);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn stray_marks_warn_a_bounded_number_of_times() {
        let t = "” ".repeat(500);
        let (_, w) = q(&t);
        assert_eq!(w.len(), MAX_QUOTE_WARNINGS + 1);
        assert!(w[MAX_QUOTE_WARNINGS].message.starts_with("480 more"));
    }

    #[test]
    fn ascii_and_single_quotes() {
        let (qs, _) = q("He said \"we deny it\" and called it ‘fake news’ today.");
        assert_eq!(qs.len(), 2);
        assert!(qs[1].single);
    }
}
