//! The review page: one self-contained HTML file with claim and rebuttal side by side.
//!
//! Article text is attacker-controlled, so every piece of it goes through [`escape`] and the
//! page forbids everything but its own inline style and its one script (Content Security
//! Policy with a nonce): even a missed escape could not load or run anything.

use crate::report::Cell;
use std::collections::HashSet;
use std::fmt::Write as _;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// The shared terms of an `evidence` cell (`…; shared: budget, vat; …`). They are stems, so
/// a word is highlighted when it starts with one.
pub fn shared_terms(evidence: &str) -> Vec<String> {
    evidence
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("shared:"))
        .flat_map(|p| p.split(','))
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect()
}

/// Escaped text with the words that start with a shared term wrapped in `<mark>`.
pub fn highlight(text: &str, terms: &[String]) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let lower = word.to_lowercase();
        if terms.iter().any(|t| lower.starts_with(t.as_str())) {
            let _ = write!(out, "<mark>{}</mark>", escape(word));
        } else {
            out.push_str(&escape(word));
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push_str(&escape(c.encode_utf8(&mut [0; 4])));
        }
    }
    flush(&mut word, &mut out);
    out
}

/// A row's element id: its pair_id when that is a usable, unused id (links to a pairing then
/// survive reruns, as pair_ids do), otherwise its row number. The ids of its two offset links
/// are reserved with it.
fn anchor_for(pair_id: &str, n: usize, taken: &mut HashSet<String>) -> String {
    let free = |id: &str, taken: &HashSet<String>| {
        ["", "-claim", "-rebuttal"]
            .iter()
            .all(|s| !taken.contains(&format!("{id}{s}")))
    };
    let usable = !pair_id.is_empty()
        && pair_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let mut id = if usable && free(pair_id, taken) {
        pair_id.to_string()
    } else {
        format!("row-{}", n + 1)
    };
    while !free(&id, taken) {
        id.push('_');
    }
    for s in ["", "-claim", "-rebuttal"] {
        taken.insert(format!("{id}{s}"));
    }
    id
}

fn cell_text(c: &Cell) -> String {
    match c {
        Cell::Text(s) => s.clone(),
        Cell::Int(i) => i.to_string(),
        Cell::Num(f) => format!("{f:.3}"),
        Cell::Empty => String::new(),
    }
}

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:1rem;color:#222}
h1{font-size:1.3rem}form{position:sticky;top:0;background:#fff;padding:.5rem 0;border-bottom:1px solid #ccc}
form label{margin-right:1rem}table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{border-bottom:1px solid #ddd;padding:.4rem;vertical-align:top;text-align:left}
th.s{width:9rem}th.e{width:16rem}.who{color:#555;font-size:.85em;margin-bottom:.2rem}
.bar{background:#eee;height:.5rem;width:100%;margin:.2rem 0}.bar span{display:block;height:100%;background:#3b7dd8}
mark{background:#ffe58a}.tag{display:inline-block;border-radius:.3rem;padding:0 .3rem;margin:.1rem 0;background:#eee;font-size:.85em}
.paired{background:#d9f0dc}.unanswered{background:#fde2c8}.unmatched{background:#e6ddf5}
.wrong{background:#f8c9c9}.correct{background:#c9f0cf}code{font-size:.8em;word-break:break-all}
.ev{font-size:.85em;color:#444}a.off{color:inherit}:target{outline:2px solid #3b7dd8}tr:has(:target){background:#eef4fd}";

const SCRIPT: &str = "const $=id=>document.getElementById(id);
const F={status:'f-status',confidence:'f-conf',verdict:'f-verdict',q:'f-q'};
function apply(){const s=$('f-status').value,c=$('f-conf').value,v=$('f-verdict').value,q=$('f-q').value.toLowerCase(),o=$('f-sample').checked;let n=0;
for(const tr of document.querySelectorAll('#rows tbody tr')){const d=tr.dataset;
const ok=(!s||d.status===s)&&(!c||d.confidence===c)&&(!v||(v==='-'?d.verdict==='':d.verdict===v))&&(!o||d.sample!=='')&&(!q||tr.textContent.toLowerCase().includes(q));
tr.hidden=!ok;if(ok)n++;}$('shown').textContent=n;}
function fromHash(){const h=decodeURIComponent(location.hash.slice(1));if(!h)return;
if(h.includes('=')){const p=new URLSearchParams(h);for(const k in F)$(F[k]).value=p.get(k)||'';$('f-sample').checked=p.has('sample');}
else{const t=$(h);if(!t)return;const r=t.closest('tr');if(r&&r.hidden){for(const k in F)$(F[k]).value='';$('f-sample').checked=false;apply();}t.scrollIntoView({block:'center'});return;}
apply();}
function toHash(){const p=new URLSearchParams();for(const k in F)if($(F[k]).value)p.set(k,$(F[k]).value);if($('f-sample').checked)p.set('sample','1');
try{history.replaceState(null,'','#'+p)}catch(e){}}
document.querySelectorAll('#filters select,#filters input').forEach(e=>e.addEventListener('input',()=>{apply();toHash();}));
addEventListener('hashchange',fromHash);apply();fromHash();";

/// Renders a pair report (by column name, so extra or missing optional columns are fine).
pub fn render(headers: &[&str], rows: &[Vec<Cell>], title: &str) -> String {
    let col = |n: &str| headers.iter().position(|h| *h == n);
    let get = |row: &[Cell], n: &str| {
        col(n)
            .and_then(|i| row.get(i))
            .map(cell_text)
            .unwrap_or_default()
    };
    let mut counts = [0usize; 3];
    let mut body = String::new();
    // The page's own element ids are taken, so a pair_id from a hand-edited sheet cannot
    // capture the hash that drives the filters.
    let mut anchors: HashSet<String> = ["rows", "shown", "filters", "f-status", "f-conf"]
        .into_iter()
        .chain(["f-verdict", "f-sample", "f-q"])
        .map(String::from)
        .collect();
    for (n, row) in rows.iter().enumerate() {
        let status = get(row, "status");
        if let Some(i) = ["paired", "unanswered", "unmatched"]
            .iter()
            .position(|s| *s == status)
        {
            counts[i] += 1;
        }
        let confidence = get(row, "confidence");
        let verdict = get(row, "verdict").trim().to_lowercase();
        let evidence = get(row, "evidence");
        let terms = shared_terms(&evidence);
        let score = col("score").and_then(|i| match row.get(i) {
            Some(Cell::Num(x)) => Some(*x),
            Some(Cell::Text(s)) => s.trim().replace(',', ".").parse().ok(),
            _ => None,
        });
        let article = get(row, "article");
        let anchor = anchor_for(&get(row, "pair_id"), n, &mut anchors);
        let offsets = |p: &str| {
            (
                get(row, &format!("{p}_start")),
                get(row, &format!("{p}_end")),
            )
        };
        let side = |p: &str| {
            let text = get(row, &format!("{p}_text"));
            if text.is_empty() {
                return "<td class=\"none\">—</td>".to_string();
            }
            let (start, end) = offsets(p);
            format!(
                "<td><div class=\"who\">{} <span class=\"tag\">{}</span> {} · {} · \
<a class=\"off\" id=\"{anchor}-{p}\" href=\"#{anchor}-{p}\" data-start=\"{start}\" data-end=\"{end}\" \
title=\"characters {start} to {end} of article {art}\">chars {start}–{end}</a></div><div>{}</div></td>",
                escape(&get(row, &format!("{p}_speaker"))),
                escape(&get(row, &format!("{p}_side"))),
                escape(&get(row, &format!("{p}_kind"))),
                escape(&get(row, &format!("{p}_id"))),
                highlight(&text, &terms),
                start = escape(&start),
                end = escape(&end),
                art = escape(&article),
            )
        };
        let (cs, ce) = offsets("claim");
        let (rs, re) = offsets("rebuttal");
        let score_cell = match score {
            Some(x) => format!(
                "<div class=\"bar\"><span style=\"width:{:.0}%\"></span></div>{x:.3}",
                (x.clamp(0.0, 1.0) * 100.0)
            ),
            None => String::new(),
        };
        let note = get(row, "note");
        let _ = writeln!(
            body,
            "<tr id=\"{anchor}\" data-status=\"{st}\" data-confidence=\"{cf}\" data-verdict=\"{vd}\" data-sample=\"{sm}\" \
data-claim-start=\"{cs}\" data-claim-end=\"{ce}\" data-rebuttal-start=\"{rs}\" data-rebuttal-end=\"{re}\">\
<td>{score_cell}<br><span class=\"tag {st}\">{st}</span> <span class=\"tag\">{cf}</span> {basis}{vtag}</td>{claim}{rebuttal}\
<td class=\"ev\"><code>{pid}</code><br>{art}<br>{ev}{note}</td></tr>",
            st = escape(&status),
            cf = escape(&confidence),
            vd = escape(&verdict),
            sm = escape(get(row, "sample").trim()),
            basis = escape(&get(row, "basis")),
            vtag = if verdict.is_empty() {
                String::new()
            } else {
                format!(" <span class=\"tag {0}\">{0}</span>", escape(&verdict))
            },
            claim = side("claim"),
            rebuttal = side("rebuttal"),
            pid = escape(&get(row, "pair_id")),
            art = escape(&article),
            cs = escape(&cs),
            ce = escape(&ce),
            rs = escape(&rs),
            re = escape(&re),
            ev = escape(&evidence),
            note = if note.is_empty() {
                String::new()
            } else {
                format!("<br><b>note:</b> {}", escape(&note))
            },
        );
    }
    let options = |vals: &[(&str, &str)]| {
        vals.iter()
            .map(|(v, l)| format!("<option value=\"{v}\">{l}</option>"))
            .collect::<String>()
    };
    let nonce = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(body.as_bytes()));
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-{nonce}'\">\
<meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title><style>{STYLE}</style></head>\n<body>\
<h1>{title}</h1><p>{total} rows: {} paired, {} unanswered, {} unmatched. Shared terms are <mark>highlighted</mark>.</p>\
<form id=\"filters\"><label>status <select id=\"f-status\">{}</select></label>\
<label>confidence <select id=\"f-conf\">{}</select></label>\
<label>verdict <select id=\"f-verdict\">{}</select></label>\
<label><input type=\"checkbox\" id=\"f-sample\"> sample only</label>\
<label>search <input type=\"search\" id=\"f-q\"></label> showing <span id=\"shown\">{total}</span></form>\n\
<table id=\"rows\"><thead><tr><th class=\"s\">score</th><th>claim</th><th>rebuttal</th><th class=\"e\">pair · article · evidence</th></tr></thead><tbody>\n\
{body}</tbody></table><script nonce=\"{nonce}\">{SCRIPT}</script></body></html>\n",
        counts[0],
        counts[1],
        counts[2],
        options(&[("", "all"), ("paired", "paired"), ("unanswered", "unanswered"), ("unmatched", "unmatched")]),
        options(&[("", "all"), ("high", "high"), ("medium", "medium"), ("low", "low")]),
        options(&[("", "all"), ("-", "(blank)"), ("correct", "correct"), ("wrong", "wrong"), ("unsure", "unsure")]),
        title = escape(title),
        total = rows.len(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_escapes_and_marks() {
        let t = vec!["budget".to_string()];
        assert_eq!(
            highlight("<b>Budgets</b> & x", &t),
            "&lt;b&gt;<mark>Budgets</mark>&lt;/b&gt; &amp; x"
        );
        assert_eq!(
            shared_terms("rule: x; shared: budget, vat; order 0.5"),
            ["budget", "vat"]
        );
    }

    #[test]
    fn anchors_are_unique_and_never_an_element_of_the_page() {
        let mut taken: HashSet<String> = ["rows".to_string()].into();
        let ids: Vec<String> = ["p1", "p1", "rows", "a b\"", "", "p2-claim", "p2"]
            .iter()
            .enumerate()
            .map(|(n, p)| anchor_for(p, n, &mut taken))
            .collect();
        assert_eq!(
            ids,
            ["p1", "row-2", "row-3", "row-4", "row-5", "p2-claim", "row-7"]
        );
    }
}
