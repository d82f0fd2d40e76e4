//! The SQLite scenarios (the article's inserts from several threads): one WAL-mode database file,
//! a connection of its own per unit.
//!
//! - `sqlite-insert`: unit `i` inserts rows `(i, k, value(i, k))` for `k` in `0..rows` in one
//!   `BEGIN IMMEDIATE` transaction. SQLite lets one writer at a time hold the file's write lock;
//!   a unit that finds it taken gets `SQLITE_BUSY`, and the busy handler here waits (1 ms at
//!   first, at most 10 ms a time) and retries, counting every retry, for at most [`BUSY_BOUND`].
//! - `sqlite-read`: every row (`units` × `rows`) is written before the measured window; each unit
//!   reads them all and sums their values. Readers do not lock each other out in WAL mode.
//!
//! A unit's value is the sum of the values it wrote or read, so the checksum is the same in every
//! model. After the window the file is checked: exactly `units` × `rows` rows with the expected
//! sum. A unit that fails (the bound passed, a disk error) is recorded here and fails the run.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use rusqlite::Connection;

use concbench_core::config::{Config, ScenarioName};
use concbench_core::seq::mix;

/// How long a unit keeps retrying a busy database before it fails.
pub const BUSY_BOUND: Duration = Duration::from_secs(30);

static BUSY_RETRIES: AtomicU64 = AtomicU64::new(0);

/// The value of row `k` of unit `i` (below 2³¹).
pub fn value(i: usize, k: usize) -> u64 {
    mix(((i as u64) << 32) | k as u64) >> 33
}

/// The sum of unit `i`'s row values.
pub fn unit_sum(i: usize, rows: usize) -> u64 {
    (0..rows).map(|k| value(i, k)).sum()
}

/// The sum of every row's value: what each sqlite-read unit reads.
pub fn table_sum(units: usize, rows: usize) -> u64 {
    (0..units).map(|i| unit_sum(i, rows)).sum()
}

/// The database file of a run: a temporary one (removed when this drops) or the configured path.
/// It keeps a connection open for the whole run, as an application's pool would: when the last
/// connection to a WAL database closes, SQLite checkpoints the log into the file and removes it,
/// and without this one a loop of units, each closing its own, would pay that on every unit.
#[derive(Debug)]
pub struct Db {
    path: PathBuf,
    _keeper: Connection,
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    /// Creates the file for `cfg`'s scenario: the table, WAL mode, and for sqlite-read every row.
    pub fn create(cfg: &Config) -> anyhow::Result<Self> {
        let (place, dir) = crate::data_place(cfg, "sqlite")?;
        // In a temporary folder the file is one in it; a configured path is the file itself.
        let path = if dir.is_some() {
            place.join("bench.db")
        } else {
            place
        };
        let mut conn = open(&path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE rows (unit INTEGER NOT NULL, k INTEGER NOT NULL, value INTEGER NOT NULL,
                                PRIMARY KEY (unit, k)) WITHOUT ROWID;",
        )
        .with_context(|| format!("creating the table in {}", path.display()))?;
        if cfg.scenario.name == ScenarioName::SqliteRead {
            let tx = conn.transaction().context("starting the fill")?;
            for i in 0..cfg.scenario.units {
                insert_rows(&tx, i, cfg.scenario.rows)?;
            }
            tx.commit().context("committing the fill")?;
        }
        Ok(Db {
            path,
            _keeper: conn,
            _dir: dir,
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// After an insert run: exactly `units` × `rows` rows, with the sum every unit's values make.
    pub fn verify(&self, cfg: &Config) -> anyhow::Result<()> {
        let conn = open(&self.path)?;
        let (count, sum): (i64, i64) = conn
            .query_row("SELECT count(*), coalesce(sum(value), 0) FROM rows", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .context("counting the rows")?;
        let (units, rows) = (cfg.scenario.units, cfg.scenario.rows);
        let want = (units * rows) as i64;
        anyhow::ensure!(
            count == want,
            "the database holds {count} rows, not the {units} × {rows} = {want} written: work was lost"
        );
        let expected = table_sum(units, rows) as i64;
        anyhow::ensure!(
            sum == expected,
            "the rows' values sum to {sum}, not {expected}: rows were written wrong"
        );
        Ok(())
    }
}

fn open(path: &Path) -> anyhow::Result<Connection> {
    let conn =
        Connection::open(path).with_context(|| format!("opening the SQLite file {}", path.display()))?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .context("setting synchronous = NORMAL")?;
    Ok(conn)
}

/// A unit's connection, with the counting busy handler.
fn unit_connection(path: &Path) -> anyhow::Result<Connection> {
    let mut conn = open(path)?;
    let start = Instant::now();
    conn.busy_handler(Some(move |attempt: i32| {
        BUSY_RETRIES.fetch_add(1, Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(u64::from(attempt.clamp(0, 9) as u32) + 1));
        start.elapsed() < BUSY_BOUND
    }))
    .context("installing the busy handler")?;
    Ok(conn)
}

fn insert_rows(conn: &Connection, i: usize, rows: usize) -> anyhow::Result<u64> {
    let mut insert = conn
        .prepare_cached("INSERT INTO rows (unit, k, value) VALUES (?1, ?2, ?3)")
        .context("preparing the insert")?;
    let mut sum = 0;
    for k in 0..rows {
        let v = value(i, k);
        insert
            .execute((i as i64, k as i64, v as i64))
            .with_context(|| format!("inserting row {k} of unit {i}"))?;
        sum += v;
    }
    Ok(sum)
}

fn insert_unit(path: &Path, i: usize, rows: usize) -> anyhow::Result<u64> {
    let mut conn = unit_connection(path)?;
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .with_context(|| format!("unit {i} taking the write lock"))?;
    let sum = insert_rows(&tx, i, rows)?;
    tx.commit().with_context(|| format!("unit {i} committing"))?;
    Ok(sum)
}

fn read_unit(path: &Path, i: usize) -> anyhow::Result<u64> {
    let conn = unit_connection(path)?;
    let mut select = conn
        .prepare("SELECT value FROM rows")
        .context("preparing the read")?;
    let mut rows = select.query([]).with_context(|| format!("unit {i} reading"))?;
    let mut sum = 0u64;
    while let Some(row) = rows.next().with_context(|| format!("unit {i} reading"))? {
        sum += row.get::<_, i64>(0)? as u64;
    }
    Ok(sum)
}

/// Runs unit `i` of `cfg`'s sqlite scenario on the file `cfg.scenario.data`; a failure is recorded
/// (see [`failure`]) and the unit's value is 0.
pub fn unit(cfg: &Config, i: usize) -> u64 {
    let path = Path::new(&cfg.scenario.data);
    let result = match cfg.scenario.name {
        ScenarioName::SqliteInsert => insert_unit(path, i, cfg.scenario.rows),
        _ => read_unit(path, i),
    };
    result.unwrap_or_else(|err| {
        crate::fail(format!("{err:#}"));
        0
    })
}

/// Busy retries counted in this process so far.
pub fn busy_retries() -> u64 {
    BUSY_RETRIES.load(Ordering::Relaxed)
}

/// Adds a worker process's busy retries to this process's.
pub fn add_busy_retries(n: u64) {
    BUSY_RETRIES.fetch_add(n, Ordering::Relaxed);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(name: ScenarioName, units: usize, rows: usize) -> Config {
        let mut c = Config::default();
        c.scenario.name = name;
        c.scenario.units = units;
        c.scenario.rows = rows;
        c
    }

    #[test]
    fn inserts_from_many_threads_leave_every_row_once() {
        let mut c = cfg(ScenarioName::SqliteInsert, 12, 200);
        let db = Db::create(&c).unwrap();
        c.scenario.data = db.path().to_string_lossy().into_owned();
        let sums: Vec<u64> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..12)
                .map(|i| {
                    s.spawn({
                        let c = &c;
                        move || unit(c, i)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(crate::failure(), None);
        assert_eq!(sums, (0..12).map(|i| unit_sum(i, 200)).collect::<Vec<_>>());
        db.verify(&c).unwrap();
        // A unit inserted twice breaks the primary key: recorded as a failure, not a panic.
        assert_eq!(
            insert_unit(db.path(), 3, 200).unwrap_err().to_string(),
            "inserting row 0 of unit 3"
        );
    }

    #[test]
    fn verify_catches_lost_rows_and_readers_read_everything() {
        let mut c = cfg(ScenarioName::SqliteInsert, 3, 10);
        let db = Db::create(&c).unwrap();
        insert_unit(db.path(), 0, 10).unwrap();
        insert_unit(db.path(), 1, 10).unwrap();
        let err = db.verify(&c).unwrap_err().to_string();
        assert!(err.contains("holds 20 rows, not the 3 × 10 = 30"), "{err}");
        c.scenario.name = ScenarioName::SqliteRead;
        let read = Db::create(&c).unwrap();
        assert_eq!(read_unit(read.path(), 2).unwrap(), table_sum(3, 10));
        read.verify(&c).unwrap();
    }
}
