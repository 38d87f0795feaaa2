//! Writers for every file format Steward ingests. Each takes one account's population and
//! returns bytes, so accounts can be rendered in parallel and written in a fixed order.

pub mod census;
pub mod fhir;
pub mod tables;
pub mod x12;

use chrono::{Datelike, NaiveDate};

/// `YYYY-MM-DD`, without the formatting machinery (this runs tens of millions of times).
pub fn push_date(out: &mut Vec<u8>, d: NaiveDate) {
    push_padded(out, d.year() as u32, 4);
    out.push(b'-');
    push_padded(out, d.month(), 2);
    out.push(b'-');
    push_padded(out, d.day(), 2);
}

/// `YYYYMMDD`, the X12 D8 format.
pub fn push_date_d8(out: &mut Vec<u8>, d: NaiveDate) {
    push_padded(out, d.year() as u32, 4);
    push_padded(out, d.month(), 2);
    push_padded(out, d.day(), 2);
}

fn push_padded(out: &mut Vec<u8>, mut n: u32, width: usize) {
    let mut digits = [b'0'; 10];
    let mut i = digits.len();
    while n > 0 || digits.len() - i < width {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    out.extend_from_slice(&digits[i..]);
}

pub fn push_u64(out: &mut Vec<u8>, n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Two-letter state for a zip3, for X12 N4 and FHIR addresses.
pub fn state(zip: &str) -> &'static str {
    match zip.get(..3).unwrap_or("") {
        "021" => "MA",
        "606" => "IL",
        "900" | "941" | "921" => "CA",
        "100" => "NY",
        "850" => "AZ",
        "981" => "WA",
        "200" => "DC",
        "303" => "CO",
        "733" => "TX",
        "482" => "MI",
        "551" => "MN",
        _ => "TN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_numbers() {
        let mut out = Vec::new();
        push_date(&mut out, NaiveDate::from_ymd_opt(2024, 3, 9).unwrap());
        out.push(b' ');
        push_date_d8(&mut out, NaiveDate::from_ymd_opt(999, 12, 31).unwrap());
        out.push(b' ');
        push_u64(&mut out, 0);
        out.push(b' ');
        push_u64(&mut out, 1_234_567);
        assert_eq!(String::from_utf8(out).unwrap(), "2024-03-09 09991231 0 1234567");
    }
}
