//! Implementation projects through the command line.

#![allow(clippy::unwrap_used)]

mod support;

use support::steward;

#[test]
fn templates_show_what_is_in_force_and_refuse_a_bad_file_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shown = steward(d, &["templates", "show"]).ok().stdout;
    assert!(shown.contains("# project templates in force: built-in defaults"), "{shown}");
    assert!(shown.contains("# new_client_launch: 28 business days"), "{shown}");
    for name in ["new_client_launch", "new_metro_expansion", "renewal_with_plan_change", "eligibility_feed_change"] {
        assert!(shown.contains(&format!("name = \"{name}\"")), "{name} shipped");
    }
    // What `show` prints is a valid file: edited, it is the one in force.
    let longer = shown.replacen("days = 10\n", "days = 12\n", 1);
    std::fs::write(d.join("project_templates.toml"), &longer).unwrap();
    let again = steward(d, &["templates", "show"]).ok().stdout;
    assert!(
        again.contains("project_templates.toml") && again.contains("# new_client_launch: 30 business days"),
        "{again}"
    );

    let cycle = shown.replacen("after = [\"feed_spec\"]", "after = [\"launch_email_sent\"]", 1);
    std::fs::write(d.join("project_templates.toml"), cycle).unwrap();
    let refused = steward(d, &["templates", "show"]).fails(1, "the dependencies go round in a cycle: feed_setup → ");
    assert_eq!(refused.stderr.trim().lines().count(), 1, "{}", refused.stderr);
    std::fs::write(
        d.join("project_templates.toml"),
        shown.replacen("after = [\"kickoff\"]", "after = [\"kick-off\"]", 1),
    )
    .unwrap();
    steward(d, &["templates", "show"]).fails(1, "feed_spec depends on kick-off, which is not a task of this plan");
}
