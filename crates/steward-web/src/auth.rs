//! Who is asking: a session cookie for pages, a bearer token for the API; CSRF tokens for
//! forms; signing in and out, with failed attempts limited.

use crate::app::App;
use crate::authz;
use crate::credentials;
use crate::error::{ApiError, PageError, PageResult, SignInFirst, WebError};
use axum::extract::{ConnectInfo, Form, FromRequestParts, Query, State};
use axum::http::{HeaderMap, HeaderValue, header, request::Parts};
use axum::response::{Html, IntoResponse, Redirect, Response};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};
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
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
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

/// Sign-in attempts per key (an e-mail, a client address) within a sliding window. An
/// attempt is counted before the password is checked and forgiven when it succeeds, so
/// parallel guesses cannot slip past the count. Kept in the process: with several servers
/// each allows its own share, which still bounds guessing to a handful a minute. The
/// per-address limit is wider, since many people may share one address (a proxy).
#[derive(Debug)]
pub struct SignInLimiter {
    attempts: usize,
    window: Duration,
    counted: Mutex<HashMap<String, Vec<Instant>>>,
}

/// How many times more attempts one client address may make than one e-mail.
const ADDRESS_FACTOR: usize = 10;

impl SignInLimiter {
    pub fn new(attempts: usize, window_minutes: i64) -> Self {
        let window = Duration::from_secs(60 * window_minutes.max(1) as u64);
        Self { attempts, window, counted: Mutex::new(HashMap::new()) }
    }

    /// Counts an attempt for the e-mail and the address, or says in how many minutes
    /// either may try again.
    fn begin(&self, email: &str, address: &str) -> Result<(), i64> {
        let now = Instant::now();
        let mut counted = self.counted.lock().unwrap_or_else(|p| p.into_inner());
        // Forget keys whose attempts are all old, so the map cannot grow without bound.
        if counted.len() > 10_000 {
            let window = self.window;
            counted.retain(|_, list| list.iter().any(|t| now.duration_since(*t) < window));
        }
        for (key, allowed) in [(email, self.attempts), (address, self.attempts * ADDRESS_FACTOR)] {
            let list = counted.entry(key.to_owned()).or_default();
            list.retain(|t| now.duration_since(*t) < self.window);
            if list.len() >= allowed {
                let oldest = list.first().copied().unwrap_or(now);
                return Err(self.window.saturating_sub(now.duration_since(oldest)).as_secs() as i64 / 60 + 1);
            }
        }
        for key in [email, address] {
            counted.entry(key.to_owned()).or_default().push(now);
        }
        Ok(())
    }

    /// Forgives the attempt of a successful sign-in.
    fn succeeded(&self, email: &str, address: &str) {
        let mut counted = self.counted.lock().unwrap_or_else(|p| p.into_inner());
        counted.remove(email);
        if let Some(list) = counted.get_mut(address) {
            list.pop();
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct SignInQuery {
    next: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
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
    let token = match cookie(headers, SIGN_IN_COOKIE) {
        Some(t) if t.len() == 64 => t.to_owned(),
        _ => credentials::new_session_id(),
    };
    let html = crate::templates::render(
        "sign_in.html",
        minijinja::context! { title => "Sign in", email, next, error, csrf => token },
    )?;
    let mut response = (status, Html(html)).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie_header(app, SIGN_IN_COOKIE, &token, 3600));
    Ok(response)
}

pub async fn sign_in(
    State(app): State<App>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> PageResult {
    let next = safe_path(&form.next, "/").to_owned();
    let expected = cookie(&headers, SIGN_IN_COOKIE).unwrap_or_default();
    if expected.is_empty() || blake3::hash(expected.as_bytes()) != blake3::hash(form.csrf.as_bytes()) {
        return Err(WebError::Csrf.into());
    }
    let email_key = form.email.trim().to_lowercase();
    let peer_key = format!("ip {}", peer.ip());
    let limiter = app.limiter();
    if let Err(minutes) = limiter.begin(&email_key, &peer_key) {
        return Err(WebError::RateLimited { minutes }.into());
    }
    let email = Email::parse(form.email.trim()).ok();
    let password = form.password;
    let hours = app.config().session_hours;
    let (today, grace) = (app.today(), app.config().client_access_grace_days);
    let signed_in = app
        .run(move |store| {
            let hash = match &email {
                Some(e) => store.password_hash(e)?,
                None => None,
            };
            // Verify even for an unknown e-mail, so timing does not tell which exist.
            let ok = credentials::verify_password(&password, hash.as_deref().unwrap_or(credentials::decoy_hash()));
            let (Some(email), true, Some(_)) = (email, ok, hash) else { return Ok(None) };
            // The password is right: whether their organization's access has ended may be said.
            if let Some(ended) = authz::client_access_ended(store, &store.user(&email)?, today, grace)? {
                return Err(WebError::AccessEnded { ended });
            }
            let session = credentials::new_session_id();
            let expires = chrono::Utc::now() + chrono::Duration::hours(hours);
            store.create_session(&email, &secret_digest(&session), expires)?;
            Ok(Some(session))
        })
        .await?;
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
    limiter.succeeded(&email_key, &peer_key);
    let mut response = Redirect::to(&next).into_response();
    let cookies = response.headers_mut();
    cookies.append(header::SET_COOKIE, cookie_header(&app, SESSION_COOKIE, &session, hours * 3600));
    cookies.append(header::SET_COOKIE, cookie_header(&app, SIGN_IN_COOKIE, "", 0));
    Ok(response)
}

#[derive(Debug, serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}

pub async fn sign_out(
    State(app): State<App>,
    headers: HeaderMap,
    viewer: Viewer,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    viewer.check_csrf(&form.csrf)?;
    if let Some(session) = cookie(&headers, SESSION_COOKIE) {
        let digest = secret_digest(session);
        app.run(move |store| Ok(store.delete_session(&digest)?)).await?;
    }
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
    fn limiter_counts_attempts_and_forgives_successes() {
        let limiter = SignInLimiter::new(3, 15);
        for _ in 0..3 {
            assert_eq!(limiter.begin("ann", "ip 1"), Ok(()));
        }
        assert_eq!(limiter.begin("ann", "ip 1"), Err(15), "the fourth attempt waits");
        assert_eq!(limiter.begin("bob", "ip 1"), Ok(()), "another e-mail from the same address");
        limiter.succeeded("bob", "ip 1");
        let fresh = SignInLimiter::new(3, 15);
        for _ in 0..10 {
            fresh.begin("cy", "ip 2").unwrap();
            fresh.succeeded("cy", "ip 2");
        }
        assert_eq!(fresh.begin("cy", "ip 2"), Ok(()), "successes are not held against anyone");
        let shared = SignInLimiter::new(1, 15);
        for i in 0..ADDRESS_FACTOR {
            assert_eq!(shared.begin(&format!("user{i}"), "proxy"), Ok(()));
        }
        assert!(shared.begin("one-more", "proxy").is_err(), "an address has its own, wider limit");
    }

    #[test]
    fn cookies_are_found_among_several() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; steward_session=abc; b=2"));
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "c"), None);
    }
}
