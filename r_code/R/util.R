# Small helpers shared by the BattyCoda classification server: API errors that carry an HTTP
# status, option validation and JSON (de)serialisation.

#' Condition for an error that must reach the client as JSON with a 4xx status. `code` is a
#' stable machine-readable name for errors a client reacts to (e.g. "model_not_cached").
api_error <- function(message, status = 400L, details = NULL, code = NULL) {
  structure(
    class = c("api_error", "error", "condition"),
    list(message = message, call = NULL, status = as.integer(status), details = details, code = code)
  )
}

stop_api <- function(message, status = 400L, details = NULL, code = NULL) {
  stop(api_error(message, status, details, code))
}

#' Format a vector of values for an error message, truncating long lists.
fmt_list <- function(x, max = 10L) {
  x <- as.character(x)
  shown <- paste0("'", utils::head(x, max), "'", collapse = ", ")
  if (length(x) > max) shown <- paste0(shown, sprintf(" and %d more", length(x) - max))
  shown
}

fmt_rows <- function(rows, max = 10L) {
  shown <- paste(utils::head(rows, max), collapse = ", ")
  if (length(rows) > max) shown <- paste0(shown, sprintf(" and %d more", length(rows) - max))
  shown
}

#' Parse a JSON request body (raw bytes) into an R list. Invalid JSON is a 400.
parse_json_body <- function(raw_body) {
  if (is.null(raw_body) || length(raw_body) == 0L) {
    stop_api("request body is empty; send a JSON object (Content-Type: application/json)")
  }
  txt <- rawToChar(raw_body)
  Encoding(txt) <- "UTF-8"
  body <- tryCatch(
    jsonlite::fromJSON(txt, simplifyVector = TRUE, simplifyDataFrame = TRUE, simplifyMatrix = FALSE),
    error = function(e) stop_api(paste0("request body is not valid JSON: ", gsub("\\s+", " ", trimws(conditionMessage(e)))))
  )
  if (!is.list(body) || is.data.frame(body) || is.null(names(body))) {
    stop_api("request body must be a JSON object")
  }
  body
}

to_json <- function(x) {
  jsonlite::toJSON(x, auto_unbox = TRUE, digits = NA, null = "null", na = "null", dataframe = "rows")
}

# ---- option validation -------------------------------------------------------------------------

opt_int <- function(opts, name, default, min = -Inf, max = Inf) {
  v <- opts[[name]]
  if (is.null(v)) return(as.integer(default))
  if (!is.numeric(v) || length(v) != 1L || !is.finite(v) || v != round(v)) {
    stop_api(sprintf("options.%s must be an integer", name))
  }
  if (v < min || v > max) {
    stop_api(sprintf("options.%s must be between %s and %s (got %s)", name, format(min), format(max), format(v)))
  }
  as.integer(v)
}

opt_num <- function(opts, name, default, min = -Inf, max = Inf) {
  v <- opts[[name]]
  if (is.null(v)) return(default)
  if (!is.numeric(v) || length(v) != 1L || !is.finite(v)) stop_api(sprintf("options.%s must be a number", name))
  if (v < min || v > max) stop_api(sprintf("options.%s must be between %s and %s (got %s)", name, min, max, v))
  as.numeric(v)
}

opt_choice <- function(opts, name, choices) {
  v <- opts[[name]]
  if (is.null(v)) return(choices[[1]])
  if (!is.character(v) || length(v) != 1L || !(v %in% choices)) {
    stop_api(sprintf("options.%s must be one of %s", name, fmt_list(choices)))
  }
  v
}

opt_bool <- function(opts, name, default) {
  v <- opts[[name]]
  if (is.null(v)) return(default)
  if (!is.logical(v) || length(v) != 1L || is.na(v)) stop_api(sprintf("options.%s must be true or false", name))
  v
}

check_known_options <- function(opts, allowed) {
  unknown <- setdiff(names(opts), allowed)
  if (length(unknown) > 0L) {
    stop_api(sprintf(
      "unknown option(s) %s; allowed: %s", fmt_list(unknown), paste(allowed, collapse = ", ")
    ))
  }
}
