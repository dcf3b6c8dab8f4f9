//! Unpacking tarballs for `fetchTarball` and `fetchGit` (CppNix's
//! `unpackTarfile`): the compression (none, gzip, xz, bzip2) is recognised
//! by its magic bytes, as libarchive does, and the entries are written into
//! a fresh temporary directory that the [`crate::store::EvalStore`] keeps
//! until the evaluation's store objects are written.

use std::io::{self, Read};
use std::path::Path;

/// The decompressed stream of `bytes`, by the magic bytes at its start.
fn decompressed(bytes: &[u8]) -> Box<dyn Read + '_> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        Box::new(flate2::read::MultiGzDecoder::new(bytes))
    } else if bytes.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        Box::new(xz2::read::XzDecoder::new_multi_decoder(bytes))
    } else if bytes.starts_with(b"BZh") {
        Box::new(bzip2::read::MultiBzDecoder::new(bytes))
    } else {
        Box::new(bytes)
    }
}

/// Unpacks the (possibly compressed) tar archive `bytes` into `dest`, an
/// existing directory. Entries may not escape `dest`.
pub fn unpack_tar(bytes: &[u8], dest: &Path) -> io::Result<()> {
    let mut archive = tar::Archive::new(decompressed(bytes));
    archive.set_overwrite(true);
    archive.set_preserve_permissions(false);
    archive.set_preserve_mtime(true);
    archive.set_unpack_xattrs(false);
    archive.unpack(dest)
}

/// A new temporary directory for an unpacked tree.
pub fn temp_dir() -> io::Result<tempfile::TempDir> {
    tempfile::Builder::new().prefix("neve-fetch-").tempdir()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(files: &[(&str, &[u8], u32)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data, mode) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(*mode);
            h.set_cksum();
            b.append_data(&mut h, name, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    #[test]
    fn unpacks_plain_and_compressed() {
        let plain = tar_of(&[("top/a", b"hello\n", 0o644), ("top/x", b"#!/bin/sh\n", 0o755)]);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        io::Write::write_all(&mut gz, &plain).unwrap();
        let gz = gz.finish().unwrap();
        let mut xz = xz2::write::XzEncoder::new(Vec::new(), 6);
        io::Write::write_all(&mut xz, &plain).unwrap();
        let xz = xz.finish().unwrap();
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        io::Write::write_all(&mut bz, &plain).unwrap();
        let bz = bz.finish().unwrap();
        for bytes in [&plain, &gz, &xz, &bz] {
            let dir = temp_dir().unwrap();
            unpack_tar(bytes, dir.path()).unwrap();
            assert_eq!(std::fs::read(dir.path().join("top/a")).unwrap(), b"hello\n");
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("top/x")).unwrap().permissions().mode();
            assert_ne!(mode & 0o100, 0);
        }
    }
}
