//! The evidence behind the hand-written sentence splitter (src/segment/sentences.rs):
//! riposte's splitter, UAX#29 (unicode-segmentation) and sentencex on paragraphs written
//! here with the traps of news text, each with its gold sentences.
//! Run: `cargo run --example sentence_eval`.

use riposte::{segment, Lexicon};
use unicode_segmentation::UnicodeSegmentation;

const CASES: &[&[&str]] = &[
    &[
        "Mr. Khan met Dr. Smith on Feb. 13 in the U.S. Capitol.",
        "He left at 4 p.m. on Friday.",
    ],
    &[
        "J. K. Rowling (retd) agreed with Lt. Gen. Ahmed.",
        "The U.N. said no.",
    ],
    &[
        "“We are ready.",
        "We will win.",
        "Nobody stops us,” he said.",
    ],
    &["“Stop!” another man shouted.", "The crowd left."],
    &["The money went to Acme Inc.", "The firm denied it."],
    &[
        "Prices rose 2.5 percent in No. 3 district, Rs. 40 more than in Jan. 2024.",
        "Officials blamed the weather.",
    ],
    &[
        "He said, “The claims are false.”",
        "“We will sue,” he added.",
    ],
    &[
        "Gov. Reyes and Sen. Ortiz met St. Mary’s staff.",
        "Both declined to comment.",
    ],
];

fn ours(text: &str, lex: &Lexicon) -> Vec<String> {
    let seg = segment::segment("x", text, lex);
    seg.sentences
        .iter()
        .map(|s| text[s.start..s.end].to_string())
        .collect()
}

fn uax29(text: &str) -> Vec<String> {
    text.split_sentence_bounds()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn sentencex(text: &str) -> Vec<String> {
    sentencex::segment("en", text)
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn main() {
    let lex = Lexicon::builtin();
    let mut right = [0usize; 3];
    for gold in CASES {
        let text = gold.join(" ");
        let outs = [ours(&text, &lex), uax29(&text), sentencex(&text)];
        for (k, o) in outs.iter().enumerate() {
            if o.iter().map(String::as_str).eq(gold.iter().copied()) {
                right[k] += 1;
            } else {
                println!(
                    "{:<9} wrong: {:?}",
                    ["riposte", "UAX#29", "sentencex"][k],
                    o
                );
            }
        }
    }
    println!("\nparagraphs split exactly right, of {}:", CASES.len());
    for (k, name) in ["riposte", "UAX#29", "sentencex"].iter().enumerate() {
        println!("  {name:<9} {}", right[k]);
    }
}
