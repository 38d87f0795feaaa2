use super::*;

/// Months from 2025-01 in which enrollment climbs by ten a month out of 1,000 eligible,
/// with 30 visits a month and, from 2026-01, 12 survey responses a month (8 promoters, 2
/// detractors) kept as the trailing-twelve-month sums the store holds.
fn series() -> BTreeMap<Month, MonthCounts> {
    let mut out = BTreeMap::new();
    let start = Month::parse("2025-01").unwrap();
    for k in 0..21 {
        let month = start.plus(k);
        // Months of the trailing twelve that are 2026 or later.
        let months_with_surveys = (0..12).filter(|j| k - j >= 12).count() as i64;
        out.insert(
            month,
            MonthCounts {
                eligible_lives: 1000,
                enrolled_members: 200 + 10 * i64::from(k),
                new_enrollments: 10,
                visits_in_office: 20,
                visits_video: 8,
                visits_remote_other: 2,
                active_members_12m: 100 + 5 * i64::from(k),
                visits_12m: 30 * i64::from(k.min(11) + 1),
                member_months_12m: 2400,
                promoters_12m: 8 * months_with_surveys,
                detractors_12m: 2 * months_with_surveys,
                responses_12m: 12 * months_with_surveys,
                ..MonthCounts::default()
            },
        );
    }
    out
}

/// By hand for 2026-Q2 (months 15 to 17 from 2025-01): enrolled 200 + 170 = 370 of 1,000;
/// 30 new; active 100 + 85 = 185, so 50% utilization; 60, 24 and 6 visits by modality; 360
/// visits over 2,400 member-months is 1,800 a 1,000 a year; 36 responses, 24 promoters and
/// 6 detractors: NPS 50.
#[test]
fn a_quarter_s_figures_by_hand() {
    let q: Quarter = "2026-Q2".parse().unwrap();
    let f = quarter_figures(&series(), q).unwrap();
    assert_eq!(
        (f.eligible_lives, f.enrolled_members, f.new_enrollments, f.active_members_12m),
        (Some(1000), Some(370), Some(30), Some(185))
    );
    assert_eq!(f.enrollment_rate, Some(0.37));
    assert_eq!(f.utilization_rate, Some(0.5));
    assert_eq!((f.visits_in_office, f.visits_video, f.visits_remote_other), (Some(60), Some(24), Some(6)));
    assert_eq!(f.visits_per_1000, Some(1800.0));
    assert_eq!((f.nps, f.nps_responses), (Some(50.0), Some(36)));
    assert!(quarter_figures(&series(), "2026-Q4".parse().unwrap()).is_none(), "not in the series");
}

/// The three largest changes, largest first, in sentences; small moves are left out.
#[test]
fn the_summary_tells_the_three_largest_changes() {
    let n = |key, value, previous| KeyNumber {
        key,
        value: Some(value),
        previous: Some(previous),
        year_ago: None,
        peers: None,
    };
    let numbers = [
        n(Key::EligibleLives, 1040.0, 1000.0), // +4%: too small
        n(Key::EnrollmentRate, 0.37, 0.34),    // +3 points: weight 1.5
        n(Key::UtilizationRate, 0.45, 0.50),   // −5 points: weight 2.5
        n(Key::Nps, 38.0, 50.0),               // −12: weight 1.2
        n(Key::NewEnrollments, 130.0, 100.0),  // +30%: weight 3
    ];
    assert_eq!(
        summary(&numbers),
        vec![
            "New enrollments in the quarter rose 30% to 130: more people joined this quarter.".to_owned(),
            "Utilization (12 months) fell 5.0 points to 45.0%: fewer members used care over the year: outreach to members who have not visited may help.".to_owned(),
            "Enrollment rate rose 3.0 points to 37.0%: more of the eligible employees and dependents are members.".to_owned(),
        ]
    );
    assert!(summary(&[n(Key::EligibleLives, 1040.0, 1000.0)]).is_empty());
    assert!(summary(&[n(Key::NewEnrollments, 2.0, 4.0)]).is_empty(), "two people fewer is not a headline");
}

#[test]
fn keys_are_named_as_the_metrics() {
    for key in Key::ALL {
        assert_eq!(serde_json::to_value(key).unwrap(), key.as_str());
    }
}
