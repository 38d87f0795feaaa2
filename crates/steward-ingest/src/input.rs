//! Opening a file for a parser: gzip (as Bulk Data servers serve `.ndjson.gz`) is
//! decompressed transparently, whatever the format; read errors become reasons that say
//! whether the file could not be read or its compressed data is damaged.

use crate::reason::Reason;
use flate2::read::MultiGzDecoder;
use std::io::{self, Read};

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Marks an error of the gzip stream, so it is told apart from one of the disk.
#[derive(Debug)]
struct GzipError(io::Error);

impl std::fmt::Display for GzipError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "gzip: {}", self.0.kind())
    }
}

impl std::error::Error for GzipError {}

struct Gunzip<R: Read>(MultiGzDecoder<R>);

impl<R: Read> Read for Gunzip<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| io::Error::other(GzipError(e)))
    }
}

/// The file's bytes, decompressed when they are gzip.
pub fn decompressed<'a, R: Read + Send + 'a>(mut reader: R) -> io::Result<(Box<dyn Read + Send + 'a>, bool)> {
    let mut magic = [0u8; 2];
    let mut got = 0;
    while got < 2 {
        match reader.read(&mut magic[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let head = io::Cursor::new(magic[..got].to_vec());
    let whole = head.chain(reader);
    if got == 2 && magic == GZIP_MAGIC {
        Ok((Box::new(Gunzip(MultiGzDecoder::new(whole))), true))
    } else {
        Ok((Box::new(whole), false))
    }
}

/// The reason a read failed.
pub fn read_error(e: &io::Error) -> Reason {
    if e.get_ref().is_some_and(|inner| inner.is::<GzipError>()) {
        Reason::GzipDamaged
    } else {
        Reason::Unreadable { kind: e.kind() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    #[test]
    fn gzip_is_read_through_and_damage_is_named() {
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(b"account,visit_id\n").unwrap();
        let gz = enc.finish().unwrap();
        let (mut r, zipped) = decompressed(io::Cursor::new(gz.clone())).unwrap();
        let mut text = String::new();
        r.read_to_string(&mut text).unwrap();
        assert_eq!((text.as_str(), zipped), ("account,visit_id\n", true));
        let (mut r, _) = decompressed(io::Cursor::new(gz[..gz.len() - 6].to_vec())).unwrap();
        let e = r.read_to_end(&mut Vec::new()).unwrap_err();
        assert_eq!(read_error(&e), Reason::GzipDamaged);
        let (mut r, zipped) = decompressed(io::Cursor::new(b"a".to_vec())).unwrap();
        let mut one = Vec::new();
        r.read_to_end(&mut one).unwrap();
        assert_eq!((one, zipped), (b"a".to_vec(), false));
    }
}
