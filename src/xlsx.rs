//! The native Excel workbook. Unlike CSV, every cell carries its type, so ids such as `00123`
//! or `1-2` stay text, scores stay numbers, and a text cell starting with `=` is inert text
//! (no `'` guard needed, and none shown).

use crate::report::{Cell, CsvOptions, Table};
use rust_xlsxwriter::{
    Color, ConditionalFormat3ColorScale, ConditionalFormatType, DataValidation, Format,
    FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

/// The verdicts the `verdict` column's dropdown offers; `riposte review` reads these back.
pub const VERDICTS: [&str; 3] = ["correct", "wrong", "unsure"];

/// Column width in characters, from the column's name: long prose wide, ids and numbers
/// narrow, so a reviewer sees both texts without resizing.
fn width(header: &str) -> f64 {
    match header {
        "claim_text" | "rebuttal_text" | "text" => 60.0,
        "evidence" => 40.0,
        "note" => 30.0,
        "article" | "dispute" => 24.0,
        "pair_id" => 19.0,
        "verdict" => 11.0,
        h if h.ends_with("_speaker") || h == "speaker" || h == "speaker_mention" => 20.0,
        h if h.ends_with("_rule") || h == "rule" => 28.0,
        h if h.ends_with("_side") || h.ends_with("_kind") || h.ends_with("_cue") => 12.0,
        _ => 10.0,
    }
}

fn is_prose(header: &str) -> bool {
    matches!(
        header,
        "claim_text" | "rebuttal_text" | "text" | "evidence" | "note"
    )
}

/// Builds the workbook in memory. More rows than a worksheet holds go to further worksheets
/// (`report`, `report 2`, …), each with the same header and aids.
pub fn workbook(table: &Table, opts: &CsvOptions) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let header = Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xDDE4EE))
        .set_border_bottom(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let plain = Format::new().set_align(FormatAlign::Top);
    let number = Format::new()
        .set_num_format("0.000")
        .set_align(FormatAlign::Top);
    let max = opts.max_rows.clamp(1, crate::report::MAX_SHEET_ROWS);
    let chunks: Vec<&[Vec<Cell>]> = if table.rows.is_empty() {
        vec![&[]]
    } else {
        table.rows.chunks(max).collect()
    };
    for (i, rows) in chunks.into_iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(if i == 0 {
            "report".to_string()
        } else {
            format!("report {}", i + 1)
        })?;
        for (c, h) in table.headers.iter().enumerate() {
            let c = c as u16;
            ws.write_string_with_format(0, c, *h, &header)?;
            ws.set_column_width(c, width(h))?;
        }
        for (r, row) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, (cell, h)) in row.iter().zip(&table.headers).enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) => {
                        let s = crate::report::fit_cell(s, opts.keep_newlines);
                        let f = if is_prose(h) { &wrap } else { &plain };
                        ws.write_string_with_format(r, c, s, f)?;
                    }
                    Cell::Int(n) => {
                        ws.write_number_with_format(r, c, *n as f64, &plain)?;
                    }
                    Cell::Num(x) => {
                        // The same 3 decimals as CSV and JSON Lines, so a threshold read
                        // off one format selects the same rows in another.
                        let x = (x * 1000.0).round() / 1000.0;
                        ws.write_number_with_format(r, c, x, &number)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        review_aids(ws, &table.headers, rows.len() as u32)?;
    }
    wb.save_to_buffer()
}

/// Frozen header, filters on every column, a colour scale on the score and a dropdown on the
/// verdict: what a reviewer would otherwise set up by hand in every new report.
fn review_aids(ws: &mut Worksheet, headers: &[&str], rows: u32) -> Result<(), XlsxError> {
    let last_col = headers.len().saturating_sub(1) as u16;
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, rows.max(1), last_col)?;
    let last_row = rows.max(1);
    if let Some(c) = headers.iter().position(|h| *h == "score") {
        let scale = ConditionalFormat3ColorScale::new()
            .set_minimum(ConditionalFormatType::Number, 0)
            .set_midpoint(ConditionalFormatType::Number, 0.3)
            .set_maximum(ConditionalFormatType::Number, 1)
            .set_minimum_color(Color::RGB(0xF8696B))
            .set_midpoint_color(Color::RGB(0xFFEB84))
            .set_maximum_color(Color::RGB(0x63BE7B));
        ws.add_conditional_format(1, c as u16, last_row, c as u16, &scale)?;
    }
    if let Some(c) = headers.iter().position(|h| *h == "verdict") {
        let dv = DataValidation::new()
            .allow_list_strings(&VERDICTS)?
            .set_error_title("Verdict")?
            .set_error_message("Choose correct, wrong or unsure (or leave it blank).")?;
        ws.add_data_validation(1, c as u16, last_row, c as u16, &dv)?;
    }
    Ok(())
}
