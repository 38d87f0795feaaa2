//! One error type for every handler, and the one place that turns it into a response:
//! JSON (`{"error": {"code", "message", "fields"}}`) under `/api`, a page otherwise.
//! Internal causes are logged, never sent.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::BTreeMap;
use steward_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No valid session or token.
    #[error("sign in to continue")]
    Unauthenticated,
    /// Signed in, but the role may not do this.
    #[error("your role may not do this")]
    Forbidden,
    /// Missing, or hidden from this user (a client asking for another account).
    #[error("{0} not found")]
    NotFound(String),
    /// Input that cannot be accepted; `fields` says what is wrong with each field.
    #[error("{message}")]
    Invalid { message: String, fields: BTreeMap<String, String> },
    /// A write carried a stale version; `current` is the record as it is now.
    #[error("{message}")]
    Conflict { message: String, current: Option<serde_json::Value> },
    #[error("too many attempts; try again in {wait}")]
    RateLimited { wait: String, retry_after: i64 },
    /// A client user whose employer's access has ended (`None`: no contract says when).
    #[error("your organization's access to Steward has ended{}", ended.map(|d| format!(" (on {d})")).unwrap_or_default())]
    AccessEnded { ended: Option<chrono::NaiveDate> },
    /// A file refused as a whole; `batch` is its recorded import batch.
    #[error("{message}")]
    ImportRefused { message: String, batch: serde_json::Value },
    #[error("this route does not take that method")]
    MethodNotAllowed,
    #[error("the request is too large")]
    TooLarge,
    /// A form posted without its CSRF token.
    #[error("this form has expired; reload the page and try again")]
    Csrf,
    #[error("the database is unavailable; try again shortly")]
    Unavailable(String),
    /// Anything unexpected. The text is for the log only.
    #[error("something went wrong on our side")]
    Internal(String),
}

impl WebError {
    pub fn invalid(message: impl Into<String>) -> Self {
        WebError::Invalid { message: message.into(), fields: BTreeMap::new() }
    }

    pub fn field(field: &str, problem: impl Into<String>) -> Self {
        let problem = problem.into();
        WebError::Invalid { message: problem.clone(), fields: BTreeMap::from([(field.to_owned(), problem)]) }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthenticated => StatusCode::UNAUTHORIZED,
            WebError::Forbidden | WebError::Csrf | WebError::AccessEnded { .. } => StatusCode::FORBIDDEN,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Conflict { .. } => StatusCode::CONFLICT,
            WebError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::ImportRefused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            WebError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            WebError::Unauthenticated => "unauthenticated",
            WebError::Forbidden => "forbidden",
            WebError::Csrf => "csrf_token_invalid",
            WebError::NotFound(_) => "not_found",
            WebError::Invalid { .. } => "invalid_input",
            WebError::Conflict { .. } => "conflict",
            WebError::RateLimited { .. } => "rate_limited",
            WebError::AccessEnded { .. } => "access_ended",
            WebError::ImportRefused { .. } => "import_refused",
            WebError::MethodNotAllowed => "method_not_allowed",
            WebError::TooLarge => "too_large",
            WebError::Unavailable(_) => "unavailable",
            WebError::Internal(_) => "internal",
        }
    }

    /// The sentence a person sees; never an internal cause.
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// Headers that belong with this failure's status.
    pub fn add_headers(&self, response: &mut Response) {
        let headers = response.headers_mut();
        match self {
            WebError::Unauthenticated => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            WebError::RateLimited { retry_after, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            _ => {}
        }
    }

    fn log(&self) {
        match self {
            WebError::Internal(cause) => tracing::error!("internal error: {cause}"),
            WebError::Unavailable(cause) => tracing::warn!("database unavailable: {cause}"),
            _ => {}
        }
    }
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => WebError::NotFound(what),
            StoreError::Duplicate(what) => WebError::invalid(format!("{what} already exists")),
            StoreError::Invalid(message) => WebError::invalid(message),
            conflict @ StoreError::Conflict { .. } => {
                WebError::Conflict { message: conflict.to_string(), current: None }
            }
            StoreError::Unavailable(cause) => WebError::Unavailable(cause),
            StoreError::Backend(cause) => WebError::Internal(cause),
        }
    }
}

impl From<steward_domain::ParseError> for WebError {
    fn from(e: steward_domain::ParseError) -> Self {
        WebError::invalid(e.0)
    }
}

/// An API failure: the JSON error body.
#[derive(Debug)]
pub struct ApiError(pub WebError);

/// Lets `?` turn any error a handler meets into the response wrapper.
macro_rules! wraps {
    ($wrapper:ident) => {
        impl From<WebError> for $wrapper {
            fn from(e: WebError) -> Self {
                $wrapper(e)
            }
        }
        impl From<StoreError> for $wrapper {
            fn from(e: StoreError) -> Self {
                $wrapper(e.into())
            }
        }
        impl From<steward_domain::ParseError> for $wrapper {
            fn from(e: steward_domain::ParseError) -> Self {
                $wrapper(e.into())
            }
        }
    };
}

wraps!(ApiError);
wraps!(PageError);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let mut body = serde_json::json!({ "error": { "code": e.code(), "message": e.message() } });
        match &e {
            WebError::Invalid { fields, .. } if !fields.is_empty() => {
                body["error"]["fields"] = serde_json::json!(fields)
            }
            WebError::Conflict { current: Some(current), .. } => body["error"]["current"] = current.clone(),
            WebError::ImportRefused { batch, .. } => body["error"]["batch"] = batch.clone(),
            _ => {}
        }
        let mut response = (e.status(), axum::Json(body)).into_response();
        e.add_headers(&mut response);
        response
    }
}

/// A page failure: a page that says what happened, or the sign-in page when signed out.
#[derive(Debug)]
pub struct PageError(pub WebError);

/// Signed out on a page: sign in, then come back to it.
#[derive(Debug)]
pub struct SignInFirst {
    pub next: String,
}

impl IntoResponse for SignInFirst {
    fn into_response(self) -> Response {
        let to = match self.next.as_str() {
            "" | "/" => "/sign-in".to_owned(),
            next => format!("/sign-in?next={}", crate::views::url_encode(next)),
        };
        Redirect::to(&to).into_response()
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        if matches!(e, WebError::Unauthenticated) {
            return Redirect::to("/sign-in").into_response();
        }
        let page = crate::templates::render(
            "error.html",
            minijinja::context! { title => title(&e), message => e.message(), status => e.status().as_u16() },
        );
        let mut response = match page {
            Ok(html) => (e.status(), axum::response::Html(html)).into_response(),
            Err(_) => (e.status(), e.message()).into_response(),
        };
        e.add_headers(&mut response);
        response
    }
}

fn title(e: &WebError) -> &'static str {
    match e {
        WebError::Unauthenticated => "Sign in",
        WebError::Forbidden => "Not allowed",
        WebError::Csrf => "Form expired",
        WebError::NotFound(_) => "Not found",
        WebError::Invalid { .. } => "Cannot accept that",
        WebError::Conflict { .. } => "Changed meanwhile",
        WebError::RateLimited { .. } => "Too many attempts",
        WebError::AccessEnded { .. } => "Access ended",
        WebError::ImportRefused { .. } => "File refused",
        WebError::MethodNotAllowed => "Not allowed",
        WebError::TooLarge => "Too large",
        WebError::Unavailable(_) => "Unavailable",
        WebError::Internal(_) => "Error",
    }
}

pub type PageResult<T = Response> = Result<T, PageError>;
pub type ApiResult<T> = Result<T, ApiError>;
