//! The web app's defences, over real HTTP on both backends (issue 10): uploads authorized
//! before their body is read and refused past the limit while streaming, …

#![allow(clippy::unwrap_used)]

#[macro_use]
#[path = "support/web.rs"]
mod web_support;

use steward_domain::{AccountStatus, Role};
use web_support::{PASSWORD, Server, UPLOAD_LIMIT, book, multipart, user};

cases!(
    uploads_are_authorized_before_a_byte_is_read,
    uploads_past_the_limit_are_refused_with_413,
    a_password_change_ends_every_other_session,
    reactivating_a_user_revives_no_session_or_token,
    sign_in_slows_the_guesser_not_the_owner,
    every_response_carries_the_security_headers,
    every_refusal_answers_in_the_apps_own_form,
    a_planted_sign_in_cookie_is_no_use,
    text_and_dates_have_limits,
    the_password_page_is_throttled_too,
);

/// An account the fixture's account manager does not own (live).
fn not_owned() -> String {
    let am = user(Role::AccountManager);
    let other = book().accounts.iter().find(|a| {
        a.account.status == AccountStatus::Live && a.account.owner.as_ref().map(|e| e.as_str()) != Some(am.as_str())
    });
    other.unwrap().account.slug.to_string()
}

fn owned() -> String {
    let am = user(Role::AccountManager);
    let own = book().accounts.iter().find(|a| {
        a.account.status == AccountStatus::Live && a.account.owner.as_ref().map(|e| e.as_str()) == Some(am.as_str())
    });
    own.unwrap().account.slug.to_string()
}

fn api_upload_head(s: &Server, token: &str, account: &str, length: u64) -> String {
    format!(
        "POST /api/v1/imports?account={account}&kind=visits HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: text/csv\r\nContent-Length: {length}\r\n\r\n",
        s.url.trim_start_matches("http://")
    )
}

/// A 250 MiB upload that sends its first bytes and then waits: the server answers at once
/// for a caller who may not import there, having read nothing of it.
fn uploads_are_authorized_before_a_byte_is_read(s: &Server) {
    let huge = 250 * 1024 * 1024;
    let client = s.token(&web_support::client_of(&owned()));
    let am = s.token(&user(Role::AccountManager));
    for (token, account, status) in [(&client, owned(), 403), (&am, not_owned(), 403)] {
        let mut request = api_upload_head(s, token, &account, huge).into_bytes();
        request.extend_from_slice(b"visit_id,member_id,visit_date\n");
        let r = s.raw(&request, true);
        assert_eq!(r.status, status, "answered before the body came: {}", r.head);
        assert!(r.body.contains("\"error\""), "{}", r.body);
    }
    // The page: the form's token, account and kind come first; the file is not read for
    // an account the user may not write.
    let mut c = s.signed_in(&user(Role::AccountManager));
    let csrf = c.get("/imports").csrf();
    let boundary = "b0undary";
    let mut form =
        multipart(boundary, &[("csrf", &csrf), ("account", &not_owned()), ("kind", "visits")], ("v.csv", b""));
    form.truncate(form.len() - format!("\r\n--{boundary}--\r\n").len());
    let declared = UPLOAD_LIMIT - 1024;
    let cookies: Vec<String> = c.cookies().iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut request = format!(
        "POST /imports HTTP/1.1\r\nHost: x\r\nCookie: {}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n\
         Content-Length: {declared}\r\n\r\n",
        cookies.join("; ")
    )
    .into_bytes();
    request.extend_from_slice(&form);
    request.extend_from_slice(b"visit_id,member_id");
    let r = s.raw(&request, true);
    assert_eq!(r.status, 403, "answered before the file came: {}", r.head);
    assert!(r.head.to_ascii_lowercase().contains("content-type: text/html"), "{}", r.head);
    assert_eq!(s.store.imports(None).unwrap().iter().filter(|b| b.file_name == "v.csv").count(), 0);
}

/// Past the limit, declared or not, the page and the API both answer 413 in their own
/// form, and nothing of the file stays in the upload directory.
fn uploads_past_the_limit_are_refused_with_413(s: &Server) {
    let own = owned();
    let mut c = s.signed_in(&user(Role::AccountManager));
    let csrf = c.get("/imports").csrf();
    let big = vec![b'x'; UPLOAD_LIMIT as usize + 1];
    let boundary = "b0undary";
    let form = multipart(boundary, &[("csrf", &csrf), ("account", &own), ("kind", "visits")], ("big.csv", &big));
    let r = c.post_bytes("/imports", &format!("multipart/form-data; boundary={boundary}"), &form);
    assert_eq!(r.status, 413, "{}", r.body);
    assert!(r.content_type.starts_with("text/html") && r.body.contains("Too large"), "{}", r.body);
    // The API, the length declared: refused before reading.
    let am = s.token(&user(Role::AccountManager));
    let r = s.raw(api_upload_head(s, &am, &own, UPLOAD_LIMIT * 4).as_bytes(), true);
    assert_eq!(r.status, 413, "{}", r.head);
    assert!(r.body.contains("too_large"), "{}", r.body);
    // The API, chunked so no length is declared: refused once the stream passes the limit.
    let mut request = format!(
        "POST /api/v1/imports?account={own}&kind=visits HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {am}\r\n\
         Content-Type: text/csv\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    .into_bytes();
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..(UPLOAD_LIMIT as usize / chunk.len() + 2) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(&chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let r = s.raw(&request, false);
    assert_eq!(r.status, 413, "{}", r.head);
    assert!(r.body.contains("too_large"), "{}", r.body);
    let left: Vec<_> = walk(&s.data_dir.path().join("uploads"));
    assert!(left.is_empty(), "an upload stayed on disk: {left:?}");
    assert!(s.store.imports(None).unwrap().iter().all(|b| b.file_name != "big.csv"));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return vec![] };
    entries.flatten().map(|e| e.path()).flat_map(|p| if p.is_dir() { walk(&p) } else { vec![p] }).collect()
}

fn api_status(s: &Server, token: &str) -> u16 {
    let mut api = s.client();
    api.bearer = Some(token.to_owned());
    api.get("/api/v1/work").status
}

/// Someone who knew the old password and signed in elsewhere is out once it changes; the
/// person changing it stays, and their API tokens go too when they ask.
fn a_password_change_ends_every_other_session(s: &Server) {
    let am = user(Role::AccountManager);
    let (mut here, mut there) = (s.signed_in(&am), s.signed_in(&am));
    let bystander = s.signed_in(&user(Role::Director));
    let token = s.token(&am);
    let page = here.get("/password");
    assert!(page.body.contains("Also revoke my 1 API token"), "the offer: {}", page.body);
    let new = "a new passphrase here";
    let csrf = page.csrf();
    let r = here.post_form("/password", &[("csrf", &csrf), ("current", PASSWORD), ("new", new), ("again", new)]);
    assert!(r.body.contains("Signed out 1 other session."), "{}", r.body);
    assert_eq!(there.get("/work").status, 303, "the other session is signed out");
    assert_eq!(here.get("/work").status, 200, "the changing session stays");
    let mut bystander = bystander;
    assert_eq!(bystander.get("/work").status, 200, "another user's session stays");
    assert_eq!(api_status(s, &token), 200, "tokens stay unless asked");
    let newer = "a newer passphrase yet";
    let fields = [("csrf", csrf.as_str()), ("current", new), ("new", newer), ("again", newer), ("revoke_tokens", "on")];
    let r = here.post_form("/password", &fields);
    assert!(r.body.contains("Revoked 1 API token."), "{}", r.body);
    assert_eq!(api_status(s, &token), 401, "the token is revoked");
}

/// A deactivated user's sessions and tokens end, and reactivating them revives neither.
fn reactivating_a_user_revives_no_session_or_token(s: &Server) {
    let am = user(Role::AccountManager);
    let mut session = s.signed_in(&am);
    let token = s.token(&am);
    let mut admin = s.signed_in(&user(Role::Admin));
    let csrf = admin.get("/admin/users").csrf();
    let email = steward_domain::Email::parse(&am).unwrap();
    for active in ["", "true"] {
        let current = s.store.user(&email).unwrap();
        let fields = [("csrf", csrf.as_str()), ("version", &current.version.to_string()), ("role", "account_manager")];
        let mut fields = fields.to_vec();
        fields.push(("active", active));
        let r = admin.post_form(&format!("/admin/users/{am}"), &fields);
        assert_eq!(r.status, 303, "{}", r.body);
    }
    assert!(s.store.user(&email).unwrap().active, "active again");
    assert_eq!(session.get("/work").status, 303, "the old session stays ended");
    assert_eq!(api_status(s, &token), 401, "the old token stays revoked");
    assert_eq!(s.client().sign_in(&am, PASSWORD).status, 303, "they sign in afresh");
}

/// Wrong passwords from one address slow that address's attempts at that account — on
/// every server of the database — while the owner signs in from elsewhere at once.
fn sign_in_slows_the_guesser_not_the_owner(s: &Server) {
    let who = user(Role::Director);
    let mut guesser = s.client();
    guesser.from = Some("203.0.113.5".into());
    for _ in 0..5 {
        assert_eq!(guesser.sign_in(&who, "wrong password").status, 401);
    }
    let r = guesser.sign_in(&who, PASSWORD);
    assert_eq!(r.status, 429, "the guesser waits, even with the right password");
    let said = r.body.split("try again in ").nth(1).and_then(|rest| rest.split('.').next()).unwrap_or_default();
    let seconds = said.strip_suffix(" seconds").and_then(|n| n.parse::<u32>().ok());
    assert!(said == "1 minute" || seconds.is_some_and(|n| (45..=60).contains(&n)), "about a minute: {said:?}");
    assert!(r.body.contains(r#"name="password""#), "the form, to try again: {}", r.body);
    let mut owner = s.client();
    owner.from = Some("198.51.100.7".into());
    assert_eq!(owner.sign_in(&who, PASSWORD).status, 303, "the owner is not locked out");
    // Another server on the same database counts the same failures.
    let other = s.another();
    let mut there = other.client();
    there.from = Some("203.0.113.5".into());
    assert_eq!(there.sign_in(&who, PASSWORD).status, 429, "the count is shared");
}

/// Pages, the API, errors and the stylesheet all carry the policy; nothing signed-in may
/// be cached; no page holds a script for the policy to break.
fn every_response_carries_the_security_headers(s: &Server) {
    let mut am = s.signed_in(&user(Role::AccountManager));
    let mut api = s.client();
    api.bearer = Some(s.token(&user(Role::AccountManager)));
    let answers = [
        ("sign-in page", s.client().get("/sign-in")),
        ("a signed-in page", am.get("/work")),
        ("a page that is not there", am.get("/no-such-page")),
        ("a refused page", am.get("/admin/users")),
        ("an API answer", api.get("/api/v1/work")),
        ("an API error", api.get("/api/v1/tasks/not-a-number")),
        ("signed out", s.client().get("/book")),
    ];
    for (what, r) in &answers {
        let csp = r.header("content-security-policy").unwrap_or_else(|| panic!("{what}: no CSP"));
        assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"), "{what}: {csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"), "{what}");
        assert_eq!(r.header("referrer-policy"), Some("same-origin"), "{what}");
        assert_eq!(r.header("x-frame-options"), Some("DENY"), "{what}");
        assert_eq!(r.header("cross-origin-opener-policy"), Some("same-origin"), "{what}");
        assert!(csp.starts_with("default-src 'none'") && csp.contains("form-action 'self'"), "{what}: {csp}");
        assert_eq!(r.header("cache-control"), Some("no-store"), "{what}");
        assert_eq!(r.header("strict-transport-security"), None, "{what}: HSTS only over HTTPS");
        assert!(!r.body.contains("<script") && !r.body.contains("javascript:"), "{what}: a script");
    }
    let css = s.client().get("/static/steward.css");
    assert_eq!(css.header("cache-control"), Some("public, max-age=3600"), "the stylesheet may be cached");
    assert!(css.header("content-security-policy").is_some());
    // Served over HTTPS (secure cookies), browsers are told to keep to it.
    let https = s.another_with(|config| config.secure_cookies = true);
    let r = https.client().get("/sign-in");
    assert_eq!(r.header("strict-transport-security"), Some("max-age=31536000"));
    assert!(r.set_cookies.iter().all(|c| c.contains("; Secure")), "{:?}", r.set_cookies);
}

/// What axum's extractors would answer in plain text (400, 415, 422) comes as the app's
/// HTML error page on pages and as its one JSON error body on the API.
fn every_refusal_answers_in_the_apps_own_form(s: &Server) {
    let mut am = s.signed_in(&user(Role::AccountManager));
    let html = |what: &str, r: &web_support::Response, status: u16, says: &str| {
        assert_eq!(r.status, status, "{what}: {}", r.body);
        assert!(r.content_type.starts_with("text/html"), "{what}: {}", r.content_type);
        assert!(r.body.contains("<main") && r.body.contains(says), "{what}: {}", r.body);
    };
    html("a bad page number", &am.get("/book?page=abc"), 422, "query cannot be read");
    html("a page that is not there", &am.get("/no-such-page"), 404, "not found");
    html("a task id that is not a number", &am.post_form("/tasks/abc/complete", &[]), 404, "not found");
    html("signing out without a body", &am.send_raw("POST", "/sign-out", None, None), 403, "form has expired");
    html("a method a page does not take", &am.send_raw("DELETE", "/book", None, None), 405, "does not take");
    let csrf = am.get("/work").csrf();
    let huge = "x".repeat(3 * 1024 * 1024);
    // Sent by hand: the server answers before taking the whole body, which a client that
    // insists on writing it all would see as a broken pipe.
    let body = format!("csrf={csrf}&current={huge}");
    let cookies: Vec<String> = am.cookies().iter().map(|(k, v)| format!("{k}={v}")).collect();
    let request = format!(
        "POST /password HTTP/1.1\r\nHost: x\r\nCookie: {}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\n\r\n{body}",
        cookies.join("; "),
        body.len()
    );
    let r = s.raw(request.as_bytes(), false);
    assert_eq!(r.status, 413, "a form past the size limit: {}", r.head);
    assert!(r.head.to_ascii_lowercase().contains("content-type: text/html"), "{}", r.head);
    assert!(r.body.contains("<main") && r.body.contains("too large"), "{}", r.body);
    let mut api = s.client();
    // The scheme's case does not matter.
    api.bearer = None;
    let token = s.token(&user(Role::AccountManager));
    let r = api.send_raw("GET", "/api/v1/work", None, Some(&format!("bearer {token}")));
    assert_eq!(r.status, 200, "lower-case bearer: {}", r.body);
    api.bearer = Some(token);
    let json = |what: &str, r: web_support::Response, status: u16, code: &str| {
        assert_eq!(r.status, status, "{what}: {}", r.body);
        assert_eq!(r.json()["error"]["code"], code, "{what}: {}", r.body);
    };
    json("a bad page number", api.get("/api/v1/accounts?page=abc"), 422, "invalid_input");
    json("a body without its content type", api.post_bytes("/api/v1/tasks", "text/plain", b"{}"), 422, "invalid_input");
    json("a task id that is not a number", api.get("/api/v1/tasks/abc"), 404, "not_found");
}

/// A sign-in cookie and form token chosen by someone else (another site that can set
/// cookies for this one) sign no one in: the form's token must be one this server made.
fn a_planted_sign_in_cookie_is_no_use(s: &Server) {
    let mut c = s.client();
    let planted = "ab".repeat(32);
    c.set_cookie("steward_sign_in".into(), planted.clone());
    let r = c.post_form(
        "/sign-in",
        &[("email", &user(Role::Director)), ("password", PASSWORD), ("csrf", &planted), ("next", "/")],
    );
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(!c.has_session());
    // A real pair fetched from this server and planted by a sibling site: the browser says
    // where the form was posted from.
    let mut fetched = s.client();
    let token = fetched.get("/sign-in").csrf();
    let (name, value) = fetched.cookies().into_iter().find(|(k, _)| k == "steward_sign_in").unwrap();
    let body = format!(
        "email={}&password={}&csrf={token}&next=%2F",
        web_support::encode(&user(Role::Director)),
        web_support::encode(PASSWORD)
    );
    let request = format!(
        "POST /sign-in HTTP/1.1\r\nHost: x\r\nCookie: {name}={value}\r\nSec-Fetch-Site: same-site\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let r = s.raw(request.as_bytes(), false);
    assert_eq!(r.status, 403, "posted from a sibling site: {}", r.head);
    assert!(!r.head.contains("steward_session="), "no session: {}", r.head);
}

/// Over-long text, control characters, direction overrides and dates no one means are
/// refused field by field, on the API and on pages, and the refusal never repeats the text.
fn text_and_dates_have_limits(s: &Server) {
    let own = owned();
    let mut api = s.client();
    api.bearer = Some(s.token(&user(Role::AccountManager)));
    let activities = format!("/api/v1/accounts/{own}/activities");
    let refused = |r: web_support::Response, field: &str, says: &str| {
        assert_eq!(r.status, 422, "{field}: {}", r.body);
        let problem = r.json()["error"]["fields"][field].as_str().unwrap_or_default().to_owned();
        assert!(problem.contains(says), "{field}: {problem}");
        assert!(!r.body.contains("planted-text"), "the text is not repeated: {}", r.body);
    };
    let summary = |text: String| serde_json::json!({ "kind": "call", "summary": text });
    refused(api.post_json(&activities, &summary("x".repeat(5001))), "summary", "at most 5000");
    refused(api.post_json(&activities, &summary("planted-text\0".into())), "summary", "U+0000");
    refused(api.post_json(&activities, &summary("planted-text\u{202E}txt.exe".into())), "summary", "U+202E");
    let ok = api.post_json(&activities, &summary("Called.\nThey will renew.\tGood. ".into()));
    assert_eq!(ok.status, 201, "newlines and tabs are fine: {}", ok.body);
    assert_eq!(ok.json()["summary"], "Called.\nThey will renew.\tGood.", "kept trimmed");
    // The API takes text as the document says (LF line ends); a page's textarea sends CRLF.
    refused(api.post_json(&activities, &summary("planted-text\r\nmore".into())), "summary", "U+000D");
    let task = |title: &str, due: &str| serde_json::json!({ "account": own, "title": title, "due_date": due });
    refused(api.post_json("/api/v1/tasks", &task("planted-text\nsecond line", "2026-07-01")), "title", "one line");
    refused(
        api.post_json("/api/v1/tasks", &task("Call back", "0026-07-01")),
        "due_date",
        "between 1900-01-01 and 2200-12-31",
    );
    let r = api.post_bytes(
        &format!("/api/v1/imports?account={own}&kind=visits&as_of=2201-01-01"),
        "text/csv",
        b"visit_id,member_id,visit_date,modality,metro,status\n",
    );
    refused(r, "as_of", "between");
    // A page keeps what was typed and says what is wrong beside the field.
    let mut am = s.signed_in(&user(Role::AccountManager));
    let csrf = am.get(&format!("/accounts/{own}")).csrf();
    let r = am.post_form(
        &format!("/accounts/{own}/activities"),
        &[("csrf", &csrf), ("kind", "call"), ("occurred_on", "2201-03-04"), ("summary", "Quarterly review")],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("2201-03-04 is not between 1900-01-01 and 2200-12-31"), "{}", r.body);
    assert!(r.body.contains("Quarterly review"), "what was typed stays");
    let r = am.post_form(
        &format!("/accounts/{own}/activities"),
        &[("csrf", &csrf), ("kind", "call"), ("occurred_on", "2026-06-04"), ("summary", "Two\r\nlines")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let kept = s.store.activities(&steward_domain::Slug::parse(&own).unwrap(), 1000).unwrap();
    assert!(kept.iter().any(|a| a.summary == "Two\nlines"), "a textarea's CRLF kept as LF");
}

/// Asked for again on the password page, a password is guessed no faster than at sign-in.
fn the_password_page_is_throttled_too(s: &Server) {
    let mut c = s.signed_in(&user(Role::AccountManager));
    c.from = Some("203.0.113.9".into());
    let csrf = c.get("/password").csrf();
    let guess = |c: &mut web_support::Client| {
        c.post_form(
            "/password",
            &[
                ("csrf", &csrf),
                ("current", "a wrong guess"),
                ("new", "a new passphrase"),
                ("again", "a new passphrase"),
            ],
        )
    };
    for _ in 0..5 {
        assert_eq!(guess(&mut c).status, 422);
    }
    let r = guess(&mut c);
    assert_eq!(r.status, 429, "{}", r.body);
}
