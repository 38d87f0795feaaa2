//! The bytes of one cut's month-by-month counts: for each month, the fifteen counts of
//! [`MonthCounts`] as LEB128 varints (most are small), in a fixed order.

use crate::{Result, StoreError};
use steward_domain::metrics::MonthCounts;

fn fields(c: &MonthCounts) -> [i64; 15] {
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
    ]
}

fn counts(f: [i64; 15]) -> MonthCounts {
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
    }
}

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

pub fn decode(bytes: &[u8], months: usize) -> Result<Vec<MonthCounts>> {
    let corrupt = || StoreError::Backend("stored metrics series is corrupt".into());
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
        let mut f = [0i64; 15];
        for v in &mut f {
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
            ..MonthCounts::default()
        };
        let b = MonthCounts { eligible_lives: 1, ..MonthCounts::default() };
        let bytes = encode(&[a, b]);
        assert_eq!(decode(&bytes, 2).unwrap(), vec![a, b]);
        assert!(decode(&bytes, 3).is_err());
        assert!(decode(&bytes[..bytes.len() - 1], 2).is_err());
    }
}
