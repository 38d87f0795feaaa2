//! Which cells a client's view of one month (or quarter) holds, and which of them add up to
//! a total the viewer can see or work out — the groups complementary suppression protects.

use super::Suppressor;
use crate::Metro;
use crate::metrics::{Cut, MonthCounts};

/// One period's cuts, the remainders they leave (never shown, but derivable: the total
/// less the cuts), and the groups of cells that add up to a total the viewer can see.
/// Cells are numbered cuts first, then remainders.
#[derive(Debug, Clone)]
pub struct Cells {
    pub cuts: Vec<(Cut, MonthCounts)>,
    pub remainders: Vec<MonthCounts>,
    pub groups: Vec<Vec<usize>>,
}

impl Cells {
    /// The whole account alone.
    pub fn whole(total: &MonthCounts) -> Cells {
        Cells { cuts: vec![(Cut::All, *total)], remainders: Vec::new(), groups: Vec::new() }
    }

    /// Every metro, and the people no metro holds, add up to the account.
    pub fn metros(metros: &[(Cut, MonthCounts)], total: &MonthCounts) -> Cells {
        let covered = metros.iter().fold(MonthCounts::default(), |sum, (_, n)| sum.plus(n));
        Cells {
            cuts: metros.to_vec(),
            remainders: vec![total.minus(&covered)],
            groups: vec![(0..=metros.len()).collect()],
        }
    }

    /// Each metro's worksites and what they leave of it add up to the metro (whose total the
    /// metro view shows); every worksite and every remainder add up to the account.
    pub fn worksites(
        sites: &[(Cut, MonthCounts)],
        metros: &[(Cut, MonthCounts)],
        metro_of: &dyn Fn(&str) -> Option<Metro>,
        total: &MonthCounts,
    ) -> Cells {
        let n = sites.len();
        let mut remainders = Vec::new();
        let mut groups = Vec::new();
        for (metro_cut, metro_total) in metros {
            let members: Vec<usize> = (0..n)
                .filter(|i| metro_of(sites[*i].0.value()).map(|m| m.as_str()) == Some(metro_cut.value()))
                .collect();
            let covered = members.iter().fold(MonthCounts::default(), |sum, i| sum.plus(&sites[*i].1));
            remainders.push(metro_total.minus(&covered));
            groups.push(members.into_iter().chain([n + remainders.len() - 1]).collect());
        }
        let in_metros = metros.iter().fold(MonthCounts::default(), |sum, (_, c)| sum.plus(c));
        remainders.push(total.minus(&in_metros));
        groups.push((0..n + remainders.len()).collect());
        Cells { cuts: sites.to_vec(), remainders, groups }
    }

    /// Where `cut` is among the cells.
    pub fn position(&self, cut: &Cut) -> Option<usize> {
        self.cuts.iter().position(|(c, _)| c == cut)
    }

    /// One count of every cell, cuts first.
    pub fn values(&self, count: impl Fn(&MonthCounts) -> i64) -> Vec<i64> {
        self.cuts.iter().map(|(_, c)| count(c)).chain(self.remainders.iter().map(&count)).collect()
    }

    /// Which cells of `values` are shown once [`Suppressor::protect`] is done with them: a
    /// cut when it counts at least the threshold and `also` allows it; a remainder never,
    /// unless it counts nobody (then it protects nobody and hides nothing).
    pub fn shown(&self, s: &Suppressor, values: &[i64], also: impl Fn(usize) -> bool) -> Vec<bool> {
        let mut shown: Vec<bool> = values
            .iter()
            .enumerate()
            .map(|(i, v)| if i < self.cuts.len() { *v >= s.threshold && also(i) } else { *v == 0 })
            .collect();
        s.protect(values, &mut shown, &self.groups);
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(eligible: i64) -> MonthCounts {
        MonthCounts { eligible_lives: eligible, ..MonthCounts::default() }
    }

    #[test]
    fn a_remainder_that_counts_nobody_hides_nothing() {
        // Every person has a worksite: the remainder is always zero and forces nothing.
        let s = Suppressor::default();
        let metros = [(Cut::Metro(Metro::Boston), counts(500)), (Cut::Metro(Metro::Chicago), counts(300))];
        let cells = Cells::metros(&metros, &counts(800));
        let values = cells.values(|c| c.eligible_lives);
        assert_eq!(cells.shown(&s, &values, |_| true), [true, true, true]);
        // Six people without a worksite: total − metros reveals them, so the smaller metro goes.
        let cells = Cells::metros(&metros, &counts(806));
        let values = cells.values(|c| c.eligible_lives);
        assert_eq!(cells.shown(&s, &values, |_| true), [true, false, false]);
    }

    #[test]
    fn a_metro_of_one_worksite_shows_alike_in_both_views() {
        let s = Suppressor::default();
        let metro_of = |site: &str| match site {
            "HQ" => Some(Metro::Boston),
            _ => Some(Metro::Chicago),
        };
        let sites = [(Cut::Worksite("HQ".into()), counts(40)), (Cut::Worksite("Plant".into()), counts(300))];
        let metros = [(Cut::Metro(Metro::Boston), counts(40)), (Cut::Metro(Metro::Chicago), counts(300))];
        let cells = Cells::worksites(&sites, &metros, &metro_of, &counts(340));
        let values = cells.values(|c| c.eligible_lives);
        assert_eq!(&cells.shown(&s, &values, |_| true)[..2], [true, true], "HQ is Boston, shown in both views");
    }
}
