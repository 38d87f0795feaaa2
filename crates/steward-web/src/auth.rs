//! Who is asking: a session cookie for pages, a bearer token for the API; CSRF tokens for
//! forms; signing in and out, with failed attempts limited.

use crate::app::App;
use crate::authz;
use crate::credentials;
use crate::error::{ApiError, PageError, PageResult, SignInFirst, WebError};
use crate::extract::page::Query;
use crate::extract::{NoFields, PublicForm, Signed};
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::{HeaderMap, HeaderValue, header, request::Parts};
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::net::{IpAddr, SocketAddr};
use steward_domain::throttle::{self, Scope};
use steward_domain::{Email, User};
use steward_store::secret_digest;

pub const SESSION_COOKIE: &str = "steward_session";
/// Holds a random value the sign-in form repeats, so another site cannot sign a browser
/// in to an account of its choosing (login CSRF).
const SIGN_IN_COOKIE: &str = "steward_sign_in";

/// A signed-in person on a page, with the CSRF token their forms must carry.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub user: User,
    pub csrf: String,
    /// The digest of this session's id, as stored.
    pub session_digest: String,
}

impl Viewer {
    /// Refuses a form whose CSRF token is not this session's.
    pub fn check_csrf(&self, token: &str) -> Result<(), WebError> {
        // Compared as digests so the comparison takes the same time wherever they differ.
        if blake3::hash(token.as_bytes()) == blake3::hash(self.csrf.as_bytes()) { Ok(()) } else { Err(WebError::Csrf) }
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(k, v)| (k == name).then_some(v))
}

impl FromRequestParts<App> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        // A page asked for while signed out comes back after signing in (GETs only: a
        // form posted without a session cannot be replayed).
        let sign_in = || {
            let next = if parts.method == axum::http::Method::GET {
                parts.uri.path_and_query().map_or("/", |p| p.as_str()).to_owned()
            } else {
                "/".to_owned()
            };
            SignInFirst { next }.into_response()
        };
        let Some(session) = cookie(&parts.headers, SESSION_COOKIE).map(str::to_owned) else {
            return Err(sign_in());
        };
        let digest = secret_digest(&session);
        let (today, grace) = (app.today(), app.config().client_access_grace_days);
        let session_digest = digest.clone();
        let user = app
            .run(move |store| {
                let Some(user) = store.session_user(&digest, chrono::Utc::now())? else { return Ok(None) };
                if let Some(ended) = authz::client_access_ended(store, &user, today, grace)? {
                    return Err(WebError::AccessEnded { ended });
                }
                Ok(Some(user))
            })
            .await
            .map_err(|e| PageError(e).into_response())?;
        match user {
            Some(user) => Ok(Viewer { user, csrf: credentials::csrf_token(&session), session_digest }),
            None => Err(sign_in()),
        }
    }
}

/// A caller of the API, by `Authorization: Bearer <token>`.
#[derive(Debug, Clone)]
pub struct ApiCaller(pub User);

impl FromRequestParts<App> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_token)
            .filter(|t| !t.is_empty())
            .ok_or(WebError::Unauthenticated)?;
        let digest = secret_digest(token);
        let (today, grace) = (app.today(), app.config().client_access_grace_days);
        let user = app
            .run(move |store| {
                let Some(user) = store.api_token_user(&digest)? else { return Ok(None) };
                if let Some(ended) = authz::client_access_ended(store, &user, today, grace)? {
                    return Err(WebError::AccessEnded { ended });
                }
                Ok(Some(user))
            })
            .await?;
        user.map(ApiCaller).ok_or(ApiError(WebError::Unauthenticated))
    }
}

/// Whether the browser says the form was posted from another site. A real cookie and token
/// pair fetched from this server and planted by a sibling site would pass the token check;
/// the browser's own `Sec-Fetch-Site` and `Origin` headers, which a page cannot set, do not.
fn posted_from_elsewhere(headers: &HeaderMap) -> bool {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = header("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    match (header("origin"), header("host")) {
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, h)| h) != Some(host),
        _ => false,
    }
}

/// The token of an `Authorization: Bearer <token>` header; the scheme's case does not
/// matter (RFC 9110 §11.1).
fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The address a request comes from, as the sign-in throttle keys it: behind a proxy, the
/// last address the proxy added to `X-Forwarded-For` (earlier ones are the client's to
/// forge); an IPv6 address by its /64, which one subscriber holds whole.
pub fn client_address(behind_proxy: bool, headers: &HeaderMap, peer: SocketAddr) -> String {
    let forwarded = behind_proxy
        .then(|| {
            let all: Vec<&str> = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
            all.join(",").rsplit(',').map(str::trim).find(|a| !a.is_empty()).and_then(|a| a.parse::<IpAddr>().ok())
        })
        .flatten();
    match forwarded.unwrap_or(peer.ip()) {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or_else(String::new, |v4| v4.to_string()),
        IpAddr::V4(v4) => v4.to_string(),
    }
}

/// Checks `password` for `email` as one throttled attempt under `keys` — at sign-in and
/// wherever a password is asked for again: claimed before the check (refused while the
/// keys must wait), forgiven when right. An unknown e-mail is checked against a decoy
/// hash, so timing does not tell which exist.
pub(crate) fn throttled_password_check(
    store: &dyn steward_store::Store,
    keys: &[(Scope, String)],
    policy: &throttle::Policy,
    email: Option<&Email>,
    password: &str,
) -> Result<bool, WebError> {
    let now = chrono::Utc::now();
    if let Err(at) = store.claim_sign_in(keys, policy, now)? {
        let retry_after = (at - now).num_seconds().max(1);
        return Err(WebError::RateLimited { wait: throttle::wait_text(now, at), retry_after });
    }
    let hash = match email {
        Some(e) => store.password_hash(e)?,
        None => None,
    };
    let right =
        credentials::verify_password(password, hash.as_deref().unwrap_or(credentials::decoy_hash())) && hash.is_some();
    if right {
        store.forgive_sign_in(&keys[..1], &keys[1..])?;
    }
    Ok(right)
}

/// The keys a sign-in attempt is counted under (see [`steward_domain::throttle`]).
pub(crate) fn throttle_keys(app: &App, email: &str, address: &str) -> Vec<(Scope, String)> {
    let keys = app.keys();
    vec![
        (Scope::Pair, keys.throttle_key(&[address, email])),
        (Scope::Address, keys.throttle_key(&[address])),
        (Scope::Account, keys.throttle_key(&[email])),
    ]
}

#[derive(Debug, serde::Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    /// Checked against the sign-in cookie, not a session (there is none yet).
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

/// A path of this site to go to after a form, else `fallback`: never `//elsewhere`,
/// `https://elsewhere`, or a path with a backslash or control character (browsers drop
/// tabs and newlines, so `/\t/elsewhere` would become `//elsewhere`).
pub fn safe_path<'a>(path: &'a str, fallback: &'a str) -> &'a str {
    let ok = path.starts_with('/') && !path.starts_with("//") && !path.chars().any(|c| c == '\\' || c.is_control());
    if ok { path } else { fallback }
}

fn cookie_header(app: &App, name: &str, value: &str, max_age_secs: i64) -> HeaderValue {
    let secure = if app.config().secure_cookies { "; Secure" } else { "" };
    let text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

pub async fn sign_in_page(State(app): State<App>, headers: HeaderMap, Query(q): Query<SignInQuery>) -> PageResult {
    let next = safe_path(q.next.as_deref().unwrap_or("/"), "/").to_owned();
    sign_in_form(&app, &headers, "", &next, None, axum::http::StatusCode::OK)
}

fn sign_in_form(
    app: &App,
    headers: &HeaderMap,
    email: &str,
    next: &str,
    error: Option<String>,
    status: axum::http::StatusCode,
) -> PageResult {
    let nonce = match cookie(headers, SIGN_IN_COOKIE) {
        Some(t) if t.len() == 64 => t.to_owned(),
        _ => credentials::new_session_id(),
    };
    let csrf = app.keys().sign_in_form_token(&nonce);
    let html =
        crate::templates::render("sign_in.html", minijinja::context! { title => "Sign in", email, next, error, csrf })?;
    let mut response = (status, Html(html)).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie_header(app, SIGN_IN_COOKIE, &nonce, 3600));
    Ok(response)
}

pub async fn sign_in(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    PublicForm(form): PublicForm<SignInForm>,
) -> PageResult {
    let next = safe_path(&form.next, "/").to_owned();
    let nonce = cookie(&headers, SIGN_IN_COOKIE).unwrap_or_default();
    let expected = app.keys().sign_in_form_token(nonce);
    // Compared as digests so the comparison takes the same time wherever they differ.
    if nonce.is_empty()
        || blake3::hash(expected.as_bytes()) != blake3::hash(form.csrf.as_bytes())
        || posted_from_elsewhere(&headers)
    {
        return Err(WebError::Csrf.into());
    }
    let keys = throttle_keys(
        &app,
        &form.email.trim().to_lowercase(),
        &client_address(app.config().behind_proxy, &headers, peer),
    );
    let policy = app.config().sign_in;
    let email = Email::parse(form.email.trim()).ok();
    let password = form.password;
    let hours = app.config().session_hours;
    let (today, grace) = (app.today(), app.config().client_access_grace_days);
    let signed_in = app
        .run(move |store| {
            let right = throttled_password_check(store, &keys, &policy, email.as_ref(), &password)?;
            let (Some(email), true) = (email, right) else { return Ok(None) };
            // The password was right: whether their organization's access has ended may be said.
            if let Some(ended) = authz::client_access_ended(store, &store.user(&email)?, today, grace)? {
                return Err(WebError::AccessEnded { ended });
            }
            let session = credentials::new_session_id();
            let expires = chrono::Utc::now() + chrono::Duration::hours(hours);
            store.create_session(&email, &secret_digest(&session), expires)?;
            Ok(Some(session))
        })
        .await;
    let signed_in = match signed_in {
        Err(WebError::RateLimited { wait, retry_after }) => {
            let message = format!("Too many attempts to sign in from here; try again in {wait}.");
            let e = WebError::RateLimited { wait, retry_after };
            let mut page = sign_in_form(&app, &headers, form.email.trim(), &next, Some(message), e.status())?;
            e.add_headers(&mut page);
            return Ok(page);
        }
        other => other?,
    };
    let Some(session) = signed_in else {
        let message = "That e-mail and password do not match an active user.".to_owned();
        return sign_in_form(
            &app,
            &headers,
            form.email.trim(),
            &next,
            Some(message),
            axum::http::StatusCode::UNAUTHORIZED,
        );
    };
    let mut response = Redirect::to(&next).into_response();
    let cookies = response.headers_mut();
    cookies.append(header::SET_COOKIE, cookie_header(&app, SESSION_COOKIE, &session, hours * 3600));
    cookies.append(header::SET_COOKIE, cookie_header(&app, SIGN_IN_COOKIE, "", 0));
    Ok(response)
}

pub async fn sign_out(State(app): State<App>, Signed { viewer, .. }: Signed<NoFields>) -> PageResult {
    let digest = viewer.session_digest;
    app.run(move |store| Ok(store.delete_session(&digest)?)).await?;
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie_header(&app, SESSION_COOKIE, "", 0));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_path("/accounts/acme#tasks", "/"), "/accounts/acme#tasks");
        for bad in ["//evil.example", "https://evil.example", "/\\evil.example", "/\t/evil.example", "/\n/evil", ""] {
            assert_eq!(safe_path(bad, "/"), "/", "{bad:?}");
        }
    }

    #[test]
    fn addresses_come_from_the_proxy_only_when_behind_one() {
        let peer: SocketAddr = "10.0.0.9:5000".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.append("x-forwarded-for", HeaderValue::from_static("6.6.6.6, 203.0.113.7"));
        headers.append("x-forwarded-for", HeaderValue::from_static("198.51.100.2"));
        assert_eq!(client_address(false, &headers, peer), "10.0.0.9", "a forged header is ignored");
        assert_eq!(client_address(true, &headers, peer), "198.51.100.2", "the proxy's own addition");
        let v6: SocketAddr = "[2001:db8:1:2:aaaa:bbbb:cccc:dddd]:443".parse().unwrap();
        assert_eq!(client_address(false, &HeaderMap::new(), v6), "2001:db8:1:2::/64");
        let mapped: SocketAddr = "[::ffff:192.0.2.1]:443".parse().unwrap();
        assert_eq!(client_address(false, &HeaderMap::new(), mapped), "192.0.2.1");
    }

    #[test]
    fn a_sign_in_posted_from_another_site_is_told_apart() {
        let with = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            pairs.iter().for_each(|(k, v)| _ = h.insert(*k, HeaderValue::from_static(v)));
            posted_from_elsewhere(&h)
        };
        assert!(!with(&[]), "a client that says nothing (curl, tests)");
        assert!(!with(&[("sec-fetch-site", "same-origin")]));
        assert!(with(&[("sec-fetch-site", "same-site")]), "a sibling subdomain");
        assert!(with(&[("sec-fetch-site", "cross-site")]));
        assert!(!with(&[("origin", "https://steward.example"), ("host", "steward.example")]));
        assert!(with(&[("origin", "https://evil.steward.example"), ("host", "steward.example")]));
    }

    #[test]
    fn bearer_is_read_in_any_case() {
        for header in ["Bearer stw_abc", "bearer stw_abc", "BEARER  stw_abc "] {
            assert_eq!(bearer_token(header), Some("stw_abc"), "{header:?}");
        }
        assert_eq!(bearer_token("Basic stw_abc"), None);
        assert_eq!(bearer_token("Bearerstw_abc"), None);
    }

    #[test]
    fn cookies_are_found_among_several() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; steward_session=abc; b=2"));
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "c"), None);
    }
}
