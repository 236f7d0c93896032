//! Building the Data Package: every resource streamed page by page from the repo queries into CSV files
//! (in a zip, or in a directory for `sinergi export datapackage`), then `datapackage.json`; all of it
//! read in one snapshot of the database. The zip the API serves is kept in the data directory, named by
//! the date and the number of committed audit events, so it is built again only after a write (or on a
//! new day, since `expired` and `overdue` depend on the date) and every caller gets the same bytes.

use std::fmt::Display;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{NaiveDate, SecondsFormat};

use super::repo;
use super::schema::{self, CoverageFacts, Resource};
use crate::coverage::model::{CoverageFilter, Zones};
use crate::db::types::to_utc;
use crate::db::{DbConnection, Id, Timestamp, read_snapshot};
use crate::error::AppError;

/// Rows read per query.
const PAGE: i64 = 2000;

/// Where the package's files go, one after the other.
pub trait Sink: Write {
    /// Ends the file being written, if any, and begins the one at `path` (e.g. `data/regions.csv`).
    fn begin(&mut self, path: &str) -> io::Result<()>;
    /// Ends the last file.
    fn finish(self: Box<Self>) -> io::Result<()>;
}

/// The package as one zip file. Entries carry a fixed date, so the same data gives the same bytes.
pub struct ZipSink {
    zip: zip::ZipWriter<BufWriter<File>>,
}

impl ZipSink {
    pub fn create(path: &Path) -> io::Result<ZipSink> {
        Ok(ZipSink { zip: zip::ZipWriter::new(BufWriter::new(File::create(path)?)) })
    }
}

impl Write for ZipSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.zip.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.zip.flush()
    }
}

impl Sink for ZipSink {
    fn begin(&mut self, path: &str) -> io::Result<()> {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .large_file(true);
        self.zip.start_file(path, options).map_err(io::Error::other)
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        let mut file = self.zip.finish().map_err(io::Error::other)?;
        file.flush()?;
        file.into_inner().map_err(|e| e.into_error())?.sync_all()
    }
}

/// The package as files in a directory (`datapackage.json`, `data/*.csv`).
pub struct DirSink {
    dir: PathBuf,
    file: Option<BufWriter<File>>,
}

impl DirSink {
    pub fn new(dir: &Path) -> DirSink {
        DirSink { dir: dir.to_path_buf(), file: None }
    }

    fn close(&mut self) -> io::Result<()> {
        if let Some(mut f) = self.file.take() {
            f.flush()?;
        }
        Ok(())
    }
}

impl Write for DirSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(io::Error::other("no file begun")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Sink for DirSink {
    fn begin(&mut self, path: &str) -> io::Result<()> {
        self.close()?;
        let target = self.dir.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        self.file = Some(BufWriter::new(File::create(target)?));
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.close()
    }
}

fn io_failed(e: impl Display) -> AppError {
    AppError::internal(format!("writing the open-data package failed: {e}"))
}

/// An optional value as a CSV cell: empty when missing.
fn opt<T: Display>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn datetime(ts: Timestamp) -> String {
    to_utc(ts).to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

type Csv<'a> = csv::Writer<&'a mut dyn Sink>;

/// Writes one resource's file: the header, then what `rows` writes.
fn table(
    sink: &mut dyn Sink,
    resource: &Resource,
    rows: impl FnOnce(&mut Csv<'_>) -> Result<(), AppError>,
) -> Result<(), AppError> {
    sink.begin(&resource.path()).map_err(io_failed)?;
    let mut csv = csv::Writer::from_writer(sink);
    csv.write_record(resource.header()).map_err(io_failed)?;
    rows(&mut csv)?;
    csv.flush().map_err(io_failed)?;
    Ok(())
}

fn row<I, T>(csv: &mut Csv<'_>, cells: I) -> Result<(), AppError>
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    csv.write_record(cells).map_err(io_failed)
}

/// Pages of keyed rows: `load(after)` until a short page.
fn pages<T>(
    conn: &mut DbConnection,
    mut load: impl FnMut(&mut DbConnection, Option<Id>) -> Result<Vec<T>, AppError>,
    key: impl Fn(&T) -> Id,
    mut each: impl FnMut(&mut DbConnection, Vec<T>) -> Result<(), AppError>,
) -> Result<(), AppError> {
    let mut after = None;
    loop {
        let page = load(conn, after)?;
        let full = page.len() as i64 == PAGE;
        after = page.last().map(&key);
        each(conn, page)?;
        if !full {
            return Ok(());
        }
    }
}

/// Pages of the ids of the agreements that are published, for their parties, scopes and commitments.
fn agreement_pages(
    conn: &mut DbConnection,
    mut each: impl FnMut(&mut DbConnection, &[Id]) -> Result<(), AppError>,
) -> Result<(), AppError> {
    pages(conn, |c, after| repo::agreement_ids(c, after, PAGE), |id| *id, |c, ids| each(c, &ids))
}

/// Writes the whole package into `sink`, reading from `conn` (call it inside one snapshot, see
/// [`read_snapshot`]). Derived values (`expired`, `overdue`, achievement and zone) are those of `today`.
pub fn write_package(
    conn: &mut DbConnection,
    sink: &mut dyn Sink,
    today: NaiveDate,
    zones: Zones,
) -> Result<(), AppError> {
    let resources = schema::resources();
    let res = |name: &str| {
        resources
            .iter()
            .find(|r| r.name == name)
            .ok_or_else(|| AppError::internal(format!("no resource {name}")))
    };
    let mut facts = CoverageFacts::default();
    let hidden = repo::Hidden::load(conn)?;

    table(sink, res("regions")?, |csv| {
        for (code, name, kind, parent) in repo::regions(conn)? {
            row(csv, [code, name, kind.to_string(), opt(&parent)])?;
        }
        Ok(())
    })?;
    table(sink, res("organizations")?, |csv| {
        pages(
            conn,
            |c, after| repo::organizations(c, after, PAGE),
            |r| r.0,
            |_, page| {
                for (id, name, short, kind, sector, parent, region, status, website) in page {
                    row(
                        csv,
                        [
                            id.to_string(),
                            name,
                            short,
                            kind.to_string(),
                            sector.to_string(),
                            opt(&parent),
                            opt(&region),
                            status.to_string(),
                            opt(&website),
                        ],
                    )?;
                }
                Ok(())
            },
        )
    })?;
    table(sink, res("regulations")?, |csv| {
        pages(
            conn,
            |c, after| repo::regulations(c, after, PAGE),
            |r| r.0,
            |_, page| {
                for (id, kind, number, year, title, issuer, status, enacted_on, url) in page {
                    row(
                        csv,
                        [
                            id.to_string(),
                            kind.to_string(),
                            number,
                            year.to_string(),
                            title,
                            issuer,
                            status.to_string(),
                            opt(&enacted_on),
                            opt(&url),
                        ],
                    )?;
                }
                Ok(())
            },
        )
    })?;
    table(sink, res("agreements")?, |csv| {
        pages(
            conn,
            |c, after| repo::agreements(c, after, PAGE),
            |r| r.0,
            |_, page| {
                for (id, number, title, kind, status, signed, from, until, terminated, reason, summary) in
                    page
                {
                    let shown = match status {
                        crate::agreements::model::StoredStatus::Active
                            if until.is_some_and(|u| u < today) =>
                        {
                            "expired"
                        }
                        other => other.as_str(),
                    };
                    row(
                        csv,
                        [
                            id.to_string(),
                            opt(&number),
                            title,
                            kind.to_string(),
                            shown.to_string(),
                            opt(&signed),
                            opt(&from),
                            opt(&until),
                            opt(&terminated),
                            opt(&reason),
                            opt(&summary),
                        ],
                    )?;
                }
                Ok(())
            },
        )
    })?;
    table(sink, res("agreement_parties")?, |csv| {
        agreement_pages(conn, |c, ids| {
            for (agreement, org, role, position) in repo::parties(c, ids)? {
                row(csv, [agreement.to_string(), org.to_string(), role.to_string(), opt(&position)])?;
            }
            Ok(())
        })
    })?;
    table(sink, res("agreement_scopes")?, |csv| {
        agreement_pages(conn, |c, ids| {
            for (agreement, scope) in repo::scopes(c, ids)? {
                row(csv, [agreement.to_string(), scope.to_string()])?;
            }
            Ok(())
        })
    })?;
    table(sink, res("agreement_legal_basis")?, |csv| {
        agreement_pages(conn, |c, ids| {
            for (agreement, regulation) in repo::legal_basis(c, ids)? {
                row(csv, [agreement.to_string(), regulation.to_string()])?;
            }
            Ok(())
        })
    })?;
    table(sink, res("commitments")?, |csv| {
        agreement_pages(conn, |c, ids| {
            for (
                id,
                agreement,
                title,
                description,
                responsible,
                scope,
                due,
                target,
                unit,
                status,
                pct,
                achieved,
            ) in repo::commitments(c, ids)?
            {
                let overdue = due.is_some_and(|d| d < today) && !status.is_final();
                row(
                    csv,
                    [
                        id.to_string(),
                        agreement.to_string(),
                        title,
                        opt(&description),
                        responsible.to_string(),
                        opt(&scope),
                        opt(&due),
                        opt(&target),
                        opt(&unit),
                        status.to_string(),
                        pct.to_string(),
                        opt(&achieved),
                        overdue.to_string(),
                    ],
                )?;
            }
            Ok(())
        })
    })?;
    table(sink, res("activities")?, |csv| {
        pages(
            conn,
            |c, after| repo::activities(c, after, PAGE),
            |r| r.0,
            |_, page| {
                for (
                    id,
                    kind,
                    title,
                    agreement,
                    scope,
                    organizer,
                    starts,
                    ends,
                    location,
                    status,
                    audience,
                    reached,
                ) in page
                {
                    if hidden.agreement(&agreement) {
                        continue;
                    }
                    row(
                        csv,
                        [
                            id.to_string(),
                            kind.to_string(),
                            title,
                            opt(&agreement),
                            opt(&scope),
                            organizer.to_string(),
                            datetime(starts),
                            ends.map(datetime).unwrap_or_default(),
                            opt(&location),
                            status.to_string(),
                            opt(&audience),
                            opt(&reached),
                        ],
                    )?;
                }
                Ok(())
            },
        )
    })?;
    table(sink, res("activity_participants")?, |csv| {
        pages(
            conn,
            |c, after| repo::activity_keys(c, after, PAGE),
            |key| key.0,
            |c, keys| {
                let ids: Vec<Id> = keys
                    .into_iter()
                    .filter(|(_, agreement)| !hidden.agreement(agreement))
                    .map(|(id, _)| id)
                    .collect();
                for (activity, org, attendees) in repo::participants(c, &ids)? {
                    row(csv, [activity.to_string(), org.to_string(), opt(&attendees)])?;
                }
                Ok(())
            },
        )
    })?;
    table(sink, res("outcomes")?, |csv| {
        pages(
            conn,
            |c, after| repo::outcomes(c, after, PAGE),
            |r| r.0,
            |_, page| {
                for (
                    id,
                    kind,
                    title,
                    value,
                    unit,
                    segment,
                    start,
                    end,
                    org,
                    agreement,
                    activity,
                    commitment,
                    regulation,
                    evidence,
                ) in page.into_iter().filter(|r| !hidden.outcome(r))
                {
                    row(
                        csv,
                        [
                            id.to_string(),
                            kind.to_string(),
                            title,
                            value.to_string(),
                            unit.to_string(),
                            opt(&segment),
                            start.to_string(),
                            end.to_string(),
                            org.to_string(),
                            opt(&agreement),
                            opt(&activity),
                            opt(&commitment),
                            opt(&regulation),
                            opt(&evidence),
                        ],
                    )?;
                }
                Ok(())
            },
        )
    })?;
    table(sink, res("coverage")?, |csv| {
        let all = CoverageFilter::default();
        let mut after = None;
        loop {
            let page = crate::coverage::repo::list(conn, &all, (None, None), after.take(), PAGE)?;
            let full = page.len() as i64 == PAGE;
            for r in &page {
                facts.see(&r.period, r.source.as_deref());
                let view = r.view(zones);
                row(
                    csv,
                    [
                        r.region_code.clone(),
                        r.segment.to_string(),
                        r.period.clone(),
                        r.target.to_string(),
                        r.realization.to_string(),
                        opt(&view.achievement_pct),
                        opt(&view.zone),
                        opt(&r.source),
                        opt(&r.note),
                    ],
                )?;
            }
            after = page
                .last()
                .map(|r| (r.region_code.clone(), r.period.clone(), r.segment.as_str().to_string()));
            if !full {
                return Ok(());
            }
        }
    })?;

    sink.begin("datapackage.json").map_err(io_failed)?;
    let descriptor = schema::descriptor(&resources, &facts, &format!("{today}T00:00:00Z"));
    serde_json::to_writer_pretty(&mut *sink, &descriptor).map_err(io_failed)?;
    sink.write_all(b"\n").map_err(io_failed)?;
    Ok(())
}

/// `sinergi export datapackage --out DIR`: the package as files in `dir`.
pub fn export_to_dir(
    conn: &mut DbConnection,
    dir: &Path,
    today: NaiveDate,
    zones: Zones,
) -> Result<(), AppError> {
    fs::create_dir_all(dir).map_err(|e| io_failed(format!("{}: {e}", dir.display())))?;
    read_snapshot(conn, |conn| {
        let mut sink = Box::new(DirSink::new(dir));
        write_package(conn, sink.as_mut(), today, zones)?;
        sink.finish().map_err(io_failed)
    })
}

/// One build at a time in this process: callers that arrive during a build wait for it and then find it
/// in the cache.
static BUILDING: Mutex<()> = Mutex::new(());

/// The served package: its file and its key (the date and the number of committed audit events).
pub struct Package {
    pub path: PathBuf,
    pub key: String,
}

/// The zip of the package as the data stands, from the cache in `dir` or built now (and cached, the older
/// ones removed).
pub fn package(
    conn: &mut DbConnection,
    dir: &Path,
    today: NaiveDate,
    zones: Zones,
) -> Result<Package, AppError> {
    let _building = BUILDING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    read_snapshot(conn, |conn| {
        let key = format!("{today}-{}", repo::committed_events(conn)?);
        let name = format!("datapackage-{key}.zip");
        let path = dir.join(&name);
        if path.is_file() {
            return Ok(Package { path, key });
        }
        fs::create_dir_all(dir).map_err(|e| io_failed(format!("{}: {e}", dir.display())))?;
        let tmp = dir.join(format!(".building-{}.zip", Id::new()));
        let built = (|| {
            let mut sink = Box::new(ZipSink::create(&tmp).map_err(io_failed)?);
            write_package(conn, sink.as_mut(), today, zones)?;
            sink.finish().map_err(io_failed)?;
            fs::rename(&tmp, &path).map_err(io_failed)
        })();
        if built.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        built?;
        // Older packages: no caller will be given them again (one being sent stays readable until closed).
        if let Ok(entries) = fs::read_dir(dir) {
            for entry in entries.flatten() {
                let file = entry.file_name().to_string_lossy().to_string();
                if file.starts_with("datapackage-") && file.ends_with(".zip") && file != name {
                    let _ = fs::remove_file(entry.path());
                }
            }
        }
        Ok(Package { path, key })
    })
}
