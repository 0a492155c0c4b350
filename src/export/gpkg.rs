//! GeoPackage 1.3 (OGC 12-128r18): QGIS's own format, with a spatial index, for sites
//! too big for GeoJSON to open quickly. Written with SQLite (rusqlite, SQLite built in)
//! in one transaction, into a temporary file renamed over the target at the end, so that
//! an interrupted export leaves no half-written file.
//!
//! | table | kind | rows |
//! | --- | --- | --- |
//! | `events` | features (Point, EPSG:4326) | one per event and place: the GeoJSON export's fields, typed (`event_date` DATE for QGIS's Temporal Controller), and `article_id` |
//! | `places` | features (Point, EPSG:4326) | one per place: `geonameid`, `name`, `feature_code`, `country_code`, `admin1`, `population`, `events`, `first_date`, `last_date` |
//! | `articles` | attributes | one per article: `article_id` (the key `events.article_id` joins on), `article`, `title`, `date`, `datetime`, `source`, `url`, `lang`, `tags`, `path`, `places` |
//!
//! Both feature tables have an R-tree index (`rtree_events_geom`, `rtree_places_geom`)
//! with the triggers that keep it in step when QGIS edits the layer, registered as the
//! `gpkg_rtree_index` extension; `gpkg_contents` holds each layer's extent and
//! description. `last_change` is the newest event's date, not the clock, so that the same
//! events give the same file.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::types::Value as Sql;
use rusqlite::{params, Connection};

use super::csv::COLUMNS;
use super::{feature_id, feature_places, properties_with, round6, ArticleFields, ArticleKey, Extent, Staged};
use crate::error::{Error, Result};
use crate::event::Event;

/// `PRAGMA application_id` of a GeoPackage: "GPKG".
const APPLICATION_ID: i32 = 0x4750_4B47;
/// `PRAGMA user_version` of GeoPackage 1.3.0.
const USER_VERSION: i32 = 10300;

/// WGS 84 as GeoPackage's own table writes it (OGC WKT 1).
const WGS84_WKT: &str = "GEOGCS[\"WGS 84\",DATUM[\"WGS_1984\",SPHEROID[\"WGS 84\",6378137,298.257223563,\
AUTHORITY[\"EPSG\",\"7030\"]],AUTHORITY[\"EPSG\",\"6326\"]],PRIMEM[\"Greenwich\",0,AUTHORITY[\"EPSG\",\"8901\"]],\
UNIT[\"degree\",0.0174532925199433,AUTHORITY[\"EPSG\",\"9122\"]],AXIS[\"Latitude\",NORTH],AXIS[\"Longitude\",EAST],\
AUTHORITY[\"EPSG\",\"4326\"]]";

/// A point as a GeoPackage geometry blob: the `GP` header (version 0, little endian, no
/// envelope, SRS 4326), then the point as little-endian WKB.
fn point_blob(lon: f64, lat: f64) -> Vec<u8> {
    let mut b = Vec::with_capacity(29);
    b.extend_from_slice(b"GP");
    b.push(0); // version 1
    b.push(0b0000_0001); // little endian, no envelope, not empty, standard
    b.extend_from_slice(&4326i32.to_le_bytes());
    b.push(1); // WKB: little endian
    b.extend_from_slice(&1u32.to_le_bytes()); // Point
    b.extend_from_slice(&lon.to_le_bytes());
    b.extend_from_slice(&lat.to_le_bytes());
    b
}

/// The SQL type of a `.csvt` column type.
fn sql_type(csvt: &str) -> &'static str {
    match csvt {
        "Date" => "DATE",
        "Integer" => "MEDIUMINT",
        "Integer64" => "INTEGER",
        "Integer(Boolean)" => "BOOLEAN",
        "Real" => "DOUBLE",
        _ => "TEXT",
    }
}

/// The tables GeoPackage itself needs, with the three spatial reference systems it
/// requires (undefined Cartesian, undefined geographic, WGS 84).
const CORE: &str = "
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL, min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
  srs_id INTEGER, CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
  scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
";

/// The triggers that keep `table`'s R-tree in step with edits (they call the ST_
/// functions GDAL provides where it opens the file), and the extension's registration.
/// The R-tree itself, `rtree_TABLE_geom`, is filled as the rows are written.
fn rtree_triggers(db: &Connection, table: &str) -> rusqlite::Result<()> {
    let t = format!("rtree_{table}_geom");
    db.execute_batch(&format!(
        "CREATE TRIGGER {t}_insert AFTER INSERT ON {table} WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(new.geom))
           BEGIN INSERT OR REPLACE INTO {t} VALUES (new.fid, ST_MinX(new.geom), ST_MaxX(new.geom), ST_MinY(new.geom), ST_MaxY(new.geom)); END;
         CREATE TRIGGER {t}_update AFTER UPDATE ON {table} WHEN (new.geom NOT NULL AND NOT ST_IsEmpty(new.geom))
           BEGIN DELETE FROM {t} WHERE id = old.fid;
                 INSERT OR REPLACE INTO {t} VALUES (new.fid, ST_MinX(new.geom), ST_MaxX(new.geom), ST_MinY(new.geom), ST_MaxY(new.geom)); END;
         CREATE TRIGGER {t}_update_empty AFTER UPDATE ON {table} WHEN (new.geom IS NULL OR ST_IsEmpty(new.geom))
           BEGIN DELETE FROM {t} WHERE id = old.fid; END;
         CREATE TRIGGER {t}_delete AFTER DELETE ON {table} WHEN old.geom NOT NULL
           BEGIN DELETE FROM {t} WHERE id = old.fid; END;"
    ))?;
    db.execute(
        "INSERT INTO gpkg_extensions VALUES (?1, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
        params![table],
    )?;
    Ok(())
}

/// The SQL of the event rows' insert.
fn insert_event_sql() -> String {
    let holes: Vec<String> = (3..COLUMNS.len() + 3).map(|i| format!("?{i}")).collect();
    format!(
        "INSERT INTO events (geom, {}, article_id) VALUES (?1, {}, ?2)",
        COLUMNS.iter().map(|(n, _)| format!("\"{n}\"")).collect::<Vec<_>>().join(", "),
        holes.join(", ")
    )
}

const INSERT_ARTICLE: &str =
    "INSERT INTO articles (article, title, date, datetime, source, url, lang, tags, path, places)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/// One place of the `places` layer, gathered over the events.
struct PlaceRow {
    name: String,
    geonameid: Option<u32>,
    feature_code: &'static str,
    country_code: String,
    admin1: Option<String>,
    population: u64,
    lon: f64,
    lat: f64,
    events: usize,
    first: Option<String>,
    last: Option<String>,
}

/// A GeoPackage being written: create it, [`Writer::add`] events, then
/// [`Writer::finish`]; dropped before that, it leaves nothing behind. The events and
/// articles are inserted as they come, in one transaction; what the `places` layer and
/// the R-trees need is kept until the end (a few dozen bytes per feature and per place).
pub struct Writer {
    // the connection closes before the file is put in place or removed
    db: Connection,
    file: Staged,
    key: ArticleKey,
    demonyms: bool,
    insert_event: String,
    newest: Option<String>,
    /// The events' R-tree rows, inserted at the end in spatial order: an R-tree grows
    /// fastest when neighbours come together.
    rtree_events: Vec<(i64, f64, f64)>,
    places: BTreeMap<String, PlaceRow>,
    extent: Extent,
}

impl Writer {
    /// Start a GeoPackage that will replace `path`.
    pub fn create(path: &Path, key: ArticleKey, demonyms: bool) -> Result<Writer> {
        let file = Staged::new(path);
        let db = open(&file.tmp).map_err(|e| failed(path, e))?;
        let w = Writer {
            db,
            file,
            key,
            demonyms,
            insert_event: insert_event_sql(),
            newest: None,
            rtree_events: Vec::new(),
            places: BTreeMap::new(),
            extent: Extent::new(),
        };
        Ok(w)
    }

    /// Add one event: its article, and a feature per place.
    pub fn add(&mut self, e: &Event) -> Result<()> {
        let path = self.file.target().to_owned();
        self.insert(e).map_err(|err| failed(&path, err))
    }

    fn insert(&mut self, e: &Event) -> rusqlite::Result<()> {
        let feats: Vec<_> = feature_places(e, self.demonyms).collect();
        let a = &e.article;
        let date = e.date.as_ref().map(|d| d.date.as_str());
        if let Some(d) = date {
            if self.newest.as_deref().is_none_or(|n| d > n) {
                self.newest = Some(d.to_string());
            }
        }
        let article = match self.key {
            ArticleKey::Slug => &a.slug,
            ArticleKey::Path => &a.path,
        };
        self.db.prepare_cached(INSERT_ARTICLE)?.execute(params![
            article,
            a.title,
            date,
            e.date.as_ref().and_then(|d| d.datetime.as_deref()),
            a.source,
            a.url,
            a.lang,
            a.tags.join(";"),
            a.path,
            feats.len() as i64,
        ])?;
        let article_id = self.db.last_insert_rowid();
        let fields = ArticleFields::of(e, self.key);
        let mut add_event = self.db.prepare_cached(&self.insert_event)?;
        for p in feats {
            let f = properties_with(p, fields.clone());
            let (lon, lat) = (round6(p.lon), round6(p.lat));
            self.extent.add(lon, lat);
            add_event.execute(params![
                point_blob(lon, lat),
                article_id,
                feature_id(e, p),
                f.event_date.as_deref(),
                f.event_datetime.as_deref(),
                f.date.as_deref(),
                f.place,
                f.geonameid,
                f.country_code,
                f.admin1,
                f.feature_code,
                f.geo_precision,
                f.population as i64,
                f.mentions as i64,
                f.matched.as_ref(),
                f.focus,
                f.confidence,
                f.title.as_ref(),
                f.source.as_deref(),
                f.url.as_deref(),
                f.tags.as_ref(),
                f.lang.as_ref(),
                f.article.as_ref(),
                f.path.as_ref(),
            ])?;
            self.rtree_events.push((self.db.last_insert_rowid(), lon, lat));
            let key = match p.geonameid {
                Some(id) => format!("{id:012}"),
                None => format!("~{}", p.name),
            };
            let row = self.places.entry(key).or_insert_with(|| PlaceRow {
                name: p.name.to_string(),
                geonameid: p.geonameid,
                feature_code: p.feature_code,
                country_code: p.country_code.to_string(),
                admin1: p.admin1.as_ref().map(|a| a.to_string()),
                population: p.population,
                lon,
                lat,
                events: 0,
                first: None,
                last: None,
            });
            row.events += 1;
            if let Some(d) = date {
                if row.first.as_deref().is_none_or(|f| d < f) {
                    row.first = Some(d.to_string());
                }
                if row.last.as_deref().is_none_or(|l| d > l) {
                    row.last = Some(d.to_string());
                }
            }
        }
        Ok(())
    }

    /// Write the places, the R-trees and the layers' registration, commit, and put the
    /// file in place.
    pub fn finish(mut self) -> Result<()> {
        let path = self.file.target().to_owned();
        self.close().map_err(|e| failed(&path, e))?;
        let Writer { file, db, .. } = self;
        db.close().map_err(|(_, e)| failed(&path, e))?;
        file.commit()
    }

    fn close(&mut self) -> rusqlite::Result<()> {
        let db = &self.db;
        let mut ext_places = Extent::new();
        {
            let mut add_place = db.prepare(
                "INSERT INTO places (geom, geonameid, name, feature_code, country_code, admin1, population, events, first_date, last_date)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            let mut add_rtree_place = db.prepare("INSERT INTO rtree_places_geom VALUES (?1, ?2, ?3, ?4, ?5)")?;
            for p in self.places.values() {
                ext_places.add(p.lon, p.lat);
                add_place.execute(params![
                    point_blob(p.lon, p.lat),
                    p.geonameid,
                    p.name,
                    p.feature_code,
                    Some(p.country_code.as_str()).filter(|c| !c.is_empty()),
                    p.admin1,
                    p.population as i64,
                    p.events as i64,
                    p.first,
                    p.last,
                ])?;
                add_rtree_place.execute(params![db.last_insert_rowid(), p.lon, p.lon, p.lat, p.lat])?;
            }
            let rtree = &mut self.rtree_events;
            rtree.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.2.total_cmp(&b.2)).then(a.0.cmp(&b.0)));
            let mut add_rtree_event = db.prepare("INSERT INTO rtree_events_geom VALUES (?1, ?2, ?3, ?4, ?5)")?;
            for &(fid, lon, lat) in rtree.iter() {
                add_rtree_event.execute(params![fid, lon, lon, lat, lat])?;
            }
        }

        let changed = format!("{}T00:00:00.000Z", self.newest.as_deref().unwrap_or("1970-01-01"));
        let layers = [
            (
                "events",
                "features",
                "One point per event and place: the articles' dates, places, titles and sources.",
                self.extent,
            ),
            (
                "places",
                "features",
                "One point per place the articles name, with its number of events and first and last date.",
                ext_places,
            ),
            ("articles", "attributes", "One row per article; events.article_id joins on article_id.", Extent::new()),
        ];
        for (table, kind, description, extent) in layers {
            let [x0, y0, x1, y1] = extent.0.map(|v| if v.is_finite() { Sql::Real(v) } else { Sql::Null });
            let srs = if kind == "features" { Sql::Integer(4326) } else { Sql::Null };
            db.execute(
                "INSERT INTO gpkg_contents VALUES (?1, ?2, ?1, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![table, kind, description, changed, x0, y0, x1, y1, srs],
            )?;
            if kind == "features" {
                db.execute(
                    "INSERT INTO gpkg_geometry_columns VALUES (?1, 'geom', 'POINT', 4326, 0, 0)",
                    params![table],
                )?;
                rtree_triggers(db, table)?;
            }
        }
        db.execute_batch("COMMIT")
    }
}

/// A SQLite failure, as an I/O error on the target.
fn failed(path: &Path, e: rusqlite::Error) -> Error {
    Error::Io { path: path.to_owned(), source: std::io::Error::other(e.to_string()) }
}

/// A new database at `path` with GeoPackage's own tables and the three layers' tables,
/// in an open transaction.
fn open(path: &Path) -> rusqlite::Result<Connection> {
    let db = Connection::open(path)?;
    db.pragma_update(None, "application_id", APPLICATION_ID)?;
    db.pragma_update(None, "user_version", USER_VERSION)?;
    db.pragma_update(None, "journal_mode", "OFF")?;
    db.pragma_update(None, "synchronous", "OFF")?;
    db.execute_batch("BEGIN")?;
    db.execute_batch(CORE)?;
    db.execute(
        "INSERT INTO gpkg_spatial_ref_sys VALUES
           ('Undefined Cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined Cartesian coordinate reference system'),
           ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
           ('WGS 84 geodetic', 4326, 'EPSG', 4326, ?1, 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')",
        params![WGS84_WKT],
    )?;
    // articles, then events (which name their article), then places
    db.execute_batch(
        "CREATE TABLE articles (article_id INTEGER PRIMARY KEY AUTOINCREMENT, article TEXT NOT NULL, title TEXT, date DATE,
           datetime TEXT, source TEXT, url TEXT, lang TEXT, tags TEXT, path TEXT, places INTEGER);",
    )?;
    let columns: Vec<String> = COLUMNS.iter().map(|(name, kind)| format!("\"{name}\" {}", sql_type(kind))).collect();
    db.execute_batch(&format!(
        "CREATE TABLE events (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom POINT, {},
           article_id INTEGER REFERENCES articles(article_id));",
        columns.join(", ")
    ))?;
    db.execute_batch(
        "CREATE TABLE places (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom POINT, geonameid INTEGER, name TEXT,
           feature_code TEXT, country_code TEXT, admin1 TEXT, population INTEGER, events INTEGER,
           first_date DATE, last_date DATE);
         CREATE VIRTUAL TABLE rtree_events_geom USING rtree(id, minx, maxx, miny, maxy);
         CREATE VIRTUAL TABLE rtree_places_geom USING rtree(id, minx, maxx, miny, maxy);",
    )?;
    Ok(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_point_blob_is_a_gpkg_header_and_wkb() {
        let b = point_blob(69.172, 34.528);
        assert_eq!(&b[..4], b"GP\x00\x01");
        assert_eq!(i32::from_le_bytes(b[4..8].try_into().unwrap()), 4326);
        assert_eq!(b[8], 1);
        assert_eq!(u32::from_le_bytes(b[9..13].try_into().unwrap()), 1);
        assert_eq!(f64::from_le_bytes(b[13..21].try_into().unwrap()), 69.172);
        assert_eq!(f64::from_le_bytes(b[21..29].try_into().unwrap()), 34.528);
    }

    #[test]
    fn the_insert_binds_the_columns_in_their_order() {
        // `fill` binds the event fields in this order, after geom and article_id
        let names: Vec<&str> = COLUMNS.iter().map(|c| c.0).collect();
        assert_eq!(
            names,
            [
                "id",
                "event_date",
                "event_datetime",
                "date",
                "place",
                "geonameid",
                "country_code",
                "admin1",
                "feature_code",
                "geo_precision",
                "population",
                "mentions",
                "matched",
                "focus",
                "confidence",
                "title",
                "source",
                "url",
                "tags",
                "lang",
                "article",
                "path"
            ]
        );
    }

    #[test]
    fn column_types_follow_the_csvt() {
        assert_eq!(sql_type("Date"), "DATE");
        assert_eq!(sql_type("Integer(Boolean)"), "BOOLEAN");
        assert_eq!(sql_type("Integer64"), "INTEGER");
        assert_eq!(sql_type("Integer"), "MEDIUMINT");
        assert_eq!(sql_type("Real"), "DOUBLE");
        assert_eq!(sql_type("String"), "TEXT");
    }
}
