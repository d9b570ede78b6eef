//! Property tests: extraction and decoding never panic on arbitrary input, unit offsets always
//! slice back to the unit text, and CRLF line endings do not change what is extracted.

use proptest::prelude::*;
use riposte::read::{decode, ReadOptions};
use riposte::{Article, Hints, Lexicon};
use std::sync::OnceLock;

fn lex() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(Lexicon::builtin)
}

/// Pieces of news-like text: quote marks of every style, sentence ends, paragraph breaks,
/// reporting and dispute cues, capitalised names and parties, abbreviations, plus arbitrary
/// characters (combining marks, emoji, control characters) to shake the offsets.
fn piece() -> impl Strategy<Value = String> {
    let fixed = prop::sample::select(vec![
        "“",
        "”",
        "‘",
        "’",
        "\"",
        "'",
        "«",
        "»",
        "„",
        "‹",
        "›",
        ".",
        ". ",
        "!",
        "?",
        "…",
        ",",
        ":",
        ";",
        " ",
        "  ",
        "\n",
        "\n\n",
        "\t",
        "said",
        " said ",
        "says",
        "denied",
        " denied ",
        "rejected",
        "dismissed",
        "accused",
        "alleged",
        "allegations",
        "claims",
        "called on",
        "according to",
        "told",
        "added",
        "did not respond",
        "He",
        "She",
        "It",
        "They",
        "The",
        "the ministry",
        "Pakistan",
        "India",
        "Beijing",
        "Washington",
        "Mr.",
        "Dr.",
        "U.S.",
        "U.N.",
        "Khan",
        "Shafqat Ali Khan",
        "Foreign Office",
        "spokesperson",
        "Read more:",
        "View this post on Instagram",
        "# ",
        "## ",
        "- ",
        "=",
        "+",
        "@",
        "é",
        "e\u{301}",
        "👍🏽",
        "\u{200b}",
        "\u{feff}",
        "\u{2028}",
        "中文",
        "عربى",
        "\u{0}",
        "\r",
    ])
    .prop_map(str::to_string);
    let word = "[A-Z][a-z]{0,8}".prop_map(|s| s);
    let any_char = any::<char>().prop_map(|c| c.to_string());
    prop_oneof![6 => fixed, 2 => word, 1 => any_char]
}

/// A sentence shaped like reporting ("X accused Y of …", "“…,” X said."), with random
/// pieces spliced in, so that many cases do produce units.
fn sentence() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec![
        "Pakistan",
        "India",
        "The ministry",
        "Mr. Khan",
        "The Foreign Office",
        "Beijing",
        "The company",
        "He",
        "The group",
        "Dr. Ruth Banda",
    ]);
    let cue = prop::sample::select(vec![
        "said",
        "denied",
        "accused",
        "rejected",
        "dismissed",
        "alleged",
        "called on",
        "told reporters",
        "insisted",
        "criticised",
    ]);
    let (o, c) = (
        prop::sample::select(vec!["“", "\"", "‘", "«", "„", ""]),
        prop::sample::select(vec!["”", "\"", "’", "»", "“", ""]),
    );
    let body = prop::collection::vec(piece(), 0..12).prop_map(|v| v.concat());
    (
        name.clone(),
        cue.clone(),
        o,
        c,
        body,
        name,
        any::<bool>(),
        prop::sample::select(vec![".", ". ", ".\n\n", "\n", "!", "", ".”"]),
    )
        .prop_map(|(n, cue, o, c, body, n2, quoted, end)| {
            if quoted {
                format!("{o}{body},{c} {n} {cue}{end}")
            } else {
                format!("{n} {cue} {n2} of {o}{body}{c}{end}")
            }
        })
}

fn newsish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop_oneof![3 => piece(), 1 => sentence()], 0..120)
        .prop_map(|v| v.concat())
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![3 => newsish(), 1 => any::<String>()]
}

/// Checks every unit's char offsets against its text; returns the units as tuples.
fn units_of(text: &str) -> Result<Vec<(String, String, String)>, TestCaseError> {
    let art = Article::new("prop", text);
    let Ok(ex) = riposte::extract::extract(&art, lex(), &Hints::default()) else {
        return Ok(Vec::new());
    };
    let nchars = text.chars().count();
    let mut out = Vec::new();
    for u in &ex.units {
        prop_assert!(
            u.start <= u.end && u.end <= nchars,
            "range {}..{} outside 0..{nchars}: {:?}",
            u.start,
            u.end,
            u.text
        );
        let slice: String = text.chars().skip(u.start).take(u.end - u.start).collect();
        prop_assert_eq!(
            &slice,
            &u.text,
            "unit {} start..end does not slice back to its text",
            u.unit_id
        );
        out.push((
            u.role.as_str().to_string(),
            u.speaker.clone(),
            u.text.clone(),
        ));
    }
    Ok(out)
}

proptest! {
    // 256 cases keeps the suite fast; PROPTEST_CASES=20000 for a longer hunt.
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256), ..ProptestConfig::default() })]

    #[test]
    fn extract_never_panics_and_offsets_slice_to_text(t in text()) {
        units_of(&t)?;
    }

    #[test]
    fn decode_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = decode(&bytes, "x", &ReadOptions::default());
        let _ = decode(&bytes, "x", &ReadOptions { strict: true, ..ReadOptions::default() });
    }

    #[test]
    fn decode_never_panics_with_boms(bom in prop::sample::select(vec![&[0xEFu8, 0xBB, 0xBF][..], &[0xFF, 0xFE][..], &[0xFE, 0xFF][..], &[][..]]),
                                     bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let all = [bom, &bytes[..]].concat();
        if let Ok((text, _)) = decode(&all, "x", &ReadOptions::default()) {
            // Whatever comes out is valid text that extraction can take.
            units_of(&text)?;
        }
    }

    #[test]
    fn crlf_gives_the_same_units_as_lf(t in newsish()) {
        let lf = t.replace('\r', "");
        let crlf = lf.replace('\n', "\r\n");
        let a = units_of(&lf)?;
        let b: Vec<_> = units_of(&crlf)?.into_iter().map(|(r, s, t)| (r, s, t.replace('\r', ""))).collect();
        prop_assert_eq!(a, b);
    }
}

#[test]
fn crlf_sample_articles_give_the_same_units() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/articles");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for p in paths {
        let lf = std::fs::read_to_string(&p).unwrap().replace('\r', "");
        let crlf = lf.replace('\n', "\r\n");
        let a = units_of(&lf).unwrap();
        let b: Vec<_> = units_of(&crlf)
            .unwrap()
            .into_iter()
            .map(|(r, s, t)| (r, s, t.replace('\r', "")))
            .collect();
        assert_eq!(a, b, "{}: CRLF changes the units", p.display());
    }
}

/// Guards against the properties above passing vacuously: the generators do produce units.
#[test]
fn generators_produce_units() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strat = newsish();
    let (mut with_units, mut total) = (0, 0);
    for _ in 0..256 {
        let t = strat.new_tree(&mut runner).unwrap().current();
        total += 1;
        if !units_of(&t).unwrap().is_empty() {
            with_units += 1;
        }
    }
    println!("{with_units} of {total} generated texts have units");
    assert!(
        with_units * 10 >= total,
        "only {with_units} of {total} generated texts have units"
    );
}
