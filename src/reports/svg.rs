//! `GET /reports/coverage.svg`: target against realisation per period as grouped bars, drawn on the
//! server as plain SVG (no script): a title, a y axis with gridlines and figures, the periods under the
//! bars, each bar's achievement above it, and a legend.

use std::fmt::Write;

use super::coverage::{CoverageLine, CoverageReport};

const WIDTH: f64 = 960.0;
const HEIGHT: f64 = 540.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 80.0;
const BOTTOM: f64 = 90.0;
const TARGET_COLOUR: &str = "#9aa5b1";
const REALIZATION_COLOUR: &str = "#1f77b4";

/// Escapes text for SVG content and attributes.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Thousands with a dot, as Indonesian readers write them (105.491).
fn figure(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A round step for about five gridlines up to `max`.
fn nice_step(max: i64) -> i64 {
    let raw = (max.max(1) as f64 / 5.0).max(1.0);
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * magnitude).find(|s| *s >= raw).unwrap_or(raw);
    step.ceil() as i64
}

/// The chart of the report's totals per period.
pub fn chart(report: &CoverageReport) -> String {
    let lines: &[CoverageLine] = &report.totals;
    let mut svg = String::new();
    let region = report.region.as_deref().map(|r| format!(" — wilayah {r}")).unwrap_or_default();
    let title = format!("Target dan realisasi kepesertaan{region}");
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="title desc" font-family="sans-serif">"#
    );
    let _ = write!(svg, r#"<title id="title">{}</title>"#, escape(&title));
    let _ = write!(
        svg,
        r#"<desc id="desc">Coverage target against realisation per period (participants); the percentage above each pair is the achievement.</desc>"#
    );
    let _ = write!(svg, r##"<rect width="100%" height="100%" fill="#ffffff"/>"##);
    let _ = write!(
        svg,
        r#"<text x="{}" y="32" font-size="20" text-anchor="middle" font-weight="bold">{}</text>"#,
        WIDTH / 2.0,
        escape(&title)
    );
    // Legend.
    let _ = write!(
        svg,
        r#"<g font-size="13"><rect x="{LEFT}" y="48" width="14" height="14" fill="{TARGET_COLOUR}"/><text x="{}" y="60">Target</text><rect x="{}" y="48" width="14" height="14" fill="{REALIZATION_COLOUR}"/><text x="{}" y="60">Realisasi (realisation)</text></g>"#,
        LEFT + 20.0,
        LEFT + 100.0,
        LEFT + 120.0
    );
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let base = TOP + plot_h;
    if lines.is_empty() {
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" font-size="16" text-anchor="middle">Tidak ada data (no data)</text>"#,
            WIDTH / 2.0,
            TOP + plot_h / 2.0
        );
    }
    let max = lines.iter().map(|l| l.target.max(l.realization)).max().unwrap_or(0);
    let step = nice_step(max);
    let top_value = ((max + step - 1) / step).max(1) * step;
    let y = |v: i64| base - (v as f64 / top_value as f64) * plot_h;
    // Y axis with gridlines and figures.
    let mut tick = 0;
    while tick <= top_value {
        let ty = y(tick);
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" y1="{ty:.1}" x2="{}" y2="{ty:.1}" stroke="#e0e0e0"/>"##,
            WIDTH - RIGHT
        );
        let _ = write!(
            svg,
            r#"<text x="{}" y="{:.1}" font-size="12" text-anchor="end">{}</text>"#,
            LEFT - 8.0,
            ty + 4.0,
            figure(tick)
        );
        tick += step;
    }
    let _ = write!(svg, r##"<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{base}" stroke="#333333"/>"##);
    let _ = write!(
        svg,
        r##"<line x1="{LEFT}" y1="{base}" x2="{}" y2="{base}" stroke="#333333"/>"##,
        WIDTH - RIGHT
    );
    let _ = write!(
        svg,
        r#"<text x="20" y="{:.1}" font-size="13" text-anchor="middle" transform="rotate(-90 20 {:.1})">Peserta (participants)</text>"#,
        TOP + plot_h / 2.0,
        TOP + plot_h / 2.0
    );
    let _ = write!(
        svg,
        r#"<text x="{}" y="{}" font-size="13" text-anchor="middle">Periode (period)</text>"#,
        LEFT + plot_w / 2.0,
        HEIGHT - 20.0
    );
    // Bars.
    let group = plot_w / lines.len().max(1) as f64;
    let bar = (group * 0.35).min(60.0);
    for (i, l) in lines.iter().enumerate() {
        let centre = LEFT + group * (i as f64 + 0.5);
        for (value, colour, x, name) in [
            (l.target, TARGET_COLOUR, centre - bar, "Target"),
            (l.realization, REALIZATION_COLOUR, centre, "Realisasi"),
        ] {
            let top = y(value);
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{top:.1}" width="{bar:.1}" height="{:.1}" fill="{colour}"><title>{} {}: {}</title></rect>"#,
                base - top,
                name,
                escape(&l.period),
                figure(value)
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{centre:.1}" y="{:.1}" font-size="12" text-anchor="middle">{}</text>"#,
            base + 18.0,
            escape(&l.period)
        );
        if let Some(pct) = l.achievement_pct {
            let _ = write!(
                svg,
                r#"<text x="{centre:.1}" y="{:.1}" font-size="11" text-anchor="middle">{pct:.1} %</text>"#,
                y(l.target.max(l.realization)) - 6.0
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_and_steps() {
        assert_eq!(figure(105_491), "105.491");
        assert_eq!(figure(999), "999");
        assert_eq!(figure(0), "0");
        assert_eq!(nice_step(105_491), 25_000);
        assert_eq!(nice_step(0), 1);
    }
}
