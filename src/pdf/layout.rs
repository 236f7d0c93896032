//! An A4 sheet that flows: text is broken into lines by the font's own glyph widths, tables repeat
//! their header on every page and split a row that does not fit, and every page gets a footer with
//! its number once the page count is known.

use std::sync::LazyLock;

use printpdf::{
    Color, FontId, Greyscale, Line, LinePoint, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle,
    PdfPage, PdfSaveOptions, Point, Pt, Rect, TextItem,
};

use crate::error::AppError;

const PT_PER_MM: f32 = 72.0 / 25.4;
const PAGE_WIDTH: f32 = 210.0 * PT_PER_MM;
const PAGE_HEIGHT: f32 = 297.0 * PT_PER_MM;
/// Official Indonesian letters leave more room on the left, for binding.
const LEFT: f32 = 25.0 * PT_PER_MM;
const RIGHT: f32 = PAGE_WIDTH - 20.0 * PT_PER_MM;
const TOP: f32 = PAGE_HEIGHT - 18.0 * PT_PER_MM;
const BOTTOM: f32 = 22.0 * PT_PER_MM;
const FOOTER_BASELINE: f32 = 12.0 * PT_PER_MM;
/// Space between a table cell's border and its text.
const CELL_PADDING: f32 = 3.0;

/// Millimetres to points.
pub fn mm(value: f32) -> f32 {
    value * PT_PER_MM
}

/// DejaVu Sans: free to embed, and it has every Latin letter with diacritics that names in Indonesia
/// carry (`Ö`, `é`, `ñ`), so that a name prints as it is written. Cut down to the Latin script
/// (`scripts/subset-fonts`), because printpdf embeds a font whole: 67 KB each instead of 740 KB.
static REGULAR_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Latin.ttf");
static BOLD_TTF: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold-Latin.ttf");

struct Fonts {
    regular: ParsedFont,
    bold: ParsedFont,
}

/// Parsed once per process; `None` only if the fonts compiled into the binary are broken.
static FONTS: LazyLock<Option<Fonts>> = LazyLock::new(|| {
    let regular = ParsedFont::from_bytes(REGULAR_TTF, 0, &mut Vec::new())?;
    let bold = ParsedFont::from_bytes(BOLD_TTF, 0, &mut Vec::new())?;
    Some(Fonts { regular, bold })
});

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// A font weight and size (in points).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Style {
    pub weight: Weight,
    pub size: f32,
}

impl Style {
    pub const BODY: Style = Style { weight: Weight::Regular, size: 10.0 };
    pub const STRONG: Style = Style { weight: Weight::Bold, size: 10.0 };
    pub const SMALL: Style = Style { weight: Weight::Regular, size: 8.0 };
    pub const HEADING: Style = Style { weight: Weight::Bold, size: 11.0 };
    pub const TITLE: Style = Style { weight: Weight::Bold, size: 14.0 };
    pub const LETTERHEAD: Style = Style { weight: Weight::Bold, size: 15.0 };

    fn line_height(self) -> f32 {
        self.size * 1.35
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// A table column: its header, its width in millimetres (`None` takes what the others leave) and how
/// its cells align.
#[derive(Debug, Clone)]
pub struct Column {
    pub title: &'static str,
    pub width_mm: Option<f32>,
    pub align: Align,
}

impl Column {
    pub fn fixed(title: &'static str, width_mm: f32) -> Column {
        Column { title, width_mm: Some(width_mm), align: Align::Left }
    }

    pub fn rest(title: &'static str) -> Column {
        Column { title, width_mm: None, align: Align::Left }
    }

    pub fn aligned(self, align: Align) -> Column {
        Column { align, ..self }
    }
}

/// A table's columns, laid out.
struct Table {
    widths: Vec<f32>,
    aligns: Vec<Align>,
    header: Vec<String>,
    min_height: f32,
}

impl Table {
    const HEADER: Style = Style { weight: Weight::Bold, size: 9.0 };
}

/// A document being laid out, top to bottom, page after page.
pub struct Sheet {
    fonts: &'static Fonts,
    doc: PdfDocument,
    regular: FontId,
    bold: FontId,
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    /// The top of the next line, in points from the bottom of the page.
    y: f32,
    footer: String,
}

impl Sheet {
    /// An empty first page; `title` is the PDF's title, `footer` is printed at the foot of every page
    /// beside its number.
    pub fn new(title: &str, footer: String) -> Result<Sheet, AppError> {
        let fonts = FONTS
            .as_ref()
            .ok_or_else(|| AppError::internal("the fonts built into the binary cannot be read"))?;
        let mut doc = PdfDocument::new(title);
        let regular = doc.add_font(&fonts.regular);
        let bold = doc.add_font(&fonts.bold);
        Ok(Sheet { fonts, doc, regular, bold, pages: Vec::new(), ops: Vec::new(), y: TOP, footer })
    }

    /// The width the text takes in `style`, in points.
    pub fn width(&self, text: &str, style: Style) -> f32 {
        let font = match style.weight {
            Weight::Regular => &self.fonts.regular,
            Weight::Bold => &self.fonts.bold,
        };
        let units: u32 = text
            .chars()
            .map(|c| {
                let glyph = font.lookup_glyph_index(c as u32).unwrap_or(0);
                u32::from(font.get_glyph_width(glyph).unwrap_or(0))
            })
            .sum();
        units as f32 * style.size / f32::from(font.units_per_em.max(1))
    }

    /// The text broken into lines no wider than `width`: at spaces where it can, inside a word that is
    /// wider than a line by itself (a long number or address), and at every line break of the text.
    pub fn wrap(&self, text: &str, style: Style, width: f32) -> Vec<String> {
        let mut lines = Vec::new();
        for paragraph in text.lines() {
            let mut line = String::new();
            for word in paragraph.split_whitespace() {
                let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
                if self.width(&candidate, style) <= width {
                    line = candidate;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                // The word alone: break it by characters while it is too wide.
                for c in word.chars() {
                    line.push(c);
                    if self.width(&line, style) > width && line.chars().count() > 1 {
                        line.pop();
                        lines.push(std::mem::take(&mut line));
                        line.push(c);
                    }
                }
            }
            lines.push(line);
        }
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }

    fn font(&self, weight: Weight) -> PdfFontHandle {
        PdfFontHandle::External(match weight {
            Weight::Regular => self.regular.clone(),
            Weight::Bold => self.bold.clone(),
        })
    }

    /// One line of text with its baseline at `baseline`, aligned in the band from `x` to `x + width`.
    fn text_in(&mut self, x: f32, width: f32, baseline: f32, text: &str, style: Style, align: Align) {
        if text.is_empty() {
            return;
        }
        let start = match align {
            Align::Left => x,
            Align::Center => x + (width - self.width(text, style)) / 2.0,
            Align::Right => x + width - self.width(text, style),
        };
        let font = self.font(style.weight);
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont { font, size: Pt(style.size) },
            Op::SetTextCursor { pos: Point { x: Pt(start), y: Pt(baseline) } },
            Op::ShowText { items: vec![TextItem::Text(text.to_string())] },
            Op::EndTextSection,
        ]);
    }

    fn rule(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, thickness: f32) {
        let point = |x: f32, y: f32| LinePoint { p: Point { x: Pt(x), y: Pt(y) }, bezier: false };
        self.ops.extend([
            Op::SetOutlineThickness { pt: Pt(thickness) },
            Op::DrawLine { line: Line { points: vec![point(x1, y1), point(x2, y2)], is_closed: false } },
        ]);
    }

    fn shade(&mut self, x: f32, top: f32, width: f32, height: f32) {
        let grey = |level: f32| Color::Greyscale(Greyscale { percent: level, icc_profile: None });
        self.ops.extend([
            Op::SetFillColor { col: grey(0.9) },
            Op::DrawRectangle {
                rectangle: Rect {
                    x: Pt(x),
                    y: Pt(top - height),
                    width: Pt(width),
                    height: Pt(height),
                    mode: Some(PaintMode::Fill),
                    winding_order: None,
                },
            },
            Op::SetFillColor { col: grey(0.0) },
        ]);
    }

    fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.ops));
        self.y = TOP;
    }

    /// Starts a new page unless `height` more points fit on this one.
    pub fn keep(&mut self, height: f32) {
        if self.y - height < BOTTOM && self.y < TOP {
            self.new_page();
        }
    }

    /// Vertical space, in millimetres.
    pub fn gap(&mut self, mm_: f32) {
        self.y -= mm(mm_);
    }

    /// Lines of text across the page, wrapped, each line kept whole on a page.
    pub fn text(&mut self, text: &str, style: Style, align: Align) {
        self.text_indented(0.0, text, style, align);
    }

    fn text_indented(&mut self, indent: f32, text: &str, style: Style, align: Align) {
        let width = RIGHT - LEFT - indent;
        for line in self.wrap(text, style, width) {
            self.keep(style.line_height());
            self.y -= style.line_height();
            self.text_in(LEFT + indent, width, self.y + style.size * 0.3, &line, style, align);
        }
    }

    /// The organization's name as a letterhead (with the organization it is under above it, as
    /// Indonesian agencies print "PEMERINTAH KOTA PADANG" over the agency), its address below, and the
    /// double rule under it.
    pub fn letterhead(&mut self, above: Option<&str>, name: &str, address: Option<&str>) {
        if let Some(above) = above {
            self.text(&above.to_uppercase(), Style::HEADING, Align::Center);
        }
        self.text(&name.to_uppercase(), Style::LETTERHEAD, Align::Center);
        if let Some(address) = address {
            self.text(address, Style::SMALL, Align::Center);
        }
        self.y -= mm(2.0);
        self.rule(LEFT, self.y, RIGHT, self.y, 1.5);
        self.rule(LEFT, self.y - 2.0, RIGHT, self.y - 2.0, 0.5);
        self.y -= mm(6.0);
    }

    /// A heading with space above it, kept on the page with at least two lines of what follows.
    pub fn heading(&mut self, text: &str) {
        self.y -= mm(3.0);
        self.keep(Style::HEADING.line_height() + 2.0 * Style::BODY.line_height());
        self.text(text, Style::HEADING, Align::Left);
        self.y -= mm(1.0);
    }

    /// Label–value pairs (`Hari/tanggal : Senin, 30 November 2026`), the values wrapped beside their
    /// labels.
    pub fn fields(&mut self, rows: &[(&str, String)]) {
        let widest = rows.iter().map(|(label, _)| self.width(label, Style::BODY)).fold(0.0, f32::max);
        let label_width = widest.max(mm(30.0)) + mm(2.0);
        let colon = mm(4.0);
        let value_x = LEFT + label_width + colon;
        let style = Style::BODY;
        for (label, value) in rows {
            let lines = self.wrap(value, style, RIGHT - value_x);
            for (i, line) in lines.iter().enumerate() {
                self.keep(style.line_height());
                self.y -= style.line_height();
                let baseline = self.y + style.size * 0.3;
                if i == 0 {
                    self.text_in(LEFT, label_width, baseline, label, style, Align::Left);
                    self.text_in(LEFT + label_width, colon, baseline, ":", style, Align::Left);
                }
                self.text_in(value_x, RIGHT - value_x, baseline, line, style, Align::Left);
            }
        }
    }

    /// A numbered list with hanging indents.
    pub fn numbered(&mut self, items: &[String]) {
        let style = Style::BODY;
        let indent = mm(7.0);
        for (n, item) in items.iter().enumerate() {
            let lines = self.wrap(item, style, RIGHT - LEFT - indent);
            for (i, line) in lines.iter().enumerate() {
                self.keep(style.line_height());
                self.y -= style.line_height();
                let baseline = self.y + style.size * 0.3;
                if i == 0 {
                    self.text_in(LEFT, indent, baseline, &format!("{}.", n + 1), style, Align::Left);
                }
                self.text_in(LEFT + indent, RIGHT - LEFT - indent, baseline, line, style, Align::Left);
            }
        }
    }

    /// A bordered table with a shaded header row, repeated on every page it runs onto. A row is at
    /// least `min_row_mm` high (room for a signature); a row taller than a page continues on the next.
    pub fn table(&mut self, columns: &[Column], rows: &[Vec<String>], min_row_mm: f32) {
        let fixed: f32 = columns.iter().filter_map(|c| c.width_mm).map(mm).sum();
        let flexible = columns.iter().filter(|c| c.width_mm.is_none()).count().max(1) as f32;
        let widths = columns
            .iter()
            .map(|c| c.width_mm.map(mm).unwrap_or(((RIGHT - LEFT - fixed) / flexible).max(mm(10.0))))
            .collect();
        let table = Table {
            aligns: columns.iter().map(|c| c.align).collect(),
            widths,
            header: columns.iter().map(|c| c.title.to_string()).collect(),
            min_height: mm(min_row_mm),
        };
        // The header never stands alone at the foot of a page.
        self.keep(2.0 * Table::HEADER.line_height() + table.min_height + 4.0 * CELL_PADDING);
        self.table_row(&table, &table.header, true);
        for row in rows {
            self.table_row(&table, row, false);
        }
    }

    fn table_row(&mut self, table: &Table, cells: &[String], is_header: bool) {
        let style = if is_header { Table::HEADER } else { Style::BODY };
        let lh = style.line_height();
        let min_height = if is_header { 0.0 } else { table.min_height };
        let mut lines: Vec<Vec<String>> = cells
            .iter()
            .zip(&table.widths)
            .map(|(cell, width)| self.wrap(cell, style, width - 2.0 * CELL_PADDING))
            .collect();
        loop {
            let remaining = lines.iter().map(Vec::len).max().unwrap_or(0);
            let whole = (remaining as f32 * lh + 2.0 * CELL_PADDING).max(min_height);
            let room = self.y - BOTTOM;
            // A row that fits on a fresh page moves there whole; a longer one starts here unless
            // hardly a line of it would fit.
            let fits_fresh = whole <= TOP - BOTTOM - 2.0 * Table::HEADER.line_height();
            if !is_header && whole > room && (fits_fresh || room < 2.0 * lh + 2.0 * CELL_PADDING) {
                self.new_page();
                self.table_row(table, &table.header, true);
            }
            let room = self.y - BOTTOM;
            let fit = (((room - 2.0 * CELL_PADDING) / lh).floor().max(1.0)) as usize;
            let take = remaining.min(fit);
            let height = if take == remaining { whole } else { take as f32 * lh + 2.0 * CELL_PADDING };
            let top = self.y;
            let total: f32 = table.widths.iter().sum();
            if is_header {
                self.shade(LEFT, top, total, height);
            }
            let mut x = LEFT;
            for ((width, align), cell) in table.widths.iter().zip(&table.aligns).zip(lines.iter_mut()) {
                let chunk: Vec<String> = cell.drain(..take.min(cell.len())).collect();
                for (i, line) in chunk.iter().enumerate() {
                    let baseline = top - CELL_PADDING - (i as f32 + 1.0) * lh + style.size * 0.3;
                    self.text_in(x + CELL_PADDING, width - 2.0 * CELL_PADDING, baseline, line, style, *align);
                }
                x += width;
            }
            self.rule(LEFT, top, LEFT + total, top, 0.6);
            self.rule(LEFT, top - height, LEFT + total, top - height, 0.6);
            let mut x = LEFT;
            self.rule(x, top, x, top - height, 0.6);
            for width in &table.widths {
                x += width;
                self.rule(x, top, x, top - height, 0.6);
            }
            self.y = top - height;
            if lines.iter().all(Vec::is_empty) {
                return;
            }
        }
    }

    /// Signature blocks side by side, each a line above (a date, or empty), the role, room to sign and a
    /// dotted line for the name.
    pub fn signatures(&mut self, blocks: &[(String, &str)]) {
        let style = Style::BODY;
        let lh = style.line_height();
        let height = mm(34.0);
        self.y -= mm(6.0);
        self.keep(height);
        let width = (RIGHT - LEFT) / blocks.len().max(1) as f32;
        let top = self.y;
        for (i, (above, role)) in blocks.iter().enumerate() {
            let x = LEFT + width * i as f32;
            self.text_in(x, width, top - lh, above, style, Align::Center);
            self.text_in(x, width, top - 2.0 * lh, role, style, Align::Center);
            self.text_in(
                x,
                width,
                top - height + lh,
                "(.................................)",
                style,
                Align::Center,
            );
        }
        self.y = top - height;
    }

    /// The finished PDF, every page with its footer and number.
    pub fn finish(mut self) -> Vec<u8> {
        if !self.ops.is_empty() || self.pages.is_empty() {
            self.pages.push(std::mem::take(&mut self.ops));
        }
        let count = self.pages.len();
        let pages = std::mem::take(&mut self.pages);
        let mut finished = Vec::with_capacity(count);
        for (i, ops) in pages.into_iter().enumerate() {
            self.ops = ops;
            let band = RIGHT - LEFT;
            self.rule(LEFT, FOOTER_BASELINE + mm(4.0), RIGHT, FOOTER_BASELINE + mm(4.0), 0.4);
            let footer = self.footer.clone();
            self.text_in(LEFT, band, FOOTER_BASELINE, &footer, Style::SMALL, Align::Left);
            let number = format!("Halaman {} dari {}", i + 1, count);
            self.text_in(LEFT, band, FOOTER_BASELINE, &number, Style::SMALL, Align::Right);
            finished.push(PdfPage::new(
                printpdf::Mm(210.0),
                printpdf::Mm(297.0),
                std::mem::take(&mut self.ops),
            ));
        }
        self.doc.with_pages(finished).save(&PdfSaveOptions::default(), &mut Vec::new())
    }
}
