//! The member loops of an 834 transaction set, read by the loop structure of
//! 005010X220A1 (which 004010X095A1 shares for everything read here), so that every member
//! datum comes from the member's own loop and never from "the next REF seen":
//!
//! - 2000 member level (INS … up to the first NM1/DSB/HD/LS): REF*0F subscriber id, the
//!   dependent id REF (default qualifier 23), REF*DX worksite, DTP*356/357 eligibility.
//! - 2100A member name (NM1*IL or NM1*74): N4 zip, DMG birth date and sex. 2100B–H (other
//!   names: incorrect member name, mailing address, employer, school, custodial parent,
//!   responsible person, drop-off location) are skipped.
//! - 2200 disability (DSB) is skipped.
//! - 2300 health coverage (HD): DTP*348/349 of medical coverage (HD03 `HLT`, `HMO`, `PPO`,
//!   `POS`, `EPO`, `MM` or empty) and its HD01; other lines of coverage (dental, vision,
//!   drug…) are skipped, as are 2310 providers
//!   (LX, NM1), 2320/2330 coordination of benefits (COB, NM1).
//! - 2700/2750 reporting categories (LS*2700, LX, N1*75, REF, DTP, LE*2700) are skipped:
//!   their REF*17 is a reporting category, never a member id.
//!
//! Names (NM1), addresses (N3), phones (PER) and every other value are never kept.

use super::segments::element;

/// Where in a member's loops a segment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum At {
    Member,
    MemberName,
    OtherName,
    Disability,
    Coverage { ours: bool },
    Provider,
    Cob,
    CobEntity,
    Reporting,
}

/// One medical coverage line (loop 2300): its HD01 and DTP*348/349 texts.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    pub hd01: String,
    pub begin: Option<String>,
    pub end: Option<String>,
}

/// What one member loop (INS and everything up to the next INS or SE) says. Its fields
/// hold member data as sent (ids, birth date, zip), so `Debug` shows only the segment.
#[derive(Clone, Default)]
pub struct MemberLoop {
    /// The INS segment's number.
    pub segment: u64,
    /// Which transaction set (ST) of the file it is in, from 1.
    pub set: u32,
    /// INS01 = Y.
    pub subscriber: bool,
    pub relationship: String,
    pub maintenance: String,
    pub ins17: String,
    pub subscriber_id: String,
    pub dependent_id: String,
    pub worksite: String,
    pub zip: String,
    pub birth: String,
    pub sex: String,
    /// DTP*356/357 of the member level (eligibility begin and end).
    pub eligibility: (Option<String>, Option<String>),
    /// The medical coverage lines, in file order.
    pub coverages: Vec<Coverage>,
}

impl std::fmt::Debug for MemberLoop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemberLoop").field("segment", &self.segment).field("set", &self.set).finish_non_exhaustive()
    }
}

/// Builds member loops from the segments of one transaction set after its header.
pub struct LoopReader {
    dependent_ref: String,
    set: u32,
    at: At,
    current: Option<MemberLoop>,
    pub done: Vec<MemberLoop>,
}

/// HD03 insurance line codes of medical coverage, whose dates are the membership's: health,
/// the managed-care plan types, major medical, or none given. Dental (DEN), vision (VIS),
/// drug (PDG, MOD), disability and the rest are other lines, skipped.
const MEDICAL_LINES: &[&str] = &["", "HLT", "HMO", "PPO", "POS", "EPO", "MM"];

impl std::fmt::Debug for LoopReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoopReader").field("set", &self.set).field("done", &self.done.len()).finish_non_exhaustive()
    }
}

impl LoopReader {
    pub fn new(dependent_ref: &str) -> Self {
        Self { dependent_ref: dependent_ref.to_owned(), set: 0, at: At::Member, current: None, done: Vec::new() }
    }

    /// A new transaction set begins: the previous one's last loop is complete.
    pub fn start_set(&mut self) {
        self.end_set();
        self.set += 1;
    }

    pub fn end_set(&mut self) {
        self.done.extend(self.current.take());
    }

    pub fn set(&self) -> u32 {
        self.set
    }

    /// Takes one segment of the set (not ST, SE or BGN).
    pub fn segment(&mut self, number: u64, seg: &[String]) {
        let id = seg[0].as_str();
        if id == "INS" {
            self.done.extend(self.current.take());
            self.current = Some(MemberLoop {
                segment: number,
                set: self.set,
                subscriber: element(seg, 1) == "Y",
                relationship: element(seg, 2).to_owned(),
                maintenance: element(seg, 3).to_owned(),
                ins17: element(seg, 17).to_owned(),
                ..MemberLoop::default()
            });
            self.at = At::Member;
            return;
        }
        // Header loops (1000A–C) before the first INS carry nothing of a member.
        let Some(m) = self.current.as_mut() else { return };
        let q = element(seg, 1);
        self.at = match (id, self.at) {
            ("NM1", At::Member | At::MemberName | At::OtherName | At::Disability) => {
                if matches!(q, "IL" | "74") {
                    At::MemberName
                } else {
                    At::OtherName
                }
            }
            ("NM1", At::Coverage { .. } | At::Provider) => At::Provider,
            ("NM1", At::Cob | At::CobEntity) => At::CobEntity,
            ("DSB", _) => At::Disability,
            ("HD", _) => {
                let ours = MEDICAL_LINES.contains(&element(seg, 3));
                if ours {
                    m.coverages.push(Coverage { hd01: q.to_owned(), ..Coverage::default() });
                }
                At::Coverage { ours }
            }
            ("LX", At::Coverage { .. } | At::Provider) => At::Provider,
            ("COB", _) => At::Cob,
            ("LS", _) => At::Reporting,
            (_, at) => at,
        };
        match (id, self.at) {
            ("REF", At::Member) => {
                let value = element(seg, 2);
                let slot = match q {
                    "0F" => Some(&mut m.subscriber_id),
                    "DX" => Some(&mut m.worksite),
                    _ if q == self.dependent_ref => Some(&mut m.dependent_id),
                    _ => None,
                };
                // The first of a kind counts; a repeat does not overwrite it.
                if let Some(slot) = slot.filter(|s| s.is_empty()) {
                    value.clone_into(slot);
                }
            }
            ("DTP", At::Member) => match q {
                "356" => m.eligibility.0 = Some(element(seg, 3).to_owned()),
                "357" => m.eligibility.1 = Some(element(seg, 3).to_owned()),
                _ => {}
            },
            ("DTP", At::Coverage { ours: true }) => {
                if let Some(line) = m.coverages.last_mut() {
                    match q {
                        "348" => line.begin = Some(element(seg, 3).to_owned()),
                        "349" => line.end = Some(element(seg, 3).to_owned()),
                        _ => {}
                    }
                }
            }
            ("N4", At::MemberName) => element(seg, 3).clone_into(&mut m.zip),
            ("DMG", At::MemberName) => {
                element(seg, 2).clone_into(&mut m.birth);
                element(seg, 3).clone_into(&mut m.sex);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(segments: &[&str], dependent_ref: &str) -> Vec<MemberLoop> {
        let mut r = LoopReader::new(dependent_ref);
        r.start_set();
        for (i, s) in segments.iter().enumerate() {
            let seg: Vec<String> = s.split('*').map(str::to_owned).collect();
            r.segment(i as u64 + 1, &seg);
        }
        r.end_set();
        r.done
    }

    #[test]
    fn a_reporting_category_ref_is_never_a_member_id() {
        let loops = read(
            &[
                "INS*N*19*021*28*A",
                "REF*0F*S1",
                "NM1*IL*1*X*Y",
                "HD*021**HLT",
                "DTP*348*D8*20260101",
                "LS*2700",
                "LX*1",
                "N1*75*PLAN CATEGORY",
                "REF*17*CATEGORY-ID",
                "DTP*007*D8*20260101",
                "LE*2700",
            ],
            "17",
        );
        assert_eq!(loops.len(), 1);
        assert_eq!(loops[0].dependent_id, "", "REF*17 of loop 2750 is not the member's");
        assert_eq!(loops[0].coverages[0].begin.as_deref(), Some("20260101"));
    }

    #[test]
    fn member_data_only_from_the_member_s_own_loops() {
        let loops = read(
            &[
                "INS*Y*18*021*28*A",
                "REF*0F*S1",
                "REF*17*OWN",
                "DTP*348*D8*19990101",
                "NM1*IL*1*X*Y",
                "N4*CITY*WA*98101",
                "DMG*D8*19800101*F",
                "NM1*S3*1*PARENT",
                "N4*OTHER*NY*10001",
                "DMG*D8*19000101*M",
                "HD*021**DEN",
                "DTP*348*D8*20250101",
                "HD*021**HLT",
                "DTP*348*D8*20260101",
                "LX*1",
                "NM1*P3*1*DOCTOR",
                "N4*CLINIC*CA*94105",
                "REF*0F*PROVIDER",
                "COB*P*POLICY",
                "REF*60*OTHER",
                "NM1*IN*2*OTHER PLAN",
            ],
            "17",
        );
        let m = &loops[0];
        assert_eq!((m.subscriber_id.as_str(), m.dependent_id.as_str()), ("S1", "OWN"));
        assert_eq!((m.zip.as_str(), m.birth.as_str(), m.sex.as_str()), ("98101", "19800101", "F"));
        assert_eq!(m.coverages.len(), 1, "the dental line is not ours");
        let line = &m.coverages[0];
        assert_eq!(
            (line.hd01.as_str(), line.begin.as_deref()),
            ("021", Some("20260101")),
            "a 2000-level 348 is not coverage"
        );
    }
}
