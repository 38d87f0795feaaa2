//! The peer median a review compares an account with (DOMAIN.md "Reports"): the accounts of
//! its segment and industry when there are at least five with a figure, else its segment's
//! when there are five, else none — never a median of fewer than five accounts, which would
//! say too much about each of them.

use crate::account::Segment;

/// The fewest peers a median is taken over.
pub const MIN_PEERS: usize = 5;

/// Which accounts the median was taken over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PeerBasis {
    SegmentAndIndustry,
    Segment,
    /// Fewer than five peers even across the segment: no benchmark.
    None,
}

impl PeerBasis {
    pub fn words(self) -> &'static str {
        match self {
            PeerBasis::SegmentAndIndustry => "accounts of the same segment and industry",
            PeerBasis::Segment => "accounts of the same segment (too few of its industry)",
            PeerBasis::None => "no benchmark: fewer than five comparable accounts",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Benchmark {
    pub basis: PeerBasis,
    /// The accounts the median was taken over (0 with no benchmark).
    pub peers: usize,
    pub median: Option<f64>,
}

/// One other account's figure: its segment, industry and value (`None` without data).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Peer<'a> {
    pub segment: Segment,
    pub industry: &'a str,
    pub value: Option<f64>,
}

/// The benchmark of an account of `segment` and `industry` among `peers` (the other
/// accounts; the account itself is not its own peer).
pub fn peer_median(segment: Segment, industry: &str, peers: &[Peer]) -> Benchmark {
    let values = |same_industry: bool| -> Vec<f64> {
        peers
            .iter()
            .filter(|p| p.segment == segment && (!same_industry || p.industry.eq_ignore_ascii_case(industry)))
            .filter_map(|p| p.value)
            .filter(|v| v.is_finite())
            .collect()
    };
    for (basis, mut found) in [(PeerBasis::SegmentAndIndustry, values(true)), (PeerBasis::Segment, values(false))] {
        if found.len() >= MIN_PEERS {
            found.sort_by(f64::total_cmp);
            let n = found.len();
            let median = if n % 2 == 1 { found[n / 2] } else { (found[n / 2 - 1] + found[n / 2]) / 2.0 };
            return Benchmark { basis, peers: n, median: Some(median) };
        }
    }
    Benchmark { basis: PeerBasis::None, peers: 0, median: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(segment: Segment, industry: &str, value: Option<f64>) -> Peer<'_> {
        Peer { segment, industry, value }
    }

    /// Hand-made books: five of the same industry give their median; four fall back to the
    /// segment's; four in the whole segment give none; accounts without the figure and of
    /// another segment never count.
    #[test]
    fn five_peers_or_no_median() {
        use Segment::{LargeEnterprise as Large, MidMarket as Mid};
        let mut book = vec![
            peer(Mid, "Retail", Some(0.30)),
            peer(Mid, "Retail", Some(0.10)),
            peer(Mid, "retail", Some(0.50)),
            peer(Mid, "Retail", Some(0.20)),
            peer(Mid, "Retail", Some(0.40)),
            peer(Mid, "Retail", None),
            peer(Mid, "Software", Some(0.90)),
            peer(Large, "Retail", Some(0.99)),
        ];
        assert_eq!(
            peer_median(Mid, "Retail", &book),
            Benchmark { basis: PeerBasis::SegmentAndIndustry, peers: 5, median: Some(0.30) }
        );
        book.remove(0);
        // Four retail: the segment's six with a figure, 0.10 0.20 0.40 0.50 0.90 … median of
        // 0.10, 0.20, 0.40, 0.50, 0.90 and nothing else: five values.
        assert_eq!(
            peer_median(Mid, "Retail", &book),
            Benchmark { basis: PeerBasis::Segment, peers: 5, median: Some(0.40) }
        );
        book.push(peer(Mid, "Software", Some(0.60)));
        assert_eq!(peer_median(Mid, "Retail", &book).median, Some(0.45), "six: the mean of the middle two");
        let few = [
            peer(Mid, "Retail", Some(0.1)),
            peer(Mid, "Software", Some(0.2)),
            peer(Mid, "X", Some(0.3)),
            peer(Mid, "Y", Some(0.4)),
        ];
        assert_eq!(peer_median(Mid, "Retail", &few), Benchmark { basis: PeerBasis::None, peers: 0, median: None });
    }
}
