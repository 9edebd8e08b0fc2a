//! Assessments as the inputs give them, before they are sorted and de-duplicated: 12
//! bytes each, like the model's [`Assessment`], with the input they came from kept
//! beside their exemption. An input and an exemption are interned together as a
//! [`Source`] (there are few: most rows have no exemption, and one input gives many
//! rows), so that a row holds a source index, not both.

use crate::model::{Assessment, Status};

/// An assessment as read: an [`Assessment`] whose exemption names its source instead
/// (an index into [`Rows::sources`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Row(Assessment);

/// Where a row came from: its exemption (index + 1 into the builder's exemptions, 0 for
/// none) and its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub(super) struct Source {
    pub(super) exemption: u32,
    pub(super) input: u16,
}

/// The rows read so far and their sources.
#[derive(Default)]
pub(super) struct Rows {
    rows: Vec<Row>,
    sources: Vec<Source>,
    index: hashbrown::HashMap<Source, u32>,
    /// The source of the row added last: consecutive rows usually share it.
    last: Option<(Source, u32)>,
    /// True when more sources were met than a row can name.
    overflow: bool,
}

impl Row {
    /// The resource assessed.
    pub(super) fn resource(&self) -> u32 {
        self.0.resource
    }

    /// The recommendation it is assessed against.
    pub(super) fn recommendation(&self) -> u32 {
        self.0.recommendation
    }

    /// The status the input gave.
    pub(super) fn status(&self) -> Status {
        self.0.status()
    }

    fn source(&self) -> usize {
        self.0.exemption() as usize
    }

    fn pair(&self) -> (u32, u32) {
        (self.0.resource, self.0.recommendation)
    }
}

impl Rows {
    /// Adds a row.
    pub(super) fn push(&mut self, resource: u32, recommendation: u32, status: Status, source: Source) {
        let index = match self.last {
            Some((last, i)) if last == source => i,
            _ => self.intern(source),
        };
        self.rows
            .push(Row(Assessment::new(resource, recommendation, status, index)));
    }

    fn intern(&mut self, source: Source) -> u32 {
        let next = self.sources.len() as u32;
        let i = *self.index.entry(source).or_insert(next);
        if i == next {
            self.sources.push(source);
            if next > Assessment::MAX_EXEMPTIONS {
                self.overflow = true;
            }
        }
        self.last = Some((source, i));
        i
    }

    /// True when more exemptions and inputs were met together than a row can name
    /// (2^30): the rows are then not to be scored.
    pub(super) fn overflowed(&self) -> bool {
        self.overflow
    }

    /// Where a row came from.
    pub(super) fn source(&self, row: &Row) -> Source {
        self.sources.get(row.source()).copied().unwrap_or_default()
    }

    /// The rows, in the order they were added or [`Rows::sort`]ed.
    pub(super) fn rows(&self) -> &[Row] {
        &self.rows
    }

    /// Sorts the rows by resource, recommendation, exemption, status and input, so that
    /// the rows of one pair are adjacent and in an order that does not depend on the
    /// inputs' order. Rows equal in all of these are alike in every field.
    pub(super) fn sort(&mut self) {
        // By the pair first, as one integer; the rare runs of one pair then by the rest.
        let pair = |r: &Row| u64::from(r.resource()) << 32 | u64::from(r.recommendation());
        // Resources are numbered as first met, so an input that lists each resource's
        // assessments together (as most do) has its rows in resource order already:
        // only each resource's few rows are left to sort.
        if self.rows.is_sorted_by_key(Row::resource) {
            for run in self.rows.chunk_by_mut(|a, b| a.resource() == b.resource()) {
                run.sort_unstable_by_key(pair);
            }
        } else {
            self.rows.sort_unstable_by_key(pair);
        }
        let sources = &self.sources;
        let rest = |r: &Row| {
            let s = sources.get(r.source()).copied().unwrap_or_default();
            (s.exemption, r.status(), s.input)
        };
        for run in self.rows.chunk_by_mut(|a, b| a.pair() == b.pair()) {
            if run.len() > 1 {
                run.sort_unstable_by_key(rest);
            }
        }
    }

    /// Keeps the rows for which `keep` is true, in order, in place (a second copy of
    /// tens of millions of rows would double the peak). `keep` sees each row and the row
    /// kept last.
    pub(super) fn retain(&mut self, mut keep: impl FnMut(&Rows, Option<&Row>, &Row) -> bool) {
        let mut rows = std::mem::take(&mut self.rows);
        let mut kept = 0usize;
        for i in 0..rows.len() {
            let row = rows[i];
            let last = kept.checked_sub(1).map(|k| rows[k]);
            if keep(self, last.as_ref(), &row) {
                rows[kept] = row;
                kept += 1;
            }
        }
        rows.truncate(kept);
        self.rows = rows;
    }

    /// The rows as the model's assessments, in their order, in the rows' own memory.
    pub(super) fn into_assessments(self) -> Vec<Assessment> {
        let sources = self.sources;
        // Same size and alignment: the standard library collects in place.
        let mut assessments: Vec<Assessment> = self
            .rows
            .into_iter()
            .map(|r| {
                let exemption = sources.get(r.source()).map_or(0, |s| s.exemption);
                Assessment::new(r.resource(), r.recommendation(), r.status(), exemption)
            })
            .collect();
        assessments.shrink_to_fit();
        assessments
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows of one pair sort by exemption, status and input whatever order they came
    /// in; the sources survive the trip into assessments.
    #[test]
    fn rows_sort_by_pair_then_exemption_status_and_input() {
        let mut rows = Rows::default();
        let src = |exemption, input| Source { exemption, input };
        rows.push(2, 0, Status::Healthy, src(0, 0));
        rows.push(1, 5, Status::Unhealthy, src(0, 1));
        rows.push(1, 5, Status::Healthy, src(0, 2));
        rows.push(1, 5, Status::Healthy, src(3, 0));
        rows.push(1, 5, Status::Healthy, src(0, 1));
        rows.push(1, 4, Status::NotApplicable, src(0, 0));
        rows.sort();
        let seen: Vec<(u32, u32, u32, Status, u16)> = rows
            .rows()
            .iter()
            .map(|r| {
                let s = rows.source(r);
                (r.resource(), r.recommendation(), s.exemption, r.status(), s.input)
            })
            .collect();
        assert_eq!(
            seen,
            [
                (1, 4, 0, Status::NotApplicable, 0),
                (1, 5, 0, Status::Healthy, 1),
                (1, 5, 0, Status::Healthy, 2),
                (1, 5, 0, Status::Unhealthy, 1),
                (1, 5, 3, Status::Healthy, 0),
                (2, 0, 0, Status::Healthy, 0),
            ]
        );
        let assessments = rows.into_assessments();
        assert_eq!(assessments[4], Assessment::new(1, 5, Status::Healthy, 3));
        assert_eq!(assessments[3].status(), Status::Unhealthy);
        assert_eq!(std::mem::size_of::<Row>(), 12);
        assert_eq!(std::mem::size_of::<Assessment>(), 12);
    }

    /// Rows sort into the one order of (resource, recommendation, exemption, status,
    /// input), whether they come grouped by resource (sorted run by run) or not.
    #[test]
    fn rows_grouped_by_resource_or_not_sort_alike() {
        let mut seed = 7u64;
        let mut next = |below: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) % below) as u32
        };
        let statuses = [Status::Healthy, Status::Unhealthy, Status::NotApplicable];
        for case in 0..200 {
            let grouped = case % 2 == 0;
            let mut rows = Rows::default();
            let mut resource = 0;
            for _ in 0..next(60) {
                resource = if grouped { resource + next(2) } else { next(8) };
                let status = statuses[next(3) as usize];
                let source = Source {
                    exemption: next(3),
                    input: next(2) as u16,
                };
                rows.push(resource, next(5), status, source);
            }
            assert!(!grouped || rows.rows().is_sorted_by_key(Row::resource));
            let key = |rows: &Rows, r: &Row| {
                let s = rows.source(r);
                (r.resource(), r.recommendation(), s.exemption, r.status(), s.input)
            };
            let mut expected: Vec<_> = rows.rows().iter().map(|r| key(&rows, r)).collect();
            expected.sort();
            rows.sort();
            let got: Vec<_> = rows.rows().iter().map(|r| key(&rows, r)).collect();
            assert_eq!(got, expected, "case {case}");
        }
    }
}
