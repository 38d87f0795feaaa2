//! Reading a request's path, query and body — refused the app's way. axum's own
//! extractors answer a bad input with a plain-text 400, 415 or 422 of their own; these
//! answer a page with the app's HTML error page and the API with its one error body,
//! so no rejection escapes the conventions. [`Signed`] reads a page's form and checks
//! its CSRF token in the same step, so no handler can forget to.

use crate::app::App;
use crate::auth::Viewer;
use crate::error::{ApiError, PageError, WebError};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

fn bad_query(e: serde_urlencoded::de::Error) -> WebError {
    WebError::invalid(format!("the address's query cannot be read: {e}"))
}

fn body_rejection(e: BytesRejection) -> WebError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        WebError::TooLarge
    } else {
        WebError::invalid(format!("the request's body could not be read: {}", e.body_text()))
    }
}

/// Query strings and path parameters, for pages (`page::`) and the API (`api::`) alike.
macro_rules! parts_extractors {
    ($flavor:ident, $answer:ident) => {
        pub mod $flavor {
            use super::*;

            /// A query string, parsed into `T`.
            #[derive(Debug)]
            pub struct Query<T>(pub T);

            impl<T: DeserializeOwned + Send> FromRequestParts<App> for Query<T> {
                type Rejection = $answer;

                async fn from_request_parts(parts: &mut Parts, _: &App) -> Result<Self, Self::Rejection> {
                    let query = parts.uri.query().unwrap_or_default();
                    serde_urlencoded::from_str(query).map(Query).map_err(|e| $answer(bad_query(e)))
                }
            }

            /// A path parameter; one that does not parse names nothing here.
            #[derive(Debug)]
            pub struct Path<T>(pub T);

            impl<T: DeserializeOwned + Send> FromRequestParts<App> for Path<T> {
                type Rejection = $answer;

                async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
                    match axum::extract::Path::<T>::from_request_parts(parts, app).await {
                        Ok(axum::extract::Path(v)) => Ok(Path(v)),
                        Err(_) => Err($answer(WebError::NotFound("that record".into()))),
                    }
                }
            }
        }
    };
}

parts_extractors!(page, PageError);
parts_extractors!(api, ApiError);

/// A JSON request body, parsed into `T`.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned> FromRequest<App> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, app: &App) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, app).await {
            Ok(axum::Json(v)) => Ok(JsonBody(v)),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError(WebError::TooLarge)),
            Err(e) => Err(ApiError(WebError::invalid(e.body_text()))),
        }
    }
}

/// A page's form posted by someone not signed in (the sign-in form, which carries a token
/// of its own).
#[derive(Debug)]
pub struct PublicForm<T>(pub T);

impl<T: DeserializeOwned> FromRequest<App> for PublicForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, app: &App) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, app).await.map_err(|e| PageError(body_rejection(e)))?;
        serde_urlencoded::from_bytes(&bytes)
            .map(PublicForm)
            .map_err(|e| PageError(WebError::invalid(format!("the form could not be read: {e}"))))
    }
}

/// A form whose only field is its CSRF token (a button: sign out, revoke).
#[derive(Debug, serde::Deserialize)]
pub struct NoFields {}

/// A page's form posted by the signed-in viewer with their session's CSRF token (its
/// `csrf` field). Whatever the content type says, the body is read as a form: one that is
/// not has no token, and is refused as a forgery would be.
#[derive(Debug)]
pub struct Signed<T> {
    pub viewer: Viewer,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<App> for Signed<T> {
    type Rejection = Response;

    async fn from_request(req: Request, app: &App) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, app).await?;
        let refuse = |e: WebError| PageError(e).into_response();
        let bytes =
            Bytes::from_request(Request::from_parts(parts, body), app).await.map_err(|e| refuse(body_rejection(e)))?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
        let token = fields.iter().find(|(name, _)| name == "csrf").map_or("", |(_, v)| v.as_str());
        viewer.check_csrf(token).map_err(refuse)?;
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| refuse(WebError::invalid(format!("the form could not be read: {e}"))))?;
        Ok(Signed { viewer, form })
    }
}
