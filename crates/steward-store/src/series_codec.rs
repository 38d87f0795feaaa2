//! The bytes of one cut's month-by-month counts: for each month, the counts of
//! [`MonthCounts`] as LEB128 varints (most are small), in a fixed order. New counts are
//! appended, never inserted: a series stored with fewer ([`FIELDS`] is today's number) reads
//! the missing ones as zero.

use crate::{Result, StoreError};
use steward_domain::metrics::MonthCounts;

/// How many counts a month holds as written today.
pub const FIELDS: usize = 18;

fn fields(c: &MonthCounts) -> [i64; FIELDS] {
    [
        c.eligible_lives,
        c.eligible_employees,
        c.enrolled_members,
        c.new_enrollments,
        c.visits_in_office,
        c.visits_video,
        c.visits_remote_other,
        c.unmatched_visits,
        c.active_members_12m,
        c.visits_12m,
        c.virtual_visits_12m,
        c.member_months_12m,
        c.promoters_12m,
        c.detractors_12m,
        c.responses_12m,
        c.visitors_in_office_3m,
        c.visitors_video_3m,
        c.visitors_remote_other_3m,
    ]
}

fn counts(f: [i64; FIELDS]) -> MonthCounts {
    MonthCounts {
        eligible_lives: f[0],
        eligible_employees: f[1],
        enrolled_members: f[2],
        new_enrollments: f[3],
        visits_in_office: f[4],
        visits_video: f[5],
        visits_remote_other: f[6],
        unmatched_visits: f[7],
        active_members_12m: f[8],
        visits_12m: f[9],
        virtual_visits_12m: f[10],
        member_months_12m: f[11],
        promoters_12m: f[12],
        detractors_12m: f[13],
        responses_12m: f[14],
        visitors_in_office_3m: f[15],
        visitors_video_3m: f[16],
        visitors_remote_other_3m: f[17],
    }
}

/// [`FIELDS`] counts a month.
pub fn encode(months: &[MonthCounts]) -> Vec<u8> {
    let mut out = Vec::with_capacity(months.len() * 20);
    for m in months {
        for v in fields(m) {
            // Counts are never negative; zig-zag would only cost a bit for nothing.
            let mut v = v.max(0) as u64;
            loop {
                let byte = (v & 0x7F) as u8;
                v >>= 7;
                if v == 0 {
                    out.push(byte);
                    break;
                }
                out.push(byte | 0x80);
            }
        }
    }
    out
}

/// `months` months of `stored_fields` counts each (as many as the series was written with).
pub fn decode(bytes: &[u8], months: usize, stored_fields: usize) -> Result<Vec<MonthCounts>> {
    let corrupt = || StoreError::Backend("stored metrics series is corrupt".into());
    if stored_fields == 0 || stored_fields > FIELDS {
        return Err(StoreError::Backend(format!(
            "stored metrics series has {stored_fields} counts a month; this build reads at most {FIELDS}: upgrade Steward"
        )));
    }
    let mut at = 0;
    let mut next = || -> Result<i64> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = *bytes.get(at).ok_or_else(corrupt)?;
            at += 1;
            v |= u64::from(byte & 0x7F) << shift;
            if byte & 0x80 == 0 {
                return i64::try_from(v).map_err(|_| corrupt());
            }
        }
        Err(corrupt())
    };
    let mut out = Vec::with_capacity(months);
    for _ in 0..months {
        let mut f = [0i64; FIELDS];
        for v in &mut f[..stored_fields] {
            *v = next()?;
        }
        out.push(counts(f));
    }
    if at != bytes.len() {
        return Err(corrupt());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let a = MonthCounts {
            eligible_lives: 500_000,
            member_months_12m: 6_000_000,
            promoters_12m: 127,
            detractors_12m: 128,
            visitors_video_3m: 3,
            ..MonthCounts::default()
        };
        let b = MonthCounts { eligible_lives: 1, ..MonthCounts::default() };
        let bytes = encode(&[a, b]);
        assert_eq!(decode(&bytes, 2, FIELDS).unwrap(), vec![a, b]);
        assert!(decode(&bytes, 3, FIELDS).is_err());
        assert!(decode(&bytes[..bytes.len() - 1], 2, FIELDS).is_err());
        assert!(decode(&bytes, 2, FIELDS + 1).is_err(), "a newer build's series is refused, not misread");
    }

    /// The stored order is a file format: these bytes were written by an earlier build and
    /// must read the same forever.
    #[test]
    fn golden_bytes() {
        let month = MonthCounts {
            eligible_lives: 300,
            eligible_employees: 200,
            enrolled_members: 90,
            new_enrollments: 4,
            visits_in_office: 12,
            visits_video: 7,
            visits_remote_other: 1,
            unmatched_visits: 2,
            active_members_12m: 40,
            visits_12m: 150,
            virtual_visits_12m: 60,
            member_months_12m: 1000,
            promoters_12m: 20,
            detractors_12m: 5,
            responses_12m: 30,
            visitors_in_office_3m: 17,
            visitors_video_3m: 6,
            visitors_remote_other_3m: 1,
        };
        let today: &[u8] = &[
            0xAC, 0x02, 0xC8, 0x01, 0x5A, 0x04, 0x0C, 0x07, 0x01, 0x02, 0x28, 0x96, 0x01, 0x3C, 0xE8, 0x07, 0x14, 0x05,
            0x1E, 0x11, 0x06, 0x01,
        ];
        assert_eq!(encode(&[month]), today);
        assert_eq!(decode(today, 1, FIELDS).unwrap(), vec![month]);
        // Written before the quarter's visitors were counted: fifteen counts, the rest read as 0.
        let before = &today[..today.len() - 3];
        let unknown =
            MonthCounts { visitors_in_office_3m: 0, visitors_video_3m: 0, visitors_remote_other_3m: 0, ..month };
        assert_eq!(decode(before, 1, 15).unwrap(), vec![unknown]);
    }
}
