//! Paragraphs from blank lines (or single lines when a text has no blank line), tagged as
//! body, sub-heading or embed residue so that neither of the latter glues onto a sentence.

use crate::lexicon::Lexicon;
#[cfg(test)]
use crate::text::fold;
use crate::text::fold_ascii;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParaKind {
    Body,
    /// Short unpunctuated line (or markdown heading): repeats a later paragraph; no units.
    Subheading,
    /// "View this post on Instagram", "Read more: ..." and similar page furniture.
    Residue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub index: usize,
    pub start: usize,
    pub end: usize,
    pub kind: ParaKind,
}

fn line_ranges(text: &str) -> Vec<(usize, usize)> {
    // Sized for lines of 64 bytes: grown from empty, the list was regrown a few times in
    // every article.
    let mut out = Vec::with_capacity(text.len() / 64 + 1);
    let mut start = 0;
    for i in memchr::memchr_iter(b'\n', text.as_bytes()) {
        out.push((start, i));
        start = i + 1;
    }
    out.push((start, text.len()));
    out
}

/// The first bytes of the residue entries, and whether one is empty (it matches every
/// line): taken once per article, so that a line whose folded first byte starts no entry is
/// told apart by one bit test instead of a pass over the entries (a line's costliest step).
struct ResidueHeads {
    empty: bool,
    firsts: [u64; 4],
}

impl ResidueHeads {
    fn new(lex: &Lexicon) -> Self {
        let mut heads = ResidueHeads {
            empty: false,
            firsts: [0; 4],
        };
        for r in &lex.residue {
            match r.as_bytes().first() {
                Some(&b) => heads.firsts[usize::from(b >> 6)] |= 1 << (b & 63),
                None => heads.empty = true,
            }
        }
        heads
    }

    /// Whether an entry may start with byte `b`: false only when none does.
    fn may_start(&self, b: u8) -> bool {
        self.empty || self.firsts[usize::from(b >> 6)] >> (b & 63) & 1 == 1
    }
}

pub fn classify_line(line: &str, lex: &Lexicon) -> ParaKind {
    classify_line_with(line, lex, &ResidueHeads::new(lex))
}

fn classify_line_with(line: &str, lex: &Lexicon, heads: &ResidueHeads) -> ParaKind {
    let t = super::trim_str(line);
    if t.starts_with('#') {
        return ParaKind::Subheading;
    }
    // `fold` maps char to char, so an entry can only match a line whose first character
    // folds to the entry's first: most lines ("The ...") are told apart by one comparison
    // per entry, without folding.
    let residue = match t.chars().next() {
        // An ASCII first character folds to one byte, and the entries are told apart by
        // their first byte without a slice compare each.
        // So does an ASCII second character: compared too before the entry is folded
        // against, it turns away most lines that share an entry's first letter ("A ...",
        // "S ...": most of the calls).
        Some(c0) if c0.is_ascii() => {
            let f0 = fold_ascii(c0 as u8);
            let f1 = t
                .as_bytes()
                .get(1)
                .filter(|b| b.is_ascii())
                .map(|&b| fold_ascii(b));
            heads.may_start(f0)
                && lex.residue.iter().any(|r| match *r.as_bytes() {
                    [] => true,
                    [b, ..] if b != f0 => false,
                    [_, r1, ..] if f1.is_some_and(|f1| f1 != r1) => false,
                    _ => folded_starts_with(t, r),
                })
        }
        Some(c0) => {
            let mut buf = [0u8; 4];
            let f0 = crate::text::fold_char(c0).encode_utf8(&mut buf).as_bytes();
            heads.may_start(f0[0])
                && lex.residue.iter().any(|r| {
                    r.is_empty() || (r.as_bytes().starts_with(f0) && folded_starts_with(t, r))
                })
        }
        None => lex.residue.iter().any(|r| r.is_empty()),
    };
    if residue {
        return ParaKind::Residue;
    }
    let last = t.chars().last().unwrap_or('.');
    let first = t.chars().next().unwrap_or('a');
    let punctuated = matches!(
        last,
        '.' | '!'
            | '?'
            | ':'
            | ';'
            | ','
            | '"'
            | '\u{201D}'
            | '\u{2019}'
            | '\u{00BB}'
            | ')'
            | '\u{2026}'
    );
    // At most 16 words, without counting the words of a long paragraph.
    let short = || t.split_whitespace().nth(16).is_none();
    if !punctuated && short() && !crate::text::is_quote_mark(first) {
        return ParaKind::Subheading;
    }
    ParaKind::Body
}

/// Whether `fold(t)` starts with `prefix`, folding only as many characters of `t` as it
/// takes to tell: usually one or two. Folding the line's first 64 characters for every line
/// that might be residue was a tenth of segmenting (issue 7).
fn folded_starts_with(t: &str, prefix: &str) -> bool {
    let mut rest = prefix.as_bytes();
    let mut buf = [0u8; 4];
    for c in t.chars() {
        if rest.is_empty() {
            return true;
        }
        if c.is_ascii() {
            match rest.split_first() {
                Some((&b, r)) if b == fold_ascii(c as u8) => rest = r,
                _ => return false,
            }
            continue;
        }
        let f = crate::text::fold_char(c).encode_utf8(&mut buf).as_bytes();
        match rest.strip_prefix(f) {
            Some(r) => rest = r,
            None => return false,
        }
    }
    rest.is_empty()
}

/// Whether the trimmed line `t` starts with a residue entry, folding its first `head`
/// characters once for every entry of at most `head` bytes: the reference that
/// [`folded_starts_with`] is tested against.
#[cfg(test)]
fn is_residue(t: &str, lex: &Lexicon, head: usize) -> bool {
    let head_end = t.char_indices().nth(head).map_or(t.len(), |(i, _)| i);
    let f = fold(&t[..head_end]);
    lex.residue.iter().any(|r| {
        if r.len() > head && head_end < t.len() {
            fold(t).starts_with(r.as_str())
        } else {
            f.starts_with(r.as_str())
        }
    })
}

/// `line.trim().is_empty()`, told from the first byte for most lines: a line asked about
/// three times over, and trimmed at both ends each time.
fn is_blank(line: &str) -> bool {
    match line.as_bytes().first() {
        Some(&b) if super::solid(b) => false,
        _ => line.trim().is_empty(),
    }
}

pub fn split(text: &str, lex: &Lexicon) -> Vec<Paragraph> {
    let heads = ResidueHeads::new(lex);
    let lines = line_ranges(text);
    // Blank lines count only between text, not at the ends.
    let first = lines.iter().position(|&(s, e)| !is_blank(&text[s..e]));
    let last = lines.iter().rposition(|&(s, e)| !is_blank(&text[s..e]));
    let has_blank = match (first, last) {
        (Some(f), Some(l)) => lines[f..=l].iter().any(|&(s, e)| is_blank(&text[s..e])),
        _ => false,
    };
    // Each block with the kind of its one line, when it is one line: the block trimmed is that
    // line trimmed, so classifying it again would give the same answer.
    let mut blocks: Vec<(usize, usize, Option<ParaKind>)> = Vec::with_capacity(lines.len());
    if has_blank {
        // Blank lines separate paragraphs; inside a block, a line of page furniture or a
        // heading is cut out so it cannot glue onto the sentence after it.
        let mut cur: Option<(usize, usize, Option<ParaKind>)> = None;
        for &(s, e) in &lines {
            let line = &text[s..e];
            if is_blank(line) {
                blocks.extend(cur.take());
                continue;
            }
            let kind = classify_line_with(line, lex, &heads);
            if kind != ParaKind::Body {
                blocks.extend(cur.take());
                blocks.push((s, e, Some(kind)));
                continue;
            }
            cur = Some(match cur {
                Some((cs, _, _)) => (cs, e, None),
                None => (s, e, Some(kind)),
            });
        }
        blocks.extend(cur);
    } else {
        blocks = lines
            .into_iter()
            .filter(|&(s, e)| !is_blank(&text[s..e]))
            .map(|(s, e)| (s, e, None))
            .collect();
    }
    let mut out = Vec::with_capacity(blocks.len());
    for (s, e, known) in blocks {
        let (s, e) = super::trim_quick(text, s, e);
        if s == e {
            continue;
        }
        let kind = known.unwrap_or_else(|| classify_line_with(&text[s..e], lex, &heads));
        out.push(Paragraph {
            index: out.len(),
            start: s,
            end: e,
            kind,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `folded_starts_with` answers as folding the whole line: every residue entry against
    /// lines made of entries, their case and typographic variants, cut and extended past 64
    /// characters.
    #[test]
    fn folded_prefix_answers_as_folding_the_line() {
        let lex = Lexicon::builtin();
        let mut lines: Vec<String> = Vec::new();
        for r in &lex.residue {
            let upper = r.to_uppercase();
            let curly = r
                .replace('\'', "\u{2019}")
                .replace('"', "\u{201C}")
                .replace(' ', "\u{a0}");
            for base in [r.clone(), upper, curly] {
                for cut in [
                    0,
                    1,
                    2,
                    base.chars().count() / 2,
                    base.chars().count().saturating_sub(1),
                ] {
                    lines.push(base.chars().take(cut).collect());
                }
                lines.push(format!("{base} {}", "é".repeat(70)));
                lines.push(format!("{base}x"));
                lines.push(base);
            }
        }
        lines.extend(["", "İstanbul", "ǅ", "\u{212A}elvin", "`read more`"].map(String::from));
        for b in 0..128u8 {
            assert_eq!(
                fold_ascii(b) as char,
                crate::text::fold_char(b as char),
                "{b}"
            );
        }
        for t in &lines {
            // Residue as folding the whole trimmed line would find it.
            let tt = t.trim();
            let slow = !tt.starts_with('#')
                && lex.residue.iter().any(|r| fold(tt).starts_with(r.as_str()));
            assert_eq!(classify_line(t, &lex) == ParaKind::Residue, slow, "{t:?}");
            for r in &lex.residue {
                assert_eq!(
                    folded_starts_with(t, r),
                    fold(t).starts_with(r.as_str()),
                    "{t:?} {r:?}"
                );
            }
        }
    }

    #[test]
    fn first_character_filter_keeps_every_residue_line() {
        let lex = Lexicon::builtin();
        let starts = [
            "",
            "Read more",
            "READ MORE: x",
            "read more",
            "Also read",
            "«Read more»",
            "`read",
            "\u{201C}Click here",
            "Subscribe",
            "The minister",
            "\u{2018}Watch:",
            "Ｒead",
            "İ",
            "Sign up for",
            "Related: x",
            "Story continues below",
            "Advertisement",
        ];
        for a in starts {
            for b in ["", " now", ".", " — the \u{2019}x\u{2019}", "\u{A0}y"] {
                let t = format!("{a}{b}");
                let t = t.trim();
                let kind = classify_line(t, &lex);
                assert_eq!(kind == ParaKind::Residue, is_residue(t, &lex, 64), "{t:?}");
            }
        }
    }

    /// `is_blank` answers as trimming, over generated lines of ASCII and Unicode spaces,
    /// control bytes and letters.
    #[test]
    fn is_blank_matches_trimming() {
        let pieces = [
            " ", "\t", "\r", "\u{b}", "\u{c}", "\u{1c}", "\u{85}", "\u{a0}", "\u{3000}", "a",
            "\u{e9}", ".",
        ];
        let mut rng = crate::testrng::XorShift(0x2545_F491_4F6C_DD1D);
        for _ in 0..5_000 {
            let line: String = (0..rng.next() % 6).map(|_| *rng.pick(&pieces)).collect();
            assert_eq!(is_blank(&line), line.trim().is_empty(), "{line:?}");
        }
    }

    #[test]
    fn tags_residue_and_subheadings() {
        let lex = Lexicon::builtin();
        let t = "First para said this.\n\nView this post on Instagram\n\nTrump says US has approved extradition\n\n“Quote,” he said.";
        let p = split(t, &lex);
        let kinds: Vec<ParaKind> = p.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            [
                ParaKind::Body,
                ParaKind::Residue,
                ParaKind::Subheading,
                ParaKind::Body
            ]
        );
    }

    #[test]
    fn single_newline_texts_use_lines() {
        let lex = Lexicon::builtin();
        let p = split("One line here.\nAnother line.\n", &lex);
        assert_eq!(p.len(), 2);
    }
}
