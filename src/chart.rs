//! Precision by score as an SVG chart (plotters). SVG only: a PNG would need a raster
//! backend plus a font renderer and bundled font, several crates for one picture that every
//! browser already draws from the SVG.

use crate::error::{Error, Result};
use crate::review::Summary;
use plotters::prelude::*;

/// Bars: precision of the judged pairings in each 0.1 score band. Line: precision of all
/// judged pairings at or above the band's lower edge, i.e. what a `--min-score` there
/// would keep. Dashed: the target.
pub fn precision_by_score(s: &Summary, path: &str) -> Result<()> {
    let is_svg = std::path::Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    let err = |m: String| Error::Chart {
        path: path.into(),
        message: m,
    };
    if !is_svg {
        return Err(err(
            "only SVG charts are written (name the file .svg; browsers and office suites open it)"
                .into(),
        ));
    }
    let draw = || -> std::result::Result<(), Box<dyn std::error::Error>> {
        let root = SVGBackend::new(path, (800, 480)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(
                format!("Precision by score ({})", s.basis),
                ("sans-serif", 22),
            )
            .margin(14)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0f64..1f64, 0f64..1.05f64)?;
        chart
            .configure_mesh()
            .x_desc("score")
            .y_desc("precision")
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .draw()?;
        let judged = |b: &crate::review::Bin| b.correct + b.wrong;
        chart
            .draw_series(s.by_score.iter().filter(|b| judged(b) > 0).map(|b| {
                let p = b.correct as f64 / judged(b) as f64;
                Rectangle::new(
                    [(b.from + 0.01, 0.0), (b.to - 0.01, p)],
                    BLUE.mix(0.35).filled(),
                )
            }))?
            .label("precision in score band")
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 14, y + 5)], BLUE.mix(0.35).filled())
            });
        let mut cum = Vec::new();
        let (mut c, mut n) = (0usize, 0usize);
        for b in s.by_score.iter().rev() {
            c += b.correct;
            n += judged(b);
            if n > 0 && judged(b) > 0 {
                cum.push((b.from, c as f64 / n as f64));
            }
        }
        cum.reverse();
        chart
            .draw_series(LineSeries::new(cum.clone(), RED.stroke_width(2)))?
            .label("precision at or above score")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], RED.stroke_width(2)));
        chart.draw_series(cum.iter().map(|p| Circle::new(*p, 3, RED.filled())))?;
        let t = s.threshold.target;
        chart
            .draw_series(DashedLineSeries::new(
                vec![(0.0, t), (1.0, t)],
                6,
                4,
                BLACK.mix(0.6).into(),
            ))?
            .label(format!("target {:.0}%", t * 100.0))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 14, y)], BLACK.mix(0.6)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()?;
        root.present()?;
        Ok(())
    };
    draw().map_err(|e| err(e.to_string()))
}
