//! The static site (`gazette build`). Placeholder signature; the renderer lands next.

use std::path::PathBuf;

use crate::gazetteer::Gazetteer;

/// What `gazette build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub site_dir: PathBuf,
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub quiet: bool,
    pub strict: bool,
}

/// Build the site; returns the exit code.
pub fn build(_g: &Gazetteer, opts: &BuildOptions) -> crate::Result<i32> {
    Err(crate::Error::Usage(format!("{}: the site builder is not available yet", opts.site_dir.display())))
}
