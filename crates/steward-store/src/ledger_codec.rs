//! The bytes a member ledger is stored as: a versioned, little-endian, fixed-width layout
//! that encodes and decodes without allocation per field. A ledger is read and written
//! whole, once per import of its account, so compactness and speed beat queryability;
//! everything pages and reports read is in the relational `account_metrics` table.

use crate::{Result, StoreError};
use chrono::{Datelike, NaiveDate};
use steward_domain::ledger::{Ledger, Person, SurveyResponse, Visit};
use steward_domain::{AgeBand, MemberKey, Metro, Modality, Relationship, Sex, Span, VisitStatus};

const NONE8: u8 = u8::MAX;
const OPEN: i32 = i32::MAX;

fn day(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

fn enum_index<T: PartialEq + Copy>(all: &[T], v: T) -> u8 {
    all.iter().position(|x| *x == v).map_or(NONE8, |i| i as u8)
}

fn opt_index<T: PartialEq + Copy>(all: &[T], v: Option<T>) -> u8 {
    v.map_or(NONE8, |v| enum_index(all, v))
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i32(&mut self, v: i32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn spans(&mut self, spans: &[Span]) {
        self.u16(spans.len().min(u16::MAX as usize) as u16);
        for s in spans.iter().take(u16::MAX as usize) {
            self.i32(day(s.start));
            self.i32(s.end.map_or(OPEN, day));
        }
    }
}

/// The parts a ledger is stored in, so an import rewrites only what it changed: a
/// surveys file never rewrites millions of visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    People,
    Visits,
    Surveys,
}

impl Part {
    pub const ALL: [Part; 3] = [Part::People, Part::Visits, Part::Surveys];

    pub fn as_str(self) -> &'static str {
        match self {
            Part::People => "people",
            Part::Visits => "visits",
            Part::Surveys => "surveys",
        }
    }

    fn magic(self) -> &'static [u8; 4] {
        match self {
            Part::People => b"SLP1",
            Part::Visits => b"SLV1",
            Part::Surveys => b"SLS1",
        }
    }
}

/// The bytes of one part of `l`.
pub fn encode(l: &Ledger, part: Part) -> Vec<u8> {
    let mut w = Writer(Vec::new());
    w.0.extend_from_slice(part.magic());
    match part {
        Part::People => {
            w.0.reserve(64 + l.people.len() * 48);
            w.i32(l.eligibility_as_of.map_or(OPEN, day));
            w.u32(l.worksites.len() as u32);
            for name in &l.worksites {
                w.u32(name.len() as u32);
                w.0.extend_from_slice(name.as_bytes());
            }
            w.u32(l.people.len() as u32);
            for p in l.people.values() {
                w.u64(p.key.0);
                w.u8(enum_index(Relationship::ALL, p.relationship));
                w.u8(opt_index(AgeBand::ALL, p.age_band));
                w.u8(enum_index(Sex::ALL, p.sex));
                w.u8(opt_index(Metro::ALL, p.metro));
                w.0.extend_from_slice(&p.zip3.unwrap_or([0; 3]));
                w.u32(p.worksite.unwrap_or(u32::MAX));
                w.spans(&p.eligibility);
                w.spans(&p.memberships);
            }
        }
        Part::Visits => {
            w.0.reserve(4 + l.visits.len() * 23);
            w.u32(l.visits.len() as u32);
            for v in &l.visits {
                w.u64(v.key);
                w.u64(v.member.0);
                w.i32(day(v.date));
                w.u8(enum_index(Modality::ALL, v.modality));
                w.u8(enum_index(VisitStatus::ALL, v.status));
                w.u8(opt_index(Metro::ALL, v.clinic_metro));
            }
            w.u32(l.patients.len() as u32);
            for (patient, member) in &l.patients {
                w.u64(*patient);
                w.u64(member.0);
            }
        }
        Part::Surveys => {
            w.0.reserve(4 + l.surveys.len() * 22);
            w.u32(l.surveys.len() as u32);
            for s in &l.surveys {
                w.u64(s.key);
                w.u8(u8::from(s.member.is_some()));
                w.u64(s.member.map_or(0, |m| m.0));
                w.i32(day(s.date));
                w.u8(s.score);
            }
        }
    }
    w.0
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Backend(format!("stored member ledger is corrupt: {what}"))
}

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Result<[u8; N]> {
        let end = self.at + N;
        let slice = self.bytes.get(self.at..end).ok_or_else(|| corrupt("truncated"))?;
        self.at = end;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take::<1>()?[0])
    }
    fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.take()?))
    }
    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.take()?))
    }
    fn i32(&mut self) -> Result<i32> {
        Ok(i32::from_le_bytes(self.take()?))
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take()?))
    }
    fn date(&mut self) -> Result<NaiveDate> {
        NaiveDate::from_num_days_from_ce_opt(self.i32()?).ok_or_else(|| corrupt("date"))
    }
    fn opt_date(&mut self) -> Result<Option<NaiveDate>> {
        match self.i32()? {
            OPEN => Ok(None),
            d => NaiveDate::from_num_days_from_ce_opt(d).map(Some).ok_or_else(|| corrupt("date")),
        }
    }
    fn spans(&mut self) -> Result<Vec<Span>> {
        let n = self.u16()? as usize;
        (0..n).map(|_| Ok(Span::new(self.date()?, self.opt_date()?))).collect()
    }
    fn pick<T: Copy>(&mut self, all: &[T]) -> Result<T> {
        all.get(self.u8()? as usize).copied().ok_or_else(|| corrupt("enum"))
    }
    fn opt_pick<T: Copy>(&mut self, all: &[T]) -> Result<Option<T>> {
        match self.u8()? {
            NONE8 => Ok(None),
            i => all.get(i as usize).copied().map(Some).ok_or_else(|| corrupt("enum")),
        }
    }
    fn count(&mut self, min_size: usize) -> Result<usize> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_size) > self.bytes.len() - self.at {
            return Err(corrupt("count exceeds data"));
        }
        Ok(n)
    }
}

/// Reads one part's bytes into `l`.
pub fn decode_into(l: &mut Ledger, part: Part, bytes: &[u8]) -> Result<()> {
    let mut r = Reader { bytes, at: 0 };
    if &r.take::<4>()? != part.magic() {
        return Err(corrupt("unknown format"));
    }
    match part {
        Part::People => {
            l.eligibility_as_of = r.opt_date()?;
            let n = r.count(4)?;
            l.worksites = Vec::with_capacity(n);
            for _ in 0..n {
                let len = r.count(1)?;
                let end = r.at + len;
                let name = std::str::from_utf8(r.bytes.get(r.at..end).ok_or_else(|| corrupt("worksite"))?)
                    .map_err(|_| corrupt("worksite"))?;
                l.worksites.push(name.to_owned());
                r.at = end;
            }
            let n = r.count(24)?;
            let mut people = Vec::with_capacity(n);
            for _ in 0..n {
                let key = MemberKey(r.u64()?);
                let relationship = r.pick(Relationship::ALL)?;
                let age_band = r.opt_pick(AgeBand::ALL)?;
                let sex = r.pick(Sex::ALL)?;
                let metro = r.opt_pick(Metro::ALL)?;
                let zip = r.take::<3>()?;
                let worksite = match r.u32()? {
                    u32::MAX => None,
                    w => Some(w),
                };
                people.push(Person {
                    key,
                    relationship,
                    age_band,
                    sex,
                    zip3: (zip != [0; 3]).then_some(zip),
                    worksite,
                    metro,
                    eligibility: r.spans()?,
                    memberships: r.spans()?,
                });
            }
            // Stored in key order, so this builds the map in one pass.
            l.people = people.into_iter().map(|p| (p.key, p)).collect();
        }
        Part::Visits => {
            let n = r.count(23)?;
            l.visits = Vec::with_capacity(n);
            for _ in 0..n {
                l.visits.push(Visit {
                    key: r.u64()?,
                    member: MemberKey(r.u64()?),
                    date: r.date()?,
                    modality: r.pick(Modality::ALL)?,
                    status: r.pick(VisitStatus::ALL)?,
                    clinic_metro: r.opt_pick(Metro::ALL)?,
                });
            }
            let n = r.count(16)?;
            let mut links = Vec::with_capacity(n);
            for _ in 0..n {
                links.push((r.u64()?, MemberKey(r.u64()?)));
            }
            l.patients = links.into_iter().collect();
        }
        Part::Surveys => {
            let n = r.count(22)?;
            l.surveys = Vec::with_capacity(n);
            for _ in 0..n {
                let key = r.u64()?;
                let has_member = r.u8()? == 1;
                let member = r.u64()?;
                l.surveys.push(SurveyResponse {
                    key,
                    member: has_member.then_some(MemberKey(member)),
                    date: r.date()?,
                    score: r.u8()?,
                });
            }
        }
    }
    if r.at != bytes.len() {
        return Err(corrupt("trailing bytes"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_domain::ledger::PersonFacts;

    #[test]
    fn round_trips_and_refuses_damage() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        let mut l = Ledger::default();
        let facts = PersonFacts {
            relationship: Relationship::Spouse,
            age_band: Some(AgeBand::From35To44),
            sex: Sex::Female,
            zip3: Some(*b"021"),
            worksite: Some("Boston HQ".into()),
            metro: Some(Metro::Boston),
        };
        l.apply_full_file(
            d("2024-02-01"),
            vec![(MemberKey(u64::MAX), facts, vec![Span::new(d("2024-01-01"), None)])],
            &[],
        );
        l.replace_memberships(vec![
            (MemberKey(u64::MAX), Span::new(d("2024-01-05"), Some(d("2024-09-30")))),
            (MemberKey(3), Span::new(d("2023-01-01"), None)),
        ]);
        l.upsert_visits(vec![Visit {
            key: 9,
            member: MemberKey(3),
            date: d("2024-03-01"),
            modality: Modality::RemoteOther,
            status: VisitStatus::NoShow,
            clinic_metro: None,
        }]);
        l.link_patients([(77, MemberKey(3))]);
        l.upsert_surveys(vec![
            SurveyResponse { key: 1, member: None, date: d("2024-03-02"), score: 0 },
            SurveyResponse { key: 2, member: Some(MemberKey(0)), date: d("2024-03-02"), score: 10 },
        ]);
        let mut back = Ledger::default();
        for part in Part::ALL {
            let bytes = encode(&l, part);
            decode_into(&mut back, part, &bytes).unwrap();
            assert!(decode_into(&mut Ledger::default(), part, &bytes[..bytes.len() - 1]).is_err());
            let mut extra = bytes.clone();
            extra.push(0);
            assert!(decode_into(&mut Ledger::default(), part, &extra).is_err());
        }
        assert_eq!(back, l);
        assert!(
            decode_into(&mut Ledger::default(), Part::Visits, &encode(&l, Part::People)).is_err(),
            "parts are not interchangeable"
        );
    }
}
