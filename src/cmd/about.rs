//! `gazette about`: the version, where the data comes from, and its licences.

use std::io::Write;

use crate::gazetteer::{self, Gazetteer};

/// Print the version, the attribution and the gazetteer's size and data version.
pub(crate) fn run(g: &Gazetteer, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "gazette {}\n{}\nGazetteer: {} places, data version {}.",
        env!("CARGO_PKG_VERSION"),
        gazetteer::ATTRIBUTION,
        g.len(),
        gazetteer::DATA_VERSION
    )
}
