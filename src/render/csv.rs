//! The CSV format (SPEC §8): the assessment report's ranked rows, for spreadsheets and
//! scripts. RFC 4180: UTF-8 without a byte order mark (a script's first column name
//! would start with one), a header row of the JSON report's field names, `\r\n` after
//! every record, and a field in double quotes (its quotes doubled) when it holds a comma,
//! a quote or a line break.
//!
//! One row per row of the report's `controls` (or, under `v1` and `pass-rate`, its
//! `recommendations`), in its order: the ranked rows, then those that do not apply (rank
//! empty), so that row *n* is the JSON's `controls[n-1]` (`recommendations[n-1]`). Every
//! number is the JSON's, unrounded and spelled as the JSON spells it, and is never
//! quoted or prefixed (a negative number stays a number). Text from inputs is shown as on
//! a terminal (SPEC §6: control and bidirectional characters as `\u{…}`), and a text
//! cell that a spreadsheet would run as a formula gets a `'` in front (`cell_text`).

use super::Document;
use crate::report::{ControlOut, RankedRecommendationOut};
use crate::text::controls_escaped;
use serde::Serialize;
use std::io::{self, Write};

/// Writes `doc` as CSV: only the assessment report has rows to give.
pub fn render(doc: &Document, out: &mut dyn Write) -> io::Result<()> {
    match doc {
        Document::Report { report, .. } if report.model.ranks_recommendations() => {
            write_rows(&RECOMMENDATION_COLUMNS, report.recommendation_rows(), out)
        }
        Document::Report { report, .. } => write_rows(&COLUMNS, report.control_rows(), out),
        Document::Models(_)
        | Document::Explanation(_)
        | Document::Plan(_)
        | Document::Diff(_)
        | Document::Trend(_)
        | Document::Validation(_)
        | Document::Listing(_) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("the CSV format has no rows for the {}", doc.name()),
        )),
    }
}

/// One field of a record.
#[derive(Debug, PartialEq)]
enum Field {
    /// Text, from an input or not: guarded against formulas and quoted as needed.
    Text(String),
    /// A number or a boolean, written as the JSON writes it; empty for JSON's `null`.
    Value(String),
}

/// A column of rows of type `R`: its header (the JSON field's name) and its field in a
/// row.
type Column<R> = (&'static str, fn(&R) -> Field);

/// The columns of a control: every scalar field of a JSON control row, in the JSON's
/// order (its `recommendations` list has no place in one row).
const COLUMNS: [Column<ControlOut>; 13] = [
    ("rank", |c| value(&c.rank)),
    ("id", |c| Field::Text(c.id.clone())),
    ("name", |c| Field::Text(c.name.clone().unwrap_or_default())),
    ("applicable", |c| value(&c.applicable)),
    ("max_score", |c| value(&c.max_score)),
    ("current_score", |c| value(&c.current_score)),
    ("potential_increase", |c| value(&c.potential_increase)),
    ("potential_increase_percentage", |c| {
        value(&c.potential_increase_percentage)
    }),
    ("points_per_resource", |c| value(&c.points_per_resource)),
    ("healthy_resources", |c| value(&c.healthy_resources)),
    ("unhealthy_resources", |c| value(&c.unhealthy_resources)),
    ("not_applicable_resources", |c| value(&c.not_applicable_resources)),
    ("members", |c| value(&c.members)),
];

/// The columns of a recommendation (`v1`, `pass-rate`): every scalar field of a JSON
/// recommendation row, in the JSON's order, and its `controls` (ids) joined by `;`.
/// `points` and `points_from`, which only `v1` has, are empty under `pass-rate`.
const RECOMMENDATION_COLUMNS: [Column<RankedRecommendationOut>; 18] = [
    ("rank", |r| value(&r.rank)),
    ("id", |r| Field::Text(r.id.clone())),
    ("name", |r| Field::Text(r.name.clone().unwrap_or_default())),
    ("severity", |r| {
        Field::Text(r.severity.unwrap_or_default().to_string())
    }),
    ("preview", |r| value(&r.preview)),
    ("custom", |r| value(&r.custom)),
    ("applicable", |r| value(&r.applicable)),
    ("max_score", |r| value(&r.max_score)),
    ("current_score", |r| value(&r.current_score)),
    ("potential_increase", |r| value(&r.potential_increase)),
    ("potential_increase_percentage", |r| {
        value(&r.potential_increase_percentage)
    }),
    ("points_per_resource", |r| value(&r.points_per_resource)),
    ("points", |r| value(&r.points)),
    ("points_from", |r| {
        Field::Text(r.points_from.unwrap_or_default().to_string())
    }),
    ("healthy_resources", |r| value(&r.healthy_resources)),
    ("unhealthy_resources", |r| value(&r.unhealthy_resources)),
    ("not_applicable_resources", |r| value(&r.not_applicable_resources)),
    ("controls", |r| Field::Text(r.controls.join(";"))),
];

/// A number, a boolean or an optional one, spelled as serde_json spells it in the JSON
/// report (the shortest text that reads back as the same `f64`); `null` is an empty field.
fn value<T: Serialize>(v: &T) -> Field {
    match serde_json::to_string(v) {
        Ok(text) if text != "null" => Field::Value(text),
        _ => Field::Value(String::new()),
    }
}

/// Writes the header of `columns` and one record per row.
fn write_rows<R>(columns: &[Column<R>], rows: &[R], out: &mut dyn Write) -> io::Result<()> {
    let header: Vec<String> = columns.iter().map(|(name, _)| name.to_string()).collect();
    write_record(&header, out)?;
    for row in rows {
        let fields: Vec<String> = columns.iter().map(|(_, field)| field_text(field(row))).collect();
        write_record(&fields, out)?;
    }
    Ok(())
}

/// Writes one record: its fields, each quoted when it must be, and `\r\n`.
fn write_record(fields: &[String], out: &mut dyn Write) -> io::Result<()> {
    let line: Vec<String> = fields.iter().map(|f| quoted(f)).collect();
    write!(out, "{}\r\n", line.join(","))
}

/// A field as written before quoting: a value as it is, text through [`cell_text`].
fn field_text(field: Field) -> String {
    match field {
        Field::Value(v) => v,
        Field::Text(t) => cell_text(&t),
    }
}

/// Characters that make a spreadsheet read a cell as a formula when the cell starts with
/// one (OWASP's list: `=`, `+`, `-`, `@`, tab, carriage return).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Text from an input as a cell: `'` in front when it starts with a character of
/// [`FORMULA_STARTS`] (judged on the text as given), then control and bidirectional
/// characters escaped as on a terminal.
fn cell_text(text: &str) -> String {
    let guard = if text.starts_with(FORMULA_STARTS) { "'" } else { "" };
    format!("{guard}{}", controls_escaped(text))
}

/// `field` as RFC 4180 writes it: in double quotes, with each quote doubled, when it holds
/// a comma, a quote, a carriage return or a line feed; else as it is.
fn quoted(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn control(name: &str, potential: f64) -> ControlOut {
        ControlOut {
            rank: Some(1),
            id: "ctl".to_string(),
            name: Some(name.to_string()),
            applicable: true,
            max_score: 6.0,
            current_score: 6.0 - potential,
            potential_increase: potential,
            potential_increase_percentage: 0.1 + 0.2,
            points_per_resource: None,
            healthy_resources: 42,
            unhealthy_resources: 8,
            not_applicable_resources: 0,
            members: 1,
            recommendations: Vec::new(),
        }
    }

    fn csv(controls: &[ControlOut]) -> String {
        let mut out = Vec::new();
        write_rows(&COLUMNS, controls, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_cell_that_would_be_a_formula_gets_a_quote_in_front() {
        assert_eq!(cell_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell_text("+1"), "'+1");
        assert_eq!(cell_text("-1"), "'-1");
        assert_eq!(cell_text("@SUM(A1)"), "'@SUM(A1)");
        // Tab and carriage return are judged as given, then shown escaped.
        assert_eq!(cell_text("\tx"), "'\\u{9}x");
        assert_eq!(cell_text("\r=1"), "'\\u{d}=1");
        // Only the first character counts.
        assert_eq!(cell_text("a=b"), "a=b");
        assert_eq!(cell_text(" =1"), " =1");
        assert_eq!(cell_text(""), "");
    }

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        assert_eq!(quoted("plain text"), "plain text");
        assert_eq!(quoted("a,b"), "\"a,b\"");
        assert_eq!(quoted("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quoted("line\nbreak"), "\"line\nbreak\"");
        assert_eq!(quoted("cr\r"), "\"cr\r\"");
    }

    #[test]
    fn numbers_are_unrounded_and_never_guarded() {
        // 6 - 0.96 is 5.04 only after rounding: the unrounded binary value is written.
        let text = csv(&[control("Apply system updates", 0.96)]);
        let row = text.split("\r\n").nth(1).unwrap();
        assert_eq!(
            row,
            format!(
                "1,ctl,Apply system updates,true,6.0,{},0.96,{},,42,8,0,1",
                6.0 - 0.96,
                0.1 + 0.2
            )
        );
        assert!(row.contains("0.30000000000000004"), "{row}");
        // A negative number is written as a number, not as text behind a quote.
        let text = csv(&[control("x", -1.5)]);
        assert!(text.contains(",7.5,-1.5,"), "{text}");
        assert!(!text.contains('\''), "{text}");
    }

    #[test]
    fn the_header_names_the_json_fields_and_every_record_ends_in_crlf() {
        let text = csv(&[control("a", 1.0), control("b", 2.0)]);
        assert!(text.starts_with(
            "rank,id,name,applicable,max_score,current_score,potential_increase,\
             potential_increase_percentage,points_per_resource,healthy_resources,\
             unhealthy_resources,not_applicable_resources,members\r\n"
        ));
        assert_eq!(text.matches("\r\n").count(), 3);
        assert_eq!(text.matches('\n').count(), 3);
        assert!(text.ends_with("\r\n"));
    }

    #[test]
    fn a_name_with_markup_and_controls_is_guarded_escaped_and_quoted() {
        let text = csv(&[control("=HYPERLINK(\"http://x\",\"y\")\u{1b}[31m", 1.0)]);
        let row = text.split("\r\n").nth(1).unwrap();
        assert!(
            row.starts_with("1,ctl,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\\u{1b}[31m\",true,"),
            "{row}"
        );
    }

    #[test]
    fn a_not_applicable_row_has_an_empty_rank() {
        let mut c = control("idle", 0.0);
        c.rank = None;
        c.applicable = false;
        let text = csv(&[c]);
        assert!(text.split("\r\n").nth(1).unwrap().starts_with(",ctl,idle,false,"));
    }

    #[test]
    fn a_recommendation_s_controls_are_joined_and_guarded_as_one_cell() {
        let row = RankedRecommendationOut {
            rank: None,
            id: "rec".to_string(),
            name: Some("+idle".to_string()),
            severity: None,
            preview: false,
            custom: false,
            applicable: false,
            max_score: 0.0,
            current_score: 0.0,
            potential_increase: 0.0,
            potential_increase_percentage: 0.0,
            points_per_resource: None,
            points: Some(20.0),
            points_from: Some("severity"),
            healthy_resources: 0,
            unhealthy_resources: 0,
            not_applicable_resources: 2,
            controls: vec!["-ctl-idle".to_string(), "ctl,b".to_string()],
            control_names: Vec::new(),
        };
        let mut out = Vec::new();
        write_rows(&RECOMMENDATION_COLUMNS, &[row], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        // No rank, the name and the controls guarded, the list quoted for its comma.
        assert_eq!(
            text.split("\r\n").nth(1).unwrap(),
            ",rec,'+idle,,false,false,false,0.0,0.0,0.0,0.0,,20.0,severity,0,0,2,\"'-ctl-idle;ctl,b\""
        );
    }

    #[test]
    fn a_document_without_rows_is_unsupported() {
        let listing = crate::listing::CatalogListing {
            schema: "securescore.controls/v1",
            total_max_score: 0.0,
            controls: Vec::new(),
        };
        let mut out = Vec::new();
        let err = render(&Document::Listing(&listing), &mut out).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Unsupported);
        assert!(err.to_string().contains("control catalog"));
        assert!(out.is_empty());
    }
}
